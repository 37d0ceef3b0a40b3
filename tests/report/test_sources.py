"""Every value of the model keeps an exact source: ``text[start:end] == quote``."""

from __future__ import annotations

import dataclasses

import pytest
from tests import variants

from ifrc_kg.model import SourceSpan
from ifrc_kg.report import parse_text


def _spans(value):
    if isinstance(value, SourceSpan):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _spans(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _spans(item)


def _check(report, text):
    lines = text.split("\n")
    spans = list(_spans(report))
    assert len(spans) > 500
    for span in spans:
        assert span.file == report.source_file
        assert text[span.start : span.end] == span.quote
        assert span.quote == span.quote.strip() and span.quote
        assert 1 <= span.line_start <= span.line_end <= len(lines)
        assert span.quote.split("\n")[0] in lines[span.line_start - 1]
        assert span.line_end - span.line_start == span.quote.count("\n")


def test_mali_spans(mali, mali_source):
    _check(mali, mali_source)


@pytest.mark.parametrize(
    "variant", [variants.niger, variants.two_drefs, variants.partner_added_and_removed]
)
def test_variant_spans(mali_source, variant):
    text = variant(mali_source)
    _check(parse_text(text, "v.txt"), text)


def test_windows_line_endings(mali_source):
    """CRLF and a BOM do not change the model: offsets index the text with LF breaks."""
    text = "\ufeff" + mali_source.replace("\n", "\r\n")
    report = parse_text(text, "crlf.txt")
    plain = parse_text(mali_source, "crlf.txt")
    assert report == plain
    assert [s for s in _spans(report) if mali_source[s.start : s.end] != s.quote] == []
    assert not any("\r" in s.quote for s in _spans(report))
    assert report.financial_overview[0].figure.source.line_start == 79
    assert len(report.indicators) == 34
