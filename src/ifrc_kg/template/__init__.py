"""The report template as data: ``network-report.toml``, read once with ``tomllib``.

What the parser recognises (headings, tables, operation keys, sector headings, cue
words) and what the graph publishes as concept schemes is this file, so a new heading
or indicator is an edit of data, not of code. ``load_template`` checks the file's shape
and fails with a message naming the entry, never half-way through a parse.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ifrc_kg.errors import IfrcKgError
from ifrc_kg.model import Unit

TEMPLATE_FILE = "network-report.toml"


class TemplateError(IfrcKgError, ValueError):
    """The template file is damaged: names the entry that is wrong (the CLI prints it in
    one line and exits 2, as for any input error)."""


@dataclass(frozen=True)
class ReportKind:
    """Annual or mid-year: what the title calls the report, and how its IRI differs."""

    key: str
    label: str
    title_words: tuple[str, ...]
    iri_suffix: str
    default_period: tuple[str, str]


@dataclass(frozen=True)
class Column:
    """What one column of a table means: a label read in a concept scheme, or a number.

    ``scheme`` is the concept scheme a label column is matched in; ``unit`` what a number
    column is measured in (unless the row's concept has its own unit); ``carries_down``
    that a row printing the cell empty keeps the value of the row above; ``fixed`` a
    notation of ``scheme`` every row has though the table does not print the column;
    ``persons_words`` first words of a row label that make the number a count of persons.
    """

    name: str
    scheme: str | None = None
    unit: Unit | None = None
    carries_down: bool = False
    fixed: str | None = None
    persons_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class TablePart:
    """A table of the first pages: its heading (or its caption ``within`` another table,
    or neither for the key figures that follow the title), its columns in print order, and
    for tables printed one cell per line (``lines``) whether the label or the number
    comes first."""

    key: str
    heading: str | None
    required: bool
    columns: tuple[Column, ...] = ()
    lines: str | None = None
    within: str | None = None
    caption: str | None = None

    def column(self, name: str) -> Column:
        """The column called ``name``; a ``TemplateError`` when the table has none."""
        for column in self.columns:
            if column.name == name:
                return column
        raise TemplateError(f"{TEMPLATE_FILE}: [tables.{self.key}] has no column {name!r}")

    def read_as(self, *kinds: str) -> tuple[Column, ...]:
        """The columns, checked against what the table's parser reads them as, in order:
        ``label`` (a scheme), ``number`` (a unit) or ``text``; a template whose columns do
        not fit is a ``TemplateError`` naming the table, not a failure mid-parse."""
        where = f"{TEMPLATE_FILE}: [tables.{self.key}]"
        if len(self.columns) != len(kinds):
            raise TemplateError(
                f"{where} has {len(self.columns)} columns; its parser reads {len(kinds)}"
            )
        for column, kind in zip(self.columns, kinds, strict=True):
            if (kind == "label") != (column.scheme is not None) or (kind == "number") != (
                column.unit is not None
            ):
                raise TemplateError(f"{where} column {column.name!r} is read as a {kind}")
        return self.columns


@dataclass(frozen=True)
class Heading:
    label: str
    rank: int
    kind: str
    capitals_only: bool = False


@dataclass(frozen=True, eq=False)
class Template:
    """The parsed template file; ``raw`` keeps the tables the concept reader uses."""

    name: str
    version: str
    report_kinds: tuple[ReportKind, ...]
    tables: tuple[TablePart, ...]
    narrative_starts: tuple[str, ...]
    contacts_heading: str
    headings: tuple[Heading, ...]
    sector_rank: int
    sector_kind: str
    sector_labels: tuple[str, ...]
    objectives: tuple[tuple[str, str], ...]
    operation_keys: dict[str, str]
    finance_captions: tuple[str, ...]
    people_words: frozenset[str]
    attribution: dict[str, tuple[str, ...]]
    section_attribution: dict[str, str]
    network_organisations: tuple[str, ...]
    raw: dict[str, Any]

    def report_kind(self, key: str) -> ReportKind:
        return next(kind for kind in self.report_kinds if kind.key == key)

    def table(self, key: str) -> TablePart:
        return next(part for part in self.tables if part.key == key)


def _get(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise TemplateError(f"{TEMPLATE_FILE}: {where} has no {key!r}")
    return table[key]


def parse_template(data: dict[str, Any]) -> Template:
    """The ``Template`` of a loaded TOML document (tests pass edited copies).

    >>> parse_template({"template": {}})
    Traceback (most recent call last):
    ...
    ifrc_kg.template.TemplateError: network-report.toml: the file has no 'narrative'
    """
    head = _get(data, "template", "the file")
    narrative = _get(data, "narrative", "the file")
    sectors = _get(narrative, "sectors", "[narrative]")
    claims = _get(data, "claims", "the file")
    return Template(
        name=_get(head, "name", "[template]"),
        version=_get(head, "version", "[template]"),
        report_kinds=tuple(
            ReportKind(
                _get(kind, "key", "[[report_kinds]]"),
                _get(kind, "label", "[[report_kinds]]"),
                tuple(_get(kind, "title_words", "[[report_kinds]]")),
                _get(kind, "iri_suffix", "[[report_kinds]]"),
                tuple(_get(kind, "default_period", "[[report_kinds]]")),
            )
            for kind in _get(data, "report_kinds", "the file")
        ),
        tables=tuple(
            _table(key, part, data) for key, part in _get(data, "tables", "the file").items()
        ),
        narrative_starts=tuple(_get(narrative, "starts", "[narrative]")),
        contacts_heading=_get(narrative, "contacts", "[narrative]"),
        headings=tuple(
            Heading(
                _get(h, "label", "[[narrative.headings]]"),
                int(_get(h, "rank", f"heading {h.get('label')!r}")),
                _get(h, "kind", f"heading {h.get('label')!r}"),
                bool(h.get("capitals_only", False)),
            )
            for h in _get(narrative, "headings", "[narrative]")
        ),
        sector_rank=int(_get(sectors, "rank", "[narrative.sectors]")),
        sector_kind=_get(sectors, "kind", "[narrative.sectors]"),
        sector_labels=tuple(_get(sectors, "labels", "[narrative.sectors]")),
        objectives=tuple(
            (_get(o, "statement", "[[narrative.objectives]]"), _get(o, "priority", "objective"))
            for o in _get(narrative, "objectives", "[narrative]")
        ),
        operation_keys=dict(_get(_get(data, "operations", "the file"), "keys", "[operations]")),
        finance_captions=tuple(_get(data, "finance", "the file").get("captions", ())),
        people_words=frozenset(_get(claims, "people_words", "[claims]")),
        attribution={
            key: tuple(words) for key, words in _get(claims, "attribution", "[claims]").items()
        },
        section_attribution=dict(claims.get("section_attribution", {})),
        network_organisations=tuple(claims.get("network_organisations", ())),
        raw=data,
    )


LINE_ORDERS = ("label-first", "number-first")


def _table(key: str, part: dict[str, Any], data: dict[str, Any]) -> TablePart:
    """One ``[tables.KEY]`` entry; a scheme, unit or order the file does not define is a
    ``TemplateError`` naming the table and the column."""
    where = f"[tables.{key}]"
    members = {s.get("notation"): s.get("members", ()) for s in data.get("schemes", ())}
    columns = []
    for column in _get(part, "columns", where):
        name = _get(column, "name", f"a column of {where}")
        at = f"{where} column {name!r}"
        scheme = column.get("scheme")
        if scheme is not None and scheme not in members:
            raise TemplateError(f"{TEMPLATE_FILE}: {at} names an unknown scheme {scheme!r}")
        fixed = column.get("fixed")
        if fixed is not None and not any(m.endswith(f"/{fixed}") for m in members[scheme]):
            raise TemplateError(f"{TEMPLATE_FILE}: {at} fixes {fixed!r}, not a {scheme!r} member")
        try:
            unit = Unit(column["unit"]) if "unit" in column else None
        except ValueError:
            raise TemplateError(
                f"{TEMPLATE_FILE}: {at} has an unknown unit {column['unit']!r}"
            ) from None
        columns.append(
            Column(
                name,
                scheme,
                unit,
                bool(column.get("carries_down", False)),
                fixed,
                tuple(column.get("persons_words", ())),
            )
        )
    lines = part.get("lines")
    if lines is not None and lines not in LINE_ORDERS:
        raise TemplateError(f"{TEMPLATE_FILE}: {where} has lines = {lines!r}, not {LINE_ORDERS}")
    return TablePart(
        key,
        part.get("heading"),
        bool(part.get("required")),
        tuple(columns),
        lines,
        part.get("within"),
        part.get("caption"),
    )


@functools.cache
def load_template() -> Template:
    """The template shipped in the package (read once per process)."""
    text = resources.files(__name__).joinpath(TEMPLATE_FILE).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"{TEMPLATE_FILE}: {error}") from None
    return parse_template(data)
