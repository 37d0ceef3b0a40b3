"""The corpus from its pieces: dumps, counts and the on-disk store, without a global sort.

Every whole dump is a concatenation (``parts.py``): a head holding the graphs every report
shares, then for each report, in the build's order (country, year, kind), its own part,
serialised in its worker, and the chunk of its other statements that no earlier chunk holds;
a JSON-LD tail. The ``.gz`` twins are the same chunks' gzip members. Nothing is held in
memory but the statements' 8-byte keys, and every byte comes from a cache keyed by content,
so an incremental build writes the same bytes as a full one, at the speed of a copy.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyoxigraph as ox
from rdflib import Dataset, URIRef

from ifrc_kg import parts
from ifrc_kg.corpus_store import STORE_DIR, open_store
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
from ifrc_kg.parts import FORMATS
from ifrc_kg.pipeline import Piece, shared_reference_lines

DUMPS = tuple(f"graph.{fmt}" for fmt in FORMATS)
#: re-exported: the store's directory and its reader, where callers have always found them
__all__ = ["DUMPS", "STORE_DIR", "Counts", "Shared", "open_store", "write_dumps"]
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
    files = _graph_files("vocabulary", vocabulary, vocabulary_iri)
    files |= _graph_files("reference", reference, reference_iri)
    write_cache_directory(directory, files)
    return shared


def _graph_files(name: str, quads: list[bytes], iri: str) -> dict[str, bytes]:
    """One named graph's sorted N-Quads as ``name.{nq,nt,trig}`` chunks."""
    suffix = f" <{iri}> .".encode()
    triples = sorted({q[: -len(suffix)] + b" ." for q in quads})
    nq = b"".join(q + b"\n" for q in quads)
    return {
        f"{name}.nq": nq,
        f"{name}.nt": b"".join(t + b"\n" for t in triples),
        f"{name}.trig": trig_chunk(nq),
    }


def write_cache_directory(directory: Path, files: dict[str, bytes]) -> None:
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
    key = hashlib.sha256(
        b"\n".join(quads) + b"\0" + context + shared.directory.name.encode()  # the code's
    ).hexdigest()
    directory = cache_root / "labels" / key
    if not (directory / "done").is_file():
        write_cache_directory(directory, _graph_files("labels", quads, str(iri)))
    return dataclasses.replace(shared, labels_iri=str(iri), labels_directory=directory)


NQ = ox.RdfFormat.N_QUADS


def _parent(directory: Path) -> Path:
    directory.parent.mkdir(parents=True, exist_ok=True)
    return directory.parent


# --- the head of every dump: the graphs every report shares ----------------------------------


@dataclass(frozen=True)
class Head:
    """``head.<format>`` (and ``.gz``): the shared graphs, first in every dump; ``tail.jsonld``
    closes the JSON-LD document; the keys of the head's statements, for ``first_occurrences``."""

    directory: Path

    def file(self, name: str) -> Path:
        return self.directory / name


def head_chunks(shared: Shared, cache_root: Path, context: bytes) -> Head:
    """The head of the dumps (vocabulary, reference and labels graphs), cached by content."""
    names = [shared.file(f"{name}.nq") for name in _SHARED]
    # the shared directory's name holds the code's fingerprint: the prefixes are the code's
    digest = hashlib.sha256(parts.CHUNK_FORMAT + shared.directory.name.encode() + context)
    for path in names:
        digest.update(path.read_bytes())
    directory = cache_root / "head" / digest.hexdigest()
    if (directory / "done").is_file():
        return Head(directory)
    quads = [line for path in names for line in parts.read_lines(path)]
    merged = merge_sorted([shared.file(f"{name}.nt") for name in _SHARED])
    triples = [line.rstrip(b"\n") for line in merged]
    trig = b"\n".join(shared.file(f"{name}.trig").read_bytes() for name in _SHARED)
    files = parts.chunk_files("head", triples, quads, trig, context)
    header = prefix_header()
    files["head.ttl"] = header + files["head.ttl"]
    files["head.trig"] = header + files["head.trig"]
    opening = b"".join(jsonld_document(json.loads(context), []))
    opening = opening[: opening.rindex(b"[") + 2]  # '{"@context": …, "@graph": [\n'
    files["head.jsonld"] = opening + files["head.jsonld"].removeprefix(b",\n")
    files["tail.jsonld"] = b"\n]\n}\n"
    for fmt in ("ttl", "trig", "jsonld"):
        files[f"head.{fmt}.gz"] = parts.gzip_member(files[f"head.{fmt}"])
    files["tail.jsonld.gz"] = parts.gzip_member(files["tail.jsonld"])
    files["head.nt.keys"] = parts.keys_of(triples)
    files["head.nt.subjects"] = parts.subject_keys(triples)
    files["head.nq.keys"] = parts.keys_of(quads)
    head_counts = parts.ChunkCounts.of(triples, parts.link_predicates(), len(quads))
    files["head.json"] = head_counts.to_json()
    write_cache_directory(directory, files)
    return Head(directory)


