"""``ifrc-kg parse``: summary, --json, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from tests.variants import MALI_PATH, mali_text

from ifrc_kg.cli import main


def test_parse_summary():
    result = CliRunner().invoke(main, ["parse", str(MALI_PATH)])
    assert result.exit_code == 0, result.output
    assert "Mali (MLI)" in result.output
    assert "34 indicators, 12 partners, 2 operations" in result.output


def test_parse_json():
    result = CliRunner().invoke(main, ["parse", "--json", str(MALI_PATH)])
    assert result.exit_code == 0, result.output
    model = json.loads(result.stdout)
    assert model["country"]["iso3"] == "MLI"
    assert model["appeal_code"]["text"] == "MAAML002"
    first = model["financial_overview"][0]
    assert first["figure"]["value"] == "15600000"
    assert first["figure"]["rounded_to"] == "100000"
    assert first["figure"]["source"]["quote"] == "15.6M"
    assert model["indicators"][3]["figure"]["value"] is True
    assert model["operations"][1]["start"] == "2023-12-13"
    assert model["operations"][1]["kind"] == "dref"
    assert len(model["claims"]) > 40
    assert model["contacts"][0]["name"] == "Nouhoum Maiga"


def test_malformed_report_one_line_exit_2(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_text(mali_text().replace("\tFunding\t1.3M", "\tFunding\tabout"), encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", "--json", str(broken)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [
        "error: broken.txt:81: a CHF amount like '15.6M' or '780,000' in the last column"
    ]


def test_not_a_report_subprocess(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("country,year\nMali,2023\n", encoding="utf-8")
    script = Path(sys.executable).parent / "ifrc-kg"
    run = subprocess.run(
        [str(script), "parse", str(table)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert run.stdout == ""
    err = run.stderr.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: table.csv: not an IFRC network report")
    assert "Traceback" not in run.stderr


def test_unknown_label_warning_on_stderr(tmp_path):
    variant = tmp_path / "variant.txt"
    variant.write_text(
        mali_text().replace(
            "\tPeople donating blood\t103", "\tPeople reached with solar lamps\t640"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["parse", str(variant)])
    assert result.exit_code == 0
    assert "warning: variant.txt:131: unknown indicator 'People reached with solar lamps'" in (
        result.output
    )


def test_parse_coverage_prints_the_unread_lines(tmp_path):
    """``ifrc-kg parse FILE --coverage``: lines read of the report's lines, then each line
    left unread with its number and why."""
    junk = tmp_path / "junk.txt"
    junk.write_text("Printed on recycled paper\n" + mali_text(), encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", "--coverage", str(junk)])
    assert result.exit_code == 0, result.output
    assert "junk.txt: 288 of 289 lines read\n" in result.output
    assert (
        "  junk.txt:1: before the title, not the country name: Printed on recycled paper\n"
        in result.output
    )
    mali = CliRunner().invoke(main, ["parse", "--coverage", str(MALI_PATH)])
    assert f"{MALI_PATH.name}: 288 of 288 lines read\n" in mali.output
    assert f"  {MALI_PATH.name}:" not in mali.output  # none unread
