"""Shared by tests/graph and tests/shapes: the Mali build (once per process) and SHACL runs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import SH
from tests.variants import MALI_PATH

from ifrc_kg.config import artefact_dir
from ifrc_kg.graph import build_dataset, report_graph
from ifrc_kg.graph.labels import labels_graph_iri
from ifrc_kg.graph.vocabulary import vocabulary_graph
from ifrc_kg.model import Report
from ifrc_kg.report import parse_report, parse_text
from ifrc_kg.uris import Iris

BASE = "https://w3id.org/ifrc-kg/"
IRIS = Iris(BASE)
REPORT_DIR = MALI_PATH.parent
PREFIXES = """
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX unit: <http://qudt.org/vocab/unit/>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX doco: <http://purl.org/spar/doco/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


@functools.cache
def mali_report() -> Report:
    return parse_report(MALI_PATH)


@functools.cache
def mali_dataset() -> Dataset:
    return build_dataset([mali_report()], base=BASE, report_dir=REPORT_DIR)


@functools.cache
def vocabulary() -> Graph:
    return vocabulary_graph(BASE)


@functools.cache
def shapes() -> Graph:
    graph = Graph()
    for path in sorted(artefact_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def union(dataset: Dataset) -> Graph:
    graph = Graph()
    for named in dataset.graphs():
        graph += named
    return graph


def report_only(report: Report, include_personal_contacts: bool = True) -> Graph:
    """One report's graph plus the vocabulary: what the shapes need, quick to validate."""
    graph = Graph()
    report_graph(report, graph, IRIS, include_personal_contacts, REPORT_DIR)
    graph += vocabulary()
    return graph


def mali_graph() -> Graph:
    """A fresh, mutable copy of the Mali report graph plus the vocabulary, and the labels the
    build chooses for what it names (``<base>graph/labels``)."""
    graph = Graph()
    graph += mali_dataset().graph(IRIS.graph("MLI", 2023))
    graph += mali_dataset().graph(labels_graph_iri(IRIS.base))
    graph += vocabulary()
    return graph


def variant(text: str) -> Graph:
    return report_only(parse_text(text, MALI_PATH.name))


@dataclass(frozen=True)
class Result:
    severity: str
    shape: str
    focus: str
    message: str
    path: str | None


def shacl(
    graph: Graph,
    shape_names: list[str] | None = None,
    focus: list[URIRef] | None = None,
) -> list[Result]:
    """Validation results (all severities) of ``graph`` against the project's shapes."""
    shape_iris = (
        [URIRef(f"https://w3id.org/ifrc-kg/def/shapes#{name}") for name in shape_names]
        if shape_names
        else None
    )
    _, report, _ = validate(
        graph,
        shacl_graph=shapes(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        use_shapes=shape_iris,
        focus_nodes=focus,
    )
    results = []
    for result in report.subjects(SH.resultSeverity, None):
        path = report.value(result, SH.resultPath)
        shape = report.value(result, SH.sourceShape)
        if isinstance(shape, BNode):  # an inline property shape: name its node shape
            shape = shapes().value(None, SH.property, shape) or shape
        results.append(
            Result(
                severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                shape=str(shape).rsplit("#", 1)[-1],
                focus=str(report.value(result, SH.focusNode)),
                message=str(report.value(result, SH.resultMessage)),
                path=str(path) if path is not None else None,
            )
        )
    return results


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")
