"""Queries whose work is bounded before they run are answered in the web process
(``server/bounded.py``): the shape is read from the tokens, the bound from the subjects'
degrees; the answer is the same bytes a worker gives (the same query padded past the size
limit of that path goes to a worker, and the answers are compared)."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pyoxigraph as ox
import pytest
from tests.server.servers import RunningServer

from ifrc_kg.server import bounded
from ifrc_kg.server.bounded import MAX_CHARS, MAX_ROWS, bounded_subjects, runs_in_process
from ifrc_kg.server.negotiation import NotAcceptable
from ifrc_kg.server.pool import ResultTooLarge
from ifrc_kg.server.sparql import answer_here
from ifrc_kg.server.worker import QueryJob

EX = "http://e/"
SOCIETY = "https://w3id.org/ifrc-kg/id/ns/mli"
PADDING = "\n#" + "x" * MAX_CHARS  # the same query, but for a worker

BOUNDED = [
    (f"SELECT ?p ?o WHERE {{ <{SOCIETY}> ?p ?o }}", [SOCIETY]),
    (f"ASK {{ <{SOCIETY}> ?p ?o }}", [SOCIETY]),
    (
        "PREFIX e: <http://e/>\nSELECT DISTINCT ?o ?x { e:a e:p ?o , 1 , true ; a ?x . }",
        [EX + "a"] * 4,
    ),
    (
        'SELECT * { <http://e/a> <http://e/p> "x"@en ; <http://e/q> "1"^^<http://e/t> }',
        [EX + "a"] * 2,
    ),
    ("SELECT ?o { <http://e/a> <http://e/p> ?o ; } LIMIT 5 OFFSET 2", [EX + "a"]),
]

NOT_BOUNDED = [
    "SELECT * { ?s ?p ?o }",  # a variable subject
    "SELECT * { _:b ?p ?o }",  # a blank node is a variable
    "SELECT * { [] ?p ?o }",
    "PREFIX e: <http://e/> SELECT * { e:a e:p/e:q ?o }",  # a property path
    "SELECT * { <http://e/a> ?p ?o FILTER(?o > 1) }",
    "SELECT * { <http://e/a> ?p ?o OPTIONAL { ?o ?q ?r } }",
    "SELECT * { GRAPH ?g { <http://e/a> ?p ?o } }",
    "SELECT * FROM <http://e/g> { <http://e/a> ?p ?o }",
    "BASE <http://e/> SELECT * { <a> ?p ?o }",
    "SELECT * { <a> ?p ?o }",  # a relative IRI
    "SELECT * { e:a ?p ?o }",  # an undeclared prefix
    "PREFIX e: <http://e/> SELECT * { e:a\\.b ?p ?o }",  # an escaped local name
    "SELECT ?p (COUNT(?o) AS ?n) { <http://e/a> ?p ?o } GROUP BY ?p",
    "SELECT ?o { <http://e/a> ?p ?o } ORDER BY ?o",
    "SELECT ?o { <http://e/a> ?p ?o } VALUES ?o { 1 }",
    "SELECT ?o { <http://e/a> ?p ?o } LIMIT 1 LIMIT 2",
    "SELECT ?o { <http://e/a> ?p -1 }",
    "CONSTRUCT { <http://e/a> ?p ?o } WHERE { <http://e/a> ?p ?o }",
    "DESCRIBE <http://e/a>",
    "ASK \\u007B <http://e/a> ?p ?o \\u007D",
    "ASK {}",  # no pattern: ``reads_no_data``'s, not this module's
    "ASK { <http://e/a> ?p ?o " + ". <http://e/a> ?p ?o " * bounded.MAX_PATTERNS + "}",
    f"ASK {{ <{SOCIETY}> ?p ?o }}" + PADDING,
]


@pytest.mark.parametrize(("query", "subjects"), BOUNDED)
def test_bounded_shapes(query: str, subjects: list[str]) -> None:
    assert bounded_subjects(query) == tuple(subjects)


@pytest.mark.parametrize("query", NOT_BOUNDED)
def test_other_shapes_go_to_a_worker(query: str) -> None:
    assert bounded_subjects(query) is None


def _star(subject: str, degree: int, store: ox.Store) -> None:
    node = ox.NamedNode(subject)
    store.extend(
        ox.Quad(node, ox.NamedNode(EX + "p"), ox.Literal(str(n)), ox.DefaultGraph())
        for n in range(degree)
    )


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Subjects of known degrees in the default graph (and one only in a named graph)."""
    store = ox.Store()
    _star(EX + "big", MAX_ROWS + 1, store)
    _star(EX + "forty", 40, store)
    _star(EX + "thirty", 30, store)
    store.add(
        ox.Quad(
            ox.NamedNode(EX + "named"),
            ox.NamedNode(EX + "p"),
            ox.Literal("x"),
            ox.NamedNode(EX + "g"),
        )
    )
    return store


