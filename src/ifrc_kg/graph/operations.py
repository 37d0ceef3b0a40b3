"""Emergency appeals and DREF operations: one resource per operation, one statement per report.

An operation is named by its IFRC code (``/id/operation/MDRML018``) and outlives the
report: two reports (a DREF that runs across a year end, a multi-year appeal) name the
same resource. What a report says about it (dates, duration, events, people affected and
targeted, funding, linked documents) is that report's statement,
``<report>/operation/MDRML018`` (an ``ifrckg:OperationStatement`` with
``ifrckg:statementOf <op>`` and ``ifrckg:report <report>``), with that report's sources; a
revised figure in a later report sits beside the earlier one instead of colliding with it.
The operation itself carries only what does not change: code, kind, country; each report's
print of its name is a candidate for its one label, chosen across the build (``graph.labels``).
Money is ``schema:MonetaryAmount`` (value + CHF, scope and channel as SKOS concepts), people
``schema:QuantitativeValue`` (whole numbers, ``xsd:integer``).
"""

from __future__ import annotations

import re
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ifrc_kg.concepts import slugify
from ifrc_kg.graph.cube import concept
from ifrc_kg.graph.operation_concepts import CHANNEL, SCOPE, channel_notation, scope_notation
from ifrc_kg.graph.provenance import ReportContext, add_printed, add_source, decimal
from ifrc_kg.graph.vocabulary import UNITS
from ifrc_kg.model import Figure, Operation, OperationKind
from ifrc_kg.namespaces import DCTERMS, IFRCKG, PROV, RDF, RDFS, SCHEMA, SDMX_ATTRIBUTE, SKOS

KIND_CLASSES = {
    OperationKind.EMERGENCY_APPEAL: IFRCKG.EmergencyAppeal,
    OperationKind.DREF: IFRCKG.DrefOperation,
}

# An event whose description says the operation ends (or is extended to a new end) dates
# an end: schema:endDate, not schema:startDate.
_ENDS = re.compile(r"\b(end|ends|ended|ending|extended|extension|until|closed?)\b", re.I)


def _operation_node(ctx: ReportContext, code: str, name: str, priority: int) -> URIRef:
    """The operation; its name is offered as its label (``graph.labels``): an operation
    table's print (priority 1) over a listing's (0)."""
    operation = ctx.iris.operation(code)
    ctx.add(operation, RDF.type, IFRCKG.Operation)
    ctx.add(operation, RDF.type, PROV.Activity)
    ctx.add(operation, RDF.type, SCHEMA.Event)
    ctx.add(operation, DCTERMS.identifier, Literal(code))
    ctx.add(operation, SKOS.notation, Literal(code))
    ctx.print_label(operation, name, priority=priority, named=True)
    ctx.add(operation, IFRCKG.country, ctx.iris.country(ctx.iso3))
    return operation


def add_ongoing_emergencies(ctx: ReportContext) -> None:
    for listed in ctx.report.ongoing_emergencies:
        code = listed.code.strip().upper()
        operation = _operation_node(ctx, code, listed.name, priority=0)
        ctx.add(ctx.report_iri, IFRCKG.ongoingEmergency, operation)
        add_source(ctx, operation, listed.source, ctx.part("ongoing-emergency", code))


def count_literal(value: Decimal | int | bool) -> Literal:
    """A count of people as ``xsd:integer`` (a fraction stays a decimal: the shapes flag it).

    >>> count_literal(Decimal("322013")).datatype.endswith("integer")
    True
    """
    number = Decimal(value)
    if number == number.to_integral_value():
        return Literal(int(number), datatype=XSD.integer)
    return decimal(number)


def _quantity(ctx: ReportContext, node: URIRef, figure: Figure, label: str) -> URIRef:
    ctx.add(node, RDF.type, SCHEMA.QuantitativeValue)
    ctx.add(node, RDFS.label, Literal(f"{label}: {figure.printed}", lang="en"))
    if figure.value is not None:  # an ambiguous print has its readings (add_printed)
        ctx.add(node, SCHEMA.value, count_literal(figure.value))
    ctx.add(node, SDMX_ATTRIBUTE.unitMeasure, UNITS[figure.unit])
    ctx.add(node, IFRCKG.year, Literal(str(ctx.year), datatype=XSD.gYear))
    add_printed(ctx, node, figure)
    add_source(ctx, node, figure.source)
    return node


def money_label(scope: str, channel: str, printed: str) -> str:
    """The label of an amount, with its currency once.

    >>> money_label("Funding allocation", "IFRC-DREF", "CHF 204,222")
    'Funding allocation, IFRC-DREF: CHF 204,222'
    >>> money_label("Total funding requirements", "Federation-wide", "318 M")
    'Total funding requirements, Federation-wide: CHF 318 M'
    """
    amount = printed if printed.upper().startswith("CHF") else f"CHF {printed}"
    return f"{scope}, {channel}: {amount}"


