"""The triple patterns of a basic graph pattern in the order of their sizes, smallest first,
from the build's counts: the planner's third step (``rewrite.py``).

Oxigraph 0.5 orders a block's patterns by their shape alone (how many terms are bound) and
keeps the written order between patterns of the same shape, without statistics. A star of
``?figure ifrckg:partner ?partner ; ifrckg:amount ?amount`` then starts from 5,607
partner triples where 1,323 amounts would do (22 ms against 4.6 ms at a million quads), and
``?s a doco:Sentence . ?place a schema:AdministrativeArea`` from 13,986 sentences where
1,374 areas would do (80 ms against 5 ms). The build counted the triples of every property
and the instances of every class (VoID, ``statistics.py``); written smallest first, the
engine's tie-break becomes a choice by size.

Why the answer cannot change: a basic graph pattern is a *set* of triple patterns (SPARQL
1.1 Query §18.1.6); its solutions (§18.3.1, with their multiplicities) do not depend on the
order the patterns are written in, and two adjacent blocks of one group are one basic graph
pattern (§18.2.2.1; ``rewrite.py`` never merges blocks with blank node labels). Only blocks
of plain triples are reordered: no property path, no ``[ ]`` or ``( )``, no RDF-star; any
other block is left as written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ifrc_kg.server.rewrite import Token

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True, eq=False)
class Counts:
    """How many triples each property has and how many instances each class (``None``: not
    known for certain, so not used) in the graph queries read. Compared and hashed by
    identity: one object per store, a key of the worker's plan cache."""

    properties: Mapping[str, int] | None
    classes: Mapping[str, int] | None
    #: triples with this predicate and this object IRI (counted in the store, up to a cap)
    matches: Callable[[str, str], int] | None = None


@dataclass(frozen=True)
class Pattern:
    """One triple pattern: the text of its three terms, and their token kinds."""

    terms: tuple[str, str, str]
    kinds: tuple[str, str, str]

    @property
    def text(self) -> str:
        return " ".join(self.terms) + " ."


def prefixes(tokens: list[Token], end: int) -> dict[str, str]:
    """The ``PREFIX`` declarations before token ``end``: prefix (with its colon) → IRI.

    >>> from ifrc_kg.server.rewrite import tokenize
    >>> prefixes(tokenize("PREFIX ex: <http://e/> SELECT * {}"), 4)
    {'ex:': 'http://e/'}
    """
    found = {}
    for index in range(end - 2):
        if tokens[index].kind == "name" and tokens[index].text.upper() == "PREFIX":
            name, iri = tokens[index + 1], tokens[index + 2]
            if name.kind == "pname" and iri.kind == "iri":
                found[name.text] = iri.text[1:-1]
    return found


def _term_end(tokens: list[Token], index: int, last: int, verb: bool) -> int | None:
    """The index of the last token of the term starting at ``index``, ``None`` if it is not
    a plain term (a path, a blank node, a collection, a quoted triple, a signed number)."""
    token = tokens[index]
    if token.kind in ("var", "iri", "pname"):
        return None if token.text.startswith("_:") else index
    if token.kind == "name":
        allowed = ("a",) if verb else ("true", "false")
        return index if token.text in allowed else None
    if verb:
        return None
    if token.kind == "number":
        return index
    if token.kind != "string":
        return None
    after = index + 1
    if after <= last and tokens[after].kind == "lang":
        return after
    if after + 1 <= last and tokens[after].kind == "punct" and tokens[after].text == "^^":
        return after + 1 if tokens[after + 1].kind in ("iri", "pname") else None
    return index


def split(query: str, tokens: list[Token], first: int, last: int) -> list[Pattern] | None:
    """The triple patterns of the block ``tokens[first..last]``, ``;`` and ``,`` lists
    spelled out; ``None`` for a block that is not plain triples.

    >>> from ifrc_kg.server.rewrite import tokenize
    >>> text = '?s a <C> ; <p> ?o , "x"@en .'
    >>> [p.text for p in split(text, tokenize(text), 0, 8)]
    ['?s a <C> .', '?s <p> ?o .', '?s <p> "x"@en .']
    >>> text = "?s <p>/<q> ?o"
    >>> split(text, tokenize(text), 0, 4) is None
    True
    """

    def term(index: int, verb: bool) -> tuple[str, str, int] | None:
        if index > last:
            return None
        end = _term_end(tokens, index, last, verb)
        if end is None or end > last:
            return None
        return query[tokens[index].start : tokens[end].end], tokens[index].kind, end + 1

    def punct(index: int) -> str:
        token = tokens[index] if index <= last else None
        return token.text if token is not None and token.kind == "punct" else ""

    patterns: list[Pattern] = []
    index = first
    while index <= last:
        subject = term(index, verb=False)
        if subject is None:
            return None
        index = subject[2]
        while True:  # predicate-object lists
            verb = term(index, verb=True)
            if verb is None:
                return None
            index = verb[2]
            while True:  # object lists
                obj = term(index, verb=False)
                if obj is None:
                    return None
                index = obj[2]
                terms = (subject[0], verb[0], obj[0])
                patterns.append(Pattern(terms, (subject[1], verb[1], obj[1])))
                if punct(index) != ",":
                    break
                index += 1
            while punct(index) == ";":
                index += 1
            if index > last or punct(index) == ".":
                break
        if punct(index) == ".":
            index += 1
        elif index <= last:
            return None
    return patterns


