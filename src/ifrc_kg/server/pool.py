"""Query workers the server can kill: time, memory and crash containment for SPARQL.

Each worker (``worker.py``) is a process forked from a clean fork server and opens the
query store read-only. The server hands it one query at a time and supervises it from a
thread: past the time limit, past the memory limit (resident set, read from ``/proc``) or
past the response-size limit the worker is killed at once and a fresh one takes its place;
a worker that dies (a native crash in the engine) costs that query only. A query that runs
longer than ``slow_after_s`` of CPU time gets the lowest CPU priority, so cheap queries keep their
latency, and at most a quarter of the workers (at least one) run such slow queries at
once, so the others stay free; a worker whose priority was lowered is replaced after its
query (an unprivileged process cannot raise it again). How many queries run at once, in all
and per client, is ``admission.py``'s to decide, as for a remote store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import select
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from anyio import CancelScope, to_thread

from ifrc_kg import query_check
from ifrc_kg.errors import IfrcKgError
from ifrc_kg.server.admission import Admission, EngineBusy
from ifrc_kg.server.processes import ProcessCpu, resident_bytes
from ifrc_kg.store import (
    QueryAnswer,
    QueryError,
    QueryPage,
    QueryRequest,
    QuerySyntaxError,
    QueryTimeout,
    ServiceRefused,
    StoreLoadError,
    UpdateRefused,
)

log = logging.getLogger(__name__)

# a slow query's worker runs at the lowest CPU priority: cheap queries and pages go first
SLOW_NICENESS = 19
_POLL_S = 0.05
# the web process buffers this much of an answer before it streams (sparql.STREAM_AFTER_BYTES)
GATHER_BYTES = 1024 * 1024


class QueryMemoryExceeded(QueryError):
    """The query's worker grew past the per-query memory limit and was stopped."""


class ResultTooLarge(QueryError):
    """The answer grew past the response-size limit; it is refused, never cut short."""


class TooManySlowQueries(EngineBusy):
    """The query became slow while the slow-query workers were all taken: it is stopped."""


class QueryCrashed(QueryError):
    """The engine died on this query (e.g. a native stack overflow); its worker is replaced."""


_ERRORS: dict[str, type[IfrcKgError]] = {
    cls.__name__: cls
    for cls in (
        QueryError,
        QuerySyntaxError,
        query_check.QueryTooDeep,
        UpdateRefused,
        ServiceRefused,
        StoreLoadError,
    )
}


@dataclass(frozen=True)
class QueryLimits:
    """Every limit of the query pool (settings ``IFRC_KG_QUERY_*``, see README)."""

    timeout_s: float = 10.0
    memory_bytes: int = 1024 * 1024 * 1024
    result_bytes: int = 256 * 1024 * 1024
    workers: int = 6
    per_client: int = 2
    slow_after_s: float = 0.25
    queue_wait_s: float = 2.0


