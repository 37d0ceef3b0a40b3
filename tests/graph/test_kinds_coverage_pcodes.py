"""The graph side of report kinds, coverage, line endings and P-codes."""

from __future__ import annotations

import csv
import re

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SH
from tests import variants
from tests.graph.helpers import BASE, IRIS, REPORT_DIR, mali_report, shacl, shapes, union

from ifrc_kg.config import artefact_dir
from ifrc_kg.graph import build_dataset, report_graph
from ifrc_kg.namespaces import IFRCKG, SCHEMA
from ifrc_kg.report import parse_text

HAS_END = URIRef("http://www.w3.org/2006/time#hasEnd")
IN_XSD_DATE = URIRef("http://www.w3.org/2006/time#inXSDDate")
OA_PREFIX = URIRef("http://www.w3.org/ns/oa#prefix")


def _graph(report) -> Graph:
    graph = Graph()
    report_graph(report, graph, IRIS, True, REPORT_DIR)
    return graph


def test_annual_and_mid_year_are_two_reports():
    mali = mali_report()
    mid = parse_text(variants.mid_year(variants.mali_text()), "mid.txt")
    dataset = build_dataset([mali, mid], base=BASE)
    names = {str(g.identifier) for g in dataset.graphs()}
    assert {f"{BASE}graph/mli/2023", f"{BASE}graph/mli/2023-mid-year"} <= names
    annual = dataset.graph(IRIS.graph("MLI", 2023))
    half = dataset.graph(IRIS.graph("MLI", "2023-mid-year"))
    annual_iri = URIRef(f"{BASE}id/report/mli/2023")
    mid_iri = URIRef(f"{BASE}id/report/mli/2023-mid-year")
    assert annual.value(annual_iri, IFRCKG.reportKind) == Literal("annual")
    assert half.value(mid_iri, IFRCKG.reportKind) == Literal("mid-year")
    assert (mid_iri, None, None) not in annual
    period = half.value(mid_iri, IFRCKG.period)
    assert str(period) == f"{BASE}id/period/2023-01-01--2023-06-30"
    end = half.value(period, HAS_END)
    assert str(half.value(end, IN_XSD_DATE)) == "2023-06-30"
    observation = URIRef(
        f"{BASE}id/observation/mli/2023-mid-year/people-reached/health-and-wellbeing"
    )
    assert half.value(observation, IFRCKG.refPeriod) == period
    # both print the DREF MDRML018: the shared operation validates with both reports' parts
    results = shacl(union(dataset), ["OperationShape", "AnnualReportShape", "PeriodShape"])
    assert [r for r in results if r.severity == "Violation"] == []


def test_mid_year_report_conforms_to_the_report_shapes():
    mid = parse_text(variants.mid_year(variants.mali_text()), "mid.txt")
    graph = _graph(mid)
    results = shacl(graph, ["AnnualReportShape", "PeriodShape"])
    assert [r for r in results if r.severity == "Violation"] == []
    graph.set((URIRef(f"{BASE}id/report/mli/2023-mid-year"), IFRCKG.reportKind, Literal("q3")))
    results = shacl(graph, ["AnnualReportShape"])
    assert any(r.path == str(IFRCKG.reportKind) for r in results)


def test_coverage_on_the_report_resource():
    graph = _graph(mali_report())
    report = URIRef(f"{BASE}id/report/mli/2023")
    assert graph.value(report, IFRCKG.nonBlankLines).toPython() == 288
    assert graph.value(report, IFRCKG.linesRead).toPython() == 288


def test_crlf_and_bom_give_an_isomorphic_graph():
    text = variants.mali_text()
    name = variants.MALI_PATH.name  # found in REPORT_DIR: quotes get prefix and suffix
    plain = _graph(parse_text(text, name))
    crlf = _graph(parse_text("\ufeff" + text.replace("\n", "\r\n"), name))
    assert len(plain) > 5000
    assert any(p == OA_PREFIX for p in crlf.predicates())
    assert isomorphic(plain, crlf)


def _pcode_pattern() -> re.Pattern[str]:
    graph = shapes()
    place_shape = URIRef("https://w3id.org/ifrc-kg/def/shapes#PlaceShape")
    for prop in graph.objects(place_shape, SH.property):
        if graph.value(prop, SH.path) == SCHEMA.identifier:
            return re.compile(str(graph.value(prop, SH.pattern)))
    raise AssertionError("no P-code pattern on PlaceShape")


def test_every_reference_pcode_passes_the_shape_pattern():
    pattern = _pcode_pattern()
    with (artefact_dir("reference") / "admin-units.csv").open(encoding="utf-8") as table:
        codes = [row["pcode"] for row in csv.DictReader(table)]
    assert len(codes) > 30000
    assert [code for code in codes if not pattern.search(code)] == []
    for bad in ("ml05", "M", "ML-05", "ML 05", "MLI001D001X99999"):
        assert not pattern.search(bad), bad


def test_pcode_shapes_with_pyshacl():
    """One place per P-code form, through pyshacl itself (not only Python's re)."""
    graph = Graph()
    codes = ["ML05", "BDI001", "IQG01", "IQG01Q01", "MMR001D001", "3501000", "LSA", "BES1"]
    for code in codes:
        place = IRIS.place(code)
        graph.add((place, IFRCKG.pcode, Literal(code)))
        graph.add((place, SCHEMA.identifier, Literal(code)))
    bad = IRIS.place("bad")
    graph.add((bad, SCHEMA.identifier, Literal("ml-05")))
    for place in [*map(IRIS.place, codes), bad]:
        graph.add(
            (
                place,
                URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                SCHEMA.AdministrativeArea,
            )
        )
        graph.add((place, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("x")))
    results = [r for r in shacl(graph, ["PlaceShape"]) if r.path == str(SCHEMA.identifier)]
    assert [r.focus for r in results] == [str(bad)]


def test_claims_say_whose_figure_they_are():
    graph = _graph(mali_report())
    query = """
        PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
        SELECT ?printed ?attribution ?who WHERE {
            ?claim a ifrckg:Claim ; ifrckg:printedValue ?printed ;
                   ifrckg:attribution ?attribution .
            OPTIONAL { ?claim ifrckg:attributedTo ?who }
        }"""
    found = {str(p): (str(a), who and str(who)) for p, a, who in graph.query(query)}
    assert found["400,000"] == ("other-organisation", "IOM")
    assert found["3,841"] == ("national-society", None)
    assert found["1.8 million"] == ("context", None)
    assert len(found) > 40
    ambiguous = """
        PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
        SELECT ?value ?reading WHERE {
            ?claim ifrckg:printedValue "25,6140" .
            OPTIONAL { ?claim ifrckg:value ?value }
            ?claim ifrckg:possibleValue ?reading .
        } ORDER BY ?reading"""
    rows = [(value, int(reading.toPython())) for value, reading in graph.query(ambiguous)]
    assert rows == [(None, 25614), (None, 256140)]
