"""Quantitative claims: each number of a narrative sentence with what it counts.

What is a claim: a printed quantity ("25,614", "1.8 million", "60 per cent",
"CHF 204,222") or a spelled-out count from two to twenty ("five committees", only when
a counted noun follows). What is not: years ("in 2023"), days of dates ("13 December"),
numbered labels ("Pillar 1", "Agreement 2.0", "Update No.5"), ordinals ("2nd"),
hyphenated ranges and codes ("0-5", "13-18 March", "COVID-19", "MDRML018"), ages
("from 0 to 5 years old") and long undivided digit strings (phone numbers). A
misprinted number ("25,6140": 25,614 or 256,140?) is kept as printed with its
candidate readings and no value, and a warning; the data-quality check flags it too.

``indicator`` is set when the words around the number (its own clause) contain every
``narrative_terms`` stem of one of the section's priority indicators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ifrc_kg.concepts import IND, Concept, scheme
from ifrc_kg.model import Claim, Figure, Paragraph, Section, Text, Unit
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.dates import MONTH_PATTERN
from ifrc_kg.report.lines import Document, word_set
from ifrc_kg.report.narrative import walk
from ifrc_kg.report.numbers import (
    NUMBER_WORDS,
    AmbiguousNumber,
    BadNumberForm,
    number_word,
    read_number,
)
from ifrc_kg.template import load_template

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)*]*\s+(?=[A-Z\[(“\"*])")
_ABBREVIATIONS = ("No.", "e.g.", "i.e.", "Dr.", "St.", "Mr.", "Ms.", "Mrs.", "vs.", "approx.")
NUMBER = re.compile(
    r"(?<![\w.,+/\-])(?:CHF\s*)?\d+(?:,\d+)*(?:\.\d+)?"
    r"(?:\s*(?:million|billion|thousand|bn|mn)\b|\s?M(?![\w])|m(?![\w]))?"
    r"(?:\s*(?:%|per\s+cent\b|percent\b))?"
    r"(?![\w\-]|[.,]\d)"
)
WORD_NUMBER = re.compile(rf"\b(?:{'|'.join(NUMBER_WORDS)})\b", re.IGNORECASE)
_TOKEN = re.compile(
    r"\[(?P<link>[^\]]*)\]\([^)]*\)|(?P<acronym>\([A-Z]{2,}s?\))"
    r"|(?:CHF\s*)?\d+(?:[,.]\d+)*|[\w'‘’-]+|[^\w\s]"
)
_DAY_MONTH_AFTER = re.compile(rf"^\s*(?:{MONTH_PATTERN})\b", re.IGNORECASE)
_MONTH_BEFORE = re.compile(rf"\b(?:{MONTH_PATTERN})\.?\s*$", re.IGNORECASE)
_AGE_AFTER = re.compile(r"^\s*(?:(?:-|to)\s*\d+\s*)?(?:years?|months?)[\s-]+old\b", re.IGNORECASE)
_AGED_BEFORE = re.compile(r"\baged?\s*$", re.IGNORECASE)
_LABEL_BEFORE = re.compile(r"(?:^|[\s(])[A-Z][A-Za-z]*\.?\s*$")
_LOWER_WORD_AFTER = re.compile(r"^\s*[a-z'‘]")
_NUMBER_OF = re.compile(r"\bnumber\s+of\s+(?P<noun>[a-z]+)", re.IGNORECASE)

STOP = word_set(
    "in on for with from to of by at across through who which that were was have has had is "
    "are be been being will would could should and or but as per during into under over within "
    "about against than after before while including along among each whose where when also "
    "this these those it its their his her they them we our he she one"
)
LEAD_IN = word_set(
    "of about over around almost approximately nearly some more than to the a an at least up "
    "additional another total further only just estimated"
)
COMPLEMENT = word_set("for in with on from about across")
ARTICLES = word_set("the a an")
POSSESSIVES = word_set("their its his her")
PEOPLE = load_template().people_words
_MAX_COUNT_WORDS = 6


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        return self.text.casefold()

    is_word: bool


def _tokens(text: str, offset: int = 0) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(text):
        link = match["link"]
        shown = link.replace("\\", "") if link is not None else match.group(0)
        is_word = link is not None or match["acronym"] is not None or bool(re.search(r"\w", shown))
        found.append(
            _Token(" ".join(shown.split()), offset + match.start(), offset + match.end(), is_word)
        )
    return found


def sentences(text: str) -> list[tuple[int, int]]:
    """Offsets of the sentences of a paragraph.

    >>> t = "It trained 104 people. Operations Update No.5 is out. Done"
    >>> [t[a:b] for a, b in sentences(t)]
    ['It trained 104 people.', 'Operations Update No.5 is out.', 'Done']
    """
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if text.endswith(_ABBREVIATIONS, 0, match.start()):  # no prefix copy: linear
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _skip(sentence: str, start: int, end: int, printed: str) -> bool:
    """Whether a number is not a quantity (year, date, label, age, phone number)."""
    before, after = sentence[:start], sentence[end:]
    digits = printed.replace(",", "")
    plain = printed.isdigit()
    if plain and len(printed) == 4 and 1900 <= int(printed) <= 2100:
        return True
    if plain and len(printed) >= 7:
        return True
    if plain and (_DAY_MONTH_AFTER.match(after) or _MONTH_BEFORE.search(before)):
        return True
    if _AGE_AFTER.match(after) or _AGED_BEFORE.search(before):
        return True
    # "Pillar 1:", "Agreement 2.0": a number right after a capitalised word, no noun after.
    return bool(
        digits.replace(".", "").isdigit()
        and before.strip()
        and _LABEL_BEFORE.search(before)
        and not _LOWER_WORD_AFTER.match(after)
    )


def _counts(tokens: list[_Token], index: int, percent: bool) -> tuple[list[_Token], int]:
    """The counted noun phrase after token ``index`` (exclusive) and the index after it."""
    words: list[_Token] = []
    used_and = used_of = False
    i = index
    if percent and i < len(tokens) and tokens[i].word == "of":
        i += 1
        while i < len(tokens) and tokens[i].word in ARTICLES | {"its", "their"}:
            i += 1
    while i < len(tokens) and len(words) < _MAX_COUNT_WORDS:
        token = tokens[i]
        word = token.word
        if not token.is_word or NUMBER.fullmatch(token.text) or number_word(word):
            break
        if word == "and":
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if (
                used_and
                or not words
                or following is None
                or not following.is_word
                or following.word in STOP
                or NUMBER.fullmatch(following.text)
                or number_word(following.word)
                or len(words) > 3
            ):
                break
            used_and = True
            words.append(token)
            i += 1
            continue
        if word == "of" and words and not used_of:
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if (
                following is not None
                and following.is_word
                and following.word not in STOP | ARTICLES
            ):
                used_of = True
                words.append(token)
                i += 1
                continue
        if word in STOP or (word.endswith("ly") and len(word) > 4):
            break
        if words and word.endswith("ed") and len(word) > 4:
            break
        words.append(token)
        i += 1
    return words, i


def _phrase(tokens: list[_Token], first: int, after_counts: int) -> list[_Token]:
    """The words saying what the number is: a verb before, the count, a short complement."""
    begin = first
    steps = 0
    while begin > 0 and steps < 3 and tokens[begin - 1].word in LEAD_IN:
        begin -= 1
        steps += 1
    if begin > 0 and tokens[begin - 1].is_word:
        begin -= 1
    end = after_counts
    if end < len(tokens) and tokens[end].word in COMPLEMENT:
        following = tokens[end + 1] if end + 1 < len(tokens) else None
        if following is not None and following.is_word and following.word not in ARTICLES:
            taken = 0
            while end + 1 + taken < len(tokens) and taken < 3:
                token = tokens[end + 1 + taken]
                if (
                    not token.is_word
                    or (token.word in STOP and token.word not in POSSESSIVES)
                    or NUMBER.fullmatch(token.text)
                ):
                    break
                taken += 1
            if taken:
                end += 1 + taken
    return tokens[begin:end]


def _unit(printed: str, counts: str, percent: bool) -> Unit:
    if printed.upper().startswith("CHF"):
        return Unit.CHF
    if percent:
        return Unit.PERCENT
    words = counts.casefold().split()
    if any(word in PEOPLE for word in words):
        return Unit.PERSONS
    return Unit.COUNT


_CLAUSE_BEFORE = re.compile(r".*(?:,|;|\bwhile\b|\bwhereas\b)", re.DOTALL)
_CLAUSE_AFTER = re.compile(r"(?:,|;|\bwhile\b|\bwhereas\b)")
_AND_BEFORE = re.compile(r".*\band\b", re.DOTALL)
_AND_AFTER = re.compile(r"\band\b")


def _indicator(window: str, concept: str | None) -> str | None:
    """The indicator whose narrative stems all occur in the number's clause."""
    best: tuple[int, Concept] | None = None
    for candidate in scheme(IND).members:
        if not candidate.narrative_terms:
            continue
        if concept is not None and candidate.broader != concept:
            continue
        if all(
            re.search(rf"\b{re.escape(term)}", window, re.IGNORECASE)
            for term in candidate.narrative_terms
        ):
            weight = sum(len(term) for term in candidate.narrative_terms)
            if best is None or weight > best[0]:
                best = (weight, candidate)
    return best[1].notation if best else None