def _context() -> multiprocessing.context.BaseContext:
    """Workers fork from a fork server with the worker module loaded: a restart is cheap,
    and no worker inherits the web server's threads or its in-memory store."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["ifrc_kg.server.worker"])
    return context


class _Worker:
    def __init__(self, store_path: Path) -> None:
        from ifrc_kg.server.worker import worker_main

        parent, child = _context().Pipe()
        self.process = _context().Process(
            target=worker_main, args=(child, str(store_path)), daemon=True, name="sparql-worker"
        )
        self.process.start()
        child.close()
        self._cpu = ProcessCpu(self.process.pid or 0)
        self.conn: Connection = parent
        # ``Connection.poll`` builds, registers and closes a selector on every call; the
        # supervisor polls at least once a query, so the worker's pipe keeps one poller
        self._poller = select.poll()
        self._poller.register(parent.fileno(), select.POLLIN)
        self.ready = False
        self.reniced = False

    def poll_ready(self) -> bool:
        """Whether the worker has opened its store (reads its first message if waiting)."""
        if self.ready:
            return True
        try:
            if self.conn.poll(0):
                message = self.conn.recv()
                if message[0] == "ready":
                    self.ready = True
                else:
                    log.error("query worker failed to start: %s", message[-1])
        except (EOFError, OSError):
            pass
        return self.ready

    def readable(self, timeout_s: float) -> bool:
        """Whether a message (or the end of the pipe: a dead worker) is there to read,
        waiting up to ``timeout_s``."""
        return bool(self._poller.poll(max(timeout_s, 0.0) * 1000))

    def alive(self) -> bool:
        return self.process.is_alive()

    def rss_bytes(self) -> int:
        return resident_bytes(self.process.pid) if self.process.pid else 0

    def cpu_seconds(self) -> float:
        return self._cpu.seconds()

    def lower_priority(self) -> None:
        if not self.reniced:
            self.reniced = True
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.process.pid or 0, SLOW_NICENESS)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=2)
        self.conn.close()
        self._cpu.close()


class QueryPool:
    """A fixed number of query workers over one read-only store."""

    def __init__(self, store_path: Path, limits: QueryLimits) -> None:
        self.store_path = store_path
        self.limits = limits
        self._lock = threading.Condition()
        self._idle: list[_Worker] = [_Worker(store_path) for _ in range(limits.workers)]
        self._busy: set[_Worker] = set()
        self._slow = 0
        self._closed = False
        self.admission = Admission(limits.workers, limits.per_client, limits.queue_wait_s)

    @property
    def running(self) -> int:
        return self.admission.running

    @property
    def max_slow(self) -> int:
        """How many slow queries may run at once: a quarter of the workers (at least one), so
        the rest stay free for the queries most clients send."""
        return max(1, self.limits.workers // 4)

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Block until every worker has opened the store (server start-up)."""
        give_up = time.monotonic() + timeout_s
        for worker in list(self._idle):
            while not worker.poll_ready():
                if not worker.alive() or time.monotonic() > give_up:
                    raise StoreLoadError(f"query workers could not open {self.store_path}")
                worker.conn.poll(_POLL_S)

    def _acquire(self, client: str) -> _Worker:
        """A ready worker, once ``admission`` has given ``client`` a slot: a worker per slot
        means one is idle then, though a fresh one may still be opening the store."""
        give_up = time.monotonic() + self.limits.queue_wait_s
        self.admission.admit(client)
        try:
            with self._lock:
                while True:
                    for worker in list(self._idle):
                        if not worker.alive():  # died idle (killed from outside): replace it
                            self._idle.remove(worker)
                            worker.kill()
                            self._idle.append(_Worker(self.store_path))
                        elif worker.poll_ready():
                            self._idle.remove(worker)
                            self._busy.add(worker)
                            return worker
                    remaining = give_up - time.monotonic()
                    if remaining <= 0 or self._closed:
                        raise EngineBusy("every query worker is busy; try again shortly")
                    self._lock.wait(min(_POLL_S, remaining))
        except BaseException:
            self.admission.release(client)
            raise

    def _acquire_now(self, client: str) -> _Worker | None:
        """``_acquire`` without waiting: a worker that is idle and ready now, with a slot for
        ``client`` (``TooManyClientQueries`` at its share, as ever), else ``None``. The slot
        is taken only with the worker in hand, so ``None`` leaves the counts untouched."""
        with self._lock:
            if self._closed:
                return None
            worker = next((w for w in self._idle if w.alive() and w.poll_ready()), None)
            if worker is None or not self.admission.admit(client, wait=False):
                return None
            self._idle.remove(worker)
            self._busy.add(worker)
            return worker

    def _release(self, worker: _Worker, client: str, *, reusable: bool, slow: bool) -> None:
        if not reusable:
            worker.kill()
        with self._lock:
            self._busy.discard(worker)
            if slow:
                self._slow -= 1
            if not self._closed:
                self._idle.append(worker if reusable else _Worker(self.store_path))
            self._lock.notify_all()
        self.admission.release(client)  # after the worker is back: the next query finds it

    def run(self, job: object, client: str) -> Iterator[tuple]:
        """Send ``job`` to a worker and yield its messages, enforcing every limit.

        Closing the generator early (a client that went away) kills the worker: it may be
        mid-way through a long answer.
        """
        worker = self._acquire(client)
        messages = self._supervise(worker, job, client)
        next(messages)  # the job is sent
        yield from messages

    def start_now(self, job: object, client: str) -> tuple[Iterator[tuple], Connection] | None:
        """``run`` without waiting (from the event loop): the job sent to a worker that is
        free now, its messages, and the pipe they come on (the loop waits for it to be
        readable rather than a thread for the message); ``None`` when no worker is free.
        The messages are already started: closing them releases the worker."""
        worker = self._acquire_now(client)
        if worker is None:
            return None
        messages = self._supervise(worker, job, client)
        next(messages)  # the job is sent
        return messages, worker.conn

    def _supervise(self, worker: _Worker, job: object, client: str) -> Iterator[tuple]:
        """Send ``job`` (then yield ``("sent",)``), then the worker's messages."""
        limits = self.limits
        reusable = False
        slow = False
        started = time.monotonic()
        cpu_before = worker.cpu_seconds()
        sent = 0
        # CPU and memory are read from /proc once a poll interval, not per message: a cheap
        # query's few messages then cost no reads at all
        next_check = started + _POLL_S
        try:
            try:
                worker.conn.send(job)
            except OSError:
                raise QueryCrashed("the query worker was lost; try again") from None
            yield ("sent",)
            while True:
                elapsed = time.monotonic() - started
                if elapsed > limits.timeout_s:
                    raise QueryTimeout(
                        f"the query ran longer than the limit of {limits.timeout_s:g} s"
                    )
                checking = time.monotonic() >= next_check
                if checking:
                    next_check = time.monotonic() + _POLL_S
                # slow is CPU time, not wall time: under load a cheap query waits for a
                # core, and must not be taken for a hostile one
                if (
                    checking
                    and not slow
                    and worker.cpu_seconds() - cpu_before > limits.slow_after_s
                ):
                    slow = True
                    with self._lock:
                        self._slow += 1
                        too_many = self._slow > self.max_slow
                    if too_many:
                        raise TooManySlowQueries(
                            "too many long-running queries at once; this one was stopped "
                            f"after {limits.slow_after_s:g} s, try again later"
                        )
                    worker.lower_priority()
                if checking and worker.rss_bytes() > limits.memory_bytes:
                    raise QueryMemoryExceeded(
                        "the query needed more memory than the limit of "
                        f"{limits.memory_bytes // (1024 * 1024)} MiB and was stopped"
                    )
                if not worker.readable(min(_POLL_S, limits.timeout_s - elapsed + 0.001)):
                    continue
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=1)
                    raise QueryCrashed(
                        "the query engine failed on this query (worker exit code "
                        f"{worker.process.exitcode}); simplify the query"
                    ) from None
                kind = message[0]
                if kind == "error":
                    reusable = not worker.reniced
                    error_type = _ERRORS.get(message[1], QueryError)
                    details = message[3] if len(message) > 3 else {}
                    raise error_type(message[2], **details) if details else error_type(message[2])
                if kind in ("data", "answer"):
                    sent += len(message[-1])
                    if sent > limits.result_bytes:
                        raise ResultTooLarge(
                            f"the answer is larger than the limit of {limits.result_bytes} "
                            "bytes; ask for less (LIMIT, fewer variables)"
                        )
                done = kind in ("end", "page", "answer") or (kind == "form" and message[2] is None)
                if done:
                    reusable = not worker.reniced  # a lowered priority cannot be raised again
                yield message
                if done:
                    return
        finally:
            if not reusable:
                log.info("query worker %s replaced", worker.process.pid)
            self._release(worker, client, reusable=reusable, slow=slow)

    def close(self) -> None:
        self.admission.close()
        with self._lock:
            self._closed = True
            workers = self._idle + list(self._busy)
            self._idle = []
        for worker in workers:
            worker.kill()


