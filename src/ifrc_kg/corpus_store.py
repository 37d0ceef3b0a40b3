"""The build's on-disk store (pyoxigraph, RocksDB): loaded whole, or updated from the last one.

The store holds every named graph of ``graph.nq``, the catalog (``void.ttl``) in its graph,
and their union, as a set, in the default graph. An incremental build starts from a
checkpoint of the previous build's store (``Store.backup``: hard links to RocksDB's
immutable files, so it costs little and the previous store is never written), then:
report graphs whose report changed or went are dropped, new ones loaded; the graphs every
report shares are updated by the chunks of the dumps that changed (each shared statement
is in exactly one chunk of a build, ``parts.first_occurrences``, so the difference of the
changed chunks is the difference of the graphs); the catalog is replaced; and a triple
leaves the default graph only when no named graph holds it any more. What the store holds
is recorded in ``store/ifrc-kg-store.json``; without it (or when a chunk it names left the
cache) the store is loaded whole.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from ifrc_kg.pipeline import Piece

log = logging.getLogger(__name__)

STORE_DIR = "store"
STATE_FILE = "ifrc-kg-store.json"
STATE_FORMAT = 1
NQ, NT, TTL = ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE


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


def write_store(
    root: Path,
    pieces: Sequence[Piece],
    chunks: Sequence[Path],
    catalog_graph: str | None = None,
    previous: Path | None = None,
) -> str:
    """``root/store``: from the previous build's store (``previous`` is its build directory)
    when it records what it holds, else whole from ``root/graph.nq``. ``chunks``: the
    N-Quads files of the dumps' statements outside report graphs. Returns how it was made
    (``"incremental"`` or ``"full"``)."""
    path = root / STORE_DIR
    state = _previous_state(previous, catalog_graph)
    if state is not None and previous is not None:
        try:
            ox.Store.read_only(str(previous / STORE_DIR)).backup(str(path))
        except OSError as error:
            log.warning("cannot start from the previous store (%s): loading it whole", error)
            state = None
    if state is None:
        _full(root, path, catalog_graph)
        kind = "full"
    else:
        assert previous is not None
        _update(ox.Store(str(path)), state, root, previous, pieces, chunks, catalog_graph)
        kind = "incremental"
    body = json.dumps(_state(pieces, chunks, catalog_graph), indent=1, sort_keys=True)
    (path / STATE_FILE).write_text(body + "\n", encoding="utf-8")
    return kind


def _full(root: Path, path: Path, catalog_graph: str | None) -> None:
    store = ox.Store(str(path))
    store.bulk_load(path=str(root / "graph.nq"), format=NQ)
    store.bulk_load(path=str(root / "graph.nt"), format=NT, to_graph=ox.DefaultGraph())
    catalog = root / "void.ttl"
    if catalog_graph is not None and catalog.is_file():
        for graph in (ox.NamedNode(catalog_graph), ox.DefaultGraph()):
            store.bulk_load(path=str(catalog), format=TTL, to_graph=graph)
    store.flush()
    store.optimize()
    del store


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
    store.extend(added)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in added)
    for triple in {quad.triple for quad in removed}:
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
