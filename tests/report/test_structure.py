"""Structural variants of the template: 0-20 partners, 0-3 DREFs, 0-2 appeals, other sector
headings, unknown indicator rows, places of other countries, each kind of line removed.

Property: every figure put into a generated report is found in the model with its line,
and every non-blank line is accounted for (read, none left unread).
"""

from __future__ import annotations

import logging

import pytest
from bench.reports import variant as other_country
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tests import variants

from ifrc_kg.errors import ReportFormatError
from ifrc_kg.model import Figure, MentionKind
from ifrc_kg.reference import load_reference
from ifrc_kg.report import parse_text
from ifrc_kg.report.coverage import _spans
from ifrc_kg.template import load_template

MALI = variants.mali_text()
KNOWN_SECTORS = list(load_template().sector_labels)


def _figures(value) -> list[Figure]:
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Figure):
            found.append(item)
        elif isinstance(item, tuple | list):
            stack.extend(item)
        elif hasattr(item, "__dataclass_fields__"):
            stack.extend(getattr(item, name) for name in item.__dataclass_fields__)
    return found


def _line_of(text: str, fragment: str, after: str | None = None) -> int:
    """The line holding ``fragment``: the only one, or the first after the line ``after``."""
    lines = list(enumerate(text.split("\n"), 1))
    if after is not None:
        (start,) = [n for n, line in lines if line == after]
        return next(n for n, line in lines[start:] if fragment in line)
    (number,) = [n for n, line in lines if fragment in line]
    return number


def _grouped(number: int) -> str:
    return f"{number:,}"


amounts = st.integers(1_000, 999_999).map(_grouped)
partner = st.tuples(st.booleans(), st.integers(1, 99))
sector = st.one_of(
    st.sampled_from(KNOWN_SECTORS),
    st.sampled_from(["Cash transfers and markets", "Digital transformation", "Youth action"]),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    partners=st.lists(partner, max_size=20),
    drefs=st.lists(st.tuples(amounts, amounts), max_size=3),
    appeals=st.lists(st.integers(10, 999), max_size=2),
    sectors=st.lists(sector, min_size=1, max_size=7, unique=True),
    indicator=amounts,
)
# The extremes the issue names, always tried: no partner, DREF nor appeal and one sector;
# 20 partners, 3 DREFs, 2 appeals and seven sectors (known and unknown).
@example(partners=[], drefs=[], appeals=[], sectors=["Shelter"], indicator="1,000")
@example(
    partners=[(n % 2 == 0, n + 1) for n in range(20)],
    drefs=[("204,222", "15,000"), ("310,500", "8,100"), ("99,999", "1,234")],
    appeals=[10, 999],
    sectors=[*KNOWN_SECTORS[:5], "Cash transfers and markets", "Youth action"],
    indicator="640,000",
)
def test_every_figure_put_in_is_found_with_its_line(partners, drefs, appeals, sectors, indicator):
    logging.disable(logging.WARNING)
    rows = [
        (f"Partner {n} Red Cross", f"{million}.{n % 10}M" if funded else None)
        for n, (funded, million) in enumerate(partners, start=1)
    ]
    dref_rows = [
        (f"MDRML{n:03d}", allocation, targeted)
        for n, (allocation, targeted) in enumerate(drefs, start=101)
    ]
    appeal_rows = [(f"MGR6{n:04d}", f"{m}.5 M") for n, m in enumerate(appeals, start=1)]
    text = variants.with_partners(MALI, rows)
    text = variants.with_operations(text, dref_rows, appeal_rows)
    text = variants.with_sectors(text, sectors)
    text = variants.with_indicator(text, "People reached with mosquito nets", indicator)
    report = parse_text(text, "structure.txt")
    logging.disable(logging.NOTSET)

    expected = [(funding, f"{name}\t{funding}", None) for name, funding in rows if funding]
    for code, allocation, targeted in dref_rows:
        expected += [
            (f"CHF {allocation}", f"FUNDING ALLOCATION\tCHF {allocation}", f"MDR-CODE\t{code}"),
            (targeted, f"PEOPLE TARGETED\t{targeted}", f"MDR-CODE\t{code}"),
        ]
        assert code in [op.code.text for op in report.operations]
    for code, requirement in appeal_rows:
        expected.append((f"CHF {requirement}", f"Appeal: CHF {requirement}", f"MDR-CODE\t{code}"))
    expected.append((indicator, f"mosquito nets\t{indicator}", None))
    found = {(figure.printed, figure.source.line_start) for figure in _figures(report)}
    for printed, fragment, after in expected:
        assert (printed, _line_of(text, fragment, after)) in found, printed

    assert len(report.partners) == len(rows)
    assert len(report.operations) == len(dref_rows) + len(appeal_rows)
    titles = [s.title for s in _walk(report.narrative)]
    for heading in sectors:
        assert heading in titles
    assert report.coverage.unread == ()
    assert report.coverage.read == report.coverage.lines
    non_blank = sum(1 for line in text.split("\n") if line.strip())
    assert report.coverage.lines == non_blank
    for span in _spans(report):
        assert text[span.start : span.end] == span.quote


