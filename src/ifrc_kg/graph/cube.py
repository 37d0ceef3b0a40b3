"""Every figure of a report's tables as a W3C Data Cube observation.

One ``qb:DataSet`` per table of the report (``vocabulary.DATASETS``); observation IRIs are
made of the data set and the notations of the dimension values, so two observations of a
data set can never share every dimension (IC-12 holds by construction) and a rebuild
gives the same IRIs. Observations are written in normalised form: typed, every
dimension, the measure and the attributes on the observation itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ifrc_kg import concepts
from ifrc_kg.errors import ReportFormatError
from ifrc_kg.graph.organisations import partner
from ifrc_kg.graph.provenance import ReportContext, add_printed, add_source, decimal
from ifrc_kg.graph.vocabulary import DATASETS, STRUCTURES, UNITS, concept_iri
from ifrc_kg.model import Figure, FinancialFigure, SourceSpan, Unit
from ifrc_kg.namespaces import DCTERMS, IFRCKG, PROV, QB, RDF, RDFS, SDMX_ATTRIBUTE, SKOS

log = logging.getLogger(__name__)

INTEGER_MEASURES = {IFRCKG.number, IFRCKG.peopleReached}
BOOLEAN_MEASURES = {IFRCKG.answer, IFRCKG.bilateralSupport, IFRCKG.multilateralSupport}


def concept(ctx: ReportContext, scheme: str, notation: str | None, label: str) -> URIRef:
    """The concept of a table row; a label the template does not know becomes a concept of
    the report graph (typed and in the scheme, so code-list checks still hold) and a warning.
    """
    if notation is not None:
        return concept_iri(ctx.iris, scheme, notation)
    slug = concepts.slugify(label) or "unlabelled"
    iri = ctx.iris.concept(scheme, slug)
    log.warning(
        "%s: %r is not in the %s scheme of the template; published as %s",
        ctx.report.source_file,
        label,
        scheme,
        iri,
    )
    ctx.add(iri, RDF.type, SKOS.Concept)
    ctx.add(iri, SKOS.inScheme, ctx.iris.scheme(scheme))
    ctx.print_label(iri, label)  # two reports may print the same slug differently
    ctx.add(iri, SKOS.notation, Literal(slug))
    ctx.add(
        iri,
        SKOS.definition,
        Literal(f"A row the template does not list, as printed in {ctx.report.source_file}.", "en"),
    )
    return iri


def dataset(ctx: ReportContext, key: str) -> URIRef:
    """The data set of one table of the report (typed once, on first use)."""
    structure_key, label = DATASETS[key]
    iri = ctx.iris.dataset(ctx.iso3, ctx.key, key)
    if (iri, RDF.type, QB.DataSet) not in ctx.graph:
        ctx.add(iri, RDF.type, QB.DataSet)
        ctx.add(iri, QB.structure, ctx.iris.dsd(structure_key))
        title = f"{ctx.report.country.name} — {ctx.report.title.text}"
        ctx.add(iri, RDFS.label, Literal(f"{title}: {label}", lang="en"))
        ctx.add(iri, DCTERMS.identifier, Literal(key))
        ctx.add(iri, PROV.wasDerivedFrom, ctx.report_iri)
        ctx.add(ctx.report_iri, IFRCKG.dataset, iri)
    return iri


def measure_literal(measure: URIRef, value: Decimal | bool) -> Literal:
    if measure in BOOLEAN_MEASURES:
        return Literal(bool(value))
    if measure in INTEGER_MEASURES:
        return Literal(int(value), datatype=XSD.integer)
    return decimal(Decimal(value))


def observation(
    ctx: ReportContext,
    key: str,
    keys: Sequence[str],
    dimensions: Sequence[tuple[URIRef, URIRef]],
    figure: Figure,
    label: str,
) -> URIRef:
    """One observation of data set ``key``: host society and period first, then the cube's
    own dimensions, the measure, unit and printed value, and its source.

    A print whose value is ambiguous ("25,6140") has no measure, only its candidate
    readings (``ifrckg:possibleValue``): the one case the shapes and IC-14 let pass.
    """
    structure = STRUCTURES[DATASETS[key][0]]
    iri = ctx.iris.observation(ctx.iso3, ctx.key, key, *keys)
    if iri in ctx.used:
        # Two figures for the same cell of a cube (a repeated row, or two partner names of
        # one society) cannot both stand: Data Cube IC-12 forbids it. Say where.
        raise ReportFormatError(
            figure.source.file,
            figure.source.line_start,
            f"a second figure for {label!r} ({'/'.join(keys)}): the table repeats a row",
        )
    ctx.used.add(iri)
    ctx.add(iri, RDF.type, QB.Observation)
    ctx.add(iri, QB.dataSet, dataset(ctx, key))
    ctx.add(iri, IFRCKG.nationalSociety, ctx.iris.national_society(ctx.iso3))
    ctx.add(iri, IFRCKG.refPeriod, ctx.period_iri)
    # the year on the figure itself: filtering by year is one triple pattern
    ctx.add(iri, IFRCKG.year, Literal(str(ctx.year), datatype=XSD.gYear))
    for prop, dim_value in dimensions:
        ctx.add(iri, prop, dim_value)
    if figure.value is not None:
        ctx.add(iri, structure.measure, measure_literal(structure.measure, figure.value))
    ctx.add(iri, SDMX_ATTRIBUTE.unitMeasure, UNITS[figure.unit])
    add_printed(ctx, iri, figure)
    shown = f"{label}: {figure.printed} ({ctx.iso3.upper()} {ctx.year})"
    ctx.add(iri, RDFS.label, Literal(shown, "en"))
    add_source(ctx, iri, figure.source)
    return iri


def _mark(marked: bool, mark: str, source: SourceSpan) -> Figure:
    """A cell of the partner matrix as a yes/no figure: the mark, or an empty cell."""
    return Figure(marked, Unit.BOOLEAN, mark if marked else "", None, source)


def _notation(iri: URIRef) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def add_key_figures(ctx: ReportContext) -> None:
    for row in ctx.report.key_figures:
        code = concept(ctx, "key-figure", row.concept, row.label)
        obs = observation(
            ctx, "key-figures", [_notation(code)], [(IFRCKG.keyFigure, code)], row.figure, row.label
        )
        ctx.add(obs, IFRCKG.printedLabel, Literal(row.label))


def add_people_reached(ctx: ReportContext) -> None:
    for row in ctx.report.people_reached:
        code = concept(ctx, "reach-category", row.concept, row.label)
        obs = observation(
            ctx,
            "people-reached",
            [_notation(code)],
            [(IFRCKG.reachCategory, code)],
            row.figure,
            f"People reached, {row.label}",
        )
        ctx.add(obs, IFRCKG.printedLabel, Literal(row.label))


def add_indicators(ctx: ReportContext) -> None:
    for row in ctx.report.indicators:
        code = concept(ctx, "indicator", row.concept, row.label)
        if row.concept is None and row.area:
            area = concept_iri(ctx.iris, concepts.area_scheme(row.area), row.area)
            ctx.add(code, SKOS.broader, area)
        key = "indicator-answers" if isinstance(row.figure.value, bool) else "indicators"
        obs = observation(
            ctx, key, [_notation(code)], [(IFRCKG.indicator, code)], row.figure, row.label
        )
        ctx.add(obs, IFRCKG.printedLabel, Literal(row.label))


def _financial(ctx: ReportContext, key: str, rows: Sequence[FinancialFigure]) -> None:
    for row in rows:
        funder = concept(ctx, "funder-group", row.funder_group, row.row_label)
        flow = concept(ctx, "flow-type", row.flow_type, row.row_label)
        obs = observation(
            ctx,
            key,
            [_notation(funder), _notation(flow)],
            [(IFRCKG.funderGroup, funder), (IFRCKG.flowType, flow)],
            row.figure,
            f"{DATASETS[key][1].capitalize()}, {row.row_label}",
        )
        ctx.add(obs, IFRCKG.printedLabel, Literal(row.row_label))


def add_financial(ctx: ReportContext) -> None:
    _financial(ctx, "financial-overview", ctx.report.financial_overview)
    _financial(ctx, "national-society-overview", ctx.report.national_society_overview)
    _financial(ctx, "funding-sources", ctx.report.funding_sources)


def _support_area(ctx: ReportContext, area: str) -> URIRef:
    members = concepts.scheme("support-area").members
    if area in {m.notation for m in members}:
        return concept_iri(ctx.iris, "support-area", area)
    found = concepts.lookup("support-area", area)
    return concept(ctx, "support-area", found.notation if found else None, area)


def add_partners(ctx: ReportContext) -> None:
    """The supported-activities matrix: bilateral support per area (every cell: a blank
    cell is a recorded "no"), support through the IFRC, and the funding reported."""
    all_areas = [m.notation for m in concepts.scheme("support-area").members]
    for row in ctx.report.partners:
        who = partner(ctx, row.society_name)
        who_key = _notation(who)
        marked = {_support_area(ctx, area) for area in row.bilateral_areas}
        areas = [concept_iri(ctx.iris, "support-area", a) for a in all_areas]
        areas += sorted(marked - set(areas))
        printed = Literal(row.society_name)  # the name as printed, beside the reference's
        for area in areas:
            cell = observation(
                ctx,
                "partner-support",
                [who_key, _notation(area)],
                [(IFRCKG.partner, who), (IFRCKG.supportArea, area)],
                _mark(area in marked, "●", row.source),
                f"{row.society_name} bilateral support, {_notation(area)}",
            )
            ctx.add(cell, IFRCKG.nameAsPrinted, printed)
        multilateral = observation(
            ctx,
            "partner-multilateral",
            [who_key],
            [(IFRCKG.partner, who)],
            _mark(row.multilateral_through_ifrc, "✓", row.source),
            f"{row.society_name} support through the IFRC",
        )
        ctx.add(multilateral, IFRCKG.nameAsPrinted, printed)
        if row.funding is not None:
            funding = observation(
                ctx,
                "partner-funding",
                [who_key],
                [(IFRCKG.partner, who)],
                row.funding,
                f"Funding reported by {row.society_name}",
            )
            ctx.add(funding, IFRCKG.nameAsPrinted, printed)
    total = ctx.report.total_funding_reported
    if total is not None:
        funder = concept_iri(ctx.iris, "funder-group", "participating-national-societies")
        flow = concept_iri(ctx.iris, "flow-type", "funding")
        observation(
            ctx,
            "partner-funding-total",
            [_notation(funder), _notation(flow)],
            [(IFRCKG.funderGroup, funder), (IFRCKG.flowType, flow)],
            total,
            "Total funding reported by partners",
        )


def add_tables(ctx: ReportContext) -> None:
    add_key_figures(ctx)
    add_people_reached(ctx)
    add_indicators(ctx)
    add_financial(ctx)
    add_partners(ctx)
