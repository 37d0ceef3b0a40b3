"""FINANCIAL OVERVIEW, the National Society overview, funding sources and appeal number.

The PDF-to-text export lost the overview's column layout: each row is
``group<TAB>flow<TAB>amount`` and the rows under the same funder group start with a tab
(the group carries down). The template's ``[tables]`` say what each column means (the
scheme of a label, the unit of the amount, which column carries down or is fixed); we
keep each row's label as printed; a consistency check downstream flags what does not
add up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ifrc_kg.concepts import normalise_label
from ifrc_kg.model import Figure, FinancialFigure, Text
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.lines import Document, Line
from ifrc_kg.template import Column, TablePart

APPEAL_NUMBER = re.compile(
    r"Appeal\s+(?:number|code)\s*:?\s*\**\s*(?P<code>[A-Z]{2,8}\d{2,6})\s*\**", re.IGNORECASE
)
SOCIETY_OVERVIEW = "national-society-overview"
# The columns of the finance tables that fill a FinancialFigure's group and flow.
GROUP_COLUMN = "funder group"
FLOW_COLUMN = "financial flow type"
Cell = tuple[str, int, int]


@dataclass(frozen=True)
class FinanceTables:
    """The overview rows, the NS overview rows, the funding-source rows, and the
    National Society name printed above "Overview" (if any)."""

    overview: tuple[FinancialFigure, ...] = ()
    society_overview: tuple[FinancialFigure, ...] = ()
    funding_sources: tuple[FinancialFigure, ...] = ()
    society_name: str | None = None


def _amount(ctx: ParseContext, line: Line, cell: Cell, column: Column, what: str) -> Figure:
    text, start, end = cell
    assert column.unit is not None
    expected = f"a {column.unit} amount like '15.6M' or '780,000' {what}"
    return ctx.figure(line, text, ctx.doc.span(start, end), column.unit, expected)


def _notation(ctx: ParseContext, line: Line, column: Column, label: str) -> str | None:
    assert column.scheme is not None
    concept = ctx.concept(line, column.scheme, label, column.name)
    return concept.notation if concept else None


def _row(
    ctx: ParseContext, line: Line, table: TablePart, carried: dict[str, str | None]
) -> FinancialFigure:
    """One row of a finance table: its label columns' notations, printed labels and amount.

    A table with a column that carries down prints that cell empty on continuation rows, so
    its rows are read cell by cell; the others are read by their filled cells. ``carried``
    holds the last notation of each carrying column.
    """
    printed = [column for column in table.columns if not column.fixed]
    carries = any(column.carries_down for column in printed)
    cells = line.fields()
    if not carries:
        cells = [cell for cell in cells if cell[0].strip()]
    if len(cells) != len(printed):
        names = ", ".join(column.name for column in printed)
        name = (table.heading or table.caption or table.key).casefold()
        article = "an" if name[0] in "aeiou" else "a"
        raise ctx.error(line, f"{article} {name} row: {names}, separated by tabs")
    notations: dict[str, str | None] = {c.name: c.fixed for c in table.columns if c.fixed}
    labels: list[str] = []
    figure: Figure | None = None
    for column, cell in zip(printed, cells, strict=True):
        text = cell[0].strip()
        if column.unit is not None:
            where = "in the last column" if carries else f"after {' / '.join(labels)!r}"
            figure = _amount(ctx, line, cell, column, where)
        elif text:
            labels.append(text)
            notations[column.name] = _notation(ctx, line, column, text)
            if column.carries_down:
                carried[column.name] = notations[column.name]
        elif column.carries_down and column.name in carried:
            notations[column.name] = carried[column.name]
        else:
            before = "before this continuation row" if column.carries_down else "in the row"
            raise ctx.error(line, f"a {column.name} {before}")
    assert figure is not None
    return FinancialFigure(
        notations.get(GROUP_COLUMN), notations.get(FLOW_COLUMN), " / ".join(labels), figure
    )


def parse_finance(ctx: ParseContext, lines: tuple[Line, ...]) -> FinanceTables:
    """The tables of the FINANCIAL OVERVIEW part: the overview, then the tables the
    template places ``within`` it, each starting at its caption line."""
    rows: dict[str, list[FinancialFigure]] = {}
    table = ctx.template.table("financial-overview")
    within = {
        normalise_label(part.caption): part
        for part in ctx.template.tables
        if part.within == table.key and part.caption
    }
    for part in (table, *within.values()):
        part.read_as("label", "label", "number")
        for name in (GROUP_COLUMN, FLOW_COLUMN):  # the columns a FinancialFigure names
            part.column(name)
    carried: dict[str, str | None] = {}
    previous: Line | None = None
    society_name: str | None = None
    captions = {normalise_label(caption) for caption in ctx.template.finance_captions}
    for line in lines:
        if line.blank:
            continue
        if "\t" not in line.text.strip(" "):
            heading = normalise_label(line.text)
            if heading in captions:
                ctx.read_as(line, "financial overview caption")
            if heading in within:
                table = within[heading]
                if table.key == SOCIETY_OVERVIEW and previous is not None:
                    society_name = previous.stripped
                    ctx.read_as(previous, "National Society of the overview")
            previous = line
            continue
        previous = None  # the society's name stands right above "Overview", no row between
        rows.setdefault(table.key, []).append(_row(ctx, line, table, carried))
    return FinanceTables(
        tuple(rows.get("financial-overview", ())),
        tuple(rows.get(SOCIETY_OVERVIEW, ())),
        tuple(rows.get("funding-sources", ())),
        society_name,
    )


def find_appeal_code(doc: Document, lines: tuple[Line, ...]) -> Text | None:
    """The country-plan appeal number ("Appeal number **MAAML002**")."""
    for line in lines:
        match = APPEAL_NUMBER.search(line.text)
        if match:
            start, end = line.start + match.start("code"), line.start + match.end("code")
            return Text(match["code"], doc.span(start, end))
    return None
