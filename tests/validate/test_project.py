"""The project's own artefacts: the shapes pass SHACL's meta-shapes, the Mali graph every IC."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset
from tests.variants import MALI_PATH

from ifrc_kg.datacube import IC_IDS, check_integrity, union_graph
from ifrc_kg.graph import build_dataset
from ifrc_kg.report import parse_report
from ifrc_kg.validate import check_shapes, shapes_graph, vocabulary_graph


@pytest.fixture(scope="module")
def mali_dataset() -> Dataset:
    return build_dataset([parse_report(MALI_PATH)], report_dir=Path(MALI_PATH).parent)


@pytest.fixture(scope="module")
def mali_integrity(mali_dataset: Dataset) -> dict[str, list[str]]:
    return check_integrity(mali_dataset)


def test_project_shapes_pass_shacl_meta_validation() -> None:
    report = check_shapes()
    assert report.conforms, report.summary()


def test_project_shapes_and_vocabulary_are_not_empty() -> None:
    assert len(shapes_graph()) > 100
    assert len(vocabulary_graph()) > 100


@pytest.mark.parametrize("ic_id", IC_IDS)
def test_mali_graph_passes_data_cube_constraint(
    mali_integrity: dict[str, list[str]], ic_id: str
) -> None:
    assert mali_integrity[ic_id] == []


def test_mali_graph_has_cubes_the_constraints_actually_look_at(mali_dataset: Dataset) -> None:
    """Guard against a vacuous pass: there are observations, DSDs and coded dimensions."""
    counts = union_graph(mali_dataset).query(
        """PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT (COUNT(DISTINCT ?obs) AS ?obs) (COUNT(DISTINCT ?dsd) AS ?dsds)
               (COUNT(DISTINCT ?list) AS ?lists)
        WHERE { ?obs qb:dataSet/qb:structure ?dsd .
                OPTIONAL { ?dsd qb:component/qb:dimension/qb:codeList ?list } }"""
    )
    [row] = list(counts)
    assert row.obs.toPython() > 100
    assert row.dsds.toPython() >= 5
    assert row.lists.toPython() >= 1


def test_mali_graph_breaks_when_an_observation_loses_its_data_set(mali_dataset: Dataset) -> None:
    """The same checks on a copy of the real graph with one link removed."""
    graph = union_graph(mali_dataset)
    graph.update(
        """PREFIX qb: <http://purl.org/linked-data/cube#>
        DELETE { ?obs qb:dataSet ?ds } WHERE {
          { SELECT ?obs ?ds WHERE { ?obs qb:dataSet ?ds } ORDER BY ?obs LIMIT 1 } }"""
    )
    found = check_integrity(graph)
    assert len(found["IC-1"]) == 1
