"""ONGOING EMERGENCY INDICATORS and the STRATEGIC PRIORITIES / ENABLING FUNCTIONS tables.

Indicator rows are ``area<TAB>label<TAB>value``; rows of the same area start with a
tab (the area carries down). Labels are matched to the template's indicators by
normalised form; an unknown label is kept with ``concept=None`` and a warning.
"""

from __future__ import annotations

import re

from ifrc_kg.concepts import EF, IND, SP
from ifrc_kg.model import Indicator, OngoingEmergency, Unit
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.lines import Line

ONGOING = re.compile(r"(?P<code>[A-Z]{2,8}\d{2,8})\s*/\s*\**(?P<name>[^*]+?)\**")
_PEOPLE_WORDS = ("people", "migrants", "persons", "volunteers", "households")


def parse_ongoing(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[OngoingEmergency, ...]:
    """``MGR60001 / *African Hunger Crisis*`` lines."""
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


def _default_unit(label: str) -> Unit:
    words = label.casefold().split()
    if words and words[0] in _PEOPLE_WORDS:
        return Unit.PERSONS
    return Unit.COUNT


def parse_priority_indicators(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[Indicator, ...]:
    """The STRATEGIC PRIORITIES indicator table."""
    return _indicators(ctx, lines, SP)


def parse_function_indicators(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[Indicator, ...]:
    """The ENABLING FUNCTIONS indicator table."""
    return _indicators(ctx, lines, EF)


def _indicators(
    ctx: ParseContext, lines: tuple[Line, ...], area_scheme: str
) -> tuple[Indicator, ...]:
    """Every row of one indicator table; ``area_scheme`` is SP or EF."""
    doc = ctx.doc
    rows: list[Indicator] = []
    area_label: str | None = None
    area: str | None = None
    for line in lines:
        if line.blank:
            continue
        cells = line.fields()
        if len(cells) != 3:
            raise doc.error(
                line, "an indicator row: area, indicator label and value, tab-separated"
            )
        if cells[0][0].strip():
            area_label = cells[0][0].strip()
            concept = ctx.concept(line, area_scheme, area_label, area_scheme)
            area = concept.notation if concept else None
        elif area_label is None:
            raise doc.error(line, "a strategic priority or enabling function before this row")
        label = cells[1][0].strip()
        if not label:
            raise doc.error(line, "an indicator label in the second column")
        indicator = ctx.concept(line, IND, label, "indicator")
        unit = indicator.unit if indicator and indicator.unit else _default_unit(label)
        value_text, start, end = cells[2]
        expected = f"a count, a percentage or Yes/No as the value of {label!r}"
        figure = ctx.figure(line, value_text, doc.span(start, end), unit, expected)
        rows.append(
            Indicator(area, area_label, indicator.notation if indicator else None, label, figure)
        )
    return tuple(rows)
