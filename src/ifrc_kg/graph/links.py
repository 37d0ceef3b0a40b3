"""Links from the graph into the identifiers the humanitarian data world already uses.

``add_links`` (called last by ``build_dataset``) fills the named graph
``<base>graph/reference`` with:

- every country of ISO 3166-1 (``/id/country/{iso3}``): ISO alpha-2/alpha-3/numeric and
  UN M49 codes as literals, ``owl:sameAs`` Wikidata, ``skos:exactMatch`` GeoNames;
- every National Society of IFRC GO (``/id/ns/{iso3}``): names with language tags, FDRS
  code, its country's ISO and M49 codes, IFRC GO country record (also on the country), IFRC
  directory page (``foaf:page``), Wikidata and IATI organisation ids where a
  source gives them, so any partner of any report resolves to one shared resource;
- the organisations of the reference table (``/id/org/{key}``);
- the admin-1/admin-2 units (``/id/place/{pcode}``) of the countries of the reports built
  only: the P-code list has 32,767 units, a report names a handful of its own country's;
- the operations of the reports (``/id/operation/{code}``): their IFRC GO API record and,
  for ``MDR`` codes, their IFRC IATI activity identifier.

Narrative mentions are resolved by name and alias (accent- and case-insensitive) with
``Reference.resolve``; a resolved mention gets ``ifrckg:refersTo`` in its report graph
(unless the narrative mapping already gave it one), an unknown or ambiguous name stays
unlinked, is logged as a warning and listed in ``LinksReport.unresolved``.

Countries, societies and organisations are the same for every report: the corpus build
publishes them once (``pipeline.shared_reference_lines``) and gives a report's dataset only
the ones it names (``add_links(..., whole_reference=False)``, ``SharedReference.named_by``).
They are mapped once per process (``shared_reference``), as are a country's places
(``place_triples``): what a worker maps again for every report is the report itself.

IATI activity identifiers: IFRC publishes to IATI as ``XM-DAC-21018`` and a published
activity reads ``XM-DAC-21018-MDRHT008`` (an emergency appeal code; seen in d-portal's
dQuery documentation). Only that form, ``MDR`` codes, is verified, so regional (``MGR``)
and country-plan (``MAA``) codes get none.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ifrc_kg.model import Mention, Report
from ifrc_kg.namespaces import (
    DCTERMS,
    FOAF,
    IFRCKG,
    OA,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    VOID,
    WD,
    bind_prefixes,
)
from ifrc_kg.reference import AdminUnit, Reference, Resolution, load_reference
from ifrc_kg.uris import Iris, report_key

log = logging.getLogger(__name__)

LINKS_FILE = "links.nt"
LINKS_REPORT_FILE = "links-report.txt"
GEONAMES = "https://sws.geonames.org/"
GO_API_APPEAL = "https://goadmin.ifrc.org/api/v2/appeal/?code="
IFRC_IATI_ORG = "XM-DAC-21018"
IATI_VERIFIED_CODE = re.compile(r"^MDR[A-Z]{2}\d{3}$")
OPERATION_CODE = re.compile(r"^[A-Z]{3}[A-Z0-9]{5,}$")

# Terms of the core vocabulary this module uses beyond the mapping's (for ontology/core.ttl).
ISO2 = IFRCKG.iso2Code
ISO3 = IFRCKG.iso3Code
ISO_NUMERIC = IFRCKG.isoNumericCode
M49 = IFRCKG.m49Code
FDRS = IFRCKG.fdrsCode
IATI_ORG = IFRCKG.iatiOrganisationId
IATI_ACTIVITY = IFRCKG.iatiActivityId
GO_RECORD = IFRCKG.ifrcGoRecord
GO_ID = IFRCKG.ifrcGoId
GO_COUNTRY = IFRCKG.ifrcGoCountry
GO_COUNTRY_PAGE = "https://go.ifrc.org/countries/"
PCODE = IFRCKG.pcode
ADMIN_LEVEL = IFRCKG.adminLevel
VALID_FROM = IFRCKG.pcodeValidFrom
IFRC_REGION = IFRCKG.ifrcRegion
REFERS_TO = IFRCKG.refersTo


@dataclass(frozen=True)
class Target:
    """An external dataset the graph links into: one VoID linkset per link predicate."""

    key: str
    title: str
    homepage: str
    uri_space: str
    predicates: tuple[URIRef, ...]


TARGETS = (
    Target("wikidata", "Wikidata", "https://www.wikidata.org/", str(WD), (OWL.sameAs,)),
    Target("geonames", "GeoNames", "https://www.geonames.org/", GEONAMES, (SKOS.exactMatch,)),
    Target(
        "ifrc-go-countries",
        "IFRC GO countries",
        "https://go.ifrc.org/",
        GO_COUNTRY_PAGE,
        (GO_COUNTRY,),
    ),
    Target(
        "ifrc-go",
        "IFRC GO API (appeals)",
        "https://go.ifrc.org/",
        "https://goadmin.ifrc.org/api/v2/",
        (GO_RECORD,),
    ),
    Target(
        "ifrc-directory",
        "IFRC National Societies directory",
        "https://www.ifrc.org/national-societies-directory",
        "https://www.ifrc.org/national-societies-directory/",
        (FOAF.page,),
    ),
)


@dataclass
class LinksReport:
    """What linking did: resolved and unresolved mentions, link counts per target."""

    resolved: list[tuple[str, Mention, Resolution]] = field(default_factory=list)
    unresolved: list[tuple[str, Mention, Resolution]] = field(default_factory=list)
    link_counts: dict[str, int] = field(default_factory=dict)

    def as_text(self) -> str:
        """A readable summary for the build's output (``links-report.txt``)."""
        lines = ["Links to external datasets:"]
        lines += [f"  {target}: {count}" for target, count in sorted(self.link_counts.items())]
        lines.append(f"Mentions resolved: {len(self.resolved)}")
        lines.append(f"Unresolved mentions: {len(self.unresolved)}")
        for report, mention, resolution in self.unresolved:
            where = f"{mention.source.file}:{mention.source.line_start}"
            lines.append(
                f"  {report}: {mention.kind.value} {mention.name!r} at {where}: {resolution.reason}"
            )
        return "\n".join(lines) + "\n"


