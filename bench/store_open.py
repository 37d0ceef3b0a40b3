"""Serving a build: the in-memory store loaded from the dumps vs the on-disk store opened
read-only, at a given number of quads, and ``ifrc-kg serve`` itself over a build.

    .venv/bin/python -m bench.store_open --quads 1000000 [--quads 20000000]
    .venv/bin/python -m bench.store_open --dist bench/.cache/corpus/dist

``--quads N``: N-Quads of generated reports (``bench/reports.py``: 1M quads at most are
mapped; a larger N repeats them under renamed IRIs, ``…/id/`` → ``…/id/copyK/``, so each
copy is distinct) and an on-disk store written the way the build writes ``store/`` (the
named graphs and their union in the default graph), kept in ``bench/.cache/store-N/``.
Each way runs in a process of its own, so its peak memory is its own: start (load, or
open read-only), then the query page's ``people-reached`` example, then peak RSS; the
in-memory way is skipped above ``--memory-limit`` quads (it needs some 0.7 GiB per
million quads).

``--dist``: the time from starting ``ifrc-kg serve`` to its first ``/health`` answer (this
includes checking every file up to ``IFRC_KG_VERIFY_AT_START_MB`` against SHA256SUMS; the
bigger ones are hashed after start), the resident memory of the server and its query
workers then, and the time until every file was verified.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from tests.stores import free_port

CACHE = Path(__file__).parent / ".cache"
WAYS = ("in memory", "on disk, read-only")
_IRI = re.compile(rb"(<https://w3id\.org/ifrc-kg/(?:id|graph)/)")


def _child(way: str, directory: Path, quads: int) -> dict[str, object]:
    from ifrc_kg.server.examples import EXAMPLES
    from ifrc_kg.store import GraphStore

    query = next(e.query for e in EXAMPLES if e.key == "people-reached")
    started = time.perf_counter()
    if way == "in memory":
        store = GraphStore.load(directory / "graph.nq")
    else:
        store = GraphStore.open_read_only(directory / "store", quads)
    start = time.perf_counter() - started
    started = time.perf_counter()
    rows = sum(1 for _ in store.oxigraph.query(query))
    return {
        "way": way,
        "start": start,
        "query": time.perf_counter() - started,
        "rows": rows,
        "peak_mib": _peak_kib() / 1024,
    }


def _peak_kib() -> int:
    """This process's peak resident memory (``VmHWM``): not ``ru_maxrss``, which Linux keeps
    across ``exec`` from the parent's peak (a parent that generated the data)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def prepare(quads: int) -> Path:
    """``bench/.cache/store-N/``: graph.nq of N quads and its on-disk store (made once)."""
    from bench.reports import write_nquads

    directory = CACHE / f"store-{quads}"
    if (directory / "store").is_dir():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    seed = CACHE / "store-seed.nq"
    if not seed.is_file():
        write_nquads(min(quads, 1_000_000), seed)
    seed_lines = seed.read_bytes().splitlines(keepends=True)
    written = 0
    with (directory / "graph.nq").open("wb") as out, (directory / "graph.nt").open("wb") as nt:
        copy = 0
        while written < quads:
            prefix = rb"\1" + (f"copy{copy}/".encode() if copy else b"")
            for line in seed_lines[: quads - written]:
                line = _IRI.sub(prefix, line)
                out.write(line)
                nt.write(line[: line.rstrip().rfind(b" <")] + b" .\n")  # the graph name cut
            written += min(len(seed_lines), quads - written)
            copy += 1
    store = ox.Store(str(directory / "store"))
    store.bulk_load(path=str(directory / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(
        path=str(directory / "graph.nt"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph()
    )
    store.flush()
    store.optimize()
    del store
    (directory / "quads").write_text(str(written))
    return directory


def serve_start(
    dist: Path, wait_for_checks: bool = False, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Seconds from ``ifrc-kg serve`` to its first /health answer; RSS of its process tree;
    with ``wait_for_checks``, also until /health says every file was verified."""
    import httpx

    from bench.build import _rss_tree

    port = free_port()
    command = [str(Path(sys.executable).parent / "ifrc-kg"), "serve", "--dist", str(dist)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ | (env or {})
    )
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"ifrc-kg serve exited with {process.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # poll interval of a benchmark, not a readiness assumption
        seconds = time.perf_counter() - started
        found = {"start": seconds, "rss_mib": _rss_tree(process.pid) / 2**20}
        while wait_for_checks:
            files = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json().get("files")
            if files is None or not files["pending"]:
                found["verified"] = time.perf_counter() - started
                break
            time.sleep(0.5)  # poll interval of a benchmark
        return found
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quads", type=int, action="append", default=[])
    parser.add_argument("--memory-limit", type=int, default=2_000_000)
    parser.add_argument("--dist", type=Path, default=None)
    parser.add_argument("--child", default=None)
    parser.add_argument("--directory", type=Path, default=None)
    args = parser.parse_args()
    if args.child:
        quads = int((args.directory / "quads").read_text())
        print(json.dumps(_child(args.child, args.directory, quads)))
        return
    if args.dist:
        found = serve_start(args.dist, wait_for_checks=True)
        print(f"`ifrc-kg serve --dist {args.dist}`: /health answered after {found['start']:.1f} s;")
        print(f"every file verified after {found.get('verified', found['start']):.1f} s;")
        print(
            f"resident memory of the server and its query workers then: {found['rss_mib']:,.0f} MiB"
        )
    if args.quads:
        print(f"load average {os.getloadavg()[0]:.1f}")
        print("| store | quads | start | query people-reached | peak memory |")
        print("|---|---|---|---|---|")
    for quads in args.quads:
        directory = prepare(quads)
        for way in WAYS:
            if way == "in memory" and quads > args.memory_limit:
                print(f"| {way} | {quads:,} | not run: above --memory-limit | | |")
                continue
            command = [sys.executable, "-m", "bench.store_open", "--directory", str(directory)]
            out = subprocess.run([*command, "--child", way], capture_output=True, check=True)
            row = json.loads(out.stdout)
            print(
                f"| {way} | {quads:,} | {row['start']:.1f} s | {row['query']:.2f} s "
                f"({row['rows']} rows) | {row['peak_mib']:,.0f} MiB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
