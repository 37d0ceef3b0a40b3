"""The site served over real external stores: ``ifrc-kg serve --sparql`` in front of an
Oxigraph server and of Virtuoso, each filled by ``ifrc-kg push``.

``site`` here is what ``site`` is in ``tests/server/``, the same build with the same limits,
but over a remote store: the protocol and linked-data tests of ``tests/server/`` are imported
by this folder's modules and run against each engine unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import push_build
from tests.server.conftest import built_dist  # noqa: F401 - the same build, as a fixture here
from tests.server.servers import (
    SITE_MAX_BODY,
    SITE_PAGE_ROWS,
    SITE_TIMEOUT_S,
    RunningServer,
    serve,
    stop,
)
from tests.stores import ExternalStore, start_oxigraph, start_virtuoso
from tests.stores import stop as stop_store

ENGINES = ("oxigraph", "virtuoso")
STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}


def remote_env(store: ExternalStore) -> dict[str, str]:
    """The settings of a front end over ``store``, as a deployment would set them."""
    return {
        "IFRC_KG_SPARQL_URL": store.query_url,
        "IFRC_KG_QUERY_TIMEOUT_S": str(SITE_TIMEOUT_S),
        "IFRC_KG_PAGE_ROWS": str(SITE_PAGE_ROWS),
        "IFRC_KG_MAX_BODY_BYTES": str(SITE_MAX_BODY),
    }


@pytest.fixture(scope="session", params=ENGINES)
def mali_store(
    request: pytest.FixtureRequest,
    built_dist: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ExternalStore]:
    """A store of each engine holding the build of ``data/reports/``."""
    directory = tmp_path_factory.mktemp(f"{request.param}-mali")
    store = STARTERS[request.param](directory)
    push_build(store, built_dist, directory / "push-state.json")
    yield store
    stop_store(store)


@pytest.fixture(scope="session")
def site(mali_store: ExternalStore, built_dist: Path) -> Iterator[RunningServer]:  # noqa: F811
    running = serve(built_dist, remote_env(mali_store))
    yield running
    stop(running)
