"""Perturbed reports: parsing gives a Report or a ReportFormatError, never anything else."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.variants import mali_text

from ifrc_kg.errors import ReportFormatError
from ifrc_kg.model import Report
from ifrc_kg.report import parse_text

MALI_LINES = mali_text().split("\n")
ALPHABET = st.sampled_from(list("0123456789,.%MKm \t●✓•*#:/-()<>abcXYZ\né"))

edit = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(MALI_LINES) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(MALI_LINES) - 1)),
    st.tuples(st.just("swap"), st.integers(0, len(MALI_LINES) - 2)),
    st.tuples(
        st.just("char"),
        st.integers(0, len(MALI_LINES) - 1),
        st.integers(0, 400),
        ALPHABET,
    ),
    st.tuples(st.just("truncate"), st.integers(0, len(MALI_LINES) - 1), st.integers(0, 60)),
)


def _apply(lines: list[str], change: tuple) -> None:
    kind, index = change[0], change[1]
    if index >= len(lines):
        return
    if kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "swap" and index + 1 < len(lines):
        lines[index], lines[index + 1] = lines[index + 1], lines[index]
    elif kind == "char":
        line = lines[index]
        position = change[2] % (len(line) + 1)
        lines[index] = line[:position] + change[3] + line[position + 1 :]
    elif kind == "truncate":
        lines[index] = lines[index][: change[2]]


def _check(text: str) -> None:
    try:
        report = parse_text(text, "perturbed.txt")
    except ReportFormatError as error:
        assert error.file == "perturbed.txt"
        assert error.line is None or 1 <= error.line <= text.count("\n") + 1
        assert "\n" not in str(error)
        return
    assert isinstance(report, Report)
    for claim in report.claims:
        assert (
            text[claim.figure.source.start : claim.figure.source.end] == claim.figure.source.quote
        )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=6))
def test_perturbed_reports(changes):
    lines = list(MALI_LINES)
    for change in changes:
        _apply(lines, change)
    _check("\n".join(lines))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(MALI_LINES)), st.integers(0, len(MALI_LINES)))
def test_report_cut_anywhere(first, last):
    first, last = sorted((first, last))
    _check("\n".join(MALI_LINES[:first] + MALI_LINES[last:]))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    with contextlib.suppress(ReportFormatError):
        parse_text(text, "random.txt")
