"""What is mapped once per process, and what a report's dataset holds of the shared reference.

The corpus build gives each report's dataset only the countries, National Societies and
organisations it names (``build_dataset(..., whole_reference=False)``); these tests check
that the per-process mappings are the fresh ones, that a report gets exactly what it
names, and that its validation is the one it gets with the whole reference.
"""

from __future__ import annotations

import functools

from rdflib import Dataset, Graph, URIRef
from tests.graph.helpers import BASE, IRIS, REPORT_DIR, mali_dataset, mali_report, shapes
from tests.variants import MALI_PATH, mali_text, partner_added_and_removed

from ifrc_kg.datacube import UnionView
from ifrc_kg.graph import build_dataset, vocabulary_graph_iri, vocabulary_triples
from ifrc_kg.graph.links import (
    add_countries,
    add_organisations,
    add_places,
    add_societies,
    place_triples,
    reference_graph_iri,
    shared_reference,
)
from ifrc_kg.graph.vocabulary import vocabulary_graph
from ifrc_kg.model import Report
from ifrc_kg.reference import load_reference
from ifrc_kg.report import parse_text
from ifrc_kg.validate import validate

REFERENCE = reference_graph_iri(IRIS)


@functools.cache
def mali_named() -> Dataset:
    return build_dataset([mali_report()], BASE, report_dir=REPORT_DIR, whole_reference=False)


@functools.cache
def swiss_report() -> Report:
    return parse_text(partner_added_and_removed(mali_text()), MALI_PATH.name)


def _graph(dataset: Dataset, iri: URIRef) -> set[tuple]:
    return set(dataset.graph(iri))


def _shared_subjects(dataset: Dataset) -> set[URIRef]:
    about = shared_reference(BASE).about
    return {s for s, _, _ in dataset.graph(REFERENCE) if s in about}


def _societies_named_by_report(dataset: Dataset, report: Report) -> set[URIRef]:
    """Societies the report's own graph names (subject or object), and its own."""
    graph = dataset.graph(IRIS.graph(report.country.iso3, report.year))
    prefix = str(IRIS.national_society("XXX"))[:-3]
    terms = {t for triple in graph for t in (triple[0], triple[2])}
    return {t for t in terms if isinstance(t, URIRef) and str(t).startswith(prefix)}


def test_the_per_process_mappings_are_the_fresh_ones() -> None:
    iris, reference = IRIS, load_reference()
    fresh = Graph()
    add_countries(fresh, iris, reference)
    add_societies(fresh, iris, reference)
    add_organisations(fresh, iris, reference)
    shared = shared_reference(BASE)
    assert set(shared.triples) == set(fresh) and len(shared.triples) == len(fresh)
    assert shared_reference(BASE) is shared  # once per process
    assert sum(len(ts) for ts in shared.about.values()) == len(fresh)
    places = Graph()
    add_places(places, iris, reference.admin_units_of("MLI"))
    assert set(place_triples(BASE, "MLI")) == set(places) and len(places) > 100
    assert set(vocabulary_triples(BASE)) == set(vocabulary_graph(BASE))


def test_a_report_holds_the_shared_resources_it_names_and_nothing_else_changes() -> None:
    whole, named = mali_dataset(), mali_named()
    for iri in {g.identifier for g in whole.graphs()} - {REFERENCE}:
        assert _graph(named, iri) == _graph(whole, iri), iri
    assert _graph(named, vocabulary_graph_iri(BASE))  # the vocabulary stays, for sh:class
    whole_reference, named_reference = _graph(whole, REFERENCE), _graph(named, REFERENCE)
    assert named_reference < whole_reference
    about = shared_reference(BASE).about
    # what is not the shared reference (places, operations) is all there
    assert {t for t in whole_reference if t[0] not in about} <= named_reference
    # a named resource comes with its whole description, and its country with it
    for node in (IRIS.national_society("MLI"), IRIS.country("MLI")):
        assert set(about[node]) <= named_reference
    subjects = _shared_subjects(named)
    assert IRIS.national_society("QAT") in subjects  # a partner of the report
    assert IRIS.national_society("NZL") not in subjects and IRIS.country("NZL") not in subjects
    assert len(subjects) < len(about) / 10


def test_a_report_whose_partners_differ_gets_exactly_its_own() -> None:
    swiss = build_dataset([swiss_report()], BASE, report_dir=None, whole_reference=False)
    mali = mali_named()
    che = IRIS.national_society("CHE")  # the Swiss Red Cross joins the partner matrix
    assert che in _shared_subjects(swiss) and che not in _shared_subjects(mali)
    assert set(shared_reference(BASE).about[che]) <= set(swiss.graph(REFERENCE))
    for dataset, report in ((swiss, swiss_report()), (mali, mali_report())):
        societies = {s for s in _shared_subjects(dataset) if "/ns/" in str(s)}
        assert societies == _societies_named_by_report(dataset, report)
        # each society's country is there too (the shapes check it is a schema:Country)
        reference = dataset.graph(REFERENCE)
        countries = {o for s in societies for o in reference.objects(s) if "/country/" in str(o)}
        assert countries and countries <= _shared_subjects(dataset)


def _results(dataset: Dataset) -> tuple:
    result = validate(UnionView(dataset), shapes=shapes(), vocabulary=Graph(), inplace=True)
    issues = sorted(repr(i) for i in (*result.violations, *result.warnings, *result.infos))
    return result.conforms, issues, result.integrity


def test_a_report_validates_with_what_it_names_as_with_the_whole_reference() -> None:
    report = swiss_report()
    whole = build_dataset([report], BASE, whole_reference=True)
    named = build_dataset([report], BASE, whole_reference=False)
    conforms, issues, integrity = _results(named)
    assert (conforms, issues, integrity) == _results(whole)
    assert conforms


def test_the_shared_reference_validates_alone_without_any_result() -> None:
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o in shared_reference(BASE).triples)
    graph.addN((s, p, o, graph) for s, p, o in vocabulary_triples(BASE))
    result = validate(graph, shapes=shapes(), vocabulary=Graph(), inplace=True)
    assert result.conforms
    assert not [*result.violations, *result.warnings, *result.infos]
