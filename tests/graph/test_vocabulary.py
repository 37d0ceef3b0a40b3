"""The ontology, the generated concept schemes and structures, the JSON-LD context, and the
properties of a build: stable IRIs, no personal details when asked."""

from __future__ import annotations

import json

import pytest
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from tests.graph.helpers import BASE, IRIS, REPORT_DIR, mali_dataset, mali_report, report_only

from ifrc_kg import concepts
from ifrc_kg.config import artefact_dir
from ifrc_kg.graph import build_dataset, operation_concepts
from ifrc_kg.graph.vocabulary import STRUCTURES, generated_vocabulary, load_core
from ifrc_kg.namespaces import IFRCKG, OWL, QB, RDF, RDFS, SKOS

CORE = URIRef("https://w3id.org/ifrc-kg/def/core")


def test_concepts_ttl_is_up_to_date() -> None:
    """ontology/concepts.ttl is what concepts.py generates (python -m
    ifrc_kg.graph.vocabulary rewrites it)."""
    committed = Graph().parse(artefact_dir("ontology") / "concepts.ttl", format="turtle")
    assert isomorphic(committed, generated_vocabulary(BASE))


def test_ontology_header() -> None:
    core = load_core()
    for prop in (
        OWL.versionIRI,
        OWL.versionInfo,
        URIRef("http://purl.org/dc/terms/title"),
        URIRef("http://purl.org/dc/terms/license"),
        URIRef("http://purl.org/dc/terms/creator"),
        URIRef("http://purl.org/dc/terms/issued"),
        URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"),
        URIRef("http://purl.org/vocab/vann/preferredNamespaceUri"),
    ):
        assert core.value(CORE, prop) is not None, prop


def test_every_term_is_labelled_defined_and_attributed() -> None:
    core = load_core()
    terms = {s for s in core.subjects() if isinstance(s, URIRef) and s.startswith(str(IFRCKG))}
    assert len(terms) > 60
    for term in terms:
        assert core.value(term, RDFS.label) is not None, term
        assert (core.value(term, SKOS.definition) or core.value(term, RDFS.comment)) is not None, (
            term
        )
        assert core.value(term, RDFS.isDefinedBy) == CORE, term
        assert core.value(term, RDF.type) is not None, term


def test_dimensions_have_ranges_and_coded_ones_code_lists() -> None:
    """IC-4 (every dimension has a range) and IC-5 (concept dimensions have code lists);
    organisation-valued dimensions have none (IC-19 would want them to be concepts)."""
    vocabulary = generated_vocabulary(BASE) + load_core()
    for structure in STRUCTURES.values():
        for dimension in structure.dimensions:
            assert vocabulary.value(dimension.prop, RDFS.range) is not None
            has_list = vocabulary.value(dimension.prop, QB.codeList) is not None
            assert has_list == (dimension.scheme is not None), dimension.prop
    assert vocabulary.value(IFRCKG.partner, QB.codeList) is None


def test_concept_schemes_from_concepts_py() -> None:
    vocabulary = generated_vocabulary(BASE)
    first_aid = IRIS.concept("indicator", "people-trained-first-aid")
    health = IRIS.concept("strategic-priority", "health-and-wellbeing")
    assert (first_aid, SKOS.broader, health) in vocabulary
    assert (first_aid, SKOS.topConceptOf, IRIS.scheme("indicator")) in vocabulary
    for scheme in ("strategic-priority", "reach-category", "support-area"):
        assert (health, SKOS.inScheme, IRIS.scheme(scheme)) in vocabulary
    schemes = (*concepts.SCHEMES, *operation_concepts.SCHEMES)
    members = sum(len(s.members) for s in schemes)
    assert len(set(vocabulary.subjects(SKOS.inScheme, None))) <= members
    assert len(list(vocabulary.subject_objects(SKOS.inScheme))) == members
    scope = IRIS.concept("operation-funding-scope", "funding-allocation")
    assert (scope, SKOS.inScheme, IRIS.scheme("operation-funding-scope")) in vocabulary


def test_normalised_structure() -> None:
    """Closed form: each component typed, with qb:componentProperty and the shortcut."""
    vocabulary = generated_vocabulary(BASE)
    dsd = IRIS.dsd("people-reached")
    components = list(vocabulary.objects(dsd, QB.component))
    assert len(components) == 3 + 1 + 3
    for component in components:
        assert (component, RDF.type, QB.ComponentSpecification) in vocabulary
        assert vocabulary.value(component, QB.componentProperty) is not None
    measure = URIRef(f"{dsd}#peopleReached")
    assert (measure, QB.measure, IFRCKG.peopleReached) in vocabulary


def test_iris_are_stable_across_builds() -> None:
    again = build_dataset([mali_report()], base=BASE, report_dir=REPORT_DIR)
    first = {(s, p, o, g.identifier) for s, p, o, g in _quads(mali_dataset())}
    second = {(s, p, o, g.identifier) for s, p, o, g in _quads(again)}
    assert first == second


def _quads(dataset):
    for s, p, o, g in dataset.quads((None, None, None, None)):
        yield s, p, o, g if isinstance(g, Graph) else dataset.graph(g)


def test_another_base_moves_instances_not_terms() -> None:
    other = Graph()
    from ifrc_kg.graph import report_graph
    from ifrc_kg.uris import Iris

    report_graph(mali_report(), other, Iris("http://localhost:8000/"))
    subjects = {str(s) for s in other.subjects()}
    assert "http://localhost:8000/id/report/mli/2023" in subjects
    assert not any(s.startswith(BASE) for s in subjects)
    assert (None, IFRCKG.peopleReached, None) in other


def test_personal_contacts_left_out() -> None:
    graph = report_only(mali_report(), include_personal_contacts=False)
    points = list(graph.subjects(RDF.type, URIRef("http://schema.org/ContactPoint")))
    assert len(points) == 4
    text = graph.serialize(format="nt")
    for contact in mali_report().contacts:
        assert contact.name not in text
        assert not contact.email or contact.email not in text
    roles = {str(graph.value(p, URIRef("http://schema.org/contactType"))) for p in points}
    assert "Secretary General" in roles


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads((artefact_dir("ontology") / "context.jsonld").read_text(encoding="utf-8"))


def test_jsonld_context_round_trips(context: dict) -> None:
    """Compacting with the context and expanding again gives the same triples."""
    graph = report_only(mali_report())
    expanded = json.loads(graph.serialize(format="json-ld"))
    compacted = jsonld.compact(expanded, context)
    text = json.dumps(compacted)
    for key in ('"label"', '"nationalSociety"', '"period"', '"source"', '"quote"', '"unit"'):
        assert key in text, key
    nquads = jsonld.to_rdf(compacted, {"format": "application/n-quads"})
    back = Graph().parse(data=nquads, format="nt")
    assert isomorphic(back, graph)


def test_jsonld_observation_is_readable(context: dict) -> None:
    graph = report_only(mali_report())
    obs = IRIS.observation("MLI", 2023, "people-reached", "health-and-wellbeing")
    expanded = json.loads(graph.serialize(format="json-ld"))
    framed = jsonld.compact([node for node in expanded if node.get("@id") == str(obs)], context)
    assert framed["peopleReached"] in (240612, "240612")
    assert framed["unit"] == "NUM"
    assert framed["printed"] == "240,612"
    assert framed["nationalSociety"] == f"{BASE}id/ns/mli"
    assert framed["source"] == f"{obs}#source"
