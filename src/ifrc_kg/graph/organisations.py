"""Countries, National Societies, other organisations, places and contact points.

Names printed in a report are resolved against the reference tables
(``ifrc_kg.reference``): a society name becomes ``/id/ns/{iso3}``, a known organisation
``/id/org/{key}``, a place ``/id/place/{pcode}``. A society name the tables do not know is
logged as a warning and gets a slug IRI under ``/id/org/`` so the fact is kept. Each
report graph types and labels every resource it points at, so it validates on its own;
external identifiers are added to the reference graph by ``graph.links``.
"""

from __future__ import annotations

import logging

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ifrc_kg.graph.provenance import ReportContext, add_source
from ifrc_kg.model import Contact, Mention, MentionKind
from ifrc_kg.namespaces import IFRCKG, ORG, OWL, RDF, RDFS, SCHEMA, TIME
from ifrc_kg.reference import load_reference
from ifrc_kg.uris import short_hash

#: Calendar years as published intervals (reference.data.gov.uk, "interval" vocabulary).
YEAR_INTERVALS = "http://reference.data.gov.uk/id/year/"

log = logging.getLogger(__name__)


def add_country(ctx: ReportContext, iso3: str) -> URIRef:
    """A country, labelled with its reference name (the report's own print for its country)."""
    country = ctx.iris.country(iso3)
    record = load_reference().country(iso3)
    ctx.add(country, RDF.type, SCHEMA.Country)
    if record:
        ctx.add(country, RDFS.label, Literal(record.name, lang="en"))
    elif iso3.upper() == ctx.iso3.upper():
        ctx.print_label(country, ctx.report.country.name, priority=1)
    else:  # only its code is known here: a fallback, beaten by any report's print
        ctx.print_label(country, iso3.upper(), priority=0, printed=False)
    ctx.add(country, IFRCKG.iso3Code, Literal(iso3.upper()))
    return country


def add_society(ctx: ReportContext, iso3: str, printed: str | None = None) -> URIRef:
    """A National Society resource, labelled with its reference name (or as printed)."""
    society = ctx.iris.national_society(iso3)
    record = load_reference().society(iso3)
    for cls in (IFRCKG.NationalSociety, ORG.FormalOrganization, ORG.Organization, SCHEMA.NGO):
        ctx.add(society, RDF.type, cls)
    if record:
        ctx.add(society, RDFS.label, Literal(record.name, lang="en"))
    else:
        ctx.print_label(
            society, printed or iso3, priority=1 if printed else 0, printed=bool(printed)
        )
    ctx.add(society, IFRCKG.country, add_country(ctx, iso3))
    return society


def add_host(ctx: ReportContext) -> URIRef:
    """The country and host National Society of the report."""
    add_country(ctx, ctx.iso3)
    return add_society(ctx, ctx.iso3, ctx.report.national_society.text)


def add_period(ctx: ReportContext) -> URIRef:
    """The reporting period (a year, or the months of a mid-year report) as an OWL-Time
    interval with dated beginning and end."""
    period = ctx.period_iri
    first_day, last_day = ctx.report.period_start, ctx.report.period_end
    label = str(ctx.year) if period.endswith(f"/{ctx.year}") else f"{first_day} to {last_day}"
    begin, end = URIRef(f"{period}#beginning"), URIRef(f"{period}#end")
    ctx.add(period, RDF.type, TIME.ProperInterval)
    ctx.add(period, RDFS.label, Literal(label, lang="en"))
    ctx.add(period, IFRCKG.year, Literal(str(ctx.year), datatype=XSD.gYear))
    if period.endswith(f"/{ctx.year}"):
        # the same calendar year in a published interval vocabulary (data.gov.uk intervals)
        ctx.add(period, OWL.sameAs, URIRef(f"{YEAR_INTERVALS}{ctx.year}"))
    ctx.add(period, TIME.hasBeginning, begin)
    ctx.add(period, TIME.hasEnd, end)
    ctx.add(begin, RDF.type, TIME.Instant)
    ctx.add(end, RDF.type, TIME.Instant)
    ctx.add(begin, TIME.inXSDDate, Literal(first_day, datatype=XSD.date))
    ctx.add(end, TIME.inXSDDate, Literal(last_day, datatype=XSD.date))
    return period


