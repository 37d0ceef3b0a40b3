"""What a resource page says: its statements, its hash-IRI parts, who links to it, labels.

All look-ups are indexed quad-pattern reads on the store (subject or object bound), so a
page costs a handful of index scans however large the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ifrc_kg.namespaces import PREFIXES
from ifrc_kg.store import GraphStore

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://schema.org/name",
    "http://xmlns.com/foaf/0.1/name",
    "http://www.w3.org/2004/02/skos/core#notation",
)
COMMENTS = (
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/description",
)
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
OA = "http://www.w3.org/ns/oa#"
LINE_START = PREFIXES["ifrckg"] + "lineStart"
LINE_END = PREFIXES["ifrckg"] + "lineEnd"


def curie(iri: str) -> str:
    """A prefixed name for display when a project prefix covers the IRI.

    >>> curie("http://www.w3.org/2004/02/skos/core#prefLabel")
    'skos:prefLabel'
    >>> curie("http://example.org/x")
    'http://example.org/x'
    """
    best = ""
    found = iri
    for prefix, namespace in PREFIXES.items():
        ns = str(namespace)
        if iri.startswith(ns) and len(ns) > len(best):
            local = iri[len(ns) :]
            if local and all(char.isalnum() or char in "-_." for char in local):
                best, found = ns, f"{prefix}:{local}"
    return found


def _values(store: GraphStore, subject: str, predicate: str) -> list[ox.Term]:
    quads = store.oxigraph.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)
    seen: dict = {}
    for quad in quads:
        seen.setdefault(quad.object, None)
    return list(seen)


def label(store: GraphStore, iri: str) -> str | None:
    """The best human label of a resource: English first, then any language, then none."""
    for predicate in LABELS:
        values = [
            value for value in _values(store, iri, predicate) if isinstance(value, ox.Literal)
        ]
        if values:
            english = [value for value in values if (value.language or "").startswith("en")]
            return (english or values)[0].value
    return None


def first_literal(store: GraphStore, iri: str, predicates: tuple[str, ...]) -> str | None:
    for predicate in predicates:
        for value in _values(store, iri, predicate):
            if isinstance(value, ox.Literal):
                return value.value
    return None


@dataclass
class Quote:
    """Where a figure was read: the exact text, its context and line span in the report."""

    exact: str
    prefix: str | None = None
    suffix: str | None = None
    line_start: str | None = None
    line_end: str | None = None
    source: str | None = None


@dataclass
class Description:
    """Everything one resource page (or its RDF twin) shows."""

    iri: str
    triples: list[ox.Triple] = field(default_factory=list)
    inbound: list[ox.Triple] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def types(self) -> list[str]:
        return [
            triple.object.value
            for triple in self.triples
            if triple.subject.value == self.iri
            and triple.predicate.value == RDF_TYPE
            and isinstance(triple.object, ox.NamedNode)
        ]

    def about(self, subject: str) -> list[ox.Triple]:
        return [triple for triple in self.triples if triple.subject.value == subject]


def describe(store: GraphStore, iri: str, *, inbound_limit: int = 300) -> Description:
    """The statements about ``iri`` and its hash parts (``iri#source`` and so on).

    Hash IRIs are described on their base document (the fragment never reaches the server),
    found by following links from the resource to IRIs that start with ``iri#``.
    """
    description = Description(iri)
    queue = [iri]
    seen = {iri}
    for part in store.hash_parts(iri):
        seen.add(part)
        description.parts.append(part)
        queue.append(part)
    while queue:
        subject = queue.pop(0)
        triples = store.triples_about(subject)
        description.triples.extend(triples)
        for triple in triples:
            target = triple.object
            if (
                isinstance(target, ox.NamedNode)
                and target.value.startswith(iri + "#")
                and target.value not in seen
            ):
                seen.add(target.value)
                description.parts.append(target.value)
                queue.append(target.value)
    description.inbound = [
        triple
        for triple in store.triples_pointing_to(iri, limit=inbound_limit)
        if not triple.subject.value.startswith(iri + "#")
    ]
    return description


def _squeeze(text: str | None) -> str | None:
    """Context around a quote, on one line: table cells in the text are separated by blank
    lines, which would only push the quote apart on the page.

    >>> _squeeze("71,936\\n\\nHealth and wellbeing\\n\\n\\n")
    '71,936 Health and wellbeing '
    """
    if text is None:
        return None
    squeezed = " ".join(text.split())
    if squeezed and text[:1].isspace():
        squeezed = " " + squeezed
    if squeezed and text[-1:].isspace():
        squeezed += " "
    return squeezed


def quotes(store: GraphStore, iri: str) -> list[Quote]:
    """The quoted source text of a figure: prov:wasDerivedFrom → oa:hasSelector → oa:exact."""
    found: list[Quote] = []
    for source in _values(store, iri, PROV_DERIVED):
        if not isinstance(source, ox.NamedNode):
            continue
        lines = {
            "line_start": first_literal(store, source.value, (LINE_START,)),
            "line_end": first_literal(store, source.value, (LINE_END,)),
        }
        origin = _values(store, source.value, OA + "hasSource")
        for selector in _values(store, source.value, OA + "hasSelector"):
            if not isinstance(selector, ox.NamedNode):
                continue
            exact = first_literal(store, selector.value, (OA + "exact",))
            if exact is None:
                continue
            found.append(
                Quote(
                    exact=exact,
                    prefix=_squeeze(first_literal(store, selector.value, (OA + "prefix",))),
                    suffix=_squeeze(first_literal(store, selector.value, (OA + "suffix",))),
                    line_start=lines["line_start"]
                    or first_literal(store, selector.value, (LINE_START,)),
                    line_end=lines["line_end"] or first_literal(store, selector.value, (LINE_END,)),
                    source=origin[0].value if origin else None,
                )
            )
    return found
