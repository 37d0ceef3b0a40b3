"""A build's validation report from its reports' pieces: ``validation.ttl`` (SHACL), ``.txt``
and ``.html``, the findings, and ``coverage.txt``.

Each report was validated alone (``pipeline.py``); the corpus's report merges theirs, so a
rebuild of one report never revalidates the others.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from ifrc_kg.datacube import violations_only
from ifrc_kg.findings import Finding
from ifrc_kg.namespaces import bind_prefixes
from ifrc_kg.pipeline import Piece
from ifrc_kg.validate import ValidationIssue, ValidationReport, issue_order


def piece_report(piece: Piece) -> ValidationReport:
    return ValidationReport(
        conforms=not piece.failed,
        violations=tuple(piece.violations),
        warnings=tuple(piece.warnings),
        integrity=piece.integrity,
        triples=piece.triples,
    )


def coverage_text(pieces: Sequence[Piece]) -> str:
    """coverage.txt: per report, lines read of non-blank lines, then every unread line."""
    return "".join(piece.coverage for piece in pieces)


def merged_report(pieces: Sequence[Piece], triples: int) -> ValidationReport:
    integrity: dict[str, list[str]] = {}
    warnings: list[ValidationIssue] = []
    for piece in pieces:
        warnings += piece.warnings
        for ic_id, messages in piece.integrity.items():
            integrity.setdefault(ic_id, []).extend(messages)
    warnings.sort(key=issue_order)
    violations = tuple(v for piece in pieces for v in piece.violations)
    return ValidationReport(
        conforms=not violations and not violations_only(integrity),
        violations=violations,
        warnings=tuple(warnings),
        integrity=integrity,
        triples=triples,
    )


def build_findings(pieces: Sequence[Piece]) -> tuple[Finding, ...]:
    """The build's findings (``<base>graph/findings``), from each report's piece, in order."""
    unique = {finding.iri: finding for piece in pieces for finding in piece.findings}
    return tuple(sorted(unique.values(), key=lambda f: (f.report or "", f.shape, f.focus)))


def validation_graph(pieces: Sequence[Piece], base: str) -> Graph:
    """One SHACL validation report for the corpus, from the reports' skolemised ones."""
    graph = Graph()
    bind_prefixes(graph)
    node = URIRef(f"{base}.well-known/genid/validation-report")
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(True)))
    for piece in pieces:
        part = Graph().parse(piece.file_of("validation.nt"), format="nt")
        reports = set(part.subjects(RDF.type, SH.ValidationReport))
        for s, p, o in part:
            if s in reports:
                if p == SH.result:
                    graph.add((node, SH.result, o))
                continue
            graph.add((s, p, o))
    return graph


def validation_text(report: ValidationReport, built: datetime) -> str:
    stamp = built.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"ifrc-kg validation report, build of {stamp}\n\n" + report.summary()


def _issue_html(issue: ValidationIssue) -> str:
    e = html.escape
    rows = [
        f'<dt>Focus node</dt><dd><a href="{e(issue.focus_node)}">{e(issue.focus_node)}</a></dd>'
    ]
    if issue.path:
        rows.append(f"<dt>Path</dt><dd><code>{e(issue.path)}</code></dd>")
    if issue.value and issue.value != issue.focus_node:
        rows.append(f"<dt>Value</dt><dd><code>{e(issue.value)}</code></dd>")
    if issue.quote:
        rows.append(f"<dt>Source quote</dt><dd><blockquote>{e(issue.quote)}</blockquote></dd>")
    rows.append(f"<dt>Shape</dt><dd><code>{e(issue.source_shape)}</code></dd>")
    return f"<li><p>{e(issue.message)}</p><dl>{''.join(rows)}</dl></li>"


def validation_html(report: ValidationReport, built: datetime) -> str:
    e = html.escape
    stamp = built.strftime("%Y-%m-%dT%H:%M:%SZ")
    sections = []
    for title, issues in (("Violations", report.violations), ("Warnings", report.warnings)):
        items = "".join(_issue_html(issue) for issue in issues) or "<li>None.</li>"
        sections.append(f"<section><h2>{title} ({len(issues)})</h2><ol>{items}</ol></section>")
    fired = {k: v for k, v in report.integrity.items() if v}
    if fired:
        cube = "".join(
            f"<li>{e(ic)}<ul>{''.join(f'<li>{e(m)}</li>' for m in ms)}</ul></li>"
            for ic, ms in fired.items()
        )
        cube_html = f"<ul>{cube}</ul>"
    else:
        cube_html = f"<p>All {len(report.integrity)} constraints (IC-1 … IC-21) hold.</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>ifrc-kg validation report</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}dt{font-weight:600}blockquote{margin:0;padding-left:.5rem;"
        "border-left:3px solid #c00}li{margin-bottom:1rem}</style></head><body>"
        f"<h1>Validation report</h1><p>Build of {e(stamp)}: {e(report.headline())}.</p>"
        + "".join(sections)
        + f"<section><h2>Data Cube integrity constraints</h2>{cube_html}</section>"
        '<p>Machine-readable: <a href="validation.ttl">validation.ttl</a> (SHACL report).</p>'
        "</body></html>\n"
    )
