"""``serve`` checks the build against its SHA256SUMS and manifest before serving anything:
a graph file emptied or cut short, a missing or altered file, a damaged checksum list or
manifest are refused in one line (exit 2)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from ifrc_kg.cli import main
from ifrc_kg.server.verify import READ_BY_SERVER, DamagedDist, open_checks, verify_dist


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "graph-cut-short": (lambda dist: _truncate(dist / "graph.trig"), "graph.trig"),
    "graph-emptied": (lambda dist: (dist / "graph.trig").write_bytes(b""), "graph.trig"),
    "file-missing": (lambda dist: (dist / "void.ttl").unlink(), "void.ttl"),
    "sums-missing": (lambda dist: (dist / "SHA256SUMS").unlink(), "SHA256SUMS"),
    "sums-garbled": (
        lambda dist: (dist / "SHA256SUMS").write_text("not a checksum line\n"),
        "SHA256SUMS:1",
    ),
    "manifest-not-json": (
        lambda dist: (dist / "manifest.json").write_text("{ cut"),
        "manifest.json",
    ),
}


@pytest.fixture
def dist_copy(built_dist: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "dist"
    shutil.copytree(built_dist, copy)
    return copy


def test_an_intact_build_verifies(dist_copy: Path) -> None:
    manifest = verify_dist(dist_copy)
    assert manifest is not None
    assert manifest["files"]
    assert json.loads((dist_copy / "manifest.json").read_text())["built"] == manifest["built"]


@pytest.mark.parametrize("case", DAMAGE)
def test_a_damaged_build_is_refused_naming_the_file(dist_copy: Path, case: str) -> None:
    damage, named = DAMAGE[case]
    damage(dist_copy)
    with pytest.raises(DamagedDist, match=named.replace(".", r"\.")):
        verify_dist(dist_copy)


@pytest.mark.parametrize("case", ["graph-cut-short", "manifest-not-json"])
def test_serve_refuses_a_damaged_build_in_one_line(dist_copy: Path, case: str) -> None:
    DAMAGE[case][0](dist_copy)
    result = CliRunner().invoke(main, ["serve", "--dist", str(dist_copy), "--port", "1"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert DAMAGE[case][1] in lines[0]
    assert "Traceback" not in result.output


def test_a_bare_graph_file_is_served_unverified(tmp_path: Path) -> None:
    """Hand-made datasets (the W3C test data) have no checksums: nothing to verify."""
    (tmp_path / "graph.nq").write_text("<http://a> <http://b> <http://c> <http://g> .\n")
    assert verify_dist(tmp_path) is None


# --- big files: verified after start, and before they are sent ----------------------------------


def _flip_a_byte(path: Path) -> None:
    """Damage that keeps the size: only the checksum can tell."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_big_files_are_checked_by_size_at_start(dist_copy: Path) -> None:
    _truncate(dist_copy / "graph.nt")
    with pytest.raises(DamagedDist, match=r"graph\.nt: size differs from manifest\.json"):
        open_checks(dist_copy, defer_bytes=0)


def test_the_smallest_files_are_hashed_at_start_up_to_the_budget(dist_copy: Path) -> None:
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (dist_copy / "SHA256SUMS").read_text().splitlines()
    )
    others = sorted(
        (dist_copy / name).stat().st_size for name in sums if name not in READ_BY_SERVER
    )
    budget = sum(others[:5])  # exactly the five smallest files the server only sends
    _, checks = open_checks(dist_copy, defer_bytes=budget)
    assert checks is not None
    assert checks.status()["verified"] == len(READ_BY_SERVER) + 5
    assert checks.status()["pending"] == len(sums) - len(READ_BY_SERVER) - 5


@pytest.mark.parametrize("name", sorted(READ_BY_SERVER))
def test_a_file_the_server_reads_is_hashed_at_start_whatever_its_size(
    dist_copy: Path, name: str
) -> None:
    _flip_a_byte(dist_copy / name)
    with pytest.raises(DamagedDist, match=name.replace(".", r"\.") + ": does not match"):
        open_checks(dist_copy, defer_bytes=0)


