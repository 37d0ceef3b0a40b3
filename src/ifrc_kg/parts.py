"""A report's part of the corpus dumps, serialised (and gzip-compressed) once, in its worker.

The whole dumps are concatenations (``assemble.py``): a head (the graphs every report
shares), then each report's part in the build's order (country, year, kind), then a tail.
No global sort is needed, so an incremental build copies bytes instead of re-serialising.

A report's union triples split in two by subject:

- *own*: subjects the report mints (``id/report/ISO3/KEY``, ``id/dataset/…``,
  ``id/observation/…``, ``graph/ISO3/KEY``), which no other report describes: written in the
  worker in every format, gzip members included (``part.<format>`` and ``part.<format>.gz``);
- *others*: everything else (operations, places, societies, findings), which several reports
  may state: ``others.nt`` and, for the quads, ``others.nq`` (what the report adds to the
  reference graph and its findings), each line with an 8-byte key (BLAKE2b of the line). The
  assembly keeps each such statement once, where it first appears (head first, then the
  reports in order): a set, deterministic, computed from the keys alone
  (``first_occurrences``); the kept lines are serialised at assembly time and cached.

Assumed, not checked: no report states a triple about another report's own resources (the
mapping never does: a report's graph describes its own report, data sets and observations,
and the shared resources it names); if one did, that triple would be in ``graph.nt`` twice.

gzip: a dump's ``.gz`` is the gzip members of its chunks, one after the other (RFC 1952
§2.2: a gzip file is a series of members; ``gzip -d``, zlib's ``gunzip`` and Python's
``gzip`` read them as one stream), each member with mtime 0 and no file name, so the bytes
are stable.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMATS = ("nq", "nt", "ttl", "trig", "jsonld")
#: Part of the key of every chunk the assembly caches: bumped when their layout changes.
CHUNK_FORMAT = b"chunks-1"
GZIP_LEVEL = 6
_RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: bytes of a statement's key (BLAKE2b); 64 bits: for 10^7 distinct statements the chance
#: that two share a key is about 3 in 10^6
KEY_BYTES = 8


def gzip_member(data: bytes) -> bytes:
    """One gzip member with stable bytes (mtime 0, no file name); empty data, no member."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0) if data else b""


@functools.lru_cache(maxsize=1)
def link_predicates() -> frozenset[bytes]:
    """The predicates of link triples (``graph/links.py``), as N-Triples terms."""
    from ifrc_kg.graph.links import TARGETS

    return frozenset(f"<{p}>".encode() for target in TARGETS for p in target.predicates)


def line_key(line: bytes) -> bytes:
    return hashlib.blake2b(line, digest_size=KEY_BYTES).digest()


def keys_of(lines: Iterable[bytes]) -> bytes:
    """The 8-byte keys of statement lines (without their newline), concatenated."""
    return b"".join(line_key(line) for line in lines)


def own_prefixes(base: str, iso3: str, key: str) -> tuple[str, ...]:
    """IRIs (with ``<``) under which a report mints its own resources; a subject is the
    report's own when it is one of them or continues with ``/``, ``#`` or ``>``."""
    iso = iso3.lower()
    return tuple(
        f"<{base}{path}"
        for path in (
            f"id/report/{iso}/{key}",
            f"id/dataset/{iso}/{key}",
            f"id/observation/{iso}/{key}",
            f"graph/{iso}/{key}",
        )
    )


def is_own(line: bytes, prefixes: Sequence[bytes]) -> bool:
    subject = line[: line.index(b" ")]
    for prefix in prefixes:
        if subject.startswith(prefix) and subject[len(prefix) : len(prefix) + 1] in (
            b">",
            b"/",
            b"#",
        ):
            return True
    return False


# --- counts -----------------------------------------------------------------------------------


