"""The first page: country, title, year and period, publication date, the supported
National Society, the key figures and PEOPLE REACHED (tables printed one cell per line;
the template says which comes first, the scheme of the labels and the unit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ifrc_kg.model import Country, KeyFigure, PeopleReached, Text, Unit
from ifrc_kg.reference import Reference
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.dates import DATE, find_dates, month_range
from ifrc_kg.report.lines import Document, Line
from ifrc_kg.report.numbers import AmbiguousNumber, BadNumberForm, read_number
from ifrc_kg.report.sections import IN_SUPPORT_OF, title_kind, title_pattern
from ifrc_kg.template import TablePart


@dataclass(frozen=True)
class FrontMatter:
    title: Text
    country: Country
    society_line: Line | None
    society_printed: str | None
    year: int
    kind: str
    period_start: date
    period_end: date
    published: date | None
    key_figures: tuple[KeyFigure, ...]


def _is_number(text: str) -> bool:
    """Whether a line is a figure; a misprinted one ("1,5", "25,6140") counts, and fails
    (or is kept with no value) in ``_figure`` with the reason."""
    try:
        read_number(text)
    except (BadNumberForm, AmbiguousNumber):
        return True
    except ValueError:
        return False
    return True


def _figure(ctx: ParseContext, line: Line, unit: Unit, what: str):
    return ctx.figure(line, line.stripped, ctx.doc.line_span(line), unit, f"{what} like '8,998'")


def parse_front(ctx: ParseContext, lines: tuple[Line, ...]) -> FrontMatter:
    """Read the front matter (``lines`` start at the title) and the key figures after it.

    The kind of report (annual, mid-year) and its period come from the title: "2024 IFRC
    network mid-year report, Jan-Jun" covers 2024-01-01 to 2024-06-30; a title without
    months covers the kind's default period.
    """
    doc = ctx.doc
    title_line = lines[0]
    match = title_pattern(ctx.template).search(title_line.text)
    assert match is not None  # find_title checked it
    year = int(match["year"] or match["year_after"])
    kind = title_kind(ctx.template, match["kind"])
    first, last = (match["first"], match["last"]) if match["first"] else kind.default_period
    period = month_range(year, first, last)
    if period is None:
        raise doc.error(title_line, "a period of months like 'Jan-Dec' after the report kind")
    title = Text(title_line.stripped, doc.line_span(title_line))

    country_line = next(
        (line for line in reversed(doc.lines[: title_line.number - 1]) if not line.blank), None
    )
    rest = lines[1:]
    published: date | None = None
    society_line: Line | None = None
    last_front = title_line.number
    for line in rest:
        if line.blank:
            continue
        found = find_dates(line.text)
        if published is None and found and DATE.fullmatch(line.stripped):
            published = found[0][0]
            last_front = line.number
            ctx.read_as(line, "publication date")
        elif society_line is None and IN_SUPPORT_OF.fullmatch(line.stripped):
            society_line = line
            last_front = line.number
            ctx.read_as(line, "supported National Society")
        else:
            break
    society_printed = None
    if society_line is not None:
        name_match = IN_SUPPORT_OF.fullmatch(society_line.stripped)
        assert name_match is not None
        society_printed = name_match["name"].strip()

    country = _country(doc, ctx.reference, country_line, title_line, match.start())
    key_lines = [line for line in rest if line.number > last_front]
    return FrontMatter(
        title=title,
        country=country,
        society_line=society_line,
        society_printed=society_printed,
        year=year,
        kind=kind.key,
        period_start=period[0],
        period_end=period[1],
        published=published,
        key_figures=tuple(_key_figures(ctx, key_lines)),
    )


def _country(
    doc: Document,
    reference: Reference,
    country_line: Line | None,
    title_line: Line,
    title_start: int,
) -> Country:
    """The country named above the title; a name ISO 3166 does not know is an error."""
    if country_line is not None:
        record = reference.country_by_name(country_line.stripped) or _by_iso_name(
            reference, country_line.stripped
        )
        if record is not None:
            return Country(record.name, record.iso3, doc.line_span(country_line))
    # "MALI 2023 IFRC network annual report": the country printed before the year
    before = title_line.text[:title_start].strip(" -–:,")
    if before:
        record = reference.country_by_name(before) or _by_iso_name(reference, before)
        if record is not None:
            start = title_line.start + title_line.text.index(before)
            return Country(record.name, record.iso3, doc.span(start, start + len(before)))
    raise doc.error(
        country_line or title_line, "the name of a country (ISO 3166) above the report title"
    )


def _by_iso_name(reference: Reference, name: str):
    """ISO 3166's own names and official names ("Viet Nam", "Republic of Mali"), offline."""
    import pycountry

    try:
        found = pycountry.countries.lookup(name)
    except LookupError:
        return None
    return reference.country(found.alpha_3)


def _pairs(
    ctx: ParseContext, lines: list[Line] | tuple[Line, ...], table: TablePart
) -> list[tuple[Line, Line]]:
    """The (label, number) lines of the table, in the order the template says it prints."""
    number_first = table.lines == "number-first"
    label, number = (column.name for column in table.read_as("label", "number"))
    first, second = (number, label) if number_first else (label, number)
    pairs: list[tuple[Line, Line]] = []
    pending: Line | None = None
    for line in lines:
        if line.blank:
            continue
        if _is_number(line.stripped) == number_first:
            if pending is not None:
                raise ctx.error(line, f"the {second} on the line after {pending.stripped!r}")
            pending = line
            continue
        if pending is None:
            raise ctx.error(line, f"a {first} on the line before {line.stripped!r}")
        pairs.append((line, pending) if number_first else (pending, line))
        pending = None
    if pending is not None:
        raise ctx.error(pending, f"the {second} on the line after {pending.stripped!r}")
    return pairs


def _labelled_figures(
    ctx: ParseContext,
    lines: list[Line] | tuple[Line, ...],
    table: TablePart,
    row: type[KeyFigure] | type[PeopleReached],
) -> list:
    """The rows of a one-cell-per-line table: each label's concept and its figure."""
    label_column, number_column = table.read_as("label", "number")
    assert label_column.scheme is not None and number_column.unit is not None
    rows = []
    for label, number in _pairs(ctx, lines, table):
        concept = ctx.concept(label, label_column.scheme, label.stripped, label_column.name)
        ctx.read_as(label, label_column.name)
        unit = concept.unit if concept and concept.unit else number_column.unit
        figure = _figure(ctx, number, unit, f"a {number_column.name}")
        rows.append(row(concept.notation if concept else None, label.stripped, figure))
    return rows


def _key_figures(ctx: ParseContext, lines: list[Line]) -> list[KeyFigure]:
    """The key figures after the title (the template's ``key-figures``: number first)."""
    return _labelled_figures(ctx, lines, ctx.template.table("key-figures"), KeyFigure)


def parse_people_reached(ctx: ParseContext, lines: tuple[Line, ...]) -> tuple[PeopleReached, ...]:
    """PEOPLE REACHED (the template's ``people-reached``: label first, then its number)."""
    table = ctx.template.table("people-reached")
    return tuple(_labelled_figures(ctx, lines, table, PeopleReached))
