"""Emergency appeal and DREF operation tables (``KEY<TAB>value`` rows).

A table starts at a "NAME OF OPERATION" row and runs over the rows whose key the
template knows, then the "Link to …" rows after it. Any number of tables, anywhere.
A DREF table has FUNDING ALLOCATION / PEOPLE TARGETED; an appeal table has FUNDING
REQUIREMENTS (scopes and channels in an HTML-ish bullet list) and PEOPLE AFFECTED.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ifrc_kg.concepts import normalise_label
from ifrc_kg.model import (
    Figure,
    LinkedDocument,
    Operation,
    OperationEvent,
    OperationFunding,
    OperationKind,
    OperationRow,
    Text,
    Unit,
)
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.dates import find_dates
from ifrc_kg.report.lines import Document, Line
from ifrc_kg.report.numbers import NUMBER_PATTERN

# A row of an operation table the template has no key for: a short label in capitals.
UNKNOWN_KEY = re.compile(r"[A-Z][A-Z0-9 /&()'’-]{1,60}")
LINK = re.compile(r"link\s+to\s+(?P<role>.+)", re.IGNORECASE)
# A number of people: a whole run of digits, points and commas (so "1.2.3" is read whole and
# refused, never as 1.2), then an optional magnitude.
PEOPLE_NUMBER = re.compile(
    r"(?<![\w.,])\d(?:[\d.,]*\d)?(?:\s*(?:thousand|millions?|billion|bn|mn|[kKmMbB])(?!\w))?"
)
BULLET = re.compile(r"[•●]")
# A bullet of FUNDING REQUIREMENTS: "• channel: CHF amount"; the amount's digits end where
# the number ends ("CHF 1.2.3" is no amount, not CHF 1.2).
ITEM = re.compile(
    r"[•●]\s*(?P<channel>[^:•●<]+?)\s*:\s*(?P<amount>CHF\s*\d[\d,]*(?:\.\d+)?(?![.,]?\d)"
    r"(?:\s*(?:million|bn|[kKmM])(?!\w))?)"
)
TAG = re.compile(r"<[^>]*>")
MONTHS = re.compile(r"(?P<count>\d+)\s+months?\b", re.IGNORECASE)
_EVENT_EDGES = re.compile(
    r"^(?:\W|\d+\s+months?\b|with\b|and\b|then\b|as\b)+|(?:\W|\bon|\bto|\bfrom|\buntil|\bin)+$",
    re.IGNORECASE,
)


@dataclass
class _Cell:
    key: str
    label: str
    line: Line
    text: str
    start: int
    end: int


def _cell(keys: dict[str, str], line: Line, in_table: bool = False) -> _Cell | None:
    """The row of an operation table a line is; an unknown capitals key only inside one."""
    cells = line.fields()
    if len(cells) < 2:
        return None
    label = cells[0][0].strip()
    key = keys.get(normalise_label(label))
    link = LINK.fullmatch(label)
    if key is None and link is None:
        if not (in_table and UNKNOWN_KEY.fullmatch(label) and any(c[0].strip() for c in cells[1:])):
            return None
        key = "unknown"
    rest_start = cells[1][1]
    text = line.text[rest_start - line.start :]
    return _Cell(key or "link", label, line, text, rest_start, line.end)


def parse_operations(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[Operation, ...]:
    """Every operation table among the lines (the table keys are the template's)."""
    doc = ctx.doc
    keys = {normalise_label(label): key for label, key in ctx.template.operation_keys.items()}
    operations = []
    index = 0
    while index < len(lines):
        line = lines[index]
        first = _cell(keys, line) if "\t" in line.text else None
        if first is None or first.key != "name":
            index += 1
            continue
        cells = [first]
        index += 1
        while index < len(lines):
            candidate = lines[index]
            if candidate.blank:
                index += 1
                continue
            cell = _cell(keys, candidate, in_table=True)
            if cell is None or cell.key == "name":
                break
            cells.append(cell)
            index += 1
        operation = _operation(ctx, cells)
        ctx.operation_names.add(operation.name.text)
        for number in range(operation.source.line_start, operation.source.line_end + 1):
            ctx.read_as(doc.line(number), "operation table")
        operations.append(operation)
    return tuple(operations)


def _text(doc: Document, cell: _Cell) -> Text:
    span = doc.span(cell.start, cell.end)
    return Text(" ".join(span.quote.split()), span)


def _operation(ctx: ParseContext, cells: list[_Cell]) -> Operation:
    doc = ctx.doc
    by_key: dict[str, _Cell] = {}
    documents: list[LinkedDocument] = []
    other_rows: list[OperationRow] = []
    for cell in cells:
        if cell.key == "unknown":
            ctx.warn(cell.line, f"unknown operation-table key {cell.label!r} kept as printed")
            other_rows.append(OperationRow(cell.label, _text(doc, cell)))
        elif cell.key == "link":
            link = LINK.fullmatch(cell.label)
            assert link is not None
            documents.append(_document(doc, cell, link["role"].strip()))
        elif cell.key == "update":
            documents.append(_document(doc, cell, cell.label.strip().capitalize()))
        elif cell.key in by_key:
            raise doc.error(cell.line, f"one {cell.label} row per operation table")
        else:
            by_key[cell.key] = cell
    head = cells[0]
    for key, label in (("code", "MDR-CODE"), ("duration", "DURATION")):
        if key not in by_key:
            raise doc.error(head.line, f"a {label} row in the operation table")
    if not by_key["code"].text.strip():
        raise doc.error(by_key["code"].line, "an operation code after MDR-CODE")
    dref = "allocation" in by_key or "targeted" in by_key
    duration = _text(doc, by_key["duration"])
    start, end, events, months = _duration(by_key["duration"])
    affected: tuple[Figure, ...] = ()
    affected_text: Text | None = None
    if "affected" in by_key:
        affected_text = _text(doc, by_key["affected"])
        affected = _people_figures(ctx, by_key["affected"])
    targeted: Figure | None = None
    if "targeted" in by_key:
        targeted = _single_figure(ctx, by_key["targeted"], Unit.PERSONS, "a number of people")
    funding: list[OperationFunding] = []
    if "requirements" in by_key:
        funding += _requirements(ctx, by_key["requirements"])
    if "allocation" in by_key:
        figure = _single_figure(ctx, by_key["allocation"], Unit.CHF, "a CHF amount")
        funding.append(OperationFunding("Funding allocation", "IFRC-DREF", figure))
    last = cells[-1].line
    return Operation(
        kind=OperationKind.DREF if dref else OperationKind.EMERGENCY_APPEAL,
        name=_text(doc, head),
        code=_text(doc, by_key["code"]),
        duration=duration,
        start=start,
        end=end,
        duration_months=months,
        events=events,
        people_affected=affected,
        people_affected_text=affected_text,
        people_targeted=targeted,
        funding=tuple(funding),
        documents=tuple(documents),
        source=doc.span(head.line.start, last.end),
        other_rows=tuple(other_rows),
    )


def _document(doc: Document, cell: _Cell, role: str) -> LinkedDocument:
    span = doc.span(cell.start, cell.end)
    if not span.quote:
        raise doc.error(cell.line, f"a document title after {cell.label!r}")
    return LinkedDocument(role, " ".join(span.quote.split()), span)


def _duration(cell: _Cell):
    """Start, end, dated events and months of a DURATION cell.

    "3 months (13 December 2023 to 31 March 2024)" or "Operation start date for Mali:
    15 May 2021 as an IFRC-DREF, with operation scaled up to an Emergency Appeal on
    19 July 2021 and extended to 31 December 2024": each date becomes an event described
    by the words before it (after the last comma).
    """
    found = find_dates(cell.text)
    events = []
    previous = 0
    for position, (day, start, _end) in enumerate(found):
        segment = cell.text[previous:start].rsplit(",", 1)[-1]
        description = _EVENT_EDGES.sub("", segment.strip()).strip()
        if not description:
            description = "start" if position == 0 else "end"
        events.append(OperationEvent(day, description))
        previous = _end
    months_match = MONTHS.search(cell.text)
    months = int(months_match["count"]) if months_match else None
    start_day = found[0][0] if found else None
    end_day = found[-1][0] if len(found) > 1 else None
    return start_day, end_day, tuple(events), months


def _people_figures(ctx: ParseContext, cell: _Cell) -> tuple[Figure, ...]:
    """Numbers of people in a PEOPLE AFFECTED cell: "157 million people", "143m in …".

    A number counts people when a magnitude is printed with it or "people"/"persons"
    follows; "25 countries" does not.
    """
    figures = []
    for match in PEOPLE_NUMBER.finditer(cell.text):
        printed = match.group(0)
        following = cell.text[match.end() : match.end() + 12].lstrip().casefold()
        has_magnitude = bool(re.search(r"[a-zA-Z]$", printed))
        whole = printed.strip() == cell.text.strip()
        if not (has_magnitude or whole or following.startswith(("people", "persons"))):
            continue
        span = ctx.doc.span(cell.start + match.start(), cell.start + match.end())
        expected = f"a number of people in {cell.label}, not {printed!r}"
        figures.append(ctx.figure(cell.line, printed, span, Unit.PERSONS, expected))
    return tuple(figures)


def _single_figure(ctx: ParseContext, cell: _Cell, unit: Unit, expected: str) -> Figure:
    text = cell.text.strip()
    offset = cell.start + cell.text.index(text) if text else cell.start
    span = ctx.doc.span(offset, offset + len(text))
    return ctx.figure(cell.line, text, span, unit, f"{expected} after {cell.label}, not {text!r}")


def _requirements(ctx: ParseContext, cell: _Cell) -> list[OperationFunding]:
    """Scopes ("Total funding requirements") and channels ("Through the IFRC Appeal")."""
    doc = ctx.doc
    expected = "a CHF amount in the funding requirements"
    funding = []
    scope = cell.label.strip().capitalize()
    previous = 0
    items = list(ITEM.finditer(cell.text))
    for bullet in BULLET.finditer(cell.text):
        if bullet.start() not in {item.start() for item in items}:
            item = re.split(r"[•●<]", cell.text[bullet.end() :])[0]
            printed = " ".join(f"{bullet.group()} {item}".split())
            raise doc.error(cell.line, f"{expected} ('• channel: CHF amount'), not {printed!r}")
    for match in items:
        between = TAG.sub(" ", cell.text[previous : match.start()]).replace("•", " ")
        between = " ".join(between.split())
        if between:
            scope = between
        span = doc.span(cell.start + match.start("amount"), cell.start + match.end("amount"))
        figure = ctx.figure(cell.line, match["amount"], span, Unit.CHF, expected)
        funding.append(OperationFunding(scope, " ".join(match["channel"].split()), figure))
        previous = match.end()
    if not funding:
        amount = re.search(rf"CHF\s*{NUMBER_PATTERN}", cell.text)
        if amount is None:
            raise doc.error(cell.line, expected)
        span = doc.span(cell.start + amount.start(), cell.start + amount.end())
        figure = ctx.figure(cell.line, amount.group(0), span, Unit.CHF, expected)
        funding.append(OperationFunding(scope, "", figure))
    return funding
