"""The generated reference tables: up to date, complete, every identifier in its scheme."""

from __future__ import annotations

import contextlib
import csv
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pycountry
import pytest
from tests.network import recorded_network_attempts

from ifrc_kg.config import artefact_dir
from ifrc_kg.errors import BuildError
from ifrc_kg.reference.generate import regenerate

REFERENCE = artefact_dir("reference")
TABLES = (
    "countries.csv",
    "national-societies.csv",
    "missing-links.csv",
    "admin-units.csv",
    "organisations.csv",
)
WIKIDATA = re.compile(r"^Q[1-9]\d*$")


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows))


@pytest.fixture
def network_attempts() -> Iterator[list[object]]:
    """Connections beyond the loopback fail, and are recorded (a library may swallow errors)."""
    with recorded_network_attempts() as attempts:
        yield attempts


def test_the_guard_records_attempts_even_when_swallowed(network_attempts: list[object]) -> None:
    with contextlib.suppress(OSError):  # as a library falling back to its bundled file would
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert network_attempts == ["192.0.2.1"]


def test_committed_tables_are_what_regeneration_writes(
    tmp_path: Path, network_attempts: list[object]
) -> None:
    from hdx.location.country import Country

    Country._countriesdata = None  # make the regeneration read the bundled data afresh
    counts = regenerate(REFERENCE / "sources", tmp_path)
    assert network_attempts == []
    assert counts == {
        "countries.csv": 249,
        "national-societies.csv": 193,
        "missing-links.csv": 211,
        "admin-units.csv": 32767,
        "organisations.csv": 12,
    }
    for name in TABLES:
        committed = (REFERENCE / name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == committed, (
            f"{name} is stale: run `ifrc-kg reference regenerate`"
        )


def test_regeneration_names_a_missing_source(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"reference source missing: .*country-codes\.csv"):
        regenerate(tmp_path / "nowhere", tmp_path / "out")


def test_countries_codes_are_known_to_pycountry() -> None:
    rows = _rows("countries.csv")
    assert len(rows) == len(pycountry.countries)
    for row in rows:
        country = pycountry.countries.get(alpha_3=row["iso3"])
        assert country is not None, row["iso3"]
        assert (row["iso2"], row["numeric"]) == (country.alpha_2, country.numeric)
        assert re.fullmatch(r"\d{3}", row["m49"]), row
        assert not row["wikidata"] or WIKIDATA.match(row["wikidata"]), row
        assert not row["geonames"] or re.fullmatch(r"[1-9]\d*", row["geonames"]), row
        assert "pycountry" in row["source"] and "hdx-python-country" in row["source"]


def test_mali_row() -> None:
    mali = next(row for row in _rows("countries.csv") if row["iso3"] == "MLI")
    assert (mali["iso2"], mali["numeric"], mali["m49"]) == ("ML", "466", "466")
    assert (mali["wikidata"], mali["geonames"]) == ("Q912", "2453866")
    assert "wikidata, geonames: hand-kept from country-codes.csv" in mali["source"]


def test_a_blank_source_stays_blank_and_says_so() -> None:
    namibia = next(row for row in _rows("countries.csv") if row["iso3"] == "NAM")
    assert namibia["iso2"] == "NA"  # not read as a missing value
    assert namibia["wikidata"] == ""
    assert "wikidata: blank in country-codes.csv" in namibia["source"]


def test_every_national_society_once() -> None:
    rows = _rows("national-societies.csv")
    countries = {row["iso3"] for row in _rows("countries.csv")}
    assert len({row["iso3"] for row in rows}) == len(rows) == 193
    assert len({row["name"] for row in rows}) == len(rows)  # no territory repeats a parent
    for row in rows:
        assert row["iso3"] in countries
        assert not row["fdrs"] or re.fullmatch(r"D[A-Z]{2}\d{3}", row["fdrs"]), row
        assert row["name_en"] and row["name_fr"] and row["name_es"] and row["name_ar"], row
        assert not row["url_ifrc"] or row["url_ifrc"].startswith(
            "https://www.ifrc.org/national-societies-directory/"
        )
        assert not row["wikidata"] or WIKIDATA.match(row["wikidata"]), row
    assert sum(1 for row in rows if row["fdrs"]) == 190


def test_society_identifiers_only_where_a_source_gives_them() -> None:
    with (REFERENCE / "sources" / "national-society-ids.csv").open(encoding="utf-8") as f:
        given = {row["iso3"]: row for row in csv.DictReader(f)}
    for row in _rows("national-societies.csv"):
        source = given.get(row["iso3"], {})
        assert row["wikidata"] == source.get("wikidata", ""), row["iso3"]
        assert row["iati_org_ids"] == source.get("iati_org_id", "").replace(";", "|")
    danish = next(row for row in _rows("national-societies.csv") if row["iso3"] == "DNK")
    assert (danish["fdrs"], danish["wikidata"], danish["iati_org_ids"]) == (
        "DDK001",
        "Q12307527",
        "DK-CVR-20700211",
    )
    assert (
        danish["url_ifrc"] == "https://www.ifrc.org/national-societies-directory/danish-red-cross"
    )


def test_admin_units_with_pcodes_and_validity() -> None:
    rows = _rows("admin-units.csv")
    assert len({row["iso3"] for row in rows}) == 156
    pcodes = {row["pcode"] for row in rows}
    assert len(pcodes) == len(rows)
    for row in rows:
        assert row["level"] in ("1", "2")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["valid_from"])
        parent = row["parent_pcode"]
        assert parent == row["iso3"] if row["level"] == "1" else parent in pcodes
    mali = [row for row in rows if row["iso3"] == "MLI" and row["level"] == "1"]
    assert [(row["pcode"], row["name"]) for row in mali][:2] == [
        ("ML01", "Kayes"),
        ("ML02", "Koulikoro"),
    ]
    assert [row["pcode"] for row in mali] == [f"ML{n:02d}" for n in range(1, 11)]
    assert all(re.fullmatch(r"ML\d{2}", row["pcode"]) for row in mali)
    assert {row["valid_from"] for row in mali} == {"2021-12-20"}
    timbuktu = [row["pcode"] for row in rows if "Timbuktu" in row["aliases"].split("|")]
    assert timbuktu == ["ML06", "ML0605"]


