"""Report text → typed model (``ifrc_kg.model.Report``), every value with its source.

``parse_report(path)`` reads a file; ``parse_text(text, file_name)`` parses text already
in memory (tests and variants). What the parser knows of the template is the data file
``ifrc_kg/template/network-report.toml``; one ``ParseContext`` is shared by the
part-parsers. A file that is not a report of the template raises ``NotAReportError``; a
malformed table row, an unreadable figure or a missing required part
``ReportFormatError`` naming the file, the line and what was expected. An optional part
the report lacks is simply absent; ``Report.coverage`` lists every line left unread.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from pathlib import Path

from ifrc_kg.errors import NotAReportError, ReportFormatError
from ifrc_kg.model import Report, Text
from ifrc_kg.reference import Reference
from ifrc_kg.report.attribution import attribute_claims
from ifrc_kg.report.claims import find_claims
from ifrc_kg.report.contacts import parse_contacts
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.coverage import measure_coverage
from ifrc_kg.report.finance import find_appeal_code, parse_finance
from ifrc_kg.report.frontmatter import parse_front, parse_people_reached
from ifrc_kg.report.indicators import (
    parse_function_indicators,
    parse_ongoing,
    parse_priority_indicators,
)
from ifrc_kg.report.lines import Document
from ifrc_kg.report.mentions import find_mentions
from ifrc_kg.report.narrative import parse_narrative
from ifrc_kg.report.operations import parse_operations
from ifrc_kg.report.partners import parse_partners
from ifrc_kg.report.sections import find_layout
from ifrc_kg.template import Template

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
    return parse_text(text, path.name, reference=reference)


def normalise_text(text: str) -> str:
    """The text with a leading BOM dropped and every line break as ``\\n``.

    Offsets and quotes of the model index this text, so a CRLF or BOM copy of a report
    gives the same model and the same graph as the LF original.

    >>> normalise_text("\\ufeffa\\r\\nb\\rc")
    'a\\nb\\nc'
    """
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_text(
    text: str,
    file_name: str,
    reference: Reference | None = None,
    template: Template | None = None,
) -> Report:
    """Parse report text; ``file_name`` is what every ``SourceSpan`` names; ``template``
    is the packaged one unless given (tests read edited copies).

    ``sha256`` is of the text as parsed (UTF-8, no BOM, LF line breaks), the text every
    offset indexes: the same report saved with CRLF or a BOM has the same digest and gives
    the same graph.
    """
    if "\x00" in text:
        raise NotAReportError(file_name, None, "not a text report (it holds NUL bytes)")
    text = normalise_text(text)
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    ctx = ParseContext.of(Document(file_name, text), reference, template)
    doc = ctx.doc
    layout = find_layout(doc, ctx.template)
    front = parse_front(ctx, layout.front)
    finance = parse_finance(ctx, layout.block("financial-overview"))
    partners = parse_partners(ctx, layout.block("partners"))
    operations = parse_operations(ctx, tuple(doc.lines))
    narrative = parse_narrative(ctx, layout.narrative)
    national_society = _national_society(doc, layout, front, finance.society_name)
    mentions = find_mentions(doc, narrative, ctx.reference, front.country.iso3)
    claims = attribute_claims(
        ctx,
        find_claims(ctx, narrative),
        mentions,
        narrative,
        national_society.text,
        front.country.iso3,
    )
    report = Report(
        source_file=file_name,
        sha256=sha256,
        title=front.title,
        country=front.country,
        national_society=national_society,
        year=front.year,
        kind=front.kind,
        period_start=front.period_start,
        period_end=front.period_end,
        published=front.published,
        appeal_code=find_appeal_code(doc, layout.tables),
        key_figures=front.key_figures,
        people_reached=parse_people_reached(ctx, layout.block("people-reached")),
        financial_overview=finance.overview,
        national_society_overview=finance.society_overview,
        funding_sources=finance.funding_sources,
        ongoing_emergencies=parse_ongoing(ctx, layout.block("ongoing-emergencies")),
        indicators=parse_priority_indicators(ctx, layout.block("strategic-priorities"))
        + parse_function_indicators(ctx, layout.block("enabling-functions")),
        partners=partners.partners,
        total_funding_reported=partners.total,
        operations=operations,
        narrative=narrative,
        claims=claims,
        mentions=mentions,
        contacts=parse_contacts(ctx, layout.contacts),
    )
    coverage = measure_coverage(ctx, layout, report)
    log.info(
        "parsed %s: %d sections of narrative, %d claims, %d of %d lines read",
        file_name,
        len(narrative),
        len(report.claims),
        coverage.read,
        coverage.lines,
    )
    return dataclasses.replace(report, warnings=tuple(ctx.warnings), coverage=coverage)


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
