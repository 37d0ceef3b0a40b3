"""A bounded load test of the public endpoint on 127.0.0.1, with and without hostile queries.

    .venv/bin/python -m bench.load [--dist DIR] [--seconds 30] [--clients 8 16]

Serves a build (default: builds ``data/reports`` into a temporary directory) with
``ifrc-kg serve`` and, for each client count, runs three phases of ``--seconds`` each:

- ``lookups``: cheap requests (linked-data documents, a 303, a one-resource SPARQL query);
- ``examples``: the query page's example queries;
- ``lookups+hostile`` and ``examples+hostile``: the same, plus one hostile query per second
  (a cartesian product that would run to its time limit).

It reports requests per second, p50/p95/p99 latency and status counts per kind of request,
the latency of ``/health`` sampled four times a second (from a process of its own), how long
the server's event-loop thread was ready to run but waiting for a CPU (the machine's share
of that latency), and how long the server's processes take to return to idle CPU after each
phase. Every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tests.stores import free_port

from bench import dist_or_build
from ifrc_kg.server.processes import cpu_seconds, descendants, run_queue_wait_seconds

BASE = "https://w3id.org/ifrc-kg/"
HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MAX_REQUESTS_PER_PHASE = 200_000


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    health_ms: list[float] = field(default_factory=list)
    idle_after_s: float | None = None
    # time the server's event-loop thread was ready to run but waiting for a CPU
    loop_waited_s: float = 0.0


def _time_to_idle(server_pid: int, limit_s: float = 10.0) -> float:
    """Seconds until the server and its workers use under 5 % of a core over 0.25 s."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        pids = descendants(server_pid)
        before = cpu_seconds(pids)
        time.sleep(0.25)  # a measurement window, not a readiness wait
        if cpu_seconds(pids) - before < 0.0125:
            return time.monotonic() - started - 0.25
    return limit_s


def _requests(examples: list[str]) -> dict[str, list[tuple[str, str, dict]]]:
    """What each kind of client sends: (method, path, options) in rotation."""
    turtle = {"headers": {"Accept": "text/turtle"}}
    lookups = [
        ("GET", "/doc/ns/mli", turtle),
        ("GET", "/doc/report/mli/2023", turtle),
        ("GET", "/id/operation/MDRML018", {}),
        (
            "GET",
            "/sparql",
            {
                "params": {
                    "query": f"SELECT ?p ?o WHERE {{ <{BASE}id/ns/mli> ?p ?o }} LIMIT 50",
                    "format": "json",
                }
            },
        ),
    ]
    queries = [("POST", "/sparql", {"data": {"query": q, "format": "json"}}) for q in examples]
    return {"lookup": lookups, "example": queries}


def _client_loop(
    url: str, kinds: list[str], plan: dict, phase: Phase, stop: float, lock: threading.Lock
) -> None:
    rotation = itertools.cycle([(kind, request) for kind in kinds for request in plan[kind]])
    with httpx.Client(base_url=url, timeout=60) as client:
        for count, (kind, (method, path, options)) in enumerate(rotation):
            if time.monotonic() > stop or count > MAX_REQUESTS_PER_PHASE:
                return
            started = time.perf_counter()
            try:
                response = client.request(method, path, **options)
                status = str(response.status_code)
                if response.status_code >= 400:
                    status += " " + response.json().get("code", "")
            except (httpx.HTTPError, ValueError) as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - started
            with lock:
                phase.latencies[kind].append(elapsed)
                phase.statuses[kind][status] += 1


def _hostile_loop(url: str, phase: Phase, stop: float, lock: threading.Lock) -> None:
    """One hostile query per second, each from its own short-lived thread."""
    threads = []

    def one() -> None:
        started = time.perf_counter()
        try:
            response = httpx.post(f"{url}/sparql", data={"query": HOSTILE}, timeout=60)
            status = f"{response.status_code} {response.json().get('code', '')}".strip()
        except (httpx.HTTPError, ValueError) as error:
            status = type(error).__name__
        with lock:
            phase.latencies["hostile"].append(time.perf_counter() - started)
            phase.statuses["hostile"][status] += 1

    while time.monotonic() < stop:
        thread = threading.Thread(target=one)
        thread.start()
        threads.append(thread)
        time.sleep(1.0)  # the rate under test: one hostile query per second
    for thread in threads:
        thread.join(timeout=60)


