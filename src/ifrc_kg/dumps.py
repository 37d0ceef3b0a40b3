"""Deterministic RDF serialisations: the same triples always give the same bytes.

rdflib's Turtle, TriG and JSON-LD writers follow the store's iteration order, which
depends on insertion order and string hashing, so two builds of the same input could
differ byte for byte. These writers sort: subjects, then predicates (``rdf:type``
first), then objects, each by a total order on RDF terms; N-Triples and N-Quads are the
sorted lines of rdflib's own line-based output; JSON-LD is compacted by pyld (the
JSON-LD 1.1 reference algorithm) from a sorted expanded document and written with
sorted keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
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


def trig(dataset: Dataset, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Sorted TriG: one block per named graph, in graph-name order; default graph first."""
    names = _Names(_prefix_map(prefixes))
    chunks = []
    graphs = sorted(
        (g for g in dataset.graphs() if len(g)),
        key=lambda g: (g.identifier != dataset.default_graph.identifier, term_key(g.identifier)),
    )
    for graph in graphs:
        plain = Graph()
        for triple in graph:
            plain.add(triple)
        blocks = "\n".join(_subject_blocks(plain, names))
        if graph.identifier == dataset.default_graph.identifier:
            chunks.append(blocks)
        else:
            chunks.append(f"{names.term(graph.identifier)} {{\n{blocks}}}\n")
    return (names.header() + "\n" + "\n".join(chunks)).encode("utf-8")


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.splitlines() if line.strip()})
    return b"".join(line + b"\n" for line in lines)


def ntriples(graph: Graph) -> bytes:
    """Sorted N-Triples of a graph or of the union of a dataset's graphs."""
    union = union_graph(graph)
    return _sorted_lines(union.serialize(format="nt", encoding="utf-8"))


def nquads(dataset: Dataset) -> bytes:
    """Sorted N-Quads: every named graph kept."""
    return _sorted_lines(dataset.serialize(format="nquads", encoding="utf-8"))


# --- JSON-LD --------------------------------------------------------------------------------


def _expanded_value(term: Node) -> dict[str, Any]:
    if isinstance(term, URIRef):
        return {"@id": str(term)}
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    assert isinstance(term, Literal)
    value: dict[str, Any] = {"@value": str(term)}
    if term.language:
        value["@language"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        value["@type"] = str(term.datatype)
    return value


def expanded_jsonld(graph: Graph) -> list[dict[str, Any]]:
    """Expanded JSON-LD (one node object per subject), in term order."""
    nodes = []
    for subject in sorted(set(graph.subjects()), key=term_key):
        node: dict[str, Any] = {"@id": _expanded_value(subject)["@id"]}
        types = sorted(graph.objects(subject, RDF.type), key=term_key)
        if types:
            node["@type"] = [str(t) for t in types]
        for predicate in sorted(set(graph.predicates(subject)), key=term_key):
            if predicate == RDF.type:
                continue
            objects = sorted(graph.objects(subject, predicate), key=term_key)
            node[str(predicate)] = [_expanded_value(o) for o in objects]
        nodes.append(node)
    return nodes


def _list_keys(context: Mapping[str, Any]) -> set[str]:
    """Terms whose values are ordered lists (their arrays must not be re-sorted)."""
    keys = set()
    for term, definition in context.items():
        if isinstance(definition, Mapping) and definition.get("@container") == "@list":
            keys.add(term)
    return keys


def _canonical(value: Any, list_keys: set[str]) -> Any:
    """Sort the unordered arrays of a compacted document so its text is stable."""
    if isinstance(value, dict):
        return {
            key: (
                item
                if key in ("@context", "@list") or key in list_keys
                else _canonical(item, list_keys)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        items = [_canonical(item, list_keys) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def jsonld(graph: Graph, context: Mapping[str, Any]) -> bytes:
    """JSON-LD 1.1 of the union graph, compacted with ``context`` (inlined in the document).

    ``context`` is the parsed ``context.jsonld`` document (``{"@context": {...}}``) or
    the context object itself; the compacted output carries it inline, so the file is
    self-contained (no remote context to fetch).
    """
    from pyld import jsonld as pyld

    context_object = context.get("@context", context)
    expanded = expanded_jsonld(union_graph(graph))
    compacted = pyld.compact(expanded, {"@context": context_object}, {"graph": True})
    inner = context_object if isinstance(context_object, Mapping) else {}
    document = _canonical(compacted, _list_keys(inner))
    document["@context"] = context_object
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")
