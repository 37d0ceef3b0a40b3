"""A build published into ``dist/`` while ``serve`` runs is served without a restart, and a
download asked for in between is a 503 with ``Retry-After``, never another build's bytes
checked against the old checksums."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from unittest import mock

import httpx
from tests.server.servers import REPO, serve, stop

from ifrc_kg.publish import build


def test_serve_picks_up_a_new_build(built_dist: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(built_dist, dist)
    running = serve(dist)
    try:
        before = httpx.get(running.url + "/health", timeout=30).json()
        with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1900000000"}):
            build(REPO / "data" / "reports", dist, cache_dir=tmp_path / "cache")
        new_built = json.loads((dist / "manifest.json").read_text())["built"]
        assert new_built != before["built"]
        deadline = time.monotonic() + 120
        health = before
        while health["built"] != new_built and time.monotonic() < deadline:
            answer = httpx.get(running.url + "/dumps/manifest.json", timeout=30)
            if answer.status_code == 503:  # swapped, not reopened yet
                assert answer.headers["retry-after"]
                assert answer.json()["detail"].endswith("try again")
            time.sleep(0.2)  # polling a condition with a deadline, not a readiness guess
            health = httpx.get(running.url + "/health", timeout=30).json()
        assert health["built"] == new_built
        served = httpx.get(running.url + "/dumps/manifest.json", timeout=30)
        assert served.status_code == 200
        assert served.content == (dist / "manifest.json").read_bytes()
        graph = httpx.get(running.url + "/dumps/graph.nq", timeout=60)
        assert graph.status_code == 200 and graph.content == (dist / "graph.nq").read_bytes()
        query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
        answer = httpx.get(
            running.url + "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert answer.status_code == 200
        count = int(answer.json()["results"]["bindings"][0]["n"]["value"])
        assert count == json.loads((dist / "manifest.json").read_text())["quads"]
    finally:
        stop(running)
