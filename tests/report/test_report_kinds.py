"""Annual and mid-year reports: the kind and the period come from the title."""

from __future__ import annotations

from datetime import date

import pytest
from tests import variants

from ifrc_kg.errors import NotAReportError, ReportFormatError
from ifrc_kg.report import parse_text


def test_annual_report(mali):
    assert (mali.kind, mali.period_start, mali.period_end) == (
        "annual",
        date(2023, 1, 1),
        date(2023, 12, 31),
    )


@pytest.mark.parametrize("year_after", [False, True])
def test_mid_year_report(mali_source, year_after):
    report = parse_text(variants.mid_year(mali_source, year_after), "mid.txt")
    assert (report.kind, report.year) == ("mid-year", 2023)
    assert (report.period_start, report.period_end) == (date(2023, 1, 1), date(2023, 6, 30))
    assert report.title.source.line_start == 7
    assert len(report.indicators) == 34
    assert report.coverage.unread == ()


def test_mid_year_without_months_covers_its_default_half(mali_source):
    text = variants._replace_line(
        mali_source, "2023 IFRC network annual report, Jan-Dec", "2024 IFRC network mid-year report"
    )
    report = parse_text(text, "mid.txt")
    assert (report.period_start, report.period_end) == (date(2024, 1, 1), date(2024, 6, 30))


def test_impossible_period_is_an_error(mali_source):
    text = variants._replace_line(
        mali_source,
        "2023 IFRC network annual report, Jan-Dec",
        "2023 IFRC network mid-year report, Jun-Jan",
    )
    with pytest.raises(ReportFormatError) as caught:
        parse_text(text, "bad.txt")
    assert caught.value.line == 7
    assert "a period of months like 'Jan-Dec'" in str(caught.value)


def test_other_kind_of_report_is_not_a_report(mali_source):
    text = variants._replace_line(
        mali_source,
        "2023 IFRC network annual report, Jan-Dec",
        "2023 IFRC network quarterly report, Jan-Mar",
    )
    with pytest.raises(NotAReportError, match="no title line like"):
        parse_text(text, "q.txt")
