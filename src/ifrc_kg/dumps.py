"""Deterministic RDF serialisations: the same triples always give the same bytes.

rdflib's Turtle writer follows the store's iteration order, which depends on insertion
order and string hashing, so two builds of the same input could differ byte for byte.
``turtle`` sorts (subjects, then predicates with ``rdf:type`` first, then objects, each by
a total order on RDF terms) for the small files of a build (``void.ttl``,
``validation.ttl``). The dumps of the corpus are written from pyoxigraph's sorted lines, a
report at a time (``parts.py``): Turtle and TriG chunks under one prefix header, JSON-LD
node objects compacted with the published context and written in the streaming profile's
key order.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ifrc_kg.datacube import union_graph
from ifrc_kg.namespaces import PREFIXES

#: Conservative PN_LOCAL (Turtle §6.5): anything else is written as a full IRI.
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def term_key(term: Node) -> tuple[int, str, str, str]:
    """A total order on RDF terms: IRIs, then blank nodes, then literals."""
    if isinstance(term, URIRef):
        return (0, str(term), "", "")
    if isinstance(term, BNode):
        return (1, str(term), "", "")
    if isinstance(term, Literal):
        return (2, str(term), str(term.datatype or ""), term.language or "")
    return (3, str(term), "", "")


class _Names:
    """Prefixed names for IRIs, remembering which prefixes were used."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # Longest namespace first, so ``sdmx-dimension:`` wins over a shorter match.
        self._by_length = sorted(prefixes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        self.used: dict[str, str] = {}

    def iri(self, iri: URIRef) -> str:
        text = str(iri)
        for prefix, namespace in self._by_length:
            if text.startswith(namespace) and _LOCAL.match(text[len(namespace) :]):
                self.used[prefix] = namespace
                return f"{prefix}:{text[len(namespace) :]}"
        return "<" + _escape_iri(text) + ">"

    def term(self, term: Node) -> str:
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, BNode):
            return f"_:{term}"
        if isinstance(term, Literal):
            lexical = '"' + "".join(_ESCAPES.get(ch, ch) for ch in str(term)) + '"'
            if term.language:
                return f"{lexical}@{term.language}"
            if term.datatype is not None and term.datatype != XSD.string:
                return f"{lexical}^^{self.iri(term.datatype)}"
            return lexical
        raise TypeError(f"cannot write {term!r} in Turtle")

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.used.items()))


def _escape_iri(text: str) -> str:
    return "".join(
        f"\\u{ord(ch):04X}" if ch in '<>"{}|^`\\' or ord(ch) <= 0x20 else ch for ch in text
    )


def _subject_blocks(graph: Graph, names: _Names) -> list[str]:
    blocks = []
    for subject in sorted(set(graph.subjects()), key=term_key):
        predicates = sorted(
            set(graph.predicates(subject)), key=lambda p: (p != RDF.type, term_key(p))
        )
        parts = []
        for predicate in predicates:
            objects = sorted(graph.objects(subject, predicate), key=term_key)
            verb = "a" if predicate == RDF.type else names.iri(predicate)
            rendered = [names.term(o) for o in objects]
            line = f"    {verb} " + ", ".join(rendered)
            if len(rendered) > 1 and len(line) > 100:
                line = f"    {verb}\n        " + ",\n        ".join(rendered)
            parts.append(line)
        blocks.append(names.term(subject) + "\n" + " ;\n".join(parts) + " .\n")
    return blocks


def _prefix_map(extra: Mapping[str, str] | None) -> dict[str, str]:
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    prefixes.update(extra or {})
    return prefixes


