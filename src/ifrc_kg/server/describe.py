"""What a resource page says: its statements, its hash-IRI parts, who links to it, labels.

All look-ups have a subject or object bound, and each asks for many resources at once
(``triples_about`` takes a list): a page costs a handful of index scans however large the
graph, and over a remote store a handful of requests, not one per label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ifrc_kg.namespaces import PREFIXES
from ifrc_kg.remote_store import RemoteStore
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


def labels(store: GraphStore | RemoteStore, iris: Iterable[str]) -> dict[str, str]:
    """The best human label of each resource that has one: by the first of ``LABELS`` it
    has, English first, then any language, the first in text order where several remain
    (so every engine gives the same). All in one look-up (a request over a remote store)."""
    literals: dict[str, dict[str, list[ox.Literal]]] = {}
    for triple in store.triples_about(list(dict.fromkeys(iris)), LABELS):
        if isinstance(triple.object, ox.Literal):
            by_predicate = literals.setdefault(triple.subject.value, {})
            by_predicate.setdefault(triple.predicate.value, []).append(triple.object)
    best: dict[str, str] = {}
    for iri, by_predicate in literals.items():
        values = next(by_predicate[predicate] for predicate in LABELS if predicate in by_predicate)
        english = [value.value for value in values if (value.language or "").startswith("en")]
        best[iri] = min(english or [value.value for value in values])
    return best


def label(store: GraphStore | RemoteStore, iri: str) -> str | None:
    """The best human label of one resource (see ``labels``)."""
    return labels(store, [iri]).get(iri)


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


def describe(store: GraphStore | RemoteStore, iri: str, *, inbound_limit: int = 300) -> Description:
    """The statements about ``iri`` and its hash parts (``iri#source`` and so on).

    Hash IRIs are described on their base document (the fragment never reaches the server),
    found in the store's index of them and by following links from the resource to IRIs
    that start with ``iri#``. The statements are asked for a round of subjects at a time
    (one request over a remote store), then the inbound links (one more).
    """
    description = Description(iri)
    description.parts = list(store.hash_parts(iri))
    seen = {iri, *description.parts}
    round_ = [iri, *description.parts]
    while round_:
        triples = store.triples_about(round_)
        description.triples.extend(triples)
        round_ = []
        for triple in triples:
            target = triple.object
            if (
                isinstance(target, ox.NamedNode)
                and target.value.startswith(iri + "#")
                and target.value not in seen
            ):
                seen.add(target.value)
                description.parts.append(target.value)
                round_.append(target.value)
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


def quotes(store: GraphStore | RemoteStore, description: Description) -> list[Quote]:
    """The quoted source text of a figure: prov:wasDerivedFrom → oa:hasSelector → oa:exact.

    The source and its selectors are usually hash parts (``obs#source``, ``obs#quote``),
    already in the description; the others are looked up together, one round per step.
    """
    facts: dict[str, list[ox.Triple]] = {}
    for triple in description.triples:
        facts.setdefault(triple.subject.value, []).append(triple)

    def learn(nodes: list[str]) -> None:
        missing = [node for node in dict.fromkeys(nodes) if node not in facts]
        for node in missing:
            facts[node] = []
        if missing:
            for triple in store.triples_about(missing):
                facts[triple.subject.value].append(triple)

    def values(subject: str, predicate: str) -> list[ox.Term]:
        found = [t.object for t in facts.get(subject, []) if t.predicate.value == predicate]
        return list(dict.fromkeys(found))

    def first(subject: str, predicate: str) -> str | None:
        literals = [v for v in values(subject, predicate) if isinstance(v, ox.Literal)]
        return literals[0].value if literals else None

    sources = [
        source.value
        for source in values(description.iri, PROV_DERIVED)
        if isinstance(source, ox.NamedNode)
    ]
    learn(sources)
    selectors = {
        source: [
            selector.value
            for selector in values(source, OA + "hasSelector")
            if isinstance(selector, ox.NamedNode)
        ]
        for source in sources
    }
    learn([selector for found in selectors.values() for selector in found])
    found: list[Quote] = []
    for source in sources:
        origin = values(source, OA + "hasSource")
        for selector in selectors[source]:
            exact = first(selector, OA + "exact")
            if exact is None:
                continue
            found.append(
                Quote(
                    exact=exact,
                    prefix=_squeeze(first(selector, OA + "prefix")),
                    suffix=_squeeze(first(selector, OA + "suffix")),
                    line_start=first(source, LINE_START) or first(selector, LINE_START),
                    line_end=first(source, LINE_END) or first(selector, LINE_END),
                    source=origin[0].value if origin else None,
                )
            )
    return found
