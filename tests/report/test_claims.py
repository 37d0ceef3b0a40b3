"""A sample of the Mali narrative's quantitative claims, with sentences and lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ifrc_kg.model import Unit

D = Decimal


def _claim(mali, printed, line):
    found = [
        c for c in mali.claims if c.figure.printed == printed and c.figure.source.line_start == line
    ]
    assert len(found) == 1, (printed, line, found)
    return found[0]


@pytest.mark.parametrize(
    ("printed", "line", "value", "counts", "phrase", "concept", "indicator"),
    [
        (
            "25,614",
            186,
            D(25614),
            "seedlings",
            "planted 25,614 seedlings",
            "climate-and-environment",
            None,
        ),
        (
            "5,709",
            337,
            D(5709),
            "children",
            "screened 5,709 children for malnutrition",
            "health-and-wellbeing",
            None,
        ),
        (
            "104",
            333,
            D(104),
            "people",
            "trained 104 people in first aid",
            "health-and-wellbeing",
            "people-trained-first-aid",
        ),
        (
            "50",
            375,
            D(50),
            "people",
            "reuniting 50 people with their families",
            "migration-and-displacement",
            "people-reunited-rfl",
        ),
        (
            "8,000",
            375,
            D(8000),
            "people",
            "for 8,000 people",
            "migration-and-displacement",
            "people-reached-rfl",
        ),
        (
            "240,612",
            333,
            D(240612),
            "people",
            "services to about 240,612 people",
            "health-and-wellbeing",
            "people-reached-immunization",
        ),
        (
            "3,841",
            274,
            D(3841),
            "people",
            "reached 3,841 people",
            "climate-and-environment",
            "people-reached-heatwave-risk",
        ),
        (
            "2,744",
            309,
            D(2744),
            "people",
            "supported 2,744 people with improving their livelihoods",
            "disasters-and-crises",
            "people-reached-livelihoods",
        ),
        (
            "15,228",
            309,
            D(15228),
            "people",
            "helped 15,228 people with obtaining housing assistance",
            "disasters-and-crises",
            "people-reached-shelter",
        ),
        (
            "1,517",
            339,
            D(1517),
            "people",
            "provided to over 1,517 people",
            "health-and-wellbeing",
            "people-reached-mhpss",
        ),
        (
            "57",
            333,
            D(57),
            "midwives and nurses",
            "training of 57 midwives and nurses",
            "health-and-wellbeing",
            None,
        ),
    ],
)
def test_sample_claims(mali, printed, line, value, counts, phrase, concept, indicator):
    claim = _claim(mali, printed, line)
    assert claim.figure.value == value
    assert claim.counts == counts
    assert claim.phrase == phrase
    assert claim.concept == concept
    assert claim.indicator == indicator


def test_claim_sentence_and_section(mali, mali_source):
    claim = _claim(mali, "104", 333)
    assert claim.sentence.text == (
        "In line with the various activities in these areas, the Mali Red Cross has trained "
        "104 people in first aid."
    )
    assert claim.sentence.source.line_start == 333
    assert (
        mali_source[claim.sentence.source.start : claim.sentence.source.end]
        == claim.sentence.source.quote
    )
    assert claim.section == (
        "IFRC NETWORK ACTION",
        "STRATEGIC PRIORITIES",
        "Health and wellbeing",
        "The health and wellbeing of communities are protected and improved through access to "
        "sustainable, affordable, appropriate, and quality health services throughout life",
        "Progress by the National Society against objectives",
    )
    assert claim.figure.unit is Unit.PERSONS


def test_table_and_narrative_disagreement_both_kept(mali):
    table = next(i for i in mali.indicators if i.concept == "people-trained-first-aid")
    claim = next(c for c in mali.claims if c.indicator == "people-trained-first-aid")
    assert (table.figure.value, claim.figure.value) == (D(105), D(104))


def test_misprinted_number_kept_as_printed(mali):
    claim = _claim(mali, "25,6140", 276)
    assert claim.figure.value is None
    assert claim.figure.readings == (D(25614), D(256140))
    assert claim.counts == "seedlings"


def test_money_percent_and_magnitude_claims(mali):
    chf = _claim(mali, "CHF 204,222", 303)
    assert (chf.figure.unit, chf.figure.value) == (Unit.CHF, D(204222))
    share = _claim(mali, "60 per cent", 176)
    assert (share.figure.unit, share.figure.value) == (Unit.PERCENT, D(60))
    need = _claim(mali, "1.8 million", 226)
    assert (need.figure.value, need.figure.rounded_to, need.counts) == (
        D(1800000),
        D(100000),
        "people",
    )


def test_number_words_count_when_a_noun_follows(mali):
    five = _claim(mali, "five", 446)
    assert (five.figure.value, five.counts) == (
        D(5),
        "crisis and disaster management committee meetings",
    )
    assert not [c for c in mali.claims if c.figure.printed.casefold() == "one"]


@pytest.mark.parametrize(
    "not_a_claim",
    ["2023", "2022", "2021", "2024", "1", "2", "3", "0", "5", "13", "18", "19", "15", "31", "2.0"],
)
def test_years_dates_labels_ranges_are_not_claims(mali, not_a_claim):
    printed = {c.figure.printed for c in mali.claims}
    if not_a_claim == "15":
        # "15 volunteers" (line 339) is a claim; "15 May 2021" is not in the narrative
        assert {c.figure.source.line_start for c in mali.claims if c.figure.printed == "15"} == {
            339
        }
    else:
        assert not_a_claim not in printed


def test_claim_sources_are_exact(mali, mali_source):
    assert len(mali.claims) > 40
    for claim in mali.claims:
        span = claim.figure.source
        assert mali_source[span.start : span.end] == span.quote == claim.figure.printed


@pytest.mark.parametrize(
    ("sentence", "printed", "value"),
    [
        ("The appeal seeks CHF 232.5 M for the region.", "CHF 232.5 M", D(232500000)),
        ("The operation reached 2.5 mn people.", "2.5 mn", D(2500000)),
        ("Partners raised CHF 1.2bn in all.", "CHF 1.2bn", D(1200000000)),
    ],
)
def test_every_magnitude_print_reads_in_the_narrative(sentence, printed, value):
    """The narrative may print magnitudes as the tables do ("CHF 232.5 M"): never 232.5."""
    from tests.variants import mali_text

    from ifrc_kg.report import parse_text

    anchor = "Recent years were marked by an exacerbation of violence"
    report = parse_text(mali_text().replace(anchor, f"{sentence} {anchor}", 1), "variant.txt")
    found = [claim for claim in report.claims if claim.figure.printed == printed]
    assert [claim.figure.value for claim in found] == [value]
