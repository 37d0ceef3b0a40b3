"""Content negotiation: the Accept header (RFC 9110 §12.5.1) and the ``format`` parameter.

Each response kind offers a list of formats; the client's preferences pick one, ties going
to the server's order (the first offered is the default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One representation: its key (``format=`` value and file suffix), media types."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    suffix: str = ""
    names: tuple[str, ...] = ()

    @property
    def rdf_format(self) -> ox.RdfFormat:
        return RDF_FORMATS[self.key]


RESULTS_JSON = Format(
    "json", "application/sparql-results+json", ("application/json",), "srj", ("srj",)
)
RESULTS_XML = Format(
    "xml", "application/sparql-results+xml", ("application/xml", "text/xml"), "srx", ("srx",)
)
RESULTS_CSV = Format("csv", "text/csv", (), "csv")
RESULTS_TSV = Format("tsv", "text/tab-separated-values", (), "tsv")
HTML = Format("html", "text/html", ("application/xhtml+xml",), "html")

# Turtle is N3's RDF subset, so N3 clients (SPARQLWrapper's N3) get Turtle
TURTLE = Format(
    "turtle",
    "text/turtle",
    ("application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
    "ttl",
    ("ttl", "n3"),
)
JSON_LD = Format(
    "jsonld",
    "application/ld+json",
    ("application/json", "application/x-json+ld"),
    "jsonld",
    ("json-ld", "json"),
)
N_TRIPLES = Format("ntriples", "application/n-triples", ("text/plain",), "nt", ("nt", "n-triples"))
RDF_XML = Format(
    "rdfxml",
    "application/rdf+xml",
    ("application/xml", "text/xml"),
    "rdf",
    ("rdf", "xml", "rdf+xml", "rdf/xml"),
)
TRIG = Format("trig", "application/trig", (), "trig")
N_QUADS = Format("nquads", "application/n-quads", (), "nq", ("nq", "n-quads"))

#: format key → pyoxigraph's serialiser format (the one table: ``results.write_rdf`` reads it)
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}

SOLUTION_FORMATS = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV, HTML)
BOOLEAN_FORMATS = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV, HTML)
GRAPH_FORMATS = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML, TRIG, HTML)
DOCUMENT_FORMATS = (HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
SUFFIXES = {fmt.suffix: fmt for fmt in (HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML, TRIG)}


class NotAcceptable(Exception):
    """No offered format satisfies the client (HTTP 406); lists what is on offer."""

    def __init__(self, offered: Sequence[Format]) -> None:
        self.offered = offered
        types = ", ".join(fmt.media_type for fmt in offered)
        super().__init__(f"none of the acceptable media types is available; offered: {types}")


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their quality, best first (stable for equal q).

    >>> parse_accept("text/html;q=0.9, application/ld+json")
    [('application/ld+json', 1.0), ('text/html', 0.9)]
    >>> parse_accept(None)
    [('*/*', 1.0)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float]] = []
    for part in header.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return sorted(ranges, key=lambda item: -item[1])


def _matches(media_range: str, media_type: str) -> int:
    """How specifically a range matches a type: 3 exact, 2 ``type/*``, 1 ``*/*``, 0 none."""
    if media_range == media_type:
        return 3
    if media_range == "*/*":
        return 1
    if media_range.endswith("/*") and media_type.startswith(media_range[:-1]):
        return 2
    return 0


def negotiate(accept: str | None, offered: Sequence[Format]) -> Format:
    """The offered format the client prefers most (RFC 9110: most specific range decides).

    >>> negotiate("text/turtle", GRAPH_FORMATS).key
    'turtle'
    >>> negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", SOLUTION_FORMATS).key
    'html'
    >>> negotiate(None, SOLUTION_FORMATS).key
    'json'
    """
    ranges = parse_accept(accept)
    best: tuple[float, int, Format] | None = None
    for position, fmt in enumerate(offered):
        quality = 0.0
        specificity = 0
        for media in (fmt.media_type, *fmt.aliases):
            for media_range, q in ranges:
                level = _matches(media_range, media)
                # a wildcard must not pick an alias-only match over the real type
                if level > specificity or (level == specificity and level and q > quality):
                    specificity, quality = level, q
        if quality <= 0 or specificity == 0:
            continue
        rank = (quality, -position)
        if best is None or rank > (best[0], -offered.index(best[2])):
            best = (quality, specificity, fmt)
    if best is None:
        raise NotAcceptable(offered)
    return best[2]


def by_name(name: str, offered: Sequence[Format]) -> Format:
    """The format a ``format=`` parameter names: a key, a short name or a media type.

    >>> by_name("ttl", GRAPH_FORMATS).media_type
    'text/turtle'
    >>> by_name("application/sparql-results+xml", SOLUTION_FORMATS).key
    'xml'
    """
    wanted = name.strip().lower()
    for fmt in offered:
        if wanted in (fmt.key, fmt.suffix, fmt.media_type, *fmt.names):
            return fmt
    for fmt in offered:
        if wanted in fmt.aliases:
            return fmt
    raise NotAcceptable(offered)


def choose(
    accept: str | None, format_param: str | Sequence[str] | None, offered: Sequence[Format]
) -> Format:
    """A ``format`` parameter that names an offered format wins over Accept (as in datasette
    and Fuseki); repeated identical values are one value, and a value that names nothing
    on offer (or values that disagree) leave the choice to the Accept header.

    >>> choose("text/turtle", ["n3", "n3"], GRAPH_FORMATS).key
    'turtle'
    >>> choose("text/csv", "no-such-format", SOLUTION_FORMATS).key
    'csv'
    >>> choose(None, "xml", GRAPH_FORMATS).key
    'rdfxml'
    """
    values = [format_param] if isinstance(format_param, str) else list(format_param or ())
    named: set[Format] = set()
    for value in {value.strip().lower() for value in values if value and value.strip()}:
        try:
            named.add(by_name(value, offered))
        except NotAcceptable:
            continue
    if len(named) == 1:
        return named.pop()
    return negotiate(accept, offered)
