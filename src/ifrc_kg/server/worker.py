"""The query worker: a process of its own that checks and runs one query at a time.

pyoxigraph cannot cancel a query, and its parser overflows the native stack on deeply
nested input, so queries never run in the server process: each worker opens the store
read-only and the server (``pool.py``) kills it when a query outlives its time or memory
limit, or crashes it. Messages to the server, over a pipe:

- ``("ready",)`` once the store is open;
- ``("form", form, format_key)``: the query passed the checks (``format_key`` ``None``: the
  client accepts no format for this form, nothing more follows);
- ``("page", form, variables, rows, more)`` for the HTML view (``rows`` are terms; triples
  for a graph, ``[[bool]]`` for ASK);
- ``("data", bytes)`` … ``("end",)`` for a machine-readable answer, streamed as written;
- ``("answer", form, format_key, bytes)`` instead of ``form``, ``data`` and ``end`` when the
  whole answer fits in one chunk (most do): one message, one wake-up of the server;
- ``("error", kind, message)`` for a refused or failed query.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ifrc_kg.errors import IfrcKgError
from ifrc_kg.query_check import (
    CheckedQuery,
    QueryForm,
    check_depth,
    check_query,
    needs_full_check,
)
from ifrc_kg.query_errors import from_oxigraph
from ifrc_kg.server.join_order import Counts
from ifrc_kg.server.results import BOOLEAN_WRITERS, SOLUTION_WRITERS, write_rdf
from ifrc_kg.server.rewrite import rewrite
from ifrc_kg.server.statistics import (
    Statistics,
    answer_from_statistics,
    read_statistics,
    shared_statistics,
)
from ifrc_kg.store import QueryError, QueryRequest, QuerySyntaxError

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
#: Result formats pyoxigraph writes in Rust, the same JSON as ``results.stream_json`` (tested)
NATIVE_WRITERS = {"json": ox.QueryResultsFormat.JSON}


@dataclass(frozen=True)
class QueryJob:
    """One query for a worker: the text, the protocol's dataset, and how to answer."""

    sparql: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    # the negotiated format key for each result form ("html" asks for a page of terms)
    formats: dict[str, str | None] = field(default_factory=dict)
    page_offset: int = 0
    page_size: int = 100
    max_depth: int = 100
    service_allow_list: tuple[str, ...] = ()
    rewrite: bool = True  # the planner step (rewrite.py, statistics.py) before evaluation

    @classmethod
    def of(cls, request: QueryRequest, **settings: Any) -> QueryJob:
        """The job for a public ``request``; ``settings`` are the engine's (``max_depth``,
        ``service_allow_list``, ``rewrite``)."""
        return cls(
            sparql=request.sparql,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            base_iri=request.base_iri,
            formats=dict(request.formats),
            page_offset=request.page_offset,
            page_size=request.page_size,
            **settings,
        )


class _PipeWriter:
    """A binary file the serialisers write into; sends ``CHUNK_BYTES`` at a time.

    The ``form`` message waits for the first chunk: an answer that ends within one chunk
    goes as one ``answer`` message (``finish``), which saves the server a wake-up per
    message."""

    def __init__(self, conn: Connection, form: str, key: str) -> None:
        self.conn = conn
        self.head: tuple | None = ("form", form, key)
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer.extend(data)
        if len(self.buffer) >= CHUNK_BYTES:
            self._send()
        return len(data)

    def flush(self) -> None:
        """Nothing: the serialisers flush when they end, and the answer may still fit in one
        message (``finish`` sends what is left)."""

    def _send(self) -> None:
        if self.head is not None:
            self.conn.send(self.head)
            self.head = None
        if self.buffer:
            self.conn.send(("data", bytes(self.buffer)))
            self.buffer.clear()

    def finish(self) -> None:
        if self.head is not None:
            _, form, key = self.head
            self.conn.send(("answer", form, key, bytes(self.buffer)))
            return
        self._send()
        self.conn.send(("end",))


