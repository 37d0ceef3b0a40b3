"""Session fixtures shared across test folders: a build of several reports, and the real
external stores (Oxigraph server, Virtuoso) that ``ifrc-kg push`` fills and
``ifrc-kg serve --sparql`` serves from. Each store starts once per session, on demand."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from tests.stores import ExternalStore, start_oxigraph, start_virtuoso, stop
from tests.variants import mali_text, niger, partner_added_and_removed, two_drefs

ENGINES = ("oxigraph", "virtuoso")


def mali_2024(text: str) -> str:
    """Mali again, a year later: a partner changed, another DREF code, a second DREF."""
    text = two_drefs(partner_added_and_removed(text)).replace("MDRML018", "MDRML020")
    return text.replace("2023 IFRC network annual report", "2024 IFRC network annual report")


@pytest.fixture(scope="session")
def multi_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three reports of the template: Mali 2023, Mali 2024 (variant), Niger 2024 (variant)."""
    reports = tmp_path_factory.mktemp("multi-reports")
    original = mali_text()
    (reports / "ifrc-network-annual-report-mali-2023.txt").write_text(original, "utf-8")
    (reports / "ifrc-network-annual-report-mali-2024.txt").write_text(mali_2024(original), "utf-8")
    (reports / "ifrc-network-annual-report-niger-2024.txt").write_text(niger(original), "utf-8")
    return reports


@pytest.fixture(scope="session")
def multi_dist(multi_reports: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build of ``multi_reports`` (made once per session)."""
    from ifrc_kg.publish import build

    out = tmp_path_factory.mktemp("multi-build") / "dist"
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1725321600"}):
        build(multi_reports, out)
    return out


@pytest.fixture(scope="session")
def oxigraph_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalStore]:
    store = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield store
    stop(store)


@pytest.fixture(scope="session")
def virtuoso_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalStore]:
    store = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield store
    stop(store)


def push_build(store: ExternalStore, dist: Path, state: Path) -> None:
    """``ifrc-kg push`` of ``dist`` into ``store`` (the push tests check it in detail)."""
    from ifrc_kg.push import auth_from_env, push

    result = push(dist, store.gsp_url, state_path=state, auth=auth_from_env(store.push_env))
    assert not result.errors, result.errors


@pytest.fixture(scope="session")
def oxigraph_loaded(
    oxigraph_store: ExternalStore, multi_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> ExternalStore:
    """The Oxigraph server holding ``multi_dist``."""
    push_build(oxigraph_store, multi_dist, tmp_path_factory.mktemp("state") / "oxigraph.json")
    return oxigraph_store


@pytest.fixture(scope="session")
def virtuoso_loaded(
    virtuoso_store: ExternalStore, multi_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> ExternalStore:
    """Virtuoso holding ``multi_dist``."""
    push_build(virtuoso_store, multi_dist, tmp_path_factory.mktemp("state") / "virtuoso.json")
    return virtuoso_store
