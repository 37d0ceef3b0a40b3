"""Validation: the project's SHACL shapes plus the W3C Data Cube constraints.

The SHACL Core shapes run as SPARQL over pyoxigraph (``shacl_sparql``); the SHACL-SPARQL
shapes, and any shape using what that compiler does not translate, run in pySHACL, which
also remains available for every shape (``engine="pyshacl"``, the reference the tests
compare with).

One typed :class:`ValidationReport` comes out whatever checked the graph: SHACL results
split by severity (violations stop a publish; warnings are data-quality findings that
are published, never blocking), and the Data Cube integrity constraints that fired.

The data graph is the union of every named graph plus the vocabulary (ontology) graph, so
class hierarchies, labels and ranges resolve; it is a private copy (or a read-only
``datacube.UnionView``), so pySHACL may run in place (no second clone) and SHACL-AF rules
cannot leak into the caller's graph. The shapes file is itself checked against SHACL's meta-shapes
(shacl-shacl, baked into pySHACL, so it works offline) by :func:`check_shapes`.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import PROV, RDF, SH
from rdflib.plugin import register
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.term import Node

from ifrc_kg.config import DEFAULT_BASE, artefact_dir
from ifrc_kg.datacube import IC_TITLES, check_integrity, store_of, union_graph, violations_only
from ifrc_kg.errors import RdfFormatError
from ifrc_kg.namespaces import OA, bind_prefixes
from ifrc_kg.shacl_sparql import add_results, compiled_shapes, keeps_datatypes

log = logging.getLogger(__name__)

#: File extension → rdflib parser name; the parser for ``FILE.ext.gz`` is the one of ``.ext``.
RDF_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".trig": "trig",
    ".nq": "nquads",
    ".rdf": "xml",
    ".owl": "xml",
}


@dataclass(frozen=True)
class ValidationIssue:
    """One SHACL result, flattened into what a person needs to act on it."""

    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    source_shape: str
    constraint: str
    quote: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    """Everything one validation found.

    ``conforms`` is true when there is no SHACL violation and no Data Cube integrity
    violation; warnings and infos never affect it.
    """

    conforms: bool
    violations: tuple[ValidationIssue, ...]
    warnings: tuple[ValidationIssue, ...]
    infos: tuple[ValidationIssue, ...] = ()
    integrity: dict[str, list[str]] = field(default_factory=dict)
    triples: int = 0
    report_graph: Graph = field(default_factory=Graph, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        issues: Iterable[ValidationIssue],
        integrity: dict[str, list[str]],
        triples: int,
        report_graph: Graph | None = None,
    ) -> ValidationReport:
        """The report of SHACL ``issues`` (listed in :func:`issue_order`) and Data Cube
        ``integrity`` results: it conforms when neither holds a violation."""
        ordered = sorted(issues, key=issue_order)
        violations = tuple(i for i in ordered if i.severity == "Violation")
        return cls(
            conforms=not violations and not violations_only(integrity),
            violations=violations,
            warnings=tuple(i for i in ordered if i.severity == "Warning"),
            infos=tuple(i for i in ordered if i.severity == "Info"),
            integrity=integrity,
            triples=triples,
            report_graph=report_graph if report_graph is not None else Graph(),
        )

    @property
    def integrity_violations(self) -> int:
        return sum(len(messages) for messages in self.integrity.values())

    def headline(self) -> str:
        """One line: the verdict and the counts."""
        verdict = "conforms" if self.conforms else "does NOT conform"
        return (
            f"{verdict}: {len(self.violations)} SHACL violation(s), "
            f"{self.integrity_violations} Data Cube integrity violation(s), "
            f"{len(self.warnings)} warning(s) over {self.triples} triples"
        )

    def summary(self, limit: int | None = None, warnings: bool = True) -> str:
        """A readable text summary (``validation.txt``).

        ``limit`` caps the issues listed per section; ``warnings=False`` lists only what
        blocks a publish (the warnings are still counted in the headline).
        """
        lines = [f"Validation {self.headline()}", ""]
        sections = [("Violations", self.violations)]
        if warnings:
            sections.append(("Warnings", self.warnings))
        for title, issues in sections:
            lines.append(f"{title} ({len(issues)})")
            lines.append("=" * len(lines[-1]))
            shown = issues if limit is None else issues[:limit]
            for number, issue in enumerate(shown, 1):
                lines.extend(_issue_lines(number, issue))
            if len(shown) < len(issues):
                lines.append(f"… and {len(issues) - len(shown)} more")
            if not issues:
                lines.append("none")
            lines.append("")
        fired = violations_only(self.integrity)
        lines.append(f"Data Cube integrity constraints ({self.integrity_violations})")
        lines.append("=" * len(lines[-1]))
        if not self.integrity:
            lines.append("not checked")
        elif not fired:
            lines.append(f"all {len(self.integrity)} constraints hold (IC-1 … IC-21)")
        for ic_id, messages in fired.items():
            lines.append(f"{ic_id} {IC_TITLES.get(ic_id, '')}")
            shown_messages = messages if limit is None else messages[:limit]
            lines.extend(f"   - {message}" for message in shown_messages)
            if len(shown_messages) < len(messages):
                lines.append(f"   … and {len(messages) - len(shown_messages)} more")
        return "\n".join(lines).rstrip() + "\n"


def _issue_lines(number: int, issue: ValidationIssue) -> list[str]:
    lines = [f"{number}. {issue.message}", f"   focus node: {issue.focus_node}"]
    if issue.path:
        lines.append(f"   path: {issue.path}")
    if issue.value and issue.value != issue.focus_node:
        lines.append(f"   value: {issue.value}")
    lines.append(f"   shape: {issue.source_shape}")
    if issue.quote:
        lines.append(f"   source quote: “{issue.quote}”")
    return lines


# --- artefacts -----------------------------------------------------------------------------


def _parse_dir(directory: Path) -> Graph:
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle")
    bind_prefixes(graph)
    return graph


def shapes_graph(directory: Path | None = None) -> Graph:
    """The project's shapes: every ``shapes/*.ttl``."""
    return _parse_dir(directory or artefact_dir("shapes"))


