"""Query engines on report-shaped data: in-memory pyoxigraph vs its on-disk store vs rdflib.

    .venv/bin/python -m bench.engines [--triples 1000000] [--repeat 5]

Builds (once, cached in bench/.cache/) N-Quads of report variants at the asked size, then
runs each engine in its own process (so peak memory is its own): load (for pyoxigraph, as
the server does: the named graphs plus their union as the default graph), then the query
page's example queries ``--repeat`` times each. Prints one Markdown table of medians and
ratios to in-memory pyoxigraph, the engine the server uses. rdflib, far slower, runs each
query once under a time limit.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).parent / ".cache"


def _queries() -> dict[str, str]:
    from ifrc_kg.server.examples import EXAMPLES

    return {example.key: example.query for example in EXAMPLES}


def _run_engine(engine: str, data: Path, repeat: int) -> dict[str, object]:
    """Load ``data`` into one engine and time every example query (runs in a child process)."""
    started = time.perf_counter()
    if engine == "rdflib":
        from rdflib import Dataset

        dataset = Dataset(default_union=True)
        dataset.parse(str(data), format="nquads")

        def run(query: str) -> int:
            return len(list(dataset.query(query)))

    else:
        import pyoxigraph as ox

        from ifrc_kg.store import GraphStore

        if engine == "oxigraph-memory":
            graphs = GraphStore.load(data)  # exactly what the server does
        else:
            store = ox.Store(tempfile.mkdtemp(prefix="bench-oxigraph-"))
            store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
            graphs = GraphStore(store)
            graphs.materialise_union()
        store = graphs.oxigraph

        def run(query: str) -> int:
            return len(list(store.query(query)))

    load_s = time.perf_counter() - started
    timings: dict[str, float] = {}
    rows: dict[str, int] = {}
    for key, query in _queries().items():
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            rows[key] = run(query)
            samples.append(time.perf_counter() - started)
        timings[key] = statistics.median(samples)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"load_s": load_s, "timings": timings, "rows": rows, "peak_mib": peak_mib}


def _engine_in_child(engine: str, data: Path, repeat: int, timeout_s: float) -> dict | None:
    command = [sys.executable, "-m", "bench.engines", "--child", engine, "--data", str(data)]
    command += ["--repeat", str(repeat)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=True
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(results: dict[str, dict | None], triples: int, repeat: int) -> str:
    base = results["oxigraph-memory"]
    assert base is not None
    engines = list(results)
    lines = [
        f"Report-shaped data, {triples:,} quads; median of {repeat} runs (rdflib: 1 run); "
        "ratio = engine time / in-memory pyoxigraph time.",
        "",
        "| measure | " + " | ".join(engines) + " |",
        "|---|" + "---|" * len(engines),
    ]

    def cell(value: float, reference: float, unit: str) -> str:
        return f"{value:.3g} {unit} ({value / reference:.1f}x)" if reference else f"{value}"

    for key in base["timings"]:
        row = [f"query `{key}` ({base['rows'][key]} rows)"]
        for engine in engines:
            result = results[engine]
            if result is None:
                row.append("timed out")
                continue
            row.append(cell(result["timings"][key], base["timings"][key], "s"))
        lines.append("| " + " | ".join(row) + " |")
    for measure, unit in (("load_s", "s"), ("peak_mib", "MiB")):
        row = [{"load_s": "load", "peak_mib": "peak memory"}[measure]]
        for engine in engines:
            result = results[engine]
            row.append(
                "timed out" if result is None else cell(result[measure], base[measure], unit)
            )
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rdflib-timeout", type=float, default=900)
    parser.add_argument("--child")
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_run_engine(args.child, args.data, args.repeat)))
        return
    data = CACHE / f"reports-{args.triples}.nq"
    if not data.exists():
        from bench.reports import write_nquads

        write_nquads(args.triples, data)
    triples = sum(1 for _ in data.open(encoding="utf-8"))
    results = {
        "oxigraph-memory": _engine_in_child("oxigraph-memory", data, args.repeat, 3600),
        "oxigraph-disk": _engine_in_child("oxigraph-disk", data, args.repeat, 3600),
        "rdflib": _engine_in_child("rdflib", data, 1, args.rdflib_timeout),
    }
    print(_table(results, triples, args.repeat))


if __name__ == "__main__":
    main()
