"""One real build of data/reports per test session, with a fixed SOURCE_DATE_EPOCH."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from ifrc_kg.publish import BuildResult, build

REPORTS = Path(__file__).resolve().parents[2] / "data/reports"
#: 2024-09-03T00:00:00Z, the Mali report's publication day.
EPOCH = "1725321600"


@dataclass(frozen=True)
class Published:
    reports: Path
    out: Path
    result: BuildResult


def copy_reports(target: Path) -> Path:
    """The repository's reports, copied with their modification times."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(REPORTS.glob("*.txt")):
        shutil.copy2(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("publish")
    reports = copy_reports(root / "reports")
    out = root / "site" / "dist"
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": EPOCH}):
        result = build(reports, out)
    return Published(reports=reports, out=out, result=result)


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file of a directory tree with its bytes (but the RocksDB files of ``store/``,
    whose bytes are the database's own business: the dumps are the reproducible part)."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not path.relative_to(directory).as_posix().startswith("store/")
    }
