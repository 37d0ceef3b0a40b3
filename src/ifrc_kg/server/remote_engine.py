"""Public queries over a remote SPARQL store, under the same guards as the worker pool.

``RemoteQueryEngine`` is the ``QueryEngine`` of ``serve --sparql``. What ``pool.py`` and
``worker.py`` do for the embedded store holds here too:

- the query is checked here, by ``query_check.py`` (rdflib's SPARQL 1.1 grammar), before
  anything is sent: updates, ``LOAD`` and unlisted ``SERVICE`` are refused however spelled,
  and over-deep nesting is refused before any parser recurses;
- one time limit covers the whole answer, streaming included: at the deadline the server
  answers the client (503, or a failed stream) and the remote request is abandoned (its
  connection closed at the producer's next read, which itself waits at most what was left
  of the limit); the store's own limit should stop its work (Virtuoso
  ``MaxQueryExecutionTime``, ``oxigraph serve --timeout-s``);
- no row cap and no silent truncation: the store's answer is parsed as it arrives and
  re-written in the negotiated format; an answer past ``max_result_bytes``, an answer the
  store cut (Virtuoso ``X-SPARQL-MaxRows``) or a stream that breaks is an error, never a
  shorter answer;
- at most ``query_workers`` queries at once (a query given up at its deadline counts until
  its thread has let go of the connection) and ``client_queries`` per client, admitted by
  the worker pool's own gate (``admission.py``).

Each query runs in a thread of its own that reads the store's answer and hands chunks to
the event loop through a small queue, so a slow client holds back the read, not memory.
"""

from __future__ import annotations

import contextlib
import io
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator
from itertools import islice

import pyoxigraph as ox
from anyio import to_thread

from ifrc_kg import query_check
from ifrc_kg.errors import IfrcKgError
from ifrc_kg.remote_store import (
    RemoteStore,
    RemoteStoreUnavailable,
    iri_term,
    virtuoso_ask,
)
from ifrc_kg.server.admission import Admission
from ifrc_kg.server.pool import NoAcceptableFormat, QueryLimits, ResultTooLarge
from ifrc_kg.server.results import BOOLEAN_WRITERS, SOLUTION_WRITERS, write_rdf
from ifrc_kg.server.worker import CHUNK_BYTES
from ifrc_kg.store import (
    Deadline,
    QueryAnswer,
    QueryError,
    QueryPage,
    QueryRequest,
    QuerySyntaxError,
    QueryTimeout,
)

log = logging.getLogger(__name__)

_QUEUE_CHUNKS = 4  # chunks waiting for the client: at most 4 x 64 KiB per query
_PUT_POLL_S = 0.1


class _Stopped(Exception):
    """The server gave up on this query: the producer thread stops quietly."""


class _Chunker:
    """A binary file the writers write into; hands ``CHUNK_BYTES`` at a time to ``emit``
    and refuses an answer past the byte limit."""

    def __init__(self, emit: object, limit: int) -> None:
        self.emit = emit
        self.limit = limit
        self.buffer = bytearray()
        self.sent = 0

    def write(self, data: bytes) -> int:
        self.sent += len(data)
        if self.sent > self.limit:
            raise ResultTooLarge(
                f"the answer is larger than the limit of {self.limit} bytes; "
                "ask for less (LIMIT, fewer variables)"
            )
        self.buffer.extend(data)
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.emit(("data", bytes(self.buffer)))  # type: ignore[operator]
            self.buffer.clear()


