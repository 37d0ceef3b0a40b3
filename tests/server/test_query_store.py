"""The in-process store without HTTP (the server's own queries, tools): dataset rules,
guards, deadline, row cap, load errors."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from ifrc_kg.cli import main
from ifrc_kg.store import (
    Deadline,
    GraphStore,
    QuerySyntaxError,
    QueryTimeout,
    ServiceRefused,
    StoreLoadError,
    UpdateRefused,
)

EX = "http://example.org/"


@pytest.fixture(scope="module")
def store() -> GraphStore:
    oxigraph = ox.Store()
    for graph in ("g1", "g2"):
        for number in range(60):
            oxigraph.add(
                ox.Quad(
                    ox.NamedNode(f"{EX}{graph}/s{number}"),
                    ox.NamedNode(f"{EX}p"),
                    ox.Literal(f"{graph} value {number}"),
                    ox.NamedNode(f"{EX}{graph}"),
                )
            )
    return GraphStore(oxigraph)


def test_default_graph_is_the_union(store: GraphStore) -> None:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p> ?o }}")
    assert result.rows[0][0].value == "120"


def test_loaded_default_graph_is_the_union_as_a_set(tmp_path: Path) -> None:
    """A triple two report graphs both state (an operation, a partner's label) counts once,
    and a join over such triples does not multiply: SPARQL's default graph is a set."""
    shared = f'<{EX}op> <{EX}code> "MDRML018"'
    lines = [f"{shared} <{EX}g{graph}> ." for graph in (1, 2, 3)] + [
        f'<{EX}op> <{EX}name> "Dengue" <{EX}g{graph}> .' for graph in (1, 2, 3)
    ]
    path = tmp_path / "graph.nq"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = GraphStore.load(path)
    count = loaded.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}code> ?o }}")
    assert count.rows[0][0].value == "1"
    join = loaded.query(f"SELECT * WHERE {{ ?op <{EX}code> ?c ; <{EX}name> ?n }}")
    assert len(join.rows) == 1
    assert len(loaded) == 6  # the statements of the named graphs, not their union's copy
    named = loaded.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{EX}code> ?o }} }}")
    assert named.rows[0][0].value == "3"


def test_from_clause_is_respected(store: GraphStore) -> None:
    result = store.query(f"SELECT (COUNT(*) AS ?n) FROM <{EX}g1> WHERE {{ ?s <{EX}p> ?o }}")
    assert result.rows[0][0].value == "60"


def test_protocol_dataset_replaces_the_default(store: GraphStore) -> None:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p> ?o }}"
    assert store.query(query, default_graphs=[f"{EX}g2"]).rows[0][0].value == "60"
    named = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[f"{EX}g1"]
    )
    assert [row[0].value for row in named.rows] == [f"{EX}g1"]


def test_rows_are_capped(store: GraphStore) -> None:
    result = store.query("SELECT * WHERE { ?s ?p ?o }", max_rows=25)
    assert len(result.rows) == 25
    assert result.truncated
    assert not store.query("SELECT * WHERE { ?s ?p ?o }", max_rows=120).truncated


def test_a_streaming_query_is_stopped_at_its_deadline(store: GraphStore) -> None:
    endless = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # 120^4 rows
    deadline = Deadline(60)
    deadline.cancel.set()  # what the server does when it gives up waiting
    with pytest.raises(QueryTimeout):
        store.query(endless, deadline=deadline, max_rows=10**9)
    with pytest.raises(QueryTimeout, match=r"limit of 0\.2 s"):
        store.query(endless, deadline=Deadline(0.2), max_rows=10**9)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "PREFIX ex: <http://ex/>\nDELETE WHERE { ?s ex:p ?o }",
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "# a comment\nLOAD <http://example.org/x.ttl>",
        "clear all",
        "BASE <http://x/> DROP GRAPH <g>",
    ],
)
def test_updates_are_refused(store: GraphStore, update: str) -> None:
    with pytest.raises(UpdateRefused):
        store.query(update)


def test_update_words_in_strings_are_not_updates(store: GraphStore) -> None:
    query = 'SELECT * WHERE { ?s ?p "INSERT DATA" } # DROP ALL'
    assert store.query(query).rows == []


def test_service_refused_unless_allowed(store: GraphStore) -> None:
    query = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(ServiceRefused, match=r"127\.0\.0\.1:9"):
        store.query(query)
    with pytest.raises(ServiceRefused):
        store.query(query, service_allow_list=("http://127.0.0.1:8/sparql",))


def test_syntax_errors_carry_the_parser_message(store: GraphStore) -> None:
    with pytest.raises(QuerySyntaxError, match=r"syntax error at line 1, column 17: Expected"):
        store.query("SELECT * WHERE {")


def test_an_undeclared_prefix_is_named_with_its_line(store: GraphStore) -> None:
    with pytest.raises(QuerySyntaxError, match="Prefix 'skos' is not declared") as raised:
        store.query("SELECT * WHERE {\n  ?s skos:prefLabel ?o }")
    assert raised.value.details == {
        "line": 2,
        "column": 6,
        "prefix": "skos",
        "declaration": "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    }


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(StoreLoadError, match=r"no graph\.trig or graph\.nq"):
        GraphStore.from_dist(tmp_path)
    broken = tmp_path / "graph.trig"
    broken.write_text("<http://a> <http://b> .\n")
    with pytest.raises(StoreLoadError, match=r"graph\.trig"):
        GraphStore.from_dist(tmp_path)


def test_hash_parts_are_indexed() -> None:
    oxigraph = ox.Store()
    thing = f"{EX}figure"
    oxigraph.add(ox.Quad(ox.NamedNode(thing + "#source"), ox.NamedNode(f"{EX}p"), ox.Literal("x")))
    store = GraphStore(oxigraph)
    assert store.hash_parts(thing) == [thing + "#source"]
    assert store.is_mentioned(thing)
    assert not store.is_mentioned(f"{EX}other")


def test_serve_without_a_build_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--dist", str(tmp_path), "--port", "1"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error:")
    assert "graph.trig" in result.output
