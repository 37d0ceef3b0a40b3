"""Session fixtures: the real build, and uvicorn servers over it and over the W3C data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.server.servers import (
    REPO,
    SITE_MAX_BODY,
    SITE_PAGE_ROWS,
    SITE_TIMEOUT_S,
    W3C,
    RunningServer,
    serve,
    stop,
    w3c_graph_data,
)


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real build of the repository's reports, made once per session.

    ``IFRC_KG_TEST_DIST`` names an existing build to reuse instead (while iterating).
    """
    from ifrc_kg.publish import build

    if os.environ.get("IFRC_KG_TEST_DIST"):
        return Path(os.environ["IFRC_KG_TEST_DIST"])

    out = tmp_path_factory.mktemp("build") / "dist"
    build(REPO / "data" / "reports", out)
    return out


@pytest.fixture(scope="session")
def site(built_dist: Path) -> Iterator[RunningServer]:
    env = {
        "IFRC_KG_QUERY_TIMEOUT_S": str(SITE_TIMEOUT_S),
        "IFRC_KG_PAGE_ROWS": str(SITE_PAGE_ROWS),
        "IFRC_KG_MAX_BODY_BYTES": str(SITE_MAX_BODY),
    }
    running = serve(built_dist, env)
    yield running
    stop(running)


@pytest.fixture(scope="session")
def plain_site(
    built_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """The same build served without the npm assets: plain query form, link-only /docs."""
    empty = tmp_path_factory.mktemp("no-node-modules")
    running = serve(built_dist, {"IFRC_KG_NODE_MODULES": str(empty)})
    yield running
    stop(running)


@pytest.fixture(scope="session")
def w3c(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server over the W3C protocol test data: each data file as a named graph."""
    dist = tmp_path_factory.mktemp("w3c-dist")
    lines = []
    for file, graph in sorted(w3c_graph_data().items()):
        for line in (W3C / "sparql11-protocol" / file).read_text().splitlines():
            if line.strip():
                lines.append(line.rstrip().removesuffix(".").rstrip() + f" <{graph}> .")
    (dist / "graph.nq").write_text("\n".join(lines) + "\n")
    running = serve(dist, own_base=True)
    yield running
    stop(running)
