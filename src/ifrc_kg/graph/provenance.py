"""Where every value came from: the report text as a PROV entity and Web Annotation selectors.

A figure, claim or mention ``<x>`` gets ``prov:wasDerivedFrom <x#source>``, an
``oa:SpecificResource`` of the report text with a ``TextQuoteSelector`` (the exact quote,
and up to 32 characters of prefix/suffix when the text file is at hand) and a
``TextPositionSelector`` (0-based code points, end exclusive: Python slicing), plus the
1-based line span. Hash IRIs keep these dependent nodes blank-node free.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from ifrc_kg.graph.labels import PrintedName
from ifrc_kg.model import Figure, Report, SourceSpan
from ifrc_kg.namespaces import DCTERMS, IFRCKG, OA, PROV, RDF, RDFS, SCHEMA
from ifrc_kg.uris import Iris, period_key, report_key

log = logging.getLogger(__name__)

CONTEXT_CHARS = 32


@dataclass
class ReportContext:
    """What every mapping module needs while it writes the triples of one report.

    The report's key and IRIs are computed once (every source node names the text).
    """

    graph: Graph
    iris: Iris
    report: Report
    text: str | None
    used: set[URIRef] = field(default_factory=set)
    #: names this report prints for shared resources: the build chooses labels from them
    printed: list[PrintedName] = field(default_factory=list)

    @property
    def iso3(self) -> str:
        return self.report.country.iso3

    @property
    def year(self) -> int:
        return self.report.year

    @functools.cached_property
    def key(self) -> str:
        """The report's key in IRIs: "2023", or "2024-mid-year" for a mid-year report."""
        return report_key(self.report.year, self.report.kind)

    @functools.cached_property
    def period_iri(self) -> URIRef:
        return self.iris.period(period_key(self.report.period_start, self.report.period_end))

    @functools.cached_property
    def report_iri(self) -> URIRef:
        return self.iris.report(self.iso3, self.key)

    @functools.cached_property
    def text_iri(self) -> URIRef:
        return self.iris.report_part(self.iso3, self.key, "text")

    def part(self, *keys: str) -> URIRef:
        """A report part IRI, made unique with ``-2``, ``-3``… when the keys repeat (two
        sections with the same title under the same heading): order decides only then."""
        return self.unique(self.iris.report_part(self.iso3, self.key, *keys))

    def unique(self, iri: URIRef) -> URIRef:
        """``iri``, or ``iri-2``, ``iri-3``… when it is already taken in this report."""
        candidate, n = iri, 1
        while candidate in self.used:
            n += 1
            candidate = URIRef(f"{iri}-{n}")
        self.used.add(candidate)
        return candidate

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def print_label(
        self, iri: URIRef, text: str, priority: int = 0, named: bool = False, printed: bool = True
    ) -> None:
        """A shared resource's name from this report: kept as ``ifrckg:nameAsPrinted`` in the
        report graph (unless it is a fallback, ``printed=False``) and offered as its label;
        the build chooses one label across reports (``graph.labels``)."""
        if printed:
            self.add(iri, IFRCKG.nameAsPrinted, Literal(text))
        end = self.report.period_end.isoformat()
        name = PrintedName(str(iri), "en", priority, end, str(self.report_iri), text, named)
        self.printed.append(name)


