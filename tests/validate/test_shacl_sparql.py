"""The SHACL shapes compiled into SPARQL (``shacl_sparql``) against pySHACL, the reference.

Both engines validate the same graph; their results must be the same set of (focus node,
path, value, source shape, constraint component, severity): on the Mali graph, on every
structural variant of ``tests/variants.py``, on misprinted cells, on every graph
``tests/shapes`` breaks on purpose, on the hand-written cases of ``tests/validate`` and on
a graph written to break each constraint component the compiler translates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from rdflib import Graph, URIRef
from tests import variants
from tests.graph.helpers import mali_graph, shapes, variant
from tests.shapes.test_shapes import BREAKS
from tests.validate import test_validate

from ifrc_kg.namespaces import SH
from ifrc_kg.report_quads import ReportQuads
from ifrc_kg.shacl_sparql import CompiledShapes
from ifrc_kg.validate import ValidationReport, validate

Key = tuple[str, str | None, str | None, str, str, str]


def results(report: ValidationReport) -> set[Key]:
    return {
        (i.focus_node, i.path, i.value, i.source_shape, i.constraint, i.severity)
        for i in (*report.violations, *report.warnings, *report.infos)
    }


def both(graph: Graph, shapes_graph: Graph | None = None) -> tuple[set[Key], set[Key]]:
    """The results of pySHACL and of the compiled shapes on copies of ``graph``; the
    verdicts agree too. The compiled shapes run a second time over the store the build
    gives them (``report_quads``), which must come back unchanged, with the same report."""
    shapes_graph = shapes_graph if shapes_graph is not None else shapes()
    reports = [
        validate(Graph() + graph, shapes=shapes_graph, vocabulary=Graph(), engine=engine)
        for engine in ("pyshacl", "sparql")
    ]
    assert reports[0].conforms == reports[1].conforms
    assert reports[0].integrity == reports[1].integrity
    quads = ReportQuads()
    quads.add_graph(graph)
    store = quads.union_store()
    before = set(store)
    built = validate(
        graph, shapes=shapes_graph, vocabulary=Graph(), store=store, datatypes=quads.datatypes
    )
    assert set(store) == before
    assert (built.conforms, built.integrity) == (reports[1].conforms, reports[1].integrity)
    assert (built.violations, built.warnings, built.infos) == (
        reports[1].violations,
        reports[1].warnings,
        reports[1].infos,
    )
    return results(reports[0]), results(reports[1])


def test_the_project_shapes_compile_but_the_sparql_based_ones() -> None:
    compiled = CompiledShapes(shapes())
    sparql_based = {s for s in shapes().subjects(SH.sparql, None)}
    assert set(compiled.fallback) == sparql_based and len(sparql_based) == 4
    assert len(compiled.compiled) > 25
    assert not set(compiled.compiled) & sparql_based


@functools.cache
def _mali() -> Graph:
    return mali_graph()


def test_mali_graph_same_results() -> None:
    reference, compiled = both(_mali())
    assert reference == compiled
    assert {r[3].rsplit("#", 1)[-1] for r in reference} >= {"ClaimAgreesWithTableShape"}


VARIANTS: dict[str, Callable[[str], str]] = {
    name: getattr(variants, name)
    for name in (
        "niger",
        "partner_added_and_removed",
        "two_drefs",
        "without_financial_overview",
        "without_partner_matrix",
        "without_migration_narrative",
        "without_operations",
        "reordered_indicators",
        "relabelled_indicators",
        "renamed_sectors",
        "mid_year",
        "reordered_parts",
    )
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_structural_variant_same_results(name: str) -> None:
    reference, compiled = both(variant(VARIANTS[name](variants.mali_text())))
    assert reference == compiled


@pytest.mark.parametrize("kind", ["key-figure", "partner-funding", "dref-people-targeted"])
def test_misprinted_cell_same_results(kind: str) -> None:
    """An ambiguous print ("8,9980") exercises sh:xone, the readings and PlausiblePrint: in
    an observation, in a sum's row, in an operation's quantity."""
    printed = variants.misgrouped(variants.TABLE_CELLS[kind][1])
    graph = variant(variants.with_cell(variants.mali_text(), kind, printed)[0])
    reference, compiled = both(graph)
    assert reference == compiled
    assert any(r[3].endswith("PlausiblePrintShape") for r in reference)


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_broken_graph_same_violations(case: str) -> None:
    breaker, focus, _ = BREAKS[case]
    graph = Graph() + _mali()
    breaker(graph)
    reference, compiled = both(graph)
    assert reference == compiled
    assert any(r[0] == str(focus) and r[5] == "Violation" for r in compiled), case


@pytest.mark.parametrize(
    "replace",
    [
        None,
        ("ex:count 5 ;", "ex:count -5 ;"),
        ("ex:b a ex:Figure ; ex:count 7 .", "ex:b a ex:Figure ."),
        ("ex:count 12 ;", "ex:count 13 ;"),
        ("ex:count 7 .", "ex:count 7.5 ."),
    ],
)
def test_hand_written_cases_same_results(replace: tuple[str, str] | None) -> None:
    reference, compiled = both(test_validate.data(replace=replace), test_validate.shapes())
    assert reference == compiled


# --- each component the compiler translates, broken once ------------------------------------

COMPONENTS = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:nodeKind sh:IRI ;
    sh:property [ sh:path ex:kind ; sh:class ex:Kind ; sh:minCount 1 ] ;
    sh:property [ sh:path ex:n ; sh:datatype xsd:integer ; sh:maxCount 1 ;
                  sh:minExclusive 0 ; sh:maxInclusive 10 ] ;
    sh:property [ sh:path ex:d ; sh:datatype xsd:date ; sh:lessThan ex:e ] ;
    sh:property [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:minLength 3 ;
                  sh:maxLength 4 ; sh:nodeKind sh:Literal ] ;
    sh:property [ sh:path ex:status ; sh:in ( "open" "closed" ) ] ;
    sh:property [ sh:path ex:name ; sh:uniqueLang true ] ;
    sh:property [ sh:path ( ex:part ex:n ) ; sh:maxInclusive 5 ] ;
    sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:maxCount 1 ] ;
    sh:property [ sh:path ex:part ; sh:node ex:PartShape ] ;
    sh:or ( [ sh:path ex:n ; sh:minCount 1 ] [ sh:path ex:code ; sh:minCount 1 ] ) ;
    sh:not [ sh:path ex:status ; sh:hasValue "closed" ] .

ex:PartShape a sh:NodeShape ;
    sh:property [ sh:path ex:n ; sh:minCount 1 ; sh:lessThanOrEquals ex:max ] .

ex:SubjectShape a sh:NodeShape ;
    sh:targetSubjectsOf ex:owns ;
    sh:xone ( [ sh:path ex:owns ; sh:minCount 2 ] [ sh:path ex:name ; sh:minCount 1 ] ) ;
    sh:and ( [ sh:path ex:owns ; sh:nodeKind sh:IRI ] ) .

ex:ObjectShape a sh:NodeShape ;
    sh:targetObjectsOf ex:owns ;
    sh:targetNode ex:lonely ;
    sh:property [ sh:path ex:label ; sh:minCount 1 ; sh:hasValue "x" ] .

ex:OffShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ;
    sh:property [ sh:path ex:never ; sh:minCount 1 ] .

ex:ClosedShape a sh:NodeShape ; sh:targetClass ex:Kind ; sh:closed true ;
    sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ) .
"""

