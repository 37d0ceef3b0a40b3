"""The corpus from its pieces: dumps, counts, links and the on-disk store, streamed.

Each report's piece (``pipeline.py``) holds its triples sorted and serialised. The whole is
assembled without ever holding it in memory: N-Triples and N-Quads are k-way merges of the
sorted piece files (sorted, no duplicates), Turtle / TriG / JSON-LD are the pieces' chunks
under one header, in a fixed order, and the VoID counts and the link triples are gathered
while the merged N-Triples stream by. Since every byte comes from a cached piece and the
order is fixed, an incremental build writes the same bytes as a full one.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from ifrc_kg.dumps import (
    JsonLdCompactor,
    canonical_lines,
    jsonld_document,
    merge_sorted,
    prefix_header,
    trig_chunk,
    turtle_chunk,
)
from ifrc_kg.graph.catalog import GraphStats
from ifrc_kg.pipeline import Piece, shared_reference_lines

#: The on-disk store of a build (RocksDB, for ``serve``), relative to the build directory.
STORE_DIR = "store"
DUMPS = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "graph.nq")
_RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
GZIP_LEVEL = 6
#: A piece's sorted N-Quads: its report graph, what it adds to the reference graph, and its
#: part of ``<base>graph/findings``.
PIECE_QUADS = ("report.nq", "reference.nq", "findings.nq")
#: The graphs every report shares, in the shared and labels directories.
_SHARED = ("vocabulary", "reference", "labels")


@dataclass(frozen=True)
class Shared:
    """The graphs every report shares: the vocabulary and the common reference entities."""

    directory: Path
    vocabulary_iri: str
    reference_iri: str
    findings_iri: str
    #: ``<base>graph/labels``, chosen across the build's pieces (``with_labels``)
    labels_iri: str = ""
    labels_directory: Path | None = None

    def file(self, name: str) -> Path:
        if name.startswith("labels.") and self.labels_directory is not None:
            return self.labels_directory / name
        return self.directory / name


def shared_piece(base: str, cache_root: Path, fingerprint: str, context: bytes) -> Shared:
    """Serialise the vocabulary graph and the shared reference graph once per code version."""
    from ifrc_kg.findings import findings_graph_iri
    from ifrc_kg.graph import vocabulary_graph_iri
    from ifrc_kg.graph.links import reference_graph_iri
    from ifrc_kg.graph.vocabulary import vocabulary_graph
    from ifrc_kg.uris import Iris

    key = hashlib.sha256(f"{fingerprint}\0{base}\0".encode() + context).hexdigest()
    directory = cache_root / "shared" / key
    vocabulary_iri = str(vocabulary_graph_iri(base))
    reference_iri = str(reference_graph_iri(Iris(base)))
    findings_iri = str(findings_graph_iri(base))
    shared = Shared(directory, vocabulary_iri, reference_iri, findings_iri)
    if (directory / "done").is_file():
        return shared
    dataset = Dataset()
    named = dataset.graph(URIRef(vocabulary_iri))
    named += vocabulary_graph(base)
    vocabulary = canonical_lines(dataset.serialize(format="nquads", encoding="utf-8"), NQ)
    reference = sorted(shared_reference_lines(base))
    compactor = JsonLdCompactor(json.loads(context))
    files = _graph_files("vocabulary", vocabulary, vocabulary_iri, compactor)
    files |= _graph_files("reference", reference, reference_iri, compactor)
    _write_directory(directory, files)
    return shared


def _graph_files(
    name: str, quads: list[bytes], iri: str, compactor: JsonLdCompactor
) -> dict[str, bytes]:
    """One named graph's sorted N-Quads as ``name.{nq,nt,ttl,jsonl,trig}`` chunks."""
    suffix = f" <{iri}> .".encode()
    triples = sorted({q[: -len(suffix)] + b" ." for q in quads})
    nt = b"".join(t + b"\n" for t in triples)
    nq = b"".join(q + b"\n" for q in quads)
    return {
        f"{name}.nq": nq,
        f"{name}.nt": nt,
        f"{name}.ttl": turtle_chunk(nt),
        f"{name}.jsonl": "".join(n + "\n" for n in compactor.nodes(nt)).encode(),
        f"{name}.trig": trig_chunk(nq),
    }


def _write_directory(directory: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a temporary directory, marked done, and rename it into place."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.parent.name}.", dir=_parent(directory)))
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    (tmp / "done").write_text("ok\n")
    try:
        tmp.rename(directory)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def with_labels(
    shared: Shared, pieces: Sequence[Piece], base: str, cache_root: Path, context: bytes
) -> Shared:
    """The build-wide labels of resources the reports name (``graph.labels``), chosen over
    every piece's printed names, as ``labels.*`` files (cached by their content)."""
    from ifrc_kg.graph.labels import add_labels, labels_graph_iri

    iri = labels_graph_iri(base)
    dataset = Dataset()
    graph = dataset.graph(iri)
    add_labels(graph, (name for piece in pieces for name in piece.printed))
    data = dataset.serialize(format="nquads", encoding="utf-8") if len(graph) else b""
    quads = canonical_lines(data, NQ) if data else []
    key = hashlib.sha256(b"\n".join(quads) + b"\0" + context).hexdigest()
    directory = cache_root / "labels" / key
    if not (directory / "done").is_file():
        compactor = JsonLdCompactor(json.loads(context))
        _write_directory(directory, _graph_files("labels", quads, str(iri), compactor))
    return dataclasses.replace(shared, labels_iri=str(iri), labels_directory=directory)


