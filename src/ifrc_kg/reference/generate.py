"""Regenerate the reference tables of ``data/reference/`` from field libraries and sources.

Run ``ifrc-kg reference regenerate`` (or ``python -m ifrc_kg.reference regenerate``).
Codes come from libraries that ship them offline: ISO 3166 from pycountry, UN M49 from
hdx-python-country's bundled OCHA country list (``use_live=False``: no download), checked
against country_converter's bundled table. Only what no library has is hand-kept, read
from ``sources/`` and named in each row's ``source`` column: Wikidata and GeoNames ids
(``country-codes.csv``), the National Societies (IFRC GO's fixture), the P-codes (OCHA's
global list), organisations and the small alias tables.

The output is deterministic (sorted rows, fixed columns), so a test can regenerate into
a temporary directory and compare byte for byte with the committed tables.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import re
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

from ifrc_kg.concepts import normalise_label
from ifrc_kg.errors import BuildError

log = logging.getLogger(__name__)

COUNTRY_COLUMNS = (
    "iso3",
    "iso2",
    "numeric",
    "m49",
    "go_id",
    "name",
    "official_name",
    "other_names",
    "wikidata",
    "geonames",
    "source",
)
SOCIETY_COLUMNS = (
    "iso3",
    "fdrs",
    "go_id",
    "name",
    "name_en",
    "name_es",
    "name_fr",
    "name_ar",
    "aliases",
    "ifrc_region",
    "url_ifrc",
    "society_url",
    "wikidata",
    "iati_org_ids",
    "source",
)
ADMIN_COLUMNS = ("iso3", "level", "pcode", "name", "parent_pcode", "valid_from", "aliases")
ORGANISATION_COLUMNS = ("key", "name", "acronym", "aliases", "wikidata", "iati_org_id", "source")

# IFRC GO's ``region`` field (go-api ``RegionName``): the fixture stores the number only.
IFRC_REGIONS = {
    "0": "Africa",
    "1": "Americas",
    "2": "Asia Pacific",
    "3": "Europe",
    "4": "Middle East and North Africa",
}

WIKIDATA_ID = re.compile(r"^Q[1-9]\d*$")
PCODE = re.compile(r"^[A-Z0-9]{3,20}$")  # ISO2/ISO3 prefix + digits; TJK numeric, LSO letters
FDRS = re.compile(r"^D[A-Z]{2}\d{3}$")
LIST_SEPARATOR = "|"

GO_FIXTURE = "ifrc-go-countries.json (IFRCGo/go-api api/fixtures/Countries.json, commit 038d7f86)"
COUNTRY_CODES = "country-codes.csv (datasets/country-codes, commit caa72d1e)"
PCODES = "global-pcodes-adm-1-2.csv (OCHA global P-codes via OCHA-DAP/hdx-python-country)"


def _version(package: str) -> str:
    return f"{package} {metadata.version(package)}"


def organisation_key(name: str, acronym: str | None) -> str:
    """The key of an organisation's IRI: its acronym (or name) as a slug.

    >>> organisation_key("European Civil Protection and Humanitarian Aid Operations", "DG ECHO")
    'dg-echo'
    >>> organisation_key("International Red Cross and Red Crescent Movement", None)
    'international-red-cross-and-red-crescent-movement'
    """
    return normalise_label(acronym or name).replace(" ", "-")


def wikidata_id(value: str) -> str:
    """A Wikidata item id from an id or a Wikidata URL; ``""`` when blank.

    >>> wikidata_id("https://www.wikidata.org/wiki/Q889")
    'Q889'
    >>> wikidata_id(" ")
    ''
    """
    value = value.strip()
    if not value:
        return ""
    item = value.rstrip("/").rsplit("/", 1)[-1]
    if not WIKIDATA_ID.match(item):
        raise BuildError(f"not a Wikidata item id: {value!r}")
    return item


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as rows:
            return list(csv.DictReader(rows))
    except FileNotFoundError as error:
        raise BuildError(f"reference source missing: {path}") from error


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> int:
    """Write with ``\\n`` line ends and minimal quoting: stable bytes for the diff test."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
        count += 1
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return count


# --- countries ---------------------------------------------------------------------------


