"""The tables' column meanings are template data: declared, checked, and followed.

Each test parses the Mali report with an edited copy of the packaged template and
checks that the parser reads the report the way the edit says, with no code change.
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources

import pytest

from ifrc_kg import concepts
from ifrc_kg.errors import ReportFormatError
from ifrc_kg.model import Unit
from ifrc_kg.report import parse_text
from ifrc_kg.template import TemplateError, load_template, parse_template

MALI = "mali.txt"


def _raw() -> dict:
    text = resources.files("ifrc_kg.template").joinpath("network-report.toml").read_text("utf-8")
    return tomllib.loads(text)


def _column(raw: dict, table: str, name: str) -> dict:
    return next(column for column in raw["tables"][table]["columns"] if column["name"] == name)


def _parse_with(raw: dict, text: str):
    return parse_text(text, MALI, template=parse_template(raw))


def _unknown(warnings: tuple[str, ...], what: str) -> list[str]:
    prefix = f"unknown {what} '"
    return [w.split(prefix, 1)[1].split("'")[0] for w in warnings if prefix in w]


def test_every_table_declares_its_columns_in_known_schemes_and_units():
    known = {scheme.notation for scheme in concepts.SCHEMES}
    template = load_template()
    assert {part.key for part in template.tables} == {
        "key-figures",
        "people-reached",
        "financial-overview",
        "national-society-overview",
        "funding-sources",
        "ongoing-emergencies",
        "strategic-priorities",
        "enabling-functions",
        "partners",
    }
    for part in template.tables:
        assert part.columns, part.key
        assert part.heading or part.within or part.key == "key-figures", part.key
        for column in part.columns:
            assert column.scheme is None or column.scheme in known, (part.key, column)
            if column.fixed:
                members = {c.notation for c in concepts.scheme(column.scheme).members}
                assert column.fixed in members, (part.key, column)
    assert template.table("key-figures").lines == "number-first"
    assert template.table("people-reached").lines == "label-first"
    assert template.table("people-reached").column("number of people reached").unit is Unit.PERSONS
    assert template.table("financial-overview").column("funder group").carries_down
    assert template.table("funding-sources").column("financial flow type").fixed == "funding"
    assert template.table("partners").columns[2].scheme == "support-area"


def test_packaged_template_reads_mali_as_before(mali):
    """The declared meanings give the readings the constants gave (spot checks; the golden
    tests compare the whole model)."""
    assert [k.concept for k in mali.key_figures] == [
        "branches",
        "local-units",
        "volunteers",
        "staff",
    ]
    assert {f.flow_type for f in mali.funding_sources} == {"funding"}
    assert {f.funder_group for f in mali.national_society_overview} == {"national-society"}
    assert mali.coverage.read == mali.coverage.lines


def test_key_figures_follow_a_swapped_scheme(mali_source, mali):
    """Key figures read in another scheme: Mali's labels are unknown there, kept as printed
    with a warning each, and measured in the column's unit (count), not their concept's."""
    raw = copy.deepcopy(_raw())
    _column(raw, "key-figures", "key-figure label")["scheme"] = "reach-category"
    report = _parse_with(raw, mali_source)
    assert [k.concept for k in report.key_figures] == [None] * 4
    assert _unknown(report.warnings, "key-figure label") == [k.label for k in mali.key_figures]
    assert {k.figure.unit for k in report.key_figures} == {Unit.COUNT}
    assert [k.figure.value for k in report.key_figures] == [
        k.figure.value for k in mali.key_figures
    ]


def test_a_scheme_added_to_the_template_is_read(mali_source):
    """A new scheme of the edited file (not of the package) names the key figures."""
    raw = copy.deepcopy(_raw())
    raw["concepts"].append(
        {
            "scheme": "capacity",
            "notation": "branch-count",
            "label": "Branches",
            "alt_labels": ["National Society branches"],
            "definition": "Test concept.",
            "unit": "count",
        }
    )
    raw["schemes"].append(
        {
            "notation": "capacity",
            "label": "Capacity",
            "definition": "Test scheme.",
            "members": ["capacity/branch-count"],
        }
    )
    _column(raw, "key-figures", "key-figure label")["scheme"] = "capacity"
    report = _parse_with(raw, mali_source)
    assert [k.concept for k in report.key_figures] == ["branch-count", None, None, None]
    assert len(_unknown(report.warnings, "key-figure label")) == 3


def test_people_reached_follow_their_unit_and_line_order(mali_source, mali):
    raw = copy.deepcopy(_raw())
    _column(raw, "people-reached", "number of people reached")["unit"] = "count"
    report = _parse_with(raw, mali_source)
    assert {p.figure.unit for p in report.people_reached} == {Unit.COUNT}
    assert [p.concept for p in report.people_reached] == [p.concept for p in mali.people_reached]

    raw["tables"]["people-reached"]["lines"] = "number-first"
    with pytest.raises(ReportFormatError) as caught:
        _parse_with(raw, mali_source)
    first = mali.people_reached[0]
    assert caught.value.line == mali_source.split("\n").index(first.label) + 1
    assert caught.value.message == (
        f"a number of people reached on the line before {first.label!r}"
    )


def test_finance_columns_follow_the_template(mali_source, mali):
    """The overview's group column read as flow types; the funding sources' fixed flow."""
    raw = copy.deepcopy(_raw())
    _column(raw, "financial-overview", "funder group")["scheme"] = "flow-type"
    _column(raw, "funding-sources", "financial flow type")["fixed"] = "longer-term-funding"
    report = _parse_with(raw, mali_source)
    assert {f.funder_group for f in report.financial_overview} == {None}
    assert [f.flow_type for f in report.financial_overview] == [
        f.flow_type for f in mali.financial_overview
    ]
    assert set(_unknown(report.warnings, "funder group")) == {
        f.row_label.split(" / ")[0] for f in mali.financial_overview if " / " in f.row_label
    }
    assert {f.flow_type for f in report.funding_sources} == {"longer-term-funding"}
    assert [f.funder_group for f in report.funding_sources] == [
        f.funder_group for f in mali.funding_sources
    ]


def test_indicator_and_partner_columns_follow_the_template(mali_source, mali):
    raw = copy.deepcopy(_raw())
    _column(raw, "strategic-priorities", "strategic priority")["scheme"] = "enabling-function"
    raw["tables"]["partners"]["columns"][1]["unit"] = "count"
    report = _parse_with(raw, mali_source)
    in_priorities = sum(concepts.area_scheme(i.area) == concepts.SP for i in mali.indicators)
    assert in_priorities > 0
    assert {i.area for i in report.indicators[:in_priorities]} == {None}
    assert [i.area for i in report.indicators[in_priorities:]] == [
        i.area for i in mali.indicators[in_priorities:]
    ]
    assert [i.concept for i in report.indicators] == [i.concept for i in mali.indicators]
    # the total prints its own unit ("CHF 35.4M"), which wins over the column's
    assert report.total_funding_reported is not None
    assert report.total_funding_reported.unit is Unit.CHF
    assert {p.funding.unit for p in report.partners if p.funding} == {Unit.COUNT}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda raw: _column(raw, "enabling-functions", "value").pop("unit"),
            "[tables.enabling-functions] column 'value' is read as a number",
        ),
        (
            lambda raw: raw["tables"]["partners"]["columns"].pop(),
            "[tables.partners] has 2 columns; its parser reads 3",
        ),
        (
            lambda raw: _column(raw, "funding-sources", "funder group").update(name="funder"),
            "[tables.funding-sources] has no column 'funder group'",
        ),
    ],
    ids=["number-without-unit", "column-missing", "column-renamed"],
)
def test_columns_that_do_not_fit_their_parser_name_the_table(mali_source, edit, message):
    """A template that loads but whose columns the parser cannot read as declared fails
    before reading a row, naming the file and the table."""
    raw = copy.deepcopy(_raw())
    edit(raw)
    with pytest.raises(TemplateError) as caught:
        _parse_with(raw, mali_source)
    assert str(caught.value) == f"network-report.toml: {message}"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda raw: _column(raw, "people-reached", "people-reached label").update(
                scheme="reach-categories"
            ),
            "network-report.toml: [tables.people-reached] column 'people-reached label' "
            "names an unknown scheme 'reach-categories'",
        ),
        (
            lambda raw: _column(raw, "financial-overview", "amount").update(unit="EUR"),
            "network-report.toml: [tables.financial-overview] column 'amount' "
            "has an unknown unit 'EUR'",
        ),
        (
            lambda raw: _column(raw, "funding-sources", "financial flow type").update(
                fixed="donations"
            ),
            "network-report.toml: [tables.funding-sources] column 'financial flow type' "
            "fixes 'donations', not a 'flow-type' member",
        ),
        (
            lambda raw: raw["tables"]["key-figures"].update(lines="number-last"),
            "network-report.toml: [tables.key-figures] has lines = 'number-last'",
        ),
        (
            lambda raw: raw["tables"]["partners"].pop("columns"),
            "network-report.toml: [tables.partners] has no 'columns'",
        ),
    ],
    ids=["unknown-scheme", "unknown-unit", "unknown-fixed", "unknown-order", "no-columns"],
)
def test_bad_column_meanings_name_the_file_and_table(edit, message):
    raw = copy.deepcopy(_raw())
    edit(raw)
    with pytest.raises(TemplateError) as caught:
        parse_template(raw)
    assert str(caught.value).startswith(message)