def reference_graph_iri(iris: Iris) -> URIRef:
    """``<base>graph/reference``, the named graph of countries, societies, places, links."""
    return URIRef(f"{iris.base}graph/reference")


Triple = tuple[Node, Node, Node]


def _iri_literal(url: str) -> Literal:
    return Literal(url, datatype=XSD.anyURI)


# --- the resources ----------------------------------------------------------------------


def add_countries(graph: Graph, iris: Iris, reference: Reference) -> None:
    for record in reference.countries.values():
        country = iris.country(record.iso3)
        graph.add((country, RDF.type, SCHEMA.Country))
        graph.add((country, RDFS.label, Literal(record.name, lang="en")))
        if record.official_name:
            graph.add((country, SCHEMA.legalName, Literal(record.official_name, lang="en")))
        graph.add((country, ISO2, Literal(record.iso2)))
        graph.add((country, ISO3, Literal(record.iso3)))
        graph.add((country, ISO_NUMERIC, Literal(record.numeric)))
        if record.m49:
            graph.add((country, M49, Literal(record.m49)))
        if record.wikidata:
            graph.add((country, OWL.sameAs, WD[record.wikidata]))
        if record.geonames:
            graph.add((country, SKOS.exactMatch, URIRef(f"{GEONAMES}{record.geonames}/")))
        _add_go(graph, country, record.go_id)


def _add_go(graph: Graph, thing: URIRef, go_id: str | None) -> None:
    """IFRC GO's country record: one per country, shared by its National Society."""
    if go_id:
        graph.add((thing, GO_ID, Literal(go_id)))
        graph.add((thing, GO_COUNTRY, URIRef(f"{GO_COUNTRY_PAGE}{go_id}")))


