"""Serving a build: the in-memory store loaded from the dumps vs the on-disk store.

    .venv/bin/python -m bench.store_open --dist bench/.cache/corpus/dist

Each way runs in a process of its own, so its peak memory is its own: start (load, or
open read-only), then the query page's ``people-reached`` example, then peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def _child(way: str, dist: Path) -> dict[str, object]:
    from ifrc_kg.server.examples import EXAMPLES

    query = next(e.query for e in EXAMPLES if e.key == "people-reached")
    started = time.perf_counter()
    if way == "in memory":
        from ifrc_kg.store import GraphStore

        store = GraphStore.from_dist(dist).oxigraph
    else:
        from ifrc_kg.assemble import open_store

        store = open_store(dist)
    start = time.perf_counter() - started
    started = time.perf_counter()
    rows = sum(1 for _ in store.query(query))
    return {
        "way": way,
        "start": start,
        "query": time.perf_counter() - started,
        "rows": rows,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "quads": len(store),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=Path("bench/.cache/corpus/dist"))
    parser.add_argument("--child", default=None)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.dist)))
        return
    print("| store | quads | start | query people-reached | peak memory |")
    print("|---|---|---|---|---|")
    for way in ("in memory", "on disk, read-only"):
        command = [sys.executable, "-m", "bench.store_open", "--dist", str(args.dist)]
        out = subprocess.run([*command, "--child", way], capture_output=True, check=True)
        row = json.loads(out.stdout)
        print(
            f"| {way} | {row['quads']:,} | {row['start']:.1f} s | {row['query']:.2f} s "
            f"({row['rows']} rows) | {row['peak_mib']:,.0f} MiB |"
        )


if __name__ == "__main__":
    main()