def _statement_label(ctx: ReportContext, code: str) -> str:
    report = ctx.report
    return f"{code} as reported in the {report.country.name} {ctx.year} {report.kind} report"


def add_operation(ctx: ReportContext, op: Operation) -> URIRef:
    code = op.code.text.strip().upper()
    operation = _operation_node(ctx, code, op.name.text, priority=1)
    ctx.add(operation, RDF.type, KIND_CLASSES[op.kind])
    ctx.add(ctx.report_iri, IFRCKG.operation, operation)
    statement = ctx.part("operation", code)
    add_source(ctx, operation, op.source, statement)
    ctx.add(operation, IFRCKG.statement, statement)
    ctx.add(statement, RDF.type, IFRCKG.OperationStatement)
    ctx.add(statement, RDF.type, PROV.Entity)
    ctx.add(statement, RDFS.label, Literal(_statement_label(ctx, code), lang="en"))
    ctx.add(statement, IFRCKG.statementOf, operation)
    ctx.add(statement, IFRCKG.report, ctx.report_iri)
    ctx.add(statement, IFRCKG.year, Literal(str(ctx.year), datatype=XSD.gYear))
    ctx.add(statement, IFRCKG.nameAsPrinted, Literal(op.name.text))
    add_source(ctx, statement, op.source)
    if op.start:
        ctx.add(statement, SCHEMA.startDate, Literal(op.start, datatype=XSD.date))
    if op.end:
        ctx.add(statement, SCHEMA.endDate, Literal(op.end, datatype=XSD.date))
    ctx.add(statement, IFRCKG.durationText, Literal(op.duration.text))
    if op.duration_months is not None:
        months = Literal(op.duration_months, datatype=XSD.integer)
        ctx.add(statement, IFRCKG.durationMonths, months)
    for event in op.events:
        node = ctx.part("operation", code, "event", event.day.isoformat())
        ctx.add(statement, IFRCKG.event, node)
        ctx.add(node, RDF.type, IFRCKG.OperationEvent)
        ctx.add(node, RDF.type, SCHEMA.Event)
        ctx.add(node, RDFS.label, Literal(f"{event.day.isoformat()}: {event.description}", "en"))
        date_property = SCHEMA.endDate if _ENDS.search(event.description) else SCHEMA.startDate
        ctx.add(node, date_property, Literal(event.day, datatype=XSD.date))
        ctx.add(node, SCHEMA.description, Literal(event.description, lang="en"))
        add_source(ctx, node, op.duration.source)  # events are read from the DURATION row
    for figure in op.people_affected:
        node = ctx.part("operation", code, "people-affected", slugify(figure.printed))
        quantity = _quantity(ctx, node, figure, "People affected")
        ctx.add(statement, IFRCKG.peopleAffected, quantity)
    if op.people_affected_text is not None:
        ctx.add(statement, IFRCKG.peopleAffectedText, Literal(op.people_affected_text.text))
    if op.people_targeted is not None:
        node = ctx.part("operation", code, "people-targeted")
        quantity = _quantity(ctx, node, op.people_targeted, "People targeted")
        ctx.add(statement, IFRCKG.peopleTargeted, quantity)
    for funding in op.funding:
        node = ctx.part(
            "operation", code, "funding", slugify(funding.scope), slugify(funding.channel)
        )
        ctx.add(statement, IFRCKG.funding, node)
        ctx.add(node, RDF.type, SCHEMA.MonetaryAmount)
        label = money_label(funding.scope, funding.channel, funding.figure.printed)
        ctx.add(node, RDFS.label, Literal(label, lang="en"))
        if funding.figure.value is not None:
            ctx.add(node, SCHEMA.value, decimal(funding.figure.value))
        ctx.add(node, SCHEMA.currency, Literal("CHF"))
        ctx.add(node, SDMX_ATTRIBUTE.unitMeasure, UNITS[funding.figure.unit])
        scope = concept(ctx, SCOPE, scope_notation(funding.scope), funding.scope)
        channel = concept(ctx, CHANNEL, channel_notation(funding.channel), funding.channel)
        ctx.add(node, IFRCKG.fundingScope, scope)
        ctx.add(node, IFRCKG.fundingChannel, channel)
        ctx.add(node, IFRCKG.printedLabel, Literal(f"{funding.scope}, {funding.channel}"))
        ctx.add(node, IFRCKG.year, Literal(str(ctx.year), datatype=XSD.gYear))
        add_printed(ctx, node, funding.figure)
        add_source(ctx, node, funding.figure.source)
    for document in op.documents:
        node = ctx.part("operation", code, "document", slugify(document.role))
        ctx.add(statement, IFRCKG.document, node)
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
