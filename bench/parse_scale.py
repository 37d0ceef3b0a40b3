"""Parsing time against report size: is the parser linear? (``python -m bench.parse_scale``)

Two ways to grow the Mali report, each doubling from about 0.4 MB: its narrative repeated
(many sections and paragraphs, as a long report has) and one paragraph per section made
long (its lines joined without sentence ends, as a PDF export with lost line breaks
gives). Each size is parsed once in a fresh state; the ratio of times between one size
and the next should stay near 2. Not a test: run it by hand (``make bench``) and record
the numbers in the README.
"""

from __future__ import annotations

import logging
import sys
import time

from bench.reports import MALI
from ifrc_kg.reference import load_reference
from ifrc_kg.report import parse_text


def repeated_narrative(text: str, copies: int) -> str:
    """The narrative (OVERALL PROGRESS up to the contacts) printed ``copies`` times."""
    lines = text.split("\n")
    first, contacts = lines.index("OVERALL PROGRESS"), lines.index("Contact information")
    body = "\n".join(lines[first + 1 : contacts])
    return "\n".join(lines[:contacts]) + ("\n" + body) * copies + "\n" + "\n".join(lines[contacts:])


def long_paragraph(text: str, copies: int) -> str:
    """One Context paragraph made ``copies`` sentences long (a long run of lines that the
    parser joins into one paragraph)."""
    line = "in Kayes, floods affected 1,200 people and droughts 3,400 more in Mopti. Then"
    run = "Each year\n" + "\n".join([line] * copies) + " it ended."
    return text.replace("\nKey achievements\n", f"\n{run}\n\nKey achievements\n", 1)


def measure(sizes: list[int]) -> None:
    logging.disable(logging.WARNING)
    reference = load_reference()
    text = MALI.read_text(encoding="utf-8")
    parse_text(text, "warm-up.txt", reference)
    for name, grow, unit in (
        ("repeated narrative", repeated_narrative, 10),
        ("long paragraph", long_paragraph, 4000),
    ):
        previous = None
        for size in sizes:
            report = grow(text, size * unit)
            started = time.perf_counter()
            parse_text(report, "big.txt", reference)
            seconds = time.perf_counter() - started
            ratio = f" ({seconds / previous:.1f}x)" if previous else ""
            print(f"{name}: {len(report) / 1e6:.1f} MB in {seconds:.1f} s{ratio}", flush=True)
            previous = seconds


if __name__ == "__main__":
    measure([int(arg) for arg in sys.argv[1:]] or [1, 2, 4, 8, 16])
