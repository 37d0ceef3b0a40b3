"""Findings are data: the build's data-quality warnings as the named graph graph/findings,
linked from each figure involved, in the exports and printed by ``ifrc-kg build``."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

import ifrc_kg.publish as publish
from ifrc_kg.cli import main
from ifrc_kg.config import DEFAULT_BASE
from ifrc_kg.findings import Finding, collect_findings, findings_graph
from ifrc_kg.publish import BuildResult
from ifrc_kg.validate import ValidationReport, validate

if TYPE_CHECKING:  # conftest is not importable as a module
    from tests.publish.conftest import Published

BASE = DEFAULT_BASE
FIRST_AID = f"{BASE}id/observation/mli/2023/indicators/people-trained-first-aid"
PREFIXES = """
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


@pytest.fixture(scope="module")
def store(published: Published) -> ox.Store:
    loaded = ox.Store()
    loaded.load(path=str(published.out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return loaded


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def test_build_result_lists_the_mali_findings(published: Published) -> None:
    findings = published.result.findings
    assert len(findings) == len(published.result.report.warnings) == 5
    first_aid = [f for f in findings if FIRST_AID in f.figures]
    assert len(first_aid) == 1
    finding = first_aid[0]
    assert finding.report == f"{BASE}id/report/mli/2023"
    assert finding.difference == Decimal(1) and finding.tolerance == Decimal(0)
    assert "104" in finding.message and "105" in finding.message
    claim = [figure for figure in finding.figures if "/claim/" in figure]
    assert claim == [finding.focus]


def test_findings_are_a_named_graph_linked_from_each_figure(store: ox.Store) -> None:
    graphs = {g.value for g in store.named_graphs()}
    assert f"{BASE}graph/findings" in graphs
    rows = _select(
        store,
        f"""SELECT ?finding ?message ?difference ?tolerance ?other ?severity WHERE {{
  GRAPH <{BASE}graph/findings> {{
    <{FIRST_AID}> ifrckg:finding ?finding .
    ?finding sh:resultMessage ?message ; sh:resultSeverity ?severity ;
             ifrckg:difference ?difference ; ifrckg:tolerance ?tolerance ;
             ifrckg:comparesFigure ?other .
  }}
  FILTER (?other != <{FIRST_AID}>)
}}""",
    )
    assert len(rows) == 1
    row = rows[0]
    assert Decimal(row["difference"]) == 1 and Decimal(row["tolerance"]) == 0
    assert row["severity"] == "http://www.w3.org/ns/shacl#Warning"
    # the other figure is the narrative claim, quoted from its sentence
    quote = _select(
        store,
        f"""SELECT ?quote WHERE {{ <{row["other"]}> prov:wasDerivedFrom/oa:hasSelector/oa:exact
        ?quote }}""",
    )
    assert "trained 104 people in first aid" in quote[0]["quote"]


def test_the_partner_total_within_rounding_is_no_finding(store: ox.Store) -> None:
    """35.3M of rows against a 35.4M total is within rounding: no finding on the total."""
    total = f"{BASE}id/observation/mli/2023/partner-funding-total"
    rows = _select(
        store,
        f'SELECT ?f WHERE {{ ?f ifrckg:comparesFigure ?x FILTER STRSTARTS(STR(?x), "{total}") }}',
    )
    assert rows == []
    every = _select(store, "SELECT DISTINCT ?f WHERE { ?f a ifrckg:Finding }")
    assert len(every) == 5


def test_exports_carry_a_findings_column(published: Published) -> None:
    with (published.out / "figures.csv").open(encoding="utf-8") as handle:
        rows = {row["observation"]: row for row in csv.DictReader(handle)}
    assert "104" in rows[FIRST_AID]["findings"]
    assert sum(1 for row in rows.values() if row["findings"]) == 4  # 4 table rows involved
    volunteers = [r for o, r in rows.items() if o.endswith("key-figures/volunteers")]
    assert volunteers and volunteers[0]["findings"] == ""
    tagged = (published.out / "figures.hxl.csv").read_text(encoding="utf-8").splitlines()
    assert tagged[1].endswith("#meta+finding")


# --- the machinery, on a hand-made graph -----------------------------------------------------

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

ex:shapes a owl:Ontology ;
    sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:Required a sh:NodeShape ; sh:targetClass ex:Total ;
    sh:property [ sh:path ex:label ; sh:minCount 1 ] .
ex:SumCheck a sh:NodeShape ;
    sh:targetClass ex:Total ;
    sh:severity sh:Warning ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:prefixes ex:shapes ;
        sh:message "parts {?sum}, total {?total}" ;
        sh:select \"\"\"SELECT $this ?total (SUM(?c) AS ?sum) (ABS(?total - SUM(?c)) AS ?difference)
              (0.5 AS ?tolerance)
              (CONCAT(STR($this), " ", GROUP_CONCAT(STR(?part); separator=" ")) AS ?compared)
            WHERE { $this ex:count ?total ; ex:part ?part . ?part ex:count ?c }
            GROUP BY $this ?total HAVING (ABS(?total - SUM(?c)) > 0.5)\"\"\" ;
    ] .
"""

DATA = """
@prefix ex: <http://example.org/> .
ex:good a ex:Total ; ex:label "g" ; ex:count 12 ; ex:part ex:a, ex:b .
ex:bad a ex:Total ; ex:count 13 ; ex:part ex:a, ex:b .
ex:a ex:count 5 . ex:b ex:count 7 .
"""


def test_only_warnings_that_fired_become_findings() -> None:
    shapes = Graph().parse(data=SHAPES, format="turtle")
    data = Graph().parse(data=DATA, format="turtle")
    report = validate(data, shapes=shapes, vocabulary=Graph(), data_cube=False)
    assert len(report.violations) == 1  # ex:bad has no label: a violation, not a finding
    findings = collect_findings(report.violations + report.warnings, data, shapes, BASE)
    assert [f.focus for f in findings] == ["http://example.org/bad"]
    (finding,) = findings
    assert finding.difference == Decimal(1) and finding.tolerance == Decimal("0.5")
    assert set(finding.figures) == {
        "http://example.org/bad",
        "http://example.org/a",
        "http://example.org/b",
    }
    graph = findings_graph(findings, BASE)
    node = URIRef(finding.iri)
    for figure in finding.figures:
        assert (URIRef(figure), URIRef(BASE + "def/core#finding"), node) in graph
    assert finding.iri.startswith(f"{BASE}id/finding/SumCheck/")


def test_build_prints_findings_per_report(monkeypatch: pytest.MonkeyPatch) -> None:
    report_iri = f"{BASE}id/report/mli/2023"
    findings = tuple(
        Finding(f"{BASE}id/finding/x/{n}", report_iri, "Warning", "s", f"f{n}", f"message {n}", ())
        for n in range(5)
    )

    def fake_build(reports_dir: Path, out: Path, **options: Any) -> BuildResult:
        manifest = {
            "triples": 3,
            "reports": [
                {"iri": report_iri, "file": "mali.txt", "lines": 9, "lines_read": 9},
                {"iri": "r2", "file": "r2.txt", "lines": 4, "lines_read": 4},
            ],
            "violations": 0,
            "warnings": 5,
        }
        report = ValidationReport(True, (), (), report_graph=Graph())
        return BuildResult(out=out, manifest=manifest, report=report, findings=findings)

    monkeypatch.setattr(publish, "build", fake_build)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert f"{report_iri}: 5 data-quality finding(s)" in result.output
    assert "  - message 0" in result.output and "  - message 2" in result.output
    assert "message 3" not in result.output and "… and 2 more" in result.output
    assert "r2: 0 data-quality finding(s)" in result.output