def _hdx_countries() -> dict[str, dict[str, str]]:
    """OCHA's country list as bundled in hdx-python-country: never the live download."""
    from hdx.location.country import Country

    Country.set_use_live_default(False)
    return Country.countriesdata(use_live=False)["countries"]


def _coco_countries() -> dict[str, dict[str, str]]:
    """country_converter's bundled table, read as text.

    Its ``CountryConverter()`` fails under pandas 3 (Namibia's ISO2 "NA" becomes NaN),
    so the shipped TSV is read directly; only ISO and UN codes are used.
    """
    import country_converter

    table = Path(country_converter.__file__).with_name("country_data.tsv")
    with table.open(encoding="utf-8", newline="") as rows:
        return {row["ISO3"]: row for row in csv.DictReader(rows, delimiter="\t")}


def country_rows(sources: Path) -> list[dict[str, str]]:
    """One row per ISO 3166-1 country (pycountry), with codes and their sources."""
    import pycountry

    hdx = _hdx_countries()
    coco = _coco_countries()
    codes = {row["ISO3166-1-Alpha-3"]: row for row in _read_csv(sources / "country-codes.csv")}
    pycountry_v, hdx_v, coco_v = (
        _version("pycountry"),
        _version("hdx-python-country"),
        _version("country_converter"),
    )
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        iso3 = country.alpha_3
        notes = [f"iso2, iso3, numeric, name, official_name: {pycountry_v}"]
        hdx_row = hdx.get(iso3, {})
        m49 = (hdx_row.get("m49 numerical code") or "").strip()
        coco_m49 = (coco.get(iso3, {}).get("UNcode") or "").strip()
        if m49:
            m49 = m49.zfill(3)
            agrees = coco_m49 and coco_m49.zfill(3) == m49
            notes.append(f"m49: {hdx_v} bundled data" + (f" ({coco_v} agrees)" if agrees else ""))
            if coco_m49 and not agrees:
                notes.append(f"{coco_v} has UN code {coco_m49}")
        elif coco_m49:
            m49 = coco_m49.zfill(3)
            notes.append(f"m49: {coco_v} (not in {hdx_v})")
        else:
            notes.append("m49: no library has it")
        hand = codes.get(iso3, {})
        wikidata = wikidata_id(hand.get("wikidata_id", ""))
        geonames = (hand.get("Geoname ID") or "").strip()
        kept = [name for name, value in (("wikidata", wikidata), ("geonames", geonames)) if value]
        missing = [name for name in ("wikidata", "geonames") if name not in kept]
        if kept:
            notes.append(f"{', '.join(kept)}: hand-kept from {COUNTRY_CODES}")
        if missing:
            notes.append(f"{', '.join(missing)}: blank in {COUNTRY_CODES}")
        official = getattr(country, "official_name", "") or ""
        common = getattr(country, "common_name", "") or ""
        name = common or country.name
        others = [
            other
            for other in dict.fromkeys(
                (
                    country.name,
                    hdx_row.get("Preferred Term") or "",
                    hdx_row.get("M49 English") or "",
                    hand.get("CLDR display name") or "",
                    hand.get("UNTERM English Short") or "",
                )
            )
            if other and other not in (name, official)
        ]
        rows.append(
            {
                "iso3": iso3,
                "iso2": country.alpha_2,
                "numeric": country.numeric,
                "m49": m49,
                "name": name,
                "official_name": official,
                "other_names": LIST_SEPARATOR.join(others),
                "wikidata": wikidata,
                "geonames": geonames,
                "source": "; ".join(notes),
            }
        )
    return rows


# --- National Societies ------------------------------------------------------------------


