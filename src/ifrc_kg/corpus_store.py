"""The build's on-disk store (pyoxigraph, RocksDB): loaded from the pieces, or updated.

The store holds every named graph of ``graph.nq``, the catalog (``void.ttl``) in its graph,
and their union, as a set, in the default graph. A full load reads the pieces' parts, not the
dumps: each report's own and other quads (``part.nq``, ``others.nq``) and its union triples
(``part.nt``, ``others.nt``, into the default graph), then the head (the graphs every report
shares) and the catalog. A store is a set, so a statement several reports state is held once,
as in the dumps. ``StoreLoader`` does this in a thread of the build's process while the
workers build the reports (the process only waits for them then), in batches of some
hundred MB, so nothing of the corpus stays in memory.

An incremental build starts from a checkpoint of the previous build's store
(``Store.backup``: hard links to RocksDB's immutable files, so it costs little and the
previous store is never written), then: report graphs whose report changed or went are
dropped, new ones loaded; the graphs every report shares are updated by the chunks of the
dumps that changed (each shared statement is in exactly one chunk of a build,
``parts.first_occurrences``, so the difference of the changed chunks is the difference of the
graphs); the catalog is replaced; and a triple leaves the default graph only when no named
graph holds it any more. It is chosen when few reports changed (``worth_updating``): its
cost grows with the statements that changed, in Python sets. What the store holds is recorded
in ``store/ifrc-kg-store.json``; without it (or when a chunk it names left the cache) the
store is loaded whole.
"""

from __future__ import annotations

import json
import logging
import queue
import shutil
import threading
import time
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from ifrc_kg.pipeline import Piece

log = logging.getLogger(__name__)

STORE_DIR = "store"
STATE_FILE = "ifrc-kg-store.json"
STATE_FORMAT = 1
NQ, NT, TTL = ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE
#: bytes of N-Quads (and as many of N-Triples) handed to one ``bulk_load``: big enough that
#: RocksDB gets few, large files; small enough to keep the build's memory flat
LOAD_BATCH_BYTES = 256 << 20
#: report graphs to drop and load, as a share of the reports, up to which the previous store
#: is updated rather than loaded again (see README, "The corpus build, measured")
UPDATE_AT_MOST = 0.1


def _state(pieces: Sequence[Piece], chunks: Sequence[Path], catalog_graph: str | None) -> dict:
    return {
        "format": STATE_FORMAT,
        "catalog_graph": catalog_graph,
        "reports": {p.entry.graph: p.key for p in pieces if p.entry is not None},
        "chunks": [str(chunk) for chunk in chunks],
    }