def vocabulary_graph(directory: Path | None = None) -> Graph:
    """The project's ontology and concept schemes: every ``ontology/*.ttl``."""
    return _parse_dir(directory or artefact_dir("ontology"))


# --- reading RDF files ----------------------------------------------------------------------


def rdf_format(path: Path) -> str:
    """The rdflib parser for a file name.

    >>> rdf_format(Path("dist/graph.nt.gz"))
    'nt'
    >>> rdf_format(Path("x.jsonld"))
    'json-ld'
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in RDF_FORMATS:
        known = " ".join(sorted(RDF_FORMATS))
        raise RdfFormatError(str(path), f"unknown RDF file extension (known: {known}, also .gz)")
    return RDF_FORMATS[suffixes[-1]]


def _local_contexts(document: object, path: Path, depth: int = 0) -> object:
    """The JSON-LD document with every referenced ``@context`` (and ``@import``) replaced by
    the local file it names, so that parsing never reaches the network (rdflib's JSON-LD
    parser would fetch a remote context). A reference is local when it is a relative path,
    or a ``file:`` IRI, that exists beside the document; anything else is refused.
    """
    if depth > 20:
        raise RdfFormatError(str(path), "JSON-LD @context references nest more than 20 deep")

    def load(reference: str) -> object:
        target = reference.removeprefix("file://") if reference.startswith("file://") else None
        if target is None and ":" not in reference.split("/", 1)[0]:
            target = str(path.parent / reference)
        if target is None or not Path(target).is_file():
            raise RdfFormatError(
                str(path),
                f"JSON-LD context {reference!r} is not a local file: remote contexts are not "
                "fetched (no network); inline it or save it beside the document",
            )
        try:
            loaded = json.loads(Path(target).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RdfFormatError(str(path), f"JSON-LD context {reference!r}: {error}") from None
        context = loaded.get("@context", {}) if isinstance(loaded, dict) else {}
        return _local_contexts(context, Path(target), depth + 1)

    def resolve(value: object) -> object:
        if isinstance(value, str):
            return load(value)
        if isinstance(value, list):
            return [resolve(item) for item in value]
        return _local_contexts(value, path, depth + 1)

    if isinstance(document, list):
        return [_local_contexts(item, path, depth) for item in document]
    if not isinstance(document, dict):
        return document
    resolved: dict[str, object] = {}
    for key, value in document.items():
        if key == "@context":
            resolved[key] = resolve(value)
        elif key == "@import" and isinstance(value, str):
            imported = load(value)
            resolved.update(imported if isinstance(imported, dict) else {})
        else:
            resolved[key] = _local_contexts(value, path, depth)
    return resolved


def read_rdf(paths: Iterable[Path]) -> Dataset:
    """Read RDF files into one dataset (named graphs kept), format from each extension."""
    dataset = Dataset()
    for path in paths:
        format_name = rdf_format(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise RdfFormatError(str(path), f"cannot read the file: {error.strerror}") from None
        try:
            if path.suffix.lower() == ".gz":
                data = gzip.decompress(data)
            if format_name == "json-ld":
                document = json.loads(data)
                data = json.dumps(_local_contexts(document, path)).encode()
            dataset.parse(data=data, format=format_name, publicID=path.resolve().as_uri())
        except RdfFormatError:
            raise
        except Exception as error:  # rdflib raises many types; the user needs one line
            detail = " ".join(str(error).split()) or type(error).__name__
            raise RdfFormatError(str(path), f"cannot read as {format_name}: {detail}") from error
    return dataset


# --- validation ------------------------------------------------------------------------------


def _term(node: Node | None, graph: Graph) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        return _describe_blank(node, graph)
    return str(node)


def _describe_blank(node: BNode, graph: Graph) -> str:
    """A blank path or shape in words: a SHACL path expression or the shape's parent."""
    if (inverse := graph.value(node, SH.inversePath)) is not None:
        return f"^{_term(inverse, graph)}"
    if (parent := graph.value(None, SH.property, node)) is not None:
        path = _term(graph.value(node, SH.path), graph)
        return f"{_term(parent, graph)} (property {path})"
    if (path := graph.value(node, SH.path)) is not None:
        return f"property shape on {_term(path, graph)}"
    if graph.value(node, RDF.first) is not None:
        return "/".join(_term(item, graph) or "" for item in graph.items(node))
    return "(anonymous)"


