"""A report's CPU time in the corpus build, stage by stage (parse, map, validate, serialise).

    .venv/bin/python -m bench.report_cpu [--generated 5] [REPORT.txt ...]

Builds each report's piece in this process (``pipeline.build_piece``, an empty cache), after
one report that is not counted (a process's first report prepares queries and caches), and
prints the CPU seconds (``time.process_time``) of each stage and of the whole piece, per
report and on average. The pipeline's stage clocks are wall clocks, which count waiting for
a core on a busy machine; here they read the process's CPU time instead. To compare two
versions of the code in one session, run this alternately with ``PYTHONPATH`` pointing at
each one's ``src``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import types
from pathlib import Path

from bench.reports import write_corpus

STAGES = ("parse", "map", "validate", "serialise")


def main() -> None:
    parser = argparse.ArgumentParser(description="Per-report CPU time of the build, by stage.")
    parser.add_argument("reports", nargs="*", type=Path, help="report files (.txt)")
    parser.add_argument("--generated", type=int, default=5, help="generated reports to add")
    args = parser.parse_args()

    from ifrc_kg import pipeline
    from ifrc_kg.publish import _context

    # the stage clocks of pipeline._work, read as this process's CPU time
    pipeline.time = types.SimpleNamespace(perf_counter=time.process_time)  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="report-cpu-") as scratch:
        root = Path(scratch)
        paths = [*args.reports]
        if args.generated:
            paths += write_corpus(args.generated, root / "reports")
        if not paths:
            raise SystemExit("no reports: name some, or --generated N")
        base = "https://w3id.org/ifrc-kg/"
        context, fingerprint = _context(), pipeline.code_fingerprint()

        def build(path: Path, cache: str) -> tuple[float, dict[str, float]]:
            job = pipeline.Job(path, base, False, root / cache, fingerprint, context)
            started = time.process_time()
            piece = pipeline.build_piece(job)
            if piece.error:
                raise SystemExit(f"{path}: {piece.error}")
            return time.process_time() - started, piece.timings

        build(paths[0], "warm-up")  # a process's first report: not counted
        rows = [(path.name, *build(path, "cache")) for path in paths]
    print(f"pid {os.getpid()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'report':48} " + " ".join(f"{s:>9}" for s in STAGES) + "     total")
    for name, total, timings in rows:
        stages = " ".join(f"{timings.get(s, 0.0):9.3f}" for s in STAGES)
        print(f"{name[:48]:48} {stages} {total:9.3f}")
    count = len(rows)
    means = " ".join(f"{sum(r[2].get(s, 0.0) for r in rows) / count:9.3f}" for s in STAGES)
    print(f"{'mean of ' + str(count):48} {means} {sum(r[1] for r in rows) / count:9.3f}")


if __name__ == "__main__":
    main()
