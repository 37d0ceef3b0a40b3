"""Nothing dropped in silence: every non-blank line read or listed, required parts present."""

from __future__ import annotations

import pytest
from tests import variants

from ifrc_kg.errors import ReportFormatError
from ifrc_kg.report import parse_text


def test_mali_every_line_read(mali, mali_source):
    non_blank = [line for line in mali_source.splitlines() if line.strip()]
    assert mali.coverage.lines == len(non_blank) == 288
    assert mali.coverage.read == 288
    assert mali.coverage.unread == ()


def test_unread_lines_are_listed_with_their_reason(mali_source):
    text = "Printed on recycled paper\n" + variants._replace(
        mali_source, "in Swiss francs (CHF)\n", "in Swiss francs (CHF)\nSee annex 4\n", 1
    )
    report = parse_text(text, "junk.txt")
    assert [(u.line, u.text) for u in report.coverage.unread] == [
        (1, "Printed on recycled paper"),
        (variants.line_number(text, "See annex 4"), "See annex 4"),
    ]
    reasons = [u.reason for u in report.coverage.unread]
    assert reasons[0] == "before the title, not the country name"
    assert reasons[1] == "in FINANCIAL OVERVIEW but not a row the template knows"
    assert report.coverage.read == report.coverage.lines - 2


@pytest.mark.parametrize("keep", [200, 380, 493])
def test_report_cut_short_is_an_error(mali_source, keep):
    text = "\n".join(mali_source.split("\n")[:keep])
    with pytest.raises(ReportFormatError) as caught:
        parse_text(text, "cut.txt")
    assert str(caught.value) == (
        "cut.txt: the report lacks parts the template requires (cut short?): 'Contact information'"
    )


def test_missing_required_table_is_named(mali_source):
    text = variants.without_lines(mali_source, "PEOPLE REACHED", "FINANCIAL OVERVIEW")
    with pytest.raises(ReportFormatError, match=r"lacks parts .*'PEOPLE REACHED'"):
        parse_text(text, "v.txt")


def test_no_narrative_is_named(mali_source):
    text = variants.without_lines(mali_source, "OVERALL PROGRESS", "Contact information")
    with pytest.raises(ReportFormatError, match="'OVERALL PROGRESS' or 'IFRC NETWORK ACTION'"):
        parse_text(text, "v.txt")


def test_unknown_operation_key_kept_as_printed(mali_source):
    text = variants._replace(
        mali_source,
        "PEOPLE TARGETED\t322,013\n",
        "PEOPLE TARGETED\t322,013\nIMPLEMENTING PARTNER\tMali Red Cross\n",
        1,
    )
    report = parse_text(text, "op.txt")
    dref = next(op for op in report.operations if op.code.text == "MDRML018")
    (row,) = dref.other_rows
    assert (row.label, row.value.text) == ("IMPLEMENTING PARTNER", "Mali Red Cross")
    line = variants.line_number(text, "IMPLEMENTING PARTNER\tMali Red Cross")
    assert row.value.source.line_start == line
    assert _new(report.warnings) == (
        f"op.txt:{line}: unknown operation-table key 'IMPLEMENTING PARTNER' kept as printed",
    )
    assert report.coverage.unread == ()


def _new(warnings: tuple[str, ...]) -> tuple[str, ...]:
    """The warnings beyond the Mali report's own (its misprinted "25,6140")."""
    return tuple(warning for warning in warnings if "'25,6140'" not in warning)
