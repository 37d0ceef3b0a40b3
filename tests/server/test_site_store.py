"""Where ``serve`` reads the build from: the build's on-disk ``store/`` opened read-only (with
the catalog the build wrote into it), the in-memory store for a build that fits under
``IFRC_KG_MEMORY_QUADS``, and the dump when a build has no store."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from ifrc_kg.assemble import STORE_DIR, open_store
from ifrc_kg.config import Settings
from ifrc_kg.server import queries
from ifrc_kg.server.site import Site

VOID = "http://rdfs.org/ns/void#"


def _manifest(dist: Path) -> dict:
    return json.loads((dist / "manifest.json").read_text(encoding="utf-8"))


def _settings(**changes: int) -> Settings:
    return dataclasses.replace(Settings(), query_workers=1, **changes)


def test_build_store_holds_the_catalog_and_the_manifest_counts_its_quads(built_dist: Path) -> None:
    manifest = _manifest(built_dist)
    catalog = manifest["base"] + "graph/catalog"
    store = open_store(built_dist)
    assert store.contains_named_graph(ox.NamedNode(catalog))
    described = f"ASK {{ ?d a <{VOID}Dataset> ; <{VOID}triples> ?n }}"
    assert store.query(described)  # in the default graph (the union) too
    named = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(next(iter(named))["n"].value) == manifest["quads"]


def test_a_large_build_is_served_from_its_store_without_a_copy(built_dist: Path) -> None:
    site = Site.open(_settings(memory_quads=1), built_dist, None)
    try:
        assert site.store.path == built_dist / STORE_DIR
        assert not (site.scratch / "store").exists()  # no copy for the query workers
        assert site.triples == _manifest(built_dist)["quads"]
        on_disk = queries.counts(site.store)
    finally:
        site.close()
    memory = Site.open(_settings(), built_dist, None)  # the Mali build fits in memory
    try:
        assert memory.store.path == built_dist / STORE_DIR  # the workers still open it
        assert not (memory.scratch / "store").exists()
        assert queries.counts(memory.store) == on_disk
        assert on_disk["reports"] >= 1 and on_disk["figures"] > 100
    finally:
        memory.close()


def test_a_build_without_a_store_is_loaded_and_copied_for_the_workers(
    built_dist: Path, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist, ignore=shutil.ignore_patterns(STORE_DIR))
    site = Site.open(_settings(memory_quads=1), dist, None)
    try:
        assert site.store.path is None
        assert (site.scratch / "store").is_dir()
        assert site.triples == _manifest(dist)["quads"]
    finally:
        site.close()


def test_a_store_that_cannot_be_opened_is_refused_in_one_line(
    built_dist: Path, tmp_path: Path
) -> None:
    from ifrc_kg.store import StoreLoadError

    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist, ignore=shutil.ignore_patterns(STORE_DIR))
    (dist / STORE_DIR).mkdir()  # an empty directory is no RocksDB store
    with pytest.raises(StoreLoadError, match="cannot open the store"):
        Site.open(_settings(memory_quads=1), dist, None)
