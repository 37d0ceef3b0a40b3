"""Public identifier tables (``data/reference/``), loaded once, looked up by name.

Countries, National Societies, organisations and admin units, each with the keys other
humanitarian datasets use. The tables are generated (``ifrc-kg reference regenerate``,
see ``generate.py``) from field libraries and the source files in
``data/reference/sources/``; this module only reads them. Names are compared in
``normalise_label`` form, so "Ségou"/"SEGOU" and "The Netherlands Red Cross"/"Netherlands
Red Cross" meet. No network: everything is read from the files kept with their sources.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

from ifrc_kg.concepts import normalise_label
from ifrc_kg.config import artefact_dir
from ifrc_kg.errors import BuildError
from ifrc_kg.model import Mention, MentionKind

LIST_SEPARATOR = "|"


@dataclass(frozen=True)
class CountryRecord:
    iso3: str
    iso2: str
    numeric: str
    m49: str
    name: str
    wikidata: str | None
    geonames: str | None
    official_name: str = ""
    other_names: tuple[str, ...] = ()
    source: str = ""
    go_id: str | None = None


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
    aliases: tuple[str, ...] = ()
    ifrc_region: str | None = None
    source: str = ""
    go_id: str | None = None


@dataclass(frozen=True)
class OrganisationRecord:
    key: str
    name: str
    acronym: str | None
    wikidata: str | None
    iati_org_id: str | None
    source: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdminUnit:
    pcode: str
    name: str
    level: int
    parent_pcode: str
    iso3: str
    valid_from: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """What a name in a report resolved to, or why it did not.

    ``key`` is an organisation key, a National Society ISO3 or a P-code; ``None`` when
    the name is unknown or ambiguous (``reason`` says which): never a guess.
    """

    kind: MentionKind
    name: str
    key: str | None
    reason: str = ""


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


def _strip_article(name: str) -> str:
    """Place and organisation names compared without a leading "the".

    >>> _strip_article("the ICRC")
    'icrc'
    """
    words = normalise_label(name).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


@dataclass
class Reference:
    countries: dict[str, CountryRecord]
    societies: dict[str, SocietyRecord]
    organisations: list[OrganisationRecord]
    admin_units: list[AdminUnit]
    _societies_by_name: dict[str, SocietyRecord] = field(default_factory=dict, repr=False)
    _organisations_by_name: dict[str, OrganisationRecord] = field(default_factory=dict, repr=False)
    _countries_by_name: dict[str, CountryRecord] = field(default_factory=dict, repr=False)
    _units_by_pcode: dict[str, AdminUnit] = field(default_factory=dict, repr=False)
    _units_by_country: dict[str, list[AdminUnit]] = field(default_factory=dict, repr=False)
    _units_by_name: dict[tuple[str, str], list[AdminUnit]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for society in self.societies.values():
            for name in (society.name, *society.names.values(), *society.aliases):
                if name:
                    self._societies_by_name.setdefault(_society_key(name), society)
        for organisation in self.organisations:
            names = (organisation.name, organisation.acronym, *organisation.aliases)
            for name in names:
                if name:
                    self._organisations_by_name.setdefault(_strip_article(name), organisation)
        for country in self.countries.values():
            for name in (country.name, country.official_name, *country.other_names):
                if name:
                    self._countries_by_name.setdefault(normalise_label(name), country)
        for unit in self.admin_units:
            self._units_by_pcode[unit.pcode] = unit
            self._units_by_country.setdefault(unit.iso3, []).append(unit)
            for name in (unit.name, *unit.aliases):
                key = (unit.iso3, _strip_article(name))
                self._units_by_name.setdefault(key, []).append(unit)

    # --- lookups by key ------------------------------------------------------------------
    def country(self, iso3: str) -> CountryRecord | None:
        return self.countries.get(iso3.upper())

    def society(self, iso3: str) -> SocietyRecord | None:
        return self.societies.get(iso3.upper())

    def organisation(self, key: str) -> OrganisationRecord | None:
        return next((o for o in self.organisations if o.key == key), None)

    def place(self, pcode: str) -> AdminUnit | None:
        return self._units_by_pcode.get(pcode.upper())

    def admin_units_of(self, iso3: str) -> list[AdminUnit]:
        """Admin-1 and admin-2 units of one country, in P-code list order."""
        return list(self._units_by_country.get(iso3.upper(), ()))

    # --- lookups by name -----------------------------------------------------------------
    def country_by_name(self, name: str) -> CountryRecord | None:
        return self._countries_by_name.get(normalise_label(name))

    def society_by_name(self, name: str) -> SocietyRecord | None:
        return self._societies_by_name.get(_society_key(name))

    def organisation_by_name(self, name: str) -> OrganisationRecord | None:
        """By name, acronym or alias ("DG ECHO", "ECHO", "the ICRC"), accents and case aside."""
        return self._organisations_by_name.get(_strip_article(name))

    def places_named(self, iso3: str, name: str) -> list[AdminUnit]:
        """Every admin unit of a country with this name or alias (all levels)."""
        return list(self._units_by_name.get((iso3.upper(), _strip_article(name)), ()))

    def resolve_place(self, iso3: str, name: str) -> Resolution:
        """One admin unit for a place name, or the reason there is none.

        Reports name regions ("Kayes, Koulikoro ... regions"); Kayes is both a region
        (admin-1) and a cercle (admin-2) in the P-code list, so the highest level (the
        smallest number) wins. Two units of that same level with the name stay unresolved.
        """
        units = self.places_named(iso3, name)
        if not units:
            return Resolution(MentionKind.PLACE, name, None, f"no admin unit of {iso3} named so")
        top = min(unit.level for unit in units)
        chosen = [unit for unit in units if unit.level == top]
        if len(chosen) > 1:
            codes = ", ".join(unit.pcode for unit in chosen)
            return Resolution(MentionKind.PLACE, name, None, f"ambiguous: {codes}")
        return Resolution(MentionKind.PLACE, name, chosen[0].pcode)

    def resolve(self, mention: Mention, iso3: str) -> Resolution:
        """The resource a narrative mention names: by name and alias, never guessed."""
        if mention.kind is MentionKind.PLACE:
            return self.resolve_place(iso3, mention.name)
        if mention.kind is MentionKind.NATIONAL_SOCIETY:
            society = self.society_by_name(mention.name)
            if society is None:
                return Resolution(mention.kind, mention.name, None, "no National Society so named")
            return Resolution(mention.kind, mention.name, society.iso3)
        organisation = self.organisation_by_name(mention.name)
        if organisation is None:
            society = self.society_by_name(mention.name)
            if society is not None:
                return Resolution(MentionKind.NATIONAL_SOCIETY, mention.name, society.iso3)
            return Resolution(mention.kind, mention.name, None, "no organisation so named")
        return Resolution(mention.kind, mention.name, organisation.key)

    def gazetteer(self, iso3: str) -> list[tuple[str, MentionKind, str | None]]:
        """Surface forms to look for in a report of one country: ``(name, kind, key)``.

        Keys: organisation key, National Society ISO3, or admin-unit P-code. Aliases are
        included ("ECHO", "Timbuktu"). A place name appears once, with the unit
        ``resolve_place`` chooses (the region for "Kayes"), or ``None`` when two units of
        the same level share it: found in the text, but not linked.
        """
        entries: list[tuple[str, MentionKind, str | None]] = []
        for organisation in self.organisations:
            surfaces = (organisation.name, organisation.acronym, *organisation.aliases)
            for surface in dict.fromkeys(s for s in surfaces if s):
                entries.append((surface, MentionKind.ORGANISATION, organisation.key))
        for society in self.societies.values():
            for surface in dict.fromkeys((society.name, *society.aliases)):
                entries.append((surface, MentionKind.NATIONAL_SOCIETY, society.iso3))
        surfaces = (s for unit in self.admin_units_of(iso3) for s in (unit.name, *unit.aliases))
        for surface in dict.fromkeys(surfaces):
            entries.append((surface, MentionKind.PLACE, self.resolve_place(iso3, surface).key))
        return entries


# --- reading the generated tables ----------------------------------------------------------


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    path = directory / name
    try:
        with path.open(encoding="utf-8", newline="") as rows:
            return list(csv.DictReader(rows))
    except FileNotFoundError as error:
        raise BuildError(
            f"reference table missing: {path} (run `ifrc-kg reference regenerate`)"
        ) from error
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BuildError(f"reference table unreadable: {path}: {error}") from error


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(item for item in (value or "").split(LIST_SEPARATOR) if item)


def _read_countries(directory: Path) -> dict[str, CountryRecord]:
    return {
        row["iso3"]: CountryRecord(
            iso3=row["iso3"],
            iso2=row["iso2"],
            numeric=row["numeric"],
            m49=row["m49"],
            name=row["name"],
            wikidata=_blank(row["wikidata"]),
            geonames=_blank(row["geonames"]),
            official_name=row["official_name"],
            other_names=_list(row["other_names"]),
            source=row["source"],
            go_id=_blank(row.get("go_id", "")),
        )
        for row in _rows(directory, "countries.csv")
    }


def _read_societies(directory: Path) -> dict[str, SocietyRecord]:
    return {
        row["iso3"]: SocietyRecord(
            iso3=row["iso3"],
            name=row["name"],
            names={
                lang: row[f"name_{lang}"]
                for lang in ("en", "es", "fr", "ar")
                if row[f"name_{lang}"]
            },
            fdrs=_blank(row["fdrs"]),
            url_ifrc=_blank(row["url_ifrc"]),
            society_url=_blank(row["society_url"]),
            wikidata=_blank(row["wikidata"]),
            iati_org_ids=_list(row["iati_org_ids"]),
            aliases=_list(row["aliases"]),
            ifrc_region=_blank(row["ifrc_region"]),
            source=row["source"],
            go_id=_blank(row.get("go_id", "")),
        )
        for row in _rows(directory, "national-societies.csv")
    }


def _read_organisations(directory: Path) -> list[OrganisationRecord]:
    return [
        OrganisationRecord(
            key=row["key"],
            name=row["name"],
            acronym=_blank(row["acronym"]),
            wikidata=_blank(row["wikidata"]),
            iati_org_id=_blank(row["iati_org_id"]),
            source=row["source"],
            aliases=_list(row["aliases"]),
        )
        for row in _rows(directory, "organisations.csv")
    ]


def _read_admin_units(directory: Path) -> list[AdminUnit]:
    return [
        AdminUnit(
            pcode=row["pcode"],
            name=row["name"],
            level=int(row["level"]),
            parent_pcode=row["parent_pcode"],
            iso3=row["iso3"],
            valid_from=row["valid_from"],
            aliases=_list(row["aliases"]),
        )
        for row in _rows(directory, "admin-units.csv")
    ]


@functools.cache
def load_reference(directory: Path | None = None) -> Reference:
    """The reference tables, read once per process."""
    directory = directory or artefact_dir("reference")
    try:
        return Reference(
            countries=_read_countries(directory),
            societies=_read_societies(directory),
            organisations=_read_organisations(directory),
            admin_units=_read_admin_units(directory),
        )
    except (KeyError, ValueError) as error:  # a column missing or a level not a number
        raise BuildError(f"{directory}: a reference table lacks or garbles {error}") from error
