"""The narrative: sections and paragraphs (text kept), numeric claims, and mentions.

Sections are ``doco:Section`` parts of the report keyed by the slugs of their title path
(``…/section/strategic-priorities/health-and-wellbeing``), paragraphs ``doco:Paragraph``
keyed by a hash of their text; claims and mentions are keyed by a hash of what they say
and where, so rebuilding the same text gives the same IRIs. A claim keeps its value,
printed form, what it counts, its sentence (as the quoted source), its section and
priority, and the template indicator when the words name one; a mention points at the
society, organisation or place it names when the reference tables know it.

Each paragraph is split into ``doco:Sentence`` parts (``<paragraph>/s1``…, with their
sources); a claim and a mention are tied to their sentence and paragraph
(``ifrckg:sentence``, ``ifrckg:paragraph``), and a sentence and its claims to the places,
societies and organisations it names (``schema:mentions``), so "where were early warning
systems set up?" is a join on one sentence, not on character offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ifrc_kg import concepts
from ifrc_kg.concepts import slugify
from ifrc_kg.graph.organisations import resolve_mention
from ifrc_kg.graph.provenance import ReportContext, add_printed, add_source, decimal
from ifrc_kg.graph.vocabulary import UNITS, concept_iri
from ifrc_kg.model import Claim, Mention, Paragraph, Section, SourceSpan
from ifrc_kg.namespaces import DCTERMS, DOCO, IFRCKG, RDF, RDFS, SCHEMA, SDMX_ATTRIBUTE
from ifrc_kg.report.claims import sentences
from ifrc_kg.uris import short_hash


def area_concept(ctx: ReportContext, notation: str) -> URIRef:
    """A strategic priority or enabling function by notation."""
    return concept_iri(ctx.iris, concepts.area_scheme(notation), notation)


@dataclass(frozen=True)
class SentenceSpan:
    """Where a sentence of a paragraph lies in the text (code points, end exclusive)."""

    start: int
    end: int
    sentence: URIRef
    paragraph: URIRef


@dataclass
class Narrative:
    """What the claims and mentions are tied to: sections by title path, sentences by span."""

    sections: dict[tuple[str, ...], URIRef] = field(default_factory=dict)
    sentences: list[SentenceSpan] = field(default_factory=list)
    claims_by_sentence: dict[URIRef, list[URIRef]] = field(default_factory=dict)

    def sentence_at(self, offset: int) -> SentenceSpan | None:
        """The sentence holding a character offset of the text, if any."""
        for span in self.sentences:
            if span.start <= offset < span.end:
                return span
        return None


def add_sections(ctx: ReportContext) -> Narrative:
    """Write the section tree, its paragraphs and their sentences."""
    narrative = Narrative()
    for position, section in enumerate(ctx.report.narrative, start=1):
        _section(ctx, section, (), ctx.report_iri, position, narrative)
    return narrative


def _sentences(
    ctx: ReportContext, paragraph: Paragraph, node: URIRef, label: str
) -> list[SentenceSpan]:
    """The sentences of a paragraph as ``doco:Sentence`` parts, each with its source, split
    as the claims are (``report.claims.sentences``) so a claim lands in exactly one."""
    raw, span = paragraph.source.quote, paragraph.source
    found = []
    for number, (start, end) in enumerate(sentences(raw), start=1):
        iri = URIRef(f"{node}/s{number}")
        text = raw[start:end]
        line = span.line_start + raw[:start].count("\n")
        source = SourceSpan(
            span.file, line, line + text.count("\n"), text, span.start + start, span.start + end
        )
        ctx.add(node, SCHEMA.hasPart, iri)
        ctx.add(iri, SCHEMA.isPartOf, node)
        ctx.add(iri, RDF.type, DOCO.Sentence)
        ctx.add(iri, RDFS.label, Literal(f"{label}, sentence {number}", lang="en"))
        ctx.add(iri, SCHEMA.text, Literal(text, lang="en"))
        ctx.add(iri, SCHEMA.position, Literal(number, datatype=XSD.integer))
        add_source(ctx, iri, source)
        found.append(SentenceSpan(source.start, source.end, iri, node))
    return found


def _section(
    ctx: ReportContext,
    section: Section,
    path: tuple[str, ...],
    parent: URIRef,
    position: int,
    narrative: Narrative,
) -> None:
    titles = (*path, section.title)
    iri = ctx.part("section", *(slugify(t) or "untitled" for t in titles))
    narrative.sections.setdefault(titles, iri)
    ctx.add(parent, SCHEMA.hasPart, iri)
    ctx.add(iri, SCHEMA.isPartOf, parent)
    ctx.add(iri, RDF.type, DOCO.Section)
    ctx.add(iri, RDFS.label, Literal(section.title, lang="en"))
    ctx.add(iri, DCTERMS.title, Literal(section.title, lang="en"))
    ctx.add(iri, IFRCKG.sectionKind, Literal(section.kind))
    ctx.add(iri, SCHEMA.position, Literal(position, datatype=XSD.integer))
    if section.concept:
        ctx.add(iri, DCTERMS.subject, area_concept(ctx, section.concept))
    add_source(ctx, iri, section.source)
    for number, paragraph in enumerate(section.paragraphs, start=1):
        node = ctx.unique(URIRef(f"{iri}/p-{short_hash(paragraph.text)}"))
        ctx.add(iri, SCHEMA.hasPart, node)
        ctx.add(node, SCHEMA.isPartOf, iri)
        ctx.add(node, RDF.type, DOCO.Paragraph)
        label = f"{section.title}, paragraph {number}"
        ctx.add(node, RDFS.label, Literal(label, lang="en"))
        ctx.add(node, SCHEMA.text, Literal(paragraph.text, lang="en"))
        ctx.add(node, SCHEMA.position, Literal(number, datatype=XSD.integer))
        add_source(ctx, node, paragraph.source)
        narrative.sentences += _sentences(ctx, paragraph, node, label)
    for number, child in enumerate(section.subsections, start=1):
        _section(ctx, child, titles, iri, number, narrative)


def _section_of(index: dict[tuple[str, ...], URIRef], titles: Sequence[str]) -> URIRef | None:
    """The deepest known section on a title path (a claim's path may go below headings)."""
    titles = tuple(titles)
    while titles:
        if titles in index:
            return index[titles]
        titles = titles[:-1]
    return None


def add_claim(ctx: ReportContext, claim: Claim, narrative: Narrative) -> URIRef:
    figure = claim.figure
    iri = ctx.part("claim", short_hash(claim.sentence.text, claim.phrase, figure.printed))
    ctx.add(ctx.report_iri, IFRCKG.claim, iri)
    ctx.add(iri, RDF.type, IFRCKG.Claim)
    ctx.add(iri, RDFS.label, Literal(claim.phrase, lang="en"))
    if figure.value is not None:  # an ambiguous print keeps only its candidate readings
        ctx.add(iri, IFRCKG.value, decimal(figure.value))
    ctx.add(iri, SDMX_ATTRIBUTE.unitMeasure, UNITS[figure.unit])
    add_printed(ctx, iri, figure)
    ctx.add(iri, IFRCKG.attribution, Literal(claim.attribution))
    if claim.attributed_to:
        ctx.add(iri, IFRCKG.attributedTo, Literal(claim.attributed_to))
    ctx.add(iri, IFRCKG.counts, Literal(claim.counts))
    ctx.add(iri, IFRCKG.phrase, Literal(claim.phrase))
    ctx.add(iri, IFRCKG.year, Literal(str(ctx.year), datatype=XSD.gYear))
    section = _section_of(narrative.sections, claim.section)
    if section is not None:
        ctx.add(iri, IFRCKG.section, section)
    sentence = narrative.sentence_at(claim.sentence.source.start)
    if sentence is not None:
        ctx.add(iri, IFRCKG.sentence, sentence.sentence)
        ctx.add(iri, IFRCKG.paragraph, sentence.paragraph)
        narrative.claims_by_sentence.setdefault(sentence.sentence, []).append(iri)
    if claim.concept:
        ctx.add(iri, DCTERMS.subject, area_concept(ctx, claim.concept))
    if claim.indicator:
        ctx.add(iri, IFRCKG.aboutIndicator, concept_iri(ctx.iris, "indicator", claim.indicator))
    add_source(ctx, iri, claim.sentence.source)
    return iri


def add_mention(ctx: ReportContext, mention: Mention, narrative: Narrative) -> URIRef:
    iri = ctx.part("mention", short_hash(mention.kind, mention.name, str(mention.source.start)))
    ctx.add(ctx.report_iri, IFRCKG.mention, iri)
    ctx.add(iri, RDF.type, IFRCKG.Mention)
    ctx.add(iri, RDFS.label, Literal(mention.name, lang="en"))
    ctx.add(iri, IFRCKG.mentionKind, Literal(str(mention.kind)))
    thing = resolve_mention(ctx, mention)
    if thing is not None:
        ctx.add(iri, IFRCKG.refersTo, thing)
    section = _section_of(narrative.sections, mention.section)
    if section is not None:
        ctx.add(iri, IFRCKG.section, section)
    sentence = narrative.sentence_at(mention.source.start)
    if sentence is not None:
        # the sentence and its claims are about what the sentence names
        ctx.add(iri, IFRCKG.sentence, sentence.sentence)
        ctx.add(iri, IFRCKG.paragraph, sentence.paragraph)
        if thing is not None:
            ctx.add(sentence.sentence, SCHEMA.mentions, thing)
            for claim in narrative.claims_by_sentence.get(sentence.sentence, []):
                ctx.add(claim, SCHEMA.mentions, thing)
    add_source(ctx, iri, mention.source)
    return iri


def add_narrative(ctx: ReportContext) -> None:
    narrative = add_sections(ctx)
    for claim in ctx.report.claims:
        add_claim(ctx, claim, narrative)
    for mention in ctx.report.mentions:
        add_mention(ctx, mention, narrative)
