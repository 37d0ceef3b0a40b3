"""Public identifier tables (``data/reference/``), loaded once, looked up by name.

Countries, National Societies, organisations and admin units, each with the keys other
humanitarian datasets use. Names are compared in ``normalise_label`` form, so
"Ségou"/"SEGOU" and "The Netherlands Red Cross"/"Netherlands Red Cross" meet.
No network: everything is read from the files kept with their sources.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from ifrc_kg.concepts import normalise_label
from ifrc_kg.config import artefact_dir
from ifrc_kg.model import MentionKind


@dataclass(frozen=True)
class CountryRecord:
    iso3: str
    iso2: str
    numeric: str
    m49: str
    name: str
    wikidata: str | None
    geonames: str | None


@dataclass(frozen=True)
class SocietyRecord:
    iso3: str
    name: str
    names: dict[str, str]
    fdrs: str | None
    url_ifrc: str | None
    society_url: str | None
    wikidata: str | None = None
    iati_org_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganisationRecord:
    key: str
    name: str
    acronym: str | None
    wikidata: str | None
    iati_org_id: str | None
    source: str


@dataclass(frozen=True)
class AdminUnit:
    pcode: str
    name: str
    level: int
    parent_pcode: str
    iso3: str
    valid_from: str


# Names reports use that the P-code list spells otherwise (the list is unaccented and
# French for Mali). Keyed by normalised report name; values are P-code list names.
PLACE_ALIASES: dict[str, str] = {
    "timbuktu": "Tombouctou",
}


def _society_key(name: str) -> str:
    """Society names compared without a leading "The" or a trailing "Society".

    >>> _society_key("The Canadian Red Cross Society") == _society_key("Canadian Red Cross")
    True
    """
    words = normalise_label(name).split()
    if words[:1] == ["the"]:
        words = words[1:]
    if words[-1:] == ["society"]:
        words = words[:-1]
    return " ".join(words)


@dataclass
class Reference:
    countries: dict[str, CountryRecord]
    societies: dict[str, SocietyRecord]
    organisations: list[OrganisationRecord]
    admin_units: list[AdminUnit]
    _societies_by_name: dict[str, SocietyRecord] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for society in self.societies.values():
            for name in (society.name, *society.names.values()):
                if name:
                    self._societies_by_name.setdefault(_society_key(name), society)

    def country(self, iso3: str) -> CountryRecord | None:
        return self.countries.get(iso3.upper())

    def country_by_name(self, name: str) -> CountryRecord | None:
        wanted = normalise_label(name)
        for country in self.countries.values():
            if normalise_label(country.name) == wanted:
                return country
        return None

    def society(self, iso3: str) -> SocietyRecord | None:
        return self.societies.get(iso3.upper())

    def society_by_name(self, name: str) -> SocietyRecord | None:
        return self._societies_by_name.get(_society_key(name))

    def organisation_by_name(self, name: str) -> OrganisationRecord | None:
        wanted = normalise_label(name)
        for organisation in self.organisations:
            names = (organisation.name, organisation.acronym or "")
            if wanted in (normalise_label(n) for n in names if n):
                return organisation
        return None

    def places_named(self, iso3: str, name: str) -> list[AdminUnit]:
        wanted = normalise_label(PLACE_ALIASES.get(normalise_label(name), name))
        return [
            unit
            for unit in self.admin_units
            if unit.iso3 == iso3.upper() and normalise_label(unit.name) == wanted
        ]

    def gazetteer(self, iso3: str) -> list[tuple[str, MentionKind, str]]:
        """Surface forms to look for in a report of one country: ``(name, kind, key)``.

        Keys: organisation key, National Society ISO3, or admin-unit P-code.
        """
        entries: list[tuple[str, MentionKind, str]] = []
        for organisation in self.organisations:
            for surface in (organisation.name, organisation.acronym):
                if surface:
                    entries.append((surface, MentionKind.ORGANISATION, organisation.key))
        for society in self.societies.values():
            entries.append((society.name, MentionKind.NATIONAL_SOCIETY, society.iso3))
        for unit in self.admin_units:
            if unit.iso3 == iso3.upper():
                entries.append((unit.name, MentionKind.PLACE, unit.pcode))
        for alias, official in PLACE_ALIASES.items():
            for unit in self.places_named(iso3, official):
                entries.append((alias.title(), MentionKind.PLACE, unit.pcode))
        return entries


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _read_countries(directory: Path) -> dict[str, CountryRecord]:
    countries = {}
    with (directory / "country-codes.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            iso3 = row["ISO3166-1-Alpha-3"].strip()
            if not iso3:
                continue
            wikidata = _blank(row["wikidata_id"])
            countries[iso3] = CountryRecord(
                iso3=iso3,
                iso2=row["ISO3166-1-Alpha-2"],
                numeric=row["ISO3166-1-numeric"].zfill(3),
                m49=row["M49"].zfill(3),
                name=row["CLDR display name"] or row["official_name_en"],
                wikidata=wikidata.rsplit("/", 1)[-1] if wikidata else None,
                geonames=_blank(row["Geoname ID"]),
            )
    return countries


def _read_societies(directory: Path) -> dict[str, SocietyRecord]:
    ids: dict[str, dict[str, str]] = {}
    with (directory / "national-society-ids.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            ids[row["iso3"]] = row
    societies = {}
    fixture = json.loads((directory / "ifrc-go-countries.json").read_text(encoding="utf-8"))
    for record in fixture:
        fields = record["fields"]
        iso3 = fields.get("iso3")
        if fields.get("record_type") != 1 or not iso3 or not fields.get("society_name"):
            continue
        known = ids.get(iso3, {})
        names = {
            lang: fields[f"society_name_{lang}"]
            for lang in ("en", "es", "fr", "ar")
            if fields.get(f"society_name_{lang}")
        }
        iati = known.get("iati_org_id") or ""
        societies[iso3] = SocietyRecord(
            iso3=iso3,
            name=fields["society_name"],
            names=names,
            fdrs=_blank(fields.get("fdrs")),
            url_ifrc=_blank(fields.get("url_ifrc")),
            society_url=_blank(fields.get("society_url")),
            wikidata=_blank(known.get("wikidata")),
            iati_org_ids=tuple(code for code in iati.split(";") if code),
        )
    return societies


def _read_organisations(directory: Path) -> list[OrganisationRecord]:
    organisations = []
    with (directory / "organisations.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            acronym = _blank(row["acronym"])
            organisations.append(
                OrganisationRecord(
                    key=normalise_label(acronym or row["name"]).replace(" ", "-"),
                    name=row["name"],
                    acronym=acronym,
                    wikidata=_blank(row["wikidata"]),
                    iati_org_id=_blank(row["iati_org_id"]),
                    source=row["source"],
                )
            )
    return organisations


def _read_admin_units(directory: Path) -> list[AdminUnit]:
    with (directory / "global-pcodes-adm-1-2.csv").open(encoding="utf-8") as rows:
        return [
            AdminUnit(
                pcode=row["P-Code"],
                name=row["Name"],
                level=int(row["Admin Level"]),
                parent_pcode=row["Parent P-Code"],
                iso3=row["Location"],
                valid_from=row["Valid from date"],
            )
            for row in csv.DictReader(rows)
        ]


@functools.cache
def load_reference(directory: Path | None = None) -> Reference:
    """The reference tables, read once per process."""
    directory = directory or artefact_dir("reference")
    return Reference(
        countries=_read_countries(directory),
        societies=_read_societies(directory),
        organisations=_read_organisations(directory),
        admin_units=_read_admin_units(directory),
    )
