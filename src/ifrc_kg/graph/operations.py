"""Emergency appeals and DREF operations: the operation tables of a report.

An operation is named by its IFRC code (``/id/operation/MDRML018``) and outlives the
report, so what a report says about it (its events, amounts, people, documents) hangs
on parts of that report (``/id/report/mli/2023/operation/MDRML018/…``) and its source
node is anchored there too: a second report on the same operation adds, never merges.
Money is ``schema:MonetaryAmount`` (value + CHF), people ``schema:QuantitativeValue``.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ifrc_kg.concepts import slugify
from ifrc_kg.graph.provenance import ReportContext, add_printed, add_source, decimal
from ifrc_kg.graph.vocabulary import UNITS
from ifrc_kg.model import Figure, Operation, OperationKind
from ifrc_kg.namespaces import DCTERMS, IFRCKG, PROV, RDF, RDFS, SCHEMA, SDMX_ATTRIBUTE, SKOS

KIND_CLASSES = {
    OperationKind.EMERGENCY_APPEAL: IFRCKG.EmergencyAppeal,
    OperationKind.DREF: IFRCKG.DrefOperation,
}


def _operation_node(ctx: ReportContext, code: str, name: str) -> URIRef:
    operation = ctx.iris.operation(code)
    ctx.add(operation, RDF.type, IFRCKG.Operation)
    ctx.add(operation, RDF.type, PROV.Activity)
    ctx.add(operation, RDF.type, SCHEMA.Event)
    ctx.add(operation, DCTERMS.identifier, Literal(code.upper()))
    ctx.add(operation, SKOS.notation, Literal(code.upper()))
    ctx.add(operation, RDFS.label, Literal(name, lang="en"))
    ctx.add(operation, SCHEMA.name, Literal(name, lang="en"))
    ctx.add(operation, IFRCKG.country, ctx.iris.country(ctx.iso3))
    return operation


def add_ongoing_emergencies(ctx: ReportContext) -> None:
    for listed in ctx.report.ongoing_emergencies:
        operation = _operation_node(ctx, listed.code, listed.name)
        ctx.add(ctx.report_iri, IFRCKG.ongoingEmergency, operation)
        add_source(ctx, operation, listed.source, ctx.part("ongoing-emergency", listed.code))


def _quantity(ctx: ReportContext, node: URIRef, figure: Figure, label: str) -> URIRef:
    ctx.add(node, RDF.type, SCHEMA.QuantitativeValue)
    ctx.add(node, RDFS.label, Literal(f"{label}: {figure.printed}", lang="en"))
    ctx.add(node, SCHEMA.value, decimal(figure.value))
    ctx.add(node, SDMX_ATTRIBUTE.unitMeasure, UNITS[figure.unit])
    add_printed(ctx, node, figure)
    add_source(ctx, node, figure.source)
    return node


def add_operation(ctx: ReportContext, op: Operation) -> URIRef:
    code = op.code.text.strip().upper()
    operation = _operation_node(ctx, code, op.name.text)
    ctx.add(operation, RDF.type, KIND_CLASSES[op.kind])
    ctx.add(ctx.report_iri, IFRCKG.operation, operation)
    table = ctx.part("operation", code)
    add_source(ctx, operation, op.source, table)
    if op.start:
        ctx.add(operation, SCHEMA.startDate, Literal(op.start, datatype=XSD.date))
    if op.end:
        ctx.add(operation, SCHEMA.endDate, Literal(op.end, datatype=XSD.date))
    ctx.add(operation, IFRCKG.durationText, Literal(op.duration.text))
    if op.duration_months is not None:
        ctx.add(operation, IFRCKG.durationMonths, Literal(op.duration_months, datatype=XSD.integer))
    for event in op.events:
        node = ctx.part("operation", code, "event", event.day.isoformat())
        ctx.add(operation, IFRCKG.event, node)
        ctx.add(node, RDF.type, IFRCKG.OperationEvent)
        ctx.add(node, RDF.type, SCHEMA.Event)
        ctx.add(node, RDFS.label, Literal(f"{event.day.isoformat()}: {event.description}", "en"))
        ctx.add(node, SCHEMA.startDate, Literal(event.day, datatype=XSD.date))
        ctx.add(node, SCHEMA.description, Literal(event.description, lang="en"))
        add_source(ctx, node, op.duration.source)  # events are read from the DURATION row
    for figure in op.people_affected:
        node = ctx.part("operation", code, "people-affected", slugify(figure.printed))
        ctx.add(operation, IFRCKG.peopleAffected, _quantity(ctx, node, figure, "People affected"))
    if op.people_affected_text is not None:
        ctx.add(operation, IFRCKG.peopleAffectedText, Literal(op.people_affected_text.text))
    if op.people_targeted is not None:
        node = ctx.part("operation", code, "people-targeted")
        quantity = _quantity(ctx, node, op.people_targeted, "People targeted")
        ctx.add(operation, IFRCKG.peopleTargeted, quantity)
    for funding in op.funding:
        node = ctx.part(
            "operation", code, "funding", slugify(funding.scope), slugify(funding.channel)
        )
        ctx.add(operation, IFRCKG.funding, node)
        ctx.add(node, RDF.type, SCHEMA.MonetaryAmount)
        label = f"{funding.scope}, {funding.channel}: CHF {funding.figure.printed}"
        ctx.add(node, RDFS.label, Literal(label, lang="en"))
        ctx.add(node, SCHEMA.value, decimal(funding.figure.value))
        ctx.add(node, SCHEMA.currency, Literal("CHF"))
        ctx.add(node, SDMX_ATTRIBUTE.unitMeasure, UNITS[funding.figure.unit])
        ctx.add(node, IFRCKG.fundingScope, Literal(funding.scope))
        ctx.add(node, IFRCKG.fundingChannel, Literal(funding.channel))
        add_printed(ctx, node, funding.figure)
        add_source(ctx, node, funding.figure.source)
    for document in op.documents:
        node = ctx.part("operation", code, "document", slugify(document.role))
        ctx.add(operation, IFRCKG.document, node)
        ctx.add(node, RDF.type, SCHEMA.CreativeWork)
        ctx.add(node, RDFS.label, Literal(document.title, lang="en"))
        ctx.add(node, SCHEMA.name, Literal(document.title, lang="en"))
        ctx.add(node, IFRCKG.documentRole, Literal(document.role))
        ctx.add(node, SCHEMA.about, operation)
        add_source(ctx, node, document.source)
    return operation


def add_operations(ctx: ReportContext) -> None:
    add_ongoing_emergencies(ctx)
    for op in ctx.report.operations:
        add_operation(ctx, op)
