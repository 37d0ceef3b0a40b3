"""Name lookups: accent- and case-insensitive, by alias, never guessed."""

from __future__ import annotations

import pytest

from ifrc_kg.model import Mention, MentionKind, SourceSpan
from ifrc_kg.reference import load_reference

REFERENCE = load_reference()


@pytest.mark.parametrize(
    ("name", "pcode"),
    [
        ("Ségou", "ML04"),
        ("Segou", "ML04"),
        ("SEGOU", "ML04"),
        ("Timbuktu", "ML06"),
        ("Tombouctou", "ML06"),
        ("Kayes", "ML01"),  # admin-1 and admin-2: regions win
        ("Mopti", "ML05"),
        ("Gao", "ML07"),
        ("Bamako", "ML09"),
        ("Ménaka", "ML10"),
        ("Bafoulabe", "ML0101"),  # admin-2 only
    ],
)
def test_places_resolve_by_normalised_name_and_alias(name: str, pcode: str) -> None:
    resolution = REFERENCE.resolve_place("MLI", name)
    assert resolution.key == pcode, resolution


def test_unknown_place_stays_unresolved_with_a_reason() -> None:
    resolution = REFERENCE.resolve_place("MLI", "Foulabougou")
    assert resolution.key is None
    assert "no admin unit of MLI" in resolution.reason


def test_place_of_another_country_is_not_found() -> None:
    assert REFERENCE.resolve_place("NER", "Mopti").key is None


def test_two_units_of_the_same_level_are_ambiguous_not_guessed() -> None:
    units = REFERENCE.places_named("AFG", "Qara Bagh")
    assert len(units) == 2 and {unit.level for unit in units} == {2}
    resolution = REFERENCE.resolve_place("AFG", "Qara Bagh")
    assert resolution.key is None
    assert resolution.reason.startswith("ambiguous: ")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("DG ECHO", "dg-echo"),
        ("ECHO", "dg-echo"),
        (
            "Directorate-General for European Civil Protection and Humanitarian Aid Operations",
            "dg-echo",
        ),
        ("the ICRC", "icrc"),
        ("International Committee of the Red Cross", "icrc"),
        ("IFRC", "ifrc"),
        ("WHO", "who"),
        ("World Health Organisation", "who"),
        ("UNDP", "undp"),
        ("UNICEF", "unicef"),
        ("WFP", "wfp"),
        ("FAO", "fao"),
        ("OCHA", "ocha"),
        ("UNFPA", "unfpa"),
        ("IOM", "iom"),
    ],
)
def test_organisations_by_name_acronym_and_alias(name: str, key: str) -> None:
    organisation = REFERENCE.organisation_by_name(name)
    assert organisation is not None and organisation.key == key


def test_unknown_organisation_is_none() -> None:
    assert REFERENCE.organisation_by_name("Agency for Imaginary Affairs") is None


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Danish Red Cross", "DNK"),
        ("Canadian Red Cross", "CAN"),
        ("The Canadian Red Cross Society", "CAN"),
        ("Netherlands Red Cross", "NLD"),
        ("Qatar Red Crescent", "QAT"),
        ("French Red Cross", "FRA"),  # not one of the French territories' rows
        ("British Red Cross", "GBR"),
        ("Malian Red Cross Society", "MLI"),
        ("Croix-Rouge malienne", "MLI"),
    ],
)
def test_societies_by_name(name: str, iso3: str) -> None:
    society = REFERENCE.society_by_name(name)
    assert society is not None and society.iso3 == iso3


def test_country_by_name_and_codes() -> None:
    assert REFERENCE.country_by_name("MALI").iso3 == "MLI"
    assert REFERENCE.country_by_name("Bolivia").iso3 == "BOL"
    assert REFERENCE.country("mli").m49 == "466"
    assert REFERENCE.country_by_name("Atlantis") is None


def _mention(name: str, kind: MentionKind) -> Mention:
    span = SourceSpan("report.txt", 3, 3, name, 10, 10 + len(name))
    return Mention(name=name, kind=kind, section=("Context",), source=span)


def test_resolve_mentions_of_each_kind() -> None:
    assert REFERENCE.resolve(_mention("Ségou", MentionKind.PLACE), "MLI").key == "ML04"
    assert REFERENCE.resolve(_mention("ECHO", MentionKind.ORGANISATION), "MLI").key == "dg-echo"
    society = REFERENCE.resolve(_mention("Danish Red Cross", MentionKind.NATIONAL_SOCIETY), "MLI")
    assert society.key == "DNK"
    # a society named where an organisation was expected still resolves, as a society
    named = REFERENCE.resolve(_mention("Norwegian Red Cross", MentionKind.ORGANISATION), "MLI")
    assert (named.kind, named.key) == (MentionKind.NATIONAL_SOCIETY, "NOR")
    unknown = REFERENCE.resolve(_mention("Imaginary Aid", MentionKind.ORGANISATION), "MLI")
    assert unknown.key is None and unknown.reason


def test_gazetteer_of_a_country_includes_aliases_and_only_its_places() -> None:
    entries = REFERENCE.gazetteer("MLI")
    surfaces = {(name, kind) for name, kind, _ in entries}
    assert ("Timbuktu", MentionKind.PLACE) in surfaces
    assert ("ECHO", MentionKind.ORGANISATION) in surfaces
    assert ("Danish Red Cross", MentionKind.NATIONAL_SOCIETY) in surfaces
    places = {key for _, kind, key in entries if kind is MentionKind.PLACE}
    assert places and all(key.startswith("ML") for key in places)


def test_gazetteer_lists_a_place_name_once_with_the_resolved_unit() -> None:
    places = [(n, k) for n, kind, k in REFERENCE.gazetteer("MLI") if kind is MentionKind.PLACE]
    assert len({name for name, _ in places}) == len(places)
    assert ("Kayes", "ML01") in places and ("Timbuktu", "ML06") in places
    afghan = dict((n, k) for n, kind, k in REFERENCE.gazetteer("AFG") if kind is MentionKind.PLACE)
    assert afghan["Qara Bagh"] is None  # two districts: found, never linked to either


def test_a_damaged_reference_table_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A missing column names the directory and the column, never a traceback."""
    import shutil

    from ifrc_kg.config import artefact_dir
    from ifrc_kg.errors import BuildError

    for table in artefact_dir("reference").glob("*.csv"):
        shutil.copy(table, tmp_path)
    (tmp_path / "organisations.csv").write_text("name,acronym\nX,Y\n", encoding="utf-8")
    with pytest.raises(BuildError, match="'key'"):
        load_reference(tmp_path)
    with pytest.raises(BuildError, match="reference table missing"):
        load_reference(tmp_path / "nowhere")