class NoAcceptableFormat(QueryError):
    """The client accepts no format for this query's result form (the route answers 406)."""

    def __init__(self, form: str) -> None:
        self.form = form
        super().__init__(f"no acceptable format for a {form} result")


class LocalQueryEngine:
    """The server's query engine: the worker pool behind the ``QueryEngine`` interface."""

    def __init__(
        self,
        pool: QueryPool,
        *,
        max_depth: int = 100,
        service_allow_list: tuple[str, ...] = (),
        rewrite: bool = True,
    ) -> None:
        self.pool = pool
        self.max_depth = max_depth
        self.service_allow_list = service_allow_list
        self.rewrite = rewrite

    @property
    def running(self) -> int:
        return self.pool.running

    async def execute(self, request: QueryRequest) -> QueryAnswer:
        from ifrc_kg.server.worker import QueryJob

        job = QueryJob.of(
            request,
            max_depth=self.max_depth,
            service_allow_list=self.service_allow_list,
            rewrite=self.rewrite,
        )
        started = self.pool.start_now(job, request.client) if _on_asyncio() else None
        messages = started[0] if started else self.pool.run(job, request.client)
        try:
            if started is None:
                first = await to_thread.run_sync(_gather, messages)
            else:
                first = await _gather_in_loop(messages, started[1])
            if first[0][0] == "answer":  # the whole answer in one message
                _, form, key, data = first[0]
                return QueryAnswer(form, key, chunks=_chunks(messages, [data], True))
            _, form, key = first[0]
            if key is None:
                raise NoAcceptableFormat(form)
            if key == "html":
                _, form, variables, rows, more = first[1]
                return QueryAnswer(form, key, page=QueryPage(variables, rows, more))
        except BaseException:
            await _close(messages)
            raise
        ready = [message[1] for message in first[1:] if message[0] == "data"]
        ended = first[-1][0] == "end"
        return QueryAnswer(form, key, chunks=_chunks(messages, ready, ended))

    def close(self) -> None:
        self.pool.close()


