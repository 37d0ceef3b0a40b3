"""The build's progress display: a redrawn line on a terminal, plain lines in a log."""

from __future__ import annotations

import io

from ifrc_kg.pipeline import Progress
from ifrc_kg.progress import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_one_line_redrawn_in_place() -> None:
    stream = Terminal()
    bar = ProgressLine(stream)
    for done in (1, 2, 3):
        bar.update(Progress(done, 3, cached=1, failed=0, file=f"r{done}.txt"))
    bar.finish()
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "[##############################] 3/3 reports parsed, validated, written" in text
    assert "(1 cached, 0 failed)" in text


def test_log_gets_a_plain_line_every_few_reports() -> None:
    stream = io.StringIO()
    bar = ProgressLine(stream, plain_every=2)
    for done in range(1, 6):
        bar.update(Progress(done, 5, cached=0, failed=1 if done > 3 else 0, file="r.txt"))
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in stream.getvalue()
    assert lines[0].startswith("[############------------------] 2/5")
    assert "(0 cached, 1 failed)" in lines[1]


def test_timings_one_line_per_stage() -> None:
    text = ProgressLine.timings({"reports": 12.345, "dumps": 0.5})
    assert text.splitlines() == [
        "timings:",
        "  reports                         12.35 s",
        "  dumps                            0.50 s",
    ]
