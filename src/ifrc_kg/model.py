"""The typed model of one IFRC network annual report.

Plain frozen dataclasses, no RDF: the parser (``ifrc_kg.report``) fills them, the
mapping (``ifrc_kg.graph``) reads them. Every value keeps its ``SourceSpan`` so any
figure in the graph can be traced to the characters of the report it came from.
Concept fields hold a notation from ``ifrc_kg.concepts`` (``"health-and-wellbeing"``);
an unknown label keeps ``concept=None`` and its printed label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True)
class SourceSpan:
    """Where a value was read.

    ``line_start``/``line_end`` are 1-based and inclusive; ``start``/``end`` are 0-based
    code-point offsets into the file text, end exclusive (Python slicing, and the
    W3C Web Annotation ``TextPositionSelector``), so ``text[start:end] == quote``.
    """

    file: str
    line_start: int
    line_end: int
    quote: str
    start: int
    end: int


class Unit(StrEnum):
    """What a figure is measured in."""

    PERSONS = "persons"
    COUNT = "count"
    PERCENT = "percent"
    CHF = "CHF"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Figure:
    """A value exactly as the report prints it, read into a number or a yes/no.

    ``rounded_to`` says how precise the print is: ``"15.6M"`` is 15,600,000 rounded to
    100,000; ``"780,000"`` is exact (``None``) because the report printed every digit.
    """

    value: Decimal | bool | None
    """``None`` for a print that allows several readings (``readings``), in a table or the
    narrative, and for a narrative print with a decimal comma: the report does not say."""
    unit: Unit
    printed: str
    rounded_to: Decimal | None
    source: SourceSpan
    readings: tuple[Decimal, ...] = ()
    """The candidate values of an ambiguous print ("25,6140": 25614 and 256140)."""


@dataclass(frozen=True)
class Text:
    """A piece of text of the report with its source."""

    text: str
    source: SourceSpan


# --- front matter and headline figures -------------------------------------------------


@dataclass(frozen=True)
class Country:
    name: str
    iso3: str
    source: SourceSpan


@dataclass(frozen=True)
class KeyFigure:
    """A National Society capacity figure (branches, local units, volunteers, staff)."""

    concept: str | None
    label: str
    figure: Figure


@dataclass(frozen=True)
class PeopleReached:
    """People reached under one strategic priority, or by emergency operations."""

    concept: str | None
    label: str
    figure: Figure


@dataclass(frozen=True)
class FinancialFigure:
    """One CHF figure of the financial overview, the NS overview or the funding sources.

    ``funder_group`` and ``flow_type`` are notations of the funder-group and flow-type
    schemes; ``row_label`` keeps the row as printed (the text lost the table's columns).
    """

    funder_group: str | None
    flow_type: str | None
    row_label: str
    figure: Figure


@dataclass(frozen=True)
class OngoingEmergency:
    """An operation listed under ONGOING EMERGENCY INDICATORS."""

    code: str
    name: str
    source: SourceSpan


@dataclass(frozen=True)
class Indicator:
    """One row of STRATEGIC PRIORITIES or ENABLING FUNCTIONS.

    ``area`` is the strategic priority or enabling function notation; ``concept`` the
    indicator notation (``None`` for a label the template does not know).
    """

    area: str | None
    area_label: str
    concept: str | None
    label: str
    figure: Figure


@dataclass(frozen=True)
class PartnerSupport:
    """One row of the IFRC network supported activities matrix."""

    society_name: str
    funding: Figure | None
    bilateral_areas: tuple[str, ...]
    multilateral_through_ifrc: bool
    source: SourceSpan


# --- operations ------------------------------------------------------------------------


class OperationKind(StrEnum):
    EMERGENCY_APPEAL = "emergency-appeal"
    DREF = "dref"


@dataclass(frozen=True)
class OperationEvent:
    """A dated step of an operation's duration ("scaled up to an Emergency Appeal")."""

    day: date
    description: str


@dataclass(frozen=True)
class OperationFunding:
    """A CHF amount of an operation table: requirement or allocation, with its scope."""

    scope: str
    channel: str
    figure: Figure


@dataclass(frozen=True)
class LinkedDocument:
    role: str
    title: str
    source: SourceSpan


@dataclass(frozen=True)
class OperationRow:
    """A row of an operation table the template has no key for, kept as printed."""

    label: str
    value: Text


@dataclass(frozen=True)
class Operation:
    """An emergency appeal or DREF operation table."""

    kind: OperationKind
    name: Text
    code: Text
    duration: Text
    start: date | None
    end: date | None
    duration_months: int | None
    events: tuple[OperationEvent, ...]
    people_affected: tuple[Figure, ...]
    people_affected_text: Text | None
    people_targeted: Figure | None
    funding: tuple[OperationFunding, ...]
    documents: tuple[LinkedDocument, ...]
    source: SourceSpan
    other_rows: tuple[OperationRow, ...] = ()
    """Rows whose key the template does not know, kept as printed (with a warning)."""


# --- narrative ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str
    source: SourceSpan


@dataclass(frozen=True)
class Section:
    """A heading of the narrative with its paragraphs and subsections.

    ``kind`` is one of ``"context"``, ``"key-achievements"``, ``"strategic-priority"``,
    ``"enabling-function"``, ``"objective"`` (a priority's objective statement, printed
    as a heading), ``"progress"``, ``"joint-support"``, ``"operations"``, ``"sector"`` (a
    sector heading of an operational strategy), ``"about-ifrc"``, ``"other"`` (the kinds of
    the template file), or ``"unknown"`` (a heading the template does not know, kept);
    ``concept`` the priority or function it is about, if any (inherited from the
    enclosing section). ``source`` is the heading line as printed.
    """

    title: str
    kind: str
    concept: str | None
    paragraphs: tuple[Paragraph, ...]
    subsections: tuple[Section, ...]
    source: SourceSpan


@dataclass(frozen=True)
class Claim:
    """A number in a narrative sentence with what it counts.

    ``phrase`` is the words around the number that say what it counts ("planted 25,614
    seedlings"), ``counts`` the thing counted ("seedlings"), ``section`` the titles from
    the top of the narrative down to the section holding the sentence, ``concept`` the
    priority or function of that section, ``indicator`` the template indicator the
    number speaks of, when the words say so (used to compare narrative and table).
    ``attribution`` says whose figure it is: ``"national-society"`` (the society's own
    work), ``"ifrc-network"``, ``"other-organisation"`` (``attributed_to`` names it) or
    ``"context"`` (a statistic of the situation, not anyone's achievement).
    """

    figure: Figure
    counts: str
    phrase: str
    sentence: Text
    section: tuple[str, ...]
    concept: str | None
    indicator: str | None = None
    attribution: str = "national-society"
    attributed_to: str | None = None


class MentionKind(StrEnum):
    ORGANISATION = "organisation"
    NATIONAL_SOCIETY = "national-society"
    PLACE = "place"


@dataclass(frozen=True)
class Mention:
    """An organisation or place named in the narrative, as printed.

    ``key`` is what the reference gazetteer knows it by (organisation key, National
    Society ISO3, admin-unit P-code); ``None`` for a name it does not know.
    """

    name: str
    kind: MentionKind
    section: tuple[str, ...]
    source: SourceSpan
    key: str | None = None


@dataclass(frozen=True)
class Contact:
    name: str
    role: str
    organisation: str
    phone: str | None
    email: str | None
    url: str | None
    source: SourceSpan


# --- the report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """Everything one report says, each part absent (empty) when the report lacks it."""

    source_file: str
    sha256: str
    title: Text
    country: Country
    national_society: Text
    year: int
    period_start: date
    period_end: date
    published: date | None
    appeal_code: Text | None
    kind: str = "annual"
    """The kind of report its title names: a key of the template's ``report_kinds``."""
    key_figures: tuple[KeyFigure, ...] = ()
    people_reached: tuple[PeopleReached, ...] = ()
    financial_overview: tuple[FinancialFigure, ...] = ()
    national_society_overview: tuple[FinancialFigure, ...] = ()
    funding_sources: tuple[FinancialFigure, ...] = ()
    ongoing_emergencies: tuple[OngoingEmergency, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    partners: tuple[PartnerSupport, ...] = ()
    total_funding_reported: Figure | None = None
    operations: tuple[Operation, ...] = ()
    narrative: tuple[Section, ...] = ()
    claims: tuple[Claim, ...] = ()
    mentions: tuple[Mention, ...] = ()
    contacts: tuple[Contact, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    coverage: Coverage | None = None


@dataclass(frozen=True)
class UnreadLine:
    """A non-blank line of the report that no part of the model holds, and why."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Coverage:
    """How much of the report the model holds: non-blank lines read, and those left unread."""

    lines: int
    read: int
    unread: tuple[UnreadLine, ...] = ()
