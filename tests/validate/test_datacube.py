"""Data Cube integrity constraints (W3C Data Cube §11): one broken cube per constraint.

The well-formed cube below exercises every feature the constraints speak of: a coded
dimension (concept scheme), two hierarchical code lists (one by ``qb:parentChildProperty``,
one by its inverse), a dimension and an attribute attached at slice / data set level (so
normalisation must push them down), an optional attribute, a slice key, and a second
cube that uses ``qb:measureType``. Each case then breaks it in one way and expects the
named constraint to fire.
"""

from __future__ import annotations

import pytest
from rdflib import Graph

from ifrc_kg.datacube import IC_IDS, check_integrity, normalise, violations_only

CUBE = """
@prefix ex: <http://example.org/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:sex a skos:ConceptScheme .
ex:F a skos:Concept ; skos:inScheme ex:sex .
ex:M a skos:Concept ; skos:inScheme ex:sex .

ex:areas a qb:HierarchicalCodeList ; qb:hierarchyRoot ex:world ; qb:parentChildProperty ex:hasPart .
ex:world ex:hasPart ex:africa . ex:africa ex:hasPart ex:mali .
ex:areasUp a qb:HierarchicalCodeList ; qb:hierarchyRoot ex:world ;
    qb:parentChildProperty [ owl:inverseOf ex:partOf ] .
ex:mali ex:partOf ex:africa . ex:africa ex:partOf ex:world .
ex:world a skos:Concept . ex:africa a skos:Concept . ex:mali a skos:Concept .

ex:refArea rdfs:range skos:Concept ; qb:codeList ex:areas .
ex:region rdfs:range skos:Concept ; qb:codeList ex:areasUp .
ex:sexDim rdfs:range skos:Concept ; qb:codeList ex:sex .
ex:year rdfs:range xsd:gYear .
qb:measureType rdfs:range qb:MeasureProperty .
ex:count rdfs:range xsd:integer .
ex:total rdfs:range xsd:integer .

ex:dsd a qb:DataStructureDefinition ;
    qb:component ex:c-area, ex:c-region, ex:c-sex, ex:c-year, ex:c-count, ex:c-unit, ex:c-note ;
    qb:sliceKey ex:byArea .
ex:c-area qb:dimension ex:refArea ; qb:order 1 .
ex:c-region qb:dimension ex:region ; qb:order 2 .
ex:c-sex qb:dimension ex:sexDim ; qb:order 3 .
ex:c-year qb:dimension ex:year ; qb:order 4 .
ex:c-count qb:measure ex:count .
ex:c-unit qb:attribute ex:unit ; qb:componentRequired true ; qb:componentAttachment qb:DataSet .
ex:c-note qb:attribute ex:note ; qb:componentRequired false .
ex:byArea a qb:SliceKey ; qb:componentProperty ex:refArea, ex:region .

ex:ds qb:structure ex:dsd ; ex:unit ex:persons ; qb:slice ex:slice1 .
ex:slice1 qb:sliceStructure ex:byArea ; ex:refArea ex:mali ; ex:region ex:mali ;
    qb:observation ex:o1, ex:o2 .
ex:o1 qb:dataSet ex:ds ; ex:sexDim ex:F ; ex:year "2023"^^xsd:gYear ; ex:count 5 .
ex:o2 qb:dataSet ex:ds ; ex:sexDim ex:M ; ex:year "2023"^^xsd:gYear ; ex:count 7 ; ex:note "n" .
ex:o3 qb:dataSet ex:ds ; ex:refArea ex:africa ; ex:region ex:africa ; ex:sexDim ex:F ;
    ex:year "2023"^^xsd:gYear ; ex:count 9 .

ex:dsd2 a qb:DataStructureDefinition ; qb:component ex:c2-year, ex:c2-mt, ex:c2-m1, ex:c2-m2 .
ex:c2-year qb:dimension ex:year .
ex:c2-mt qb:dimension qb:measureType .
ex:c2-m1 qb:measure ex:count .
ex:c2-m2 qb:measure ex:total .
ex:ds2 a qb:DataSet ; qb:structure ex:dsd2 .
ex:p1 qb:dataSet ex:ds2 ; ex:year "2023"^^xsd:gYear ; qb:measureType ex:count ; ex:count 1 .
ex:p2 qb:dataSet ex:ds2 ; ex:year "2023"^^xsd:gYear ; qb:measureType ex:total ; ex:total 2 .
"""

