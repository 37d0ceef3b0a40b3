"""The narrative (from OVERALL PROGRESS to the contacts) as a tree of sections.

Headings are recognised by what they say, never by where they are: the template's
fixed headings, the concept labels of the priorities and enabling functions, the
template's objective statements, and the names of the operation tables that follow
them. A heading's rank decides where it hangs (a new heading closes every open
section of the same or a lower rank). Paragraphs keep their text and source; a
paragraph the PDF export broke over two lines (a line that stops mid-sentence) is
joined back.

Quirk handled: a report may drop a priority heading (Mali 2023 prints no "Disasters
and crises" heading in its STRATEGIC PRIORITIES narrative, only that priority's
objective statement). An objective statement of another priority than the open one
therefore opens that priority's section, titled by the statement as printed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ifrc_kg.concepts import EF, SP, lookup, normalise_label
from ifrc_kg.model import Paragraph, Section
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.lines import Document, Line
from ifrc_kg.template import Template


@dataclass(frozen=True)
class _Headings:
    """The template's narrative headings in normalised form, looked up per line."""

    fixed: dict[str, tuple[int, str]]
    capitals_only: frozenset[str]
    sectors: frozenset[str]
    sector_rank: int
    sector_kind: str
    objectives: dict[str, str]


@functools.cache
def _headings(template: Template) -> _Headings:
    return _Headings(
        fixed={normalise_label(h.label): (h.rank, h.kind) for h in template.headings},
        capitals_only=frozenset(
            normalise_label(h.label) for h in template.headings if h.capitals_only
        ),
        sectors=frozenset(normalise_label(label) for label in template.sector_labels),
        sector_rank=template.sector_rank,
        sector_kind=template.sector_kind,
        objectives={normalise_label(text): priority for text, priority in template.objectives},
    )


# An unknown heading: a short line in capitals or starting with one, no sentence end,
# no link, no photo credit, standing alone between paragraphs.
_UNKNOWN_HEADING = re.compile(r"[A-Z][^.!?:;,\[\]]{1,70}")
_UNKNOWN_HEADING_WORDS = 8
_UNKNOWN_TOP_RANK = 1
UNKNOWN_KIND = "unknown"

_TERMINAL = re.compile(r"[.!?:;][\"'”’)*\]]*$")
_LIST_ITEM = re.compile(r"^(?:[-•*]\s|\d+[.)]\s|Pillar\s+\d)")
_LONG_LINE = 100


@dataclass
class _Node:
    title: str
    kind: str
    concept: str | None
    rank: int
    heading: Line
    paragraphs: list[Paragraph] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


def _heading(
    known: _Headings, line: Line, open_nodes: list[_Node], operation_names: set[str]
) -> tuple[int, str, str | None] | None:
    """(rank, kind, concept) when the line is a heading the template knows."""
    key = normalise_label(line.text)
    if not key:
        return None
    if key in known.fixed and not (key in known.capitals_only and not line.stripped.isupper()):
        rank, kind = known.fixed[key]
        return rank, kind, None
    if key == "enabling local actors":
        return 2, "enabling-function", None
    priority = lookup(SP, line.stripped)
    if priority is not None:
        return 2, "strategic-priority", priority.notation
    function = lookup(EF, line.stripped)
    if function is not None:
        return 2, "enabling-function", function.notation
    if key in known.objectives:
        concept = known.objectives[key]
        area = next((node for node in reversed(open_nodes) if node.rank == 2), None)
        if area is not None and area.concept == concept:
            return 3, "objective", concept
        return 2, "strategic-priority", concept
    if line.stripped in operation_names:
        return 2, "operations", None
    if key in known.sectors:
        return known.sector_rank, known.sector_kind, None
    return None


