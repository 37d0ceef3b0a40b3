"""The only place IRIs are minted: every key comes from the data, never from row order.

``/id/…`` names things, ``/doc/…`` describes them (the server answers 303 from one to
the other), ``/def/…`` is the vocabulary and its concept schemes, ``/graph/…`` the named
graph of each report. Rebuilding the same report gives the same IRIs.

>>> iris = Iris("https://w3id.org/ifrc-kg/")
>>> str(iris.national_society("MLI"))
'https://w3id.org/ifrc-kg/id/ns/mli'
>>> str(iris.report("MLI", 2023))
'https://w3id.org/ifrc-kg/id/report/mli/2023'
>>> str(iris.operation("MDRML018"))
'https://w3id.org/ifrc-kg/id/operation/MDRML018'
>>> str(iris.observation("MLI", 2023, "people-reached", "health-and-wellbeing"))
'https://w3id.org/ifrc-kg/id/observation/mli/2023/people-reached/health-and-wellbeing'
>>> str(iris.concept("indicator", "people-reached-shelter"))
'https://w3id.org/ifrc-kg/def/concept/indicator/people-reached-shelter'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from rdflib import URIRef

from ifrc_kg.concepts import slugify
from ifrc_kg.template import load_template


def short_hash(*parts: str) -> str:
    """A short stable key for things the data names only by their text (claims, mentions).

    >>> short_hash("trained 104 people in first aid")
    '96978236a5'
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8"))
    return digest.hexdigest()[:10]


def report_key(year: int | str, kind: str = "annual") -> str:
    """A report's key in its IRIs: the year, plus the kind's suffix for all but annual ones.

    An annual and a mid-year report of one society and year are two reports.

    >>> report_key(2023), report_key(2024, "mid-year")
    ('2023', '2024-mid-year')
    """
    return f"{year}{load_template().report_kind(kind).iri_suffix}"


def period_key(start: date, end: date) -> str:
    """A reporting period's key: the year when it is a calendar year, else both dates.

    >>> period_key(date(2023, 1, 1), date(2023, 12, 31))
    '2023'
    >>> period_key(date(2024, 1, 1), date(2024, 6, 30))
    '2024-01-01--2024-06-30'
    """
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start.isoformat()}--{end.isoformat()}"


@dataclass(frozen=True)
class Iris:
    """Mints IRIs under one base (``https://w3id.org/ifrc-kg/`` unless configured)."""

    base: str

    def _iri(self, *segments: str) -> URIRef:
        return URIRef(self.base + "/".join(segments))

    # vocabulary -------------------------------------------------------------------
    def scheme(self, scheme: str) -> URIRef:
        return self._iri("def", "scheme", scheme)

    def concept(self, scheme: str, notation: str) -> URIRef:
        return self._iri("def", "concept", scheme, notation)

    def dsd(self, cube: str) -> URIRef:
        return self._iri("def", "dsd", cube)

    # things -----------------------------------------------------------------------
    def country(self, iso3: str) -> URIRef:
        return self._iri("id", "country", iso3.lower())

    def national_society(self, iso3: str) -> URIRef:
        return self._iri("id", "ns", iso3.lower())

    def organisation(self, key: str) -> URIRef:
        """Organisations other than National Societies: ``ifrc``, ``icrc``, ``who``…"""
        return self._iri("id", "org", slugify(key))

    def place(self, pcode: str) -> URIRef:
        """An administrative unit, keyed by its OCHA P-code."""
        return self._iri("id", "place", pcode.upper())

    def period(self, year: int | str) -> URIRef:
        return self._iri("id", "period", str(year))

    def operation(self, code: str) -> URIRef:
        return self._iri("id", "operation", code.upper())

    def report(self, iso3: str, year: int | str) -> URIRef:
        return self._iri("id", "report", iso3.lower(), str(year))

    def report_part(self, iso3: str, year: int | str, *keys: str) -> URIRef:
        """Things that exist only inside one report: its text, sections, claims, contacts."""
        return self._iri("id", "report", iso3.lower(), str(year), *keys)

    def dataset(self, iso3: str, year: int | str, cube: str) -> URIRef:
        return self._iri("id", "dataset", iso3.lower(), str(year), cube)

    def observation(self, iso3: str, year: int | str, cube: str, *keys: str) -> URIRef:
        return self._iri("id", "observation", iso3.lower(), str(year), cube, *keys)

    def graph(self, iso3: str, year: int | str) -> URIRef:
        return self._iri("graph", iso3.lower(), str(year))

    def catalog(self) -> URIRef:
        return self._iri("id", "dataset")

    @staticmethod
    def source(thing: URIRef) -> URIRef:
        """The source node of a figure or claim: where in the report it was read."""
        return URIRef(f"{thing}#source")
