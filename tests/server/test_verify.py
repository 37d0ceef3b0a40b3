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
from ifrc_kg.server.verify import DamagedDist, verify_dist


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