NQ = ox.RdfFormat.N_QUADS


def _parent(directory: Path) -> Path:
    directory.parent.mkdir(parents=True, exist_ok=True)
    return directory.parent


# --- writing a dump and its .gz twin at once -------------------------------------------------


class Twin:
    """Writes ``name`` and ``name.gz`` (gzip mtime 0, no file name: stable bytes) together."""

    def __init__(self, root: Path, name: str) -> None:
        self.path = root / name
        self._plain: IO[bytes] = self.path.open("wb")
        self._raw: IO[bytes] = (root / f"{name}.gz").open("wb")
        self._gzip = gzip.GzipFile(
            filename="", mode="wb", fileobj=self._raw, compresslevel=GZIP_LEVEL, mtime=0
        )

    def write(self, data: bytes) -> None:
        if data:
            self._plain.write(data)
            self._gzip.write(data)

    def close(self) -> None:
        self._plain.close()
        self._gzip.close()
        self._raw.close()

    def __enter__(self) -> Twin:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _read_lines(path: Path) -> Iterator[str]:
    with path.open("r", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line.rstrip("\n")


# --- counting while streaming ------------------------------------------------------------------


@dataclass
class Counts:
    """VoID counts and link triples, gathered from the sorted union N-Triples."""

    link_predicates: frozenset[bytes]
    triples: int = 0
    #: statements of graph.nq (the named graphs)
    quads: int = 0
    entities: int = 0
    classes: Counter[URIRef] = field(default_factory=Counter)
    properties: Counter[bytes] = field(default_factory=Counter)
    links: list[bytes] = field(default_factory=list)
    _subject: bytes = b""

    def add(self, line: bytes) -> None:
        subject, predicate, rest = line.split(b" ", 2)
        self.triples += 1
        if subject != self._subject:
            self._subject = subject
            self.entities += subject.startswith(b"<")
        self.properties[predicate] += 1
        if predicate == _RDF_TYPE and rest.startswith(b"<"):
            self.classes[URIRef(rest[1 : rest.index(b">")].decode())] += 1
        if predicate in self.link_predicates:
            self.links.append(line)

    def stats(self) -> GraphStats:
        properties: Counter[URIRef] = Counter(
            {URIRef(p[1:-1].decode()): n for p, n in self.properties.items()}
        )
        return GraphStats(self.triples, self.entities, Counter(self.classes), properties)

    def link_dataset(self) -> Dataset:
        """The link triples as a small dataset (for ``links.nt`` and the VoID linksets)."""
        dataset = Dataset()
        data = b"".join(line + b"\n" for line in self.links)
        if data:
            dataset.graph(URIRef("urn:ifrc-kg:links")).parse(data=data, format="nt")
        return dataset


@functools.lru_cache(maxsize=1)
def link_predicates() -> frozenset[bytes]:
    from ifrc_kg.graph.links import TARGETS

    return frozenset(f"<{p}>".encode() for target in TARGETS for p in target.predicates)


# --- the dumps ----------------------------------------------------------------------------


def write_dumps(root: Path, shared: Shared, pieces: Sequence[Piece], context: bytes) -> Counts:
    """``graph.{nq,nt,ttl,trig,jsonld}`` and their ``.gz`` twins, from the pieces."""
    counts = Counts(link_predicates())
    with Twin(root, "graph.nq") as out:
        sources = [shared.file(f"{name}.nq") for name in _SHARED]
        for piece in pieces:
            sources += [piece.file_of(name) for name in PIECE_QUADS]
        for line in merge_sorted(sources):
            counts.quads += 1
            out.write(line)
    with Twin(root, "graph.nt") as out:
        sources = [shared.file(f"{name}.nt") for name in _SHARED]
        sources += [piece.file_of("union.nt") for piece in pieces]
        for line in merge_sorted(sources):
            counts.add(line.rstrip(b"\n"))
            out.write(line)
    header = prefix_header()
    with Twin(root, "graph.ttl") as out:
        out.write(header)
        chunks = [shared.file(f"{name}.ttl") for name in _SHARED]
        for path in chunks + [piece.file_of("union.ttl") for piece in pieces]:
            out.write(b"\n" + path.read_bytes())
    with Twin(root, "graph.trig") as out:
        out.write(header)
        for _, chunk in sorted(_trig_chunks(shared, pieces), key=lambda item: item[0]):
            out.write(b"\n" + chunk())
    with Twin(root, "graph.jsonld") as out:
        node_files = [shared.file(f"{name}.jsonl") for name in _SHARED]
        node_files += [piece.file_of("union.jsonl") for piece in pieces]
        for data in jsonld_document(json.loads(context), (_read_lines(p) for p in node_files)):
            out.write(data)
    return counts


def _trig_chunks(shared: Shared, pieces: Sequence[Piece]) -> Iterable[tuple[str, Any]]:
    """(graph IRI, chunk loader) of every named graph; TriG blocks go in graph IRI order."""
    yield shared.vocabulary_iri, lambda: shared.file("vocabulary.trig").read_bytes()

    def reference() -> bytes:
        sources = [shared.file("reference.nq")] + [p.file_of("reference.nq") for p in pieces]
        return trig_chunk(b"".join(merge_sorted(sources)))

    yield shared.reference_iri, reference
    if shared.labels_iri and shared.file("labels.trig").stat().st_size:
        yield shared.labels_iri, lambda: shared.file("labels.trig").read_bytes()

    found = [p.file_of("findings.nq") for p in pieces if p.file_of("findings.nq").stat().st_size]
    if found:  # <base>graph/findings: every report's findings, one named graph
        yield shared.findings_iri, lambda: trig_chunk(b"".join(merge_sorted(found)))
    for piece in pieces:
        assert piece.entry is not None
        yield piece.entry.graph, functools.partial(piece.file_of("report.trig").read_bytes)


def report_dump_name(iso3: str, key: str, suffix: str) -> str:
    """``reports/mli-2023.ttl`` (``mli-2023-mid-year.ttl``): one report's dump, for a user
    who wants one country."""
    return f"reports/{iso3.lower()}-{key}{suffix}"


def _own_labels(shared: Shared, piece: Piece) -> tuple[bytes, bytes]:
    """The build's labels (N-Triples, N-Quads) of the resources this report names."""
    if not shared.labels_iri:
        return b"", b""
    subjects = {f"<{name.subject}> ".encode() for name in piece.printed}
    nq = shared.file("labels.nq").read_bytes().splitlines(keepends=True)
    nt = shared.file("labels.nt").read_bytes().splitlines(keepends=True)
    return (
        b"".join(line for line in nt if line.startswith(tuple(subjects))) if subjects else b"",
        b"".join(line for line in nq if line.startswith(tuple(subjects))) if subjects else b"",
    )


def write_report_dumps(root: Path, piece: Piece, context: bytes, shared: Shared) -> None:
    """One report's graph (with the reference entities it adds, its findings and the build's
    labels of the resources it names) as Turtle, JSON-LD, N-Quads."""
    assert piece.entry is not None
    iso3, key = piece.entry.iso3, piece.entry.key
    (root / "reports").mkdir(exist_ok=True)
    labels_nt, labels_nq = _own_labels(shared, piece)
    turtle = prefix_header() + b"\n" + piece.file_of("union.ttl").read_bytes()
    if labels_nt:
        turtle += b"\n" + turtle_chunk(labels_nt)
    (root / report_dump_name(iso3, key, ".ttl")).write_bytes(turtle)
    compactor = JsonLdCompactor(json.loads(context))
    nodes = [_read_lines(piece.file_of("union.jsonl")), iter(compactor.nodes(labels_nt))]
    document = b"".join(jsonld_document(json.loads(context), nodes))
    (root / report_dump_name(iso3, key, ".jsonld")).write_bytes(document)
    quads = b"".join(piece.file_of(name).read_bytes() for name in PIECE_QUADS) + labels_nq
    lines = sorted(line for line in quads.splitlines(keepends=True) if line.strip())
    (root / report_dump_name(iso3, key, ".nq")).write_bytes(b"".join(lines))


# --- the on-disk store -----------------------------------------------------------------------


def write_store(root: Path, catalog_graph: str | None = None) -> Path:
    """The build's pyoxigraph (RocksDB) store: every named graph, and their union, as a set,
    in the default graph (what the server queries by default).

    With ``catalog_graph``, ``void.ttl`` (the dataset's description) goes into that named
    graph and the union too, so ``serve`` opens the store read-only and adds nothing.
    """
    path = root / STORE_DIR
    store = ox.Store(str(path))
    store.bulk_load(path=str(root / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(
        path=str(root / "graph.nt"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph()
    )
    catalog = root / "void.ttl"
    if catalog_graph is not None and catalog.is_file():
        for graph in (ox.NamedNode(catalog_graph), ox.DefaultGraph()):
            store.bulk_load(path=str(catalog), format=ox.RdfFormat.TURTLE, to_graph=graph)
    store.flush()
    store.optimize()
    del store
    return path


def open_store(dist: Path) -> ox.Store:
    """The on-disk store of a build, opened read-only (several processes may share it)."""
    from ifrc_kg.store import StoreLoadError

    path = dist / STORE_DIR
    if not path.is_dir():
        raise StoreLoadError(f"{dist}: no {STORE_DIR}/ (run `ifrc-kg build` first)")
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        raise StoreLoadError(f"{path}: cannot open the store: {error}") from error