def test_serve_hashes_the_graph_file_it_loads_into_memory(dist_copy: Path) -> None:
    """Mali's build is loaded into memory from graph.trig: a byte changed in it is refused
    before serving, even with every file the server only sends deferred."""
    _flip_a_byte(dist_copy / "graph.trig")
    result = CliRunner().invoke(
        main,
        ["serve", "--dist", str(dist_copy), "--port", "1"],
        env={"IFRC_KG_VERIFY_AT_START_MB": "0"},
    )
    assert result.exit_code == 2, result.output
    assert "graph.trig: does not match its SHA256SUMS checksum" in result.output
    assert "Traceback" not in result.output


def test_a_file_damaged_after_start_is_refused_by_its_checksum(dist_copy: Path) -> None:
    manifest, checks = open_checks(dist_copy, defer_bytes=0)
    assert manifest is not None and checks is not None
    # only what the server reads is hashed at start: every other file is deferred
    assert checks.status()["verified"] == len(READ_BY_SERVER) == 3
    checks.check("graph.nt")
    assert checks.status()["verified"] == 4
    _flip_a_byte(dist_copy / "graph.nt")
    with pytest.raises(DamagedDist, match=r"graph\.nt: does not match its SHA256SUMS"):
        checks.check("graph.nt")
    checks.start()
    assert checks.wait(timeout=120)
    status = checks.status()
    assert status["damaged"] == ["graph.nt"]
    assert status["pending"] == 0
    assert status["verified"] == len(checks.sums) - 1


def test_serve_refuses_a_dump_damaged_after_start(dist_copy: Path) -> None:
    """A real server, every file deferred: the damaged dump is a 503 problem, the others are
    served, and /health names the damaged file."""
    import httpx
    from tests.server.servers import serve, stop

    running = serve(dist_copy, {"IFRC_KG_VERIFY_AT_START_MB": "0"})
    try:
        health = httpx.get(running.url + "/health", timeout=30).json()
        assert set(health["files"]) == {"verified", "pending", "damaged"}
        intact = httpx.get(running.url + "/dumps/graph.nq", timeout=60)
        assert intact.status_code == 200
        assert intact.content == (dist_copy / "graph.nq").read_bytes()
        _flip_a_byte(dist_copy / "graph.nt")
        refused = httpx.get(running.url + "/dumps/graph.nt", timeout=60)
        assert refused.status_code == 503
        assert refused.headers["content-type"].startswith("application/problem+json")
        problem = refused.json()
        assert "graph.nt" in problem["detail"] and "SHA256SUMS" in problem["detail"]
        health = httpx.get(running.url + "/health", timeout=30).json()
        assert health["status"] == "damaged"
        assert "graph.nt" in health["files"]["damaged"]
    finally:
        stop(running)


def test_the_source_text_page_refuses_a_report_text_damaged_after_start(dist_copy: Path) -> None:
    """The server reads a report's text for its source-text page: hashed before it is shown,
    like a download, so a text changed after start is a 503 problem, not a wrong quote."""
    import httpx
    from tests.server.servers import serve, stop

    text = next((dist_copy / "reports").glob("*.txt"))
    running = serve(dist_copy, {"IFRC_KG_VERIFY_AT_START_MB": "0"})
    try:
        page = "/doc/report/mli/2023/text"
        intact = httpx.get(running.url + page, headers={"Accept": "text/html"}, timeout=60)
        assert intact.status_code == 200 and '<li id="L1">' in intact.text
        _flip_a_byte(text)
        refused = httpx.get(running.url + page, headers={"Accept": "text/html"}, timeout=60)
        assert refused.status_code == 503
        assert text.name in refused.text and "SHA256SUMS" in refused.text
    finally:
        stop(running)