def _walk(sections):
    for section in sections:
        yield section
        yield from _walk(section.subsections)


@pytest.mark.parametrize(
    ("country", "society", "iso2", "iso3"),
    [
        ("Burundi", "Burundi Red Cross", "BI", "BDI"),
        ("Iraq", "Iraqi Red Crescent Society", "IQ", "IRQ"),
        ("Myanmar", "Myanmar Red Cross Society", "MM", "MMR"),
        ("Tajikistan", "Red Crescent Society of Tajikistan", "TJ", "TJK"),
    ],
)
def test_places_of_other_countries_link_with_their_pcodes(country, society, iso2, iso3):
    from decimal import Decimal

    reference = load_reference()
    units = [u for u in reference.admin_units_of(iso3) if u.level == 1][:2]
    assert len(units) == 2
    text = other_country(MALI, country, society, iso2, 2023, Decimal(1))
    sentence = f"Floods hit {units[0].name} and {units[1].name} hardest."
    text = variants.with_places(text, sentence)
    report = parse_text(text, f"{iso3.lower()}.txt", reference)
    assert report.country.iso3 == iso3
    places = {
        (m.name, m.key)
        for m in report.mentions
        if m.kind is MentionKind.PLACE and m.source.line_start == _line_of(text, sentence)
    }
    assert places == {(units[0].name, units[0].pcode), (units[1].name, units[1].pcode)}


LINE_KINDS = {
    "key-figure number": "8,998",
    "people-reached label": "Migration and displacement",
    "financial overview row": "\tExpenditure\t780,000",
    "funding source row": "Participating National Societies\t14M",
    "appeal number": "Appeal number **MAAML002**",
    "ongoing emergency": "MGR60001 / *African Hunger Crisis*",
    "indicator row": "\tPeople donating blood\t103",
    "partner row": "Danish Red Cross\t15.7M\t\t●\t●\t\t\t\t\t",
    "partner total": "Total Funding Reported **CHF 35.4M**",
    "narrative heading": "Key achievements",
    "operation row": "PEOPLE TARGETED\t322,013",
    "operation link": "Link to Operation Update\tOperations Update No.5",
    "contact phone": "T +254 110 843978",
}


@pytest.mark.parametrize("kind", sorted(LINE_KINDS))
def test_each_kind_of_line_removed_once(kind):
    """A report without one line parses with that line gone (and none unread), or fails
    with a one-line error naming the file: never a traceback, never a silent loss."""
    line = LINE_KINDS[kind]
    lines = MALI.split("\n")
    index = (
        lines.index(line)
        if line in lines
        else next(i for i, text in enumerate(lines) if text.startswith(line))
    )
    text = "\n".join(lines[:index] + lines[index + 1 :])
    try:
        report = parse_text(text, "removed.txt")
    except ReportFormatError as error:
        assert error.file == "removed.txt"
        assert "\n" not in str(error)
        return
    assert report.coverage.unread == ()
    assert report.coverage.lines == 287


def test_reordered_parts_give_the_same_figures(mali):
    report = parse_text(variants.reordered_parts(MALI), "reordered.txt")
    assert [(p.concept, p.figure.value) for p in report.people_reached] == [
        (p.concept, p.figure.value) for p in mali.people_reached
    ]
    assert len(report.claims) == len(mali.claims)

    def last(titles: list[str], title: str) -> int:
        return len(titles) - 1 - titles[::-1].index(title)

    titles = [s.title for s in _walk(report.narrative)]
    assert last(titles, "Values, power and inclusion") < last(titles, "Migration and displacement")
    original = [s.title for s in _walk(mali.narrative)]
    assert last(original, "Values, power and inclusion") > last(
        original, "Migration and displacement"
    )
    assert report.coverage.unread == ()
    assert report.coverage.read == mali.coverage.read