def test_organisations_with_aliases_and_ids() -> None:
    rows = {row["key"]: row for row in _rows("organisations.csv")}
    assert set(rows) >= {
        "ifrc",
        "icrc",
        "dg-echo",
        "who",
        "undp",
        "unicef",
        "wfp",
        "fao",
        "ocha",
        "unfpa",
        "iom",
    }
    echo = rows["dg-echo"]
    assert echo["acronym"] == "DG ECHO"
    assert {
        "ECHO",
        "Directorate-General for European Civil Protection and Humanitarian Aid Operations",
    } <= set(echo["aliases"].split("|"))
    assert (echo["wikidata"], echo["iati_org_id"]) == ("", "XI-IATI-EC_ECHO")
    assert (rows["ifrc"]["wikidata"], rows["ifrc"]["iati_org_id"]) == ("Q1069175", "XM-DAC-21018")
    for row in rows.values():
        assert row["source"]
        assert not row["wikidata"] or WIKIDATA.match(row["wikidata"])
        assert not row["iati_org_id"] or re.fullmatch(r"[A-Z]{2}-[A-Z0-9_-]+", row["iati_org_id"])


def test_every_society_and_country_has_its_go_record_or_is_listed_as_missing() -> None:
    import csv

    def rows(name: str) -> list[dict[str, str]]:
        with (REFERENCE / name).open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    societies, countries = rows("national-societies.csv"), rows("countries.csv")
    missing = {(r["kind"], r["iso3"]): r["missing"].split() for r in rows("missing-links.csv")}
    mali = next(r for r in societies if r["iso3"] == "MLI")
    assert mali["go_id"] == "112" and mali["fdrs"] == "DML001"
    assert next(r for r in countries if r["iso3"] == "MLI")["go_id"] == "112"
    assert all(r["go_id"] for r in societies)  # GO has a country record for every society
    for row in societies:
        listed = missing.get(("national-society", row["iso3"]), [])
        assert ("wikidata" in listed) == (not row["wikidata"]), row["iso3"]
        assert ("fdrs" in listed) == (not row["fdrs"]), row["iso3"]
    for row in countries:
        listed = missing.get(("country", row["iso3"]), [])
        assert ("go_id" in listed) == (not row["go_id"]), row["iso3"]
    assert ("country", "ALA") in missing and "go_id" in missing[("country", "ALA")]
