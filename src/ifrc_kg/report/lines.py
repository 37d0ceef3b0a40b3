"""The report text as numbered lines, and the ``SourceSpan`` of any stretch of it.

Every parser works on ``Line`` objects (1-based number, 0-based offsets of the line's
first and one-past-last character) so that any value found inside a line can be given
an exact ``SourceSpan``: ``text[start:end] == quote`` in code points, as the W3C Web
Annotation ``TextPositionSelector`` counts them.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from ifrc_kg.errors import ReportFormatError
from ifrc_kg.model import SourceSpan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Line:
    """One line of the report, without its line break."""

    number: int
    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    def fields(self) -> list[tuple[str, int, int]]:
        """The tab-separated cells of the line with their file offsets.

        The PDF-to-text export kept table cells apart with tabs; empty cells stay
        (they carry column positions in the partner matrix).

        >>> Document("x.txt", "a\\tb c\\t\\td").lines[0].fields()
        [('a', 0, 1), ('b c', 2, 5), ('', 6, 6), ('d', 7, 8)]
        """
        cells = []
        position = self.start
        for cell in self.text.split("\t"):
            cells.append((cell, position, position + len(cell)))
            position += len(cell) + 1
        return cells


class Document:
    """A report's text with line bookkeeping; hands out ``SourceSpan``s.

    Line breaks ``\\n``, ``\\r\\n`` and ``\\r`` all end a line; offsets always index the
    text as given, so a span's quote is the text exactly as the file holds it.
    """

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.lines: list[Line] = []
        position = 0
        number = 1
        length = len(text)
        while position <= length:
            end = position
            while end < length and text[end] not in "\r\n":
                end += 1
            self.lines.append(Line(number, position, end, text[position:end]))
            if end >= length:
                break
            position = end + (2 if text.startswith("\r\n", end) else 1)
            number += 1
        self._starts = [line.start for line in self.lines]

    def line_at(self, offset: int) -> Line:
        """The line holding a character offset."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return self.lines[max(index, 0)]

    def line(self, number: int) -> Line:
        return self.lines[number - 1]

    def span(self, start: int, end: int) -> SourceSpan:
        """The ``SourceSpan`` of ``text[start:end]``, surrounding blanks trimmed.

        >>> doc = Document("r.txt", "one\\n two  \\nthree")
        >>> doc.span(4, 11)
        SourceSpan(file='r.txt', line_start=2, line_end=2, quote='two', start=5, end=8)
        """
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        first = self.line_at(start).number
        last = self.line_at(max(end - 1, start)).number
        return SourceSpan(self.file, first, last, self.text[start:end], start, end)

    def line_span(self, first: Line, last: Line | None = None) -> SourceSpan:
        """The span from the start of one line to the end of another (or the same)."""
        return self.span(first.start, (last or first).end)

    def error(self, line: Line | int | None, expected: str) -> ReportFormatError:
        """A ``ReportFormatError`` naming this file, a line and what was expected."""
        number = line.number if isinstance(line, Line) else line
        return ReportFormatError(self.file, number, expected)

    def between(self, first: int, last: int) -> Iterator[Line]:
        """Lines with numbers ``first`` up to, not including, ``last``."""
        yield from self.lines[max(first - 1, 0) : max(last - 1, 0)]


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one string (stop lists and the like)."""
    return frozenset(words.split())