# --- each report's shared statements, kept once --------------------------------------------


def others_chunks(
    piece: Piece, nt_kept: np.ndarray, nq_kept: np.ndarray, cache_root: Path, context: bytes
) -> Path:
    """The chunk of a report's other statements that no earlier chunk holds, in every format,
    cached by the report's key and which of its statements are kept."""
    digest = hashlib.sha256(parts.CHUNK_FORMAT + piece.key.encode())
    digest.update(np.packbits(nt_kept).tobytes() + b"\0" + np.packbits(nq_kept).tobytes())
    key = digest.hexdigest()
    directory = cache_root / "others" / key[:2] / key
    if (directory / "done").is_file():
        return directory
    triples = [t for t, kept in zip(_lines(piece, "others.nt"), nt_kept, strict=True) if kept]
    quads = [q for q, kept in zip(_lines(piece, "others.nq"), nq_kept, strict=True) if kept]
    trig = trig_chunk(b"".join(q + b"\n" for q in quads)) if quads else b""
    files = parts.chunk_files("others", triples, quads, trig, context)
    chunk = parts.ChunkCounts.of(triples, parts.link_predicates(), len(quads))
    chunk.entities = 0  # the others' subjects are counted over the whole (write_dumps)
    files["others.json"] = chunk.to_json()
    write_cache_directory(directory, files)
    return directory


def _lines(piece: Piece, name: str) -> list[bytes]:
    return parts.read_lines(piece.file_of(name))


# --- the dumps: concatenations ------------------------------------------------------------------


@dataclass
class Counts:
    """VoID counts and link triples of the union (``entities``: distinct IRI subjects)."""

    triples: int = 0
    #: statements of graph.nq (the named graphs)
    quads: int = 0
    entities: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    properties: Counter[str] = field(default_factory=Counter)
    links: list[str] = field(default_factory=list)
    #: (bytes, SHA-256) of each file written, by name
    files: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: the N-Quads files of the statements outside report graphs (head, each kept chunk)
    chunks: list[Path] = field(default_factory=list)

    @classmethod
    def of_union(cls, lines: Sequence[bytes]) -> Counts:
        """The counts of sorted, distinct union triple lines (without newlines)."""
        chunk = parts.ChunkCounts.of(lines, parts.link_predicates())
        counts = cls()
        counts.add(chunk)
        return counts

    def add(self, chunk: parts.ChunkCounts) -> None:
        self.triples += chunk.triples
        self.quads += chunk.quads
        self.entities += chunk.entities
        self.classes.update(chunk.classes or {})
        self.properties.update(chunk.properties or {})
        self.links += chunk.links or []

    def stats(self) -> GraphStats:
        classes = Counter({URIRef(iri): n for iri, n in self.classes.items()})
        properties = Counter({URIRef(iri): n for iri, n in self.properties.items()})
        return GraphStats(self.triples, self.entities, classes, properties)

    def link_dataset(self) -> Dataset:
        """The link triples as a small dataset (for ``links.nt`` and the VoID linksets)."""
        dataset = Dataset()
        data = "".join(line + "\n" for line in sorted(self.links))
        if data:
            dataset.graph(URIRef("urn:ifrc-kg:links")).parse(data=data, format="nt")
        return dataset