@pytest.mark.parametrize(
    ("patterns", "cheap"),
    [
        ("<http://e/forty> ?p ?o", True),
        ("<http://e/big> ?p ?o", False),  # over the bound alone
        ("<http://e/forty> ?p ?o . <http://e/thirty> ?q ?r", False),  # 1,200 rows: over
        ("<http://e/thirty> ?p ?o . <http://e/thirty> ?q ?r", True),  # 900 rows
        ("<http://e/none> ?p ?o . <http://e/forty> ?q ?r", True),  # 0 counts as 1: 40
        ("<http://e/none> ?p ?o . <http://e/big> ?q ?r", False),  # empty, but a scan first
        ("<http://e/named> ?p ?o . <http://e/forty> ?q ?r", True),  # degree 0 by default
    ],
)
def test_the_bound_is_the_product_of_the_degrees(
    store: ox.Store, patterns: str, cheap: bool
) -> None:
    query = f"SELECT * {{ {patterns} }}"
    assert runs_in_process(store, f"test-{patterns}", query) is cheap
    # the bound holds for the rows themselves
    rows = len(list(store.query(query)))  # type: ignore[arg-type]
    assert not cheap or rows <= MAX_ROWS


def test_an_answer_over_one_message_is_put_together(store: ox.Store) -> None:
    """An answer longer than one message of the worker's (64 KiB) comes whole."""
    long = ox.NamedNode(EX + "long")
    store.extend(
        ox.Quad(long, ox.NamedNode(EX + "p"), ox.Literal(f"{n} " + "y" * 200), ox.DefaultGraph())
        for n in range(500)
    )
    query = "SELECT ?o { <http://e/long> ?p ?o }"
    assert runs_in_process(store, "test-long", query)
    job = QueryJob(query, formats={"solutions": "csv"}, rewrite=False)

    async def body() -> bytes:
        answer = answer_here(store, job, 1024 * 1024)
        assert answer.chunks is not None
        return b"".join([chunk async for chunk in answer.chunks])

    text = asyncio.run(body()).decode()
    assert len(text) > 64 * 1024
    assert text.splitlines()[0] == "o"
    assert sorted(line.split(" ")[0] for line in text.splitlines()[1:]) == sorted(
        str(n) for n in range(500)
    )
    with pytest.raises(NotAcceptable):
        answer_here(store, QueryJob(query, formats={"solutions": None}, rewrite=False), 10**6)
    with pytest.raises(ResultTooLarge):  # the answer-size limit holds here too
        answer_here(store, job, len(text.encode()) - 1)


ACCEPTS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]


def _rows(body: bytes, accept: str) -> tuple[str, list[str]]:
    """The head and the sorted rows of an answer: without ``ORDER BY`` the order is the
    engine's, and a small build is served from memory while its workers read its on-disk
    store (a large build's web process opens that same store, and gives the same bytes)."""
    text = body.decode()
    if "json" in accept:
        answer = json.loads(text)
        rows = answer.get("results", {}).get("bindings", [answer.get("boolean")])
        return json.dumps(answer["head"]), sorted(json.dumps(row, sort_keys=True) for row in rows)
    if "xml" in accept:
        head, _, rest = text.partition("<results>")
        return head, sorted(re.findall(r"<result>.*?</result>", rest, re.DOTALL))
    head, *rows = text.splitlines()
    return head, sorted(rows)


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", [q for q, _ in BOUNDED[:2]])
def test_same_answer_as_a_worker(site: RunningServer, query: str, accept: str) -> None:
    with site.client() as client:
        here = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
        worker = client.post("/sparql", data={"query": query + PADDING}, headers={"Accept": accept})
    assert here.status_code == worker.status_code == 200
    assert here.headers["content-type"] == worker.headers["content-type"]
    head, rows = _rows(here.content, accept)
    assert (head, rows) == _rows(worker.content, accept)
    assert len(rows) > 5 if query.startswith("SELECT") else "true" in here.text


