"""Model -> RDF: one named graph per report, plus the vocabulary (and reference) graphs.

``build_dataset`` is the only entry point the rest of the pipeline needs. The contract
(what is where, which terms to query) is ``.team/GRAPH.md``; every IRI comes from
``ifrc_kg.uris.Iris`` and no node is blank, so two builds of the same reports give
the same triples.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ifrc_kg.config import DEFAULT_BASE
from ifrc_kg.graph.cube import add_tables
from ifrc_kg.graph.labels import PrintedName, add_labels, labels_graph_iri
from ifrc_kg.graph.links import add_links
from ifrc_kg.graph.narrative import add_narrative
from ifrc_kg.graph.operations import add_operations
from ifrc_kg.graph.organisations import (
    add_contacts,
    add_host,
    add_period,
    resolve_organisation,
)
from ifrc_kg.graph.provenance import ReportContext, add_source, add_text_entity, read_text
from ifrc_kg.graph.vocabulary import vocabulary_graph
from ifrc_kg.model import Report
from ifrc_kg.namespaces import DCTERMS, IFRCKG, PROV, RDF, RDFS, SCHEMA, bind_prefixes
from ifrc_kg.uris import Iris, report_key

log = logging.getLogger(__name__)

__all__ = ["build_dataset", "report_graph", "vocabulary_graph_iri"]


def vocabulary_graph_iri(base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base}graph/vocabulary")


def report_label(report: Report) -> str:
    """``Mali — 2023 IFRC network annual report, Jan-Dec``: country, then the printed title."""
    return f"{report.country.name} — {report.title.text}"


def _add_report(ctx: ReportContext) -> None:
    report, iri = ctx.report, ctx.report_iri
    for cls in (IFRCKG.AnnualReport, SCHEMA.Report, PROV.Entity):
        ctx.add(iri, RDF.type, cls)
    # the label names the country (lists of many reports stay readable); the title is as printed
    ctx.add(iri, RDFS.label, Literal(report_label(report), lang="en"))
    ctx.add(iri, DCTERMS.title, Literal(report.title.text, lang="en"))
    ctx.add(iri, SCHEMA.name, Literal(report_label(report), lang="en"))
    ctx.add(iri, IFRCKG.year, Literal(str(report.year), datatype=XSD.gYear))
    ctx.add(iri, IFRCKG.period, ctx.period_iri)
    ctx.add(iri, IFRCKG.reportKind, Literal(report.kind))
    if report.coverage is not None:
        ctx.add(iri, IFRCKG.nonBlankLines, Literal(report.coverage.lines))
        ctx.add(iri, IFRCKG.linesRead, Literal(report.coverage.read))
    ctx.add(iri, IFRCKG.country, ctx.iris.country(ctx.iso3))
    ctx.add(iri, IFRCKG.nationalSociety, ctx.iris.national_society(ctx.iso3))
    ctx.add(iri, SCHEMA.about, ctx.iris.national_society(ctx.iso3))
    ctx.add(iri, SCHEMA.spatialCoverage, ctx.iris.country(ctx.iso3))
    coverage = f"{report.period_start.isoformat()}/{report.period_end.isoformat()}"
    ctx.add(iri, SCHEMA.temporalCoverage, Literal(coverage))
    if report.published:
        ctx.add(iri, SCHEMA.datePublished, Literal(report.published, datatype=XSD.date))
    if report.appeal_code:
        ctx.add(iri, IFRCKG.appealCode, Literal(report.appeal_code.text.strip().upper()))
    ctx.add(iri, PROV.hadPrimarySource, ctx.text_iri)
    publisher = resolve_organisation(ctx, "IFRC")
    if publisher is not None:  # the template is IFRC's: "IFRC network annual report"
        ctx.add(iri, SCHEMA.publisher, publisher)
    add_source(ctx, iri, report.title.source)


def report_graph(
    report: Report,
    graph: Graph,
    iris: Iris,
    include_personal_contacts: bool = True,
    report_dir: Path | None = None,
    printed: list[PrintedName] | None = None,
) -> Graph:
    """Write every fact of one report into ``graph``.

    ``printed``: where a build collects the names the report prints for shared resources,
    to choose their labels across reports (``graph.labels``); without it the report labels
    them itself, in ``graph``, as a build of this report alone would.
    """
    text = read_text(report, report_dir)
    ctx = ReportContext(graph=graph, iris=iris, report=report, text=text)
    add_text_entity(ctx)
    _add_report(ctx)
    add_host(ctx)
    add_period(ctx)
    add_tables(ctx)
    add_operations(ctx)
    add_narrative(ctx)
    add_contacts(ctx, include_personal_contacts)
    if printed is None:
        add_labels(graph, ctx.printed)
    else:
        printed.extend(ctx.printed)
    return graph


@functools.lru_cache(maxsize=4)
def vocabulary_triples(base: str) -> tuple[tuple[Node, Node, Node], ...]:
    """The vocabulary graph's triples, mapped once per process (and base)."""
    return tuple(vocabulary_graph(base))


def build_dataset(
    reports: Sequence[Report],
    base: str = DEFAULT_BASE,
    include_personal_contacts: bool = True,
    report_dir: Path | None = None,
    printed: list[PrintedName] | None = None,
    whole_reference: bool = True,
) -> Dataset:
    """The whole knowledge graph: vocabulary, one named graph per report, reference links,
    and the labels of resources several reports name (``<base>graph/labels``).

    ``report_dir`` is where the report texts are (for the quotes' prefix and suffix);
    ``printed``, when given, receives the label candidates (the corpus build keeps them);
    ``whole_reference=False``: of the countries, societies and organisations, only those
    the reports name (the corpus build publishes them all once; ``graph.links``).
    """
    iris = Iris(base)
    dataset = Dataset()
    bind_prefixes(dataset)
    vocabulary = dataset.graph(vocabulary_graph_iri(base))
    vocabulary.addN((s, p, o, vocabulary) for s, p, o in vocabulary_triples(base))
    names: list[PrintedName] = []
    for report in sorted(reports, key=lambda r: (r.country.iso3, r.year, r.kind)):
        graph = dataset.graph(iris.graph(report.country.iso3, report_key(report.year, report.kind)))
        report_graph(report, graph, iris, include_personal_contacts, report_dir, names)
        log.info("mapped %s: %d triples", report.source_file, len(graph))
    add_labels(dataset.graph(labels_graph_iri(base)), names)
    if printed is not None:
        printed.extend(names)
    add_links(dataset, reports, iris, whole_reference)
    return dataset