def _iri(text: str, kind: str, declared: Mapping[str, str]) -> str | None:
    if kind == "iri":
        return text[1:-1]
    if kind == "name" and text == "a":
        return RDF_TYPE
    if kind == "pname":
        prefix, _, local = text.partition(":")
        namespace = declared.get(prefix + ":")
        return None if namespace is None or "\\" in local else namespace + local
    return None


def predicate_iri(pattern: Pattern, declared: Mapping[str, str]) -> str | None:
    """The IRI of ``pattern``'s predicate, ``None`` if it is a variable or unknown prefix."""
    return _iri(pattern.terms[1], pattern.kinds[1], declared)


def estimate(pattern: Pattern, counts: Counts, declared: Mapping[str, str]) -> int | None:
    """How many triples match ``pattern``, when the counts say: a property's triples for
    ``?s <p> ?o``, a class's instances for ``?s a <C>`` (a property or class the complete
    counts do not list has none); ``None`` otherwise."""
    (_, verb, obj), (subject_kind, verb_kind, object_kind) = pattern.terms, pattern.kinds
    predicate = _iri(verb, verb_kind, declared)
    if predicate is None or subject_kind != "var":
        return None
    if object_kind == "var":
        return None if counts.properties is None else counts.properties.get(predicate, 0)
    if predicate == RDF_TYPE and counts.classes is not None:
        cls = _iri(obj, object_kind, declared)
        return None if cls is None else counts.classes.get(cls, 0)
    return None


def ordered(patterns: list[Pattern], counts: Counts, declared: Mapping[str, str]) -> list[Pattern]:
    """``patterns`` smallest first among those of one shape (the engine's own first key: how
    many variables), the ones with no estimate first in the written order (a pattern with a
    bound subject or object the user wrote is most often the narrowest).

    >>> counts = Counts({"http://e/p": 9, "http://e/q": 2}, {})
    >>> rows = [Pattern(("?s", f"<http://e/{p}>", "?o"), ("var", "iri", "var")) for p in "pq"]
    >>> [p.terms[1] for p in ordered(rows, counts, {})]
    ['<http://e/q>', '<http://e/p>']
    """

    def key(item: tuple[int, Pattern]) -> tuple[int, int, int, int]:
        index, pattern = item
        variables = sum(kind == "var" for kind in pattern.kinds)
        size = estimate(pattern, counts, declared)
        return (variables, 0, index, 0) if size is None else (variables, 1, size, index)

    return [pattern for _, pattern in sorted(enumerate(patterns), key=key)]


# a pattern joins by hash only when it is at most this many times the smallest one's size
HASH_JOIN_RATIO = 8
# the patterns of a block looked at for hash joins: a block of thousands costs no more
MAX_SIZED = 16


def _bound_terms(pattern: Pattern, declared: Mapping[str, str]) -> tuple[str, str] | None:
    """The predicate and object IRIs of ``?x <p> <o>``, else None."""
    (_, verb, obj), kinds = pattern.terms, pattern.kinds
    if kinds[0] != "var" or kinds[2] not in ("iri", "pname"):
        return None
    predicate = _iri(verb, kinds[1], declared)
    cls = _iri(obj, kinds[2], declared)
    return None if predicate is None or cls is None else (predicate, cls)


@functools.lru_cache(maxsize=4096)
def _counted(counts: Counts, predicate: str, obj: str) -> int | None:
    """A pair's triples as the store counts them, once per store and pair (not once per query
    text): the store does not change while it is served, and a count costs 0.2-5 ms."""
    return None if counts.matches is None else counts.matches(predicate, obj)


def _bound_size(pair: tuple[str, str], counts: Counts) -> int | None:
    """The size of ``?x <p> <o>``: a class's instances, or the store's count."""
    predicate, obj = pair
    if predicate == RDF_TYPE and counts.classes is not None:
        return counts.classes.get(obj, 0)
    return _counted(counts, predicate, obj)


