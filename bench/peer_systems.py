"""The three systems of ``bench.peers``, each started on 127.0.0.1 over the same quads.

Every system holds the build's named graphs plus their union, as a set, in the graph that
queries without ``FROM`` read: ``ifrc-kg serve`` materialises it itself; the Oxigraph server
(PyPI ``oxigraph``) gets the union as N-Triples loaded into its default graph; Virtuoso
(Debian ``virtuoso-opensource``) gets it in a graph of its own, named as
``default-graph-uri`` on every request (Virtuoso has no separate default graph).
Readiness is polled with a query that answers, never assumed after a sleep.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tests.stores import free_port, stop_process, virtuoso_ini

BIN = Path(sys.executable).parent
VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
#: The graph Virtuoso holds the union in; sent as ``default-graph-uri``.
UNION_GRAPH = "urn:ifrc-kg:bench:union"
#: Every system's query time limit: a query over it counts as an error in the table.
QUERY_TIMEOUT_S = 30
#: ifrc-kg's limits opened for a benchmark from one address (defaults: README "Security").
IFRC_KG_ENV = {
    "IFRC_KG_QUERY_TIMEOUT_S": str(QUERY_TIMEOUT_S),
    "IFRC_KG_CLIENT_QUERIES": "8",
    "IFRC_KG_SLOW_QUERY_S": "30",
    "IFRC_KG_QUERY_QUEUE_WAIT_S": "60",
}


@dataclass
class System:
    """A running system: where to send queries and the extra protocol parameters it needs."""

    name: str
    query_url: str
    process: subprocess.Popen
    params: dict[str, str] = field(default_factory=dict)
    load_s: float = 0.0
    log: Path | None = None


def wait_ready(system: System, limit_s: float = 900) -> None:
    give_up = time.monotonic() + limit_s
    while time.monotonic() < give_up:
        if system.process.poll() is not None:
            tail = system.log.read_text(errors="replace")[-1500:] if system.log else ""
            raise RuntimeError(f"{system.name} exited with {system.process.returncode}: {tail}")
        try:
            answer = httpx.post(
                system.query_url, data={"query": "ASK {}", **system.params}, timeout=5
            )
            if answer.status_code == 200:
                return
        except httpx.TransportError:
            pass
        threading.Event().wait(0.2)  # poll interval while it loads
    raise RuntimeError(f"{system.name} did not answer within {limit_s:g} s")


def union_triples(nquads: Path) -> Path:
    """The union of the named graphs as a set, as N-Triples next to ``nquads`` (cached)."""
    import pyoxigraph as ox

    out = nquads.with_suffix(".union.nt")
    if out.exists() and out.stat().st_mtime >= nquads.stat().st_mtime:
        return out
    triples = {quad.triple for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)}
    partial = out.with_suffix(".partial")
    ox.serialize(triples, output=str(partial), format=ox.RdfFormat.N_TRIPLES)
    partial.replace(out)
    return out


def with_catalog(nquads: Path, base: str = "https://w3id.org/ifrc-kg/") -> Path:
    """``nquads`` plus the VoID + DCAT description a build publishes with it (``void.ttl``, in
    the named graph ``<base>graph/catalog`` where ``serve`` puts it), written by the build's
    own code from the union of the graphs (cached next to ``nquads``). Every system loads
    this file, so all hold the same quads as a served build."""
    from datetime import UTC, datetime

    import pyoxigraph as ox

    from ifrc_kg.assemble import Counts
    from ifrc_kg.graph.catalog import describe_catalog

    out = nquads.with_suffix(".catalog.nq")
    if out.exists() and out.stat().st_mtime >= nquads.stat().st_mtime:
        return out
    quads = list(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    union = sorted({f"{q.subject} {q.predicate} {q.object} .".encode() for q in quads})
    counts = Counts.of_union(union)
    built = datetime.fromtimestamp(nquads.stat().st_mtime, UTC)
    catalog = describe_catalog(
        base=base, union=counts.stats(), reports=[], files=[], built=built, version="bench"
    )
    graph = ox.NamedNode(base + "graph/catalog")
    turtle = catalog.serialize(format="turtle").encode()
    quads += [
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)
    ]
    partial = out.with_suffix(".partial")
    ox.serialize(quads, output=str(partial), format=ox.RdfFormat.N_QUADS)
    partial.replace(out)
    return out


def build_like_dist(nquads: Path, union: Path, dist: Path) -> Path:
    """A build directory as ``ifrc-kg build`` leaves one at this size, from the same quads:
    ``graph.nq``, the on-disk store (the named graphs, and their union in the default
    graph), ``manifest.json`` with its count of quads and ``SHA256SUMS``. ``serve`` opens
    such a store read-only, as it does a real build's, instead of loading the dump into
    memory (it does that only for a build of at most ``IFRC_KG_MEMORY_QUADS``)."""
    import json

    import pyoxigraph as ox

    from ifrc_kg.outdir import file_sha256

    dist.mkdir()
    graph = dist / "graph.nq"
    shutil.copyfile(nquads, graph)  # a link out of the build is refused by its checks
    store = ox.Store(str(dist / "store"))
    store.bulk_load(path=str(graph), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(union), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    store.flush()
    store.optimize()
    del store

    with graph.open("rb") as lines:
        quads = sum(1 for line in lines if line.strip())
    entry = {"path": "graph.nq", "bytes": graph.stat().st_size, "sha256": file_sha256(graph)}
    manifest = dist / "manifest.json"
    manifest.write_text(json.dumps({"files": [entry], "quads": quads}), "utf-8")
    sums = f"{entry['sha256']}  graph.nq\n{file_sha256(manifest)}  manifest.json\n"
    (dist / "SHA256SUMS").write_text(sums, "utf-8")
    return dist


def inputs_of_build(dist: Path) -> tuple[list[Path], Path]:
    """The peers' files for a real build (``ifrc-kg build``'s ``dist/``): its ``graph.nq``
    (a hard link) plus its ``void.ttl`` in ``<base>graph/catalog`` (where ``serve`` has it),
    and the default graph of its store (the union of all those graphs as a set, catalog
    included, as ``serve`` answers it), side by side in bench/.cache (Virtuoso's loader
    reads one folder)."""
    import json

    import pyoxigraph as ox

    from bench.engines import CACHE

    base = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))["base"]
    folder = CACHE / "build"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.link(dist / "graph.nq", folder / "graph.nq")
    store = ox.Store.read_only(str(dist / "store"))
    store.dump(
        output=str(folder / "union.nt"), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()
    )
    del store
    catalog = ox.NamedNode(base + "graph/catalog")
    triples = ox.parse(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE)
    ox.serialize(
        (ox.Quad(t.subject, t.predicate, t.object, catalog) for t in triples),
        output=str(folder / "catalog.nq"),
        format=ox.RdfFormat.N_QUADS,
    )
    return [folder / "graph.nq", folder / "catalog.nq"], folder / "union.nt"


def start_ifrc_kg(
    quads: Sequence[Path], union: Path, work: Path, build: Path | None = None
) -> System:
    """``ifrc-kg serve`` on ``build`` (a real build), or on a build-like directory of the
    quads (``build_like_dist``), the time to write its store counting in the start-up time,
    as Oxigraph's load does."""
    started = time.perf_counter()
    dist = build or build_like_dist(quads[0], union, work / "dist")
    port = free_port()
    command = [str(BIN / "ifrc-kg"), "serve", "--dist", str(dist), "--port", str(port)]
    log = work / "ifrc-kg.log"
    with log.open("wb") as errors:
        process = subprocess.Popen(
            command, env=os.environ | IFRC_KG_ENV, stdout=subprocess.DEVNULL, stderr=errors
        )
    system = System("ifrc-kg", f"http://127.0.0.1:{port}/sparql", process, log=log)
    wait_ready(system)
    wait_verified(system)
    system.load_s = time.perf_counter() - started
    return system