def test_refusals_and_pages_are_the_same(site: RunningServer) -> None:
    lookup = BOUNDED[0][0]
    with site.client() as client:
        for query, accept in [(lookup, "text/turtle"), (BOUNDED[1][0], "text/turtle")]:
            here = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
            worker = client.post(
                "/sparql", data={"query": query + PADDING}, headers={"Accept": accept}
            )
            assert here.status_code == worker.status_code == 406
        page = client.get("/sparql", params={"query": lookup}, headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert SOCIETY in page.text
        # a dataset named by the request: the workers answer, with the dataset's rows
        named = client.post(
            "/sparql",
            data={"query": lookup, "default-graph-uri": "http://e/no-such-graph"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert named.status_code == 200
        assert named.json()["results"]["bindings"] == []


def _vary(headers: httpx.Headers) -> set[str]:
    return {name.strip() for name in headers.get("vary", "").split(",") if name.strip()}


QUERY_PAGE_ROWS = "SELECT ?s WHERE { ?s a ?c } LIMIT 3"


@pytest.mark.parametrize(
    ("query", "accept", "status"),
    [
        (BOUNDED[0][0], "application/sparql-results+json", 200),  # answered here
        (QUERY_PAGE_ROWS, "text/csv", 200),  # by a worker
        (QUERY_PAGE_ROWS, "text/html", 200),  # the HTML view (links by ``url_for``)
        ("SELECT ?s WHERE { ?s ?p }", "application/sparql-results+json", 400),
        ("ASK {}", "text/turtle", 406),
    ],
)
def test_a_plain_post_is_answered_as_through_every_layer(
    site: RunningServer, query: str, accept: str, status: int
) -> None:
    """``app.QueriesFirst`` takes a POST without ``Origin`` past the middleware; one with
    ``Origin`` goes through them all (CORS answers it): the same status, type and body."""
    with site.client() as client:
        plain = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
        cross = client.post(
            "/sparql",
            data={"query": query},
            headers={"Accept": accept, "Origin": "http://example.org"},
        )
    assert plain.status_code == cross.status_code == status
    assert plain.headers["content-type"] == cross.headers["content-type"]
    # CORS adds ``Origin`` to ``Vary`` for a cross-origin request only, as it did before
    assert _vary(plain.headers) == _vary(cross.headers) - {"Origin"}
    assert "access-control-allow-origin" not in plain.headers
    assert cross.headers["access-control-allow-origin"] == "*"
    if accept == "text/html":
        assert "<table" in plain.text and "/static/" in plain.text
    elif status == 200:
        assert _rows(plain.content, accept) == _rows(cross.content, accept)
    else:
        assert plain.json()["code"] == cross.json()["code"]  # a problem body, not a traceback


def test_only_short_texts_are_kept() -> None:
    """The shapes and form parses kept per text hold short texts only: a client sending
    long queries (up to the body limit, a megabyte) cannot fill the web process's memory."""
    from ifrc_kg.server import sparql

    long_query = f"ASK {{ <{SOCIETY}> ?p ?o }}" + PADDING * 50
    shapes = bounded._shape_subjects.cache_info().currsize
    assert bounded_subjects(long_query) is None
    assert bounded._shape_subjects.cache_info().currsize == shapes
    forms = sparql._kept_form.cache_info().currsize
    body = ("query=" + "x" * (sparql.FORM_KEPT_BYTES + 1)).encode()
    assert sparql._form(body, None) == (("query", "x" * (sparql.FORM_KEPT_BYTES + 1)),)
    assert sparql._kept_form.cache_info().currsize == forms
    assert sparql._form(b"query=ASK+%7B%7D", None) == (("query", "ASK {}"),)
    assert sparql._kept_form.cache_info().currsize == forms + 1
