"""One operation, many reports: the Mali 2023 report plus a later report that lists the same
DREF (MDRML018) with a longer duration, more money and more people, under another name,
builds; the operation is one IRI with one label per language (the later report's print),
both prints are kept with their report, and each report's figures are its own statement
with its own sources (issues "Many reports, one knowledge graph", "Answers, not puzzles")."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest
from tests.variants import mali_text

from ifrc_kg.assemble import open_store
from ifrc_kg.config import DEFAULT_BASE
from ifrc_kg.publish import build
from ifrc_kg.server.examples import EXAMPLES

BASE = DEFAULT_BASE
LATER_NAME = "Dengue Outbreak in Mali"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OP = f"{BASE}id/operation/MDRML018"
PREFIXES = """
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _swap(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new)


def later_report(text: str) -> str:
    """The 2024 report: the DREF ran two months longer, with more money and people, and the
    report prints its name differently."""
    text = _swap(
        text, "2023 IFRC network annual report, Jan-Dec", "2024 IFRC network annual report, Jan-Dec"
    )
    text = _swap(text, "3 September 2024", "2 September 2025")
    text = _swap(
        text,
        "DURATION\t3 months (13 December 2023 to 31 March 2024)",
        "DURATION\t5 months (13 December 2023 to 31 May 2024)",
    )
    text = _swap(text, "FUNDING ALLOCATION\tCHF 204,222", "FUNDING ALLOCATION\tCHF 350,000")
    text = _swap(text, "PEOPLE TARGETED\t322,013", "PEOPLE TARGETED\t400,000")
    return _swap(text, "Mali Dengue Outbreak", LATER_NAME)


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ox.Store]:
    root = tmp_path_factory.mktemp("two-reports")
    reports = root / "reports"
    reports.mkdir()
    text = mali_text()
    (reports / "ifrc-network-annual-report-mali-2023.txt").write_text(text, encoding="utf-8")
    later = later_report(text)
    (reports / "ifrc-network-annual-report-mali-2024.txt").write_text(later, encoding="utf-8")
    out = root / "dist"
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1725321600"}):
        result = build(reports, out)
    assert result.report.conforms
    store = ox.Store()
    store.load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return out, store


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def test_one_operation_one_label(two_reports: tuple[Path, ox.Store]) -> None:
    _, store = two_reports
    for prop in ("rdfs:label", "skos:prefLabel", "schema:name"):
        labels = _select(store, f"SELECT DISTINCT ?label WHERE {{ <{OP}> {prop} ?label }}")
        assert labels == [{"label": LATER_NAME}], prop  # the latest report's print
        rows = _select(store, f"SELECT ?label WHERE {{ GRAPH ?g {{ <{OP}> {prop} ?label }} }}")
        assert len(rows) == 1, prop  # stated once, in <base>graph/labels
    alternatives = _select(store, f"SELECT ?alt WHERE {{ <{OP}> skos:altLabel ?alt }}")
    assert alternatives == [{"alt": "Mali Dengue Outbreak"}]
    appeal = _select(
        store, f"SELECT DISTINCT ?l WHERE {{ <{BASE}id/operation/MGR60001> rdfs:label ?l }}"
    )
    # the operation table's name, not the listing's ("African Hunger Crisis")
    assert appeal == [{"l": "Revised Africa Hunger Crisis Emergency Appeal 2023-2024"}]
    reports = _select(store, f"SELECT DISTINCT ?r WHERE {{ ?r ifrckg:operation <{OP}> }}")
    assert {row["r"] for row in reports} == {
        f"{BASE}id/report/mli/2023",
        f"{BASE}id/report/mli/2024",
    }


def test_each_report_states_its_own_figures_with_its_own_source(
    two_reports: tuple[Path, ox.Store],
) -> None:
    _, store = two_reports
    rows = _select(
        store,
        f"""SELECT ?year ?end ?months ?money ?people ?moneyLine ?moneyFile WHERE {{
  <{OP}> ifrckg:statement ?s .
  ?s ifrckg:year ?year ; schema:endDate ?end ; ifrckg:durationMonths ?months ;
     ifrckg:funding ?f ; ifrckg:peopleTargeted ?p .
  ?f schema:value ?money ; prov:wasDerivedFrom ?src .
  ?src ifrckg:lineStart ?moneyLine ; oa:hasSource/<http://purl.org/dc/terms/identifier> ?moneyFile .
  ?p schema:value ?people .
}} ORDER BY ?year""",
    )
    assert [(r["year"], r["end"], r["months"]) for r in rows] == [
        ("2023", "2024-03-31", "3"),
        ("2024", "2024-05-31", "5"),
    ]
    assert [float(r["money"]) for r in rows] == [204222.0, 350000.0]
    assert [r["people"] for r in rows] == ["322013", "400000"]
    assert [r["moneyFile"] for r in rows] == [
        "ifrc-network-annual-report-mali-2023.txt",
        "ifrc-network-annual-report-mali-2024.txt",
    ]
    assert rows[0]["moneyLine"] == rows[1]["moneyLine"]  # same place in each text


