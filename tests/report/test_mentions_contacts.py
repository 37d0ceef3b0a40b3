"""Organisations, societies and places named in the narrative; the contacts."""

from __future__ import annotations

from ifrc_kg.model import MentionKind


def _named(mali, kind):
    return {(m.name, m.key) for m in mali.mentions if m.kind is kind}


def test_organisations(mali):
    organisations = _named(mali, MentionKind.ORGANISATION)
    for expected in [
        ("ICRC", "icrc"),
        ("IFRC", "ifrc"),
        ("WHO", "who"),
        ("UNICEF", "unicef"),
        ("DG ECHO", "dg-echo"),
        ("IOM", "iom"),
        ("International Committee of the Red Cross", "icrc"),
    ]:
        assert expected in organisations


def test_national_societies(mali):
    societies = _named(mali, MentionKind.NATIONAL_SOCIETY)
    for expected in [
        ("Mali Red Cross", "MLI"),
        ("Malian Red Cross Society", "MLI"),
        ("Danish Red Cross", "DNK"),
        ("Qatar Red Crescent", "QAT"),
        ("British Red Cross", "GBR"),
        ("Norwegian Red Cross", "NOR"),
    ]:
        assert expected in societies
    # "National Red Cross and Red Crescent Societies" is no society
    assert not [name for name, _ in societies if name.startswith(("National", "The"))]


def test_places_accent_and_alias_insensitive(mali):
    places = [
        (m.name, m.key, m.source.line_start) for m in mali.mentions if m.kind is MentionKind.PLACE
    ]
    assert ("Ségou", "ML04", 186) in places
    assert ("Segou", "ML04", 178) in places
    assert ("Timbuktu", "ML06", 190) in places
    assert ("Kayes", "ML01", 333) in places
    assert ("Sikasso", "ML03", 321) in places


def test_mentions_keep_section_and_exact_source(mali, mali_source):
    icrc = next(m for m in mali.mentions if m.name == "ICRC")
    assert icrc.section[-1] == "IFRC network joint support"
    assert icrc.source.line_start == 383
    for mention in mali.mentions:
        assert mali_source[mention.source.start : mention.source.end] == mention.source.quote
    # the longest name wins: "DG ECHO" is not also an "ECHO"
    dg = [m for m in mali.mentions if m.source.line_start == 347 and m.key == "dg-echo"]
    assert [m.name for m in dg] == ["DG ECHO"]


def test_contacts(mali):
    assert [
        (c.name, c.role, c.organisation, c.phone, c.email, c.url) for c in mali.contacts[:3]
    ] == [
        (
            "Nouhoum Maiga",
            "Secretary General",
            "Mali Red Cross Society",
            "+00223 73486130",
            "nmaiga@croix-rouge.ml",
            "https://www.croixrouge-mali.org/",
        ),
        (
            "Louise Daintrey",
            "Head of Strategic Engagement and Partnerships",
            "IFRC Regional Office for Africa, Nairobi",
            "+254 110 843978",
            "louise.daintrey@ifrc.org",
            None,
        ),
        (
            "Thierry Balloy",
            "Head of Delegation",
            "IFRC Country Cluster Delegation for Burkina Faso, Cote d'Ivoire, Mali & Niger, "
            "based in Niamey",
            "+2278 2803808",
            "thierry.balloy@ifrc.org",
            None,
        ),
    ]
    last = mali.contacts[3]
    assert (last.name, last.role, last.organisation) == (
        "Sumitha Martin",
        "Lead",
        "IFRC Global Strategic Planning & Reporting Centre, New Delhi",
    )
    assert mali.contacts[0].source.line_start == 497
