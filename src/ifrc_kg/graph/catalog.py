"""The dataset description published as ``void.ttl``: VoID + DCAT 3 + dcterms.

One ``dcat:Catalog`` (DCAT 3 makes a catalog a dataset too, so it also carries the
VoID statistics and the distributions of the whole graph), one ``dcat:Dataset`` per
report (its named graph: triple count, period, country, the cubes it holds), a
``dcat:DataService`` for the SPARQL endpoint, and one ``dcat:Distribution`` per dump
file with its download URL, IANA media type, size and SHA-256 checksum (SPDX terms, as
DCAT 3 §6.8 recommends). No blank nodes: every node has an IRI, so the description is
as deterministic as the data.

Licences: the reports are the IFRC's; their text states no open licence, so the
datasets carry a rights statement saying so rather than a licence we cannot vouch for;
the software that built them (and serves the endpoint) is MIT.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, VOID, XSD

from ifrc_kg.namespaces import DCAT, PREFIXES, SD, SPDX, bind_prefixes
from ifrc_kg.uris import Iris

IANA = "https://www.iana.org/assignments/media-types/"
GZIP = URIRef(IANA + "application/gzip")
MIT = URIRef("https://spdx.org/licenses/MIT")
FORMATS = URIRef("http://www.w3.org/ns/formats/")

#: Dump extension → (IANA media type, W3C format IRI for void:feature).
DUMP_TYPES = {
    ".ttl": ("text/turtle", "Turtle"),
    ".nt": ("application/n-triples", "N-Triples"),
    ".jsonld": ("application/ld+json", "JSON-LD"),
    ".trig": ("application/trig", "TriG"),
    ".nq": ("application/n-quads", "N-Quads"),
}

REPORT_RIGHTS = (
    "The figures and quoted text come from IFRC network annual reports, published by the "
    "International Federation of Red Cross and Red Crescent Societies (IFRC), which holds "
    "their copyright. The reports state no open licence; re-use of their content follows "
    "the IFRC's terms. The graph structure, identifiers, ontology and software of ifrc-kg "
    "are MIT-licensed."
)


@dataclass(frozen=True)
class FileEntry:
    """One published file: path relative to the build directory, size, checksum, type."""

    path: str
    bytes: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class ReportEntry:
    """What the catalog says about one report's named graph."""

    iri: str
    graph: str
    country: str
    iso3: str
    year: int
    title: str
    file: str
    published: date | None
    period_start: date
    period_end: date
    triples: int
    cubes: tuple[str, ...]
    key: str = ""
    """The report's key in IRIs ("2023", "2024-mid-year"); the year when empty."""
    kind: str = "annual"
    lines: int = 0
    """Non-blank lines of the report, and how many of them the model holds."""
    lines_read: int = 0


def report_dataset_iri(iris: Iris, iso3: str, year: int | str) -> URIRef:
    """The DCAT dataset of one report: the parent of its Data Cube data sets."""
    return URIRef(f"{iris.catalog()}/{iso3.lower()}/{year}")


@dataclass(frozen=True)
class GraphStats:
    """The VoID counts of a graph: triples, IRI subjects, class and property partitions.

    The corpus build counts them while streaming the sorted union (``assemble.py``) instead
    of holding the union in memory; :func:`graph_stats` counts an in-memory graph.
    """

    triples: int
    entities: int
    classes: Counter[URIRef]
    properties: Counter[URIRef]


def graph_stats(graph: Graph) -> GraphStats:
    classes, properties = partitions(graph)
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    return GraphStats(len(graph), len(subjects), classes, properties)


def partitions(graph: Graph) -> tuple[Counter[URIRef], Counter[URIRef]]:
    """Class partition sizes (distinct instances) and property partition sizes (triples)."""
    classes: Counter[URIRef] = Counter()
    properties: Counter[URIRef] = Counter()
    for _s, p, o in graph:
        properties[p] += 1
        if p == RDF.type and isinstance(o, URIRef):
            classes[o] += 1
    return classes, properties


def vocabularies(terms: Sequence[URIRef]) -> list[URIRef]:
    """The known namespaces the given classes and properties come from.

    >>> vocabularies([URIRef("http://purl.org/linked-data/cube#Observation")])
    [rdflib.term.URIRef('http://purl.org/linked-data/cube#')]
    """
    namespaces = {str(ns) for ns in PREFIXES.values()}
    found = set()
    for term in terms:
        for namespace in namespaces:
            if str(term).startswith(namespace):
                found.add(namespace)
    return [URIRef(ns) for ns in sorted(found)]


