"""The corpus build at scale: a full build, then one report changed, added and removed.

    .venv/bin/python -m bench.build [--count 1000] [--jobs 2]

Writes ``--count`` generated reports (``bench/reports.py``) into ``bench/.cache/corpus/``,
builds them from an empty cache with ``ifrc-kg build`` in a child process, and samples
the resident memory of that process and its workers (the sum, every 0.2 s) for the peak.
Then, against the warm cache: one report changed, then restored (its dumps must be
byte-identical to the full build's), one added, then removed (byte-identical again). Prints
a Markdown table with the assembly's share of each build (the stages after the per-report
work: dumps, report dumps, search index, files, store, swap; the stage timings are the
command's own) and the disk the publication and the cache take (a hard link counted once).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.reports import corpus_texts, write_corpus

ROOT = Path(__file__).parent / ".cache" / "corpus"
DUMPS = ("graph.nq", "graph.nt", "graph.ttl", "graph.trig", "graph.jsonld")


def _rss_tree(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def timed_build(reports: Path, out: Path, jobs: int) -> dict[str, object]:
    """Run ``ifrc-kg build`` in a child process; wall time, peak tree memory, its output."""
    command = [str(Path(sys.executable).parent / "ifrc-kg"), "build", "--reports", str(reports)]
    command += ["--out", str(out), "--jobs", str(jobs)]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1725321600"}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_tree(process.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}):\n{stderr.decode()[-3000:]}")
    return {"seconds": seconds, "peak": peak, "output": stdout.decode() + stderr.decode()}


#: the corpus stages after the per-report work: the assembly of the build from its pieces
ASSEMBLY = ("dumps", "report dumps", "search", "files", "store", "swap")


def stage_seconds(output: str) -> dict[str, float]:
    """The stage timings ``ifrc-kg build`` prints after ``timings:`` (``name  1.23 s``)."""
    seconds = {}
    for line in output.split("timings:")[-1].splitlines():
        name, _, value = line.strip().rpartition("  ")
        if value.endswith(" s") and name:
            seconds[name.strip()] = float(value[:-2])
    return seconds


def assembly_seconds(output: str) -> float:
    stages = stage_seconds(output)
    return sum(stages.get(name, 0.0) for name in ASSEMBLY)


def footprint(*roots: Path) -> int:
    """Bytes on disk under ``roots``, a file hard-linked several times counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root in roots:
        for path in root.rglob("*"):
            status = path.lstat()
            if path.is_file() and (status.st_dev, status.st_ino) not in seen:
                seen.add((status.st_dev, status.st_ino))
                total += status.st_blocks * 512
    return total


def disk_line(label: str, out: Path) -> str:
    cache = out.parent / ".cache"
    dist, both = footprint(out), footprint(out, cache)
    return (
        f"disk {label}: publication {dist / 2**30:.2f} GiB, cache {(both - dist) / 2**30:.2f} "
        f"GiB more, both {both / 2**30:.2f} GiB (hard links counted once)"
    )


def dump_hashes(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in DUMPS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    shutil.rmtree(ROOT, ignore_errors=True)
    reports, out = ROOT / "reports", ROOT / "dist"
    write_corpus(args.count, reports)
    load_before = os.getloadavg()
    rows = []
    full = timed_build(reports, out, args.jobs)
    hashes = dump_hashes(out)
    quads = sum(1 for _ in (out / "graph.nq").open("rb"))
    rows.append(("full build", full))
    print(full["output"], file=sys.stderr)
    disks = [disk_line("after the full build", out)]

    target = sorted(reports.glob("*.txt"))[len(list(reports.glob("*.txt"))) // 2]
    original = target.read_text(encoding="utf-8")
    changed = re.sub(r"(?m)(?<=\t)(\d+)$", lambda m: str(int(m.group(1)) + 1), original, count=1)
    assert changed != original, f"{target}: no table figure to change"
    target.write_text(changed, encoding="utf-8")
    rows.append(("one report changed", timed_build(reports, out, args.jobs)))
    target.write_text(original, encoding="utf-8")
    restored = timed_build(reports, out, args.jobs)
    rows.append(("... and restored", restored))
    identical = [dump_hashes(out) == hashes]

    [(name, text)] = list(corpus_texts(args.count + 1))[-1:]
    (reports / name).write_text(text, encoding="utf-8")
    rows.append(("one report added", timed_build(reports, out, args.jobs)))
    (reports / name).unlink()
    rows.append(("... and removed", timed_build(reports, out, args.jobs)))
    identical.append(dump_hashes(out) == hashes)
    disks.append(disk_line("after the four incremental builds", out))

    size = sum(p.stat().st_size for p in out.iterdir() if p.name.startswith("graph."))
    print(
        f"\n{args.count} reports, {quads:,} quads, dumps {size / 2**30:.2f} GiB, --jobs {args.jobs}"
    )
    print("| build | wall time | of which assembly | peak memory (build + workers) |")
    print("|---|---|---|---|")
    for label, row in rows:
        assembly = assembly_seconds(str(row["output"]))
        print(
            f"| {label} | {row['seconds']:.1f} s | {assembly:.1f} s "
            f"| {row['peak'] / 2**20:,.0f} MiB |"
        )
    print(f"dumps byte-identical to the full build after restore/remove: {identical}")
    print("\n".join(disks))
    print("an incremental build writes its publication beside the served one until the swap")
    print(f"load average (1, 5, 15 min) at start {load_before}, at the end {os.getloadavg()}")
    print("\nstage timings of the full build:\n" + str(full["output"]).split("timings:")[-1])


if __name__ == "__main__":
    main()