def society_rows(sources: Path, country_codes: set[str]) -> list[dict[str, str]]:
    """Every National Society of IFRC GO's fixture: independent countries with a society.

    Dependent territories repeat their parent's society ("Greenland": Danish Red Cross),
    so they are left out: one society, one row, keyed by its own country's ISO3.
    """
    fixture = json.loads((sources / "ifrc-go-countries.json").read_text(encoding="utf-8"))
    ids = {row["iso3"]: row for row in _read_csv(sources / "national-society-ids.csv")}
    aliases: dict[str, list[str]] = {}
    for row in _read_csv(sources / "society-aliases.csv"):
        aliases.setdefault(row["iso3"], []).append(row["alias"])
    rows = []
    for record in fixture:
        fields = record["fields"]
        iso3 = (fields.get("iso3") or "").strip()
        if fields.get("record_type") != 1 or not fields.get("independent"):
            continue
        if not iso3 or not (fields.get("society_name") or "").strip():
            continue
        if iso3 not in country_codes:
            raise BuildError(f"IFRC GO fixture: society of unknown country {iso3!r}")
        fdrs = (fields.get("fdrs") or "").strip()
        if fdrs and not FDRS.match(fdrs):
            raise BuildError(f"IFRC GO fixture: {iso3}: unexpected FDRS code {fdrs!r}")
        known = ids.pop(iso3, {})
        notes = [f"names, fdrs, go_id, urls, region: {GO_FIXTURE}"]
        if known.get("wikidata") or known.get("iati_org_id"):
            notes.append(f"wikidata/iati: national-society-ids.csv ({known['source']})")
        if iso3 in aliases:
            notes.append("aliases: society-aliases.csv")
        region = fields.get("region")
        rows.append(
            {
                "iso3": iso3,
                "fdrs": fdrs,
                "go_id": str(record["pk"]),
                "name": fields["society_name"].strip(),
                **{
                    f"name_{lang}": (fields.get(f"society_name_{lang}") or "").strip()
                    for lang in ("en", "es", "fr", "ar")
                },
                "aliases": LIST_SEPARATOR.join(aliases.pop(iso3, [])),
                "ifrc_region": IFRC_REGIONS.get(str(region), "") if region is not None else "",
                "url_ifrc": (fields.get("url_ifrc") or "").strip(),
                "society_url": (fields.get("society_url") or "").strip(),
                "wikidata": wikidata_id(known.get("wikidata", "")),
                "iati_org_ids": known.get("iati_org_id", "").replace(";", LIST_SEPARATOR),
                "source": "; ".join(notes),
            }
        )
    if ids or aliases:
        raise BuildError(
            f"identifiers or aliases for unknown societies: {sorted({*ids, *aliases})}"
        )
    return sorted(rows, key=lambda row: row["iso3"])


# --- admin units -------------------------------------------------------------------------


def admin_rows(sources: Path, country_codes: set[str]) -> list[dict[str, str]]:
    """Admin-1 and admin-2 units of every country of OCHA's P-code list, with aliases."""
    rows = []
    seen: set[str] = set()
    for raw in _read_csv(sources / "global-pcodes-adm-1-2.csv"):
        iso3, pcode = raw["Location"].strip(), raw["P-Code"].strip()
        where = f"global-pcodes-adm-1-2.csv: {pcode or iso3}"
        if iso3 not in country_codes or not PCODE.match(pcode) or pcode in seen:
            raise BuildError(f"{where}: bad or repeated row {raw}")
        try:
            datetime.date.fromisoformat(raw["Valid from date"])
        except ValueError as error:
            raise BuildError(f"{where}: bad date {raw['Valid from date']!r}") from error
        seen.add(pcode)
        rows.append(
            {
                "iso3": iso3,
                "level": raw["Admin Level"].strip(),
                "pcode": pcode,
                "name": raw["Name"].strip(),
                "parent_pcode": raw["Parent P-Code"].strip(),
                "valid_from": raw["Valid from date"],
            }
        )
    for row in rows:
        parent = row["parent_pcode"]
        if parent != row["iso3"] and parent not in seen:
            raise BuildError(f"global-pcodes-adm-1-2.csv: {row['pcode']}: unknown parent {parent}")
    by_name: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        by_name.setdefault((row["iso3"], normalise_label(row["name"])), []).append(row)
    for alias in _read_csv(sources / "place-aliases.csv"):
        units = by_name.get((alias["iso3"], normalise_label(alias["name"])))
        if not units:
            raise BuildError(
                f"place-aliases.csv: no unit named {alias['name']!r} in {alias['iso3']}"
            )
        for unit in units:
            unit["aliases"] = LIST_SEPARATOR.join(
                filter(None, (unit.get("aliases"), alias["alias"]))
            )
    return rows


# --- organisations -----------------------------------------------------------------------


