"""Data-quality findings as data: the build's SHACL warnings as a named graph of the endpoint.

pySHACL's report says which node a check fired on and why (the message), but not which
figures were compared nor by how much they differ. Every data-quality shape of
``shapes/quality.ttl`` projects those in its own select (``?compared``, ``?difference``,
``?tolerance``), so this module runs each shape's select once over the whole graph and
joins its rows to the SHACL results by focus node: the findings say exactly what the
shapes computed, and the shapes stay the single place where a check is defined.

The graph ``<base>graph/findings``: one ``ifrckg:Finding`` (also ``sh:ValidationResult``)
per result, with ``sh:focusNode``, ``sh:resultSeverity``, ``sh:resultMessage``,
``sh:sourceShape``, ``ifrckg:report``, ``ifrckg:comparesFigure`` (each figure involved),
``ifrckg:difference`` and ``ifrckg:tolerance``; and ``<figure> ifrckg:finding <finding>``
on each figure involved, so "which figures disagree?" is one triple pattern.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH, XSD

from ifrc_kg.namespaces import IFRCKG, OA, bind_prefixes
from ifrc_kg.validate import ValidationIssue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """One data-quality finding, with what a person or an export needs."""

    iri: str
    report: str | None
    severity: str
    shape: str
    focus: str
    message: str
    figures: tuple[str, ...]
    difference: Decimal | None = None
    tolerance: Decimal | None = None


def findings_graph_iri(base: str) -> URIRef:
    """``<base>graph/findings``: the named graph of the build's findings."""
    return URIRef(f"{base}graph/findings")


def finding_iri(base: str, shape: str, focus: str) -> URIRef:
    """A stable IRI from the check and its focus node (same build, same IRIs).

    >>> iri = finding_iri("https://x.org/", "https://x.org/def/shapes#SumShape", "https://x.org/a")
    >>> iri.startswith("https://x.org/id/finding/SumShape/"), len(iri.rsplit("/", 1)[-1])
    (True, 12)
    """
    local = shape.rsplit("#", 1)[-1].rsplit("/", 1)[-1] or "check"
    digest = hashlib.sha256(f"{shape} {focus}".encode()).hexdigest()[:12]
    return URIRef(f"{base}id/finding/{local}/{digest}")


def _prefix_header(shapes: Graph, select_holder: URIRef | object) -> str:
    """PREFIX lines for a SPARQL constraint, from its ``sh:prefixes`` declarations."""
    lines = []
    for prefixes in shapes.objects(select_holder, SH.prefixes):
        for declaration in shapes.objects(prefixes, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _number(value: object) -> Decimal | None:
    if not isinstance(value, Literal):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class _Row:
    figures: tuple[str, ...]
    difference: Decimal | None
    tolerance: Decimal | None


def _shape_rows(union: Graph, shapes: Graph, shape: URIRef) -> dict[str, _Row]:
    """What one shape's select projects, by focus node (the select runs once, unbound)."""
    rows: dict[str, _Row] = {}
    for constraint in shapes.objects(shape, SH.sparql):
        select = shapes.value(constraint, SH.select)
        if select is None:
            continue
        query = _prefix_header(shapes, constraint) + str(select)
        for row in union.query(query):
            bindings = row.asdict()  # type: ignore[union-attr]
            focus = bindings.get("this")
            if focus is None:
                continue
            compared = str(bindings.get("compared") or "").split()
            rows[str(focus)] = _Row(
                figures=tuple(dict.fromkeys(compared)),  # order kept, repeats dropped
                difference=_number(bindings.get("difference")),
                tolerance=_number(bindings.get("tolerance")),
            )
    return rows


def _report_of(union: Graph, node: URIRef) -> str | None:
    """The report a node was read from: itself, or the report of its source text."""
    if (node, RDF.type, IFRCKG.AnnualReport) in union:
        return str(node)
    for source in union.objects(node, PROV.wasDerivedFrom):
        for text in union.objects(source, OA.hasSource):
            for report in sorted(union.subjects(PROV.hadPrimarySource, text)):
                return str(report)
    return None


def collect_findings(
    issues: Iterable[ValidationIssue], union: Graph, shapes: Graph, base: str
) -> list[Finding]:
    """The findings of a build: one per SHACL result of severity Warning or Info."""
    by_shape: dict[str, dict[str, _Row]] = {}
    findings = []
    for issue in issues:
        if issue.severity == "Violation":
            continue
        if issue.source_shape not in by_shape:
            by_shape[issue.source_shape] = _shape_rows(union, shapes, URIRef(issue.source_shape))
        row = by_shape[issue.source_shape].get(issue.focus_node)
        figures = row.figures if row and row.figures else (issue.focus_node,)
        findings.append(
            Finding(
                iri=str(finding_iri(base, issue.source_shape, issue.focus_node)),
                report=_report_of(union, URIRef(issue.focus_node)),
                severity=issue.severity,
                shape=issue.source_shape,
                focus=issue.focus_node,
                message=issue.message,
                figures=figures,
                difference=row.difference if row else None,
                tolerance=row.tolerance if row else None,
            )
        )
    unique = {finding.iri: finding for finding in findings}
    return sorted(unique.values(), key=lambda f: (f.report or "", f.shape, f.focus))


def _decimal(value: Decimal) -> Literal:
    """A canonical xsd:decimal (``1.0``, ``50000.0``), as every decimal of the graph."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def findings_graph(findings: Sequence[Finding], base: str) -> Graph:
    """The named graph ``<base>graph/findings`` of a build."""
    graph = Graph(identifier=findings_graph_iri(base))
    bind_prefixes(graph)
    for finding in findings:
        node = URIRef(finding.iri)
        graph.add((node, RDF.type, IFRCKG.Finding))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, RDFS.label, Literal(finding.message, lang="en")))
        graph.add((node, SH.resultMessage, Literal(finding.message, lang="en")))
        graph.add((node, SH.resultSeverity, SH[finding.severity]))
        graph.add((node, SH.focusNode, URIRef(finding.focus)))
        graph.add((node, SH.sourceShape, URIRef(finding.shape)))
        if finding.report:
            graph.add((node, IFRCKG.report, URIRef(finding.report)))
            graph.add((URIRef(finding.report), IFRCKG.finding, node))
        for figure in finding.figures:
            graph.add((node, IFRCKG.comparesFigure, URIRef(figure)))
            graph.add((URIRef(figure), IFRCKG.finding, node))
        if finding.difference is not None:
            graph.add((node, IFRCKG.difference, _decimal(finding.difference)))
        if finding.tolerance is not None:
            graph.add((node, IFRCKG.tolerance, _decimal(finding.tolerance)))
    return graph


def findings_by_report(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by report IRI (``""`` for a finding no report could be found for)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.report or "", []).append(finding)
    return grouped