def test_people_are_integers_and_funding_has_concepts(two_reports: tuple[Path, ox.Store]) -> None:
    _, store = two_reports
    rows = _select(
        store,
        f"""SELECT ?people ?scope ?channel ?label WHERE {{
  <{OP}> ifrckg:statement ?s .
  ?s ifrckg:report <{BASE}id/report/mli/2023> ; ifrckg:peopleTargeted/schema:value ?people ;
     ifrckg:funding ?f .
  ?f ifrckg:fundingScope/skos:prefLabel ?scope ; ifrckg:fundingChannel/skos:prefLabel ?channel ;
     rdfs:label ?label .
  FILTER (DATATYPE(?people) = xsd:integer)
}}""",
    )
    assert rows == [
        {
            "people": "322013",
            "scope": "Funding allocation",
            "channel": "IFRC-DREF",
            "label": "Funding allocation, IFRC-DREF: CHF 204,222",
        }
    ]


def test_the_end_of_an_operation_is_an_end_date(two_reports: tuple[Path, ox.Store]) -> None:
    _, store = two_reports
    rows = _select(
        store,
        f"""SELECT ?start ?end WHERE {{
  <{OP}> ifrckg:statement ?s . ?s ifrckg:year "2023"^^xsd:gYear ; ifrckg:event ?e .
  OPTIONAL {{ ?e schema:startDate ?start }} OPTIONAL {{ ?e schema:endDate ?end }}
}} ORDER BY ?start ?end""",
    )
    assert {(r.get("start"), r.get("end")) for r in rows} == {
        ("2023-12-13", None),
        (None, "2024-03-31"),
    }


def test_operation_page_shows_the_statements_per_report(two_reports: tuple[Path, ox.Store]) -> None:
    from fastapi.testclient import TestClient

    from ifrc_kg.config import Settings
    from ifrc_kg.server.app import create_app

    out, _ = two_reports
    app = create_app(Settings.from_env(), dist=out)
    with TestClient(app) as client:
        page = client.get("/doc/operation/MDRML018", headers={"Accept": "text/html"}).text
    assert page.count('class="statement"') == 2
    assert "322,013" in page and "400,000" in page
    assert "204,222" in page and "350,000" in page


def test_every_print_is_kept_with_its_report(two_reports: tuple[Path, ox.Store]) -> None:
    _, store = two_reports
    printed = _select(
        store,
        f"""SELECT ?g ?name ?report ?statementName WHERE {{
  GRAPH ?g {{ <{OP}> ifrckg:nameAsPrinted ?name }}
  <{OP}> ifrckg:statement ?s . ?s ifrckg:report ?report ; ifrckg:nameAsPrinted ?statementName .
  GRAPH ?g {{ ?s ifrckg:report ?report }}
}} ORDER BY ?g""",
    )
    assert [(r["g"], r["name"], r["report"], r["statementName"]) for r in printed] == [
        (
            f"{BASE}graph/mli/2023",
            "Mali Dengue Outbreak",
            f"{BASE}id/report/mli/2023",
            "Mali Dengue Outbreak",
        ),
        (f"{BASE}graph/mli/2024", LATER_NAME, f"{BASE}id/report/mli/2024", LATER_NAME),
    ]
    graph = _select(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{OP}> rdfs:label ?l }} }}")
    assert graph == [{"g": f"{BASE}graph/labels"}]


def test_every_resource_has_one_label_per_language(two_reports: tuple[Path, ox.Store]) -> None:
    _, store = two_reports
    for prop in ("rdfs:label", "skos:prefLabel"):
        doubled = _select(
            store,
            f"""SELECT ?s (COUNT(DISTINCT ?l) AS ?n) WHERE {{ ?s {prop} ?l }}
GROUP BY ?s (LANG(?l)) HAVING (COUNT(DISTINCT ?l) > 1)""",
        )
        assert doubled == [], prop


def test_example_queries_give_no_doubled_rows(two_reports: tuple[Path, ox.Store]) -> None:
    out, _ = two_reports
    store = open_store(out)  # as the server queries it: the union, as a set, by default
    for example in EXAMPLES:
        solutions = store.query(example.query)
        names = [v.value for v in solutions.variables]
        rows = [tuple(s[n] for n in names) for s in solutions]
        assert rows, example.key
        if example.key == "operations":
            keys = [(row[0], row[1]) for row in rows]  # ?report ?code
            assert len(keys) == len(set(keys)) == 4, rows
            names_of = {row[1].value: row[3].value for row in rows}
            assert names_of["MDRML018"] == LATER_NAME


def test_a_report_dump_carries_the_builds_label(two_reports: tuple[Path, ox.Store]) -> None:
    out, _ = two_reports
    quads = (out / "reports" / "mli-2023.nq").read_text(encoding="utf-8")
    label = f'<{OP}> <http://www.w3.org/2000/01/rdf-schema#label> "{LATER_NAME}"@en'
    assert f"{label} <{BASE}graph/labels> ." in quads
    turtle = ox.Store()
    turtle.load(path=str(out / "reports" / "mli-2023.ttl"), format=ox.RdfFormat.TURTLE)
    assert (
        len(list(turtle.quads_for_pattern(ox.NamedNode(OP), ox.NamedNode(RDFS_LABEL), None))) == 1
    )
