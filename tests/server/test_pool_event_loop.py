"""The query pool's event-loop path: a query sent to a free worker is awaited on its pipe by
the event loop, not by a thread, and gives the same answers and errors as the thread path
(``pool.run``); a query still running after the poll interval, a streamed answer and a query
that finds no free worker go through a thread as before."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from ifrc_kg.server.admission import Admission
from ifrc_kg.server.pool import LocalQueryEngine, QueryLimits, QueryPool
from ifrc_kg.server.worker import QueryJob
from ifrc_kg.store import QueryAnswer, QueryRequest, QuerySyntaxError

EX = "http://example.org/"
FORMATS = {"solutions": "json", "boolean": "json", "graph": "ntriples"}
SMALL = f"SELECT ?o WHERE {{ <{EX}s0> <{EX}p> ?o }}"
LARGE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # about 200 KB of JSON: streamed in chunks
# pairs of 600 subjects counted: a few tenths of a second, past the poll interval
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?p ?b } LIMIT 600 } "
    "{ SELECT ?c WHERE { ?c ?q ?d } LIMIT 600 } FILTER(?a != ?c) }"
)


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueryPool]:
    path = tmp_path_factory.mktemp("pool") / "store"
    store = ox.Store(str(path))
    store.extend(
        ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(EX + "p"), ox.Literal(f"value {n}"))
        for n in range(2000)
    )
    store.flush()
    del store
    pool = QueryPool(path, QueryLimits(workers=1, per_client=1, queue_wait_s=30))
    pool.wait_ready()
    yield pool
    pool.close()


async def _body(answer: QueryAnswer) -> bytes:
    assert answer.chunks is not None
    return b"".join([chunk async for chunk in answer.chunks])


def _by_thread(pool: QueryPool, query: str) -> bytes:
    messages = pool.run(QueryJob(sparql=query, formats=FORMATS), "thread")
    return b"".join(m[-1] for m in messages if m[0] in ("answer", "data"))


@pytest.mark.parametrize("query", [SMALL, LARGE, SLOW, "ASK { ?s ?p ?o }"])
def test_the_event_loop_path_gives_the_thread_paths_answer(pool: QueryPool, query: str) -> None:
    engine = LocalQueryEngine(pool)

    async def run() -> bytes:
        return await _body(await engine.execute(QueryRequest(sparql=query, formats=FORMATS)))

    body = asyncio.run(run())
    assert body == _by_thread(pool, query)
    assert pool.running == 0  # the worker was let go
    if query == LARGE:
        assert len(body) > 64 * 1024


def test_an_error_is_raised_from_the_event_loop_path(pool: QueryPool) -> None:
    engine = LocalQueryEngine(pool)
    request = QueryRequest(sparql="SELECT ?s WHERE { ?s ?p }", formats=FORMATS)
    with pytest.raises(QuerySyntaxError):
        asyncio.run(engine.execute(request))
    assert pool.running == 0
    assert _by_thread(pool, SMALL)  # the worker still answers


def test_no_free_worker_means_no_event_loop_start(pool: QueryPool) -> None:
    job = QueryJob(sparql=SLOW, formats=FORMATS)
    started = pool.start_now(job, "first")
    assert started is not None
    try:
        assert pool.start_now(job, "second") is None  # the only worker is taken
        assert pool.running == 1
    finally:
        started[0].close()  # type: ignore[attr-defined]  # kills the busy worker
    assert pool.running == 0
    assert _by_thread(pool, SMALL)  # its replacement answers


def test_admission_without_waiting() -> None:
    gate = Admission(slots=1, per_client=1, queue_wait_s=60)
    assert gate.admit("a", wait=False) is True
    assert gate.admit("b", wait=False) is False  # would wait a minute if it waited
    gate.release("a")
    assert gate.admit("b", wait=False) is True
    assert gate.running == 1


def test_the_pipe_is_blocking_again_after_the_event_loop_waited(pool: QueryPool) -> None:
    """uvloop makes a file descriptor it watches non-blocking; a thread's read of a
    streamed answer must block, not fail (a non-blocking read looked like a crash)."""
    uvloop = pytest.importorskip("uvloop")
    engine = LocalQueryEngine(pool)

    async def run() -> bytes:
        return await _body(await engine.execute(QueryRequest(sparql=LARGE, formats=FORMATS)))

    assert uvloop.run(run()) == _by_thread(pool, LARGE)
