"""The query rewrite (``server/rewrite.py``) gives the same answers as the query as written,
on the W3C SPARQL 1.1 query evaluation tests and on this project's own queries.

The W3C cases (``tests/data/w3c-query/``, vendored from w3c/rdf-tests, see its README)
run each query twice on the test's dataset, as written and rewritten, and compare the
answers as multisets of solutions (variable → term, blank nodes by position only). Only
cases the rewrite changes are compared; ``test_the_rewrite_is_exercised`` checks that this
is a real share of them, of both kinds. ``SELECT *`` is rewritten here too (in production it
is left alone, because its column order may change; the solutions do not).

The third step, basic graph patterns written smallest first (``join_order.py``), is run here
with made-up counts (a hash of each IRI, then its reverse): the order they give is arbitrary,
and the answer must not depend on it.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from ifrc_kg.server.join_order import Counts, split
from ifrc_kg.server.rewrite import rewrite, tokenize

DATA = Path(__file__).parents[1] / "data" / "w3c-query"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}


def _cases() -> list[tuple[str, Path, list[Path], list[Path]]]:
    cases = []
    for manifest in sorted(DATA.glob("*/*/manifest.ttl")):
        base = manifest.parent.as_uri() + "/"
        graph = Graph().parse(manifest, format="turtle", publicID=base + "manifest.ttl")
        for test in graph.subjects(RDF.type, MF.QueryEvaluationTest):
            action = graph.value(test, MF.action)
            query = graph.value(action, QT.query)
            if query is None:
                continue
            folder = manifest.parent
            data = [folder / str(f)[len(base) :] for f in graph.objects(action, QT.data)]
            named = [folder / str(f)[len(base) :] for f in graph.objects(action, QT.graphData)]
            name = f"{folder.parent.name}/{folder.name}/{str(test).split('#')[-1]}"
            cases.append((name, folder / str(query)[len(base) :], data, named))
    return sorted(cases)


CASES = _cases()


def _store(data: list[Path], named: list[Path]) -> ox.Store:
    store = ox.Store()
    for path in data:
        store.load(path=str(path), format=FORMATS[path.suffix], base_iri=path.as_uri())
    for path in [*data, *named]:  # every file also as a named graph, for FROM <file>
        store.load(
            path=str(path),
            format=FORMATS[path.suffix],
            base_iri=path.as_uri(),
            to_graph=ox.NamedNode(path.as_uri()),
        )
    return store


def _term(term: object) -> str:
    return "_:b" if isinstance(term, ox.BlankNode) else str(term)


def _answer(store: ox.Store, query: str, base: str) -> object:
    """The answer as something comparable: a boolean, a multiset of solutions or triples."""
    try:
        result = store.query(query, base_iri=base)
    except (SyntaxError, OSError, ValueError) as error:
        return ("error", type(error).__name__)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return Counter(
            frozenset((n, _term(t)) for n, t in zip(names, row, strict=True) if t is not None)
            for row in result
        )
    return Counter(tuple(_term(t) for t in (x.subject, x.predicate, x.object)) for x in result)


@cache
def _rewritten(query_path: Path) -> str | None:
    planned = rewrite(query_path.read_text("utf-8"), keep_projection=False)
    return planned.query if planned else None


def _usable(case: tuple[str, Path, list[Path], list[Path]]) -> bool:
    _, _, data, named = case
    return all(path.suffix in FORMATS for path in [*data, *named])


class _MadeUpCounts(dict):
    """A count for every IRI asked for: a hash of it, or the reverse order of that."""

    def __init__(self, reverse: bool) -> None:
        super().__init__()
        self.reverse = reverse

    def get(self, key: object, default: object = None) -> int:
        number = zlib.crc32(str(key).encode()) % 1000
        return 1000 - number if self.reverse else number


def _made_up_matches(reverse: bool) -> Callable[[str, str], int]:
    counts = _MadeUpCounts(reverse)
    return lambda predicate, obj: counts.get(predicate + obj) % 20  # often within the ratio


COUNTS = [
    Counts(_MadeUpCounts(reverse), _MadeUpCounts(reverse), _made_up_matches(reverse))
    for reverse in (False, True)
]


@cache
def _reordered(query_path: Path, reverse: bool) -> str | None:
    counts = COUNTS[reverse]
    planned = rewrite(query_path.read_text("utf-8"), keep_projection=False, counts=counts)
    return planned.query if planned and planned.reordered else None


@pytest.mark.parametrize(
    "case", [c for c in CASES if _usable(c) and _rewritten(c[1])], ids=lambda c: c[0]
)
def test_w3c_case_same_answer_rewritten(case: tuple[str, Path, list[Path], list[Path]]) -> None:
    """Every case the rewrite changes (the others run as written, the same text)."""
    _, query_path, data, named = case
    rewritten = _rewritten(query_path)
    assert rewritten is not None
    store = _store(data, named)
    base = query_path.as_uri()
    original = _answer(store, query_path.read_text("utf-8"), base)
    assert _answer(store, rewritten, base) == original


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if _usable(c) and (_reordered(c[1], False) or _reordered(c[1], True))],
    ids=lambda c: c[0],
)
def test_w3c_case_same_answer_in_any_pattern_order(
    case: tuple[str, Path, list[Path], list[Path]],
) -> None:
    """Every case whose patterns the made-up counts put in another order, both ways."""
    _, query_path, data, named = case
    store = _store(data, named)
    base = query_path.as_uri()
    original = _answer(store, query_path.read_text("utf-8"), base)
    for reverse in (False, True):
        reordered = _reordered(query_path, reverse)
        if reordered is not None:
            assert _answer(store, reordered, base) == original, reordered


def test_pattern_order_is_exercised() -> None:
    reordered = [c for c in CASES if _reordered(c[1], False) or _reordered(c[1], True)]
    assert len(reordered) >= 10  # most cases have one pattern, a LIMIT or a blank node


def test_the_rewrite_is_exercised() -> None:
    """Some W3C cases are rewritten, of both kinds (most are left as written: their required
    patterns after an OPTIONAL share its variables on purpose, and the rewrite declines);
    the generated groups below probe the conditions much more often."""
    moved = minus = 0
    for _, query_path, _, _ in CASES:
        planned = rewrite(query_path.read_text("utf-8"), keep_projection=False)
        if planned:
            moved += planned.moved > 0
            minus += planned.minus > 0
    assert moved >= 1
    assert minus >= 2
    assert len(CASES) > 200


# --- generated groups: the conditions of the rewrite, probed on random data -------------------

EX = "http://example.org/"
VARS = ("?x", "?y", "?z", "?w")


def _random_store(rng: random.Random) -> ox.Store:
    store = ox.Store()
    nodes = [ox.NamedNode(EX + name) for name in "abcd"]
    for _ in range(rng.randint(4, 14)):
        obj = rng.choice([*nodes, ox.Literal("1"), ox.Literal("2")])
        store.add(ox.Quad(rng.choice(nodes), ox.NamedNode(EX + rng.choice("pqr")), obj))
    return store


def _pattern(rng: random.Random) -> str:
    def term(position: int) -> str:
        if rng.random() < 0.7:
            return rng.choice(VARS)
        return f"<{EX}{rng.choice('pqr' if position == 1 else 'abcd')}>"

    return " ".join(term(position) for position in range(3))


def _random_query(rng: random.Random) -> tuple[str, list[str]]:
    """A SELECT over all four variables whose group mixes required patterns, OPTIONALs,
    FILTERs and FILTER NOT EXISTS in a random order; also the parts, for the naive move."""
    parts = [_pattern(rng) + " ."]
    for _ in range(rng.randint(2, 5)):
        kind = rng.choice(["triples", "optional", "optional", "not-exists", "filter"])
        if kind == "triples":
            parts.append(_pattern(rng) + " .")
        elif kind == "optional":
            inner = _pattern(rng) + (" . " + _pattern(rng) if rng.random() < 0.3 else "")
            parts.append(f"OPTIONAL {{ {inner} }}")
        elif kind == "not-exists":
            parts.append(f"FILTER NOT EXISTS {{ {_pattern(rng)} }}")
        else:
            parts.append(f"FILTER(BOUND({rng.choice(VARS)}))")
    return "SELECT ?x ?y ?z ?w WHERE {\n" + "\n".join(parts) + "\n}", parts


def _naive(parts: list[str]) -> str:
    """Every triple pattern ahead of every OPTIONAL and every FILTER NOT EXISTS a MINUS,
    unconditionally: what the conditions of the rewrite forbid."""
    required = [part for part in parts if part.endswith(" .")]
    others = [part.replace("FILTER NOT EXISTS", "MINUS") for part in parts]
    others = [part for part in others if not part.endswith(" .")]
    return "SELECT ?x ?y ?z ?w WHERE {\n" + "\n".join(required + others) + "\n}"


def test_generated_groups_same_answer_rewritten() -> None:
    rng = random.Random(13)
    moved = minus = naive_differs = 0
    for _ in range(600):
        store = _random_store(rng)
        query, parts = _random_query(rng)
        original = _answer(store, query, EX)
        planned = rewrite(query)
        if planned is not None:
            assert _answer(store, planned.query, EX) == original, query
            moved += planned.moved > 0
            minus += planned.minus > 0
        elif _answer(store, _naive(parts), EX) != original:
            naive_differs += 1
    # both rewrites ran many times, and the conditions they check are needed: moving
    # required patterns without them changes answers
    assert moved >= 50
    assert minus >= 200
    assert naive_differs >= 5


def test_generated_groups_same_answer_in_any_pattern_order() -> None:
    rng = random.Random(31)
    reordered = 0
    for _ in range(300):
        store = _random_store(rng)
        query, _ = _random_query(rng)
        original = _answer(store, query, EX)
        for counts in COUNTS:
            planned = rewrite(query, counts=counts)
            if planned is not None:
                assert _answer(store, planned.query, EX) == original, planned.query
                reordered += planned.reordered > 0
    assert reordered >= 100


def test_generated_stars_same_answer_joined_by_hash() -> None:
    """Stars of ``?x <p> <o>`` patterns (the shape joined by hash) with other parts."""
    rng = random.Random(47)
    hashed = 0
    for _ in range(300):
        store = _random_store(rng)
        subject = rng.choice(VARS)
        parts = [
            f"{subject} <{EX}{rng.choice('pqr')}> <{EX}{rng.choice('abcd')}> ."
            for _ in range(rng.randint(2, 4))
        ]
        parts += [_pattern(rng) + " ." for _ in range(rng.randint(0, 2))]
        if rng.random() < 0.5:
            parts.append(f"OPTIONAL {{ {_pattern(rng)} }}")
        rng.shuffle(parts)
        query = "SELECT ?x ?y ?z ?w WHERE {\n" + "\n".join(parts) + "\n}"
        original = _answer(store, query, EX)
        for counts in COUNTS:
            planned = rewrite(query, counts=counts)
            if planned is not None:
                assert _answer(store, planned.query, EX) == original, planned.query
                hashed += "{ SELECT" in planned.query
    assert hashed >= 100


def _split(text: str) -> list[str] | None:
    tokens = tokenize(text)
    assert tokens is not None
    patterns = split(text, tokens, 0, len(tokens) - 1)
    return None if patterns is None else [pattern.text for pattern in patterns]


def test_a_block_is_split_into_its_patterns() -> None:
    text = '?s a ex:C ; ex:p ?o , "x"@en , "1"^^xsd:int ; ex:q 2.5 ; . ?o ex:r true'
    assert _split(text) == [
        "?s a ex:C .",
        "?s ex:p ?o .",
        '?s ex:p "x"@en .',
        '?s ex:p "1"^^xsd:int .',
        "?s ex:q 2.5 .",
        "?o ex:r true .",
    ]


@pytest.mark.parametrize(
    "block",
    [
        "?s ex:p/ex:q ?o",  # a property path
        "?s ex:p* ?o",
        "?s ^ex:p ?o",
        "?s ex:p [ ex:q ?o ]",  # a blank node property list
        "?s ex:p ( 1 2 )",  # a collection
        "?s ex:p -1",  # a signed number: two tokens
        "<< ?s ex:p ?o >> ex:q ?x",  # a quoted triple
        "?s ex:p",  # no object
        "?s ex:p ?o ?x",
    ],
)
def test_a_block_that_is_not_plain_triples_is_left_as_written(block: str) -> None:
    assert _split(block) is None
    query = f"PREFIX ex: <{EX}>\nSELECT ?s WHERE {{ ?s ex:z ?z . {block} }}"
    planned = rewrite(query, counts=COUNTS[0])
    assert planned is None or block in planned.query


def test_the_smallest_pattern_goes_first_and_the_counts_decide() -> None:
    query = (
        f"PREFIX ex: <{EX}>\nSELECT ?f ?a ?b WHERE {{ ?f ex:partner ?a ; ex:amount ?b . "
        "?f a ex:Figure }"
    )
    counts = Counts({EX + "partner": 5607, EX + "amount": 1323}, {EX + "Figure": 9000})
    planned = rewrite(query, counts=counts)
    assert planned is not None and planned.reordered == 1
    body = planned.query.split("{", 1)[1].split(" .")
    # the class pattern has one variable (the engine's own first key), then the smaller
    assert [line.strip() for line in body[:3]] == [
        "?f a ex:Figure",
        "?f ex:amount ?b",
        "?f ex:partner ?a",
    ]
    assert rewrite(query) is None  # without counts nothing to do here
    # (more than ten times apart: not a star to join by hash, ``star_joined``)
    written_order = Counts({EX + "partner": 1, EX + "amount": 20}, {EX + "Figure": 0})
    assert rewrite(query.replace("?f a ex:Figure", ""), counts=written_order) is None


def test_bound_patterns_of_one_variable_are_joined_by_hash_within_the_ratio() -> None:
    head = f"PREFIX ex: <{EX}>\nSELECT ?p WHERE {{ "
    query = head + "?f ex:society ex:aus ; ex:period ex:y2022 ; ex:partner ?p }"
    sizes = {"society": 900, "period": 1490}

    def matches(predicate: str, obj: str) -> int:
        return sizes[predicate.removeprefix(EX)]

    planned = rewrite(query, counts=Counts({}, {}, matches))
    assert planned is not None
    assert "{ SELECT ?f WHERE { ?f ex:society ex:aus . } }" in planned.query
    assert "{ SELECT ?f WHERE { ?f ex:period ex:y2022 . } }" in planned.query
    assert "\n  ?f ex:partner ?p ." in planned.query
    sizes["period"] = 900 * 8 + 1  # past the ratio: looked up per row, as written
    planned = rewrite(query, counts=Counts({}, {}, matches))
    assert planned is None or "SELECT ?f" not in planned.query
    sizes["society"] = 0  # nothing to join: the loop ends at once
    planned = rewrite(query, counts=Counts({}, {}, matches))
    assert planned is None or "SELECT ?f" not in planned.query


def _recording_counts(count: int) -> tuple[list[str], Callable[[str, str], int]]:
    """A store count of ``count`` for every ``?x <p> <o>`` pattern, and the objects it was
    asked for, in order."""
    asked: list[str] = []

    def matches(predicate: str, obj: str) -> int:
        asked.append(obj)
        return count

    return asked, matches


def test_a_long_block_is_counted_in_the_store_at_most_sixteen_times() -> None:
    asked, matches = _recording_counts(5)

    block = " ".join(f"?x <{EX}p> <{EX}o{n}> ." for n in range(200))
    planned = rewrite(f"SELECT ?x WHERE {{ {block} }}", counts=Counts({}, {}, matches))
    assert len(asked) == 16
    assert planned is not None and planned.query.count("SELECT ?x WHERE") == 17


def test_a_bound_pattern_alone_on_its_variable_is_not_counted() -> None:
    """Only two bound patterns on one variable can be joined by hash: one alone costs no
    count in the store, and a pair's count is made once per store, not once per text."""
    asked, matches = _recording_counts(5)

    counts = Counts({}, {}, matches)
    alone = f"SELECT ?d WHERE {{ ?f <{EX}period> <{EX}y2023> ; <{EX}dataSet> ?d }}"
    planned = rewrite(alone, counts=counts)
    assert asked == []
    assert planned is None or "{ SELECT" not in planned.query
    pair = f"SELECT ?d WHERE {{ ?f <{EX}period> <{EX}y2023> ; <{EX}society> <{EX}aus> }}"
    for text in (pair, pair + " # the same pair in another text"):
        planned = rewrite(text, counts=counts)
        assert planned is not None and planned.query.count("{ SELECT ?f WHERE") == 2
    assert sorted(asked) == [EX + "aus", EX + "y2023"]


