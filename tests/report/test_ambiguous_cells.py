"""An ambiguous print in a table cell ("25,6140": 25,614 or 256,140?) is kept as printed,
with its candidate readings and its source, no value and a finding; a print in a form the
template does not use ("15,7M", "1.2.3", "CHF two hundred") stays an error naming the file
and the line. One generated variant of the Mali report per kind of table cell."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.variants import TABLE_CELLS, mali_text, misgrouped, printed_value, with_cell

from ifrc_kg.errors import ReportFormatError
from ifrc_kg.model import Figure, Report, Unit
from ifrc_kg.report import parse_text

KINDS = list(TABLE_CELLS)
MONEY = {
    "financial-overview",
    "national-society-overview",
    "funding-sources",
    "partner-funding",
    "partner-total",
    "dref-allocation",
    "appeal-requirement",
}


def table_figures(report: Report) -> list[Figure]:
    """Every figure of the report's tables, operation tables included."""
    figures = [row.figure for row in report.key_figures + report.people_reached]
    figures += [row.figure for row in report.indicators]
    for rows in (
        report.financial_overview,
        report.national_society_overview,
        report.funding_sources,
    ):
        figures += [row.figure for row in rows]
    figures += [row.funding for row in report.partners if row.funding is not None]
    if report.total_funding_reported is not None:
        figures.append(report.total_funding_reported)
    for operation in report.operations:
        figures += list(operation.people_affected)
        figures += [operation.people_targeted] if operation.people_targeted else []
        figures += [funding.figure for funding in operation.funding]
    return figures


@pytest.mark.parametrize("kind", KINDS)
def test_an_ambiguous_print_is_kept_with_its_readings_and_no_value(kind: str) -> None:
    printed = misgrouped(TABLE_CELLS[kind][1])
    text, line = with_cell(mali_text(), kind, printed)
    report = parse_text(text, "ambiguous.txt")
    unread = [figure for figure in table_figures(report) if figure.value is None]
    assert len(unread) == 1
    (figure,) = unread
    value = printed_value(TABLE_CELLS[kind][1])
    assert figure.printed == printed
    assert figure.readings == (Decimal(value), Decimal(value * 10))
    assert figure.rounded_to is None
    assert (figure.unit is Unit.CHF) == (kind in MONEY)
    assert (figure.source.line_start, figure.source.quote) == (line, printed)
    assert text[figure.source.start : figure.source.end] == printed
    assert (
        f"ambiguous.txt:{line}: {printed!r} kept as printed with no value: its digits are "
        f"not grouped in threes ({value:,} or {value * 10:,}?)" in report.warnings
    )
    mali = table_figures(parse_text(mali_text(), "mali.txt"))
    assert len(table_figures(report)) == len(mali)  # no figure lost, none added


def _bad_prints(kind: str) -> list[str]:
    """Prints that are no number of the template: a decimal comma, two points, words."""
    chf = "CHF " if TABLE_CELLS[kind][1].startswith("CHF") else ""
    prints = [f"{chf}15,7M", f"{chf}1.2.3"]
    if kind != "appeal-people-affected":  # free text there: words are no figure at all
        prints.append("CHF two hundred")
    return prints


@pytest.mark.parametrize(
    ("kind", "printed"), [(kind, printed) for kind in KINDS for printed in _bad_prints(kind)]
)
def test_a_malformed_print_is_still_an_error_with_file_and_line(kind: str, printed: str) -> None:
    text, line = with_cell(mali_text(), kind, printed)
    with pytest.raises(ReportFormatError) as caught:
        parse_text(text, "bad.txt")
    error = caught.value
    assert (error.file, error.line) == ("bad.txt", line)
    assert "\n" not in str(error)
    if "," in printed:  # a decimal comma is named, with the form the template prints
        assert "has a decimal comma: the template prints" in error.message
