"""Comunica against a real ``ifrc-kg serve``: SELECT, ASK and CONSTRUCT in every format
Comunica reads (SPARQL JSON and XML, Turtle and N-Triples) give the embedded store's answer.
An answer cut by a limit failing in Comunica is in ``test_hostile.py`` (the server with
small limits)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from tests.server.comunica import Job, comunica, store_answer
from tests.server.servers import RunningServer
from tests.server.test_sparql_protocol import BASE, CONSTRUCT, OPERATIONS

from ifrc_kg.server.examples import EXAMPLES
from ifrc_kg.store import GraphStore

SOLUTION_TYPES = [None, "application/sparql-results+xml"]  # None: Comunica's own (JSON)
GRAPH_TYPES = [None, "application/n-triples"]  # None: Comunica's own (Turtle)
SELECTS = {"operations": OPERATIONS} | {example.key: example.query for example in EXAMPLES}
ASKS = {
    "true": f"ASK {{ <{BASE}id/report/mli/2023> ?p ?o }}",
    "false": f"ASK {{ <{BASE}id/report/nowhere/1900> ?p ?o }}",
}
JOBS = {
    **{
        f"select-{name}-{accept}": Job("bindings", query, accept)
        for name, query in SELECTS.items()
        for accept in SOLUTION_TYPES
    },
    **{
        f"ask-{name}-{accept}": Job("boolean", query, accept)
        for name, query in ASKS.items()
        for accept in SOLUTION_TYPES
    },
    **{f"construct-{accept}": Job("quads", CONSTRUCT, accept) for accept in GRAPH_TYPES},
    # a format Comunica cannot read: it must be its error, which shows the Accept override
    # reaches the server (so the XML and N-Triples cases did get those formats)
    "select-csv": Job("bindings", OPERATIONS, "text/csv"),
}


@pytest.fixture(scope="module")
def embedded(built_dist: Path) -> ox.Store:
    """The build in an embedded pyoxigraph store, default graph the union, as served."""
    return GraphStore.from_dist(built_dist).oxigraph


@pytest.fixture(scope="module")
def answers(site: RunningServer) -> dict[str, dict[str, object]]:
    """Every job of this module through one Comunica process (it takes seconds to start)."""
    return dict(zip(JOBS, comunica(site.url + "/sparql", list(JOBS.values())), strict=True))


@pytest.mark.parametrize("name", [name for name in JOBS if name != "select-csv"])
def test_comunica_gets_the_embedded_store_answer(
    answers: dict[str, dict[str, object]], embedded: ox.Store, name: str
) -> None:
    job = JOBS[name]
    expected = store_answer(embedded, job.kind, job.query)
    if job.kind != "boolean":
        assert expected, "the query should have an answer on the build"
    assert answers[name] == {"answer": expected}


def test_a_format_comunica_cannot_read_is_its_error(answers: dict[str, dict[str, object]]) -> None:
    assert "text/csv" in str(answers["select-csv"].get("error")), answers["select-csv"]
