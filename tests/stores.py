"""Real external triple stores for the tests, each on free ports of 127.0.0.1.

- Oxigraph's server (the ``oxigraph`` package from PyPI): ``oxigraph serve --location DIR``;
  SPARQL at ``/query``, Graph Store Protocol at ``/store`` (no authentication).
- Virtuoso (Debian's ``virtuoso-opensource``, installed by ``make stores``): a minimal
  ``virtuoso.ini`` in a temporary directory, ``virtuoso-t +foreground``; a push user with
  the ``SPARQL_UPDATE`` role is made through ``isql-vt``; SPARQL at ``/sparql``, the Graph
  Store Protocol at ``/sparql-graph-crud-auth`` (digest authentication).

Readiness is polled (an HTTP query that answers), never assumed after a sleep.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
PUSH_USER = "ifrckg_push"
#: The engines' own query time limit: a query the front end abandoned stops there too.
ENGINE_TIMEOUT_S = 20
PUSH_PASSWORD = "push-secret"


@dataclass
class ExternalStore:
    """A running store: where to query it, where to push to it, how to authenticate."""

    name: str
    query_url: str
    gsp_url: str
    process: subprocess.Popen
    log: Path
    push_env: dict[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_ready(store: ExternalStore, seconds: float = 120) -> None:
    give_up = time.monotonic() + seconds
    while True:
        if store.process.poll() is not None:
            output = store.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{store.name} exited with {store.process.returncode}: {output}")
        try:
            answer = httpx.get(store.query_url, params={"query": "ASK {}"}, timeout=5)
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > give_up:
            stop(store)
            raise RuntimeError(f"{store.name} did not answer within {seconds:g} s")
        threading.Event().wait(0.1)  # poll interval, not a readiness assumption


def start_oxigraph(directory: Path) -> ExternalStore:
    """``oxigraph serve`` over a fresh on-disk store in ``directory``."""
    port = free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                str(directory / "data"),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout-s",
                str(ENGINE_TIMEOUT_S),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    store = ExternalStore("oxigraph", url + "/query", url + "/store", process, log)
    _wait_until_ready(store)
    return store


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = {dirs_allowed}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 8
MaxClientConnections = 8
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {result_rows}
MaxQueryExecutionTime = {timeout}
MaxQueryCostEstimationTime = 400
"""


def virtuoso_ini(
    directory: Path,
    sql_port: int,
    http_port: int,
    buffers: int = 20_000,
    result_rows: int = 1_000_000,
    timeout_s: int = ENGINE_TIMEOUT_S,
    load_dir: Path | None = None,
) -> str:
    """A minimal configuration: both listeners on 127.0.0.1, files under ``directory``.

    ``buffers`` are 8 KiB pages of cache (Virtuoso's guide: about 2/3 of the memory given to
    it); 20,000 is 160 MiB, plenty for the tests' few reports. ``load_dir`` is a directory
    the bulk loader (``ld_dir``) may read, for the benchmark.
    """
    return VIRTUOSO_INI.format(
        dir=directory,
        sql_port=sql_port,
        http_port=http_port,
        buffers=buffers,
        dirty_buffers=buffers * 3 // 5,
        timeout=timeout_s,
        result_rows=result_rows,
        dirs_allowed=f"., {load_dir}" if load_dir else ".",
    )


def start_virtuoso(
    directory: Path, buffers: int = 20_000, result_rows: int = 1_000_000
) -> ExternalStore:
    """``virtuoso-t`` on a fresh database in ``directory``, with a push user; answers are cut
    (by Virtuoso, which says so in ``X-SPARQL-MaxRows``) at ``result_rows``."""
    if not Path(VIRTUOSO).is_file():
        raise RuntimeError("virtuoso-t not found: run `make stores` (Debian virtuoso-opensource)")
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(
        virtuoso_ini(directory, sql_port, http_port, buffers, result_rows), encoding="utf-8"
    )
    log = directory / "virtuoso-t.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{http_port}"
    store = ExternalStore(
        "virtuoso",
        url + "/sparql",
        url + "/sparql-graph-crud-auth",
        process,
        log,
        push_env={
            "IFRC_KG_PUSH_USER": PUSH_USER,
            "IFRC_KG_PUSH_PASSWORD": PUSH_PASSWORD,
            "IFRC_KG_PUSH_AUTH": "digest",
        },
    )
    _wait_until_ready(store)
    grants = (
        f"DB.DBA.USER_CREATE('{PUSH_USER}', '{PUSH_PASSWORD}'); "
        f'GRANT SPARQL_UPDATE TO "{PUSH_USER}";'
    )
    done = subprocess.run(
        [ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={grants}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 or "Error" in done.stdout + done.stderr:
        stop(store)
        raise RuntimeError(f"isql could not create the push user: {done.stdout}{done.stderr}")
    return store


def stop(store: ExternalStore) -> None:
    """Stop the store (SIGTERM; SIGKILL after 30 s)."""
    stop_process(store.process)


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to a process the tests or benches started; SIGKILL it after 30 s."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
