"""ONGOING EMERGENCY INDICATORS and the STRATEGIC PRIORITIES / ENABLING FUNCTIONS tables.

Indicator rows are ``area<TAB>label<TAB>value``; rows of the same area start with a
tab (the area carries down). The template's ``[tables]`` name each column's scheme and
the value's unit. Labels are matched to the template's indicators by
normalised form; an unknown label is kept with ``concept=None`` and a warning.
"""

from __future__ import annotations

import re

from ifrc_kg.model import Indicator, OngoingEmergency, Unit
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.lines import Line
from ifrc_kg.template import Column, TablePart

ONGOING = re.compile(r"(?P<code>[A-Z]{2,8}\d{2,8})\s*/\s*\**(?P<name>[^*]+?)\**")


def parse_ongoing(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[OngoingEmergency, ...]:
    """``MGR60001 / *African Hunger Crisis*`` lines (the pattern ``ONGOING``: code, name)."""
    ctx.template.table("ongoing-emergencies").read_as("text", "text")
    doc = ctx.doc
    found = []
    for line in lines:
        if line.blank:
            continue
        match = ONGOING.fullmatch(line.stripped)
        if not match:
            raise doc.error(
                line, "an operation code and name like 'MGR60001 / *African Hunger Crisis*'"
            )
        offset = line.start + line.text.index(line.stripped)
        found.append(
            OngoingEmergency(
                match["code"],
                match["name"].strip(),
                doc.span(offset, offset + len(line.stripped)),
            )
        )
    return tuple(found)


def _default_unit(label: str, value: Column) -> Unit:
    """The value column's unit, or persons when the label starts with a word for people."""
    assert value.unit is not None
    words = label.casefold().split()
    if words and words[0] in value.persons_words:
        return Unit.PERSONS
    return value.unit


def parse_priority_indicators(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[Indicator, ...]:
    """The STRATEGIC PRIORITIES indicator table."""
    return _indicators(ctx, lines, ctx.template.table("strategic-priorities"))


def parse_function_indicators(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[Indicator, ...]:
    """The ENABLING FUNCTIONS indicator table."""
    return _indicators(ctx, lines, ctx.template.table("enabling-functions"))


def _indicators(
    ctx: ParseContext, lines: tuple[Line, ...], table: TablePart
) -> tuple[Indicator, ...]:
    """Every row of one indicator table: area, indicator and value columns as the template
    declares them (the area carries down)."""
    doc = ctx.doc
    area_column, indicator_column, value_column = table.read_as("label", "label", "number")
    assert area_column.scheme and indicator_column.scheme and value_column.unit
    names = ", ".join(column.name for column in table.columns)
    rows: list[Indicator] = []
    area_label: str | None = None
    area: str | None = None
    for line in lines:
        if line.blank:
            continue
        cells = line.fields()
        if len(cells) != 3:
            raise doc.error(line, f"an indicator row: {names}, tab-separated")
        if cells[0][0].strip():
            area_label = cells[0][0].strip()
            concept = ctx.concept(line, area_column.scheme, area_label, area_column.name)
            area = concept.notation if concept else None
        elif area_label is None:
            raise doc.error(line, f"a {area_column.name} before this row")
        label = cells[1][0].strip()
        if not label:
            raise doc.error(line, f"an {indicator_column.name} label in the second column")
        indicator = ctx.concept(line, indicator_column.scheme, label, indicator_column.name)
        unit = (
            indicator.unit if indicator and indicator.unit else _default_unit(label, value_column)
        )
        value_text, start, end = cells[2]
        expected = f"a count, a percentage or Yes/No as the value of {label!r}"
        figure = ctx.figure(line, value_text, doc.span(start, end), unit, expected)
        rows.append(
            Indicator(area, area_label, indicator.notation if indicator else None, label, figure)
        )
    return tuple(rows)