def source_quote(data: Graph, node: Node) -> str | None:
    """The exact report text a node was read from, when it has one.

    Follows ``prov:wasDerivedFrom`` to the source node and its ``oa:TextQuoteSelector``;
    the focus node may also be the source node or the selector itself.
    """
    candidates = [node, *data.objects(node, PROV.wasDerivedFrom)]
    for candidate in candidates:
        exact = data.value(candidate, OA.exact)
        if exact is not None:
            return str(exact)
        for selector in sorted(data.objects(candidate, OA.hasSelector)):
            exact = data.value(selector, OA.exact)
            if exact is not None:
                return str(exact)
    return None


def _issues(report: Graph, shapes: Graph, data: Graph) -> list[ValidationIssue]:
    lookup = report + shapes
    issues = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        severity = report.value(result, SH.resultSeverity)
        issues.append(
            ValidationIssue(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus_node=_term(focus, lookup) or "",
                path=_term(report.value(result, SH.resultPath), lookup),
                value=_term(report.value(result, SH.value), lookup),
                message="; ".join(messages) or "(no message)",
                source_shape=_term(report.value(result, SH.sourceShape), lookup) or "",
                constraint=str(report.value(result, SH.sourceConstraintComponent) or ""),
                quote=source_quote(data, focus) if focus is not None else None,
            )
        )
    return sorted(issues, key=issue_order)


def issue_order(issue: ValidationIssue) -> tuple[str, ...]:
    """The order issues are listed in: by shape, then focus node, path, message, value."""
    return (
        issue.source_shape,
        issue.focus_node,
        issue.path or "",
        issue.message,
        issue.value or "",
    )


def skolemised_report(report: Graph, base: str = DEFAULT_BASE) -> Graph:
    """The SHACL report graph with blank nodes replaced by stable skolem IRIs.

    pySHACL's report is made of blank nodes whose labels change between runs; the
    canonical labelling (``rdflib.compare``) depends only on the graph's content, so
    the published ``validation.ttl`` is byte-identical across builds (RDF 1.1 §3.5
    skolem IRIs under ``/.well-known/genid/``).
    """
    canonical = to_canonical_graph(report)
    skolem = Graph()
    bind_prefixes(skolem)

    def name(term: Node) -> Node:
        if isinstance(term, BNode):
            return URIRef(f"{base}.well-known/genid/validation-{term}")
        return term

    for s, p, o in canonical:
        skolem.add((name(s), p, name(o)))
    return skolem