def add_societies(graph: Graph, iris: Iris, reference: Reference) -> None:
    for record in reference.societies.values():
        society = iris.national_society(record.iso3)
        for cls in (IFRCKG.NationalSociety, ORG.FormalOrganization, ORG.Organization, SCHEMA.NGO):
            graph.add((society, RDF.type, cls))
        graph.add((society, RDFS.label, Literal(record.name, lang="en")))
        for lang, name in record.names.items():
            graph.add((society, SKOS.prefLabel, Literal(name, lang=lang)))
        for alias in record.aliases:
            graph.add((society, SKOS.altLabel, Literal(alias, lang="en")))
        graph.add((society, IFRCKG.country, iris.country(record.iso3)))
        if record.fdrs:
            graph.add((society, FDRS, Literal(record.fdrs)))
        _add_go(graph, society, record.go_id)
        country = reference.country(record.iso3)
        if country is not None:  # the society's own codes: one pattern finds it by any
            graph.add((society, ISO3, Literal(country.iso3)))
            graph.add((society, ISO2, Literal(country.iso2)))
            if country.m49:
                graph.add((society, M49, Literal(country.m49)))
        if record.ifrc_region:
            graph.add((society, IFRC_REGION, Literal(record.ifrc_region, lang="en")))
        if record.url_ifrc:
            graph.add((society, FOAF.page, URIRef(record.url_ifrc)))
        if record.society_url:
            graph.add((society, SCHEMA.url, _iri_literal(record.society_url)))
        if record.wikidata:
            graph.add((society, OWL.sameAs, WD[record.wikidata]))
        for iati in record.iati_org_ids:
            graph.add((society, IATI_ORG, Literal(iati)))


def add_organisations(graph: Graph, iris: Iris, reference: Reference) -> None:
    for record in reference.organisations:
        organisation = iris.organisation(record.key)
        graph.add((organisation, RDF.type, ORG.Organization))
        graph.add((organisation, RDF.type, SCHEMA.Organization))
        graph.add((organisation, RDFS.label, Literal(record.name, lang="en")))
        for alias in (record.acronym, *record.aliases):
            if alias:
                graph.add((organisation, SKOS.altLabel, Literal(alias, lang="en")))
        if record.wikidata:
            graph.add((organisation, OWL.sameAs, WD[record.wikidata]))
        if record.iati_org_id:
            graph.add((organisation, IATI_ORG, Literal(record.iati_org_id)))


def add_places(graph: Graph, iris: Iris, units: Iterable[AdminUnit]) -> None:
    """Admin units with P-code, level, parent (``schema:containedInPlace``) and validity.

    A unit the P-code list leaves unnamed (two of Jamaica's) is labelled with its P-code, a
    plain literal: the shapes want a label on every resource, and the code is all the list
    says of it."""
    for unit in units:
        place = iris.place(unit.pcode)
        graph.add((place, RDF.type, SCHEMA.AdministrativeArea))
        label = Literal(unit.name, lang="en") if unit.name else Literal(unit.pcode)
        graph.add((place, RDFS.label, label))
        for alias in unit.aliases:
            graph.add((place, SKOS.altLabel, Literal(alias, lang="en")))
        graph.add((place, PCODE, Literal(unit.pcode)))
        graph.add((place, SCHEMA.identifier, Literal(unit.pcode)))
        graph.add((place, ADMIN_LEVEL, Literal(unit.level)))
        graph.add((place, VALID_FROM, Literal(unit.valid_from, datatype=XSD.date)))
        graph.add((place, IFRCKG.country, iris.country(unit.iso3)))
        parent = (
            iris.country(unit.iso3)
            if unit.parent_pcode == unit.iso3
            else iris.place(unit.parent_pcode)
        )
        graph.add((place, SCHEMA.containedInPlace, parent))


@functools.lru_cache(maxsize=8)
def place_triples(base: str, iso3: str) -> tuple[Triple, ...]:
    """The triples of one country's admin units, mapped once per process: a worker builds
    the reports of a country one after the other (the build's order is country, year)."""
    graph = Graph()
    add_places(graph, Iris(base), load_reference().admin_units_of(iso3))
    return tuple(graph)


