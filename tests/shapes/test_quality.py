"""Data-quality checks (SHACL-SPARQL, severity Warning): each fires on a crafted report
variant and stays silent on a consistent one. Variants are text edits of the Mali report,
parsed and mapped like any report."""

from __future__ import annotations

import functools
from dataclasses import replace
from decimal import Decimal

import pytest
from rdflib import Graph
from tests.graph.helpers import (
    IRIS,
    Result,
    mali_graph,
    mali_report,
    report_only,
    shacl,
    variant,
)
from tests.variants import TABLE_CELLS, mali_text, misgrouped, with_cell

REPORT = IRIS.report("MLI", 2023)


def edited(*edits: tuple[str, str]) -> str:
    text = mali_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@functools.cache
def mali() -> Graph:
    return mali_graph()


def warnings(graph: Graph, shape: str) -> list[Result]:
    results = shacl(graph, [shape])
    assert all(r.severity == "Warning" for r in results)
    return results


# (a) partner funding rows vs the total ------------------------------------------------------


def test_partner_funding_within_rounding_is_silent() -> None:
    """Mali: rows 35.3M vs total 35.4M; "6M" is rounded to the million, so ±0.75M."""
    assert warnings(mali(), "PartnerFundingSumShape") == []


def test_partner_funding_beyond_rounding_fires() -> None:
    graph = variant(
        edited(("Total Funding Reported **CHF 35.4M**", "Total Funding Reported **CHF 38.4M**"))
    )
    found = warnings(graph, "PartnerFundingSumShape")
    assert [r.focus for r in found] == [str(REPORT)]
    assert "CHF 38.4M" in found[0].message
    assert "35300000" in found[0].message


def test_partner_funding_exact_rows_have_no_slack() -> None:
    """Exact figures leave no tolerance: a 1 franc gap between exact numbers fires."""
    graph = variant(
        edited(
            ("Belgian Red Cross\t2.1M", "Belgian Red Cross\t2,100,000"),
            ("Canadian Red Cross Society\t6M", "Canadian Red Cross Society\t6,000,000"),
            ("Danish Red Cross\t15.7M", "Danish Red Cross\t15,700,000"),
            ("Netherlands Red Cross\t3.8M", "Netherlands Red Cross\t3,800,000"),
            ("Spanish Red Cross\t7.7M", "Spanish Red Cross\t7,700,000"),
            ("**CHF 35.4M**", "**CHF 35,300,001**"),
        )
    )
    assert len(warnings(graph, "PartnerFundingSumShape")) == 1


# (b) funding sources vs the National Society's funding --------------------------------------


def test_funding_sources_within_rounding_is_silent() -> None:
    """Mali: 1.2M + 14M + 1.7M = 16.9M against 17M, both millions rounded to the million."""
    assert warnings(mali(), "FundingSourcesSumShape") == []


def test_funding_sources_beyond_rounding_fires() -> None:
    graph = variant(
        edited(("Participating National Societies\t14M", "Participating National Societies\t24M"))
    )
    found = warnings(graph, "FundingSourcesSumShape")
    assert [r.focus for r in found] == [str(REPORT)]
    assert "17M" in found[0].message


# (c) a narrative claim vs the indicator table -------------------------------------------------


def _claim_warnings(graph: Graph, words: str) -> list[Result]:
    return [r for r in warnings(graph, "ClaimAgreesWithTableShape") if words in r.message]


def test_claim_disagreeing_with_the_table_fires() -> None:
    """Mali: "trained 104 people in first aid" against 105 in the table; 50 reunited vs 200."""
    first_aid = _claim_warnings(mali(), "first aid")
    assert len(first_aid) == 1
    assert "104" in first_aid[0].message and "105" in first_aid[0].message
    assert _claim_warnings(mali(), "reunit")


def test_claim_agreeing_with_the_table_is_silent() -> None:
    graph = variant(
        edited(("has trained 104 people in first aid", "has trained 105 people in first aid"))
    )
    assert _claim_warnings(graph, "first aid") == []


def test_claim_equal_to_the_table_is_silent() -> None:
    graph = variant(edited(("reuniting 50 people with", "reuniting 200 people with")))
    assert _claim_warnings(graph, "reunit") == []


def test_claim_within_the_tables_rounding_is_silent() -> None:
    """A table value printed rounded to the thousand ("4,000") covers 3,500..4,500: the
    narrative's 3,841 people reached on heatwaves is then no disagreement, whether the
    rounding is stated (roundedTo) or shown by the trailing zeros; "4,001" is exact."""
    assert _claim_warnings(mali(), "heatwave") == []
    report = mali_report()
    rows = tuple(
        replace(row, figure=replace(row.figure, rounded_to=Decimal(1000)))
        if row.concept == "people-reached-heatwave-risk"
        else row
        for row in report.indicators
    )
    assert _claim_warnings(report_only(replace(report, indicators=rows)), "heatwave") == []
    exact = variant(edited(("response activities\t4,000", "response activities\t4,001")))
    assert _claim_warnings(exact, "heatwave")


# (d) an implausible printed figure ---------------------------------------------------------


def test_implausible_digit_grouping_fires() -> None:
    found = warnings(mali(), "PlausiblePrintShape")
    assert len(found) == 1
    assert '"25,6140"' in found[0].message
    assert "no value is recorded; it reads as 25614 or 256140." in found[0].message


def test_plausible_digit_grouping_is_silent() -> None:
    graph = variant(edited(("plant 25,6140 seedlings", "plant 25,614 seedlings")))
    assert warnings(graph, "PlausiblePrintShape") == []


def test_other_bad_groupings_fire() -> None:
    graph = variant(
        edited(
            ("plant 25,6140 seedlings", "plant 1234,567 seedlings"),
            ("About 4,846 people", "About 4,8 people"),
        )
    )
    messages = " ".join(r.message for r in warnings(graph, "PlausiblePrintShape"))
    assert '"1234,567"' in messages
    assert '"4,8"' in messages


@pytest.mark.parametrize(
    ("kind", "sum_shape"),
    [
        ("partner-funding", "PartnerFundingSumShape"),
        ("funding-sources", "FundingSourcesSumShape"),
    ],
)
def test_a_sum_with_an_ambiguous_row_is_skipped(kind: str, sum_shape: str) -> None:
    """One row of a sum printed ambiguously ("7,700,0000"): the sum is not checked (without
    the row it would fall short and fire), and the print is a finding of its own."""
    printed = misgrouped(TABLE_CELLS[kind][1])
    graph = variant(with_cell(mali_text(), kind, printed)[0])
    assert warnings(graph, sum_shape) == []
    found = warnings(graph, "PlausiblePrintShape")
    assert [r.message.split(":")[0] for r in found if f'"{printed}"' in r.message] == [
        f'The report prints "{printed}"'
    ]
    short = variant(with_cell(mali_text(), kind, "100")[0])
    assert len(warnings(short, sum_shape)) == 1  # the same sum, a row too small: it fires


def test_quality_shapes_are_warnings_with_messages() -> None:
    """Every SHACL-SPARQL check is a Warning with a message that names what it found."""
    from tests.graph.helpers import shapes

    from ifrc_kg.namespaces import SH

    graph = shapes()
    checks = list(graph.subjects(SH.sparql, None))
    assert len(checks) == 4
    for shape in checks:
        assert graph.value(shape, SH.severity) == SH.Warning, shape
        constraint = graph.value(shape, SH.sparql)
        message = str(graph.value(constraint, SH.message))
        assert "{?" in message, shape
        assert graph.value(constraint, SH.prefixes) is not None, shape