def turtle(graph: Graph, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Sorted Turtle of a graph (or of the union of a dataset's graphs)."""
    names = _Names(_prefix_map(prefixes))
    body = "\n".join(_subject_blocks(union_graph(graph), names))
    return (names.header() + "\n" + body).encode("utf-8")


# --- streaming, per-report serialisation (the corpus build) ----------------------------------
#
# The corpus build serialises each report once, in a worker, through pyoxigraph's Rust
# writers, and assembles the whole from those pieces without holding the corpus in memory:
# every dump is a concatenation of per-report chunks after the shared graphs (``parts.py``;
# Turtle, TriG and JSON-LD all allow a subject to be described in several places); the
# shared graphs' triples are a k-way merge of their sorted files.


def canonical_lines(data: bytes, fmt: ox.RdfFormat) -> list[bytes]:
    """N-Triples / N-Quads as pyoxigraph writes them, sorted, without duplicates.

    Every line of every dump goes through the same writer, so equal statements are equal
    bytes and a k-way merge of sorted files is a sorted union.
    """
    lines = ox.serialize(ox.parse(data, fmt), format=fmt).splitlines()
    return sorted({line for line in lines if line.strip()})


def merge_sorted(paths: Sequence[Path]) -> Iterator[bytes]:
    """The sorted union of sorted line files (one line at a time: memory stays flat)."""
    files = [path.open("rb") for path in paths]
    try:
        previous = None
        for line in heapq.merge(*files):
            if line != previous:
                yield line
                previous = line
    finally:
        for handle in files:
            handle.close()


def _header_free(data: bytes) -> bytes:
    """A pyoxigraph Turtle/TriG chunk without its ``@prefix`` lines."""
    lines = data.splitlines(keepends=True)
    return b"".join(line for line in lines if not line.startswith(b"@prefix "))


def prefix_header(prefixes: Mapping[str, str] | None = None) -> bytes:
    """The ``@prefix`` lines every Turtle/TriG chunk is written under, in a fixed order."""
    mapping = _prefix_map(prefixes)
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(mapping.items())).encode()


def turtle_chunk(ntriples_data: bytes, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Turtle of sorted N-Triples, written by pyoxigraph, without the prefix header."""
    triples = ox.parse(ntriples_data, ox.RdfFormat.N_TRIPLES)
    out = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_prefix_map(prefixes))
    return _header_free(out)


def trig_chunk(nquads_data: bytes, prefixes: Mapping[str, str] | None = None) -> bytes:
    """TriG blocks of sorted N-Quads, written by pyoxigraph, without the prefix header."""
    quads = ox.parse(nquads_data, ox.RdfFormat.N_QUADS)
    out = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefix_map(prefixes))
    return _header_free(out)


def streaming_profile(node: object) -> object:
    """A JSON-LD node with its keys in the order the streaming profile asks for: ``@context``,
    ``@type`` (or the alias ``type``), ``@id`` (``id``), then the rest, at every level.

    >>> streaming_profile({"label": "x", "id": "ex:a", "type": "ex:T"})
    {'type': 'ex:T', 'id': 'ex:a', 'label': 'x'}
    """
    if isinstance(node, list):
        return [streaming_profile(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {key: streaming_profile(node[key]) for key in sorted(node, key=_profile_order)}


_FIRST = ("@context", "@type", "type", "@id", "id")
#: kinds of object besides a literal's datatype, for ``JsonLdCompactor._form``
_IRI, _BLANK, _TAGGED = "iri", "blank", "tagged"


def _profile_order(key: str) -> tuple[int, str]:
    return (_FIRST.index(key) if key in _FIRST else len(_FIRST), key)


class JsonLdCompactor:
    """Compacts node objects with the published context, without a JSON-LD processor.

    pyld's general compaction took 22 % of a one-report build; the graph only needs the
    simple cases, so this picks, for each property, the shortest term of the context whose
    definition fits the value (no container but ``@set``, a matching ``@type`` coercion),
    else a compact IRI, else the IRI itself; values a term does not coerce are written as
    value objects, which every context expands the same way. Tests check that pyld expands
    the result to the very same triples.
    """

    def __init__(self, context: Mapping[str, Any]) -> None:
        inner = context.get("@context", context)
        self.context: Mapping[str, Any] = inner if isinstance(inner, Mapping) else {}
        self.prefixes: list[tuple[str, str]] = []
        self.terms: dict[str, list[tuple[str, str | None]]] = {}
        self.id_key, self.type_key = "@id", "@type"
        simple: dict[str, str] = {}
        for term, definition in self.context.items():
            if term.startswith("@"):
                continue
            if definition == "@id":
                self.id_key = term
                continue
            if definition == "@type":
                self.type_key = term
                continue
            if isinstance(definition, str) and ":" not in term:
                simple[term] = definition
        for term, iri in simple.items():
            if iri.endswith(("/", "#")):
                self.prefixes.append((term, iri))
        self.prefixes.sort(key=lambda item: (-len(item[1]), item[0]))
        for term, definition in sorted(self.context.items(), key=lambda kv: (len(kv[0]), kv[0])):
            if term.startswith("@") or ":" in term:
                continue
            if isinstance(definition, str):
                iri, coercion = definition, None
            elif isinstance(definition, Mapping):
                if definition.get("@container", "@set") != "@set" or "@reverse" in definition:
                    continue
                if "@context" in definition or "@language" in definition:
                    continue
                iri, coercion = definition.get("@id", ""), definition.get("@type")
            else:
                continue
            if not iri or iri.startswith("@"):
                continue
            self.terms.setdefault(self.expand(iri), []).append((term, coercion))
        self.types = {iri: ts[0][0] for iri, ts in self.terms.items() if ts[0][1] is None}
        self._forms: dict[tuple[str, str], tuple[str, str | None]] = {}

    def expand(self, value: str) -> str:
        prefix, _, local = value.partition(":")
        if local and not local.startswith("//"):
            for term, iri in self.prefixes:
                if term == prefix:
                    return iri + local
        return value

    def iri(self, iri: str) -> str:
        """A compact IRI for ``@id`` values (document-relative IRIs are never used)."""
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace) :]
                if not local.startswith("//") and _LOCAL.match(local):
                    return f"{prefix}:{local}"
        return iri

    def _value(self, term: ox.NamedNode | ox.Literal, coercion: str | None) -> Any:
        if isinstance(term, ox.NamedNode):
            if coercion == "@id":
                return self.iri(term.value)
            return {"@id": self.iri(term.value)}
        if isinstance(term, ox.BlankNode):
            return {"@id": f"_:{term.value}"}
        datatype = term.datatype.value
        if term.language:
            return {"@language": term.language, "@value": term.value}
        if coercion not in (None, "@id", "@vocab") and self.expand(coercion) == datatype:
            return term.value
        if datatype == str(XSD.string):
            if coercion is None and "@language" not in self.context:
                return term.value
            return {"@value": term.value}
        return {"@type": self.iri(datatype), "@value": term.value}

    def _key(self, predicate: str, term: Any) -> tuple[str, str | None]:
        for name, coercion in self.terms.get(predicate, ()):
            if coercion in (None, "@id", "@vocab") and isinstance(term, ox.NamedNode):
                return name, "@id" if coercion == "@id" else None
            if coercion is None or (
                isinstance(term, ox.Literal)
                and not term.language
                and coercion not in ("@id", "@vocab")
                and self.expand(coercion) == term.datatype.value
            ):
                return name, coercion
        return self.iri(predicate), None

    def nodes(self, ntriples_data: bytes) -> list[str]:
        """One compact JSON node object (text) per subject of sorted N-Triples.

        What ``_key`` and ``_value`` decide depends only on the predicate and the kind of
        object (IRI, blank node, tagged literal, literal of a datatype), so it is decided once
        for each and kept (``_forms``); compact IRIs are kept for the call. Value objects are
        built with their keys already in the streaming profile's order.
        """
        out: list[str] = []
        node: dict[str, Any] = {}
        subject = None
        compact: dict[str, str] = {}
        rdf_type = str(RDF.type)
        for triple in ox.parse(ntriples_data, ox.RdfFormat.N_TRIPLES):
            if triple.subject != subject:
                if node:
                    out.append(self._dump(node))
                subject = triple.subject
                node = {self.id_key: self.iri(subject.value)}
            predicate, term = triple.predicate.value, triple.object
            if isinstance(term, ox.NamedNode):
                iri = compact.get(term.value)
                if iri is None:
                    iri = compact[term.value] = self.iri(term.value)
                if predicate == rdf_type:
                    node.setdefault(self.type_key, []).append(self.types.get(term.value) or iri)
                    continue
                key, form = self._form(predicate, term, _IRI)
                value: Any = iri if form == "@id" else {"@id": iri}
            elif isinstance(term, ox.Literal):
                if term.language:
                    key, _ = self._form(predicate, term, _TAGGED)
                    value = {"@language": term.language, "@value": term.value}
                else:
                    key, form = self._form(predicate, term, term.datatype.value)
                    if form is None:
                        value = term.value
                    elif form == "@value":
                        value = {"@value": term.value}
                    else:
                        value = {"@type": form, "@value": term.value}
            else:
                key, _ = self._form(predicate, term, _BLANK)
                value = {"@id": f"_:{term.value}"}
            node.setdefault(key, []).append(value)
        if node:
            out.append(self._dump(node))
        return out

    def _form(self, predicate: str, term: Any, kind: str) -> tuple[str, str | None]:
        """The key of ``predicate`` for objects of ``kind`` and how their values are
        written: for IRIs ``"@id"`` (a coerced string) or None (``{"@id": …}``); for literals
        of a datatype None (the bare value), ``"@value"`` or the datatype's compact IRI
        (``{"@type": …, "@value": …}``)."""
        found = self._forms.get((predicate, kind))
        if found is None:
            key, coercion = self._key(predicate, term)
            if kind == _IRI:
                form = "@id" if coercion == "@id" else None
            elif kind in (_TAGGED, _BLANK):
                form = None
            else:
                value = self._value(term, coercion)
                form = None if isinstance(value, str) else value.get("@type", "@value")
            found = self._forms[(predicate, kind)] = (key, form)
        return found

    def _dump(self, node: dict[str, Any]) -> str:
        for key, values in node.items():
            if len(values) == 1:
                node[key] = values[0]
        ordered = {key: node[key] for key in sorted(node, key=_profile_order)}
        return json.dumps(ordered, ensure_ascii=False)


def jsonld_document(
    context: Mapping[str, Any], node_chunks: Iterable[Iterable[str]]
) -> Iterator[bytes]:
    """A JSON-LD document (context inline, one ``@graph``) from node-object chunks, streamed."""
    context_object = context.get("@context", context)
    head = json.dumps(context_object, ensure_ascii=False, indent=2, sort_keys=True)
    yield f'{{\n"@context": {head},\n"@graph": [\n'.encode()
    first = True
    for chunk in node_chunks:
        for node in chunk:
            yield (node if first else ",\n" + node).encode("utf-8")
            first = False
    yield b"\n]\n}\n"