# --- aggregates computed before their label OPTIONALs (``pre_aggregate.py``) -----------------

AGGREGATE_CALLS = ("COUNT(*)", "COUNT({v})", "COUNT(DISTINCT {v})", "SUM({v})", "MIN({v})")
AGGREGATE_CALLS += ("MAX({v})", "AVG({v})")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def _labelled_store(rng: random.Random) -> ox.Store:
    """Random triples with numbers, and labels: none, one or two per node."""
    store = _random_store(rng)
    nodes = [ox.NamedNode(EX + name) for name in "abcd"]
    for _ in range(rng.randint(2, 8)):
        number = ox.Literal(str(rng.randint(1, 5)), datatype=XSD_INTEGER)
        store.add(ox.Quad(rng.choice(nodes), ox.NamedNode(EX + rng.choice("pq")), number))
    for node in nodes:
        for name in rng.sample(["Alpha", "Beta", "Gamma"], rng.choice([0, 1, 1, 2])):
            store.add(ox.Quad(node, ox.NamedNode(EX + "label"), ox.Literal(name)))
    return store


def _aggregate_query(rng: random.Random) -> tuple[str, str | None]:
    """A GROUP BY query whose group ends with label OPTIONALs, and the same query with its
    aggregation moved before them whatever the conditions (``None`` when there is no key
    left for the sub-query)."""
    required = [_pattern(rng) + " ." for _ in range(rng.randint(1, 3))]
    labels = []
    for name in rng.sample(["?n", "?m"], rng.randint(1, 2)):
        labels.append(f"OPTIONAL {{ {rng.choice(VARS)} <{EX}label> {name} }}")
    filters = [f"FILTER(BOUND({rng.choice([*VARS, '?n'])}))"] if rng.random() < 0.3 else []
    required_vars = {v for part in required for v in VARS if v in part}
    label_vars = {v for part in labels for v in (*VARS, "?n", "?m") if v in part}
    candidates = sorted(required_vars | label_vars)
    keys = [v for v in candidates if rng.random() < 0.6] or candidates[:1]
    if rng.random() < 0.8:  # usually every label variable is a key, as in a real question
        keys += [v for v in ("?n", "?m") if v in label_vars and v not in keys]
    calls = []
    for index in range(rng.randint(1, 2)):
        call = rng.choice(AGGREGATE_CALLS).format(v=rng.choice([*sorted(required_vars), "?n"]))
        calls.append(f"({call} AS ?a{index})")
    order = f"\nORDER BY DESC(?a0) {' '.join(keys)}" if rng.random() < 0.5 else ""
    group = "\n".join(required + labels + filters)
    head = f"SELECT {' '.join(keys)} {' '.join(calls)}"
    query = f"{head} WHERE {{\n{group}\n}}\nGROUP BY {' '.join(keys)}{order}"
    inner = [k for k in keys if k in required_vars]
    if not inner:
        return query, None
    aliases = " ".join(f"?a{index}" for index in range(len(calls)))
    sub = f"{{ SELECT {' '.join(inner)} {' '.join(calls)} WHERE {{ "
    sub += " ".join(required + filters) + f" }} GROUP BY {' '.join(inner)} }}"
    naive = f"SELECT {' '.join(keys)} {aliases} WHERE {{\n{sub}\n" + "\n".join(labels) + "\n}"
    return query, naive + order


