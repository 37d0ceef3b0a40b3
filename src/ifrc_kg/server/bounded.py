"""Queries provably cheap enough to answer in the web process, without a worker's round trip.

A worker process exists so that no query can hold the web process: pyoxigraph cannot cancel
a query, so a query of unknown cost must run where it can be killed (``pool.py``). A point
lookup (``SELECT ?p ?o { <iri> ?p ?o }``) costs the engine tens of microseconds, and the
round trip to a worker and back (a pickled job, a pipe, the worker's wake-up, the answer's
way back) costs several times that, most of the fixed cost of a request. This module proves,
before anything runs, that a query's work has a small bound, so it may run where it arrives.

The shape (checked on the tokens, never by running anything): a ``SELECT`` of plain
variables (or ``*``, with ``DISTINCT``/``REDUCED``) or an ``ASK``; ``PREFIX`` declarations;
one group of triple patterns (``;`` and ``,`` lists allowed) whose every **subject is an
IRI**; ``LIMIT``/``OFFSET`` after it; nothing else (no ``FILTER``, ``OPTIONAL``,
``GRAPH``, ``FROM``, ``BASE``, nested group, blank node, property path, expression,
aggregate or ``ORDER BY``), at most ``MAX_CHARS`` characters and ``MAX_PATTERNS`` patterns.

Why that bounds the work (SPARQL 1.1 Query §18.3, §18.5): a basic graph pattern's solutions
are joins of its patterns' matches, and a pattern with a fixed subject ``s`` matches at most
``degree(s)`` triples (the triples with subject ``s``; one index range in the store, which
keeps the triples sorted by subject). However the engine orders or joins the patterns
(nested loops seeking the index, or hashing), it never builds more intermediate rows than
the product of the patterns' match counts (each taken as at least 1: an empty pattern
joined last does not make the patterns before it free), nor does more seeks than the
patterns times that product; projection, ``DISTINCT``, ``LIMIT`` and ``OFFSET`` only
shrink the rows. So ``rows_bound`` (that product of the subjects' degrees, each counted by
reading at most ``MAX_ROWS + 1`` index entries) at most ``MAX_ROWS`` bounds the rows, the
time and the memory of the answer, which is then computed by the worker's own code
(``worker.run_job``) over the same quads: the same answer a worker sends (the same bytes
when the web process opens the workers' on-disk store, as for any build over
``IFRC_KG_MEMORY_QUADS``; a smaller build is served from memory, where the engine may list
the rows of a query without ``ORDER BY`` in another order). A query of any other shape, or
over the bound, goes to a worker as before.
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict

import pyoxigraph as ox

from ifrc_kg.server.rewrite import Token, tokenize

#: Longest query text this module reads (a point lookup with its prefixes is far shorter).
MAX_CHARS = 4096
#: Most triple patterns in the group.
MAX_PATTERNS = 8
#: The bound on the rows (the product of the subjects' degrees) of a query run in process.
MAX_ROWS = 1000

_TERMS = ("iri", "pname")
_LITERAL_NAMES = ("TRUE", "FALSE")


def _keyword(token: Token) -> str:
    return token.text.upper() if token.kind == "name" else ""


def _is(token: Token | None, text: str) -> bool:
    return token is not None and token.kind == "punct" and token.text == text


class _Shape:
    """Reads the tokens of the bounded shape; any other token ends the reading (``None``)."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.prefixes: dict[str, str] = {}

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token | None:
        token = self.peek()
        self.at += 1
        return token

    def iri(self, token: Token | None) -> str | None:
        """The absolute IRI an ``<iri>`` or ``prefix:local`` token names, else ``None`` (a
        relative IRI, an undeclared prefix, a blank node ``_:``, an escaped local name)."""
        if token is None or token.kind not in _TERMS:
            return None
        if token.kind == "iri":
            iri = token.text[1:-1]
        else:
            prefix, _, local = token.text.partition(":")
            if prefix == "_" or "\\" in local or prefix not in self.prefixes:
                return None
            iri = self.prefixes[prefix] + local
        try:
            ox.NamedNode(iri)
        except ValueError:
            return None
        return iri

    def prologue(self) -> bool:
        while _keyword(self.peek() or Token("", "", 0, 0)) == "PREFIX":
            self.take()
            name, iri = self.take(), self.take()
            if name is None or name.kind != "pname" or not name.text.endswith(":"):
                return False
            value = self.iri(iri) if iri is not None and iri.kind == "iri" else None
            if value is None:
                return False
            self.prefixes[name.text[:-1]] = value
        return True

    def form(self) -> bool:
        word = _keyword(self.take() or Token("", "", 0, 0))
        if word == "SELECT":
            if _keyword(self.peek() or Token("", "", 0, 0)) in ("DISTINCT", "REDUCED"):
                self.take()
            if _is(self.peek(), "*"):
                self.take()
            else:
                variables = 0
                while (token := self.peek()) is not None and token.kind == "var":
                    self.take()
                    variables += 1
                if not variables:
                    return False
        elif word != "ASK":
            return False
        if _keyword(self.peek() or Token("", "", 0, 0)) == "WHERE":
            self.take()
        return _is(self.take(), "{")

    def object(self) -> bool:
        token = self.take()
        if token is None:
            return False
        if token.kind in ("var", "number") or _keyword(token) in _LITERAL_NAMES:
            return True
        if token.kind in _TERMS:
            return self.iri(token) is not None
        if token.kind != "string":
            return False
        following = self.peek()
        if following is not None and following.kind == "lang":
            self.take()
        elif _is(following, "^^"):
            self.take()
            return self.iri(self.take()) is not None
        return True

    def patterns(self) -> list[str] | None:
        """The subject of each triple pattern up to the group's ``}``."""
        subjects: list[str] = []
        while not _is(self.peek(), "}"):
            subject = self.iri(self.take())
            if subject is None:
                return None
            while True:  # predicate-object list
                predicate = self.take()
                if predicate is None:
                    return None
                constant = predicate.kind != "var" and _keyword(predicate) != "A"
                if constant and (predicate.kind == "name" or self.iri(predicate) is None):
                    return None
                while True:  # object list
                    if not self.object():
                        return None
                    subjects.append(subject)
                    if not _is(self.peek(), ","):
                        break
                    self.take()
                if not _is(self.peek(), ";"):
                    break
                self.take()
                if _is(self.peek(), ".") or _is(self.peek(), "}"):
                    break
            if _is(self.peek(), "."):
                self.take()
            elif not _is(self.peek(), "}"):
                return None
        self.take()
        return subjects

    def modifiers(self) -> bool:
        seen: set[str] = set()
        while (token := self.take()) is not None:
            word = _keyword(token)
            number = self.take()
            if word not in ("LIMIT", "OFFSET") or word in seen:
                return False
            if number is None or number.kind != "number" or not number.text.isdigit():
                return False
            seen.add(word)
        return True


