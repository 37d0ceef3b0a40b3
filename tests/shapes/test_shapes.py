"""The structural shapes: they pass SHACL's meta-shapes, the Mali build conforms, and
each one rejects a graph broken on purpose."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from tests.graph.helpers import IRIS, mali_dataset, mali_graph, shacl, shapes, union

from ifrc_kg.graph.provenance import decimal
from ifrc_kg.namespaces import DCTERMS, IFRCKG, OA, PROV, RDF, RDFS, SDMX_ATTRIBUTE, SH

OBS_HEALTH = IRIS.observation("MLI", 2023, "people-reached", "health-and-wellbeing")
OBS_CASH = IRIS.observation("MLI", 2023, "indicators", "share-assistance-cash-vouchers")
OBS_FUNDING = IRIS.observation("MLI", 2023, "financial-overview", "country", "funding-requirement")
OBS_VOLUNTEERS = IRIS.observation("MLI", 2023, "key-figures", "volunteers")
DREF = IRIS.operation("MDRML018")
DREF_STATEMENT = IRIS.report_part("MLI", 2023, "operation", "MDRML018")
DREF_TARGETED = IRIS.report_part("MLI", 2023, "operation", "MDRML018", "people-targeted")
DREF_FUNDING = IRIS.report_part(
    "MLI", 2023, "operation", "MDRML018", "funding", "funding-allocation", "ifrc-dref"
)
NS = IRIS.national_society("MLI")
COUNTRY = IRIS.country("MLI")


def test_shapes_pass_the_shacl_meta_shapes() -> None:
    conforms, _, text = meta_validate(shapes(), inference="none")
    assert conforms, text


def test_every_class_the_data_uses_has_a_shape() -> None:
    graph = union(mali_dataset())
    used = set(graph.objects(None, RDF.type))
    targeted = set(shapes().objects(None, SH.targetClass))
    # prov:Entity / prov:Activity / schema:Report / schema:NGO / schema:Event /
    # schema:Organization / org:FormalOrganization / schema:DigitalDocument and the
    # ontology-level classes are supertypes or vocabulary: their nodes are checked through
    # a more specific class (or sh:node from the report).
    supertypes = (
        {URIRef(f"http://www.w3.org/ns/prov#{n}") for n in ("Entity", "Activity")}
        | {
            URIRef(f"http://schema.org/{n}")
            for n in ("Report", "NGO", "Event", "Organization", "DigitalDocument")
        }
        | {
            URIRef("http://www.w3.org/ns/org#FormalOrganization"),
            IFRCKG.DrefOperation,
            IFRCKG.EmergencyAppeal,
            URIRef("http://www.w3.org/2002/07/owl#Ontology"),
            URIRef("http://www.w3.org/2000/01/rdf-schema#Class"),
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"),
            URIRef("http://purl.org/linked-data/cube#DimensionProperty"),
            URIRef("http://purl.org/linked-data/cube#MeasureProperty"),
            URIRef("http://purl.org/linked-data/cube#AttributeProperty"),
            URIRef("http://purl.org/linked-data/cube#CodedProperty"),
            URIRef("http://www.w3.org/2002/07/owl#Class"),
        }
    )
    data_classes = {c for c in used if not str(c).startswith("http://www.w3.org/2002/07/owl#")}
    assert data_classes - targeted - supertypes == set()


def test_mali_build_conforms() -> None:
    results = shacl(union(mali_dataset()))
    violations = [r for r in results if r.severity == "Violation"]
    assert violations == []


def _set(graph: Graph, s: URIRef, p: URIRef, o: Literal | URIRef) -> None:
    graph.set((s, p, o))


BREAKS: dict[str, tuple[Callable[[Graph], None], URIRef, str]] = {
    "negative count": (
        lambda g: _set(g, OBS_VOLUNTEERS, IFRCKG.number, Literal(-3, datatype=XSD.integer)),
        OBS_VOLUNTEERS,
        "ObservationShape",
    ),
    "negative people reached": (
        lambda g: _set(g, OBS_HEALTH, IFRCKG.peopleReached, Literal(-1, datatype=XSD.integer)),
        OBS_HEALTH,
        "ObservationShape",
    ),
    "negative amount": (
        lambda g: _set(g, OBS_FUNDING, IFRCKG.amount, decimal(Decimal("-15600000"))),
        OBS_FUNDING,
        "ObservationShape",
    ),
    "count as a decimal": (
        lambda g: _set(g, OBS_HEALTH, IFRCKG.peopleReached, decimal(Decimal("240612.5"))),
        OBS_HEALTH,
        "ObservationShape",
    ),
    "percent over 100": (
        lambda g: _set(g, OBS_CASH, IFRCKG.indicatorValue, decimal(Decimal("140"))),
        OBS_CASH,
        "PercentShape",
    ),
    "missing label": (
        lambda g: g.remove((NS, RDFS.label, None)),
        NS,
        "NationalSocietyShape",
    ),
    "missing provenance": (
        lambda g: g.remove((OBS_HEALTH, PROV.wasDerivedFrom, None)),
        OBS_HEALTH,
        "ObservationShape",
    ),
    "missing unit": (
        lambda g: g.remove((OBS_HEALTH, SDMX_ATTRIBUTE.unitMeasure, None)),
        OBS_HEALTH,
        "ObservationShape",
    ),
    "bad operation code": (
        lambda g: _set(g, DREF, DCTERMS.identifier, Literal("DREF-18")),
        DREF,
        "OperationShape",
    ),
    "operation ends before it starts": (
        lambda g: _set(
            g,
            DREF_STATEMENT,
            URIRef("http://schema.org/endDate"),
            Literal("2023-01-01", datatype=XSD.date),
        ),
        DREF_STATEMENT,
        "OperationStatementShape",
    ),
    "statement of no report": (
        lambda g: g.remove((DREF_STATEMENT, IFRCKG.report, None)),
        DREF_STATEMENT,
        "OperationStatementShape",
    ),
    "operation with two English labels": (
        lambda g: g.add((DREF, RDFS.label, Literal("Dengue outbreak in Mali", lang="en"))),
        DREF,
        "OperationShape",
    ),
    "people targeted as a decimal": (
        lambda g: _set(
            g, DREF_TARGETED, URIRef("http://schema.org/value"), Literal(Decimal("322013.0"))
        ),
        DREF_TARGETED,
        "QuantityShape",
    ),
    "funding scope as a string": (
        lambda g: _set(g, DREF_FUNDING, IFRCKG.fundingScope, Literal("Funding allocation")),
        DREF_FUNDING,
        "MonetaryAmountShape",
    ),
    "bad ISO3": (
        lambda g: _set(g, COUNTRY, IFRCKG.iso3Code, Literal("ML")),
        COUNTRY,
        "CountryShape",
    ),
    "bad appeal code": (
        lambda g: _set(g, IRIS.report("MLI", 2023), IFRCKG.appealCode, Literal("ML002")),
        IRIS.report("MLI", 2023),
        "AnnualReportShape",
    ),
    "quote selector without text": (
        lambda g: _set(g, URIRef(f"{OBS_HEALTH}#quote"), OA.exact, Literal("")),
        URIRef(f"{OBS_HEALTH}#quote"),
        "QuoteSelectorShape",
    ),
    "readings of a clean print": (
        lambda g: (
            g.remove((OBS_VOLUNTEERS, IFRCKG.number, None)),
            g.add((OBS_VOLUNTEERS, IFRCKG.possibleValue, decimal(Decimal(8998)))),
        ),
        OBS_VOLUNTEERS,
        "AmbiguousPrintShape",
    ),
    "readings beside a value": (
        lambda g: (
            _set(g, OBS_VOLUNTEERS, IFRCKG.printedValue, Literal("8,9980")),
            g.add((OBS_VOLUNTEERS, IFRCKG.possibleValue, decimal(Decimal(89980)))),
        ),
        OBS_VOLUNTEERS,
        "ObservationShape",
    ),
    "neither value nor readings": (
        lambda g: g.remove((OBS_VOLUNTEERS, IFRCKG.number, None)),
        OBS_VOLUNTEERS,
        "ObservationShape",
    ),
    "people targeted without value or readings": (
        lambda g: g.remove((DREF_TARGETED, URIRef("http://schema.org/value"), None)),
        DREF_TARGETED,
        "QuantityShape",
    ),
    "line number zero": (
        lambda g: (
            _set(g, URIRef(f"{OBS_HEALTH}#source"), IFRCKG.lineStart, Literal(0)),
            _set(g, URIRef(f"{OBS_HEALTH}#source"), IFRCKG.lineEnd, Literal(0)),
        ),
        URIRef(f"{OBS_HEALTH}#source"),
        "SourceShape",
    ),
    "line number typed xsd:positiveInteger (served as another literal)": (
        lambda g: _set(
            g,
            URIRef(f"{OBS_HEALTH}#source"),
            IFRCKG.lineEnd,
            Literal(400, datatype=XSD.positiveInteger),
        ),
        URIRef(f"{OBS_HEALTH}#source"),
        "SourceShape",
    ),
    "position end before start": (
        lambda g: _set(
            g, URIRef(f"{OBS_HEALTH}#position"), OA.end, Literal(0, datatype=XSD.integer)
        ),
        URIRef(f"{OBS_HEALTH}#position"),
        "PositionSelectorShape",
    ),
}


# Property shapes shared by several node shapes (labels, sources, units…) report as
# themselves.
SHARED = ["labelled", "hasSource", "printedValue", "roundedTo", "unit", "possibleValue"]


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_shape_rejects_a_broken_graph(case: str) -> None:
    breaker, focus, shape = BREAKS[case]
    graph = mali_graph()
    assert [r for r in shacl(graph, focus=[focus]) if r.severity == "Violation"] == []
    breaker(graph)
    violations = [r for r in shacl(graph, focus=[focus]) if r.severity == "Violation"]
    assert violations, case
    assert {v.shape for v in violations} <= {shape, *SHARED}
    assert all(v.focus == str(focus) and v.message for v in violations)


def _ambiguous(graph: Graph, figure: URIRef, value: URIRef, printed: str, reading: int) -> None:
    """The figure as an ambiguous print: no value, the print and its two readings."""
    graph.remove((figure, value, None))
    _set(graph, figure, IFRCKG.printedValue, Literal(printed))
    for candidate in (reading, reading * 10):
        graph.add((figure, IFRCKG.possibleValue, decimal(Decimal(candidate))))


def test_an_ambiguous_print_without_value_conforms() -> None:
    """An observation and an operation quantity that hold an ambiguous print ("8,9980")
    with its readings and no value pass every shape (and a clean print would not)."""
    graph = mali_graph()
    _ambiguous(graph, OBS_VOLUNTEERS, IFRCKG.number, "8,9980", 8998)
    _ambiguous(graph, DREF_TARGETED, URIRef("http://schema.org/value"), "322,0130", 322013)
    _ambiguous(graph, DREF_FUNDING, URIRef("http://schema.org/value"), "CHF 204,2220", 204222)
    focus = [OBS_VOLUNTEERS, DREF_TARGETED, DREF_FUNDING]
    results = shacl(graph, focus=focus)
    assert [r for r in results if r.severity == "Violation"] == []
    assert {r.focus for r in results if r.shape == "PlausiblePrintShape"} == {str(f) for f in focus}
