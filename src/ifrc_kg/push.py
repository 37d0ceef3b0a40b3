"""Push a build into any triple store that speaks the SPARQL 1.1 Graph Store HTTP Protocol.

Each named graph of the build is replaced whole with ``PUT <gsp>?graph=<iri>`` (GSP §5.3,
indirect graph identification §4.2): one graph per report, the vocabulary and reference
graphs, the data-quality findings (``<base>graph/findings``, a named graph of the build's
dataset like the others), the dataset description (``void.ttl`` as ``<base>graph/catalog``,
as the embedded server loads it) and the union of the dataset's graphs as a set
(``<base>graph/union``). The union is what
``serve --sparql`` queries as its default graph: stores such as Virtuoso answer a query
without a dataset over every graph as a bag (a triple in two graphs comes back twice), and
SPARQL's default graph is a set, as the embedded store makes it (``store.materialise_union``).

Only changed graphs are sent. A graph's checksum is the SHA-256 of its sorted N-Triples;
the checksums of the last push to a store are kept in a state file (default
``$XDG_CACHE_HOME/ifrc-kg/push/<sha256 of the GSP URL>.json``, outside ``dist/`` because a
build replaces ``dist/`` whole). A graph the previous push sent that the build no longer has
is deleted. The state is written after every successful request, so a push that fails half
way knows exactly what reached the store. The first refused request stops the push: it is
named with the store's answer, and the graphs not yet sent stay as they were in the store
(the union, sent last, is not replaced while any graph failed).
``--all`` ignores the state (a store that was emptied or loaded by someone else).

Credentials come from the environment only: ``IFRC_KG_PUSH_USER``,
``IFRC_KG_PUSH_PASSWORD`` and ``IFRC_KG_PUSH_AUTH`` (``basic``, the default, or ``digest``:
Virtuoso's ``/sparql-graph-crud-auth`` wants digest).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from ifrc_kg.errors import IfrcKgError
from ifrc_kg.store import graph_file

log = logging.getLogger(__name__)

#: The graph names this module adds to the build's own graphs (relative to the base).
CATALOG_GRAPH = "graph/catalog"
UNION_GRAPH = "graph/union"
NTRIPLES = "application/n-triples"
BODY_EXCERPT = 300


class PushError(IfrcKgError):
    """A push that could not be done: a bad build, a bad target, or a refusing store."""


@dataclass(frozen=True)
class PublishedGraph:
    """One named graph of a build, serialised as sorted N-Triples."""

    iri: str
    ntriples: bytes
    triples: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.ntriples).hexdigest()


@dataclass
class PushResult:
    """What one push did, graph by graph."""

    sent: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --- the build's graphs ------------------------------------------------------------------


def _checked(dist: Path, name: str, sums: dict[str, str]) -> Path:
    """A file of the build, its checksum compared with ``SHA256SUMS`` (a damaged or
    half-copied dist must not reach the store)."""
    path = dist / name
    expected = sums.get(name)
    if expected is None:
        raise PushError(f"{dist / 'SHA256SUMS'}: no checksum for {name}")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise PushError(f"{path}: checksum differs from SHA256SUMS (damaged or partial build)")
    return path


def _sums(dist: Path) -> dict[str, str]:
    path = dist / "SHA256SUMS"
    if not path.is_file():
        raise PushError(f"{dist}: no SHA256SUMS (not a build made by `ifrc-kg build`)")
    sums: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise PushError(f"{path}:{number}: expected '<sha256>  <file>'")
        sums[name] = digest
    return sums


def _line(triple: ox.Triple) -> str:
    return f"{triple.subject} {triple.predicate} {triple.object} .\n"


def _graph(iri: str, lines: set[str]) -> PublishedGraph:
    return PublishedGraph(iri, "".join(sorted(lines)).encode("utf-8"), len(lines))


def _parse(path: Path, rdf_format: ox.RdfFormat) -> Iterator[ox.Quad]:
    try:
        yield from ox.parse(path=str(path), format=rdf_format)
    except SyntaxError as error:
        raise PushError(f"{path}: {error}") from error


def published_graphs(dist: Path) -> list[PublishedGraph]:
    """Every graph a push sends for ``dist``, the union last.

    The build's dataset file (``graph.trig``/``graph.nq``) and ``void.ttl`` are checked
    against ``SHA256SUMS`` first.
    """
    if not dist.is_dir():
        raise PushError(f"{dist}: no such build directory")
    manifest_path = dist / "manifest.json"
    try:
        base = json.loads(manifest_path.read_text(encoding="utf-8"))["base"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PushError(f"{manifest_path}: cannot read the build's base IRI ({error})") from error
    sums = _sums(dist)
    try:
        dataset_file = graph_file(dist)
    except IfrcKgError as error:
        raise PushError(str(error)) from error
    dataset_path = _checked(dist, dataset_file.name, sums)
    rdf_format = ox.RdfFormat.from_extension(dataset_path.suffix.lstrip("."))
    by_graph: dict[str, set[str]] = {}
    for quad in _parse(dataset_path, rdf_format):
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise PushError(f"{dataset_path}: a statement outside any named graph: {quad}")
        by_graph.setdefault(quad.graph_name.value, set()).add(_line(quad.triple))
    catalog = _checked(dist, "void.ttl", sums)
    by_graph[base + CATALOG_GRAPH] = {
        _line(quad.triple) for quad in _parse(catalog, ox.RdfFormat.TURTLE)
    }
    union: set[str] = set().union(*by_graph.values())
    graphs = [_graph(iri, lines) for iri, lines in sorted(by_graph.items())]
    graphs.append(_graph(base + UNION_GRAPH, union))
    return graphs


# --- state of the last push to a store ---------------------------------------------------


def default_state_path(gsp_url: str) -> Path:
    """Where the checksums of the last push to ``gsp_url`` are kept, one file per store."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(gsp_url.encode("utf-8")).hexdigest()[:32]
    return cache / "ifrc-kg" / "push" / f"{key}.json"