COMPONENT_DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:Special rdfs:subClassOf ex:Kind .
ex:k1 a ex:Special .
ex:k2 a ex:Kind ; ex:extra 1 .
ex:good a ex:Thing ; ex:kind ex:k1 ; ex:n 3 ; ex:code "ABc" ; ex:status "open" ;
    ex:name "a"@en, "b"@fr ; ex:d "2020-01-01"^^xsd:date ; ex:e "2021-01-01"^^xsd:date .
ex:bad a ex:Thing ; ex:kind ex:notAKind, "literal" ; ex:n 0, "x"^^xsd:integer, 11, 2.5 ;
    ex:code "xyz", "abcde", "ab", ex:abIri, 10.500 ;
    ex:status "closed", "OPEN" ; ex:name "a"@en, "b"@en ;
    ex:d "2022-01-01"^^xsd:date ; ex:e "2021-01-01"^^xsd:date, "later" ;
    ex:part ex:p1, ex:p2 .
ex:p1 ex:n 9 ; ex:max 8 .
ex:p2 ex:max 1 .
ex:noValue a ex:Thing ; ex:kind ex:k2 .
ex:o1 ex:owns ex:bad, ex:good ; ex:name "o" .
ex:o2 ex:owns ex:bad .
ex:good ex:label "x" .
"""


def test_every_component_broken_same_results() -> None:
    shapes_graph = Graph().parse(data=COMPONENTS, format="turtle")
    compiled = CompiledShapes(shapes_graph)
    assert compiled.fallback == [URIRef("http://example.org/ClosedShape")]
    graph = Graph().parse(data=COMPONENT_DATA, format="turtle")
    reference, found = both(graph, shapes_graph)
    assert reference == found
    components = {r[4].rsplit("#", 1)[-1].removesuffix("ConstraintComponent") for r in found}
    assert components >= {
        "Class", "Datatype", "NodeKind", "MinExclusive", "MaxInclusive", "MinLength",
        "MaxLength", "Pattern", "In", "UniqueLang", "MinCount", "MaxCount", "HasValue",
        "LessThan", "LessThanOrEquals", "Node", "Or", "Xone", "Not", "Closed",
    }  # fmt: skip
    assert not any("never" in (r[1] or "") for r in found)  # deactivated
    good = {r for r in found if r[0] == "http://example.org/good"}
    assert good == {r for r in good if r[4].endswith("MaxCountConstraintComponent")}


def test_a_value_keeps_the_lexical_form_of_the_data() -> None:
    """The store keeps "10.500"^^xsd:decimal as 10.5; maxLength 4 and the reported value
    read the data's own "10.500"."""
    graph = Graph().parse(data=COMPONENT_DATA, format="turtle")
    report = validate(graph, shapes=Graph().parse(data=COMPONENTS, format="turtle"))
    lengths = {
        i.value
        for i in report.violations
        if i.constraint.endswith("MaxLength" + "ConstraintComponent")
    }
    assert lengths == {"abcde", "10.500", "http://example.org/abIri"}