def _previous_state(previous: Path | None, catalog_graph: str | None) -> dict | None:
    if previous is None or not (previous / STORE_DIR / STATE_FILE).is_file():
        return None
    try:
        state = json.loads((previous / STORE_DIR / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if state.get("format") != STATE_FORMAT or state.get("catalog_graph") != catalog_graph:
        return None
    if not all(Path(chunk).is_file() for chunk in state.get("chunks", [])):
        return None  # a chunk left the cache: what the old store holds is not known
    return state


def worth_updating(previous: Path | None, catalog_graph: str | None, keys: Collection[str]) -> bool:
    """Whether the previous build's store is to be updated rather than loaded again: it
    records what it holds, and the report graphs to drop and to load (by the reports' cache
    keys, ``keys``; a changed report is one of each) are at most ``UPDATE_AT_MOST`` of the
    reports."""
    state = _previous_state(previous, catalog_graph)
    if state is None:
        return False
    work = len(set(state["reports"].values()).symmetric_difference(keys))
    return work <= max(2, UPDATE_AT_MOST * len(keys))


class StoreLoader:
    """Loads a store from the pieces as they come (``add``), in a thread; ``finish`` adds
    the head and the catalog and compacts it. ``bulk_load`` releases the GIL, so the thread
    works while the build's process waits for its workers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store: ox.Store | None = ox.Store(str(path))
        self._pieces: queue.Queue[Piece | None] = queue.Queue()
        self._error: BaseException | None = None
        #: seconds the thread spent loading (it overlaps the reports' stage)
        self.busy = 0.0
        self._thread = threading.Thread(target=self._run, name="store-loader", daemon=True)
        self._thread.start()

    def add(self, piece: Piece) -> None:
        """Queue a report's statements (a failed report has none)."""
        if not piece.failed and piece.entry is not None:
            self._pieces.put(piece)

    def _run(self) -> None:
        quads: list[bytes] = []
        triples: list[bytes] = []
        size = 0
        while (piece := self._pieces.get()) is not None:
            if self._error is not None:
                continue  # drain the queue; finish() raises
            try:
                for name, batch in (("part.nq", quads), ("others.nq", quads)):
                    batch.append(piece.file_of(name).read_bytes())
                for name in ("part.nt", "others.nt"):
                    triples.append(piece.file_of(name).read_bytes())
                size += sum(map(len, quads[-2:])) + sum(map(len, triples[-2:]))
                if size >= LOAD_BATCH_BYTES:
                    self._load(quads, triples)
                    size = 0
            except BaseException as error:  # raised again by finish()
                self._error = error
        if self._error is None:
            try:
                self._load(quads, triples)
            except BaseException as error:
                self._error = error

    def _load(self, quads: list[bytes], triples: list[bytes]) -> None:
        """Bulk-load the batch (named-graph quads, union triples into the default graph)."""
        assert self._store is not None
        start = time.perf_counter()
        # lenient: the lines are the pieces' own canonical N-Quads (pyoxigraph wrote them),
        # so checking each IRI again is time spent for nothing (some 7 % of the load)
        if quads:
            self._store.bulk_load(b"".join(quads), NQ, lenient=True)
        if triples:
            self._store.bulk_load(b"".join(triples), NT, to_graph=ox.DefaultGraph(), lenient=True)
        quads.clear()
        triples.clear()
        self.busy += time.perf_counter() - start

    def _join(self) -> None:
        self._pieces.put(None)
        self._thread.join()

    def finish(self, head: Path, catalog: Path, catalog_graph: str | None) -> None:
        """After the last piece: the head's quads (``head``: its ``head.nq``; ``head.nt``
        beside it) and the catalog (``catalog``: ``void.ttl``) in its graph and the default
        one; then the store is compacted and closed."""
        self._join()
        if self._error is not None:
            raise self._error
        store = self._store
        assert store is not None
        store.bulk_load(path=str(head), format=NQ)
        store.bulk_load(path=str(head.with_name("head.nt")), format=NT, to_graph=ox.DefaultGraph())
        if catalog_graph is not None and catalog.is_file():
            for graph in (ox.NamedNode(catalog_graph), ox.DefaultGraph()):
                store.bulk_load(path=str(catalog), format=TTL, to_graph=graph)
        store.flush()
        store.optimize()
        self._store = None

    def close(self) -> None:
        """Stop without finishing (the build failed); the caller removes the directory."""
        if self._thread.is_alive():
            self._join()
        self._store = None


def write_store(
    root: Path,
    pieces: Sequence[Piece],
    chunks: Sequence[Path],
    catalog_graph: str | None = None,
    previous: Path | None = None,
    loader: StoreLoader | None = None,
) -> str:
    """``root/store``: from the previous build's store (``previous`` is its build directory)
    when it records what it holds and no ``loader`` was started, else from the pieces
    (through ``loader``, which may hold them already). ``chunks``: the N-Quads files of the
    dumps' statements outside report graphs, the head's first. Returns how it was made
    (``"incremental"`` or ``"full"``)."""
    path = root / STORE_DIR
    state = None if loader is not None else _previous_state(previous, catalog_graph)
    if state is not None and previous is not None:
        try:
            ox.Store.read_only(str(previous / STORE_DIR)).backup(str(path))
        except OSError as error:
            log.warning("cannot start from the previous store (%s): loading it whole", error)
            shutil.rmtree(path, ignore_errors=True)
            state = None
    if state is None:
        if loader is None:
            loader = StoreLoader(path)
            for piece in pieces:
                loader.add(piece)
        loader.finish(chunks[0], root / "void.ttl", catalog_graph)
        kind = "full"
    else:
        assert previous is not None
        _update(ox.Store(str(path)), state, root, previous, pieces, chunks, catalog_graph)
        kind = "incremental"
    body = json.dumps(_state(pieces, chunks, catalog_graph), indent=1, sort_keys=True)
    (path / STATE_FILE).write_text(body + "\n", encoding="utf-8")
    return kind


def _quads(paths: Iterable[Path]) -> set[ox.Quad]:
    return {quad for path in paths for quad in ox.parse(path=str(path), format=NQ)}


def _catalog(build: Path, catalog_graph: str | None) -> set[ox.Quad]:
    path = build / "void.ttl"
    if catalog_graph is None or not path.is_file():
        return set()
    graph = ox.NamedNode(catalog_graph)
    return {ox.Quad(t.subject, t.predicate, t.object, graph) for t in _triples(path)}


def _triples(path: Path) -> Iterable[ox.Triple]:
    return (quad.triple for quad in ox.parse(path=str(path), format=TTL))


def _update(
    store: ox.Store,
    state: dict,
    root: Path,
    previous: Path,
    pieces: Sequence[Piece],
    chunks: Sequence[Path],
    catalog_graph: str | None,
) -> None:
    """Turn the checkpoint of the previous store into this build's (see the module's doc)."""
    old_reports: dict[str, str] = state["reports"]
    new_reports = {p.entry.graph: p for p in pieces if p.entry is not None}
    removed: set[ox.Quad] = set()
    for graph, key in old_reports.items():
        if graph in new_reports and new_reports[graph].key == key:
            continue
        node = ox.NamedNode(graph)
        removed |= set(store.quads_for_pattern(None, None, None, node))
        store.remove_graph(node)
    added: set[ox.Quad] = set()
    for graph, piece in new_reports.items():
        if old_reports.get(graph) != piece.key:
            added |= _quads([piece.file_of("part.nq")])
    old_chunks, new_chunks = set(state["chunks"]), {str(c) for c in chunks}
    before = _quads(Path(c) for c in old_chunks - new_chunks)
    after = _quads(Path(c) for c in new_chunks - old_chunks)
    before |= _catalog(previous, catalog_graph)
    after |= _catalog(root, catalog_graph)
    for quad in before - after:
        store.remove(quad)
    removed |= before - after
    added |= after - before
    default = ox.DefaultGraph()
    # bulk loads, not transactions: the checkpoint is this build's own until the swap
    store.bulk_load(ox.serialize(added, format=NQ), NQ, lenient=True)
    added_triples = {quad.triple for quad in added}
    store.bulk_load(ox.serialize(added_triples, format=NT), NT, to_graph=default, lenient=True)
    # a triple the new graphs state again (most of a changed report's) stays in the default
    # graph; the others are looked for in the remaining named graphs
    for triple in {quad.triple for quad in removed} - added_triples:
        # pyoxigraph 0.5.13 matches an integer literal object loosely ("3839" finds "3843"
        # too), so the matches are compared again
        held = store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        named = (q for q in held if not isinstance(q.graph_name, ox.DefaultGraph))
        if not any(q.triple == triple for q in named):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, default))
    store.flush()
    log.info("store updated: %d statements out, %d in", len(removed), len(added))


def open_store(dist: Path) -> ox.Store:
    """The on-disk store of a build, opened read-only (several processes may share it)."""
    from ifrc_kg.store import StoreLoadError

    path = dist / STORE_DIR
    if not path.is_dir():
        raise StoreLoadError(f"{dist}: no {STORE_DIR}/ (run `ifrc-kg build` first)")
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        raise StoreLoadError(f"{path}: cannot open the store: {error}") from error