class PreparedSparql(SPARQLProcessor):
    """rdflib's SPARQL processor, parsing each query text once per process.

    pySHACL hands every SHACL-SPARQL constraint's text to rdflib at each validation, and
    rdflib parses it every time: 0.7 s of the 1.9 s pySHACL spent on one report (12 parses
    of 5 texts). A parsed query is reusable with other initial bindings (what rdflib's
    ``prepareQuery`` is for), so a bounded cache keyed by the text, the namespaces and the
    base gives the same answers without the parse. Registered as rdflib's ``sparql``
    processor by :func:`validate`.
    """

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # rdflib's parameter names, as the processor is called
        initBindings: Mapping[str, Node] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())), base)
            prepared = _PREPARED.get(key)
            if prepared is None:
                if len(_PREPARED) >= 256:
                    _PREPARED.clear()
                prepared = _PREPARED[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = prepared
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


_PREPARED: dict[tuple[str, tuple[tuple[str, str], ...], str | None], Query] = {}


def validate(
    data: Graph,
    *,
    shapes: Graph | None = None,
    vocabulary: Graph | None = None,
    data_cube: bool = True,
    inplace: bool = False,
    engine: str = "sparql",
    store: ox.Store | None = None,
    datatypes: set[str] | None = None,
) -> ValidationReport:
    """Validate a graph or dataset against the shapes (and the Data Cube ICs).

    ``inplace``: ``data`` is a plain graph the caller gives up (the vocabulary is added to
    it), so it is validated without the copy a union costs (0.4 s of a report's build); a
    ``datacube.UnionView`` of a dataset that holds the vocabulary is such a graph.
    ``engine``: ``"sparql"`` runs the shapes ``shacl_sparql`` compiles as SPARQL in
    pyoxigraph and only the others in pySHACL; ``"pyshacl"`` runs every shape in pySHACL
    (the reference the tests compare with).
    ``store``: a pyoxigraph store whose default graph already holds the triples of ``data``
    (with the vocabulary), and ``datatypes`` the datatype IRIs ``data`` writes
    (``report_quads``): the compiled shapes and the Data Cube checks run over it instead of
    a copy; it comes back unchanged.
    """
    if engine not in ("sparql", "pyshacl"):
        raise ValueError(f"unknown SHACL engine {engine!r}: sparql or pyshacl")
    shapes = shapes if shapes is not None else shapes_graph()
    vocabulary = vocabulary if vocabulary is not None else vocabulary_graph()
    plain = not isinstance(data, Dataset | ConjunctiveGraph)
    union = data if inplace and plain else union_graph(data)
    triples = len(union)
    if len(vocabulary):
        union += vocabulary
    log.info("validating %d triples (+ %d vocabulary)", triples, len(vocabulary))
    if engine == "pyshacl":
        integrity = check_integrity(union) if data_cube else {}
        report_graph = _pyshacl_report(union, shapes, None)
    else:
        # one pyoxigraph copy serves the compiled shapes, then (normalised in place, so
        # after them) the Data Cube constraints
        if store is None:
            datatypes = set()
            store = store_of(union, datatypes)
        elif datatypes is None:
            raise ValueError("a store given to validate needs the datatypes its data writes")
        compiled = compiled_shapes(shapes)
        if keeps_datatypes(store, datatypes):
            results = compiled.results(store, union)
            fallback = compiled.fallback
        else:
            log.info("the data has literal types the store rewrites: pySHACL validates it")
            results, fallback = [], None  # every shape
        report_graph = _pyshacl_report(union, shapes, fallback) if fallback != [] else Graph()
        add_results(report_graph, results, shapes)
        integrity = check_integrity(store) if data_cube else {}
    report = ValidationReport.of(
        _issues(report_graph, shapes, union), integrity, triples, report_graph
    )
    log.info("validation %s", report.headline())
    return report


def _pyshacl_report(union: Graph, shapes: Graph, use_shapes: list[Node] | None) -> Graph:
    """pySHACL's report on ``union`` (every shape, or only ``use_shapes``), run in place with
    the options the build has always used: no inference, SHACL-AF, warnings and infos
    allowed (meta-validation of the shapes is ``check_shapes``, once per build)."""
    from pyshacl import validate as shacl_validate

    register("sparql", Processor, "ifrc_kg.validate", "PreparedSparql")
    _, report_graph, _ = shacl_validate(
        union,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
        use_shapes=use_shapes,
    )
    return report_graph


def check_shapes(shapes: Graph | None = None) -> ValidationReport:
    """Meta-validation: the shapes graph against SHACL's own shapes (shacl-shacl)."""
    from pyshacl.entrypoints import meta_validate

    shapes = shapes if shapes is not None else shapes_graph()
    conforms, report_graph, _ = meta_validate(shapes, inference="none")
    issues = _issues(report_graph, Graph(), shapes)
    violations = tuple(i for i in issues if i.severity == "Violation")
    return ValidationReport(
        conforms=bool(conforms) and not violations,
        violations=violations,
        warnings=tuple(i for i in issues if i.severity == "Warning"),
        triples=len(shapes),
        report_graph=report_graph,
    )
