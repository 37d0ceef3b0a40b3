"""A report's quads converted once into pyoxigraph (``report_quads``): the same N-Quads lines
as rdflib's serialiser read back by pyoxigraph (the route the build took before), and one
store of their union, as a set."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, XSD
from tests import variants
from tests.graph.helpers import BASE, REPORT_DIR, mali_dataset

from ifrc_kg.dumps import canonical_lines
from ifrc_kg.graph import build_dataset
from ifrc_kg.report import parse_text
from ifrc_kg.report_quads import report_quads

EX = "http://example.org/"


def rdflib_route(dataset: Dataset) -> list[bytes]:
    """The lines the build wrote before: rdflib's N-Quads, parsed and written by pyoxigraph."""
    data = dataset.serialize(format="nquads", encoding="utf-8")
    return canonical_lines(data, ox.RdfFormat.N_QUADS)


def odd_dataset() -> Dataset:
    """Literals whose lexical form a store would change, escapes, tags, blank nodes, two
    graphs sharing a triple and one triple in the default graph."""
    dataset = Dataset()
    first, second = dataset.graph(URIRef(f"{EX}g1")), dataset.graph(URIRef(f"{EX}g2"))
    s, p = URIRef(f"{EX}s"), URIRef(f"{EX}p")
    values = [
        Literal("10.500", datatype=XSD.decimal),
        Literal("0400", datatype=XSD.positiveInteger),
        Literal("x", datatype=XSD.string),
        Literal("plain"),
        Literal('quote " backslash \\ tab \t newline \n cr \r', lang="en"),
        Literal("Côte d’Ivoire ✓", lang="fr"),
        Literal("true", datatype=XSD.boolean),
        Literal("2023-01-01", datatype=XSD.date),
        Literal("odd", datatype=URIRef(f"{EX}type")),
        URIRef(f"{EX}o?q=1#frag"),
        BNode("b1"),
    ]
    for value in values:
        first.add((s, p, value))
    first.add((BNode("b1"), RDF.type, URIRef(f"{EX}T")))
    second.add((s, p, Literal("plain")))  # also in the first graph
    dataset.add((s, RDF.type, URIRef(f"{EX}T")))  # the default graph
    return dataset


def test_odd_terms_give_the_lines_of_the_rdflib_route() -> None:
    dataset = odd_dataset()
    quads = report_quads(dataset)
    assert quads.nquads_lines() == rdflib_route(dataset)
    assert b'<http://example.org/s> <http://example.org/p> "10.500"^^' in b"\n".join(
        quads.nquads_lines()
    )
    assert quads.datatypes == {
        str(XSD[name]) for name in ("decimal", "positiveInteger", "string", "boolean", "date")
    } | {f"{EX}type"}


def test_the_union_store_holds_each_triple_once_in_the_default_graph() -> None:
    dataset = odd_dataset()
    quads = report_quads(dataset)
    store = quads.union_store()
    every = [q for triples in quads.graphs.values() for q in triples]
    assert len(every) == len(list(dataset.quads((None, None, None, None))))
    assert len(store) == len(set(every)) == len(every) - 1  # "plain" is in both graphs
    assert set(quads.graphs) == {f"<{EX}g1>", f"<{EX}g2>", None}
    assert all(q.graph_name == ox.DefaultGraph() for q in store)
    assert list(store.named_graphs()) == []


def test_an_added_graph_is_in_the_lines_under_its_name() -> None:
    quads = report_quads(odd_dataset())
    before = quads.nquads_lines()
    extra = Dataset().graph(URIRef(f"{EX}findings"))
    extra.add((URIRef(f"{EX}f"), URIRef(f"{EX}p"), Literal("1.0", datatype=XSD.decimal)))
    added = quads.add_graph(extra)
    assert [q.graph_name for q in added] == [ox.DefaultGraph()]  # ready for the union store
    line = b'<http://example.org/f> <http://example.org/p> "1.0"^^'
    line += b"<http://www.w3.org/2001/XMLSchema#decimal> <http://example.org/findings> ."
    assert quads.nquads_lines() == sorted([*before, line])
    assert quads.graphs[f"<{EX}findings>"] == added


def test_the_mali_dataset_gives_the_lines_of_the_rdflib_route() -> None:
    dataset = mali_dataset()
    assert report_quads(dataset).nquads_lines() == rdflib_route(dataset)


@pytest.mark.parametrize("name", ["niger", "two_drefs", "mid_year"])
def test_a_structural_variant_gives_the_lines_of_the_rdflib_route(name: str) -> None:
    text = getattr(variants, name)(variants.mali_text())
    report = parse_text(text, variants.MALI_PATH.name)
    dataset = build_dataset([report], base=BASE, report_dir=REPORT_DIR)
    assert report_quads(dataset).nquads_lines() == rdflib_route(dataset)
