"""Helpers of the HTTP tests: real uvicorn servers on 127.0.0.1, free ports, one per
session; readiness is polled on /health.

- ``site``: the real build of ``data/reports/`` (``ifrc_kg.publish.build``), with a short
  query time limit (1 s) and small HTML pages so the guard tests are quick.
- ``w3c``: the W3C protocol test data (data1-3.nt as named graphs labelled as the manifest's
  ``ut:graphData`` says).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from tests.stores import free_port, stop_process

REPO = Path(__file__).resolve().parents[2]
W3C = Path(__file__).parent / "w3c"
SITE_TIMEOUT_S = 1.0
SITE_PAGE_ROWS = 50
SITE_MAX_BODY = 64_000


@dataclass
class RunningServer:
    url: str
    dist: Path
    process: subprocess.Popen

    def client(self, **kwargs) -> httpx.Client:  # type: ignore[no-untyped-def]
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)


def serve(
    dist: Path, env: dict[str, str] | None = None, *, own_base: bool = False
) -> RunningServer:
    """``ifrc-kg serve --dist DIST`` on a free port of 127.0.0.1, ready when /health answers.

    Settings come from ``IFRC_KG_*`` variables, as in a deployment; ``own_base`` configures
    the server's own URL as the base (for the W3C service-description tests).
    """
    port = free_port()
    if own_base:
        env = (env or {}) | {"IFRC_KG_BASE": f"http://127.0.0.1:{port}/"}
    command = [
        sys.executable,
        "-c",
        "from ifrc_kg.cli import main; main()",
        "serve",
        "--dist",
        str(dist),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    environment = os.environ | (env or {})
    handle, log_path = tempfile.mkstemp(prefix="ifrc-kg-serve-", suffix=".log")
    with os.fdopen(handle, "wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            command, env=environment, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    give_up = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            output = Path(log_path).read_text(errors="replace")
            raise RuntimeError(f"the test server exited with {process.returncode}: {output}")
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > give_up:
            process.kill()
            raise RuntimeError("the test server did not become ready")
        threading.Event().wait(0.05)  # poll interval, not a readiness assumption
    return RunningServer(url, dist, process)


def stop(running: RunningServer) -> None:
    stop_process(running.process, signal.SIGINT)


def w3c_graph_data() -> dict[str, str]:
    """File → graph name, from every ``ut:graphData`` of the protocol manifest."""
    from rdflib import Graph, Namespace
    from rdflib.namespace import RDFS

    ut = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
    manifest = W3C / "sparql11-protocol" / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    found: dict[str, str] = {}
    for data in graph.objects(None, ut.graphData):
        file = graph.value(data, ut.graph)
        name = graph.value(data, RDFS.label)
        found[Path(str(file)).name] = str(name)
    return found
