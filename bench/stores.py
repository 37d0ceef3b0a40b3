"""The user mix through the same front end over each engine: the embedded store, an Oxigraph
server and Virtuoso (the last two filled by ``ifrc-kg push``, served by ``serve --sparql``).

    .venv/bin/python -m bench.stores [--triples 1000000] [--rounds 5] [--engines ...]

Data: the report-shaped N-Quads of ``bench.reports`` (the Mali report rewritten for other
countries and years, about 90 reports for a million quads; cached in bench/.cache/), laid out
as a build directory (``graph.nq``, ``void.ttl``, ``manifest.json``, ``SHA256SUMS``) so that
``ifrc-kg push`` takes it as it takes a real build. For each engine: start it on 127.0.0.1
(external stores in a temporary directory), push (timed), start the front end, then send the
mix ``--rounds`` times from one client and from two at once. Prints one Markdown table:
push time, front-end start-up, the median time of each request kind, the mix's throughput,
the memory of the engine (peak resident set, and per million quads) and its data on disk,
and the memory of the front end (peak resident set of the web process; proportional set
of its whole process tree, query workers included, at the end); and the load average.

The mix, per round: the landing page, a report page, a resource via ``/id/`` (303, then the
page), an observation's page and its Turtle, the query page's example queries, a report's
named graph as its summary page and as N-Triples. Everything goes to 127.0.0.1, bounded in
count.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.engines import CACHE

BASE = "https://w3id.org/ifrc-kg/"
VOID = f"""@prefix void: <http://rdfs.org/ns/void#> .
<{BASE}id/dataset> a void:Dataset .
"""


def dist_for(nquads: Path, directory: Path) -> Path:
    """A build directory around generated N-Quads, with the files ``push`` checks."""
    dist = directory / "dist"
    dist.mkdir()
    try:  # a hard link (the build's files must lie inside it), else a copy
        os.link(nquads, dist / "graph.nq")
    except OSError:
        shutil.copyfile(nquads, dist / "graph.nq")
    (dist / "void.ttl").write_text(VOID, encoding="utf-8")
    digests = {
        name: hashlib.sha256((dist / name).read_bytes()).hexdigest()
        for name in ("graph.nq", "void.ttl")
    }
    files = [
        {"path": name, "bytes": (dist / name).stat().st_size, "sha256": digest}
        for name, digest in digests.items()
    ]
    manifest = json.dumps({"base": BASE, "files": files})
    (dist / "manifest.json").write_text(manifest, encoding="utf-8")
    digests["manifest.json"] = hashlib.sha256(manifest.encode("utf-8")).hexdigest()
    sums = [f"{digest}  {name}\n" for name, digest in digests.items()]
    (dist / "SHA256SUMS").write_text("".join(sums), encoding="utf-8")
    return dist


def tree_pss_mib(pid: int) -> float:
    """The proportional set size of a process and all its descendants, in MiB: shared pages
    (the query workers' store in the page cache, forked code) counted once in all."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except OSError:  # gone meanwhile
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) / 1024
    return total


