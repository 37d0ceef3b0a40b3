"""The parsers on small hand-written inputs: rules that hold for any report of the template."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ifrc_kg.errors import ReportFormatError
from ifrc_kg.report.claims import _claims_in_sentence
from ifrc_kg.report.contacts import parse_contacts
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.lines import Document
from ifrc_kg.report.partners import parse_partners

D = Decimal


def _claims(sentence: str, concept: str | None = None):
    doc = Document("s.txt", sentence)
    return _claims_in_sentence(doc, sentence, 0, ("Section",), concept)


@pytest.mark.parametrize(
    "sentence",
    [
        "Pillar 1: Cash transfers for safety nets.",
        "A team joined the 2nd session, held 13-18 March 2023 in Sikasso.",
        "Awareness sessions on practices for children aged 0-5.",
        "Care for children from 0 to 5 years old was promoted.",
        "The Strategic Plan 2021-2025 is aligned with the Government's plan.",
        "In 2023, the National Society adopted the Seville Agreement 2.0.",
        "See Operations Update No.5 for details.",
        "The COVID-19 vaccination continued under MDRML018.",
        "Call T +00223 73486130 for details.",
        "The operation started on 15 May 2021.",
    ],
)
def test_not_quantities(sentence):
    assert _claims(sentence) == []


def test_counts_phrase_and_indicator():
    (claim,) = _claims(
        "In line with the activities, the Society has trained 104 people in first aid.",
        "health-and-wellbeing",
    )
    assert (claim.figure.value, claim.counts, claim.phrase, claim.indicator) == (
        D(104),
        "people",
        "trained 104 people in first aid",
        "people-trained-first-aid",
    )
    assert claim.sentence.source.quote.endswith("first aid.")


def test_indicator_needs_the_sections_priority():
    (claim,) = _claims("It has trained 104 people in first aid.", "climate-and-environment")
    assert claim.indicator is None


def test_two_numbers_keep_their_own_clause():
    first, second = _claims(
        "It supported 2,744 people with improving their livelihoods and helped 15,228 people "
        "with obtaining housing assistance.",
        "disasters-and-crises",
    )
    assert (first.indicator, second.indicator) == (
        "people-reached-livelihoods",
        "people-reached-shelter",
    )


def test_number_words():
    claims = _claims("It set up five committees and one of them met two times.")
    assert [(c.figure.printed, c.figure.value, c.counts) for c in claims] == [
        ("five", D(5), "committees"),
        ("two", D(2), "times"),
    ]


PARTNER_HEADER = (
    "National Society\tFunding Reported\tBilateral Support\t\t\tValues, power and inclusion"
    "\tEnabling Functions\tMultilateral Support\n"
    "\t\tClimate and environment\tHealth and wellbeing\tThrough IFRC\t\t\t\n"
)


def test_partner_columns_follow_the_headers():
    """Another matrix shape: two bilateral sub-columns only."""
    text = PARTNER_HEADER + (
        "German Red Cross\t1M\t●\t\t\t●\t\t\n"
        "Swiss Red Cross\t\t\t●\t●\t\t✓\t\n"
        "\nTotal Funding Reported **CHF 1M**\n"
    )
    doc = Document("p.txt", text)
    matrix = parse_partners(ParseContext.of(doc), tuple(doc.lines))
    rows, total = matrix.partners, matrix.total
    assert [(r.society_name, r.bilateral_areas, r.multilateral_through_ifrc) for r in rows] == [
        ("German Red Cross", ("climate-and-environment", "enabling-functions"), False),
        ("Swiss Red Cross", ("health-and-wellbeing", "values-power-and-inclusion"), True),
    ]
    assert total.value == D(1000000)


def test_partner_header_missing():
    doc = Document("p.txt", "German Red Cross\t1M\t●\n")
    with pytest.raises(ReportFormatError) as caught:
        parse_partners(ParseContext.of(doc), tuple(doc.lines))
    assert caught.value.line == 1


def test_contacts_with_bare_phone_and_wrapped_role():
    text = (
        "Jane Doe\n\nHead of Partnerships\nand Resource Mobilization\nIFRC Africa Region\n"
        "Nairobi\n+254 20 2835000\njane.doe@ifrc.org\n"
    )
    doc = Document("c.txt", text)
    (contact,) = parse_contacts(ParseContext.of(doc), tuple(doc.lines))
    assert (contact.role, contact.organisation, contact.phone, contact.email) == (
        "Head of Partnerships and Resource Mobilization",
        "IFRC Africa Region, Nairobi",
        "+254 20 2835000",
        "jane.doe@ifrc.org",
    )
