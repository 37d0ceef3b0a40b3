"""What the app serves: one build (its manifest, store and files) and the query engine.

The build is verified against its checksums before anything is served; public queries run
in killable worker processes (``pool.py``), the site's own look-ups in this process. With
``IFRC_KG_SPARQL_URL`` (``serve --sparql``) the graph lives in a remote store instead: the
look-ups go to it over the protocol (``remote_store.py``) and public queries run through
``RemoteQueryEngine`` (``remote_engine.py``) under the same limits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from fastapi import Request

from ifrc_kg.assemble import STORE_DIR
from ifrc_kg.config import Settings
from ifrc_kg.remote_store import RemoteStore
from ifrc_kg.server.pool import LocalQueryEngine, QueryLimits, QueryPool
from ifrc_kg.server.result_cache import ResultCache
from ifrc_kg.server.verify import FileChecks, open_checks
from ifrc_kg.store import GraphStore, QueryEngine, graph_file

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


def query_limits(settings: Settings) -> QueryLimits:
    """The limits every public query runs under, whichever engine runs it."""
    return QueryLimits(
        timeout_s=settings.query_timeout_s,
        memory_bytes=settings.query_memory_mb * 1024 * 1024,
        result_bytes=settings.max_result_bytes,
        workers=settings.query_workers,
        per_client=settings.client_queries,
        slow_after_s=settings.slow_query_s,
        queue_wait_s=settings.query_queue_wait_s,
    )


def open_query_engine(
    settings: Settings, store: GraphStore | RemoteStore, scratch: Path
) -> QueryEngine:
    """The engine public queries run on: killable workers over an on-disk copy of the store,
    or, over a remote store, ``RemoteQueryEngine`` with the same limits.

    The one place that decides where the workers' store comes from: the build's own
    ``store/`` when the site opened it, else a copy of the loaded build written into
    ``scratch`` (measured in README "Security and limits").
    """
    limits = query_limits(settings)
    if isinstance(store, RemoteStore):
        from ifrc_kg.server.remote_engine import RemoteQueryEngine

        return RemoteQueryEngine(
            store,
            limits,
            max_depth=settings.max_query_depth,
            service_allow_list=settings.service_allow_list,
        )
    store_path = store.path or store.write_query_store(scratch / "store")
    pool = QueryPool(store_path, limits)
    try:
        pool.wait_ready()
    except BaseException:
        pool.close()
        raise
    return LocalQueryEngine(
        pool,
        max_depth=settings.max_query_depth,
        service_allow_list=settings.service_allow_list,
        rewrite=settings.query_rewrite,
    )


def open_site_store(
    settings: Settings,
    dist: Path,
    base: str,
    manifest: dict[str, Any],
    checks: FileChecks | None = None,
) -> GraphStore | RemoteStore:
    """The store the site's own look-ups use: the remote store when ``sparql_url`` is set
    (its connections: one per query slot, and a few for the pages); else the build's
    ``store/`` opened read-only, so nothing is loaded (a build whose manifest counts its
    quads: its store holds the catalog); a build of at most ``memory_quads`` is loaded into
    memory instead, where the pages' look-ups run faster (README "The corpus build,
    measured"), and the query workers still open its ``store/``; the file it is loaded from
    is hashed first (``checks``)."""
    if settings.sparql_url:
        return RemoteStore(
            settings.sparql_url,
            base,
            gsp_url=settings.gsp_url or None,
            timeout_s=settings.query_timeout_s,
            connections=settings.query_workers + 4,
        )
    disk = dist / STORE_DIR
    quads = manifest.get("quads")
    on_disk = disk.is_dir() and isinstance(quads, int)
    if on_disk and quads > settings.memory_quads:
        return GraphStore.open_read_only(disk, quads)
    if checks is not None:
        checks.check(graph_file(dist).name)
    store = GraphStore.from_dist(dist)
    if on_disk:
        store.path = disk  # the same quads: the workers open it instead of a copy
    return store


@dataclass
class Site:
    """The build being served and everything derived from it once, at start-up."""

    settings: Settings
    dist: Path
    store: GraphStore | RemoteStore
    manifest: dict[str, Any]
    engine: QueryEngine
    scratch: Path
    node_modules: Path | None
    base: str
    build_id: str
    last_modified: str
    cache: dict[str, Any] = field(default_factory=dict)
    triples: int = 0
    graphs: int = 0
    result_cache: ResultCache | None = None
    #: the checksums still to verify (big dumps), checked again before a file is sent
    checks: FileChecks | None = None
    closed: bool = False

    @classmethod
    def open(cls, settings: Settings, dist: Path, node_modules: Path | None) -> Site:
        manifest_data, checks = open_checks(dist, settings.verify_at_start_mb * 1024 * 1024)
        manifest: dict[str, Any] = manifest_data or {}
        base = manifest.get("base") or settings.base
        store = open_site_store(settings, dist, base, manifest, checks)
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
        scratch = Path(tempfile.mkdtemp(prefix="ifrc-kg-query-store-"))
        try:
            engine = open_query_engine(settings, store, scratch)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            if isinstance(store, RemoteStore):
                store.close()
            raise
        if checks is not None:
            checks.start()
        return cls(
            settings=settings,
            dist=dist,
            store=store,
            manifest=manifest,
            engine=engine,
            scratch=scratch,
            node_modules=node_modules,
            base=base,
            build_id=build_id,
            last_modified=format_datetime(when, usegmt=True),
            triples=len(store),
            graphs=len(store.named_graphs()),
            result_cache=(
                ResultCache(settings.result_cache_mb * 1024 * 1024)
                if settings.result_cache_mb
                else None
            ),
            checks=checks,
        )

    def close(self) -> None:
        """Stop the query workers (or the remote store's connections); remove the store copy.
        Closing twice does nothing (a build replaced while serving is closed by the watcher)."""
        if self.closed:
            return
        self.closed = True
        if self.checks is not None:
            self.checks.stop()
        self.engine.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    # IRIs <-> local paths ---------------------------------------------------------------

    def local(self, iri: str) -> str | None:
        """The site path of an IRI under the base (``<base>id/x`` → ``/id/x``), else None."""
        if iri.startswith(self.base):
            path = "/" + iri[len(self.base) :]
            # "<base>/evil.example/x" must not become the protocol-relative "//evil.example/x"
            return None if path.startswith("//") else path
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