@dataclass
class ChunkCounts:
    """What the catalog counts in one chunk of union triples (``entities``: distinct IRI
    subjects of an own part; the others' subjects are counted over the whole)."""

    triples: int = 0
    entities: int = 0
    #: the chunk's quads (in graph.nq)
    quads: int = 0
    classes: Counter[str] | None = None
    properties: Counter[str] | None = None
    links: list[str] | None = None

    @classmethod
    def of(
        cls, lines: Sequence[bytes], link_predicates: frozenset[bytes], quads: int = 0
    ) -> ChunkCounts:
        classes: Counter[str] = Counter()
        properties: Counter[str] = Counter()
        links: list[str] = []
        subjects = set()
        for line in lines:
            subject, predicate, rest = line.split(b" ", 2)
            if subject.startswith(b"<"):
                subjects.add(subject)
            properties[predicate[1:-1].decode()] += 1
            if predicate == _RDF_TYPE and rest.startswith(b"<"):
                classes[rest[1 : rest.index(b">")].decode()] += 1
            if predicate in link_predicates:
                links.append(line.decode())
        return cls(len(lines), len(subjects), quads, classes, properties, links)

    def to_json(self) -> bytes:
        body = {
            "triples": self.triples,
            "entities": self.entities,
            "quads": self.quads,
            "classes": dict(sorted((self.classes or {}).items())),
            "properties": dict(sorted((self.properties or {}).items())),
            "links": self.links or [],
        }
        return json.dumps(body, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> ChunkCounts:
        body = json.loads(data)
        return cls(
            body["triples"],
            body["entities"],
            body["quads"],
            Counter(body["classes"]),
            Counter(body["properties"]),
            list(body["links"]),
        )


def subject_keys(lines: Iterable[bytes]) -> bytes:
    """The keys of the IRI subjects of triple lines (a zero key for a blank node)."""
    out = []
    for line in lines:
        subject = line[: line.index(b" ")]
        out.append(line_key(subject) if subject.startswith(b"<") else bytes(KEY_BYTES))
    return b"".join(out)


# --- a chunk in every format --------------------------------------------------------------


def chunk_files(
    name: str, triples: Sequence[bytes], quads: Sequence[bytes], trig: bytes, context: bytes
) -> dict[str, bytes]:
    """``name.<format>`` and ``name.<format>.gz`` of a report's chunk: sorted triple and quad
    lines (without newlines) and the TriG of the quads; each text starts with what separates
    it from the chunk before (a blank line in Turtle and TriG, a comma in JSON-LD)."""
    from ifrc_kg.dumps import JsonLdCompactor, turtle_chunk

    nt = b"".join(line + b"\n" for line in triples)
    nodes = JsonLdCompactor(json.loads(context)).nodes(nt) if triples else []
    texts = {
        "nq": b"".join(line + b"\n" for line in quads),
        "nt": nt,
        "ttl": b"\n" + turtle_chunk(nt) if triples else b"",
        "trig": b"\n" + trig if trig else b"",
        "jsonld": "".join(",\n" + node for node in nodes).encode("utf-8"),
    }
    files = {}
    for fmt, data in texts.items():
        files[f"{name}.{fmt}"] = data
        files[f"{name}.{fmt}.gz"] = gzip_member(data)
    return files


def piece_part_files(
    base: str,
    iso3: str,
    key: str,
    own_quads: Sequence[bytes],
    other_quads: Sequence[bytes],
    union: Sequence[bytes],
    context: bytes,
    link_predicates: frozenset[bytes],
) -> dict[str, bytes]:
    """A report's own part in every format, and its other statements with their keys.

    ``own_quads``: the report graph's quads; ``other_quads``: its quads in the shared named
    graphs (reference additions, findings); ``union``: its union triples; all sorted lines
    without newlines.
    """
    from ifrc_kg.dumps import trig_chunk

    prefixes = [p.encode() for p in own_prefixes(base, iso3, key)]
    own: list[bytes] = []
    others: list[bytes] = []
    for line in union:
        (own if is_own(line, prefixes) else others).append(line)
    trig = trig_chunk(b"".join(q + b"\n" for q in own_quads)) if own_quads else b""
    files = chunk_files("part", own, own_quads, trig, context)
    files["part.json"] = ChunkCounts.of(own, link_predicates, len(own_quads)).to_json()
    # every statement of the report's other triples, for its own dump (reports/ISO3-KEY.*)
    whole = chunk_files("others", others, (), b"", context)
    files["others.ttl"], files["others.jsonld"] = whole["others.ttl"], whole["others.jsonld"]
    files["others.nt"] = b"".join(line + b"\n" for line in others)
    files["others.nt.keys"] = keys_of(others)
    files["others.nt.subjects"] = subject_keys(others)
    files["others.nq"] = b"".join(line + b"\n" for line in other_quads)
    files["others.nq.keys"] = keys_of(other_quads)
    return files


# --- keeping each shared statement once --------------------------------------------------------


def first_occurrences(key_sets: Sequence[bytes]) -> list[np.ndarray]:
    """For each sequence of keys, which of its statements come first in the whole sequence
    (a boolean mask each): a statement seen in an earlier set, or earlier in the same one, is
    dropped. The order is the build's, so the result does not depend on a sort of the text."""
    arrays = [np.frombuffer(keys, dtype="<u8") for keys in key_sets]
    if not arrays:
        return []
    allkeys = np.concatenate(arrays)
    keep = np.zeros(len(allkeys), dtype=bool)
    if len(allkeys):
        _, first = np.unique(allkeys, return_index=True)
        keep[first] = True
    masks, start = [], 0
    for array in arrays:
        masks.append(keep[start : start + len(array)])
        start += len(array)
    return masks


def distinct_count(key_sets: Sequence[bytes], masks: Sequence[np.ndarray]) -> int:
    """The number of distinct non-zero keys among the kept positions."""
    kept = [
        np.frombuffer(keys, dtype="<u8")[mask] for keys, mask in zip(key_sets, masks, strict=True)
    ]
    if not kept:
        return 0
    unique = np.unique(np.concatenate(kept))
    return int(np.count_nonzero(unique))


def read_lines(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().split(b"\n") if line]