def test_generated_aggregates_same_answer_aggregated_first() -> None:
    rng = random.Random(61)
    aggregated = naive_differs = 0
    for _ in range(600):
        store = _labelled_store(rng)
        query, naive = _aggregate_query(rng)
        original = _answer(store, query, EX)
        planned = rewrite(query)
        if planned is not None and planned.aggregated:
            assert _answer(store, planned.query, EX) == original, planned.query
            aggregated += 1
        elif naive is not None and _answer(store, naive, EX) != original:
            naive_differs += 1
    # the step ran often, and its conditions are needed: aggregating first without them
    # (a label that is not a key, a label variable shared and unbound, a FILTER or an
    # aggregate reading a label) changes answers
    assert aggregated >= 100
    assert naive_differs >= 20


def test_aggregation_first_is_declined_where_it_could_change_the_answer() -> None:
    head = f"PREFIX ex: <{EX}>\n"
    query = (
        head + "SELECT ?s ?name (SUM(?v) AS ?total) WHERE { ?f ex:v ?v ; ex:s ?s .\n"
        "OPTIONAL { ?s ex:label ?name } } GROUP BY ?s ?name ORDER BY DESC(?total)"
    )
    planned = rewrite(query)
    assert planned is not None and planned.aggregated == 1
    assert "{ SELECT ?s (SUM(?v) AS ?total) WHERE" in planned.query
    assert planned.query.rstrip().endswith("ORDER BY DESC(?total)")
    for changed in (
        query + " LIMIT 10",  # ties at the window's edge could fall otherwise
        query.replace("GROUP BY ?s ?name", "GROUP BY ?s"),  # the label is not a key
        query.replace("SUM(?v)", "SAMPLE(?v)"),  # not one of the five aggregates
        query.replace("SUM(?v)", "COUNT(?name)"),  # an aggregate reads the label
        query.replace("ORDER BY", "HAVING (SUM(?v) > 1) ORDER BY"),
        query.replace("ORDER BY DESC(?total)", "ORDER BY DESC(SUM(?v))"),
        query.replace("?f ex:v ?v ; ex:s ?s .", "?f ex:v ?v . OPTIONAL { ?f ex:s ?s }"),
        query.replace("{ ?s ex:label ?name }", "{ ?s ex:label ?name . ?name ex:p ?x }"),
        query.replace("?name } }", "?name } FILTER(BOUND(?name)) }"),  # a FILTER on it
        query.replace("?name }", "?name FILTER(BOUND(?name)) }"),  # not plain triples
        query.replace("(SUM(?v) AS ?total)", "(SUM(?v) + 1 AS ?total)"),
    ):
        assert changed != query
        planned = rewrite(changed)
        assert planned is None or not planned.aggregated, changed


