"""``ifrc-kg push`` into real stores: an Oxigraph server and Virtuoso on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from tests.stores import ExternalStore, free_port, start_oxigraph, stop

from ifrc_kg.push import (
    PushError,
    auth_from_env,
    default_state_path,
    published_graphs,
    push,
    read_state,
)
from ifrc_kg.store import graph_file

BASE = "https://w3id.org/ifrc-kg/"
ENGINES = ("oxigraph", "virtuoso")


def graph_counts(store: ExternalStore) -> dict[str, int]:
    """Triples per graph under the project's base, as the store itself counts them."""
    answer = httpx.post(
        store.query_url,
        data={
            "query": f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
                FILTER(STRSTARTS(STR(?g), "{BASE}")) }} GROUP BY ?g"""
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    answer.raise_for_status()
    rows = answer.json()["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def build_counts(dist: Path) -> dict[str, int]:
    """Triples per graph of the build's own dump (read independently of push.py)."""
    counts: Counter[str] = Counter()
    for quad in ox.parse(path=str(dist / "graph.nq"), format=ox.RdfFormat.N_QUADS):
        counts[quad.graph_name.value] += 1
    return dict(counts)


@pytest.fixture
def fresh_oxigraph(tmp_path: Path) -> Iterator[ExternalStore]:
    """An empty Oxigraph server of its own, for the tests that change what a store holds."""
    store = start_oxigraph(tmp_path)
    yield store
    stop(store)


@pytest.mark.parametrize("engine", ENGINES)
def test_push_puts_every_graph_of_the_build(
    engine: str, request: pytest.FixtureRequest, multi_dist: Path
) -> None:
    store = request.getfixturevalue(f"{engine}_loaded")
    held = graph_counts(store)
    expected = build_counts(multi_dist)
    assert len([iri for iri in expected if "/graph/" in iri and iri.count("/") == 6]) == 3
    for graph_iri, count in expected.items():
        assert held[graph_iri] == count, graph_iri
    assert held[BASE + "graph/mli/2024"] > 10_000
    assert held[BASE + "graph/catalog"] > 100  # void.ttl
    assert held[BASE + "graph/findings"] > 0  # the build's data-quality findings
    # the union is a set: a triple stated by several graphs (a partner's name) counts once
    union = held[BASE + "graph/union"]
    assert max(expected.values()) < union < sum(expected.values()) + held[BASE + "graph/catalog"]


def test_published_graphs_are_sorted_ntriples_with_checksums(multi_dist: Path) -> None:
    graphs = published_graphs(multi_dist)
    names = [graph.iri for graph in graphs]
    assert names[-1] == BASE + "graph/union"
    assert names == [
        BASE + "graph/catalog",
        BASE + "graph/findings",
        BASE + "graph/labels",
        BASE + "graph/mli/2023",
        BASE + "graph/mli/2024",
        BASE + "graph/ner/2024",
        BASE + "graph/reference",
        BASE + "graph/vocabulary",
        BASE + "graph/union",
    ]
    mali = next(graph for graph in graphs if graph.iri == BASE + "graph/mli/2023")
    lines = mali.ntriples.decode().splitlines()
    assert lines == sorted(lines) and len(lines) == mali.triples
    assert published_graphs(multi_dist)[0].sha256 == graphs[0].sha256  # deterministic


def test_second_push_sends_nothing_then_only_what_changed(
    fresh_oxigraph: ExternalStore, multi_dist: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    first = push(multi_dist, fresh_oxigraph.gsp_url, state_path=state)
    assert first.failed == [] and len(first.sent) == len(published_graphs(multi_dist))
    again = push(multi_dist, fresh_oxigraph.gsp_url, state_path=state)
    assert again.sent == [] and len(again.unchanged) == len(first.sent)

    # the store's copy of one report differs from what the state says: only it is sent
    recorded = json.loads(state.read_text())
    recorded["graphs"][BASE + "graph/mli/2023"] = "0" * 64
    # and a graph an earlier push sent, no longer in the build, is deleted
    gone = BASE + "graph/xyz/2020"
    httpx.put(
        fresh_oxigraph.gsp_url,
        params={"graph": gone},
        content=b'<http://example.org/s> <http://example.org/p> "1" .\n',
        headers={"Content-Type": "application/n-triples"},
    ).raise_for_status()
    recorded["graphs"][gone] = "1" * 64
    state.write_text(json.dumps(recorded))
    assert gone in graph_counts(fresh_oxigraph)

    third = push(multi_dist, fresh_oxigraph.gsp_url, state_path=state)
    assert third.sent == [BASE + "graph/mli/2023"]
    assert third.deleted == [gone]
    assert gone not in graph_counts(fresh_oxigraph)
    assert gone not in read_state(state, fresh_oxigraph.gsp_url)
    forced = push(multi_dist, fresh_oxigraph.gsp_url, state_path=state, send_all=True)
    assert len(forced.sent) == len(first.sent)


def test_refused_push_names_the_graph_and_the_answer_and_changes_nothing(
    virtuoso_loaded: ExternalStore, multi_dist: Path, tmp_path: Path
) -> None:
    before = graph_counts(virtuoso_loaded)
    wrong = virtuoso_loaded.push_env | {"IFRC_KG_PUSH_PASSWORD": "not-the-password"}
    state = tmp_path / "state.json"
    result = push(multi_dist, virtuoso_loaded.gsp_url, state_path=state, auth=auth_from_env(wrong))
    first = published_graphs(multi_dist)[0].iri
    assert result.sent == [] and result.failed == [first]
    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"PUT {first}: the store answered 401 Unauthorized")
    assert not state.exists()  # nothing reached the store, so nothing is recorded
    assert graph_counts(virtuoso_loaded) == before


