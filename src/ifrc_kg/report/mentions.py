"""Organisations, National Societies and places named in the narrative.

Three sources of names: the reference gazetteer (organisations by name or acronym,
National Societies, the admin-1/2 units of the report's country with their aliases),
and any "<Name> Red Cross/Red Crescent [Society]" or "Red Cross Society of <Name>"
in the text, known to the reference or not. Matching is on word boundaries; names and
places ignore accents and case ("Ségou" = "Segou"), acronyms keep their capitals
("WHO" is not "who"), places must start with a capital. Overlaps keep the longest
name ("DG ECHO" over "ECHO").
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

from ifrc_kg.model import Mention, MentionKind, Section
from ifrc_kg.reference import Reference
from ifrc_kg.report.lines import Document, word_set
from ifrc_kg.report.narrative import walk

_SOCIETY_PREFIX = re.compile(
    r"(?P<prefix>(?:[A-Z][\w'’-]*\s+){1,4})Red\s+(?:Cross|Crescent)(?:\s+Society)?\b"
)
_SOCIETY_OF = re.compile(
    r"\bRed\s+(?:Cross|Crescent)\s+Society\s+of\s+(?:the\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
)
# Capitalised words that begin a longer name, not a country's society.
_NOT_A_SOCIETY_WORD = word_set(
    "The National International Federation Movement IFRC ICRC RCRC Red Cross Crescent "
    "And Of In Societies"
)


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    lowered = base.lower() if len(base) == 1 else char.lower()
    return lowered if len(lowered) == 1 else char


def fold(text: str) -> str:
    """Lower case without accents, one character for one (offsets stay valid).

    >>> fold("Ségou, TIMBUKTU")
    'segou, timbuktu'
    """
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def _words_pattern(name: str) -> str:
    return r"\s+".join(re.escape(word) for word in name.split())


def _is_acronym(name: str) -> bool:
    return name.replace(" ", "").isupper() and len(name) <= 8


@dataclass(frozen=True)
class _Gazetteer:
    folded: re.Pattern[str] | None
    acronyms: re.Pattern[str] | None
    entries: dict[str, tuple[MentionKind, str]]


# Built patterns per (reference, country); the reference is kept so its id stays unique.
_CACHE: dict[tuple[int, str], tuple[Reference, _Gazetteer]] = {}


def _gazetteer(reference: Reference, iso3: str) -> _Gazetteer:
    cache_key = (id(reference), iso3)
    if cache_key in _CACHE and _CACHE[cache_key][0] is reference:
        return _CACHE[cache_key][1]
    entries: dict[str, tuple[MentionKind, str]] = {}
    names: list[str] = []
    acronyms: list[str] = []
    for name, kind, key in reference.gazetteer(iso3):
        surface = " ".join(name.split())
        if not surface:
            continue
        lookup_key = surface if _is_acronym(surface) else fold(surface)
        if lookup_key in entries:
            continue  # first entry wins: admin-1 before the admin-2 of the same name
        entries[lookup_key] = (kind, key)
        (acronyms if _is_acronym(surface) else names).append(surface)

    def compile_(surfaces: list[str], flags: int = 0) -> re.Pattern[str] | None:
        if not surfaces:
            return None
        ordered = sorted(surfaces, key=len, reverse=True)
        body = "|".join(_words_pattern(fold(s) if not flags else s) for s in ordered)
        return re.compile(rf"(?<![\w])(?:{body})(?![\w])")

    built = _Gazetteer(compile_(names), compile_(acronyms, flags=1), entries)
    _CACHE[cache_key] = (reference, built)
    return built


def _normal(text: str) -> str:
    return " ".join(text.split())


def _candidates(
    text: str, gazetteer: _Gazetteer, reference: Reference
) -> list[tuple[int, int, MentionKind, str | None, int]]:
    """(start, end, kind, key, priority) for every name found; lower priority wins ties."""
    found = []
    folded = fold(text)
    if gazetteer.folded is not None:
        for match in gazetteer.folded.finditer(folded):
            kind, key = gazetteer.entries[_normal(match.group(0))]
            if kind is MentionKind.PLACE and not text[match.start()].isupper():
                continue
            found.append((match.start(), match.end(), kind, key, 0))
    if gazetteer.acronyms is not None:
        for match in gazetteer.acronyms.finditer(text):
            kind, key = gazetteer.entries[_normal(match.group(0))]
            found.append((match.start(), match.end(), kind, key, 0))
    for match in _SOCIETY_PREFIX.finditer(text):
        words = match["prefix"].split()
        skip = 0
        while skip < len(words) and words[skip].strip("*") in _NOT_A_SOCIETY_WORD:
            skip += 1
        if skip == len(words):
            continue
        start = match.start() + match.group(0).index(words[skip])
        name = _normal(text[start : match.end()])
        society = reference.society_by_name(name)
        found.append(
            (start, match.end(), MentionKind.NATIONAL_SOCIETY, society.iso3 if society else None, 1)
        )
    for match in _SOCIETY_OF.finditer(text):
        society = reference.society_by_name(_normal(match.group(0)))
        found.append(
            (
                match.start(),
                match.end(),
                MentionKind.NATIONAL_SOCIETY,
                society.iso3 if society else None,
                1,
            )
        )
    return found


def _non_overlapping(found):
    """Longest first, then gazetteer before pattern; no two mentions share a character."""
    chosen = []
    starts: list[int] = []  # of the chosen spans, sorted; they never overlap, so ends sort too
    ends: list[int] = []
    for item in sorted(found, key=lambda f: (-(f[1] - f[0]), f[4], f[0])):
        start, end = item[0], item[1]
        index = bisect.bisect_left(starts, end)  # chosen spans starting before this one ends
        if index and ends[index - 1] > start:
            continue
        starts.insert(index, start)
        ends.insert(index, end)
        chosen.append(item)
    return sorted(chosen, key=lambda f: f[0])


def find_mentions(
    doc: Document, narrative: tuple[Section, ...], reference: Reference, iso3: str
) -> tuple[Mention, ...]:
    """Every mention in the narrative paragraphs, in reading order."""
    gazetteer = _gazetteer(reference, iso3)
    mentions: list[Mention] = []
    for path, section in walk(narrative):
        for paragraph in section.paragraphs:
            raw = paragraph.source.quote
            base = paragraph.source.start
            for start, end, kind, key, _ in _non_overlapping(
                _candidates(raw, gazetteer, reference)
            ):
                span = doc.span(base + start, base + end)
                mentions.append(Mention(_normal(span.quote), kind, path, span, key))
    return tuple(mentions)
