"""Where the template's parts are: the title, the headings of the first pages, the narrative.

The first pages (front matter, key figures, people reached, financial overview,
indicator tables, partner matrix) are found by the headings the template file names,
in any order; the narrative starts at one of the template's narrative starts and the
contacts at its contacts heading. Nothing here counts lines. A part the template marks
``required`` that the report lacks is a ``ReportFormatError`` naming the file and the
part: a build never publishes less than it read (a report cut short fails here).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ifrc_kg.concepts import normalise_label
from ifrc_kg.errors import NotAReportError
from ifrc_kg.report.lines import Document, Line
from ifrc_kg.template import ReportKind, Template

IN_SUPPORT_OF = re.compile(r"IN\s+SUPPORT\s+OF\s+(?:THE\s+)?(?P<name>.+)", re.IGNORECASE)

# How far into the file the title must appear for the file to be a report at all.
_TITLE_WITHIN_LINES = 12
_MONTH = r"[A-Za-z]{3,9}\.?"


@functools.cache
def title_pattern(template: Template) -> re.Pattern[str]:
    """The title line of any report kind of the template.

    "2023 IFRC network annual report, Jan-Dec", "2024 IFRC network mid-year report,
    Jan-Jun" and "IFRC network mid-year report, Jan-Jun 2024": the year before the
    title or after the period.
    """
    words = "|".join(
        r"[\s-]*".join(map(re.escape, re.split(r"[\s-]+", words)))
        for kind in template.report_kinds
        for words in kind.title_words
    )
    return re.compile(
        rf"(?:(?P<year>(?:19|20)\d\d)\s+)?IFRC\s+network\s+(?P<kind>{words})"
        rf"(?:\s*,\s*(?P<first>{_MONTH})\s*[-–]\s*(?P<last>{_MONTH}))?"
        rf"(?:\s*,?\s*(?P<year_after>(?:19|20)\d\d))?",
        re.IGNORECASE,
    )


def title_kind(template: Template, printed: str) -> ReportKind:
    """The report kind whose title words the printed kind matches ("Mid-year report")."""
    wanted = normalise_label(printed).replace(" ", "")
    for kind in template.report_kinds:
        if any(normalise_label(words).replace(" ", "") == wanted for words in kind.title_words):
            return kind
    raise KeyError(printed)


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
    narrative_heading: Line | None
    narrative: tuple[Line, ...]
    contacts_heading: Line | None
    contacts: tuple[Line, ...]

    def block(self, name: str) -> tuple[Line, ...]:
        """The lines of a part, or none when the report lacks it."""
        return self.blocks[name].lines if name in self.blocks else ()


def find_title(doc: Document, template: Template) -> Line:
    """The title line ("2023 IFRC network annual report, Jan-Dec"), near the top.

    A file without it is not a report of this template (``NotAReportError``).
    """
    pattern = title_pattern(template)
    seen = 0
    for line in doc.lines:
        if line.blank:
            continue
        match = pattern.search(line.text)
        if match and (match["year"] or match["year_after"]):
            return line
        seen += 1
        if seen >= _TITLE_WITHIN_LINES:
            break
    raise NotAReportError(
        doc.file,
        None,
        "not an IFRC network report: no title line like "
        "'2023 IFRC network annual report, Jan-Dec' or "
        "'2024 IFRC network mid-year report, Jan-Jun' at the top of the file",
    )


def find_layout(doc: Document, template: Template) -> Layout:
    """Split the document into its template parts by their headings."""
    title = find_title(doc, template)
    starts = {normalise_label(heading) for heading in template.narrative_starts}
    contacts_key = normalise_label(template.contacts_heading)
    narrative_first = contacts_first = None
    for line in doc.between(title.number + 1, len(doc.lines) + 1):
        key = normalise_label(line.text)
        if narrative_first is None and key in starts:
            narrative_first = line.number
        elif key == contacts_key and contacts_first is None:
            contacts_first = line.number
            break
    end = len(doc.lines) + 1
    table_end = narrative_first or contacts_first or end
    wanted = {normalise_label(part.heading): part.key for part in template.tables if part.heading}
    headings: list[tuple[int, str]] = []
    for line in doc.between(title.number + 1, table_end):
        name = wanted.get(normalise_label(line.text))
        if name and name not in (found for _, found in headings):
            headings.append((line.number, name))
    blocks = {}
    for index, (number, name) in enumerate(headings):
        stop = headings[index + 1][0] if index + 1 < len(headings) else table_end
        blocks[name] = Block(name, doc.line(number), tuple(doc.between(number + 1, stop)))
    front_end = headings[0][0] if headings else table_end
    narrative_end = contacts_first or end
    layout = Layout(
        title=title,
        front=tuple(doc.between(title.number, front_end)),
        blocks=blocks,
        tables=tuple(doc.between(1, table_end)),
        narrative_heading=doc.line(narrative_first) if narrative_first else None,
        narrative=tuple(doc.between(narrative_first, narrative_end)) if narrative_first else (),
        contacts_heading=doc.line(contacts_first) if contacts_first else None,
        contacts=tuple(doc.between(contacts_first + 1, end)) if contacts_first else (),
    )
    _check_required(doc, template, layout)
    return layout


def _check_required(doc: Document, template: Template, layout: Layout) -> None:
    """A report missing a part the template requires is an error naming every missing part."""
    missing = [
        f"'{part.heading}'"
        for part in template.tables
        if part.required and part.key not in layout.blocks
    ]
    if layout.narrative_heading is None:
        missing.append(" or ".join(f"'{start}'" for start in template.narrative_starts))
    if layout.contacts_heading is None:
        missing.append(f"'{template.contacts_heading}'")
    if missing:
        raise doc.error(
            None,
            f"the report lacks parts the template requires (cut short?): {', '.join(missing)}",
        )
