"""The ``build`` command's options reach the build (without running one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph

import ifrc_kg.publish as publish
from ifrc_kg.cli import main
from ifrc_kg.config import DEFAULT_BASE
from ifrc_kg.publish import BuildResult
from ifrc_kg.validate import ValidationReport


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    recorded: list[dict[str, Any]] = []

    def fake_build(reports_dir: Path, out: Path, **options: Any) -> BuildResult:
        recorded.append({"reports": reports_dir, "out": out, **options})
        entry = {"file": "r.txt", "lines": 288, "lines_read": 287}
        manifest = {"triples": 3, "reports": [entry], "violations": 0, "warnings": 1}
        report = ValidationReport(True, (), (), report_graph=Graph())
        return BuildResult(out=out, manifest=manifest, report=report)

    monkeypatch.setattr(publish, "build", fake_build)
    monkeypatch.delenv("IFRC_KG_BASE", raising=False)
    monkeypatch.delenv("IFRC_KG_PERSONAL_CONTACTS", raising=False)
    return recorded


def test_defaults(calls: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "reports": Path("data/reports"),
            "out": Path("dist"),
            "base": DEFAULT_BASE,
            "include_personal_contacts": True,
        }
    ]
    assert "built dist: 3 triples from 1 report(s), 0 violations, 1 warnings" in result.output
    assert "r.txt: 287 of 288 lines read\n" in result.output


def test_options(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    args = ["build", "--reports", str(tmp_path), "--out", str(tmp_path / "o")]
    args += ["--base", "http://localhost:8000/", "--no-personal-contacts"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert calls[0]["base"] == "http://localhost:8000/"
    assert calls[0]["include_personal_contacts"] is False
    assert calls[0]["out"] == tmp_path / "o"


def test_settings_from_environment(
    calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IFRC_KG_BASE", "https://example.org/kg/")
    monkeypatch.setenv("IFRC_KG_PERSONAL_CONTACTS", "0")
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    assert calls[0]["base"] == "https://example.org/kg/"
    assert calls[0]["include_personal_contacts"] is False