def _window(sentence: str, start: int, end: int, previous_end: int, next_start: int) -> str:
    """The clause of a number: bounded by its neighbouring numbers and clause breaks."""
    before = sentence[previous_end:start]
    for pattern in (_CLAUSE_BEFORE, _AND_BEFORE if previous_end else None):
        cut = pattern.match(before) if pattern else None
        if cut:
            before = before[cut.end() :]
    after = sentence[end:next_start]
    for pattern in (_CLAUSE_AFTER, _AND_AFTER if next_start < len(sentence) else None):
        stop = pattern.search(after) if pattern else None
        if stop:
            after = after[: stop.start()]
    return before + sentence[start:end] + after


def _claims_in_sentence(
    doc: Document, text: str, offset: int, path: tuple[str, ...], concept: str | None
) -> list[Claim]:
    sentence_text = Text(" ".join(text.split()), doc.span(offset, offset + len(text)))
    tokens = _tokens(text)
    found: list[tuple[int, int, str, Decimal | None]] = []
    for match in NUMBER.finditer(text):
        printed = match.group(0)
        bare = re.sub(r"^CHF\s*", "", printed)
        bare = re.sub(r"\s*(?:%|per\s+cent|percent|million|billion|thousand|[mM])$", "", bare)
        if _skip(text, match.start(), match.end(), bare):
            continue
        found.append((match.start(), match.end(), printed, None))
    for match in WORD_NUMBER.finditer(text):
        found.append((match.start(), match.end(), match.group(0), number_word(match.group(0))))
    found.sort()
    claims = []
    for position, (start, end, printed, word_value) in enumerate(found):
        index = next(i for i, token in enumerate(tokens) if token.end > start)
        after_index = next((i for i, token in enumerate(tokens) if token.start >= end), len(tokens))
        percent = bool(re.search(r"(?:%|per\s+cent|percent)$", printed))
        count_tokens, after_counts = _counts(tokens, after_index, percent)
        counts = " ".join(token.text for token in count_tokens)
        if not counts and word_value is None and not percent:
            noun = _NUMBER_OF.search(text)
            counts = noun["noun"] if noun else ""
        if word_value is not None and not counts:
            continue
        phrase_tokens = _phrase(tokens, index, after_counts)
        phrase = " ".join(token.text for token in phrase_tokens)
        readings: tuple[Decimal, ...] = ()
        if word_value is not None:
            value, rounded_to = word_value, None
        else:
            try:
                value, rounded_to, _ = read_number(printed)
            except AmbiguousNumber as ambiguous:
                value, rounded_to, readings = None, None, ambiguous.readings
            except BadNumberForm:
                value, rounded_to = None, None
            except ValueError:
                continue
        unit = _unit(printed, counts, percent)
        previous_end = found[position - 1][1] if position else 0
        next_start = found[position + 1][0] if position + 1 < len(found) else len(text)
        window = _window(text, start, end, previous_end, next_start)
        figure = Figure(
            value,
            unit,
            " ".join(printed.split()),
            rounded_to,
            doc.span(offset + start, offset + end),
            readings,
        )
        claims.append(
            Claim(
                figure=figure,
                counts=counts,
                phrase=phrase,
                sentence=sentence_text,
                section=path,
                concept=concept,
                indicator=_indicator(window, concept) if unit is not Unit.CHF else None,
            )
        )
    return claims


def _paragraph_claims(
    doc: Document, paragraph: Paragraph, path: tuple[str, ...], concept: str | None
) -> list[Claim]:
    raw = paragraph.source.quote
    claims = []
    for start, end in sentences(raw):
        claims += _claims_in_sentence(
            doc, raw[start:end], paragraph.source.start + start, path, concept
        )
    return claims


def find_claims(ctx: ParseContext, narrative: tuple[Section, ...]) -> tuple[Claim, ...]:
    """Every claim of the narrative, in reading order."""
    doc = ctx.doc
    claims: list[Claim] = []
    for path, section in walk(narrative):
        for paragraph in section.paragraphs:
            claims += _paragraph_claims(doc, paragraph, path, section.concept)
    for claim in claims:
        if claim.figure.value is None:
            ctx.kept_without_value(doc.line(claim.figure.source.line_start), claim.figure)
    return tuple(claims)
