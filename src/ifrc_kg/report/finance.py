"""FINANCIAL OVERVIEW, the National Society overview, funding sources and appeal number.

The PDF-to-text export lost the overview's column layout: each row is
``group<TAB>flow<TAB>amount`` and the rows under the same funder group start with a tab
(the group carries down). We follow that structure and keep each row's label as
printed; a consistency check downstream flags what does not add up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ifrc_kg.concepts import normalise_label
from ifrc_kg.model import FinancialFigure, Text, Unit
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.lines import Document, Line

APPEAL_NUMBER = re.compile(
    r"Appeal\s+(?:number|code)\s*:?\s*\**\s*(?P<code>[A-Z]{2,8}\d{2,6})\s*\**", re.IGNORECASE
)
NATIONAL_SOCIETY_GROUP = "national-society"
FUNDING_FLOW = "funding"


@dataclass(frozen=True)
class FinanceTables:
    """The overview rows, the NS overview rows, the funding-source rows, and the
    National Society name printed above "Overview" (if any)."""

    overview: tuple[FinancialFigure, ...] = ()
    society_overview: tuple[FinancialFigure, ...] = ()
    funding_sources: tuple[FinancialFigure, ...] = ()
    society_name: str | None = None


def _amount(ctx: ParseContext, line: Line, cell: tuple[str, int, int], what: str):
    text, start, end = cell
    expected = f"a CHF amount like '15.6M' or '780,000' {what}"
    return ctx.figure(line, text, ctx.doc.span(start, end), Unit.CHF, expected)


def _group(ctx: ParseContext, line: Line, label: str) -> str | None:
    concept = ctx.concept(line, "funder-group", label, "funder group")
    return concept.notation if concept else None


def _flow(ctx: ParseContext, line: Line, label: str) -> str | None:
    concept = ctx.concept(line, "flow-type", label, "financial flow type")
    return concept.notation if concept else None


def parse_finance(ctx: ParseContext, lines: tuple[Line, ...]) -> FinanceTables:
    """The tables of the FINANCIAL OVERVIEW part."""
    doc = ctx.doc
    overview: list[FinancialFigure] = []
    society: list[FinancialFigure] = []
    sources: list[FinancialFigure] = []
    part = "overview"
    group_label: str | None = None
    group: str | None = None
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
            if heading == "overview":
                part = "society"
                if previous is not None:
                    society_name = previous.stripped
                    ctx.read_as(previous, "National Society of the overview")
            elif heading == "funding sources":
                part = "sources"
            previous = line
            continue
        previous = None  # the society's name stands right above "Overview", no row between
        cells = line.fields()
        if part == "overview":
            if len(cells) != 3:
                raise doc.error(
                    line, "a financial overview row: funder group, flow type and CHF amount"
                )
            if cells[0][0].strip():
                group_label = cells[0][0].strip()
                group = _group(ctx, line, group_label)
            elif group_label is None:
                raise doc.error(line, "a funder group before this continuation row")
            flow_label = cells[1][0].strip()
            if not flow_label:
                raise doc.error(line, "a flow type (Funding, Expenditure, …) in the row")
            overview.append(
                FinancialFigure(
                    group,
                    _flow(ctx, line, flow_label),
                    " / ".join(c[0].strip() for c in cells[:2] if c[0].strip()),
                    _amount(ctx, line, cells[2], "in the last column"),
                )
            )
            continue
        filled = [cell for cell in cells if cell[0].strip()]
        if len(filled) != 2:
            raise doc.error(line, "a label and a CHF amount separated by a tab")
        label = filled[0][0].strip()
        figure = _amount(ctx, line, filled[1], f"after {label!r}")
        if part == "society":
            flow = _flow(ctx, line, label)
            society.append(FinancialFigure(NATIONAL_SOCIETY_GROUP, flow, label, figure))
        else:
            group = _group(ctx, line, label)
            sources.append(FinancialFigure(group, FUNDING_FLOW, label, figure))
    return FinanceTables(tuple(overview), tuple(society), tuple(sources), society_name)


def find_appeal_code(doc: Document, lines: tuple[Line, ...]) -> Text | None:
    """The country-plan appeal number ("Appeal number **MAAML002**")."""
    for line in lines:
        match = APPEAL_NUMBER.search(line.text)
        if match:
            start, end = line.start + match.start("code"), line.start + match.end("code")
            return Text(match["code"], doc.span(start, end))
    return None