def wait_verified(system: System, limit_s: float = 900) -> None:
    """Wait until ``serve`` has hashed the build's files (``/health``: no file pending).
    It answers queries meanwhile, but its checksum thread takes a core for a few seconds
    at a million quads (``server/verify.py``): part of its start-up, not of a query."""
    health = system.query_url.rsplit("/", 1)[0] + "/health"
    give_up = time.monotonic() + limit_s
    while time.monotonic() < give_up:
        files = httpx.get(health, timeout=5).json().get("files")
        if not files or not files["pending"]:
            return
        threading.Event().wait(0.2)  # poll interval while it hashes
    raise RuntimeError(f"{system.name} did not verify its files within {limit_s:g} s")


def start_oxigraph(quads: Sequence[Path], union: Path, work: Path) -> System:
    location = work / "oxigraph"
    started = time.perf_counter()
    for source in (*quads, union):  # one file at a time: the loader's threads share 2 cores
        subprocess.run(
            [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(source)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    port = free_port()
    command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout-s", str(QUERY_TIMEOUT_S)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    system = System("oxigraph", f"http://127.0.0.1:{port}/query", process)
    wait_ready(system)
    system.load_s = time.perf_counter() - started
    return system


def start_virtuoso(
    quads: Sequence[Path], union: Path, work: Path, buffers: int = 170_000
) -> System:
    """Virtuoso on a fresh database; ``buffers`` 8 KiB pages (170,000: 1.3 GiB of cache)."""
    if not Path(VIRTUOSO).is_file():
        raise RuntimeError("virtuoso-t not found: apt-get install virtuoso-opensource")
    directory = work / "virtuoso"
    directory.mkdir()
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(
        virtuoso_ini(
            directory,
            sql_port,
            http_port,
            buffers=buffers,
            timeout_s=QUERY_TIMEOUT_S,
            load_dir=union.parent.resolve(),
        ),
        encoding="utf-8",
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    system = System(
        "virtuoso",
        f"http://127.0.0.1:{http_port}/sparql",
        process,
        params={"default-graph-uri": UNION_GRAPH},
    )
    wait_ready(system)
    folder = str(union.parent.resolve())  # every file in one folder (the loader's setting)
    load = "".join(f"ld_dir('{folder}', '{q.name}', 'urn:ifrc-kg:bench:no-graph'); " for q in quads)
    load += f"ld_dir('{folder}', '{union.name}', '{UNION_GRAPH}'); rdf_loader_run(); checkpoint;"
    done = subprocess.run(
        [ISQL, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={load}"],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if done.returncode != 0 or "Error" in done.stdout + done.stderr:
        stop(system)
        raise RuntimeError(f"Virtuoso's bulk loader failed: {done.stdout}{done.stderr}")
    system.load_s = time.perf_counter() - started
    return system


def stop(system: System) -> None:
    """SIGTERM (SIGKILL after 30 s) to the process this module started."""
    stop_process(system.process)


def _tree(pid: int) -> list[int]:
    """The process and its descendants (ifrc-kg's query workers, their fork server)."""
    found, pids = [], [pid]
    while pids:
        current = pids.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids += [int(child) for child in children]
    return found


def _field_kib(path: str, name: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, summed, in MiB: pages the processes
    share (the store's files in the page cache, the fork server's) count once per process."""
    return sum(_field_kib(f"/proc/{p}/status", "VmRSS") for p in _tree(pid)) / 1024


def pss_mib(pid: int) -> float:
    """Proportional set size of a process and its children, summed, in MiB
    (``/proc/PID/smaps_rollup``): a page shared by n processes counts 1/n in each, so the
    sum is the memory the whole system really holds for them."""
    return sum(_field_kib(f"/proc/{p}/smaps_rollup", "Pss") for p in _tree(pid)) / 1024
