"""Whose figure a narrative claim is: the National Society's, the network's, another
organisation's, or the context's.

A user selecting a society's achievements must be able to leave out the statistics of
the situation ("IOM counted 400,000 displaced people"). The rules, first match wins,
every word list from the template file (``[claims.attribution]``):

1. an organisation the reference knows, named in the sentence before the figure, that
   is not of the IFRC network, while the sentence does not name the National Society:
   ``other-organisation`` (``attributed_to`` is the name as printed);
2. the sentence holds a context cue ("according to", "affected", "displaced"…) and does
   not name the society: ``context``;
3. the actor named first before the figure (else in the sentence): a network cue
   ("IFRC", "Participating National Societies") or another National Society gives
   ``ifrc-network``; a national-society cue or the society's name ``national-society``;
4. the kind of the nearest section that has a default (Context, IFRC network joint
   support, Progress by the National Society…);
5. ``national-society``.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re

from ifrc_kg.model import Claim, Mention, MentionKind, Section
from ifrc_kg.report.context import ParseContext
from ifrc_kg.report.narrative import walk
from ifrc_kg.template import Template

NATIONAL_SOCIETY = "national-society"
IFRC_NETWORK = "ifrc-network"
OTHER_ORGANISATION = "other-organisation"
CONTEXT = "context"
ATTRIBUTIONS = (NATIONAL_SOCIETY, IFRC_NETWORK, OTHER_ORGANISATION, CONTEXT)


@functools.cache
def _cues(template: Template) -> dict[str, re.Pattern[str]]:
    return {
        kind: re.compile(
            r"\b(?:" + "|".join(re.escape(word) for word in words) + r")\b", re.IGNORECASE
        )
        for kind, words in template.attribution.items()
    }


def attribute_claims(
    ctx: ParseContext,
    claims: tuple[Claim, ...],
    mentions: tuple[Mention, ...],
    narrative: tuple[Section, ...],
    society: str,
    host_iso3: str,
) -> tuple[Claim, ...]:
    """The claims with ``attribution`` (and ``attributed_to``) set."""
    cues = _cues(ctx.template)
    network_keys = set(ctx.template.network_organisations)
    kinds = {path: section.kind for path, section in walk(narrative)}
    society_cue = re.compile(rf"\b{re.escape(society)}\b", re.IGNORECASE)
    ordered = sorted(mentions, key=lambda m: m.source.start)
    starts = [m.source.start for m in ordered]

    def between(first: int, stop: int) -> list[Mention]:
        """Mentions starting in [first, stop): a bisect, so the whole pass stays linear."""
        return ordered[bisect.bisect_left(starts, first) : bisect.bisect_left(starts, stop)]

    found = []
    for claim in claims:
        sentence = claim.sentence.source
        before_figure = between(sentence.start, claim.figure.source.start)
        text = ctx.doc.text[sentence.start : sentence.end]
        prefix = ctx.doc.text[sentence.start : claim.figure.source.start]
        names_society = bool(
            cues[NATIONAL_SOCIETY].search(text) or society_cue.search(text)
        ) or any(
            m.kind is MentionKind.NATIONAL_SOCIETY and m.key == host_iso3 for m in before_figure
        )
        other = next(
            (
                m
                for m in before_figure
                if m.kind is MentionKind.ORGANISATION
                and m.key is not None
                and m.key not in network_keys
            ),
            None,
        )
        attribution, attributed_to = _default(ctx, kinds, claim.section), None
        in_sentence = between(sentence.start, sentence.end)
        first = _first_actor(cues, society_cue, in_sentence, prefix, sentence.start, host_iso3)
        if first is None:
            first = _first_actor(cues, society_cue, in_sentence, text, sentence.start, host_iso3)
        if other is not None and not names_society:
            attribution, attributed_to = OTHER_ORGANISATION, other.name
        elif cues[CONTEXT].search(text) and not names_society:
            attribution = CONTEXT
        elif first is not None:
            attribution = first
        found.append(
            dataclasses.replace(claim, attribution=attribution, attributed_to=attributed_to)
        )
    return tuple(found)


def _first_actor(
    cues: dict[str, re.Pattern[str]],
    society_cue: re.Pattern[str],
    mentions: list[Mention],
    text: str,
    text_start: int,
    host_iso3: str,
) -> str | None:
    """The attribution of the actor named first in ``text`` (which starts at document
    offset ``text_start``): the network's or the society's."""
    positions: list[tuple[int, str]] = []
    for kind in (IFRC_NETWORK, NATIONAL_SOCIETY):
        match = cues[kind].search(text)
        if match:
            positions.append((match.start(), kind))
    match = society_cue.search(text)
    if match:
        positions.append((match.start(), NATIONAL_SOCIETY))
    for mention in mentions:
        position = mention.source.start - text_start
        if position >= len(text) or mention.kind is not MentionKind.NATIONAL_SOCIETY:
            continue
        if mention.key not in (None, host_iso3):
            positions.append((position, IFRC_NETWORK))
    return min(positions)[1] if positions else None


def _default(ctx: ParseContext, kinds: dict[tuple[str, ...], str], path: tuple[str, ...]) -> str:
    """The attribution the nearest section with a default gives, else the society's."""
    defaults = ctx.template.section_attribution
    while path:
        kind = kinds.get(path)
        if kind in defaults:
            return defaults[kind]
        path = path[:-1]
    return NATIONAL_SOCIETY