def disk_mib(directory: Path) -> float:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) / 2**20


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def peak_rss_mib(pid: int) -> float:
    """The peak resident set of a process (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _ready(url: str, process: subprocess.Popen, limit_s: float = 1200) -> None:
    give_up = time.monotonic() + limit_s
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        threading.Event().wait(0.2)  # poll interval while it loads
    raise RuntimeError(f"{url} did not become ready")


def _front_end(dist: Path, env: dict[str, str]) -> tuple[str, subprocess.Popen, float]:
    from tests.stores import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "ifrc-kg"), "serve", "--dist", str(dist)]
    command += ["--port", str(port)]
    environment = os.environ | {"IFRC_KG_QUERY_TIMEOUT_S": "120"} | env
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _ready(url + "/health", process)
    return url, process, time.perf_counter() - started


def _mix(report: str, thing: str, observation: str) -> list[tuple[str, Callable]]:
    from ifrc_kg.server.examples import EXAMPLES

    def get(path: str, accept: str = "text/html", redirects: bool = False) -> Callable:
        return lambda client: client.get(
            path, headers={"Accept": accept}, follow_redirects=redirects
        )

    def query(text: str) -> Callable:
        accept = {"Accept": "application/sparql-results+json"}
        return lambda client: client.post("/sparql", data={"query": text}, headers=accept)

    mix: list[tuple[str, Callable]] = [
        ("landing page", get("/")),
        ("report page", get("/doc/" + report)),
        ("resource /id/ → 303 → page", get("/id/" + thing, redirects=True)),
        ("observation page", get("/doc/" + observation)),
        ("observation as Turtle", get("/doc/" + observation, "text/turtle")),
    ]
    mix += [(f"query `{example.key}`", query(example.query)) for example in EXAMPLES]
    graph = "/graph/" + report.removeprefix("report/")
    mix.append(("named graph page", get(graph)))
    mix.append(("named graph as N-Triples", get(graph, "application/n-triples")))
    return mix


def measure(url: str, rounds: int, report: str, thing: str, observation: str) -> dict:
    """Median seconds per request kind (one client), and mixes per second (one, two)."""
    mix = _mix(report, thing, observation)
    times: dict[str, list[float]] = {name: [] for name, _ in mix}

    def one_round(record: bool) -> None:
        with httpx.Client(base_url=url, timeout=300) as client:
            for name, call in mix:
                started = time.perf_counter()
                response = call(client)
                if response.status_code != 200:
                    raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")
                if record:
                    times[name].append(time.perf_counter() - started)

    one_round(False)  # warm up (page caches, the hash-part index)
    started = time.perf_counter()
    for _ in range(rounds):
        one_round(True)
    one_client = rounds / (time.perf_counter() - started)
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: one_round(False), range(2 * rounds)))
    two_clients = 2 * rounds / (time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"medians": medians, "mixes_per_s": (one_client, two_clients)}


def _pick(nquads: Path) -> tuple[str, str, str]:
    """A report, its society and one of its observations, from the data itself."""
    report = thing = observation = None
    with nquads.open(encoding="utf-8") as lines:
        for line in lines:
            subject = line.split(" ", 1)[0].strip("<>")
            if report is None and subject.startswith(BASE + "id/report/") and "#" not in line:
                parts = subject[len(BASE + "id/") :].split("/")
                if len(parts) == 3:
                    report = "/".join(parts)
            if thing is None and subject.startswith(BASE + "id/ns/"):
                thing = subject[len(BASE + "id/") :]
            if observation is None and "/people-reached/" in subject and "#" not in subject:
                observation = subject[len(BASE + "id/") :]
            if report and thing and observation:
                return report, thing, observation
    raise RuntimeError(f"{nquads}: no report, society or observation found")


def run_engine(engine: str, dist: Path, work: Path, rounds: int, picks: tuple) -> dict:
    from tests.stores import start_oxigraph, start_virtuoso, stop

    from ifrc_kg.push import auth_from_env, push

    row: dict = {"engine": engine, "load_before": load_average()}
    store = None
    env: dict[str, str] = {}
    try:
        if engine != "embedded":
            directory = work / engine
            directory.mkdir()
            if engine == "oxigraph":
                store = start_oxigraph(directory)
            else:  # a 2 GiB page cache: Virtuoso's guide gives it 2/3 of its memory
                store = start_virtuoso(directory, buffers=250_000)
            row["engine_idle_mib"] = peak_rss_mib(store.process.pid)  # started, empty
            started = time.perf_counter()
            result = push(
                dist,
                store.gsp_url,
                state_path=directory / "state.json",
                auth=auth_from_env(store.push_env),
                timeout_s=3600,
            )
            row["push_s"] = time.perf_counter() - started
            if result.errors:
                raise RuntimeError(result.errors[0])
            env = {"IFRC_KG_SPARQL_URL": store.query_url}
        url, front, row["start_s"] = _front_end(dist, env)
        try:
            row |= measure(url, rounds, *picks)
            row["front_mib"] = peak_rss_mib(front.pid)
            row["front_tree_mib"] = tree_pss_mib(front.pid)
            if store is not None:
                row["engine_mib"] = peak_rss_mib(store.process.pid)
                row["engine_disk_mib"] = disk_mib(work / engine)
            row["load_after"] = load_average()
        finally:
            front.terminate()
            front.wait()
    finally:
        if store is not None:
            stop(store)
    return row


def table(rows: list[dict], quads: int) -> str:
    names = list(rows[0]["medians"])
    header = "| measure | " + " | ".join(row["engine"] for row in rows) + " |"
    lines = [header, "|---|" + "---|" * len(rows)]

    def add(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    add(
        "push (GSP PUT, every graph)",
        [f"{row['push_s']:.1f} s" if "push_s" in row else "–" for row in rows],
    )
    add("front end start-up", [f"{row['start_s']:.1f} s" for row in rows])
    for name in names:
        add(name, [f"{row['medians'][name]:.3f} s" for row in rows])
    add("mix, one client", [f"{row['mixes_per_s'][0]:.2f}/s" for row in rows])
    add("mix, two clients", [f"{row['mixes_per_s'][1]:.2f}/s" for row in rows])
    add("front end peak memory (web process)", [f"{row['front_mib']:,.0f} MiB" for row in rows])
    add(
        "front end process tree (PSS, workers included)",
        [f"{row['front_tree_mib']:,.0f} MiB" for row in rows],
    )
    per_million = 1_000_000 / quads
    add(
        "engine peak memory",
        [
            f"{row['engine_mib']:,.0f} MiB (empty: {row['engine_idle_mib']:,.0f}; per M quads: "
            f"{(row['engine_mib'] - row['engine_idle_mib']) * per_million:,.0f})"
            if "engine_mib" in row
            else "(in the front end)"
            for row in rows
        ],
    )
    add(
        "engine data on disk",
        [f"{row['engine_disk_mib']:,.0f} MiB" if "engine_disk_mib" in row else "–" for row in rows],
    )
    add(
        "load average before / after",
        [f"{row['load_before']} / {row['load_after']}" for row in rows],
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--engines", nargs="+", default=["embedded", "oxigraph", "virtuoso"])
    args = parser.parse_args()
    data = CACHE / f"reports-{args.triples}.nq"
    if not data.exists():
        from bench.reports import write_nquads

        write_nquads(args.triples, data)
    picks = _pick(data)
    rows = []
    print(f"load average at start: {load_average()}", file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        dist = dist_for(data, Path(work))
        for engine in args.engines:
            rows.append(run_engine(engine, dist, Path(work), args.rounds, picks))
            print(f"{engine}: done", file=sys.stderr)
    quads = sum(1 for _ in data.open(encoding="utf-8"))
    print(f"{quads:,} quads, {args.rounds} rounds of the mix\n")
    print(table(rows, quads))


if __name__ == "__main__":
    main()
