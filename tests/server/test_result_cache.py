"""The opt-in result cache: off by default, keyed by build, query, dataset and format,
bounded in bytes, and it gives back exactly the answer the engine gave."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.server.servers import RunningServer, serve, stop

from ifrc_kg.config import Settings
from ifrc_kg.errors import BuildError
from ifrc_kg.server.examples import EXAMPLES
from ifrc_kg.server.result_cache import ResultCache, cache_key
from ifrc_kg.store import QueryRequest

JSON = {"Accept": "application/sparql-results+json"}


def _request(query: str = "SELECT * { ?s ?p ?o }", **changes: object) -> QueryRequest:
    fields: dict = {"sparql": query, "formats": {"solutions": "json", "boolean": "json"}}
    return QueryRequest(**(fields | changes))


def test_the_key_tells_apart_what_changes_the_answer() -> None:
    base = cache_key("build-1", _request())
    assert cache_key("build-1", _request("  SELECT * { ?s ?p ?o }\n")) == base
    assert cache_key("build-2", _request()) != base
    assert cache_key("build-1", _request("SELECT * { ?s ?p 'a  b' }")) != cache_key(
        "build-1", _request("SELECT * { ?s ?p 'a b' }")
    )
    assert cache_key("build-1", _request(formats={"solutions": "xml"})) != base
    assert cache_key("build-1", _request(default_graphs=("http://g",))) != base
    assert cache_key("build-1", _request(named_graphs=("http://g",))) != base


def test_least_recently_used_answers_go_first_within_the_byte_limit() -> None:
    cache = ResultCache(max_bytes=10)
    cache.put(("a",), b"1234", "x")
    cache.put(("b",), b"1234", "x")
    assert cache.get(("a",)) == (b"1234", "x")  # "a" is now the most recent
    cache.put(("c",), b"1234", "x")
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None and cache.get(("c",)) is not None
    assert cache.bytes == 8
    cache.put(("big",), b"x" * 11, "x")  # larger than the whole cache: not kept
    assert cache.get(("big",)) is None and len(cache) == 2


def test_the_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().result_cache_mb == 0
    monkeypatch.setenv("IFRC_KG_RESULT_CACHE_MB", "64")
    assert Settings.from_env().result_cache_mb == 64
    monkeypatch.setenv("IFRC_KG_RESULT_CACHE_MB", "-1")
    with pytest.raises(BuildError, match="IFRC_KG_RESULT_CACHE_MB"):
        Settings.from_env()


@pytest.fixture(scope="module")
def cached_site(built_dist: Path) -> Iterator[RunningServer]:
    running = serve(built_dist, {"IFRC_KG_RESULT_CACHE_MB": "8"})
    yield running
    stop(running)


def test_a_repeated_query_is_answered_from_the_cache(cached_site: RunningServer) -> None:
    query = EXAMPLES[1].query
    with cached_site.client() as client:
        first = client.post("/sparql", data={"query": query}, headers=JSON)
        second = client.post("/sparql", data={"query": query}, headers=JSON)
        as_xml = client.post(
            "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+xml"}
        )
        other = client.post("/sparql", data={"query": query + " LIMIT 1"}, headers=JSON)
    assert first.status_code == second.status_code == 200
    assert "x-result-cache" not in first.headers
    assert second.headers["x-result-cache"] == "hit"
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert first.json()["results"]["bindings"]
    assert "x-result-cache" not in as_xml.headers and as_xml.text.startswith("<?xml")
    assert "x-result-cache" not in other.headers
    assert len(other.json()["results"]["bindings"]) == 1


def test_errors_are_not_cached(cached_site: RunningServer) -> None:
    with cached_site.client() as client:
        answers = [
            client.post("/sparql", data={"query": "SELECT * {"}, headers=JSON) for _ in range(2)
        ]
    assert [answer.status_code for answer in answers] == [400, 400]
    assert all("x-result-cache" not in answer.headers for answer in answers)


def test_the_cache_is_off_by_default(site: RunningServer) -> None:
    query = EXAMPLES[2].query
    with site.client() as client:
        answers = [client.post("/sparql", data={"query": query}, headers=JSON) for _ in range(2)]
    assert all(answer.status_code == 200 for answer in answers)
    assert all("x-result-cache" not in answer.headers for answer in answers)
