"""The build's progress on a terminal: one line redrawn in place, plain lines otherwise.

Only the CLI writes to the terminal; the build reports through a callback.
"""

from __future__ import annotations

import time
from typing import TextIO

from ifrc_kg.pipeline import Progress

WIDTH = 30


class ProgressLine:
    """Reports done/total (parsed, validated and written), from the cache, failed."""

    def __init__(self, stream: TextIO, plain_every: int = 50) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.plain_every = plain_every
        self.start = time.perf_counter()
        self.drawn = False

    def text(self, step: Progress) -> str:
        filled = WIDTH * step.done // max(step.total, 1)
        bar = "#" * filled + "-" * (WIDTH - filled)
        elapsed = time.perf_counter() - self.start
        return (
            f"[{bar}] {step.done}/{step.total} reports parsed, validated, written "
            f"({step.cached} cached, {step.failed} failed) {elapsed:.0f}s"
        )

    def update(self, step: Progress) -> None:
        if self.tty:
            self.stream.write("\r" + self.text(step))
            self.drawn = True
        elif step.done % self.plain_every == 0:  # a log, not a bar: every few reports
            self.stream.write(self.text(step) + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

    @staticmethod
    def timings(seconds: dict[str, float]) -> str:
        """Per-stage timings, one line each."""
        lines = ["timings:"]
        lines += [f"  {name:<28} {value:8.2f} s" for name, value in seconds.items()]
        return "\n".join(lines)
