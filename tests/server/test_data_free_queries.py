"""Queries that cannot read the store (``ASK {}``) are answered in the web process, with the
same bytes a worker gives: the same query padded past the size limit of that path (with a
comment) goes to a worker, and the answers are compared."""

from __future__ import annotations

import pytest
from tests.server.servers import RunningServer

from ifrc_kg.server.rewrite import DATA_FREE_MAX_CHARS, reads_no_data

PADDING = "\n#" + "x" * DATA_FREE_MAX_CHARS  # the same query, but for a worker

QUERIES = [
    ("ASK {}", "application/sparql-results+json"),
    ("ASK WHERE { }", "application/sparql-results+xml"),
    ("SELECT (1 + 1 AS ?two) (STR(<http://e/a>) AS ?s) {}", "application/sparql-results+json"),
    ("SELECT (1 + 1 AS ?two) {}", "text/csv"),
    ("SELECT ?x {}", "text/tab-separated-values"),
    ("CONSTRUCT WHERE {}", "application/n-triples"),
    ("SELECT (COUNT(*) AS ?n) FROM <http://e/g> {}", "application/sparql-results+json"),
]


@pytest.mark.parametrize(("query", "accept"), QUERIES)
def test_same_answer_as_a_worker(site: RunningServer, query: str, accept: str) -> None:
    assert reads_no_data(query)
    assert not reads_no_data(query + PADDING)
    with site.client() as client:
        here = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
        worker = client.post("/sparql", data={"query": query + PADDING}, headers={"Accept": accept})
    assert here.status_code == worker.status_code == 200
    assert here.headers["content-type"] == worker.headers["content-type"]
    assert here.content == worker.content


def test_errors_and_refusals_are_the_same(site: RunningServer) -> None:
    with site.client() as client:
        for query, accept in [
            ("SELECT (1 + AS ?x) {}", "application/sparql-results+json"),  # syntax: 400
            ("ASK {}", "text/turtle"),  # no boolean in Turtle: 406
        ]:
            here = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
            worker = client.post(
                "/sparql", data={"query": query + PADDING}, headers={"Accept": accept}
            )
            assert here.status_code == worker.status_code
            assert here.status_code in (400, 406)
            assert here.headers["content-type"] == worker.headers["content-type"]


@pytest.mark.parametrize(
    "query",
    [
        "ASK { ?s ?p ?o }",
        "SELECT (EXISTS { ?s ?p ?o } AS ?any) {}",
        "SELECT ?x {} VALUES ?x { 1 }",
        "DESCRIBE <https://w3id.org/ifrc-kg/id/ns/mli> {}",
        "ASK \\u007B ?s ?p ?o \\u007D",
        "ASK {{}}",
    ],
)
def test_queries_that_can_read_the_store_go_to_a_worker(query: str) -> None:
    assert not reads_no_data(query)