def read_state(path: Path, gsp_url: str) -> dict[str, str]:
    """Graph IRI → checksum of what the store holds from earlier pushes (empty: none)."""
    if not path.is_file():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        graphs = state["graphs"]
        store = state["store"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        message = f"{path}: unreadable push state ({error}); remove it or use --all"
        raise PushError(message) from error
    if store != gsp_url:
        raise PushError(f"{path}: push state of another store ({store}); use another --state")
    return {str(iri): str(digest) for iri, digest in graphs.items()}


def write_state(path: Path, gsp_url: str, graphs: dict[str, str]) -> None:
    """Replace the state file atomically (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"store": gsp_url, "graphs": dict(sorted(graphs.items()))}, indent=1)
    handle, temporary = tempfile.mkstemp(prefix=".push-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(body + "\n")
    os.replace(temporary, path)


# --- the protocol ------------------------------------------------------------------------


def auth_from_env(environ: dict[str, str] | None = None) -> httpx.Auth | None:
    """Basic or digest credentials from ``IFRC_KG_PUSH_USER`` / ``_PASSWORD`` / ``_AUTH``.

    >>> auth_from_env({}) is None
    True
    >>> type(auth_from_env({"IFRC_KG_PUSH_USER": "dba", "IFRC_KG_PUSH_PASSWORD": "x"})).__name__
    'BasicAuth'
    """
    env = os.environ if environ is None else environ
    user = env.get("IFRC_KG_PUSH_USER")
    if not user:
        return None
    password = env.get("IFRC_KG_PUSH_PASSWORD", "")
    scheme = env.get("IFRC_KG_PUSH_AUTH", "basic").lower()
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    if scheme == "basic":
        return httpx.BasicAuth(user, password)
    raise PushError(f"IFRC_KG_PUSH_AUTH={scheme!r}: expected 'basic' or 'digest'")


def _answer(response: httpx.Response) -> str:
    """The store's answer in one line: status and the start of its body."""
    text = " ".join(response.text.split())
    excerpt = text[:BODY_EXCERPT] + ("…" if len(text) > BODY_EXCERPT else "")
    return f"{response.status_code} {response.reason_phrase}" + (f": {excerpt}" if excerpt else "")


def _check_url(gsp_url: str) -> None:
    if not gsp_url.startswith(("http://", "https://")):
        raise PushError(f"--to {gsp_url!r}: expected the store's Graph Store URL (http/https)")


def push(
    dist: Path,
    gsp_url: str,
    *,
    state_path: Path | None = None,
    send_all: bool = False,
    auth: httpx.Auth | None = None,
    timeout_s: float = 600.0,
    progress: Callable[[str], None] | None = None,
) -> PushResult:
    """Replace the store's copy of every changed graph of ``dist``; see the module doc.

    Raises ``PushError`` for a bad build or state file before anything is sent; a store
    that refuses or cannot be reached is reported in the result (``failed``, ``errors``).
    """
    _check_url(gsp_url)
    state_path = state_path or default_state_path(gsp_url)
    graphs = published_graphs(dist)
    state = {} if send_all else read_state(state_path, gsp_url)
    held = dict(state)
    result = PushResult()
    note = progress or (lambda message: None)
    with httpx.Client(auth=auth, timeout=timeout_s) as client:

        def send(method: str, graph_iri: str, body: bytes | None = None) -> bool:
            headers = {"Content-Type": NTRIPLES} if body is not None else {}
            try:
                response = client.request(
                    method, gsp_url, params={"graph": graph_iri}, content=body, headers=headers
                )
            except httpx.HTTPError as error:
                answer = f"no answer ({type(error).__name__}: {error})"
            else:
                if response.is_success or (method == "DELETE" and response.status_code == 404):
                    return True
                answer = _answer(response)
            result.failed.append(graph_iri)
            result.errors.append(f"{method} {graph_iri}: the store answered {answer}")
            return False

        for graph in graphs:
            if result.failed:
                break  # a refusing store is not asked again; the rest stays as it was
            if not send_all and state.get(graph.iri) == graph.sha256:
                result.unchanged.append(graph.iri)
                continue
            note(f"PUT {graph.iri} ({graph.triples} triples)")
            if send("PUT", graph.iri, graph.ntriples):
                result.sent.append(graph.iri)
                held[graph.iri] = graph.sha256
                write_state(state_path, gsp_url, held)
        current = {graph.iri for graph in graphs}
        for graph_iri in sorted(set(state) - current):
            if result.failed:
                break
            note(f"DELETE {graph_iri} (no longer in the build)")
            if send("DELETE", graph_iri):
                result.deleted.append(graph_iri)
                held.pop(graph_iri, None)
                write_state(state_path, gsp_url, held)
    return result