def _send_stream(writer: _PipeWriter, chunks: Iterable[bytes]) -> None:
    for chunk in chunks:
        writer.write(chunk)


def _dataset_options(job: QueryJob) -> dict[str, object]:
    if not (job.default_graphs or job.named_graphs):
        return {}
    try:
        return {
            "default_graph": [ox.NamedNode(iri) for iri in job.default_graphs],
            "named_graphs": [ox.NamedNode(iri) for iri in job.named_graphs],
        }
    except ValueError as error:
        raise QuerySyntaxError(f"a dataset parameter is not an IRI: {error}") from None


def _page(items: Iterator, offset: int, size: int) -> tuple[list, bool]:
    window = list(itertools.islice(items, offset, offset + size + 1))
    return window[:size], len(window) > size


def _checked(job: QueryJob) -> CheckedQuery:
    return check_query(
        job.sparql,
        max_depth=job.max_depth,
        service_allow_list=job.service_allow_list,
        base_iri=job.base_iri,
    )


def _form_of(answer: object) -> QueryForm:
    if isinstance(answer, ox.QueryBoolean):
        return "boolean"
    if isinstance(answer, ox.QuerySolutions):
        return "solutions"
    return "graph"


# the build's statistics per store: read by a thread of the worker once it is ready, from the
# file the first worker kept beside the store (statistics.shared_statistics), or on first need
_statistics: dict[int, Statistics | None] = {}
_reading: set[int] = set()


def _statistics_of(store: ox.Store) -> Statistics | None:
    """The statistics, or ``None`` while the worker's thread still reads them (the query
    then runs as written, a scan with the same answer)."""
    key = id(store)
    if key not in _statistics and key not in _reading:
        _statistics[key] = read_statistics(store)
    return _statistics.get(key)


def _read_statistics_soon(store: ox.Store, store_path: str) -> None:
    key = id(store)
    _reading.add(key)

    def read() -> None:
        try:
            _statistics[key] = shared_statistics(store, Path(store_path))
        except Exception:  # a store the queries can still use; the aggregates then scan
            log.exception("could not read the build's statistics")
            _statistics[key] = None

    threading.Thread(target=read, name="statistics", daemon=True).start()


def _planned(store: ox.Store, job: QueryJob) -> str:
    """The query as it will run: answered from the build's statistics, or rewritten into
    its faster, answer-identical form, or as written. The counts order the patterns only
    over the default graph they describe (no dataset parameters)."""
    if job.default_graphs or job.named_graphs:
        return _rewritten(job.sparql, None)
    answer = answer_from_statistics(job.sparql, lambda: _statistics_of(store))
    if answer is not None:
        return answer
    statistics = _statistics_of(store)
    counts = None if statistics is None else _counts(statistics, store)
    return _rewritten(job.sparql, counts)


_counts_of: dict[int, Counts] = {}  # per statistics object, kept as long as they are
#: the planner counts a predicate-object pair's triples up to this many (``join_order``)
MATCHES_CAP = 20_000


