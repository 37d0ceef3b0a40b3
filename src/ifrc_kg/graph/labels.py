"""One label per resource and language across reports, with every print kept.

A resource that several reports name (an operation, a partner or organisation, a place, a
country or society the reference tables do not know, a concept the template does not list)
is labelled from what the report prints, and two reports may print it differently ("Mali
Dengue Outbreak", "Mali: Dengue outbreak 2023-24"). Each report graph keeps its own print as
``ifrckg:nameAsPrinted`` (the named graph is its provenance); the label itself is chosen once
per build, in the named graph ``<base>graph/labels``: ``rdfs:label`` and ``skos:prefLabel``
(and ``schema:name`` where the resource had one) from the candidate of highest rank, every
other print as ``skos:altLabel``. The rank is (priority, end of the report's period, report
IRI): an operation table's name beats a listing's, then the latest report wins, and the IRI
breaks ties, so the choice never depends on the order reports are read.

The corpus build maps each report alone (and caches it), so each piece keeps its candidates
(``PrintedName``, as JSON) and the assembly makes the choice over all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass

from rdflib import Graph, Literal, URIRef

from ifrc_kg.namespaces import RDFS, SCHEMA, SKOS


@dataclass(frozen=True, order=True)
class PrintedName:
    """A name one report gives a shared resource, and how strongly it claims the label."""

    subject: str
    lang: str
    priority: int
    period_end: str
    report: str
    text: str
    named: bool = False  # the resource also carries schema:name

    @property
    def rank(self) -> tuple[int, str, str, str]:
        return (self.priority, self.period_end, self.report, self.text)

    def to_json(self) -> list[object]:
        return list(astuple(self))

    @classmethod
    def from_json(cls, row: list[object]) -> PrintedName:
        return cls(*row)  # type: ignore[arg-type]


def labels_graph_iri(base: str) -> URIRef:
    return URIRef(f"{base}graph/labels")


def label_triples(names: Iterable[PrintedName]) -> list[tuple[URIRef, URIRef, Literal]]:
    """The chosen label of each (resource, language) and the other prints as alternatives.

    >>> a = PrintedName("http://x/op", "en", 1, "2023-12-31", "http://x/r/2023", "Old name")
    >>> b = PrintedName("http://x/op", "en", 1, "2024-12-31", "http://x/r/2024", "New name")
    >>> sorted((str(p).split("#")[-1], str(o)) for _, p, o in label_triples([b, a]))
    [('altLabel', 'Old name'), ('label', 'New name'), ('prefLabel', 'New name')]
    """
    groups: dict[tuple[str, str], list[PrintedName]] = {}
    for name in names:
        groups.setdefault((name.subject, name.lang), []).append(name)
    triples: list[tuple[URIRef, URIRef, Literal]] = []
    for (subject, lang), candidates in sorted(groups.items()):
        best = max(candidates, key=lambda name: name.rank)
        iri = URIRef(subject)
        chosen = Literal(best.text, lang=lang or None)
        triples += [(iri, RDFS.label, chosen), (iri, SKOS.prefLabel, chosen)]
        if any(name.named for name in candidates):
            triples.append((iri, SCHEMA.name, chosen))
        for text in sorted({name.text for name in candidates} - {best.text}):
            triples.append((iri, SKOS.altLabel, Literal(text, lang=lang or None)))
    return triples


def add_labels(graph: Graph, names: Iterable[PrintedName]) -> Graph:
    for triple in label_triples(names):
        graph.add(triple)
    return graph
