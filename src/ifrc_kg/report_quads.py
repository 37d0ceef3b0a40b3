"""A report's statements as pyoxigraph quads, converted once from the mapping's rdflib dataset.

Everything after the mapping reads them (``pipeline.py``): validation (the compiled shapes and
the Data Cube checks) and the findings' selects run over one in-memory store of their union,
the figure rows over the same store once the findings are in it, and the dumps are
pyoxigraph's N-Quads lines of the quads, sorted. Before, rdflib's serialisers wrote the report
three times and pyoxigraph loaded it three times (0.6 s of CPU a report of some 2 s).

The quads keep the lexical form the mapping wrote ("10.500"^^xsd:decimal stays so in the
dumps); only the store keeps numbers by value, which validation allows for
(``shacl_sparql.keeps_datatypes``, ``shacl_sparql._written``). A term is written as
rdflib's N-Quads serialiser would write it and pyoxigraph would read it back, so the lines
are those of the previous ``rdflib → N-Quads → pyoxigraph`` route (tested on the Mali report,
generated variants and odd literals: ``tests/publish/test_report_quads.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class _Terms:
    """rdflib terms as pyoxigraph terms, each converted once; remembers literal datatypes."""

    def __init__(self) -> None:
        self.iris: dict[str, ox.NamedNode] = {}
        self.literals: dict[tuple[str, str | None, str | None], ox.Literal] = {}
        self.datatypes: set[str] = set()

    def iri(self, text: str) -> ox.NamedNode:
        node = self.iris.get(text)
        if node is None:
            node = self.iris[text] = ox.NamedNode(text)
        return node

    def term(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if type(term) is URIRef:
            return self.iri(term)
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, URIRef):  # a subclass of URIRef
            return self.iri(str(term))
        assert isinstance(term, Literal), term
        datatype = str(term.datatype) if term.datatype is not None else None
        key = (str(term), datatype, term.language)
        literal = self.literals.get(key)
        if literal is None:
            if term.language:
                literal = ox.Literal(key[0], language=term.language)
            elif datatype is None:
                literal = ox.Literal(key[0])
            else:
                literal = ox.Literal(key[0], datatype=self.iri(datatype))
                self.datatypes.add(datatype)
            self.literals[key] = literal
        return literal


@dataclass
class ReportQuads:
    """The quads of a report's dataset, and the datatype IRIs its literals were written with."""

    quads: list[ox.Quad] = field(default_factory=list)
    datatypes: set[str] = field(default_factory=set)
    _terms: _Terms = field(default_factory=_Terms, repr=False)

    def add_graph(self, graph: Graph) -> list[ox.Quad]:
        """Add a graph's triples as quads in the graph named by its identifier; returns them."""
        name = self._graph_name(graph.identifier)
        added = [self._quad(triple, name) for triple in graph]
        self.quads.extend(added)
        self.datatypes |= self._terms.datatypes
        return added

    def add_dataset(self, dataset: Dataset) -> None:
        """Add every named graph of ``dataset`` (and its default graph, if it holds any)."""
        store = dataset.store
        for graph in dataset.graphs():
            name = self._graph_name(graph.identifier)
            quad = self._quad
            self.quads.extend(quad(triple, name) for triple, _ in store.triples((None,) * 3, graph))
        self.datatypes |= self._terms.datatypes

    def _graph_name(self, identifier: Node) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:
        if identifier == DATASET_DEFAULT_GRAPH_ID:
            return ox.DefaultGraph()
        name = self._terms.term(identifier)
        assert not isinstance(name, ox.Literal), identifier
        return name

    def _quad(self, triple: tuple[Node, Node, Node], name: ox.Term) -> ox.Quad:
        term = self._terms.term
        subject, predicate, value = triple
        return ox.Quad(term(subject), term(predicate), term(value), name)  # type: ignore[arg-type]

    def union_store(self) -> ox.Store:
        """An in-memory store whose default graph holds the union of the quads' triples (a
        set): SPARQL over it sees the report's graphs as one, as validation and the figure
        rows ask (pyoxigraph's ``use_default_graph_as_union`` would be a bag)."""
        store = ox.Store()
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in self.quads)
        return store

    def nquads_lines(self, quads: Iterable[ox.Quad] | None = None) -> list[bytes]:
        """Sorted, distinct N-Quads lines (without newlines) as pyoxigraph writes them, of
        every quad or of ``quads``."""
        text = ox.serialize(self.quads if quads is None else quads, format=ox.RdfFormat.N_QUADS)
        return sorted({line for line in text.splitlines() if line})


def report_quads(dataset: Dataset) -> ReportQuads:
    """The quads of a mapped report's dataset."""
    quads = ReportQuads()
    quads.add_dataset(dataset)
    return quads
