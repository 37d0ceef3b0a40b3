"""Benchmarks of ifrc-kg (``make bench``): run as ``python -m bench.<name>``."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def dist_or_build(dist: Path | None, scratch: Path) -> Path:
    """``dist`` when the bench was given a build, else a build of data/reports/ in
    ``scratch``."""
    if dist is not None:
        return dist
    from ifrc_kg.publish import build

    built = scratch / "dist"
    build(REPO / "data" / "reports", built)
    return built