def read_text(report: Report, report_dir: Path | None = None) -> str | None:
    """The report text as parsed (no BOM, LF line breaks: the offsets index it), when its
    file can be found and still has the parsed SHA-256 (for quote prefix/suffix); ``None``
    otherwise, and quotes go without context."""
    from ifrc_kg.report import normalise_text

    name = Path(report.source_file)
    candidates = [report_dir / name.name] if report_dir else []
    candidates.append(name)
    for path in candidates:
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        try:
            text = normalise_text(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            continue
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == report.sha256:
            return text
    log.info("text of %s not found: quotes get no prefix/suffix", report.source_file)
    return None


def add_text_entity(ctx: ReportContext) -> None:
    """The report text file as a ``prov:Entity``: file name and SHA-256 pin the offsets."""
    text = ctx.text_iri
    ctx.add(text, RDF.type, PROV.Entity)
    ctx.add(text, RDF.type, SCHEMA.DigitalDocument)
    title = f"{ctx.report.country.name} — {ctx.report.title.text}"
    ctx.add(text, RDFS.label, Literal(f"Text of {title}", lang="en"))
    ctx.add(text, DCTERMS.identifier, Literal(Path(ctx.report.source_file).name))
    ctx.add(text, SCHEMA.encodingFormat, Literal("text/plain"))
    ctx.add(text, IFRCKG.sha256, Literal(ctx.report.sha256))


def add_source(
    ctx: ReportContext, thing: URIRef, span: SourceSpan, anchor: URIRef | None = None
) -> URIRef:
    """Link ``thing`` to ``<anchor#source>`` with quote and position selectors.

    ``anchor`` defaults to ``thing``; things that outlive one report (an operation) anchor
    their source on a part of the report instead, so two reports never share a source node.
    """
    anchor = anchor or thing
    source = Iris.source(anchor)
    quote = URIRef(f"{anchor}#quote")
    position = URIRef(f"{anchor}#position")
    ctx.add(thing, PROV.wasDerivedFrom, source)
    ctx.add(source, RDF.type, OA.SpecificResource)
    ctx.add(source, RDF.type, PROV.Entity)
    ctx.add(source, OA.hasSource, ctx.text_iri)
    ctx.add(source, OA.hasSelector, quote)
    ctx.add(source, OA.hasSelector, position)
    ctx.add(source, IFRCKG.lineStart, Literal(span.line_start, datatype=XSD.integer))
    ctx.add(source, IFRCKG.lineEnd, Literal(span.line_end, datatype=XSD.integer))
    ctx.add(quote, RDF.type, OA.TextQuoteSelector)
    ctx.add(quote, OA.exact, Literal(span.quote))
    if ctx.text is not None and ctx.text[span.start : span.end] == span.quote:
        prefix = ctx.text[max(0, span.start - CONTEXT_CHARS) : span.start]
        suffix = ctx.text[span.end : span.end + CONTEXT_CHARS]
        if prefix:
            ctx.add(quote, OA.prefix, Literal(prefix))
        if suffix:
            ctx.add(quote, OA.suffix, Literal(suffix))
    ctx.add(position, RDF.type, OA.TextPositionSelector)
    ctx.add(position, OA.start, Literal(span.start, datatype=XSD.integer))
    ctx.add(position, OA.end, Literal(span.end, datatype=XSD.integer))
    return source


def decimal(value: Decimal | int | bool) -> Literal:
    """An ``xsd:decimal`` literal in canonical form, so equal values are equal terms.

    >>> str(decimal(Decimal("15700000.0"))), str(decimal(Decimal("780000")))
    ('15700000.0', '780000.0')
    >>> str(decimal(Decimal("0.50"))), str(decimal(Decimal("2.1E+6")))
    ('0.5', '2100000.0')
    """
    number = Decimal(value)
    if number == number.to_integral_value():
        lexical = f"{int(number)}.0"
    else:
        lexical = format(number.normalize(), "f")
    return Literal(lexical, datatype=XSD.decimal)


def add_printed(ctx: ReportContext, thing: URIRef, figure: Figure) -> None:
    """How a value was printed, its rounding when it was rounded, and the candidate readings
    of an ambiguous print ("25,6140": 25614 and 256140), which has no value of its own."""
    ctx.add(thing, IFRCKG.printedValue, Literal(figure.printed))
    if figure.rounded_to is not None:
        ctx.add(thing, IFRCKG.roundedTo, decimal(figure.rounded_to))
    for reading in figure.readings:
        ctx.add(thing, IFRCKG.possibleValue, decimal(reading))