def test_a_star_is_joined_by_hash_when_reading_it_whole_costs_less() -> None:
    head = f"PREFIX ex: <{EX}>\nSELECT ?ns ?a WHERE {{ "
    query = head + "?f ex:amount ?a ; ex:society ?ns }"
    counts = Counts({EX + "amount": 1323, EX + "society": 9450}, {})
    planned = rewrite(query, counts=counts)
    assert planned is not None
    assert "{ SELECT ?f ?a WHERE { ?f ex:amount ?a . } }" in planned.query
    assert "{ SELECT ?f ?ns WHERE { ?f ex:society ?ns . } }" in planned.query
    reached = head + "?f ex:reached ?a ; ex:society ?ns ; ex:period ?p }"
    counts = Counts({EX + "reached": 378, EX + "society": 9450, EX + "period": 9387}, {})
    planned = rewrite(reached, counts=counts)  # 25 times the smallest: looked up per row
    assert planned is not None and "SELECT" not in planned.query.split("WHERE", 1)[1]
    sizes = {EX + "amount": 1323, EX + "society": 9450, EX + "x": 5}
    for text in (
        head + "?f ex:amount ?a ; ex:society ?ns . ?ns ex:x ?y }",  # another subject
        head + "?f ex:amount ?a ; ex:society ?a }",  # an object shared by two patterns
        head + "?f ex:amount ?a ; ex:unknown ?ns }",  # no triples: nothing to join
    ):
        planned = rewrite(text, counts=Counts(sizes, {}))
        assert planned is None or "{ SELECT" not in planned.query, text
    big = Counts({EX + "amount": 200_000, EX + "society": 200_000}, {})
    planned = rewrite(query, counts=big)  # the hash table would be too large
    assert planned is None or "{ SELECT" not in planned.query


