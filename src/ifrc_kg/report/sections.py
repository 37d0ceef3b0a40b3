"""Where the template's parts are: the headings of the first pages and the narrative.

The first pages (front matter, key figures, people reached, financial overview,
indicator tables, partner matrix) are found by their printed headings, in any order
and each optional; the narrative starts at OVERALL PROGRESS (or IFRC NETWORK ACTION)
and the contacts at "Contact information". Nothing here counts lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ifrc_kg.concepts import normalise_label
from ifrc_kg.errors import NotAReportError
from ifrc_kg.report.lines import Document, Line

# Headings of the first pages, by the key the parsers ask for.
TABLE_HEADINGS = {
    "people-reached": "PEOPLE REACHED",
    "financial-overview": "FINANCIAL OVERVIEW",
    "ongoing-emergencies": "ONGOING EMERGENCY INDICATORS",
    "strategic-priorities": "STRATEGIC PRIORITIES",
    "enabling-functions": "ENABLING FUNCTIONS",
    "partners": "IFRC NETWORK SUPPORTED ACTIVITIES",
}
NARRATIVE_STARTS = ("OVERALL PROGRESS", "IFRC NETWORK ACTION")
CONTACTS_HEADING = "Contact information"

TITLE = re.compile(
    r"(?P<year>(?:19|20)\d\d)\s+IFRC\s+network\s+annual\s+report"
    r"(?:\s*,\s*(?P<first>[A-Za-z]{3,9})\s*[-–]\s*(?P<last>[A-Za-z]{3,9}))?",
    re.IGNORECASE,
)
IN_SUPPORT_OF = re.compile(r"IN\s+SUPPORT\s+OF\s+(?:THE\s+)?(?P<name>.+)", re.IGNORECASE)

# How far into the file the title must appear for the file to be a report at all.
_TITLE_WITHIN_LINES = 12


def _key(line: Line) -> str:
    """Headings are compared like labels: "Financial Overview" is "FINANCIAL OVERVIEW"."""
    return normalise_label(line.text)


_NARRATIVE_START_KEYS = frozenset(normalise_label(heading) for heading in NARRATIVE_STARTS)


@dataclass(frozen=True)
class Block:
    """The lines under one heading, up to (not including) the next known heading."""

    name: str
    heading: Line
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Layout:
    """The template's parts found in one document; a part the report lacks is absent."""

    title: Line
    front: tuple[Line, ...]
    """Lines from the title to the first table heading (front matter, key figures)."""
    blocks: dict[str, Block]
    tables: tuple[Line, ...]
    """Every line before the narrative (operations tables and appeal code are searched here too)."""
    narrative: tuple[Line, ...]
    contacts: tuple[Line, ...]


def find_title(doc: Document) -> Line:
    """The title line ("2023 IFRC network annual report, Jan-Dec"), near the top.

    A file without it is not a report of this template (``NotAReportError``).
    """
    seen = 0
    for line in doc.lines:
        if line.blank:
            continue
        if TITLE.search(line.text):
            return line
        seen += 1
        if seen >= _TITLE_WITHIN_LINES:
            break
    raise NotAReportError(
        doc.file,
        None,
        "not an IFRC network annual report: no title line like "
        "'2023 IFRC network annual report, Jan-Dec' at the top of the file",
    )


def find_layout(doc: Document) -> Layout:
    """Split the document into its template parts by their headings."""
    title = find_title(doc)
    lines = doc.lines
    narrative_first = next(
        (
            line.number
            for line in lines
            if line.number > title.number and _key(line) in _NARRATIVE_START_KEYS
        ),
        None,
    )
    contacts_heading = next(
        (
            line.number
            for line in lines
            if line.number > title.number
            and _key(line) == normalise_label(CONTACTS_HEADING)
            and (narrative_first is None or line.number > narrative_first)
        ),
        None,
    )
    end = len(lines) + 1
    table_end = narrative_first or contacts_heading or end
    wanted = {normalise_label(heading): name for name, heading in TABLE_HEADINGS.items()}
    headings: list[tuple[int, str]] = []
    for line in doc.between(title.number + 1, table_end):
        name = wanted.get(_key(line))
        if name and name not in (found for _, found in headings):
            headings.append((line.number, name))
    blocks = {}
    for index, (number, name) in enumerate(headings):
        stop = headings[index + 1][0] if index + 1 < len(headings) else table_end
        blocks[name] = Block(name, doc.line(number), tuple(doc.between(number + 1, stop)))
    front_end = headings[0][0] if headings else table_end
    narrative_end = contacts_heading or end
    return Layout(
        title=title,
        front=tuple(doc.between(title.number, front_end)),
        blocks=blocks,
        tables=tuple(doc.between(1, table_end)),
        narrative=tuple(doc.between(narrative_first, narrative_end)) if narrative_first else (),
        contacts=tuple(doc.between(contacts_heading + 1, end)) if contacts_heading else (),
    )