def organisation_rows(sources: Path) -> list[dict[str, str]]:
    """Organisations reports name, with the aliases of the hand-kept alias table."""
    aliases: dict[str, list[str]] = {}
    for row in _read_csv(sources / "organisation-aliases.csv"):
        aliases.setdefault(row["key"], []).append(row["alias"])
    rows = []
    for raw in _read_csv(sources / "organisations.csv"):
        acronym = raw["acronym"].strip()
        key = organisation_key(raw["name"], acronym or None)
        source = raw["source"].strip()
        if key in aliases:
            source += "; aliases: organisation-aliases.csv"
        rows.append(
            {
                "key": key,
                "name": raw["name"].strip(),
                "acronym": acronym,
                "aliases": LIST_SEPARATOR.join(aliases.pop(key, [])),
                "wikidata": wikidata_id(raw["wikidata"]),
                "iati_org_id": raw["iati_org_id"].strip(),
                "source": source,
            }
        )
    if aliases:
        raise BuildError(f"organisation-aliases.csv: unknown keys {sorted(aliases)}")
    return sorted(rows, key=lambda row: row["key"])


# --- entry point -------------------------------------------------------------------------


def go_country_ids(sources: Path) -> dict[str, str]:
    """ISO3 -> the IFRC GO country record id (``https://go.ifrc.org/countries/{id}``): the
    fixture's primary key of the country record (record_type 1), the independent one first."""
    fixture = json.loads((sources / "ifrc-go-countries.json").read_text(encoding="utf-8"))
    ids: dict[str, str] = {}
    records = [r for r in fixture if r["fields"].get("record_type") == 1]
    for record in sorted(records, key=lambda r: (not r["fields"].get("independent"), r["pk"])):
        iso3 = (record["fields"].get("iso3") or "").strip()
        if iso3:
            ids.setdefault(iso3, str(record["pk"]))
    return ids


#: The links every country and National Society should carry, for the missing-links table.
COUNTRY_LINKS = ("iso2", "m49", "go_id", "wikidata", "geonames")
SOCIETY_LINKS = ("fdrs", "go_id", "wikidata", "iati_org_ids")
MISSING_COLUMNS = ("kind", "iso3", "name", "missing")


def missing_rows(
    countries: Sequence[dict[str, str]], societies: Sequence[dict[str, str]]
) -> list[dict[str, str]]:
    """What no source gives yet: one row per country or society lacking a link."""
    rows = []
    for kind, table, links in (
        ("country", countries, COUNTRY_LINKS),
        ("national-society", societies, SOCIETY_LINKS),
    ):
        for row in table:
            missing = [link for link in links if not row.get(link)]
            if missing:
                rows.append(
                    {
                        "kind": kind,
                        "iso3": row["iso3"],
                        "name": row["name"],
                        "missing": " ".join(missing),
                    }
                )
    return rows


def regenerate(sources: Path, out: Path) -> dict[str, int]:
    """Write the tables into ``out`` (and ``missing-links.csv``: what no source gives yet);
    returns the row count of each file."""
    out.mkdir(parents=True, exist_ok=True)
    countries = country_rows(sources)
    go_ids = go_country_ids(sources)
    for row in countries:
        row["go_id"] = go_ids.get(row["iso3"], "")
        if row["go_id"]:
            row["source"] += f"; go_id: {GO_FIXTURE}"
    codes = {row["iso3"] for row in countries}
    societies = society_rows(sources, codes)
    counts = {
        "countries.csv": _write_csv(out / "countries.csv", COUNTRY_COLUMNS, countries),
        "national-societies.csv": _write_csv(
            out / "national-societies.csv", SOCIETY_COLUMNS, societies
        ),
        "missing-links.csv": _write_csv(
            out / "missing-links.csv", MISSING_COLUMNS, missing_rows(countries, societies)
        ),
        "admin-units.csv": _write_csv(
            out / "admin-units.csv", ADMIN_COLUMNS, admin_rows(sources, codes)
        ),
        "organisations.csv": _write_csv(
            out / "organisations.csv", ORGANISATION_COLUMNS, organisation_rows(sources)
        ),
    }
    for name, count in counts.items():
        log.info("wrote %s: %d rows", out / name, count)
    return counts
