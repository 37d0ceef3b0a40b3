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

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node


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
    """The triples of a report's dataset by graph, and the datatype IRIs its literals were
    written with.

    Each graph's triples are kept as quads of the default graph: the union store takes them
    as they are, and a graph's N-Quads lines are its N-Triples lines with its name added.
    """

    #: graph name as N-Quads writes it (None: the default graph) → its triples, as quads of
    #: the default graph
    graphs: dict[str | None, list[ox.Quad]] = field(default_factory=dict)
    datatypes: set[str] = field(default_factory=set)
    _terms: _Terms = field(default_factory=_Terms, repr=False)

    def add_graph(self, graph: Graph) -> list[ox.Quad]:
        """Add a graph's triples under its identifier; returns them."""
        added = [self._quad(triple) for triple in graph]
        self.graphs.setdefault(self._graph_name(graph.identifier), []).extend(added)
        self.datatypes |= self._terms.datatypes
        return added

    def add_dataset(self, dataset: Dataset) -> None:
        """Add every named graph of ``dataset`` (and its default graph, if it holds any)."""
        store, quad = dataset.store, self._quad
        for graph in dataset.graphs():
            triples = self.graphs.setdefault(self._graph_name(graph.identifier), [])
            triples.extend(quad(triple) for triple, _ in store.triples((None,) * 3, graph))
        self.datatypes |= self._terms.datatypes

    @staticmethod
    def _graph_name(identifier: Node) -> str | None:
        """A graph's name as N-Quads writes it (``<iri>`` or ``_:label``)."""
        if identifier == DATASET_DEFAULT_GRAPH_ID:
            return None
        return f"_:{identifier}" if isinstance(identifier, BNode) else f"<{identifier}>"

    def _quad(self, triple: tuple[Node, Node, Node]) -> ox.Quad:
        term = self._terms.term
        subject, predicate, value = triple
        return ox.Quad(term(subject), term(predicate), term(value))  # type: ignore[arg-type]

    def union_store(self) -> ox.Store:
        """An in-memory store whose default graph holds the union of the graphs' triples (a
        set): SPARQL over it sees the report's graphs as one, as validation and the figure
        rows ask (pyoxigraph's ``use_default_graph_as_union`` would be a bag)."""
        store = ox.Store()
        for triples in self.graphs.values():
            store.extend(triples)
        return store

    def nquads_lines(self) -> list[bytes]:
        """Sorted, distinct N-Quads lines (without newlines) of every graph, as pyoxigraph
        writes them."""
        lines: set[bytes] = set()
        for name, triples in self.graphs.items():
            text = ox.serialize(triples, format=ox.RdfFormat.N_QUADS)
            if name is None:
                lines.update(text.splitlines())
            else:  # "s p o ." → "s p o <graph> ."
                suffix = f"{name} .".encode()
                lines.update(line[:-1] + suffix for line in text.splitlines())
        lines.discard(b"")
        return sorted(lines)


def report_quads(dataset: Dataset) -> ReportQuads:
    """The quads of a mapped report's dataset."""
    quads = ReportQuads()
    quads.add_dataset(dataset)
    return quads