def test_no_credentials_is_refused_by_virtuoso(
    virtuoso_store: ExternalStore, multi_dist: Path, tmp_path: Path
) -> None:
    result = push(multi_dist, virtuoso_store.gsp_url, state_path=tmp_path / "s.json")
    assert result.failed and "401" in result.errors[0]


def test_unreachable_store_is_reported(multi_dist: Path, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    result = push(multi_dist, url, state_path=tmp_path / "s.json", timeout_s=5)
    assert len(result.failed) == 1
    assert "no answer (ConnectError" in result.errors[0]


def test_damaged_build_is_refused_before_anything_is_sent(multi_dist: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "dist"
    shutil.copytree(multi_dist, damaged)
    dataset = graph_file(damaged)  # graph.trig, the file the push reads
    with dataset.open("ab") as out:
        out.write(b'<http://example.org/g> { <http://example.org/s> <http://example.org/p> "1" }')
    with pytest.raises(PushError, match=rf"{dataset.name}: checksum differs from SHA256SUMS"):
        published_graphs(damaged)
    sums = damaged / "SHA256SUMS"
    sums.write_text(sums.read_text() + "not a checksum line\n")
    lines = len(sums.read_text().splitlines())
    with pytest.raises(PushError, match=rf"SHA256SUMS:{lines}: expected '<sha256>  <file>'"):
        published_graphs(damaged)
    (damaged / "SHA256SUMS").unlink()
    with pytest.raises(PushError, match="no SHA256SUMS"):
        published_graphs(damaged)
    with pytest.raises(PushError, match="no such build directory"):
        published_graphs(tmp_path / "missing")


def test_state_of_another_store_or_unreadable_state_is_an_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"store": "http://127.0.0.1:1/a", "graphs": {}}))
    with pytest.raises(PushError, match="push state of another store"):
        read_state(state, "http://127.0.0.1:1/b")
    state.write_text("{not json")
    with pytest.raises(PushError, match="unreadable push state"):
        read_state(state, "http://127.0.0.1:1/a")
    assert read_state(tmp_path / "none.json", "http://127.0.0.1:1/a") == {}


def test_state_files_are_per_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    one = default_state_path("http://127.0.0.1:1/store")
    two = default_state_path("http://127.0.0.1:2/store")
    assert one != two and one.parent == tmp_path / "ifrc-kg" / "push"


def test_credentials_come_from_the_environment_only() -> None:
    assert auth_from_env({}) is None
    digest = auth_from_env(
        {"IFRC_KG_PUSH_USER": "u", "IFRC_KG_PUSH_PASSWORD": "p", "IFRC_KG_PUSH_AUTH": "digest"}
    )
    assert isinstance(digest, httpx.DigestAuth)
    with pytest.raises(PushError, match="expected 'basic' or 'digest'"):
        auth_from_env({"IFRC_KG_PUSH_USER": "u", "IFRC_KG_PUSH_AUTH": "ntlm"})


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-c", "from ifrc_kg.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | (env or {}),
    )


def test_cli_push_reports_and_exits(
    fresh_oxigraph: ExternalStore, multi_dist: Path, tmp_path: Path
) -> None:
    state = str(tmp_path / "state.json")
    done = _cli("push", "--to", fresh_oxigraph.gsp_url, "--dist", str(multi_dist), "--state", state)
    assert done.returncode == 0, done.stderr
    assert "0 unchanged, 0 deleted, 0 failed" in done.stdout
    assert f"PUT {BASE}graph/mli/2023" in done.stderr
    again = _cli(
        "push", "--to", fresh_oxigraph.gsp_url, "--dist", str(multi_dist), "--state", state
    )
    assert "0 graph(s) replaced" in again.stdout

    refused = _cli(
        "push", "--to", f"http://127.0.0.1:{free_port()}/store", "--dist", str(multi_dist),
        "--state", str(tmp_path / "other.json"),
    )  # fmt: skip
    assert refused.returncode == 3
    assert "error: PUT https://w3id.org/ifrc-kg/graph/" in refused.stderr
    assert "Traceback" not in refused.stderr

    bad = _cli("push", "--to", "ftp://x", "--dist", str(multi_dist))
    assert bad.returncode == 2 and bad.stderr.startswith("error: --to 'ftp://x'")
    missing = _cli("push", "--to", fresh_oxigraph.gsp_url, "--dist", str(tmp_path / "none"))
    assert missing.returncode == 2 and "no such build directory" in missing.stderr
    assert "Traceback" not in missing.stderr
