"""The vocabulary graph: the core ontology, the concept schemes and the Data Cube structures.

Concept schemes and structure definitions are generated here from ``ifrc_kg.concepts``
(one table, read by the parser too) with the deployment's ``Iris``, so they can never
drift from what the parser matches; ``ontology/concepts.ttl`` is the same graph for the
default base, committed for readers and checked up to date by a test
(``python -m ifrc_kg.graph.vocabulary`` rewrites it).

Every structure is written in the normalised (closed) Data Cube form that the
integrity constraints IC-1..21 assume: explicit ``rdf:type`` on every node and
``qb:componentProperty`` next to ``qb:dimension``/``qb:measure``/``qb:attribute``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ifrc_kg import concepts
from ifrc_kg.config import DEFAULT_BASE, artefact_dir
from ifrc_kg.graph import operation_concepts
from ifrc_kg.model import Unit
from ifrc_kg.namespaces import (
    IFRCKG,
    OWL,
    QB,
    RDF,
    RDFS,
    SDMX_ATTRIBUTE,
    SKOS,
    UNIT,
    bind_prefixes,
)
from ifrc_kg.uris import Iris

ONTOLOGY = URIRef("https://w3id.org/ifrc-kg/def/core")
SDMX_ATTRIBUTE_VOCAB = URIRef("http://purl.org/linked-data/sdmx/2009/attribute")

UNITS: dict[Unit, URIRef] = {
    Unit.PERSONS: UNIT.NUM,
    Unit.COUNT: UNIT.NUM,
    Unit.PERCENT: UNIT.PERCENT,
    Unit.CHF: UNIT.CCY_CHF,
    Unit.BOOLEAN: UNIT.UNITLESS,
}


@dataclass(frozen=True)
class Dimension:
    prop: URIRef
    scheme: str | None = None  # the code list's scheme notation, for concept-valued dims


@dataclass(frozen=True)
class Structure:
    """A Data Cube structure: one measure, its dimensions, the shared attributes."""

    key: str
    label: str
    dimensions: tuple[Dimension, ...]
    measure: URIRef


_NS = Dimension(IFRCKG.nationalSociety)
_PERIOD = Dimension(IFRCKG.refPeriod)

STRUCTURES: dict[str, Structure] = {
    s.key: s
    for s in (
        Structure(
            "key-figures",
            "National Society key figures",
            (_NS, _PERIOD, Dimension(IFRCKG.keyFigure, "key-figure")),
            IFRCKG.number,
        ),
        Structure(
            "people-reached",
            "People reached",
            (_NS, _PERIOD, Dimension(IFRCKG.reachCategory, "reach-category")),
            IFRCKG.peopleReached,
        ),
        Structure(
            "indicators",
            "Indicators (numeric)",
            (_NS, _PERIOD, Dimension(IFRCKG.indicator, "indicator")),
            IFRCKG.indicatorValue,
        ),
        Structure(
            "indicator-answers",
            "Indicators (yes/no)",
            (_NS, _PERIOD, Dimension(IFRCKG.indicator, "indicator")),
            IFRCKG.answer,
        ),
        Structure(
            "financial",
            "Financial figures",
            (
                _NS,
                _PERIOD,
                Dimension(IFRCKG.funderGroup, "funder-group"),
                Dimension(IFRCKG.flowType, "flow-type"),
            ),
            IFRCKG.amount,
        ),
        Structure(
            "partner-support",
            "Partner support by area",
            (
                _NS,
                _PERIOD,
                Dimension(IFRCKG.partner),
                Dimension(IFRCKG.supportArea, "support-area"),
            ),
            IFRCKG.bilateralSupport,
        ),
        Structure(
            "partner-multilateral",
            "Partner support through the IFRC",
            (_NS, _PERIOD, Dimension(IFRCKG.partner)),
            IFRCKG.multilateralSupport,
        ),
        Structure(
            "partner-funding",
            "Partner funding reported",
            (_NS, _PERIOD, Dimension(IFRCKG.partner)),
            IFRCKG.amount,
        ),
    )
}

# The data sets of one report: data set key -> (structure key, label).
DATASETS: dict[str, tuple[str, str]] = {
    "key-figures": ("key-figures", "key figures"),
    "people-reached": ("people-reached", "people reached"),
    "indicators": ("indicators", "indicators"),
    "indicator-answers": ("indicator-answers", "indicator answers"),
    "financial-overview": ("financial", "financial overview"),
    "national-society-overview": ("financial", "National Society overview"),
    "funding-sources": ("financial", "funding sources"),
    "partner-funding-total": ("financial", "total funding reported by partners"),
    "partner-support": ("partner-support", "partner support by area"),
    "partner-multilateral": ("partner-multilateral", "partner support through the IFRC"),
    "partner-funding": ("partner-funding", "partner funding reported"),
}

# Attributes every observation carries (normalised form: attached to each observation).
ATTRIBUTES: tuple[tuple[URIRef, bool], ...] = (
    (SDMX_ATTRIBUTE.unitMeasure, True),
    (IFRCKG.printedValue, True),
    (IFRCKG.roundedTo, False),
)


def concept_iri(iris: Iris, scheme_notation: str, notation: str) -> URIRef:
    """The IRI of a concept, under its home scheme (a priority listed in the reach-category
    scheme keeps its strategic-priority IRI)."""
    for scheme in concepts.SCHEMES:
        if scheme.notation == scheme_notation:
            for member in scheme.members:
                if member.notation == notation:
                    return iris.concept(member.scheme, member.notation)
    return iris.concept(scheme_notation, notation)


def load_core() -> Graph:
    """The hand-written OWL ontology (``ontology/core.ttl``)."""
    graph = Graph()
    graph.parse(artefact_dir("ontology") / "core.ttl", format="turtle")
    return graph


def add_concept_schemes(graph: Graph, iris: Iris) -> None:
    """SKOS schemes from ``concepts.SCHEMES`` and the operation funding schemes: a concept is
    ``inScheme`` of every scheme that lists it and a top concept where its broader concept is
    not in the same scheme."""
    for scheme in (*concepts.SCHEMES, *operation_concepts.SCHEMES):
        scheme_iri = iris.scheme(scheme.notation)
        graph.add((scheme_iri, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme_iri, SKOS.prefLabel, Literal(scheme.label, lang="en")))
        graph.add((scheme_iri, RDFS.label, Literal(scheme.label, lang="en")))
        graph.add((scheme_iri, SKOS.definition, Literal(scheme.definition, lang="en")))
        graph.add((scheme_iri, SKOS.notation, Literal(scheme.notation)))
        graph.add((scheme_iri, RDFS.isDefinedBy, ONTOLOGY))
        notations = {member.notation for member in scheme.members}
        for member in scheme.members:
            concept = iris.concept(member.scheme, member.notation)
            graph.add((concept, RDF.type, SKOS.Concept))
            graph.add((concept, SKOS.inScheme, scheme_iri))
            graph.add((concept, SKOS.prefLabel, Literal(member.label, lang="en")))
            graph.add((concept, RDFS.label, Literal(member.label, lang="en")))
            graph.add((concept, SKOS.definition, Literal(member.definition, lang="en")))
            graph.add((concept, SKOS.notation, Literal(member.notation)))
            for alt in member.alt_labels:
                graph.add((concept, SKOS.altLabel, Literal(alt, lang="en")))
            if member.broader:
                broader = iris.concept(concepts.area_scheme(member.broader), member.broader)
                graph.add((concept, SKOS.broader, broader))
                graph.add((broader, SKOS.narrower, concept))
            if member.unit is not None:
                graph.add((concept, SDMX_ATTRIBUTE.unitMeasure, UNITS[member.unit]))
            if member.broader is None or member.broader not in notations:
                graph.add((concept, SKOS.topConceptOf, scheme_iri))
                graph.add((scheme_iri, SKOS.hasTopConcept, concept))


def add_structures(graph: Graph, iris: Iris) -> None:
    """The Data Cube structure definitions, with ``qb:codeList`` on concept dimensions."""
    graph.add((SDMX_ATTRIBUTE.unitMeasure, RDF.type, QB.AttributeProperty))
    graph.add((SDMX_ATTRIBUTE.unitMeasure, RDF.type, RDF.Property))
    graph.add((SDMX_ATTRIBUTE.unitMeasure, RDFS.label, Literal("Unit of Measure", lang="en")))
    graph.add((SDMX_ATTRIBUTE.unitMeasure, RDFS.isDefinedBy, SDMX_ATTRIBUTE_VOCAB))
    for structure in STRUCTURES.values():
        dsd = iris.dsd(structure.key)
        graph.add((dsd, RDF.type, QB.DataStructureDefinition))
        graph.add((dsd, RDFS.label, Literal(structure.label, lang="en")))
        graph.add((dsd, RDFS.isDefinedBy, ONTOLOGY))
        order = 0
        for dimension in structure.dimensions:
            order += 1
            spec = URIRef(f"{dsd}#{_local(dimension.prop)}")
            _component(graph, dsd, spec, QB.dimension, dimension.prop, order)
            if dimension.scheme:
                graph.add((dimension.prop, QB.codeList, iris.scheme(dimension.scheme)))
        order += 1
        spec = URIRef(f"{dsd}#{_local(structure.measure)}")
        _component(graph, dsd, spec, QB.measure, structure.measure, order)
        for prop, required in ATTRIBUTES:
            order += 1
            spec = URIRef(f"{dsd}#{_local(prop)}")
            _component(graph, dsd, spec, QB.attribute, prop, order, required)
            graph.add((spec, QB.componentAttachment, QB.Observation))


def _local(prop: URIRef) -> str:
    return str(prop).rsplit("#", 1)[-1]


def _component(
    graph: Graph,
    dsd: URIRef,
    spec: URIRef,
    kind: URIRef,
    prop: URIRef,
    order: int,
    required: bool | None = None,
) -> None:
    """One component of a DSD. ``qb:componentRequired`` is stated for attributes only, the
    components the vocabulary defines it for (IC-13 reads it): a dimension is always
    required (IC-11), a measure too (IC-14), but on an ambiguous print's observation."""
    graph.add((dsd, QB.component, spec))
    graph.add((spec, RDF.type, QB.ComponentSpecification))
    graph.add((spec, kind, prop))
    graph.add((spec, QB.componentProperty, prop))
    graph.add((spec, QB.order, Literal(order)))
    if required is not None:
        graph.add((spec, QB.componentRequired, Literal(required)))


def generated_vocabulary(base: str = DEFAULT_BASE) -> Graph:
    """Concept schemes and structures (no core ontology): ``ontology/concepts.ttl``."""
    graph = Graph()
    bind_prefixes(graph)
    iris = Iris(base)
    add_concept_schemes(graph, iris)
    add_structures(graph, iris)
    return graph


def vocabulary_graph(base: str = DEFAULT_BASE) -> Graph:
    """Everything of ``<base>graph/vocabulary``: core ontology + schemes + structures."""
    graph = generated_vocabulary(base)
    graph += load_core()
    bind_prefixes(graph)
    graph.add((ONTOLOGY, RDF.type, OWL.Ontology))
    return graph


def write_concepts(path: Path) -> None:
    """Write the generated vocabulary for the default base (sorted, deterministic Turtle)."""
    path.write_text(generated_vocabulary().serialize(format="turtle"), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - developer helper
    write_concepts(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("ontology/concepts.ttl"))
