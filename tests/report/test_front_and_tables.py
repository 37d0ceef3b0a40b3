"""Every figure of the Mali 2023 report's first pages, with its source."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ifrc_kg.model import Unit

D = Decimal


def test_front_matter(mali):
    assert mali.source_file == "ifrc-network-annual-report-mali-2023.txt"
    assert mali.title.text == "2023 IFRC network annual report, Jan-Dec"
    assert mali.title.source.line_start == 7
    assert (mali.country.name, mali.country.iso3, mali.country.source.quote) == (
        "Mali",
        "MLI",
        "MALI",
    )
    assert mali.national_society.text == "Mali Red Cross"
    assert mali.year == 2023
    assert (mali.period_start, mali.period_end) == (date(2023, 1, 1), date(2023, 12, 31))
    assert mali.published == date(2024, 9, 3)
    assert mali.appeal_code.text == "MAAML002"
    assert mali.appeal_code.source.line_start == 104
    assert len(mali.sha256) == 64


def test_key_figures(mali):
    got = [
        (k.concept, k.figure.value, k.figure.printed, k.figure.source.line_start)
        for k in mali.key_figures
    ]
    assert got == [
        ("branches", D(11), "11", 15),
        ("local-units", D(154), "154", 21),
        ("volunteers", D(8998), "8,998", 27),
        ("staff", D(272), "272", 33),
    ]
    assert [k.label for k in mali.key_figures][2] == "National Society volunteers"
    assert all(k.figure.rounded_to is None for k in mali.key_figures)
    assert mali.key_figures[2].figure.unit is Unit.PERSONS
    assert mali.key_figures[0].figure.unit is Unit.COUNT


def test_people_reached(mali):
    got = [(p.concept, p.figure.value, p.figure.source.line_start) for p in mali.people_reached]
    assert got == [
        ("emergency-operations", D(1856), 43),
        ("climate-and-environment", D(7842), 49),
        ("disasters-and-crises", D(71936), 55),
        ("health-and-wellbeing", D(240612), 61),
        ("migration-and-displacement", D(42878), 67),
        ("values-power-and-inclusion", D(171), 73),
    ]
    assert all(p.figure.unit is Unit.PERSONS for p in mali.people_reached)


def test_financial_overview(mali):
    got = [
        (f.funder_group, f.flow_type, f.figure.value, f.figure.printed, f.figure.rounded_to)
        for f in mali.financial_overview
    ]
    assert got == [
        ("country", "funding-requirement", D(15600000), "15.6M", D(100000)),
        (
            "ifrc-secretariat",
            "emergency-operations-funding-requirement",
            D(5000000),
            "5M",
            D(1000000),
        ),
        ("ifrc-secretariat", "funding", D(1300000), "1.3M", D(100000)),
        ("ifrc-secretariat", "expenditure", D(780000), "780,000", None),
        ("ifrc-secretariat", "longer-term-funding", D(4200000), "4.2M", D(100000)),
        ("participating-national-societies", "expenditure", D(3500000), "3.5M", D(100000)),
        (
            "participating-national-societies",
            "funding-requirement",
            D(10600000),
            "10.6M",
            D(100000),
        ),
        ("participating-national-societies", "funding", D(13800000), "13.8M", D(100000)),
        ("host-national-society", "expenditure", D(16300000), "16.3M", D(100000)),
        ("host-national-society", "funding", D(1700000), "1.7M", D(100000)),
    ]
    assert [f.figure.source.line_start for f in mali.financial_overview] == list(range(79, 89))
    assert mali.financial_overview[0].row_label == "Country / Funding Requirement"
    assert mali.financial_overview[2].row_label == "Funding"  # continuation row, group carried
    assert all(f.figure.unit is Unit.CHF for f in mali.financial_overview)
    assert all(isinstance(f.figure.value, Decimal) for f in mali.financial_overview)


def test_national_society_overview_and_funding_sources(mali):
    assert [
        (f.funder_group, f.flow_type, f.row_label, f.figure.value, f.figure.source.line_start)
        for f in mali.national_society_overview
    ] == [
        ("national-society", "funding", "Funding", D(17000000), 94),
        ("national-society", "expenditure", "Expenditure", D(9700000), 95),
    ]
    assert [
        (f.funder_group, f.flow_type, f.figure.value, f.figure.source.line_start)
        for f in mali.funding_sources
    ] == [
        ("ifrc-secretariat", "funding", D(1200000), 100),
        ("participating-national-societies", "funding", D(14000000), 101),
        ("host-national-society", "funding", D(1700000), 102),
    ]


def test_ongoing_emergencies(mali):
    (emergency,) = mali.ongoing_emergencies
    assert (emergency.code, emergency.name) == ("MGR60001", "African Hunger Crisis")
    assert emergency.source.line_start == 108


INDICATORS = [
    ("climate-and-environment", "people-reached-climate-risks", D(8000), Unit.PERSONS),
    ("climate-and-environment", "people-reached-environmental-problems", D(5000), Unit.PERSONS),
    ("climate-and-environment", "people-reached-heatwave-risk", D(4000), Unit.PERSONS),
    ("climate-and-environment", "nature-based-solutions", True, Unit.BOOLEAN),
    ("climate-and-environment", "environmental-campaigns", True, Unit.BOOLEAN),
    ("climate-and-environment", "climate-risk-strategies", True, Unit.BOOLEAN),
    ("disasters-and-crises", "people-reached-disaster-risk-reduction", D(72000), Unit.PERSONS),
    ("disasters-and-crises", "people-reached-emergency-assistance", D(40000), Unit.PERSONS),
    ("disasters-and-crises", "people-reached-shelter", D(15000), Unit.PERSONS),
    ("disasters-and-crises", "people-reached-livelihoods", D(3000), Unit.PERSONS),
    ("disasters-and-crises", "households-reached-income-generation", D(631), Unit.COUNT),
    ("disasters-and-crises", "share-assistance-cash-vouchers", D(94), Unit.PERCENT),
    ("health-and-wellbeing", "people-reached-immunization", D(241000), Unit.PERSONS),
    ("health-and-wellbeing", "people-reached-health-services", D(110000), Unit.PERSONS),
    ("health-and-wellbeing", "people-reached-mhpss", D(34000), Unit.PERSONS),
    ("health-and-wellbeing", "people-reached-wash", D(15000), Unit.PERSONS),
    ("health-and-wellbeing", "people-trained-first-aid", D(105), Unit.PERSONS),
    ("health-and-wellbeing", "people-donating-blood", D(103), Unit.PERSONS),
    (
        "migration-and-displacement",
        "migrants-reached-assistance-protection",
        D(43000),
        Unit.PERSONS,
    ),
    ("migration-and-displacement", "people-reached-rfl", D(32000), Unit.PERSONS),
    ("migration-and-displacement", "people-reached-social-cohesion", D(4000), Unit.PERSONS),
    ("migration-and-displacement", "people-reunited-rfl", D(200), Unit.PERSONS),
    ("migration-and-displacement", "humanitarian-service-points", D(18), Unit.COUNT),
    ("migration-and-displacement", "migrant-needs-assessments", D(2), Unit.COUNT),
    ("migration-and-displacement", "migration-information-management", True, Unit.BOOLEAN),
    ("migration-and-displacement", "migration-advocacy", True, Unit.BOOLEAN),
    ("values-power-and-inclusion", "people-reached-pgi", D(171), Unit.PERSONS),
    ("values-power-and-inclusion", "share-surveyed-useful-information", D(87), Unit.PERCENT),
    ("strategic-and-operational-coordination", "coordination-meetings", D(17), Unit.COUNT),
    (
        "strategic-and-operational-coordination",
        "government-coordination-platforms",
        D(3),
        Unit.COUNT,
    ),
    ("national-society-development", "auxiliary-role-strategy", True, Unit.BOOLEAN),
    ("national-society-development", "national-society-development-plan", True, Unit.BOOLEAN),
    ("humanitarian-diplomacy", "ifrc-communication-campaigns", True, Unit.BOOLEAN),
    ("humanitarian-diplomacy", "domestic-advocacy-strategy", True, Unit.BOOLEAN),
]


def test_every_indicator_row(mali):
    got = [(i.area, i.concept, i.figure.value, i.figure.unit) for i in mali.indicators]
    assert got == INDICATORS
    lines = [i.figure.source.line_start for i in mali.indicators]
    assert lines == [*range(114, 140), 141, 142, *range(146, 152)]
    assert [w.split(": ", 1)[1] for w in mali.warnings] == [
        "'25,6140' kept as printed with no value: its digits are not grouped in threes "
        "(25,614 or 256,140?)"
    ]


def test_indicator_labels_and_prints(mali):
    by_concept = {i.concept: i for i in mali.indicators}
    cash = by_concept["share-assistance-cash-vouchers"]
    assert (cash.figure.printed, cash.area_label) == ("94%", "Disasters and crises")
    assert cash.label == "Percentage of humanitarian assistance delivered using cash and vouchers"
    assert by_concept["nature-based-solutions"].figure.printed == "Yes"
    assert by_concept["people-trained-first-aid"].figure.printed == "105"


PARTNERS = [
    ("American Red Cross", None, (), True),
    (
        "Belgian Red Cross",
        D(2100000),
        (
            "climate-and-environment",
            "disasters-and-crises",
            "health-and-wellbeing",
            "enabling-functions",
        ),
        False,
    ),
    ("British Red Cross", None, (), True),
    ("Canadian Red Cross Society", D(6000000), ("health-and-wellbeing",), False),
    ("Danish Red Cross", D(15700000), ("disasters-and-crises", "health-and-wellbeing"), False),
    ("French Red Cross", None, ("disasters-and-crises", "health-and-wellbeing"), False),
    ("Japanese Red Cross Society", None, (), True),
    (
        "Luxembourg Red Cross",
        None,
        ("climate-and-environment", "disasters-and-crises", "migration-and-displacement"),
        False,
    ),
    ("Netherlands Red Cross", D(3800000), ("health-and-wellbeing",), False),
    ("Norwegian Red Cross", None, (), True),
    ("Qatar Red Crescent Society", None, ("health-and-wellbeing",), False),
    (
        "Spanish Red Cross",
        D(7700000),
        (
            "disasters-and-crises",
            "health-and-wellbeing",
            "migration-and-displacement",
            "enabling-functions",
        ),
        False,
    ),
]


def test_every_partner_row(mali):
    got = [
        (
            p.society_name,
            p.funding.value if p.funding else None,
            p.bilateral_areas,
            p.multilateral_through_ifrc,
        )
        for p in mali.partners
    ]
    assert got == PARTNERS
    assert [p.source.line_start for p in mali.partners] == list(range(157, 169))
    belgian = mali.partners[1]
    assert (belgian.funding.printed, belgian.funding.rounded_to, belgian.funding.unit) == (
        "2.1M",
        D(100000),
        Unit.CHF,
    )


def test_total_funding_reported(mali):
    total = mali.total_funding_reported
    assert (total.value, total.printed, total.rounded_to, total.unit) == (
        D(35400000),
        "CHF 35.4M",
        D(100000),
        Unit.CHF,
    )
    assert total.source.line_start == 170


@pytest.mark.parametrize("quote", ["15.6M", "780,000", "CHF 35.4M", "MAAML002", "8,998"])
def test_quotes_point_into_the_text(mali, mali_source, quote):
    spans = [
        f.figure.source
        for f in (*mali.financial_overview, *mali.key_figures)
        if f.figure.source.quote == quote
    ]
    spans += [mali.total_funding_reported.source, mali.appeal_code.source]
    for span in (s for s in spans if s.quote == quote):
        assert mali_source[span.start : span.end] == quote
        assert mali_source.splitlines()[span.line_start - 1].find(quote) >= 0


def test_society_name_missing_above_the_overview_falls_back_to_the_front_page():
    """Without the name above "Overview", the caption "in Swiss francs (CHF)" higher up is
    no society name: the front page's is used."""
    from tests.variants import mali_text

    from ifrc_kg.report import parse_text

    text = mali_text().replace("\nMali Red Cross\n\nOverview", "\n\nOverview", 1)
    report = parse_text(text, "variant.txt")
    assert report.national_society.text == "Mali Red Cross"
    assert report.national_society.source.line_start == 11
    assert len(report.national_society_overview) == 2
