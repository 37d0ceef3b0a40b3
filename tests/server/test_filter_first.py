"""A text search tested once per distinct value (``server/filter_first.py``) gives the same
answers as the query as written: on generated labels (repeated, in other cases and scripts,
with and without language tags, numbers among them) under generated text filters, and the
shapes it must leave alone are left alone."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
from tests.server.test_rewrite_identity import _answer

from ifrc_kg.server.filter_first import grouped_first
from ifrc_kg.server.statistics import Statistics, answer_from_statistics

EX = "http://example.org/"
LABEL = EX + "label"
REPEATED = {LABEL: 3.0}
WORDS = ["Water", "water", "WATER", "Wasser", "Eau", "Straße", "STRASSE", "İstanbul", "café"]
WORDS += ["Café", "rainwater", "water-borne", "w.a.t.e.r", "Ærø"]


def _store(rng: random.Random) -> ox.Store:
    """Subjects with one to three labels from a small vocabulary, so values repeat."""
    store = ox.Store()
    for index in range(rng.randint(3, 25)):
        subject = ox.NamedNode(f"{EX}s{index}")
        for _ in range(rng.randint(1, 3)):
            word = " ".join(rng.sample(WORDS, rng.randint(1, 2)))
            kind = rng.random()
            if kind < 0.2:
                value = ox.Literal(word, language=rng.choice(["en", "fr", "de"]))
            elif kind < 0.3:
                value = ox.Literal(str(rng.randint(1, 3)), datatype=ox.NamedNode(XSD + "integer"))
            else:
                value = ox.Literal(word)
            store.add(ox.Quad(subject, ox.NamedNode(LABEL), value))
        if rng.random() < 0.3:
            store.add(ox.Quad(subject, ox.NamedNode(EX + "other"), ox.Literal("water")))
    return store


XSD = "http://www.w3.org/2001/XMLSchema#"
NEEDLES = ["water", "WATER", "straße", "ss", "é", "İ", "i̇", "1", "", "ater", "w.a"]


def _filter(rng: random.Random) -> str:
    needle = rng.choice(NEEDLES)
    return rng.choice(
        [
            f'FILTER(CONTAINS(LCASE(STR(?l)), "{needle}"))',
            f'FILTER(CONTAINS(?l, "{needle}"))',
            f'FILTER(CONTAINS(UCASE(?l), "{needle.upper()}"))',
            f'FILTER(STRSTARTS(STR(?l), "{needle}"))',
            f'FILTER(STRENDS(?l, "{needle}"@en))',
            f'FILTER regex(?l, "{needle}", "i")',
            f'FILTER(REGEX(STR(?l), "^{needle}"))',
        ]
    )


def _query(rng: random.Random) -> str:
    filters = [_filter(rng)]
    if rng.random() < 0.3:
        filters.append(rng.choice(['FILTER(?l != "Eau")', "FILTER(isLiteral(?l))", _filter(rng)]))
    subject = rng.choice(["?s", f"<{EX}s1>"])
    head = rng.choice(["SELECT ?s ?l", "SELECT DISTINCT ?l", "SELECT ?l", "SELECT ?s"])
    if subject != "?s":
        head = head.replace("?s", "?l")
    order = rng.choice(["", "\nORDER BY ?l"])
    return f"{head} WHERE {{ {subject} <{LABEL}> ?l . {' '.join(filters)} }}{order}"


def test_generated_text_searches_same_answer_tested_once_per_value() -> None:
    rng = random.Random(71)
    rewritten = matched = 0
    for _ in range(500):
        store = _store(rng)
        query = _query(rng)
        planned = grouped_first(query, lambda: REPEATED)
        assert planned is not None, query
        original = _answer(store, query, EX)
        assert _answer(store, planned, EX) == original, planned
        rewritten += 1
        matched += bool(original)
    assert rewritten == 500
    assert matched >= 200  # the filters find something in most stores, not always nothing


@pytest.mark.parametrize(
    "query",
    [
        # two patterns, a filter over another variable, a filter that reads other data
        f'SELECT ?s WHERE {{ ?s <{LABEL}> ?l ; <{EX}p> ?o FILTER(CONTAINS(?l, "w")) }}',
        f'SELECT ?s WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(STR(?s), "w")) }}',
        f'SELECT ?s WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(?l, "w") && ?s != <{EX}a>) }}',
        f"SELECT ?s WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(?l, STR(RAND()))) }}",
        f"SELECT ?s WHERE {{ ?s <{LABEL}> ?l FILTER EXISTS {{ ?l <{EX}p> ?x }} }}",
        # not a text match, a window, every column, another dataset, an OPTIONAL
        f'SELECT ?s WHERE {{ ?s <{LABEL}> ?l FILTER(?l != "w") }}',
        f'SELECT ?s WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(?l, "w")) }} LIMIT 5',
        f'SELECT * WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(?l, "w")) }}',
        f'SELECT ?s FROM <{EX}g> WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(?l, "w")) }}',
        f"SELECT ?s WHERE {{ ?s <{LABEL}> ?l OPTIONAL {{ ?s <{EX}p> ?o }} "
        'FILTER(CONTAINS(?l, "w")) }',
        # the value is not a variable of its own, or the predicate is a variable or a path
        f'SELECT ?s WHERE {{ ?s <{LABEL}> ?s FILTER(CONTAINS(STR(?s), "w")) }}',
        'SELECT ?s WHERE { ?s ?p ?l FILTER(CONTAINS(?l, "w")) }',
        f'SELECT ?s WHERE {{ ?s <{LABEL}>/<{EX}p> ?l FILTER(CONTAINS(?l, "w")) }}',
    ],
)
def test_other_shapes_are_left_as_written(query: str) -> None:
    assert grouped_first(query, lambda: REPEATED) is None


def test_values_that_do_not_repeat_are_tested_per_triple() -> None:
    query = f'SELECT ?s WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(?l, "w")) }}'
    assert grouped_first(query, lambda: {LABEL: 1.5}) is None
    assert grouped_first(query, lambda: {}) is None
    assert grouped_first(query, lambda: None) is None
    assert grouped_first(query, lambda: {LABEL: 2.0}) is not None


def test_the_worker_finds_it_through_the_statistics() -> None:
    query = f'SELECT ?s WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(?l, "w")) }}'
    with_repeats = Statistics(10, {}, {LABEL: 10}, {LABEL: 4.0})
    planned = answer_from_statistics(query, lambda: with_repeats)
    assert planned is not None and "GROUP BY ?l" in planned
    without = Statistics(10, {}, {LABEL: 10})  # statistics kept by an older version
    assert answer_from_statistics(query, lambda: without) is None