class _RemoteRun:
    """One query: a producer thread reading the store, a bounded queue to the event loop."""

    def __init__(
        self,
        engine: RemoteQueryEngine,
        sparql: str,
        form: str,
        key: str,
        params: list[tuple[str, str]],
        request: QueryRequest,
        deadline: Deadline,
    ) -> None:
        self.engine = engine
        self.sparql, self.form, self.key, self.params = sparql, form, key, params
        self.request = request
        self.deadline = deadline
        self.messages: queue.Queue[tuple] = queue.Queue(maxsize=_QUEUE_CHUNKS)
        self.thread = threading.Thread(target=self._produce, name="remote-query", daemon=True)

    # --- the producer thread ---------------------------------------------------------------

    def _emit(self, message: tuple) -> None:
        while True:
            if self.deadline.cancel.is_set():
                raise _Stopped
            try:
                self.messages.put(message, timeout=_PUT_POLL_S)
                return
            except queue.Full:
                self.deadline.check()  # a client too slow to read within the limit

    def _produce(self) -> None:
        try:
            with self.engine.store.open_answer(
                self.sparql, self.form, self.params, self.deadline
            ) as body:
                self._answer(io.BufferedReader(body, buffer_size=1 << 16))
            self._emit(("end",))
        except _Stopped:
            pass
        # errors cross to the event loop as (type, message): an exception object would carry
        # its traceback, whose frames hold pyoxigraph iterators that must be dropped here
        except IfrcKgError as error:
            self._give(("error", type(error), str(error)))
        except SyntaxError as error:
            message = f"the store's answer does not parse: {error}"
            self._give(("error", RemoteStoreUnavailable, message))
        except Exception as error:  # one failed query, reported, never a dead server thread
            log.exception("remote query failed")
            self._give(("error", QueryError, f"the query failed: {error}"))
        finally:
            self.engine.admission.release(self.request.client)

    def _give(self, message: tuple) -> None:
        with contextlib.suppress(_Stopped, QueryTimeout):
            self._emit(message)

    def _answer(self, reader: io.BufferedReader) -> None:
        offset, size = self.request.page_offset, self.request.page_size
        if self.form == "graph":
            triples = (quad.triple for quad in ox.parse(reader, format=ox.RdfFormat.N_TRIPLES))
            if self.key == "html":
                window = list(islice(triples, offset, offset + size + 1))
                self._emit(("page", "graph", [], window[:size], len(window) > size))
                return
            chunker = _Chunker(self._emit, self.engine.limits.result_bytes)
            write_rdf(triples, self.key, chunker)  # type: ignore[arg-type]
            chunker.flush()
            return
        answer = ox.parse_query_results(reader, format=ox.QueryResultsFormat.JSON)
        if self.form == "boolean":
            truth = bool(answer) if isinstance(answer, ox.QueryBoolean) else virtuoso_ask(answer)
            if self.key == "html":
                self._emit(("page", "boolean", [], [[truth]], False))
            else:
                self._emit(("data", BOOLEAN_WRITERS[self.key](truth)))
            return
        if isinstance(answer, ox.QueryBoolean):
            raise RemoteStoreUnavailable("the store answered a SELECT query with a boolean")
        variables = [variable.value for variable in answer.variables]
        rows = (tuple(solution) for solution in answer)
        if self.key == "html":
            window = list(islice(rows, offset, offset + size + 1))
            self._emit(("page", "solutions", variables, window[:size], len(window) > size))
            return
        chunker = _Chunker(self._emit, self.engine.limits.result_bytes)
        for chunk in SOLUTION_WRITERS[self.key](variables, rows):
            chunker.write(chunk)
        chunker.flush()

    # --- the event loop's side -------------------------------------------------------------

    async def next_message(self) -> tuple:
        """The producer's next message, or ``QueryTimeout`` at the deadline (the producer is
        told to stop and the store's request is abandoned)."""
        remaining = self.deadline.seconds - (time.monotonic() - self.deadline.started)
        try:
            message = await to_thread.run_sync(self.messages.get, True, max(remaining, 0.0))
        except queue.Empty:
            self.stop()
            log.warning("remote query stopped after %.1f s", self.deadline.seconds)
            raise QueryTimeout(
                f"the query ran longer than the limit of {self.deadline.seconds:g} s"
            ) from None
        if message[0] == "error":
            raise message[1](message[2])
        return message

    def stop(self) -> None:
        self.deadline.cancel.set()


class RemoteQueryEngine:
    """The ``QueryEngine`` over a remote store (see the module docstring for the guards)."""

    def __init__(
        self,
        store: RemoteStore,
        limits: QueryLimits,
        *,
        max_depth: int = 100,
        service_allow_list: tuple[str, ...] = (),
    ) -> None:
        self.store = store
        self.limits = limits
        self.max_depth = max_depth
        self.service_allow_list = service_allow_list
        self.admission = Admission(limits.workers, limits.per_client, limits.queue_wait_s)

    @property
    def running(self) -> int:
        """Queries whose thread has not finished (one given up on counts until it lets go)."""
        return self.admission.running

    def _prepare(self, request: QueryRequest) -> tuple[str, str, list[tuple[str, str]]]:
        """Check the query; the text to send (the request's base as a leading ``BASE``, which
        a ``BASE`` of the query's own overrides, SPARQL 1.1 Query §4.1.1), its form and the
        protocol's dataset parameters."""
        checked = query_check.check_query(
            request.sparql,
            max_depth=self.max_depth,
            service_allow_list=self.service_allow_list,
            base_iri=request.base_iri,
        )
        for iri in (*request.default_graphs, *request.named_graphs):
            try:
                ox.NamedNode(iri)
            except ValueError as error:
                raise QuerySyntaxError(f"a dataset parameter is not an IRI: {error}") from None
        sparql = request.sparql
        if request.base_iri:
            sparql = f"BASE {iri_term(request.base_iri)}\n{sparql}"
        params = self.store.dataset(
            request.default_graphs, request.named_graphs, not checked.has_dataset_clause
        )
        return sparql, checked.form, params

    async def execute(self, request: QueryRequest) -> QueryAnswer:
        # first: the check itself takes a slot while it runs (a thread: admit may wait)
        await to_thread.run_sync(self.admission.admit, request.client)
        deadline = Deadline(self.limits.timeout_s)  # the check counts, as in a worker
        try:
            sparql, form, params = await to_thread.run_sync(self._prepare, request)
            key = request.formats.get(form)
            if key is None:
                raise NoAcceptableFormat(form)
            run = _RemoteRun(self, sparql, form, key, params, request, deadline)
            run.thread.start()
        except BaseException:
            self.admission.release(request.client)
            raise
        try:
            # the first message: an early error (refused, store down) is a status, not a
            # broken stream
            first = await run.next_message()
        except BaseException:
            run.stop()
            raise
        if first[0] == "page":
            _, page_form, variables, rows, more = first
            return QueryAnswer(page_form, key, page=QueryPage(variables, rows, more))
        return QueryAnswer(form, key, chunks=_chunks(run, first))

    def close(self) -> None:
        self.admission.close()
        self.store.close()


async def _chunks(run: _RemoteRun, first: tuple) -> AsyncIterator[bytes]:
    """The answer's bytes; raises the producer's error (or ``QueryTimeout``) mid-stream so the
    server fails the response rather than ending it short."""
    message = first
    try:
        while message[0] != "end":
            yield message[1]
            message = await run.next_message()
    finally:
        run.stop()