# /health is sampled from a process of its own: a thread among the bench's 8 or 16 client
# threads would wait for this process's GIL and add that wait to the server's latency
HEALTH_SAMPLER = """
import json, sys, time
import httpx
url, seconds = sys.argv[1], float(sys.argv[2])
samples, stop = [], time.monotonic() + seconds
with httpx.Client(base_url=url, timeout=30) as client:
    while time.monotonic() < stop:
        started = time.perf_counter()
        client.get("/health")
        samples.append((time.perf_counter() - started) * 1000)
        time.sleep(0.25)  # the sampling rate
print(json.dumps(samples))
"""


def _health_sampler(url: str, seconds: float) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", HEALTH_SAMPLER, url, str(seconds)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def run_phase(url: str, server_pid: int, name: str, clients: int, seconds: float) -> Phase:
    from ifrc_kg.server.examples import EXAMPLES

    plan = _requests([example.query for example in EXAMPLES])
    kinds = {"lookups": ["lookup"], "examples": ["example"]}
    phase = Phase(name, clients, seconds)
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_client_loop,
            args=(url, kinds[name.split("+")[0]], plan, phase, stop, lock),
        )
        for _ in range(clients)
    ]
    sampler = _health_sampler(url, seconds)
    waited = run_queue_wait_seconds(server_pid)
    if name.endswith("+hostile"):
        threads.append(threading.Thread(target=_hostile_loop, args=(url, phase, stop, lock)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    phase.loop_waited_s = run_queue_wait_seconds(server_pid) - waited
    phase.health_ms = json.loads(sampler.communicate(timeout=120)[0])
    phase.idle_after_s = _time_to_idle(server_pid)
    return phase


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(phases: list[Phase]) -> str:
    lines = [
        "| clients | phase | kind | req/s | p50 ms | p95 ms | p99 ms | statuses |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for phase in phases:
        for kind, latencies in sorted(phase.latencies.items()):
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(phase.statuses[kind].items()))
            lines.append(
                f"| {phase.clients} | {phase.name} | {kind} | {len(latencies) / phase.seconds:.1f}"
                f" | {_percentile(latencies, 0.5) * 1000:.0f}"
                f" | {_percentile(latencies, 0.95) * 1000:.0f}"
                f" | {_percentile(latencies, 0.99) * 1000:.0f} | {statuses} |"
            )
    lines += [
        "",
        "| clients | phase | /health p50 ms | /health p99 ms | /health max ms "
        "| loop thread waiting for a CPU (ms/s) | CPU idle after (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for phase in phases:
        health = phase.health_ms
        median = statistics.median(health) if health else float("nan")
        lines.append(
            f"| {phase.clients} | {phase.name} | {median:.1f} | {_percentile(health, 0.99):.1f}"
            f" | {max(health, default=0):.1f} | {phase.loop_waited_s / phase.seconds * 1000:.0f}"
            f" | {phase.idle_after_s:.2f} |"
        )
    return "\n".join(lines)


def _wait_ready(url: str, server: subprocess.Popen[bytes], limit_s: float = 300) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited while starting")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)  # polling a starting server
    raise RuntimeError("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, help="a build to serve (default: build one)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 16])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        dist = dist_or_build(args.dist, Path(scratch))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # every bench client is 127.0.0.1: the per-client cap would count them as one
        env = os.environ | {"IFRC_KG_CLIENT_QUERIES": "64"}
        command = [sys.executable, "-c", "from ifrc_kg.cli import main; main()"]
        command += ["serve", "--dist", str(dist)]
        command += ["--host", "127.0.0.1", "--port", str(port)]
        with open(Path(scratch) / "server.log", "wb") as log:
            server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(url, server)
            phases = []
            for clients in args.clients:
                for name in ("lookups", "lookups+hostile", "examples", "examples+hostile"):
                    print(f"{clients} clients, {name} …", file=sys.stderr, flush=True)
                    phases.append(run_phase(url, server.pid, name, clients, args.seconds))
            print(report(phases))
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
