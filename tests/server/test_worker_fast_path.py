"""The worker's fast path: queries that cannot call out skip rdflib's parse, and JSON is
written by pyoxigraph. Refusals stay the same, and so do the answers."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from ifrc_kg.query_check import needs_full_check
from ifrc_kg.server.results import BOOLEAN_WRITERS, SOLUTION_WRITERS
from ifrc_kg.server.worker import QueryJob, run_job
from ifrc_kg.store import QuerySyntaxError, ServiceRefused, UpdateRefused

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


class Messages:
    """Stands in for the worker's pipe: keeps what the worker sends."""

    def __init__(self) -> None:
        self.sent: list[tuple] = []

    def send(self, message: tuple) -> None:
        self.sent.append(message)

    def body(self) -> bytes:
        return b"".join(message[-1] for message in self.sent if message[0] in ("data", "answer"))

    def head(self) -> tuple:
        """The form message, or what an ``answer`` (form, data and end in one) says of it."""
        first = self.sent[0]
        return ("form", first[1], first[2]) if first[0] == "answer" else first

    def ended(self) -> bool:
        return self.sent[-1] == ("end",) or (len(self.sent) == 1 and self.sent[0][0] == "answer")


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    a, p, q = ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q")
    graph = ox.NamedNode(EX + "g")
    for obj in (
        ox.Literal("plain"),
        ox.Literal('chaîne "quoted"\n', language="fr"),
        ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        ox.BlankNode("b1"),
        ox.NamedNode(EX + "b"),
    ):
        store.add(ox.Quad(a, p, obj, graph))
    store.add(
        ox.Quad(
            ox.BlankNode("b1"), q, ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")), graph
        )
    )
    return store


def _run(store: ox.Store, query: str, key: str = "json") -> Messages:
    conn = Messages()
    job = QueryJob(sparql=query, formats={"solutions": key, "boolean": key, "graph": "ntriples"})
    run_job(store, job, conn)  # type: ignore[arg-type]
    return conn


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?s ?o ?n WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o OPTIONAL {{ ?o <{EX}q> ?n }} }} }}",
        "SELECT (COUNT(*) AS ?n) (SUM(1.5) AS ?sum) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?nothing WHERE { GRAPH ?g { ?s ?p ?o } FILTER(false) }",
    ],
)
def test_native_json_is_the_python_writers_json(store: ox.Store, query: str) -> None:
    native = _run(store, query)
    assert native.head() == ("form", "solutions", "json")
    answer = store.query(query)
    variables = [variable.value for variable in answer.variables]
    python = b"".join(SOLUTION_WRITERS["json"](variables, (tuple(row) for row in answer)))
    assert json.loads(native.body()) == json.loads(python)
    assert native.ended()


def test_the_form_is_read_off_the_answer(store: ox.Store) -> None:
    ask = _run(store, "ASK { GRAPH ?g { ?s ?p ?o } }")
    assert ask.head() == ("form", "boolean", "json")
    assert json.loads(ask.body()) == json.loads(BOOLEAN_WRITERS["json"](True))
    graph = _run(store, f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ GRAPH ?g {{ ?s <{EX}q> ?o }} }}")
    assert graph.head() == ("form", "graph", "ntriples")
    assert b"<http://example.org/q>" in graph.body()
    csv = _run(store, f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{EX}q> ?o }} }}", "csv")
    assert csv.body().decode().split() == ["o", "7"]


def test_a_small_answer_is_one_message_a_large_one_streams(
    store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = f"SELECT ?o WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"
    small = _run(store, query)
    assert [message[0] for message in small.sent] == ["answer"]
    monkeypatch.setattr("ifrc_kg.server.worker.CHUNK_BYTES", 64)
    large = _run(store, query)
    kinds = [message[0] for message in large.sent]
    assert kinds[0] == "form" and kinds[-1] == "end" and "data" in kinds
    assert set(kinds[1:-1]) == {"data"}
    assert json.loads(large.body()) == json.loads(small.body())


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", UpdateRefused),
        ("LOAD <http://example.org/x.ttl>", UpdateRefused),
        ("SELECT * WHERE { ?s ?p }", QuerySyntaxError),
        ("SELECT * { SERVICE <http://x/s> { ?s ?p ?o } }", ServiceRefused),
        ("SELECT * { SERV\\u0049CE <http://x/s> { ?s ?p ?o } }", ServiceRefused),
        ("   ", QuerySyntaxError),
        ("SELECT * {" + "{" * 200 + "}" * 201, QuerySyntaxError),
    ],
)
def test_refusals_are_unchanged(store: ox.Store, query: str, error: type) -> None:
    with pytest.raises(error):
        _run(store, query)


@pytest.mark.parametrize(
    ("query", "full"),
    [
        ("SELECT * { ?s ?p ?o }", False),
        ("select * { service <http://x/> { ?s ?p ?o } }", True),
        ("SELECT * { ?s ?p 'SERVICE' }", True),  # over-matching costs time only
        ("SELECT * { SERV\\U00000049CE <http://x/> { } }", True),
    ],
)
def test_which_queries_get_the_full_check(query: str, full: bool) -> None:
    assert needs_full_check(query) is full


def test_a_rewrite_that_does_not_parse_falls_back_to_the_query_as_written(
    store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ifrc_kg.server.worker._planned", lambda store, job: "SELECT broken {")
    answer = _run(store, "ASK { GRAPH ?g { ?s ?p ?o } }")
    assert json.loads(answer.body()) == json.loads(BOOLEAN_WRITERS["json"](True))
    with pytest.raises(QuerySyntaxError):
        _run(store, "SELECT * WHERE { ?s ?p }")