def _slug(term: URIRef) -> str:
    from ifrc_kg.uris import short_hash

    local = str(term).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return f"{''.join(ch if ch.isalnum() else '-' for ch in local)}-{short_hash(str(term))[:6]}"


def describe_catalog(
    *,
    base: str,
    union: Graph | GraphStats,
    reports: Sequence[ReportEntry],
    files: Sequence[FileEntry],
    built: datetime,
    version: str,
    shapes_iri: URIRef | None = None,
) -> Graph:
    """The VoID + DCAT 3 description of a build."""
    iris = Iris(base)
    graph = Graph()
    bind_prefixes(graph)
    catalog = iris.catalog()
    service = URIRef(f"{base}id/service/sparql")
    endpoint = URIRef(f"{base}sparql")
    ifrc = iris.organisation("ifrc")
    # "Z", as written (rdflib would normalise it to "+00:00", which the store turns back into
    # "Z": the endpoint would answer another literal than void.ttl states)
    built_literal = Literal(
        built.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime, normalize=False
    )
    rights = URIRef(f"{catalog}#rights")

    add = graph.add
    for cls in (DCAT.Catalog, DCAT.Dataset, VOID.Dataset):
        add((catalog, RDF.type, cls))
    add((catalog, DCTERMS.title, Literal("IFRC network annual reports as linked data", lang="en")))
    add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Every figure, operation and narrative claim of IFRC network annual reports, "
                "as W3C Data Cube observations with the exact source quote of each.",
                lang="en",
            ),
        )
    )
    add((catalog, DCTERMS.issued, built_literal))
    add((catalog, DCTERMS.modified, built_literal))
    add((catalog, DCAT.version, Literal(version)))
    add((catalog, DCTERMS.publisher, ifrc))
    add((catalog, DCTERMS.rights, rights))
    add((rights, RDF.type, DCTERMS.RightsStatement))
    add((rights, RDFS.label, Literal(REPORT_RIGHTS, lang="en")))
    add((catalog, DCAT.keyword, Literal("humanitarian", lang="en")))
    add((catalog, DCAT.keyword, Literal("Red Cross Red Crescent", lang="en")))
    add((catalog, DCAT.keyword, Literal("statistics", lang="en")))
    add((catalog, DCAT.landingPage, URIRef(base)))
    add((catalog, DCAT.service, service))
    add((catalog, DCTERMS.conformsTo, URIRef("http://purl.org/linked-data/cube")))
    if shapes_iri is not None:
        add((catalog, DCTERMS.conformsTo, shapes_iri))
    add((catalog, VOID.sparqlEndpoint, endpoint))
    add((catalog, VOID.uriSpace, Literal(f"{base}id/")))
    stats = union if isinstance(union, GraphStats) else graph_stats(union)
    add((catalog, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    add((catalog, VOID.entities, Literal(stats.entities, datatype=XSD.integer)))
    classes, properties = stats.classes, stats.properties
    add((catalog, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    add((catalog, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    for vocabulary in vocabularies([*classes, *properties]):
        add((catalog, VOID.vocabulary, vocabulary))
    for cls, count in sorted(classes.items()):
        partition = URIRef(f"{catalog}#class-{_slug(cls)}")
        add((catalog, VOID.classPartition, partition))
        add((partition, RDF.type, VOID.Dataset))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for prop, count in sorted(properties.items()):
        partition = URIRef(f"{catalog}#property-{_slug(prop)}")
        add((catalog, VOID.propertyPartition, partition))
        add((partition, RDF.type, VOID.Dataset))
        add((partition, VOID.property, prop))
        add((partition, VOID.triples, Literal(count, datatype=XSD.integer)))

    # the SPARQL endpoint ---------------------------------------------------------------
    add((service, RDF.type, DCAT.DataService))
    add((service, RDF.type, SD.Service))
    add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    add((service, DCAT.endpointURL, endpoint))
    add((service, SD.endpoint, endpoint))
    add((service, SD.supportedLanguage, SD.SPARQL11Query))
    add((service, DCAT.servesDataset, catalog))
    add((service, DCTERMS.license, MIT))

    # one dataset per report --------------------------------------------------------------
    first_report = True
    for entry in reports:
        dataset = report_dataset_iri(iris, entry.iso3, entry.key or entry.year)
        add((catalog, DCAT.dataset, dataset))
        add((catalog, VOID.subset, dataset))
        if first_report:
            add((catalog, VOID.exampleResource, URIRef(entry.iri)))
            first_report = False
        for cls in (DCAT.Dataset, VOID.Dataset):
            add((dataset, RDF.type, cls))
        add((dataset, DCTERMS.title, Literal(entry.title, lang="en")))
        add((dataset, DCTERMS.source, URIRef(entry.iri)))
        add((dataset, FOAF.primaryTopic, URIRef(entry.iri)))
        named_graph = URIRef(f"{dataset}#graph")
        add((dataset, SD.namedGraph, named_graph))
        add((named_graph, RDF.type, SD.NamedGraph))
        add((named_graph, SD.name, URIRef(entry.graph)))
        add((dataset, DCTERMS.isPartOf, catalog))
        add((dataset, DCTERMS.publisher, ifrc))
        add((dataset, DCTERMS.rights, rights))
        add((dataset, DCTERMS.spatial, iris.country(entry.iso3)))
        add((dataset, DCAT.keyword, Literal(entry.country, lang="en")))
        if entry.published is not None:
            add((dataset, DCTERMS.issued, Literal(entry.published, datatype=XSD.date)))
        add((dataset, DCTERMS.modified, built_literal))
        period = URIRef(f"{dataset}#period")
        add((dataset, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        add((period, DCAT.startDate, Literal(entry.period_start, datatype=XSD.date)))
        add((period, DCAT.endDate, Literal(entry.period_end, datatype=XSD.date)))
        add((dataset, VOID.triples, Literal(entry.triples, datatype=XSD.integer)))
        add((dataset, VOID.sparqlEndpoint, endpoint))
        add((dataset, PROV.wasDerivedFrom, URIRef(entry.iri)))
        for cube in entry.cubes:
            add((dataset, DCTERMS.hasPart, URIRef(cube)))
        add((service, DCAT.servesDataset, dataset))

    # one distribution per dump -------------------------------------------------------------
    for file in files:
        media = dump_media_type(file.path)
        if media is None:
            continue
        media_type, format_name, compressed = media
        distribution = URIRef(f"{base}id/distribution/{file.path}")
        download = URIRef(f"{base}dumps/{file.path}")
        add((catalog, DCAT.distribution, distribution))
        add((catalog, VOID.dataDump, download))
        add((catalog, VOID.feature, URIRef(f"{FORMATS}{format_name}")))
        add((distribution, RDF.type, DCAT.Distribution))
        title = f"Whole graph as {format_name}" + (" (gzip)" if compressed else "")
        add((distribution, DCTERMS.title, Literal(title, lang="en")))
        add((distribution, DCAT.downloadURL, download))
        add((distribution, DCAT.accessURL, download))
        add((distribution, DCAT.mediaType, URIRef(IANA + media_type)))
        if compressed:
            add((distribution, DCAT.compressFormat, GZIP))
        # xsd:integer, not DCAT's suggested xsd:nonNegativeInteger (the same value): Oxigraph
        # stores every type derived from xsd:integer as xsd:integer, so the endpoint would
        # answer another literal than the dumps state
        add((distribution, DCAT.byteSize, Literal(file.bytes, datatype=XSD.integer)))
        add((distribution, DCTERMS.issued, built_literal))
        add((distribution, DCTERMS.rights, rights))
        checksum = URIRef(f"{distribution}#sha256")
        add((distribution, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
    return graph


def dump_media_type(path: str) -> tuple[str, str, bool] | None:
    """(IANA media type, W3C format name, gzipped) of a dump file, ``None`` for other files.

    >>> dump_media_type("graph.ttl.gz")
    ('text/turtle', 'Turtle', True)
    >>> dump_media_type("void.ttl") is None
    True
    """
    name = path.rsplit("/", 1)[-1]
    if not name.startswith("graph."):
        return None
    compressed = name.endswith(".gz")
    ext = "." + name.removesuffix(".gz").rsplit(".", 1)[-1]
    if ext not in DUMP_TYPES:
        return None
    media_type, format_name = DUMP_TYPES[ext]
    return media_type, format_name, compressed
