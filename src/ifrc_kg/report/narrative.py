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

import re
from dataclasses import dataclass, field

from ifrc_kg.concepts import EF, SP, normalise_label
from ifrc_kg.model import Operation, Paragraph, Section
from ifrc_kg.report.lines import Document, Line, concept_of

# normalised heading → (rank, kind); rank 0 is the top.
FIXED_HEADINGS: dict[str, tuple[int, str]] = {
    "overall progress": (0, "other"),
    "ifrc network action": (0, "other"),
    "data scope and limitations": (0, "other"),
    "additional information": (0, "other"),
    "the international federation of red cross and red crescent societies ifrc": (0, "other"),
    "context": (1, "context"),
    "key achievements": (1, "key-achievements"),
    "ongoing emergency response": (1, "operations"),
    "strategic priorities": (1, "other"),
    "enabling local actors": (1, "other"),
    "enabling functions": (1, "other"),
    "short description of the operational strategy": (2, "operations"),
    "ifrc membership coordination": (3, "other"),
    "movement coordination": (3, "other"),
    "external coordination": (3, "other"),
    "food security and livelihoods": (3, "other"),
    "health and nutrition": (3, "other"),
    "water sanitation and hygiene wash": (3, "other"),
    "protection gender and inclusion pgi": (3, "other"),
    "community engagement and accountability cea": (3, "other"),
    "shelter housing and settlements": (3, "other"),
    "multi purpose cash": (3, "other"),
    "livelihoods": (3, "other"),
    "national society strengthening": (3, "other"),
    "coordination and partnerships": (3, "other"),
    "secretariat services": (3, "other"),
    "progress by the national society against objectives": (4, "progress"),
    "progress by national society against objectives": (4, "progress"),
    "ifrc network joint support": (4, "joint-support"),
}
# Headings that only count as rank 1 when printed in capitals (the same words in
# sentence case are a Key achievements subsection).
CAPITALS_ONLY = {"enabling local actors", "strategic priorities", "enabling functions"}

# The template's objective statement of each strategic priority (Strategy 2030 wording).
OBJECTIVES: dict[str, str] = {
    normalise_label(statement): priority
    for statement, priority in (
        (
            "Communities and Red Cross and Red Crescent (RCRC) staff and volunteers undertake "
            "urgent action to adapt to the rising and evolving risks from the climate and "
            "environmental crises",
            "climate-and-environment",
        ),
        (
            "People affected by crises and disasters have their needs met through support "
            "that is timely, adequate, flexible and strengthens their agency",
            "disasters-and-crises",
        ),
        (
            "The health and wellbeing of communities are protected and improved through "
            "access to sustainable, affordable, appropriate, and quality health services "
            "throughout life",
            "health-and-wellbeing",
        ),
        (
            "Communities have increased access to affordable, appropriate, and environmentally "
            "sustainable water, sanitation, and hygiene services",
            "health-and-wellbeing",
        ),
        (
            "Engage with migrants, displaced persons, and host communities to assess, "
            "understand and respond to their priority needs more effectively",
            "migration-and-displacement",
        ),
        (
            "Adopts a comprehensive protection, gender and inclusion approach across all "
            "interventions, programmes and services",
            "values-power-and-inclusion",
        ),
    )
}

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
    line: Line, open_nodes: list[_Node], operation_names: set[str]
) -> tuple[int, str, str | None] | None:
    """(rank, kind, concept) when the line is a heading of the template."""
    key = normalise_label(line.text)
    if not key:
        return None
    if key in FIXED_HEADINGS and not (key in CAPITALS_ONLY and not line.stripped.isupper()):
        rank, kind = FIXED_HEADINGS[key]
        return rank, kind, None
    if key == "enabling local actors":
        return 2, "enabling-function", None
    priority = concept_of(SP, line.stripped)
    if priority is not None:
        return 2, "strategic-priority", priority.notation
    function = concept_of(EF, line.stripped)
    if function is not None:
        return 2, "enabling-function", function.notation
    if key in OBJECTIVES:
        concept = OBJECTIVES[key]
        area = next((node for node in reversed(open_nodes) if node.rank == 2), None)
        if area is not None and area.concept == concept:
            return 3, "objective", concept
        return 2, "strategic-priority", concept
    if line.stripped in operation_names:
        return 2, "operations", None
    return None


def parse_narrative(
    doc: Document, lines: tuple[Line, ...], operations: tuple[Operation, ...]
) -> tuple[Section, ...]:
    """The section tree of the narrative lines (operation tables left out)."""
    table_lines = {
        number
        for operation in operations
        for number in range(operation.source.line_start, operation.source.line_end + 1)
    }
    operation_names = {operation.name.text for operation in operations}
    roots: list[_Node] = []
    stack: list[_Node] = []
    pending: list[Line] = []

    def flush() -> None:
        if pending and stack:
            first, last = pending[0], pending[-1]
            text = " ".join(line.stripped for line in pending)
            stack[-1].paragraphs.append(Paragraph(text, doc.span(first.start, last.end)))
        pending.clear()

    for line in lines:
        if line.blank:
            continue
        if line.number in table_lines:
            flush()
            continue
        heading = _heading(line, stack, operation_names)
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
