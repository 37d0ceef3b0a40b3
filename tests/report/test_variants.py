"""Generated variants of the report come through with their own values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests import variants

from ifrc_kg.model import MentionKind, OperationKind
from ifrc_kg.report import parse_text

D = Decimal


@pytest.fixture(scope="module")
def niger(mali_source):
    return parse_text(variants.niger(mali_source), "niger-2024.txt")


def test_another_country_and_society(niger):
    assert (niger.country.iso3, niger.country.name) == ("NER", "Niger")
    assert niger.national_society.text == "Red Cross Society of Niger"
    assert (niger.year, niger.period_start) == (2024, date(2024, 1, 1))
    assert niger.appeal_code.text == "MAANE001"
    assert [k.figure.value for k in niger.key_figures] == [D(37), D(96), D(12450), D(318)]
    assert niger.people_reached[0].figure.value == D(9120)
    assert niger.financial_overview[0].figure.value == D(21300000)
    assert niger.financial_overview[3].figure.value == D(615500)
    assert niger.national_society_overview[0].figure.printed == "12.4M"
    first_aid = next(i for i in niger.indicators if i.concept == "people-trained-first-aid")
    assert first_aid.figure.value == D(310)
    assert niger.operations[1].code.text == "MDRNE027"
    assert all(span.file == "niger-2024.txt" for span in [niger.title.source, niger.country.source])


def test_another_country_mentions_and_claims(niger):
    places = {(m.name, m.key) for m in niger.mentions if m.kind is MentionKind.PLACE}
    assert {name for name, _ in places} >= {"Tillabéri", "Maradi", "Tahoua", "Agadez", "Zinder"}
    assert all(key is None or key.startswith("NE") for _, key in places)
    societies = {(m.name, m.key) for m in niger.mentions if m.kind is MentionKind.NATIONAL_SOCIETY}
    assert ("Red Cross Society of Niger", "NER") in societies
    claim = next(c for c in niger.claims if c.indicator == "people-trained-first-aid")
    assert claim.figure.value == D(312)


def test_partner_added_and_removed(mali_source):
    report = parse_text(variants.partner_added_and_removed(mali_source), "v.txt")
    names = [p.society_name for p in report.partners]
    assert "Qatar Red Crescent Society" not in names
    swiss = report.partners[names.index("Swiss Red Cross")]
    assert (swiss.funding.value, swiss.bilateral_areas, swiss.multilateral_through_ifrc) == (
        D(1500000),
        ("disasters-and-crises", "migration-and-displacement"),
        True,
    )
    assert len(report.partners) == 12
    assert report.total_funding_reported.value == D(36900000)


def test_two_dref_operations(mali_source):
    report = parse_text(variants.two_drefs(mali_source), "v.txt")
    drefs = [o for o in report.operations if o.kind is OperationKind.DREF]
    assert [o.code.text for o in drefs] == ["MDRML018", "MDRML019"]
    floods = drefs[1]
    assert (floods.start, floods.end, floods.duration_months) == (
        date(2023, 9, 1),
        date(2023, 12, 31),
        4,
    )
    assert floods.funding[0].figure.value == D(310500)
    assert floods.people_targeted.value == D(15000)
    assert [d.title for d in floods.documents] == ["DREF Final Report"]
    titles = [s.title for s in report.narrative[1].subsections[1].subsections]
    assert "Mali Floods" in titles
    assert any(c.figure.value == D(310500) for c in report.claims)


@pytest.mark.parametrize(
    ("variant", "empty"),
    [
        (
            variants.without_financial_overview,
            ("financial_overview", "national_society_overview", "funding_sources"),
        ),
        (variants.without_partner_matrix, ("partners",)),
        (variants.without_operations, ("operations",)),
    ],
)
def test_missing_section_is_absent(mali_source, variant, empty):
    report = parse_text(variant(mali_source), "v.txt")
    for name in empty:
        assert getattr(report, name) == ()
    assert len(report.indicators) == 34


def test_missing_section_optional_values(mali_source):
    report = parse_text(variants.without_financial_overview(mali_source), "v.txt")
    assert report.appeal_code is None
    report = parse_text(variants.without_partner_matrix(mali_source), "v.txt")
    assert report.total_funding_reported is None


def test_missing_narrative_section(mali_source):
    report = parse_text(variants.without_migration_narrative(mali_source), "v.txt")
    priorities = report.narrative[1].subsections[1].subsections
    assert "migration-and-displacement" not in [s.concept for s in priorities]
    assert not [c for c in report.claims if c.indicator == "people-reunited-rfl"]
    # the Key achievements summary keeps its own Migration section
    assert "Migration and displacement" in [
        s.title for s in report.narrative[0].subsections[1].subsections
    ]


def test_reordered_indicator_rows(mali, mali_source):
    report = parse_text(variants.reordered_indicators(mali_source), "v.txt")
    assert report.indicators != mali.indicators
    original = {(i.area, i.concept, i.figure.value) for i in mali.indicators}
    assert {(i.area, i.concept, i.figure.value) for i in report.indicators} == original
    assert report.indicators[0].concept == "climate-risk-strategies"


def test_relabelled_indicators(mali_source):
    report = parse_text(variants.relabelled_indicators(mali_source), "v.txt")
    shelter = [i for i in report.indicators if i.concept == "people-reached-shelter"]
    assert shelter[0].label == "People  Reached with SHELTER support"
    assert [i.label for i in report.indicators if i.concept is None] == [
        "People reached with solar lamps"
    ]
    assert len([w for w in report.warnings if "'25,6140'" not in w]) == 1


def test_template_headings_match_whatever_their_capitals():
    """A heading printed in title case is the same heading ("Financial Overview")."""
    from tests.variants import mali_text

    from ifrc_kg.report import parse_text

    text = (
        mali_text()
        .replace("FINANCIAL OVERVIEW", "Financial Overview", 1)
        .replace("PEOPLE REACHED\n", "People Reached\n", 1)
        .replace("OVERALL PROGRESS", "Overall progress", 1)
    )
    report = parse_text(text, "variant.txt")
    assert len(report.financial_overview) == 10
    assert len(report.people_reached) == 6
    assert [section.title for section in report.narrative][:2] == [
        "Overall progress",
        "IFRC NETWORK ACTION",
    ]
