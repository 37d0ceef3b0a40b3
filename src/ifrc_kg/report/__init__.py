"""Report text → typed model (``ifrc_kg.model.Report``), every value with its source.

``parse_report(path)`` reads a file; ``parse_text(text, file_name)`` parses text already
in memory (tests and variants). A file that is not a report of the template raises
``NotAReportError``; a malformed table row or unreadable figure ``ReportFormatError``
naming the file, the line and what was expected. A missing section is simply absent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from pathlib import Path

from ifrc_kg.concepts import EF, SP
from ifrc_kg.errors import NotAReportError, ReportFormatError
from ifrc_kg.model import Report, Text
from ifrc_kg.reference import Reference, load_reference
from ifrc_kg.report.claims import find_claims
from ifrc_kg.report.contacts import parse_contacts
from ifrc_kg.report.finance import find_appeal_code, parse_finance
from ifrc_kg.report.frontmatter import parse_front, parse_people_reached
from ifrc_kg.report.indicators import parse_indicators, parse_ongoing
from ifrc_kg.report.lines import Document
from ifrc_kg.report.mentions import find_mentions
from ifrc_kg.report.narrative import parse_narrative
from ifrc_kg.report.operations import parse_operations
from ifrc_kg.report.partners import parse_partners
from ifrc_kg.report.sections import find_layout

__all__ = ["NotAReportError", "ReportFormatError", "parse_report", "parse_text"]

log = logging.getLogger(__name__)


def parse_report(path: str | Path, reference: Reference | None = None) -> Report:
    """Parse one report file (UTF-8 text exported from the PDF)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ReportFormatError(
            str(path), None, f"cannot read the file: {error.strerror}"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotAReportError(
            str(path), None, f"not a UTF-8 text report (undecodable byte at offset {error.start})"
        ) from None
    report = parse_text(text, path.name, reference=reference)
    return dataclasses.replace(report, sha256=hashlib.sha256(raw).hexdigest())


def parse_text(text: str, file_name: str, reference: Reference | None = None) -> Report:
    """Parse report text; ``file_name`` is what every ``SourceSpan`` names.

    ``sha256`` is of the text's UTF-8 bytes (``parse_report`` uses the file's bytes).
    """
    if "\x00" in text:
        raise NotAReportError(file_name, None, "not a text report (it holds NUL bytes)")
    reference = reference or load_reference()
    doc = Document(file_name, text)
    layout = find_layout(doc)
    warnings: list[str] = []
    front = parse_front(doc, layout, reference, warnings)
    blocks = layout.blocks

    def block(name: str):
        return blocks[name].lines if name in blocks else ()

    people_reached = parse_people_reached(doc, block("people-reached"), warnings)
    overview, society_overview, sources, society_name = parse_finance(
        doc, block("financial-overview"), warnings
    )
    partners, total = parse_partners(doc, block("partners"), warnings)
    operations = parse_operations(doc, tuple(doc.lines))
    narrative = parse_narrative(doc, layout.narrative, operations)
    claims = find_claims(doc, narrative)
    contacts = parse_contacts(doc, layout.contacts)
    national_society = _national_society(doc, layout, front, society_name)
    mentions = find_mentions(doc, narrative, reference, front.country.iso3)
    log.info(
        "parsed %s: %d sections of narrative, %d claims", file_name, len(narrative), len(claims)
    )
    return Report(
        source_file=file_name,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=front.title,
        country=front.country,
        national_society=national_society,
        year=front.year,
        period_start=front.period_start,
        period_end=front.period_end,
        published=front.published,
        appeal_code=find_appeal_code(doc, layout.tables),
        key_figures=front.key_figures,
        people_reached=people_reached,
        financial_overview=overview,
        national_society_overview=society_overview,
        funding_sources=sources,
        ongoing_emergencies=parse_ongoing(doc, block("ongoing-emergencies")),
        indicators=parse_indicators(doc, block("strategic-priorities"), SP, warnings)
        + parse_indicators(doc, block("enabling-functions"), EF, warnings),
        partners=partners,
        total_funding_reported=total,
        operations=operations,
        narrative=narrative,
        claims=claims,
        mentions=mentions,
        contacts=contacts,
        warnings=tuple(warnings),
    )


def _national_society(doc: Document, layout, front, society_name: str | None) -> Text:
    """The supported National Society, in its mixed-case print when the report has one.

    The front page prints it in capitals ("IN SUPPORT OF THE MALI RED CROSS"); the
    financial overview prints it as a heading ("Mali Red Cross"). Prefer the latter
    when both name the same society.
    """
    printed = front.society_printed
    if society_name and (printed is None or society_name.casefold() == printed.casefold()):
        for line in layout.tables:
            if line.stripped == society_name:
                return Text(society_name, doc.line_span(line))
    if printed is not None and front.society_line is not None:
        line = front.society_line
        start = line.start + line.text.rindex(printed)
        return Text(_title_case(printed), doc.span(start, start + len(printed)))
    raise doc.error(layout.title, "a line 'IN SUPPORT OF THE <National Society>' after the title")


def _title_case(name: str) -> str:
    """Capitals to a name's usual case ("MALI RED CROSS" → "Mali Red Cross").

    >>> _title_case("RED CROSS SOCIETY OF NIGER")
    'Red Cross Society of Niger'
    """
    if not name.isupper():
        return name
    small = {"of", "the", "and", "for", "de", "du", "la"}
    words = name.lower().split()
    return " ".join(
        word if i and word in small else word[:1].upper() + word[1:] for i, word in enumerate(words)
    )
