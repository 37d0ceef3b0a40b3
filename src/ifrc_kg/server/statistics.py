"""Whole-store aggregates answered from the build's VoID statistics instead of a scan.

``COUNT(*)`` of the default graph, instances per class (``?s a ?c`` grouped by ``?c``),
triples per property (``?s ?p ?o`` grouped by ``?p``) and the instances of one class scan
every triple (0.6 s at a million quads); the build already counted them for its VoID
description (``void.ttl``: ``void:triples``, ``void:classPartition``,
``void:propertyPartition``, computed from the sorted union of the report graphs). A query of
exactly one of these shapes, over the default graph (no ``FROM``, no dataset parameters),
is answered by a ``VALUES`` query with those numbers.

Why the numbers are the answer: the served default graph is the union of the named graphs
as a set (``store.materialise_union``): the graphs VoID counted, plus the catalog graph
(``void.ttl`` itself, which cannot count itself). Its triples that no other named graph
holds are added here, by a look-up per catalog triple. ``void:classPartition``'s
``void:entities`` counts ``rdf:type`` triples per class object, which are the solutions of
``?s a ?c`` for that ``?c``; the statistics are used for classes only when they add up to
the ``rdf:type`` property partition (so no ``rdf:type`` has a literal or blank object VoID
left out), and for properties only when the partitions add up to ``void:triples``. The
build's ``void.ttl`` is checked against ``SHA256SUMS`` before ``serve`` starts.
``IFRC_KG_QUERY_REWRITE=0`` turns this off with the rest of the rewrite.

Beside the counts, how often each property's objects repeat is estimated in the store (the
first 20,000 triples of each): the planner tests a text filter once per distinct value where
they repeat (``filter_first.py``); the estimate only chooses a plan, never an answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from ifrc_kg.server.filter_first import grouped_first
from ifrc_kg.server.rewrite import Token, tokenize

log = logging.getLogger(__name__)

VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Statistics:
    """Counts of the served default graph (``None``: not known for certain)."""

    triples: int
    classes: dict[str, int] | None
    properties: dict[str, int] | None
    #: triples per distinct object of each property, over its first ``REPEATS_SAMPLE``
    #: triples: an estimate for the planner (``filter_first.py``), never an answer
    repeats: dict[str, float] | None = None


def read_statistics(store: ox.Store) -> Statistics | None:
    """The default graph's counts from the catalog graph's VoID, ``None`` without one."""
    found = list(
        store.query(
            f"SELECT DISTINCT ?g ?d ?n WHERE {{ GRAPH ?g {{ ?d <{VOID}triples> ?n ; "
            f"<{VOID}classPartition> ?part }} }}"
        )
    )
    if len(found) != 1:
        return None
    graph, dataset, total = found[0]
    try:
        triples = int(total.value)
    except ValueError:
        return None
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    for kind, term, count in _partitions(store, graph, dataset):
        (classes if kind == "class" else properties)[term] += count
    triples_ok = sum(properties.values()) == triples
    classes_ok = sum(classes.values()) == properties.get(RDF_TYPE, 0)
    # the catalog graph's own triples, where no other named graph holds them (read per
    # subject: a look-up per triple across all graphs is several times slower)
    catalog = [quad.triple for quad in store.quads_for_pattern(None, None, None, graph)]
    elsewhere = {
        quad.triple
        for subject in {triple.subject for triple in catalog}
        for quad in store.quads_for_pattern(subject, None, None, None)
        if quad.graph_name != graph and not isinstance(quad.graph_name, ox.DefaultGraph)
    }
    for quad in catalog:
        if quad in elsewhere:
            continue
        triples += 1
        properties[quad.predicate.value] += 1
        if quad.predicate.value == RDF_TYPE:
            if isinstance(quad.object, ox.NamedNode):
                classes[quad.object.value] += 1
            else:
                classes_ok = False
    return Statistics(
        triples,
        dict(classes) if classes_ok and triples_ok else None,
        dict(properties) if triples_ok else None,
        _repeats(store, properties) if triples_ok else None,
    )


#: the triples of a property whose distinct objects are counted (0.2 s of CPU in all at a
#: million quads; at most this many per property at any size)
REPEATS_SAMPLE = 20_000


def _repeats(store: ox.Store, properties: Counter[str]) -> dict[str, float]:
    """Triples per distinct object of each property in the default graph, over the first
    ``REPEATS_SAMPLE`` of its triples in the store's order (by object: the first objects'
    triples; object identifiers of long texts are hashes, so their order is arbitrary)."""
    found = {}
    for predicate, count in properties.items():
        if count < 2 or predicate == RDF_TYPE:
            continue
        query = (
            f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?o) AS ?d) WHERE {{ SELECT ?o WHERE "
            f"{{ ?s <{predicate}> ?o }} LIMIT {REPEATS_SAMPLE} }}"
        )
        triples, distinct = next(iter(store.query(query)))  # type: ignore[call-overload]
        if int(distinct.value):
            found[predicate] = int(triples.value) / int(distinct.value)
    return found


def shared_statistics(store: ox.Store, store_path: Path) -> Statistics | None:
    """``read_statistics``, read once per store and kept beside it
    (``<store>.statistics.json``) for the other workers and the replacements of killed ones:
    reading them costs a few tenths of a second of look-ups on a million quads.

    The file is trusted only in a directory of this user that no one else may write to
    (the server's private scratch directory), and only for the store it was read from
    (names, sizes and times of the store's files); otherwise the statistics are read here.
    """
    key = _store_key(store_path)
    cache = store_path.with_name(store_path.name + ".statistics.json")
    private = key is not None and _private(store_path.parent)
    if private:
        try:
            saved = json.loads(cache.read_text("utf-8"))
            if saved.get("key") == key:
                found = saved["statistics"]
                return None if found is None else Statistics(**found)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    statistics = read_statistics(store)
    if private:
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        body = {"key": key, "statistics": None if statistics is None else asdict(statistics)}
        try:
            partial.write_text(json.dumps(body), "utf-8")
            partial.replace(cache)
        except OSError:
            log.warning("could not keep the statistics beside %s", store_path)
    return statistics


def _store_key(store_path: Path) -> str | None:
    """What identifies the store's content: its table files and manifest (RocksDB's logs
    change while it is open, the data does not)."""
    try:
        entries = sorted(
            (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
            for entry in store_path.iterdir()
            if entry.suffix == ".sst" or entry.name.startswith(("CURRENT", "MANIFEST"))
        )
    except OSError:
        return None
    return hashlib.sha256(json.dumps([str(store_path.resolve()), entries]).encode()).hexdigest()


def _private(directory: Path) -> bool:
    try:
        info = directory.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _partitions(
    store: ox.Store, graph: ox.NamedNode, dataset: ox.NamedNode
) -> list[tuple[str, str, int]]:
    rows = []
    for kind, link, term_property, count_property in (
        ("class", "classPartition", "class", "entities"),
        ("property", "propertyPartition", "property", "triples"),
    ):
        query = (
            f"SELECT ?term ?n WHERE {{ GRAPH <{graph.value}> {{ <{dataset.value}> "
            f"<{VOID}{link}> ?x . ?x <{VOID}{term_property}> ?term ; "
            f"<{VOID}{count_property}> ?n }} }}"
        )
        for term, count in store.query(query):
            rows.append((kind, term.value, int(count.value)))
    return rows


_V = r"\?(\w+)"
_TOTAL = re.compile(
    rf"SELECT \( COUNT \( (?:DISTINCT \*|\*|{_V}) \) AS {_V} \) \{{ {_V} {_V} {_V} \}}"
)
_ONE_CLASS = re.compile(
    rf"SELECT \( COUNT \( (?:DISTINCT )?(?:\*|{_V}) \) AS {_V} \) "
    rf"\{{ {_V} <{RDF_TYPE}> <([^>]+)> \}}"
)
_COUNT = r"\( COUNT \( (?P<distinct>DISTINCT )?(?:\*|\?(?P<counted>\w+)) \) AS \?(?P<n>\w+) \)"
_COUNT2 = _COUNT.replace("<counted>", "<counted2>").replace("<n>", "<n2>")
_COUNT2 = _COUNT2.replace("<distinct>", "<distinct2>")
_GROUPED = re.compile(
    rf"SELECT (?:\?(?P<key1>\w+) {_COUNT}|{_COUNT2}"
    rf" \?(?P<key2>\w+)) \{{ \?(?P<s>\w+) (?P<p>\?\w+|<{RDF_TYPE}>) \?(?P<o>\w+) \}} "
    rf"GROUP BY \?(?P<group>\w+)(?P<order> ORDER BY(?: (?:ASC|DESC) \( \?\w+ \)| \?\w+)+)?"
)


def _words(tokens: list[Token]) -> str | None:
    """The query as one line of normalised words: keywords upper case, prefixed names and
    ``a`` expanded to IRIs, ``WHERE`` and a last ``.`` dropped; ``None`` if not plain."""
    prefixes: dict[str, str] = {}
    index = 0
    while index + 2 < len(tokens) and tokens[index].text.upper() == "PREFIX":
        if tokens[index + 2].kind != "iri":
            return None
        prefixes[tokens[index + 1].text] = tokens[index + 2].text[1:-1]
        index += 3
    words: list[str] = []
    for token in tokens[index:]:
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix + ":" not in prefixes or "\\" in local or "%" in local:
                return None
            words.append(f"<{prefixes[prefix + ':']}{local}>")
        elif token.kind == "name":
            word = token.text.upper()
            if token.text == "a":
                words.append(f"<{RDF_TYPE}>")
            elif word != "WHERE":
                words.append(word)
        elif token.kind == "var":
            words.append("?" + token.text[1:])
        elif token.kind == "iri":
            if ":" not in token.text:
                return None  # relative to a base
            words.append(token.text)
        elif token.kind == "punct":
            if token.text == "}" and words and words[-1] == ".":
                words.pop()
            words.append(token.text)
        else:
            return None
    return " ".join(words)


def _one_pattern(query: str) -> bool:
    """A quick look before tokenizing: one group holding one triple pattern.

    >>> _one_pattern("SELECT (COUNT(*) AS ?n) { ?s ?p ?o . }")
    True
    >>> _one_pattern("SELECT (COUNT(*) AS ?n) { ?s ?p ?o ; ?q ?r }")
    False
    """
    if query.count("{") != 1 or query.count("}") != 1:
        return False
    body = query[query.index("{") + 1 : query.index("}")].strip().removesuffix(".")
    return len(body.split()) == 3


def answer_from_statistics(query: str, statistics: Callable[[], Statistics | None]) -> str | None:
    """A ``VALUES`` query giving ``query``'s answer from the statistics, or ``query``
    rewritten with their help (a text search tested once per distinct value,
    ``filter_first.py``), or ``None`` when ``query`` is not one of the shapes
    (``statistics`` is read only for a match).

    >>> stats = Statistics(10, {"http://e/C": 3}, {RDF_TYPE: 3, "http://e/p": 7})
    >>> answer_from_statistics("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . }", lambda: stats)
    'SELECT ?n WHERE { VALUES (?n) { (10) } }'
    >>> answer_from_statistics("SELECT ?c (COUNT(?s) AS ?k) { ?s a ?c } GROUP BY ?c",
    ...                        lambda: stats)
    'SELECT ?c ?k WHERE { VALUES (?c ?k) { (<http://e/C> 3) } }'
    >>> answer_from_statistics("SELECT ?c (COUNT(?x) AS ?k) { ?s a ?c } GROUP BY ?c",
    ...                        lambda: stats) is None
    True
    """
    answer = _aggregate_answer(query, statistics)
    if answer is not None:
        return answer
    return grouped_first(query, lambda: _repeats_of(statistics()))


def _aggregate_answer(query: str, statistics: Callable[[], Statistics | None]) -> str | None:
    lowered = query.lower()
    if "count" not in lowered or "\\u" in lowered or not _one_pattern(query):
        return None
    tokens = tokenize(query)
    words = _words(tokens) if tokens else None
    if words is None:
        return None
    if match := _TOTAL.fullmatch(words):
        counted, n, s, p, o = match.groups()
        if len({s, p, o}) < 3 or (counted and counted not in (s, p, o)):
            return None
        known = statistics()
        return None if known is None else _values([n], [(known.triples,)])
    if match := _ONE_CLASS.fullmatch(words):
        counted, n, s, cls = match.groups()
        if counted and counted != s:
            return None
        known = statistics()
        if known is None or known.classes is None:
            return None
        return _values([n], [(known.classes.get(cls, 0),)])
    if match := _GROUPED.fullmatch(words):
        return _grouped(match, statistics)
    return None


def _repeats_of(known: Statistics | None) -> dict[str, float] | None:
    return None if known is None else known.repeats


def _grouped(match: re.Match[str], statistics: Callable[[], Statistics | None]) -> str | None:
    key = match["key1"] or match["key2"]
    counted = match["counted"] or match["counted2"]
    n = match["n"] or match["n2"]
    s, p, o = match["s"], match["p"], match["o"]
    by_class = p == f"<{RDF_TYPE}>"
    grouped = o if by_class else p[1:]
    variables = {s, grouped} if by_class else {s, grouped, o}
    if match["group"] != key or key != grouped or len(variables) < (2 if by_class else 3):
        return None
    if counted and counted not in variables:
        return None
    if (match["distinct"] or match["distinct2"]) and not (by_class and counted == s):
        return None  # distinct subjects per property is not a triple count
    order = match["order"] or ""
    if set(re.findall(r"\?(\w+)", order)) - {key, n}:
        return None
    known = statistics()
    counts = None if known is None else (known.classes if by_class else known.properties)
    if counts is None:
        return None
    names = [key, n] if match["key1"] else [n, key]
    rows = [
        (f"<{term}>", count) if names[0] == key else (count, f"<{term}>")
        for term, count in sorted(counts.items())
    ]
    return _values(names, rows) + order


def _values(names: list[str], rows: list[tuple[object, ...]]) -> str:
    head = " ".join("?" + name for name in names)
    body = " ".join("(" + " ".join(str(value) for value in row) + ")" for row in rows)
    return f"SELECT {head} WHERE {{ VALUES ({head}) {{ {body} }} }}"
