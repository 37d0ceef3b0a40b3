"""IFRC NETWORK SUPPORTED ACTIVITIES: the partner matrix, rebuilt from its two headers.

The export flattened a two-level header. Line one holds the top-level columns
("National Society", "Funding Reported", "Bilateral Support", the areas that are not
under Bilateral Support, "Multilateral Support"); line two holds the sub-columns of
Bilateral Support, then "Through IFRC" (the one sub-column of Multilateral Support).
The columns in row order are therefore: name, funding, the bilateral sub-columns, the
remaining top-level areas, and Multilateral / Through IFRC last. ● marks bilateral
support in an area, ✓ multilateral support through the IFRC. The template's ``[tables]``
name the first two columns, the funding unit and the scheme of the area columns; the
header words of the two-level layout and the marks are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ifrc_kg.concepts import normalise_label, slugify
from ifrc_kg.model import Figure, PartnerSupport, Unit
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.lines import Line
from ifrc_kg.report.numbers import NUMBER_PATTERN

MULTILATERAL = "multilateral"
BILATERAL_MARKS = frozenset("●•")
MULTILATERAL_MARKS = frozenset("✓✔")
# The amount runs to the end of the line, so "CHF 1.2.3" is refused rather than read as 1.2.
TOTAL = re.compile(
    rf"Total\s+Funding\s+Reported\s*:?\s*\**\s*(?P<amount>{NUMBER_PATTERN})\s*\**\s*$",
    re.IGNORECASE,
)
_MULTILATERAL_HEADINGS = (
    "multilateral support",
    "through ifrc",
    "multilateral support through ifrc",
)


@dataclass(frozen=True)
class PartnerMatrix:
    """The partner rows and the total funding reported under them."""

    partners: tuple[PartnerSupport, ...] = ()
    total: Figure | None = None


def _columns(ctx: ParseContext, first: Line, second: Line) -> list[str]:
    """Column keys after name and funding: support-area notations, then ``MULTILATERAL``."""
    doc = ctx.doc
    top = [cell.strip() for cell, _, _ in first.fields() if cell.strip()]
    sub = [cell.strip() for cell, _, _ in second.fields() if cell.strip()]
    name, funding, area = ctx.template.table("partners").read_as("text", "number", "label")
    if len(top) < 3 or normalise_label(top[0]) != normalise_label(name.name):
        raise doc.error(first, f"the partner matrix header '{name.name}<TAB>{funding.name}…'")
    bilateral_index = next(
        (i for i, cell in enumerate(top) if normalise_label(cell) == "bilateral support"), None
    )
    if bilateral_index is None:
        raise doc.error(first, "a 'Bilateral Support' column in the partner matrix header")
    areas = [cell for cell in sub if normalise_label(cell) not in _MULTILATERAL_HEADINGS]
    areas += [
        cell
        for cell in top[bilateral_index + 1 :]
        if normalise_label(cell) not in _MULTILATERAL_HEADINGS
    ]
    assert area.scheme is not None
    keys = []
    for label in areas:
        concept = ctx.concept(second, area.scheme, label, area.name)
        keys.append(concept.notation if concept else slugify(label))
    keys.append(MULTILATERAL)
    return keys


def parse_partners(ctx: ParseContext, lines: tuple[Line, ...]) -> PartnerMatrix:
    """The partner rows and the total funding reported."""
    doc = ctx.doc
    content = [line for line in lines if not line.blank]
    total: Figure | None = None
    rows: list[PartnerSupport] = []
    if not content:
        return PartnerMatrix()
    header = content[0]
    if len(content) < 2 or TOTAL.search(content[1].text):
        raise doc.error(header, "two header lines of the partner matrix")
    columns = _columns(ctx, header, content[1])
    unit = _funding_unit(ctx)
    ctx.read_as(header, "partner matrix header")
    ctx.read_as(content[1], "partner matrix header")
    for line in content[2:]:
        if normalise_label(line.text).startswith("total funding reported"):
            match = TOTAL.search(line.text)
            if match is None:
                raise doc.error(line, "a CHF amount after 'Total Funding Reported'")
            start = line.start + match.start("amount")
            end = line.start + match.end("amount")
            span = doc.span(start, end)
            expected = "a CHF amount after 'Total Funding Reported'"
            total = ctx.figure(line, match["amount"], span, unit, expected)
            break  # the matrix ends with its total
        if "\t" not in line.text:
            raise doc.error(line, "a partner row: society name, funding and marks, tab-separated")
        rows.append(_row(ctx, line, columns, unit))
    return PartnerMatrix(tuple(rows), total)


def _funding_unit(ctx: ParseContext) -> Unit:
    """The unit of the funding column (and of the total under the matrix)."""
    unit = ctx.template.table("partners").read_as("text", "number", "label")[1].unit
    assert unit is not None
    return unit


def _row(ctx: ParseContext, line: Line, columns: list[str], unit: Unit) -> PartnerSupport:
    doc = ctx.doc
    cells = line.fields()
    name = cells[0][0].strip()
    if not name:
        raise doc.error(line, "a National Society name in the first column")
    funding: Figure | None = None
    if len(cells) > 1 and cells[1][0].strip():
        text, start, end = cells[1]
        expected = f"a CHF amount as the funding reported by {name}"
        funding = ctx.figure(line, text, doc.span(start, end), unit, expected)
    areas: list[str] = []
    multilateral = False
    for index, (text, _, _) in enumerate(cells[2:]):
        mark = text.strip()
        if not mark:
            continue
        if index >= len(columns):
            raise doc.error(line, f"no more than {len(columns)} support columns after the funding")
        if mark not in BILATERAL_MARKS | MULTILATERAL_MARKS:
            raise doc.error(line, f"a support mark (● or ✓) or an empty cell, not {mark!r}")
        if columns[index] == MULTILATERAL:
            multilateral = True
        else:
            areas.append(columns[index])
    return PartnerSupport(name, funding, tuple(areas), multilateral, doc.line_span(line))