PREFIXES = """
PREFIX ex: <http://example.org/>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: IC id → a SPARQL Update that breaks the cube for that constraint.
BREAKS = {
    "IC-1": "INSERT DATA { ex:o4 a qb:Observation ; ex:count 3 . }",
    "IC-2": "INSERT DATA { ex:ds3 a qb:DataSet . }",
    "IC-3": "INSERT DATA { ex:dsd3 a qb:DataStructureDefinition ; qb:component ex:c3 . "
    "ex:c3 qb:dimension ex:year . }",
    "IC-4": "DELETE DATA { ex:year rdfs:range xsd:gYear }",
    "IC-5": "DELETE DATA { ex:sexDim qb:codeList ex:sex }",
    "IC-6": "INSERT DATA { ex:c-sex qb:componentRequired false }",
    "IC-7": "INSERT DATA { ex:orphanKey a qb:SliceKey }",
    "IC-8": "INSERT DATA { ex:byArea qb:componentProperty ex:total }",
    "IC-9": "INSERT DATA { ex:ds qb:slice ex:slice2 }",
    "IC-10": "DELETE DATA { ex:slice1 ex:region ex:mali }",
    "IC-11": "DELETE DATA { ex:o3 ex:sexDim ex:F }",
    "IC-12": "INSERT DATA { ex:o4 qb:dataSet ex:ds ; ex:refArea ex:africa ; ex:region ex:africa ;"
    ' ex:sexDim ex:F ; ex:year "2023"^^xsd:gYear ; ex:count 10 . }',
    "IC-13": "DELETE DATA { ex:ds ex:unit ex:persons }",
    "IC-14": "DELETE DATA { ex:o3 ex:count 9 }",
    "IC-15": "DELETE DATA { ex:p1 ex:count 1 }",
    "IC-16": "INSERT DATA { ex:p1 ex:total 3 }",
    "IC-17": "DELETE WHERE { ex:p2 ?p ?o }",
    "IC-18": "INSERT DATA { ex:slice1 qb:observation ex:p1 }",
    "IC-19": "DELETE DATA { ex:o3 ex:sexDim ex:F } ; INSERT DATA { ex:o3 ex:sexDim ex:X }",
    "IC-20": "DELETE DATA { ex:o3 ex:refArea ex:africa } ; "
    "INSERT DATA { ex:o3 ex:refArea ex:mars }",
    "IC-21": "DELETE DATA { ex:o3 ex:region ex:africa } ; INSERT DATA { ex:o3 ex:region ex:mars }",
}


def cube() -> Graph:
    return Graph().parse(data=CUBE, format="turtle")


def test_every_constraint_has_a_broken_case() -> None:
    assert sorted(BREAKS, key=lambda k: int(k[3:])) == list(IC_IDS)


def test_well_formed_cube_passes_every_constraint() -> None:
    found = check_integrity(cube())
    assert list(found) == list(IC_IDS)
    assert violations_only(found) == {}


@pytest.mark.parametrize("ic_id", list(BREAKS))
def test_constraint_fires_on_cube_broken_for_it(ic_id: str) -> None:
    graph = cube()
    graph.update(PREFIXES + BREAKS[ic_id])
    found = check_integrity(graph)
    assert found[ic_id], f"{ic_id} did not fire; fired: {violations_only(found)}"


def test_violation_names_the_node_at_fault() -> None:
    graph = cube()
    graph.update(PREFIXES + BREAKS["IC-11"])
    assert check_integrity(graph)["IC-11"] == [
        "observation <http://example.org/o3> has no value for dimension <http://example.org/sexDim>"
    ]


def test_duplicate_pair_reported_once() -> None:
    graph = cube()
    graph.update(PREFIXES + BREAKS["IC-12"])
    assert len(check_integrity(graph)["IC-12"]) == 1


def test_normalisation_closes_types_and_pushes_attachments_on_a_copy() -> None:
    graph = cube()
    before = len(graph)
    closed = normalise(graph)
    assert len(graph) == before
    ask = PREFIXES + "ASK { %s }"
    assert closed.query(ask % "ex:o1 a qb:Observation ; ex:refArea ex:mali ; ex:unit ex:persons")
    assert closed.query(
        ask % "ex:c-count qb:componentProperty ex:count . ex:count a qb:MeasureProperty"
    )
    assert closed.query(ask % "ex:slice1 a qb:Slice . ex:ds a qb:DataSet")
    assert len(normalise(closed)) == len(closed)


def test_shortcut_cube_needs_normalisation() -> None:
    """Without normalisation IC-3 would fire on a DSD that only says qb:measure."""
    graph = cube()
    found = check_integrity(graph)
    assert not found["IC-3"]
    raw = graph.query(PREFIXES + "ASK { ex:dsd qb:component/qb:componentProperty ?p }")
    assert not raw.askAnswer


def test_an_ambiguous_print_may_go_without_its_measure() -> None:
    """IC-14's one exception: an observation holding the candidate readings of an ambiguous
    print (ifrckg:possibleValue) and no measure. Without the readings it still fires."""
    graph = cube()
    graph.update(
        PREFIXES
        + "PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#> "
        + BREAKS["IC-14"]
        + " ; INSERT DATA { ex:o3 ifrckg:possibleValue 25614.0, 256140.0 }"
    )
    assert violations_only(check_integrity(graph)) == {}
    graph.update(
        PREFIXES + "PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#> "
        "DELETE WHERE { ex:o3 ifrckg:possibleValue ?reading }"
    )
    assert check_integrity(graph)["IC-14"] == [
        "observation <http://example.org/o3> has no value for measure <http://example.org/count>"
    ]


@pytest.mark.parametrize("ic_id", ["IC-1", "IC-13", "IC-17", "IC-20"])
def test_a_store_is_checked_in_place_and_given_back_unchanged(ic_id: str) -> None:
    """The build checks the store validation already loaded: normalised for the checks
    (the attachments pushed down, the shortcuts closed), then restored for the figure rows."""
    from ifrc_kg.datacube import store_of

    store = store_of(cube())
    before = set(store)
    assert check_integrity(store) == check_integrity(cube())
    assert set(store) == before
    assert len(store_of(normalise(cube()))) > len(before)  # so normalising added statements
    graph = cube()
    graph.update(PREFIXES + BREAKS[ic_id])
    store = store_of(graph)
    before = set(store)
    found = check_integrity(store)
    assert found[ic_id] and found == check_integrity(graph)
    assert set(store) == before
