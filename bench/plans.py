"""The planner step measured alone: every query of the peers bench in-process, as written and
as the worker plans it, over the bench's on-disk store.

    .venv/bin/python -m bench.plans [--triples 1000000] [--rounds 15] [--store DIR]

The store is the one ``bench.peers`` serves ifrc-kg from (``peer_systems.build_like_dist``:
the report graphs, the catalog graph and their union in the default graph), written once into
``bench/.cache/plans-<triples>/`` unless ``--store`` names one. Each query runs as written and
as planned (``worker._planned``: the statistics, the moves, the pattern order and the hash
joins, the aggregation first), alternately, ``--rounds`` times after one warm-up each, its
JSON answer written; the times are the thread's CPU time (the engine runs in the calling
thread), which the other engineers' load on this shared machine moves far less than the wall
clock. The answers of the two forms are compared as multisets of rows. The planning itself
(tokenizing, counting pairs in the store) is timed apart, once per query with empty caches,
as a worker's first sight of a text. ``TOO_SLOW_AS_WRITTEN`` are timed planned only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from collections import Counter
from pathlib import Path

CACHE = Path(__file__).parent / ".cache"
# as written, this one ran past the 30 s query limit (README, "The planner step"): only its
# planned form is timed
TOO_SLOW_AS_WRITTEN = {"q11-no-bilateral"}


def _store_path(triples: int) -> Path:
    """The bench's build-like store for ``triples``, written on first use."""
    from bench import peer_systems as ps

    directory = CACHE / f"plans-{triples}"
    if not (directory / "dist" / "store").is_dir():
        data = CACHE / f"reports-{triples}.nq"
        if not data.exists():
            from bench.reports import write_nquads

            write_nquads(triples, data)
        data = ps.with_catalog(data)
        directory.mkdir(parents=True, exist_ok=True)
        ps.build_like_dist(data, ps.union_triples(data), directory / "dist")
    return directory / "dist" / "store"


def _run(store: object, query: str) -> tuple[float, Counter]:
    """The CPU time of one query with its JSON answer written, and its rows."""
    import pyoxigraph as ox

    started = time.thread_time()
    answer = store.query(query)  # type: ignore[attr-defined]
    body = io.BytesIO()
    if isinstance(answer, ox.QuerySolutions):
        answer.serialize(body, ox.QueryResultsFormat.JSON)
    elapsed = time.thread_time() - started
    if not isinstance(answer, ox.QuerySolutions):
        return elapsed, Counter([str(bool(answer))])
    bindings = json.loads(body.getvalue())["results"]["bindings"]
    return elapsed, Counter(json.dumps(row, sort_keys=True) for row in bindings)


def measure(store_path: Path, rounds: int) -> list[dict[str, object]]:
    import pyoxigraph as ox

    from bench.peers import queries
    from ifrc_kg.server import join_order, worker
    from ifrc_kg.server.statistics import read_statistics

    store = ox.Store.read_only(str(store_path))
    statistics = read_statistics(store)
    worker._statistics[id(store)] = statistics
    results = []
    for name, query in queries().items():
        worker._rewritten.cache_clear()
        worker._counts_of.clear()
        join_order._counted.cache_clear()
        started = time.thread_time()
        planned = worker._planned(store, worker.QueryJob(sparql=query))
        planning = time.thread_time() - started
        compared = planned != query and name not in TOO_SLOW_AS_WRITTEN
        written_rows = _run(store, query)[1] if compared else None
        planned_rows = _run(store, planned)[1]
        written, plan_times = [], []
        for _ in range(rounds):
            if compared:
                written.append(_run(store, query)[0])
            plan_times.append(_run(store, planned)[0])
        results.append(
            {
                "query": name,
                "planned": planned != query,
                "planning_ms": planning * 1000,
                "written_ms": sorted(written)[len(written) // 4] * 1000 if written else None,
                "planned_ms": sorted(plan_times)[len(plan_times) // 4] * 1000,
                "rows": sum(planned_rows.values()),
                "same": written_rows is None or written_rows == planned_rows,
            }
        )
    return results


def report(results: list[dict[str, object]]) -> str:
    lines = [
        "| query | as written, ms CPU | planned, ms CPU | ratio | planning, ms | rows | answers |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results:
        written, planned = row["written_ms"], row["planned_ms"]
        if written is None:
            shown, ratio = ("(not timed)" if row["planned"] else "(the same text)"), ""
        else:
            shown, ratio = f"{written:.2f}", f"{planned / written:.2f}x"  # type: ignore[operator]
        lines.append(
            f"| {row['query']} | {shown} | {planned:.2f} | {ratio} | "
            f"{row['planning_ms']:.2f} | {row['rows']} | {'same' if row['same'] else 'DIFFER'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--store", type=Path, help="an on-disk store to use instead")
    args = parser.parse_args()
    store_path = args.store or _store_path(args.triples)
    start = os.getloadavg()[0]
    results = measure(store_path, args.rounds)
    print(report(results))
    print(f"\nload average {start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    if any(not row["same"] for row in results):
        raise SystemExit("the planned and the written forms gave different answers")


if __name__ == "__main__":
    main()