@dataclass(frozen=True)
class SharedReference:
    """Countries, National Societies and organisations, mapped: the same for every report."""

    triples: tuple[Triple, ...]
    #: the triples of each resource, by subject
    about: dict[Node, tuple[Triple, ...]]

    def named_by(self, dataset: Dataset) -> list[Triple]:
        """The descriptions of the resources ``dataset`` names (as subject or object, in
        any graph), and of the resources those name in turn (a society's country).

        This is what a report's validation looks at: a shape reaches a resource from the
        report (``sh:class`` of a partner, a society's country) and reads its description;
        the others are validated alone, once per build (``publish._checked_reference``).
        """
        named = [
            node
            for node in self.about
            if any(True for _ in dataset.quads((node, None, None, None)))
            or any(True for _ in dataset.quads((None, None, node, None)))
        ]
        seen: set[Node] = set()
        found: list[Triple] = []
        while named:
            node = named.pop()
            if node in seen:
                continue
            seen.add(node)
            for triple in self.about[node]:
                found.append(triple)
                if triple[2] in self.about:
                    named.append(triple[2])
        return found


@functools.lru_cache(maxsize=4)
def shared_reference(base: str) -> SharedReference:
    """Every country, society and organisation of the reference tables, mapped once per
    process (and base)."""
    iris, reference = Iris(base), load_reference()
    graph = Graph()
    add_countries(graph, iris, reference)
    add_societies(graph, iris, reference)
    add_organisations(graph, iris, reference)
    about: dict[Node, list[Triple]] = {}
    for triple in graph:
        about.setdefault(triple[0], []).append(triple)
    return SharedReference(tuple(graph), {node: tuple(ts) for node, ts in about.items()})


def iati_activity_id(code: str) -> str | None:
    """IFRC's IATI activity identifier for an operation code, where the form is verified.

    >>> iati_activity_id("MDRML018")
    'XM-DAC-21018-MDRML018'
    >>> iati_activity_id("MGR60001") is None
    True
    """
    return f"{IFRC_IATI_ORG}-{code}" if IATI_VERIFIED_CODE.match(code) else None


def operation_codes(report: Report) -> list[str]:
    """The IFRC operation codes a report names: operation tables and ongoing emergencies."""
    codes = [operation.code.text.strip().upper() for operation in report.operations]
    codes += [emergency.code.strip().upper() for emergency in report.ongoing_emergencies]
    return [code for code in dict.fromkeys(codes) if OPERATION_CODE.match(code)]


def add_operations(graph: Graph, iris: Iris, reports: Sequence[Report]) -> None:
    for code in sorted({code for report in reports for code in operation_codes(report)}):
        operation = iris.operation(code)
        graph.add((operation, RDF.type, IFRCKG.Operation))
        graph.add((operation, GO_RECORD, URIRef(f"{GO_API_APPEAL}{code}")))
        activity = iati_activity_id(code)
        if activity:
            graph.add((operation, IATI_ACTIVITY, Literal(activity)))


# --- entity linking -----------------------------------------------------------------------


def resource_of(resolution: Resolution, iris: Iris) -> URIRef | None:
    """The IRI a resolution names (society, organisation or place)."""
    if resolution.key is None:
        return None
    if resolution.kind.value == "national-society":
        return iris.national_society(resolution.key)
    if resolution.kind.value == "place":
        return iris.place(resolution.key)
    return iris.organisation(resolution.key)


def _mention_nodes(graph: Graph) -> dict[tuple[int, int], list[URIRef]]:
    """Mention nodes of a report graph keyed by their text position (start, end).

    Walked triple by triple: rdflib's SPARQL joins this four-pattern path slowly (seconds
    per report), a direct walk takes milliseconds.
    """
    nodes: dict[tuple[int, int], list[URIRef]] = {}
    for mention in graph.subjects(RDF.type, IFRCKG.Mention):
        for source in graph.objects(mention, PROV.wasDerivedFrom):
            for selector in graph.objects(source, OA.hasSelector):
                start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
                if start is not None and end is not None:
                    nodes.setdefault((int(start), int(end)), []).append(mention)
    return nodes


