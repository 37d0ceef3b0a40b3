"""``ifrc-kg build`` of a Mali variant with an ambiguous print ("8,9980": 8,998 or 89,980?)
in every kind of table cell: the build succeeds, each print is in the graph as printed with
its candidate readings, its line and quote and no value, each is a published finding
printed by the build, and the export keeps the row with a blank value."""

from __future__ import annotations

import csv
import functools
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from tests.variants import TABLE_CELLS, mali_text, misgrouped, printed_value, with_cell

from ifrc_kg.cli import main
from ifrc_kg.config import DEFAULT_BASE

REPORT = f"{DEFAULT_BASE}id/report/mli/2023"
PREFIXES = """
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/>
PREFIX qb: <http://purl.org/linked-data/cube#>
"""
#: The Mali report's own findings (four narrative figures the indicator table disagrees
#: with, and its narrative "25,6140"): those stay, each ambiguous table print adds one.
MALI_FINDINGS = 5


@functools.cache
def _variant() -> tuple[str, dict[str, tuple[str, int]]]:
    text = mali_text()
    cells = {}
    for kind, (_, printed, _) in TABLE_CELLS.items():
        ambiguous = misgrouped(printed)
        text, line = with_cell(text, kind, ambiguous)
        cells[kind] = (ambiguous, line)
    return text, cells


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("ambiguous")
    reports = root / "reports"
    reports.mkdir()
    text, _ = _variant()
    (reports / "ifrc-network-annual-report-mali-2023.txt").write_text(text, encoding="utf-8")
    out = root / "dist"
    args = ["build", "--reports", str(reports), "--out", str(out), "--jobs", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def store(built: tuple[Path, str]) -> ox.Store:
    loaded = ox.Store()
    loaded.load(path=str(built[0] / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return loaded


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def test_the_build_prints_every_finding(built: tuple[Path, str], store: ox.Store) -> None:
    output = built[1]
    count = MALI_FINDINGS + len(TABLE_CELLS)
    assert f"{REPORT}: {count} data-quality finding(s)" in output
    assert "0 violations" in output
    rows = _select(store, f"SELECT ?finding WHERE {{ <{REPORT}> ifrckg:finding ?finding }}")
    assert len(rows) == count


@pytest.mark.parametrize("kind", list(TABLE_CELLS))
def test_the_print_is_in_the_graph_with_readings_line_and_finding(
    kind: str, store: ox.Store
) -> None:
    printed, line = _variant()[1][kind]
    value = printed_value(TABLE_CELLS[kind][1])
    rows = _select(
        store,
        f"""SELECT ?figure ?reading ?line ?quote ?message ?measured WHERE {{
  ?figure ifrckg:printedValue "{printed}" ; ifrckg:possibleValue ?reading ;
          prov:wasDerivedFrom ?source .
  ?source ifrckg:lineStart ?line ; oa:hasSelector ?selector .
  ?selector a oa:TextQuoteSelector ; oa:exact ?quote .
  GRAPH <{DEFAULT_BASE}graph/findings> {{
    ?figure ifrckg:finding ?finding . ?finding sh:resultMessage ?message ;
        ifrckg:report <{REPORT}> .
  }}
  OPTIONAL {{
    ?figure ifrckg:amount|ifrckg:number|ifrckg:peopleReached|ifrckg:indicatorValue
            |schema:value|ifrckg:value ?measured
  }}
}}""",
    )
    assert {Decimal(row["reading"]) for row in rows} == {Decimal(value), Decimal(value * 10)}
    assert {(row["line"], row["quote"]) for row in rows} == {(str(line), printed)}
    assert all("measured" not in row for row in rows)  # no value, no guess
    (message,) = {row["message"] for row in rows}
    assert f'The report prints "{printed}"' in message
    assert f"it reads as {value} or {value * 10}." in message


def test_the_export_keeps_the_row_with_no_value(built: tuple[Path, str]) -> None:
    with (built[0] / "figures.csv").open(encoding="utf-8") as handle:
        rows = {row["printed"]: row for row in csv.DictReader(handle)}
    for kind in ("key-figure", "indicator", "partner-funding", "financial-overview"):
        printed, line = _variant()[1][kind]
        row = rows[printed]
        assert (row["value"], row["line"]) == ("", str(line))
        assert f'The report prints "{printed}"' in row["findings"]
