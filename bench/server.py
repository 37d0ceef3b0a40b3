"""The endpoint under concurrent load: does a second client get the second core?

    .venv/bin/python -m bench.server [--triples 1000000] [--requests 40]

Serves the report-shaped data of ``bench.engines`` with ``ifrc-kg serve`` on 127.0.0.1 and
sends the same example query ``--requests`` times from one client, then from two clients
at once. pyoxigraph releases the GIL and the server runs queries in a thread pool, so two
clients should finish close to twice as many queries per second on two cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from tests.stores import free_port

from bench.engines import CACHE


def _wait_ready(url: str, server: subprocess.Popen[bytes], limit_s: float = 600) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited while loading")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.5)  # polling a loading server, not standing in for readiness
    raise RuntimeError("the server did not become ready")


def _throughput(url: str, query: str, requests: int, clients: int) -> float:
    def one(_: int) -> None:
        response = httpx.post(
            f"{url}/sparql",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=120,
        )
        response.raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(requests)))
    return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--query", default="people-reached")
    args = parser.parse_args()
    data = CACHE / f"reports-{args.triples}.nq"
    if not data.exists():
        from bench.reports import write_nquads

        write_nquads(args.triples, data)
    from ifrc_kg.server.examples import EXAMPLES

    query = {example.key: example.query for example in EXAMPLES}[args.query]
    with tempfile.TemporaryDirectory() as dist:
        os.symlink(data.resolve(), Path(dist) / "graph.nq")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [str(Path(sys.executable).parent / "ifrc-kg"), "serve", "--dist", dist]
        command += ["--port", str(port)]
        environment = dict(os.environ, IFRC_KG_QUERY_TIMEOUT_S="120")
        server = subprocess.Popen(
            command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_ready(url, server)
            _throughput(url, query, 2, 1)  # warm up
            one = _throughput(url, query, args.requests, 1)
            two = _throughput(url, query, args.requests, 2)
        finally:
            server.terminate()
            server.wait()
    print(
        f"`{args.query}` over HTTP on {args.triples:,}-triple data: one client "
        f"{one:.2f} queries/s, two clients {two:.2f} queries/s ({two / one:.2f}x)"
    )


if __name__ == "__main__":
    main()