def resolve_mentions(
    reports: Sequence[Report], reference: Reference, warn: bool = True
) -> LinksReport:
    """Resolve every narrative mention of the reports; unknown names are logged once each
    (``warn``: the build's warning, not repeated when the links report is written)."""
    outcome = LinksReport()
    for report in reports:
        iso3 = report.country.iso3
        label = f"{iso3.lower()}/{report_key(report.year, report.kind)}"
        warned: set[str] = set()
        for mention in report.mentions:
            resolution = reference.resolve(mention, iso3)
            if resolution.key is not None:
                outcome.resolved.append((label, mention, resolution))
                continue
            outcome.unresolved.append((label, mention, resolution))
            if warn and mention.name not in warned:
                warned.add(mention.name)
                log.warning(
                    "%s:%d: %s %r left unlinked: %s",
                    mention.source.file,
                    mention.source.line_start,
                    mention.kind.value,
                    mention.name,
                    resolution.reason,
                )
    return outcome


def link_mentions(
    dataset: Dataset, reports: Sequence[Report], iris: Iris, reference: Reference
) -> LinksReport:
    """Resolve every narrative mention; link the mention nodes the mapping did not link."""
    outcome = resolve_mentions(reports, reference)
    graphs = {}
    for r in reports:
        key = report_key(r.year, r.kind)
        graphs[f"{r.country.iso3.lower()}/{key}"] = dataset.graph(iris.graph(r.country.iso3, key))
    nodes_of = {label: _mention_nodes(graph) for label, graph in graphs.items()}
    for label, mention, resolution in outcome.resolved:
        resource = resource_of(resolution, iris)
        graph = graphs[label]
        for node in nodes_of[label].get((mention.source.start, mention.source.end), ()):
            if (node, REFERS_TO, None) not in graph:
                graph.add((node, REFERS_TO, resource))
    return outcome


# --- entry points ---------------------------------------------------------------------------


def add_links(
    dataset: Dataset, reports: Sequence[Report], iris: Iris, whole_reference: bool = True
) -> LinksReport:
    """Fill ``<base>graph/reference`` and link the reports' mentions; see the module doc.

    ``whole_reference=False`` (the corpus build) writes only the countries, societies and
    organisations the dataset names: the build publishes them all once.
    """
    reference = load_reference()
    graph = dataset.graph(reference_graph_iri(iris))
    bind_prefixes(graph)
    shared = shared_reference(iris.base)
    if whole_reference:
        graph.addN((s, p, o, graph) for s, p, o in shared.triples)
    countries = sorted({report.country.iso3.upper() for report in reports})
    for iso3 in countries:
        graph.addN((s, p, o, graph) for s, p, o in place_triples(iris.base, iso3))
    add_operations(graph, iris, reports)
    outcome = link_mentions(dataset, reports, iris, reference)
    if whole_reference:  # counted over a whole graph only: a report's part names a few
        outcome.link_counts = _link_counts(dataset, iris)
    else:
        graph.addN((s, p, o, graph) for s, p, o in shared.named_by(dataset))
    log.info(
        "links: %d external links, %d mentions resolved, %d unresolved",
        sum(outcome.link_counts.values()),  # 0 for a report's part: not counted
        len(outcome.resolved),
        len(outcome.unresolved),
    )
    return outcome


def _target_of(predicate: URIRef, obj: URIRef) -> Target | None:
    for target in TARGETS:
        if predicate in target.predicates and str(obj).startswith(target.uri_space):
            return target
    return None


def link_triples(dataset: Dataset, iris: Iris | None = None) -> list[tuple[URIRef, URIRef, URIRef]]:
    """Every triple linking to an external dataset, from any graph, sorted (for links.nt).

    Publish writes them with ``write_links_nt``; what counts as a link is a triple whose
    predicate is one of a target's link predicates and whose object is in its URI space
    (and, given ``iris``, whose subject is one of ours).
    """
    triples = set()
    predicates = {predicate for target in TARGETS for predicate in target.predicates}
    for predicate in predicates:
        for subject, _, obj, _ in dataset.quads((None, predicate, None, None)):
            if iris is not None and not str(subject).startswith(iris.base):
                continue
            if isinstance(obj, URIRef) and _target_of(predicate, obj) is not None:
                triples.add((subject, predicate, obj))
    return sorted(triples)