async def _close(messages: Iterator[tuple]) -> None:
    with CancelScope(shield=True):
        await to_thread.run_sync(messages.close)  # type: ignore[attr-defined]


def _gather(messages: Iterator[tuple], first: tuple | None = None) -> list[tuple]:
    """The form message and what follows, up to ``GATHER_BYTES`` of data or the end, in one
    thread hop: a small answer then costs one hop, not one per message."""
    gathered = [first or next(messages)]
    if gathered[0][0] == "form" and gathered[0][2] is not None:
        size = 0
        while size < GATHER_BYTES:
            message = next(messages, None)
            if message is None:
                break
            gathered.append(message)
            if message[0] != "data":
                break
            size += len(message[1])
    if gathered[-1][0] in ("answer", "end", "page"):
        next(messages, None)  # the answer is whole: let the worker go in this thread already
    return gathered


def _on_asyncio() -> bool:
    """Whether the app runs on asyncio (uvicorn does; the loop's readers are asyncio's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _gather_in_loop(messages: Iterator[tuple], conn: Connection) -> list[tuple]:
    """``_gather`` without a thread hop for the answers most queries get: the event loop
    waits for the worker's pipe to be readable (up to a poll interval, within which no limit
    can be passed unseen), then reads one message, which is read at once; a message that is
    a whole answer (or an error, raised here) needs nothing more. A query still running
    after the interval, and a streamed answer's further messages, go to a thread as before
    (their reads may wait)."""
    loop = asyncio.get_running_loop()
    readable = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, lambda: readable.done() or readable.set_result(True))
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_POLL_S):
                await readable
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop's reader made it non-blocking; reads here block
    # the loop's reader can fire with nothing to read (seen with two long queries running: a
    # read here then waited on the event loop until they ended, holding up every request);
    # only a message that is there now is read on the loop
    if not readable.done() or not conn.poll(0):
        return await to_thread.run_sync(_gather, messages)
    first = next(messages)
    if first[0] in ("answer", "page") or (first[0] == "form" and first[2] is None):
        next(messages, None)  # the worker is let go: no read waits after a whole answer
        return [first]
    return await to_thread.run_sync(_gather, messages, first)


async def _chunks(
    messages: Iterator[tuple], ready: list[bytes], ended: bool
) -> AsyncIterator[bytes]:
    try:
        for chunk in ready:
            yield chunk
        if ended:  # the worker was let go in ``_gather``: no thread hop to close
            return
        while True:
            message = await to_thread.run_sync(next, messages, None)
            if message is None or message[0] == "end":
                return
            yield message[1]
    finally:
        if ended:
            messages.close()  # type: ignore[attr-defined]
        else:
            await _close(messages)
