"""What the app serves: one build (its manifest, store and files) and the query runner.

Queries run in a thread pool (pyoxigraph releases the GIL, so two cores answer two queries);
the event loop only waits, with a deadline, so a slow query never blocks other requests.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from fastapi import Request

from ifrc_kg.config import Settings
from ifrc_kg.remote_store import RemoteStore, open_store
from ifrc_kg.store import Deadline, GraphStore, QueryResult, QueryTimeout

log = logging.getLogger(__name__)

# The browser assets (YASGUI, Swagger UI) come from npm into the checkout's node_modules/.
_REPOSITORY = Path(__file__).resolve().parents[3]


def find_node_modules() -> Path | None:
    """``IFRC_KG_NODE_MODULES``, else ``node_modules/`` of the checkout or the working dir."""
    candidates = [os.environ.get("IFRC_KG_NODE_MODULES"), _REPOSITORY / "node_modules"]
    candidates.append(Path.cwd() / "node_modules")
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


class QueryRunner:
    """Runs store queries in worker threads under a deadline."""

    def __init__(
        self, store: GraphStore | RemoteStore, settings: Settings, workers: int | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self._workers = workers or max(4, (os.cpu_count() or 2) * 2)
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="sparql")
        self._running = 0
        self._overdue = 0  # answered 503 already, still finishing native work
        self._lock = threading.Lock()

    def _release_overdue(self, _: object) -> None:
        with self._lock:
            self._overdue -= 1

    @property
    def running(self) -> int:
        """Queries whose worker has not finished (a stopped query counts until it returns)."""
        return self._running

    def _work(self, sparql: str, deadline: Deadline, options: dict[str, Any]) -> QueryResult:
        with self._lock:
            self._running += 1
        try:
            return self.store.query(sparql, deadline=deadline, **options)
        finally:
            with self._lock:
                self._running -= 1

    async def run(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        timeout = self.settings.query_timeout_s if timeout_s is None else timeout_s
        with self._lock:
            if self._overdue >= self._workers:
                # every worker is still finishing a stopped query: queueing would only make
                # this one wait out its own limit too
                raise QueryTimeout(
                    f"all {self._workers} query workers are finishing queries that ran past "
                    "the time limit; try again shortly"
                )
        deadline = Deadline(timeout)
        options = {
            "default_graphs": default_graphs,
            "named_graphs": named_graphs,
            "max_rows": self.settings.max_result_rows if max_rows is None else max_rows,
            "service_allow_list": self.settings.service_allow_list,
            "base_iri": base_iri,
        }
        future = self._pool.submit(self._work, sparql, deadline, options)
        try:
            # a little grace: the worker's own deadline check usually fires first
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout + 0.5)
        except TimeoutError as error:
            deadline.cancel.set()  # the worker stops at its next check
            with self._lock:
                if not future.done():
                    self._overdue += 1
                    future.add_done_callback(self._release_overdue)
            log.warning("query stopped after %.1f s", timeout)
            raise QueryTimeout(f"the query ran longer than the limit of {timeout:g} s") from error

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass
class Site:
    """The build being served and everything derived from it once, at start-up."""

    settings: Settings
    dist: Path
    store: GraphStore | RemoteStore
    manifest: dict[str, Any]
    runner: QueryRunner
    node_modules: Path | None
    base: str
    build_id: str
    last_modified: str
    cache: dict[str, Any] = field(default_factory=dict)
    triples: int = 0
    graphs: int = 0

    @classmethod
    def open(cls, settings: Settings, dist: Path, node_modules: Path | None) -> Site:
        manifest_path = dist / "manifest.json"
        manifest: dict[str, Any] = {}
        if manifest_path.is_file():
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        base = manifest.get("base") or settings.base
        store = open_store(
            settings.sparql_url, settings.gsp_url, dist, base, settings.query_timeout_s
        )
        catalog = dist / "void.ttl"
        if catalog.is_file() and not store.has_graph(base + "graph/catalog"):
            # the dataset description, so /id/dataset and its parts resolve and can be queried
            store.add_graph(catalog, base + "graph/catalog")
        built = manifest.get("built")
        when = _parse_time(built) if built else _file_time(dist)
        fingerprint = json.dumps(
            [built, manifest.get("version"), manifest.get("triples"), len(store), str(dist)]
        )
        build_id = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
        return cls(
            settings=settings,
            dist=dist,
            store=store,
            manifest=manifest,
            runner=QueryRunner(store, settings),
            node_modules=node_modules,
            base=base,
            build_id=build_id,
            last_modified=format_datetime(when, usegmt=True),
            triples=len(store),
            graphs=len(store.named_graphs()),
        )

    # IRIs <-> local paths ---------------------------------------------------------------

    def local(self, iri: str) -> str | None:
        """The site path of an IRI under the base (``<base>id/x`` → ``/id/x``), else None."""
        if iri.startswith(self.base):
            return "/" + iri[len(self.base) :]
        return None

    def href(self, iri: str) -> str:
        """A link target for an IRI: its site path, the IRI itself when it is http(s), else
        nothing (a query can return ``javascript:`` IRIs; a page must not make them links)."""
        local = self.local(iri)
        if local is not None:
            return local
        return iri if iri.startswith(("http://", "https://")) else ""

    def iri(self, path: str) -> str:
        """The IRI a site path stands for (``/id/x`` → ``<base>id/x``)."""
        return self.base + path.lstrip("/")

    @property
    def yasgui_dir(self) -> Path | None:
        if self.node_modules and (self.node_modules / "@zazuko/yasgui/build").is_dir():
            return self.node_modules / "@zazuko/yasgui/build"
        return None

    @property
    def swagger_dir(self) -> Path | None:
        if self.node_modules and (self.node_modules / "swagger-ui-dist").is_dir():
            return self.node_modules / "swagger-ui-dist"
        return None


def site_of(request: Request) -> Site:
    """The build a request is served from (set by the app's lifespan)."""
    return request.app.state.site


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _file_time(dist: Path) -> datetime:
    newest = max((path.stat().st_mtime for path in dist.iterdir()), default=0)
    return datetime.fromtimestamp(newest, UTC)