def write_links_nt(dataset: Dataset, path: Path, iris: Iris | None = None) -> int:
    """Write ``links.nt`` (sorted N-Triples, one link a line); returns the link count."""
    triples = link_triples(dataset, iris)
    lines = [f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples]
    path.write_text("".join(lines), encoding="utf-8")
    return len(triples)


def _count_links(dataset: Dataset, iris: Iris) -> Counter[tuple[Target, URIRef]]:
    counts: Counter[tuple[Target, URIRef]] = Counter()
    for _, predicate, obj in link_triples(dataset, iris):
        target = _target_of(predicate, obj)
        if target is not None:
            counts[(target, predicate)] += 1
    return counts


def _link_counts(dataset: Dataset, iris: Iris) -> dict[str, int]:
    names = Graph()
    bind_prefixes(names)
    return {
        f"{target.key} {predicate.n3(names.namespace_manager)}": count
        for (target, predicate), count in _count_links(dataset, iris).items()
    }


def links_report(dataset: Dataset, reports: Sequence[Report], iris: Iris) -> LinksReport:
    """What linking did for a built dataset: mention resolutions and link counts."""
    outcome = resolve_mentions(reports, load_reference(), warn=False)
    outcome.link_counts = _link_counts(dataset, iris)
    return outcome


def publish_links(
    dataset: Dataset, reports: Sequence[Report], iris: Iris, directory: Path
) -> Graph:
    """For the build: write ``links.nt`` and ``links-report.txt`` into ``directory`` and
    return the VoID linksets to merge into ``void.ttl``."""
    write_links_nt(dataset, directory / LINKS_FILE, iris)
    report = links_report(dataset, reports, iris)
    (directory / LINKS_REPORT_FILE).write_text(report.as_text(), encoding="utf-8")
    return linksets(dataset, iris)


def linksets(dataset: Dataset, iris: Iris) -> Graph:
    """VoID: one ``void:Linkset`` per target dataset and link predicate, with its count.

    Linksets and targets are hash IRIs of the catalogue (``<base>id/dataset#linkset-…``),
    dependent nodes of the dataset description that publish merges into ``void.ttl``.
    """
    graph = Graph()
    bind_prefixes(graph)
    catalog = iris.catalog()
    counts = _count_links(dataset, iris)
    for target in TARGETS:
        target_iri = URIRef(f"{catalog}#target-{target.key}")
        if not any(t is target for t, _ in counts):
            continue
        graph.add((target_iri, RDF.type, VOID.Dataset))
        graph.add((target_iri, DCTERMS.title, Literal(target.title, lang="en")))
        graph.add((target_iri, FOAF.homepage, URIRef(target.homepage)))
        graph.add((target_iri, VOID.uriSpace, Literal(target.uri_space)))
        for predicate in target.predicates:
            count = counts.get((target, predicate), 0)
            if not count:
                continue
            local = predicate.n3(graph.namespace_manager).replace(":", "-")
            linkset = URIRef(f"{catalog}#linkset-{target.key}-{local}")
            graph.add((linkset, RDF.type, VOID.Linkset))
            graph.add((linkset, DCTERMS.title, Literal(f"Links to {target.title}", lang="en")))
            graph.add((linkset, VOID.subjectsTarget, catalog))
            graph.add((linkset, VOID.objectsTarget, target_iri))
            graph.add((linkset, VOID.target, catalog))
            graph.add((linkset, VOID.target, target_iri))
            graph.add((linkset, VOID.linkPredicate, predicate))
            graph.add((linkset, VOID.triples, Literal(count)))
            graph.add((catalog, VOID.subset, linkset))
    return graph
