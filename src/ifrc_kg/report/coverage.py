"""Nothing dropped in silence: which non-blank lines of a report the model holds.

A line is read when a value of the model came from it (any ``SourceSpan`` of the model
covers it) or when the parser read it as structure (a heading, a table header, a
caption: ``ParseContext.read_as``). Every other non-blank line is listed as unread
with its number and the part of the template it stood in, so ``ifrc-kg parse
--coverage`` and the build report can show it.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from ifrc_kg.model import Coverage, Report, SourceSpan, UnreadLine
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.sections import Layout


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _spans(value: Any) -> list[SourceSpan]:
    """Every ``SourceSpan`` inside a model value (dataclasses, tuples, lists)."""
    found: list[SourceSpan] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, SourceSpan):
            found.append(item)
        elif isinstance(item, tuple | list):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, name) for name in _field_names(type(item)))
    return found


def _part_of(ctx: ParseContext, layout: Layout, number: int) -> str:
    """Where a line stands in the template, for the reason it was not read."""
    if number < layout.title.number:
        return "before the title, not the country name"
    for block in layout.blocks.values():
        if block.lines and block.lines[0].number <= number <= block.lines[-1].number:
            heading = next(p.heading for p in ctx.template.tables if p.key == block.name)
            return f"in {heading} but not a row the template knows"
    if layout.narrative and layout.narrative[0].number <= number <= layout.narrative[-1].number:
        return "in the narrative but in no section"
    if layout.contacts and number >= layout.contacts[0].number:
        return "in the contacts but not part of a contact"
    if number < (layout.narrative[0].number if layout.narrative else number + 1):
        return "on the first pages but under no table heading the template knows"
    return "outside every part of the template"


def measure_coverage(ctx: ParseContext, layout: Layout, report: Report) -> Coverage:
    """The coverage of a parsed report: counts and every unread non-blank line."""
    read = set(ctx.structure)
    for span in _spans(report):
        read.update(range(span.line_start, span.line_end + 1))
    for line in (layout.title, layout.narrative_heading, layout.contacts_heading):
        if line is not None:
            read.add(line.number)
    read.update(block.heading.number for block in layout.blocks.values())
    lines = [line for line in ctx.doc.lines if not line.blank]
    unread = tuple(
        UnreadLine(line.number, line.stripped, _part_of(ctx, layout, line.number))
        for line in lines
        if line.number not in read
    )
    return Coverage(lines=len(lines), read=len(lines) - len(unread), unread=unread)