def _unknown_heading(line: Line, previous: Line | None, following: Line | None) -> int | None:
    """The rank of a line that looks like a heading the template does not know, else None.

    A short line starting with a capital, with no sentence punctuation, after a finished
    paragraph (or a heading) and before a line that starts a new one. In capitals it is a
    top heading (rank 1), else a sector-level heading (rank 3).
    """
    text = line.stripped
    if (
        not _UNKNOWN_HEADING.fullmatch(text)
        or len(text.split()) > _UNKNOWN_HEADING_WORDS
        or _LIST_ITEM.match(text)
        or "(Photo" in text
        or text.isdigit()
    ):
        return None
    if previous is not None and not _TERMINAL.search(previous.stripped):
        return None
    if following is None or not following.stripped[:1].isupper():
        return None
    return _UNKNOWN_TOP_RANK if text.isupper() else 3


def parse_narrative(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[Section, ...]:
    """The section tree of the narrative lines (lines an operation table read are skipped).

    A heading the template does not know becomes a section of kind ``"unknown"`` with its
    paragraphs, and a warning naming it.
    """
    doc = ctx.doc
    known = _headings(ctx.template)
    table_lines = set(ctx.structure_of("operation table"))
    content = [line for line in lines if not line.blank and line.number not in table_lines]
    roots: list[_Node] = []
    stack: list[_Node] = []
    pending: list[Line] = []

    def flush() -> None:
        if pending and stack:
            first, last = pending[0], pending[-1]
            text = " ".join(line.stripped for line in pending)
            stack[-1].paragraphs.append(Paragraph(text, doc.span(first.start, last.end)))
        elif pending:
            for line in pending:
                ctx.warn(line, "text before the first narrative heading left unread")
        pending.clear()

    previous_number = 0
    for index, line in enumerate(content):
        if any(n in table_lines for n in range(previous_number + 1, line.number)):
            flush()
        previous_number = line.number
        heading = _heading(known, line, stack, ctx.operation_names)
        if heading is None and stack:
            following = content[index + 1] if index + 1 < len(content) else None
            rank = _unknown_heading(line, pending[-1] if pending else None, following)
            if rank is not None:
                ctx.warn(line, f"unknown heading {line.stripped!r} read as a section")
                heading = (rank, UNKNOWN_KIND, None)
        if heading is not None:
            flush()
            rank, kind, concept = heading
            while stack and stack[-1].rank >= rank:
                stack.pop()
            inherited = concept or next((n.concept for n in reversed(stack) if n.concept), None)
            node = _Node(line.stripped, kind, inherited, rank, line)
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
            continue
        if pending and not _continues(pending[-1], line):
            flush()
        pending.append(line)
    flush()
    return tuple(_freeze(doc, node) for node in roots)


def _continues(previous: Line, line: Line) -> bool:
    """Whether ``line`` carries on the paragraph ``previous`` broke off.

    >>> doc = Document("r.txt", "It provided support to the Mali Red Cross\\n\\nthrough the IFRC.")
    >>> _continues(doc.lines[0], doc.lines[2])
    True
    >>> doc = Document("r.txt", "It ended.\\n\\nthrough the IFRC.")
    >>> _continues(doc.lines[0], doc.lines[2])
    False
    """
    before, after = previous.stripped, line.stripped
    if _TERMINAL.search(before) or _LIST_ITEM.match(before) or _LIST_ITEM.match(after):
        return False
    return after[:1].islower() or after[:1] == "(" or len(before) > _LONG_LINE


def _freeze(doc: Document, node: _Node) -> Section:
    """The frozen section; its source is the heading line as printed."""
    return Section(
        title=node.title,
        kind=node.kind,
        concept=node.concept,
        paragraphs=tuple(node.paragraphs),
        subsections=tuple(_freeze(doc, child) for child in node.children),
        source=doc.line_span(node.heading),
    )


def walk(
    sections: tuple[Section, ...], path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Section]]:
    """Every section with its path of titles, depth first, in reading order."""
    found = []
    for section in sections:
        here = (*path, section.title)
        found.append((here, section))
        found.extend(walk(section.subsections, here))
    return found