def _concatenate(out: Path, sources: Sequence[Path]) -> tuple[int, str]:
    """Copy ``sources`` one after the other into ``out``; its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    with out.open("wb") as target:
        for source in sources:
            with source.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    target.write(block)
                    digest.update(block)
                    size += len(block)
    return size, digest.hexdigest()


def write_dumps(
    root: Path, shared: Shared, pieces: Sequence[Piece], context: bytes, cache_root: Path
) -> Counts:
    """``graph.{nq,nt,ttl,trig,jsonld}`` and their ``.gz`` twins: the head, each report's own
    part and its other statements kept once, (JSON-LD) the tail; the ten files are written
    in parallel threads (copying and hashing release the GIL)."""
    head = head_chunks(shared, cache_root, context)
    nt_keys = [head.file("head.nt.keys").read_bytes()]
    nq_keys = [head.file("head.nq.keys").read_bytes()]
    subjects = [head.file("head.nt.subjects").read_bytes()]
    for piece in pieces:
        nt_keys.append(piece.file_of("others.nt.keys").read_bytes())
        nq_keys.append(piece.file_of("others.nq.keys").read_bytes())
        subjects.append(piece.file_of("others.nt.subjects").read_bytes())
    nt_kept, nq_kept = parts.first_occurrences(nt_keys), parts.first_occurrences(nq_keys)
    counts = Counts()
    counts.add(parts.ChunkCounts.from_json(head.file("head.json").read_bytes()))
    counts.entities = parts.distinct_count(subjects, nt_kept)  # the others' subjects
    chunks: list[tuple[Path, Path]] = []  # (own part, others) directories of each report
    counts.chunks.append(head.file("head.nq"))
    for index, piece in enumerate(pieces, 1):
        others = others_chunks(piece, nt_kept[index], nq_kept[index], cache_root, context)
        counts.add(parts.ChunkCounts.from_json(piece.file_of("part.json").read_bytes()))
        counts.add(parts.ChunkCounts.from_json((others / "others.json").read_bytes()))
        chunks.append((Path(piece.directory), others))
        counts.chunks.append(others / "others.nq")

    def sources(fmt: str, suffix: str) -> list[Path]:
        listed = [head.file(f"head.{fmt}{suffix}")]
        for part, others in chunks:
            listed += [part / f"part.{fmt}{suffix}", others / f"others.{fmt}{suffix}"]
        if fmt == "jsonld":
            listed.append(head.file(f"tail.jsonld{suffix}"))
        return listed

    jobs = {
        f"graph.{fmt}{suffix}": sources(fmt, suffix) for fmt in FORMATS for suffix in ("", ".gz")
    }
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        done = {name: pool.submit(_concatenate, root / name, paths) for name, paths in jobs.items()}
        counts.files = {name: future.result() for name, future in done.items()}
    return counts


# --- one report's dumps -------------------------------------------------------------------------


def report_dump_name(iso3: str, key: str, suffix: str) -> str:
    """``reports/mli-2023.ttl`` (``mli-2023-mid-year.ttl``): one report's dump, for a user
    who wants one country."""
    return f"reports/{iso3.lower()}-{key}{suffix}"


def _labels_by_subject(shared: Shared) -> tuple[dict[bytes, list[bytes]], dict[bytes, list[bytes]]]:
    """The build's label lines (N-Triples, N-Quads) grouped by subject."""
    grouped: tuple[dict[bytes, list[bytes]], dict[bytes, list[bytes]]] = ({}, {})
    if not shared.labels_iri:
        return grouped
    for group, name in zip(grouped, ("labels.nt", "labels.nq"), strict=True):
        for line in parts.read_lines(shared.file(name)):
            group.setdefault(line[: line.index(b" ")], []).append(line)
    return grouped


def write_report_dumps(
    root: Path, pieces: Sequence[Piece], context: bytes, shared: Shared, cache_root: Path
) -> dict[str, tuple[int, str]]:
    """Each report's graph (with the reference entities it adds, its findings and the build's
    labels of the resources it names) as Turtle, JSON-LD, N-Quads: made once per content in
    the cache and hard-linked into the build. Returns (bytes, SHA-256) by file name."""
    labels_nt, labels_nq = _labels_by_subject(shared)
    written: dict[str, tuple[int, str]] = {}
    (root / "reports").mkdir(exist_ok=True)
    for piece in pieces:
        assert piece.entry is not None
        subjects = sorted({f"<{name.subject}>".encode() for name in piece.printed})
        own_nt = b"".join(line + b"\n" for s in subjects for line in labels_nt.get(s, ()))
        own_nq = [line for s in subjects for line in labels_nq.get(s, ())]
        digest = hashlib.sha256(parts.CHUNK_FORMAT + piece.key.encode() + b"\0" + own_nt)
        digest.update(b"\0" + context)
        key = digest.hexdigest()
        directory = cache_root / "report-dumps" / key[:2] / key
        if not (directory / "done").is_file():
            write_cache_directory(directory, _report_dump_files(piece, context, own_nt, own_nq))
        sums = json.loads((directory / "sums.json").read_text(encoding="utf-8"))
        for suffix in (".ttl", ".jsonld", ".nq"):
            name = report_dump_name(piece.entry.iso3, piece.entry.key, suffix)
            link_or_copy(directory / f"dump{suffix}", root / name)
            written[name] = tuple(sums[suffix])  # type: ignore[assignment]
    return written


def _report_dump_files(
    piece: Piece, context: bytes, labels_nt: bytes, labels_nq: list[bytes]
) -> dict[str, bytes]:
    own_and_others = [piece.file_of(f"{n}.ttl").read_bytes() for n in ("part", "others")]
    turtle = prefix_header() + b"".join(own_and_others)
    if labels_nt:
        turtle += b"\n" + turtle_chunk(labels_nt)
    nodes = piece.file_of("part.jsonld").read_bytes() + piece.file_of("others.jsonld").read_bytes()
    compactor = JsonLdCompactor(json.loads(context))
    nodes += "".join(",\n" + node for node in compactor.nodes(labels_nt)).encode("utf-8")
    opening, tail = b"".join(jsonld_document(json.loads(context), [])).rsplit(b"[\n", 1)
    document = opening + b"[\n" + nodes.removeprefix(b",\n") + tail
    quads = parts.read_lines(piece.file_of("part.nq")) + parts.read_lines(
        piece.file_of("others.nq")
    )
    nquads = b"".join(line + b"\n" for line in sorted(quads + labels_nq))
    files = {"dump.ttl": turtle, "dump.jsonld": document, "dump.nq": nquads}
    sums = {
        name.removeprefix("dump"): (len(data), hashlib.sha256(data).hexdigest())
        for name, data in files.items()
    }
    files["sums.json"] = json.dumps(sums, sort_keys=True).encode()
    return files


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link to a cached file (never written again: pieces are immutable), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