def test_a_star_with_a_bound_pattern_counts_it_only_when_it_could_decide() -> None:
    asked, matches = _recording_counts(1565)

    query = f"SELECT ?d WHERE {{ ?f <{EX}period> <{EX}y2023> ; <{EX}dataSet> ?d }}"
    planned = rewrite(query, counts=Counts({EX + "dataSet": 9387}, {}, matches))
    assert asked == [EX + "y2023"]
    assert planned is not None and planned.query.count("{ SELECT") == 2
    asked.clear()  # a property of more than ten times the others' sizes: no count needed
    planned = rewrite(query, counts=Counts({EX + "dataSet": 300_000}, {}, matches))
    assert asked == []


def test_generated_stars_of_any_objects_same_answer_joined_by_hash() -> None:
    """Blocks that are stars of ``?x <p> ?o`` and ``?x <p> <o>`` patterns."""
    rng = random.Random(53)
    hashed = 0
    for _ in range(300):
        store = _labelled_store(rng)
        objects = ["?y", "?z", "?w", f"<{EX}a>", f"<{EX}b>", '"1"']
        parts = [
            f"?x <{EX}{rng.choice('pqr')}> {obj} ."
            for obj in rng.sample(objects, rng.randint(2, 4))
        ]
        extra = [f"OPTIONAL {{ ?x <{EX}label> ?n }}"] if rng.random() < 0.5 else []
        query = "SELECT ?x ?y ?z ?w ?n WHERE {\n" + "\n".join(parts + extra) + "\n}"
        original = _answer(store, query, EX)
        for counts in COUNTS:
            planned = rewrite(query, counts=counts)
            if planned is not None:
                assert _answer(store, planned.query, EX) == original, planned.query
                hashed += "{ SELECT ?x ?" in planned.query
    assert hashed >= 50