def bounded_subjects(query: str) -> tuple[str, ...] | None:
    """The subject IRI of each triple pattern of a query of the bounded shape (see the
    module's docstring), or ``None`` for a query of any other shape. Kept per query text (a
    pure function of it; clients send the same look-ups again), for texts of at most
    ``MAX_CHARS`` (1,024 of them: at most 4 MiB).

    >>> bounded_subjects("PREFIX e: <http://e/> SELECT ?p ?o WHERE { e:a ?p ?o ; e:b ?x }")
    ('http://e/a', 'http://e/a')
    >>> bounded_subjects("ASK { <http://e/a> a <http://e/C> } LIMIT 1")
    ('http://e/a',)
    >>> [bounded_subjects(q) for q in ("SELECT * { ?s ?p ?o }", "ASK { <a> ?p ?o }")]
    [None, None]
    >>> bounded_subjects("SELECT ?o { <http://e/a> ?p ?o FILTER(?o > 1) }") is None
    True
    """
    if len(query) > MAX_CHARS or "\\u" in query.lower() or query.count("{") != 1:
        return None  # before the kept shapes: only short texts are kept
    return _shape_subjects(query)


@functools.lru_cache(maxsize=1024)
def _shape_subjects(query: str) -> tuple[str, ...] | None:
    tokens = tokenize(query)
    if tokens is None:
        return None
    shape = _Shape(tokens)
    if not (shape.prologue() and shape.form()):
        return None
    subjects = shape.patterns()
    if not subjects or len(subjects) > MAX_PATTERNS or not shape.modifiers():
        return None
    return tuple(subjects)


def degree(store: ox.Store, subject: str) -> int:
    """How many triples of the default graph have ``subject``, counted up to ``MAX_ROWS + 1``
    (by the engine, on its encoded terms: faster than reading the quads back as terms)."""
    count = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT ?p WHERE {{ {ox.NamedNode(subject)} ?p ?o }} "
        f"LIMIT {MAX_ROWS + 1} }}"
    )
    return int(next(iter(store.query(count)))[0].value)  # type: ignore[index]


#: Degrees already counted, per build and subject (a build never changes while served; a
#: new build has another id): the users' look-ups come back to the same resources.
_DEGREES: OrderedDict[tuple[str, str], int] = OrderedDict()
DEGREES_KEPT = 4096


def _degree(store: ox.Store, build: str, subject: str) -> int:
    key = (build, subject)
    if key in _DEGREES:
        _DEGREES.move_to_end(key)
        return _DEGREES[key]
    _DEGREES[key] = found = degree(store, subject)
    if len(_DEGREES) > DEGREES_KEPT:
        _DEGREES.popitem(last=False)
    return found


def rows_bound(store: ox.Store, build: str, subjects: tuple[str, ...]) -> int:
    """The product of the subjects' degrees (each pattern's subject, so a subject named twice
    counts twice; a degree of 0 counts as 1): at most ``MAX_ROWS`` proves the query cheap
    (module docstring). ``build`` names the store's build (``Site.build_id``)."""
    return math.prod(max(_degree(store, build, subject), 1) for subject in subjects)


def runs_in_process(store: ox.Store, build: str, query: str) -> bool:
    """Whether ``query`` is of the bounded shape and its rows bound is at most ``MAX_ROWS``."""
    subjects = bounded_subjects(query)
    return subjects is not None and rows_bound(store, build, subjects) <= MAX_ROWS