def hash_joined(
    patterns: list[Pattern], counts: Counts, declared: Mapping[str, str]
) -> tuple[list[Pattern], list[Pattern]]:
    """The patterns to join by hash, and the others.

    Oxigraph joins a block's patterns in a loop: each row of the first looks up the next
    (one index seek per row). ``?f ifrckg:nationalSociety <aus> ; ifrckg:refPeriod <2022>``
    then costs 900 seeks (2.7 ms at a million quads) where reading both ranges (900 and
    1,490 index entries, in order) and joining them by hash costs 0.8 ms. Oxigraph joins by
    hash the parts of a group that share no bound variable, such as two sub-queries; so two
    or more patterns ``?x <p> <o>`` on one variable, each at most ``HASH_JOIN_RATIO`` times
    the smallest (a larger one is cheaper looked up per row), are written as
    ``{ SELECT ?x WHERE { ?x <p> <o> } }`` each. The answer is the same: a sub-query that
    selects every variable of its pattern has the pattern's solutions (§18.2.4.4 Project
    keeps every solution), and a group joins its parts as a basic graph pattern joins its
    triple patterns (§18.2.2.1, §18.3: ``Join`` of the solutions, multiplicities included;
    no blank node is shared, ``rewrite.py`` leaves queries with labels alone).

    Only a variable with two such patterns or more is sized: a pattern alone on its variable
    is never joined by hash, so counting it would be work for nothing (``?figure
    ifrckg:refPeriod <2023>`` cost 5 ms of counting at a million quads, per worker).
    """
    by_variable: dict[str, list[tuple[tuple[str, str], Pattern]]] = {}
    for pattern in patterns[:MAX_SIZED]:  # each may cost a count in the store
        pair = _bound_terms(pattern, declared)
        if pair is not None:
            by_variable.setdefault(pattern.terms[0], []).append((pair, pattern))
    hashed: list[Pattern] = []
    for candidates in by_variable.values():
        if len(candidates) < 2:
            continue
        sized = [(_bound_size(pair, counts), pattern) for pair, pattern in candidates]
        known = [(size, pattern) for size, pattern in sized if size is not None]
        if len(known) < 2:
            continue
        smallest = min(size for size, _ in known)
        chosen = [p for size, p in known if size <= HASH_JOIN_RATIO * smallest]
        if smallest > 0 and len(chosen) >= 2:
            hashed += chosen
    return hashed, [pattern for pattern in patterns if pattern not in hashed]


# a star of patterns on one variable is joined by hash when reading all their index entries
# costs less than this many entries per row of the smallest (the look-ups a loop makes for
# its first join alone): one seek cost 4.3 µs against 0.35 µs per entry read (12x) in the
# on-disk store at a million quads
STAR_SCAN_RATIO = 10
# and when the hash table stays small: at most this many entries read in all
STAR_MAX_ENTRIES = 250_000


def star_joined(
    patterns: list[Pattern], counts: Counts, declared: Mapping[str, str]
) -> list[Pattern] | None:
    """The block's patterns when all of them are to be joined by hash, else ``None``.

    A block that is only a star on one variable, ``?f ifrckg:amount ?amount ;
    ifrckg:nationalSociety ?ns`` (each object a variable of its own pattern, or a bound
    term), is joined in a loop with one index seek per row of its first pattern (1,323
    seeks: 5.7 ms of CPU); read whole and joined by hash (1,323 + 9,450 entries) it takes
    3.8 ms. But ``?f ifrckg:peopleReached ?r`` (378) with two patterns of 9,400 is cheaper
    in the loop (3.2 ms against 6.3). So the star is joined by hash when all its patterns
    together have at most ``STAR_SCAN_RATIO`` times the smallest one's entries (sizes: the
    build's VoID counts of ``?f <p> ?o``; ``?f <p> <o>`` as in ``hash_joined``). Why the
    answer is the same: ``hash_joined``'s argument, each sub-query selecting every variable
    of its pattern. Only a whole block is rewritten: mixed with other patterns, Oxigraph
    may join those first (the "partners" example ran 40% slower that way). A star with
    two bound patterns or more is left to ``hash_joined``: their join is most often far
    smaller than any of them, and the other patterns are cheaper looked up from it (q04:
    1.8 ms that way, 2.9 ms read whole).
    """
    if not 2 <= len(patterns) <= MAX_SIZED:
        return None
    subject = patterns[0].terms[0]
    objects = [pattern.terms[2] for pattern in patterns]
    unbound: list[int] = []
    bound: list[tuple[str, str]] = []
    for pattern in patterns:
        if pattern.kinds[0] != "var" or pattern.terms[0] != subject:
            return None
        if pattern.kinds[2] == "var":
            obj = pattern.terms[2]
            size = estimate(pattern, counts, declared)
            if obj == subject or objects.count(obj) > 1 or size is None:
                return None
            unbound.append(size)
        else:
            pair = _bound_terms(pattern, declared)
            if pair is None:
                return None
            bound.append(pair)
    if not unbound or min(unbound) == 0 or len(bound) > 1:
        return None  # two bound patterns: ``hash_joined`` joins them, often to a few rows
    total = sum(unbound)
    if total > STAR_SCAN_RATIO * min(unbound) or total > STAR_MAX_ENTRIES:
        return None  # no bound pattern can make it cheaper: it can only lower the smallest
    sizes = list(unbound)
    for pair in bound:
        size = _bound_size(pair, counts)
        if size is None or size == 0:
            return None
        sizes.append(size)
    total = sum(sizes)
    if total > STAR_SCAN_RATIO * min(sizes) or total > STAR_MAX_ENTRIES:
        return None
    return patterns


def sub_select(pattern: Pattern) -> str:
    """``pattern`` as a sub-query selecting its variables (``hash_joined``, ``star_joined``)."""
    terms = zip(pattern.terms, pattern.kinds, strict=True)
    variables = dict.fromkeys(term for term, kind in terms if kind == "var")
    return f"{{ SELECT {' '.join(variables)} WHERE {{ {pattern.text} }} }}"