def test_a_type_the_store_rewrites_is_left_to_pyshacl() -> None:
    """pyoxigraph stores "400"^^xsd:positiveInteger as an xsd:integer: sh:datatype could
    not see it, so such data is validated by pySHACL (and still gets its violation)."""
    import pyoxigraph as ox

    from ifrc_kg.datacube import store_of
    from ifrc_kg.shacl_sparql import keeps_datatypes

    graph = Graph().parse(
        data="@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://example.org/a> <http://example.org/n> "400"^^xsd:positiveInteger .',
        format="turtle",
    )
    datatypes: set[str] = set()
    store = store_of(graph, datatypes)
    assert isinstance(store, ox.Store)
    assert not keeps_datatypes(store, datatypes)
    plain = Graph().parse(data=COMPONENT_DATA, format="turtle")
    datatypes = set()
    assert keeps_datatypes(store_of(plain, datatypes), datatypes)


def test_a_blank_focus_node_is_reported_as_the_data_names_it() -> None:
    graph = Graph().parse(
        data=COMPONENT_DATA + "[] a ex:Thing ; ex:kind ex:k1 ; ex:n 42 .", format="turtle"
    )
    reference, found = both(graph, Graph().parse(data=COMPONENTS, format="turtle"))
    assert reference == found
    blank = {r[0] for r in found} - {r[0] for r in found if r[0].startswith("http")}
    assert len(blank) == 1