def partner(ctx: ReportContext, name: str) -> URIRef:
    """A partner named in the supported-activities matrix: its National Society if known."""
    record = load_reference().society_by_name(name)
    if record is not None:
        return add_society(ctx, record.iso3, name)
    log.warning(
        "%s: partner %r is not a National Society of the reference tables; kept as organisation %s",
        ctx.report.source_file,
        name,
        ctx.iris.organisation(name),
    )
    return add_organisation(ctx, name, name, from_reference=False)


def _label(ctx: ReportContext, iri: URIRef, name: str, from_reference: bool) -> None:
    """A reference name is the label; a printed one is a candidate (``graph.labels``)."""
    if from_reference:
        ctx.add(iri, RDFS.label, Literal(name, lang="en"))
    else:
        ctx.print_label(iri, name)


def add_organisation(
    ctx: ReportContext, key: str, label: str, from_reference: bool = True
) -> URIRef:
    organisation = ctx.iris.organisation(key)
    ctx.add(organisation, RDF.type, ORG.Organization)
    ctx.add(organisation, RDF.type, SCHEMA.Organization)
    _label(ctx, organisation, label, from_reference)
    return organisation


def add_place(ctx: ReportContext, pcode: str, name: str, from_reference: bool = True) -> URIRef:
    place = ctx.iris.place(pcode)
    ctx.add(place, RDF.type, SCHEMA.AdministrativeArea)
    _label(ctx, place, name, from_reference)
    ctx.add(place, SCHEMA.identifier, Literal(pcode.upper()))
    return place


def resolve_organisation(ctx: ReportContext, name: str) -> URIRef | None:
    """A society or organisation named in free text, or ``None`` when unknown."""
    record = load_reference().society_by_name(name)
    if record is not None:
        return add_society(ctx, record.iso3, name)
    organisation = load_reference().organisation_by_name(name)
    if organisation is not None:
        return add_organisation(ctx, organisation.key, organisation.name)
    return None


def resolve_mention(ctx: ReportContext, mention: Mention) -> URIRef | None:
    """The resource a narrative mention names, by the reference's one set of rules (the
    links report uses the same): unknown or ambiguous names stay unlinked, never guessed."""
    resolution = load_reference().resolve(mention, ctx.iso3)
    if resolution.key is None:
        return None
    if resolution.kind is MentionKind.PLACE:
        unit = load_reference().place(resolution.key)
        if unit is not None:
            return add_place(ctx, resolution.key, unit.name)
        return add_place(ctx, resolution.key, mention.name, from_reference=False)
    if resolution.kind is MentionKind.NATIONAL_SOCIETY:
        return add_society(ctx, resolution.key, mention.name)
    organisation = load_reference().organisation(resolution.key)
    if organisation is not None:
        return add_organisation(ctx, resolution.key, organisation.name)
    return add_organisation(ctx, resolution.key, mention.name, from_reference=False)


def add_contacts(ctx: ReportContext, include_personal: bool) -> None:
    """Contacts as ``schema:ContactPoint`` of the report, keyed by role and organisation so
    the IRI never carries a person's name; personal details only when asked for."""
    for contact in ctx.report.contacts:
        add_contact(ctx, contact, include_personal)


def add_contact(ctx: ReportContext, contact: Contact, include_personal: bool) -> URIRef:
    point = ctx.part("contact", short_hash(contact.role, contact.organisation))
    ctx.add(ctx.report_iri, SCHEMA.contactPoint, point)
    ctx.add(point, RDF.type, SCHEMA.ContactPoint)
    ctx.add(point, RDFS.label, Literal(f"{contact.role}, {contact.organisation}", lang="en"))
    ctx.add(point, SCHEMA.contactType, Literal(contact.role, lang="en"))
    ctx.add(point, IFRCKG.organisationName, Literal(contact.organisation))
    organisation = resolve_organisation(ctx, contact.organisation)
    if organisation is not None:
        ctx.add(point, IFRCKG.organisation, organisation)
    if contact.url:
        ctx.add(point, SCHEMA.url, Literal(contact.url, datatype=XSD.anyURI))
    if include_personal:
        ctx.add(point, SCHEMA.name, Literal(contact.name))
        if contact.phone:
            ctx.add(point, SCHEMA.telephone, Literal(contact.phone))
        if contact.email:
            ctx.add(point, SCHEMA.email, Literal(contact.email))
        add_source(ctx, point, contact.source)
    return point