def _counts(statistics: Statistics, store: ox.Store) -> Counts:
    """The counts the planner orders patterns by (one object per store: the plan cache's key);
    a pair's triples are counted in the default graph the query reads, once per query text."""
    key = id(statistics)
    if key not in _counts_of:

        def matches(predicate: str, obj: str) -> int:
            count = (
                f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT ?s WHERE {{ ?s <{predicate}> "
                f"<{obj}> }} LIMIT {MATCHES_CAP} }}"
            )
            try:
                return int(next(iter(store.query(count)))[0].value)  # type: ignore[index]
            except (SyntaxError, OSError, ValueError):
                return MATCHES_CAP

        _counts_of[key] = Counts(statistics.properties, statistics.classes, matches)
    return _counts_of[key]


@functools.lru_cache(maxsize=256)
def _rewritten(query: str, counts: Counts | None) -> str:
    """The rewrite of a query text (a pure function of it and the store's counts: a plan
    cache, not an answer cache; the users' questions come back often)."""
    rewritten = rewrite(query, counts=counts)
    return query if rewritten is None else rewritten.query


def run_job(store: ox.Store, job: QueryJob, conn: Connection) -> None:
    """Check, run and answer one job (raises ``QueryError`` for the caller to report).

    Only a query that could call out goes through rdflib's parse first (``check_query``);
    every other one is parsed by pyoxigraph alone, and its form read off the answer."""
    form = None
    if needs_full_check(job.sparql):
        form = _checked(job).form
    else:
        check_depth(job.sparql, job.max_depth)
    planned = _planned(store, job) if job.rewrite else job.sparql
    try:
        answer = store.query(planned, base_iri=job.base_iri, **_dataset_options(job))
    except SyntaxError as error:
        if planned != job.sparql:  # never expected: the rewrite keeps the syntax
            log.warning("rewritten query did not parse (%s); running it as written", error)
            job = dataclasses.replace(job, rewrite=False)
            run_job(store, job, conn)
            return
        if form is None:
            _checked(job)  # the precise refusal: an update (403), or rdflib's message
        raise from_oxigraph(job.sparql, error) from None
    form = form or _form_of(answer)
    key = job.formats.get(form)
    if key is None or key == "html":
        conn.send(("form", form, key))
    if key is None:
        return
    try:
        if key == "html":
            if isinstance(answer, ox.QueryBoolean):
                conn.send(("page", "boolean", [], [[bool(answer)]], False))
            elif isinstance(answer, ox.QuerySolutions):
                variables = [variable.value for variable in answer.variables]
                rows, more = _page((tuple(s) for s in answer), job.page_offset, job.page_size)
                conn.send(("page", "solutions", variables, rows, more))
            else:
                triples, more = _page(iter(answer), job.page_offset, job.page_size)
                conn.send(("page", "graph", [], triples, more))
            return
        writer = _PipeWriter(conn, form, key)
        if isinstance(answer, ox.QueryBoolean):
            writer.write(BOOLEAN_WRITERS[key](bool(answer)))
        elif isinstance(answer, ox.QuerySolutions) and key in NATIVE_WRITERS:
            # pyoxigraph writes the rows itself: no Python term objects per binding
            answer.serialize(writer, NATIVE_WRITERS[key])  # type: ignore[arg-type]
        elif isinstance(answer, ox.QuerySolutions):
            variables = [variable.value for variable in answer.variables]
            rows = (tuple(solution) for solution in answer)
            _send_stream(writer, SOLUTION_WRITERS[key](variables, rows))
        else:
            write_rdf(iter(answer), key, writer)  # type: ignore[arg-type]
        writer.finish()
    except OSError as error:  # an evaluation error, e.g. a failed allow-listed SERVICE call
        raise QueryError(f"the query failed: {error}") from None


# queries run below the web process (pages, /health, streaming answers), so no query delays
# those; a slow query drops further, to 19 (``pool.SLOW_NICENESS``)
QUERY_NICENESS = 5


def worker_main(conn: Connection, store_path: str) -> None:
    """The worker's loop: open the store, then answer jobs until the pipe closes."""
    with contextlib.suppress(OSError):
        os.nice(QUERY_NICENESS)
    try:
        store = ox.Store.read_only(store_path)
    except OSError as error:
        conn.send(("error", "StoreLoadError", f"{store_path}: {error}"))
        return
    conn.send(("ready",))
    _read_statistics_soon(store, store_path)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            run_job(store, job, conn)
        except IfrcKgError as error:
            details = error.details if isinstance(error, QuerySyntaxError) else {}
            conn.send(("error", type(error).__name__, str(error), details))
        except Exception as error:  # anything else is one failed query, not a dead worker
            conn.send(("error", "QueryError", f"the query failed: {error}"))
