"""HXL and CSV export: read back with libhxl, one row per figure, values as in the graph."""

from __future__ import annotations

import csv
import functools
import io
from decimal import Decimal
from pathlib import Path

import hxl
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import QB, RDF
from tests.graph.helpers import PREFIXES, mali_dataset, union
from tests.variants import MALI_PATH, line_number, mali_text

from ifrc_kg import export
from ifrc_kg.cli import main

OBSERVATION_VALUES = (
    PREFIXES
    + """
SELECT ?obs ?value ?printed ?quote WHERE {
  ?obs a qb:Observation ; qb:dataSet/qb:structure/qb:component/qb:measure ?measure ;
       ifrckg:printedValue ?printed ; prov:wasDerivedFrom ?source .
  ?obs ?measure ?value .
  ?source oa:hasSelector ?selector . ?selector a oa:TextQuoteSelector ; oa:exact ?quote .
}"""
)


@functools.cache
def mali_union() -> Graph:
    return union(mali_dataset())


@functools.cache
def graph_values() -> dict[str, tuple[Literal, str, str]]:
    rows = mali_union().query(OBSERVATION_VALUES)
    return {str(row.obs): (row.value, str(row.printed), str(row.quote)) for row in rows}


@functools.cache
def hxl_text() -> str:
    return export.render(export.figure_rows(mali_dataset()), "hxl")


@pytest.fixture(scope="module")
def hxl_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "figures.hxl.csv"
    path.write_text(hxl_text(), encoding="utf-8")
    return path


def _hxl_rows(path: Path) -> tuple[hxl.Dataset, list[hxl.Row]]:
    source = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    return source, list(source)


def test_libhxl_reads_every_tag(hxl_file: Path) -> None:
    source, rows = _hxl_rows(hxl_file)
    assert [column.display_tag for column in source.columns] == [c.hxl for c in export.COLUMNS]
    assert [column.header for column in source.columns] == [c.name for c in export.COLUMNS]
    assert rows


def test_libhxl_validates_without_issues(hxl_file: Path) -> None:
    report = hxl.validate(hxl.data(str(hxl_file), hxl.InputOptions(allow_local=True)))
    assert report["stats"]["error"] == 0
    assert report["is_valid"], report["issues"]


def test_one_row_per_figure_of_the_graph(hxl_file: Path) -> None:
    _, rows = _hxl_rows(hxl_file)
    count = len(set(mali_union().subjects(RDF.type, QB.Observation)))
    assert len(rows) == count == len(graph_values()) == 149


def test_values_equal_the_graph(hxl_file: Path) -> None:
    _, rows = _hxl_rows(hxl_file)
    values = graph_values()
    for row in rows:
        value, printed, quote = values[row.get("#meta+id")]
        assert (row.get("#meta+printed") or "") == printed
        assert row.get("#meta+source+quote") == " ".join(quote.split())
        if isinstance(value.toPython(), bool):
            assert row.get("#indicator+answer") == ("yes" if value.toPython() else "no")
            assert not row.get("#indicator+value+num")
        else:
            assert Decimal(row.get("#indicator+value+num")) == Decimal(str(value))
            assert not row.get("#indicator+answer")


def _row(rows: list[hxl.Row], obs_suffix: str) -> hxl.Row:
    return next(row for row in rows if row.get("#meta+id").endswith(obs_suffix))


def test_known_rows(hxl_file: Path) -> None:
    _, rows = _hxl_rows(hxl_file)
    shelter = _row(rows, "/indicators/people-reached-shelter")
    assert shelter.get("#country+code") == "MLI"
    assert shelter.get("#org+name") == "Mali Red Cross"
    assert shelter.get("#date+year") == "2023"
    assert shelter.get("#sector+name") == "Disasters and crises"
    assert shelter.get("#indicator+name") == "People reached with shelter support"
    assert shelter.get("#indicator+value+num") == "15000"
    assert shelter.get("#indicator+unit") == "NUM"
    line = line_number(mali_text(), "\tPeople reached with shelter support\t15,000")
    assert shelter.get("#meta+source+line") == str(line)
    requirement = _row(rows, "/financial-overview/country/funding-requirement")
    assert requirement.get("#indicator+value+num") == "15600000"
    assert requirement.get("#meta+printed") == "15.6M"
    assert requirement.get("#meta+rounded") == "100000"
    assert requirement.get("#indicator+unit") == "CCY_CHF"
    danish = _row(rows, "/partner-funding/dnk")
    assert danish.get("#org+partner+name") == "Danish Red Cross"
    assert danish.get("#indicator+value+num") == "15700000"


def test_plain_csv_has_the_same_rows_without_hashtags() -> None:
    rows = export.figure_rows(mali_dataset())
    plain = list(csv.reader(io.StringIO(export.render(rows, "csv"))))
    tagged = list(csv.reader(io.StringIO(hxl_text())))
    assert plain[0] == tagged[0] == [column.name for column in export.COLUMNS]
    assert tagged[1][0] == "#country+code"
    assert plain[1:] == tagged[2:]
    assert len(plain) == 1 + 149


def test_export_from_a_build_directory_equals_export_from_the_dataset(tmp_path: Path) -> None:
    (tmp_path / "graph.nq").write_text(mali_dataset().serialize(format="nquads"), "utf-8")
    rows = export.figure_rows(export.store_from_dist(tmp_path))
    assert rows == export.figure_rows(mali_dataset())


def test_write_exports_for_the_build(tmp_path: Path) -> None:
    names = export.write_exports(mali_dataset(), tmp_path)
    assert names == [
        "figures.hxl.csv",
        "figures.csv",
        "figures-mli-2023.hxl.csv",
        "figures-mli-2023.csv",
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names)
    assert (tmp_path / "figures.hxl.csv").read_text(encoding="utf-8") == hxl_text()
    # one report: its own file holds every row
    assert (tmp_path / "figures-mli-2023.hxl.csv").read_text(encoding="utf-8") == hxl_text()


def test_cli_export_from_dist(tmp_path: Path) -> None:
    (tmp_path / "graph.nq").write_text(mali_dataset().serialize(format="nquads"), "utf-8")
    out = tmp_path / "out" / "figures.csv"
    result = CliRunner().invoke(
        main, ["export", "--format", "csv", "--dist", str(tmp_path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "exported 149 figures" in result.output
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("country_code,country,")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--dist", "nowhere"], "no graph.trig or graph.nq"),
        (["--reports", "nowhere"], "nowhere: not a directory of reports"),
        (["--dist", "a", "--reports", str(MALI_PATH.parent)], "give --dist or --reports"),
    ],
)
def test_cli_export_errors_are_one_line(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["export", *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_unknown_format_is_a_typed_error() -> None:
    with pytest.raises(export.BuildError, match="unknown export format 'xlsx'"):
        export.render([], "xlsx")
