"""The user mix (``bench/questions``, the query page's examples, whole-store aggregates) gives
the same answers with the planner step on and off: in the worker's own function over the
worker's store, and over HTTP from two servers of the same build, ``IFRC_KG_QUERY_REWRITE``
1 and 0."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from tests.server.servers import REPO, RunningServer, serve, stop
from tests.server.test_example_rewrites import AS_FIRST_WRITTEN

from ifrc_kg.config import Settings
from ifrc_kg.errors import BuildError
from ifrc_kg.server.examples import EXAMPLES
from ifrc_kg.server.statistics import VOID, read_statistics, shared_statistics
from ifrc_kg.server.worker import QueryJob, _planned
from ifrc_kg.store import GraphStore

JSON = {"Accept": "application/sparql-results+json"}
AGGREGATES = {
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "classes": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "classes-ordered": "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "SELECT (COUNT(DISTINCT ?s) AS ?n) ?c { ?s rdf:type ?c . } GROUP BY ?c ORDER BY DESC(?n) ?c",
    "properties": "SELECT ?p (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "one-class": "PREFIX qb: <http://purl.org/linked-data/cube#>\n"
    "SELECT (COUNT(?x) AS ?n) WHERE { ?x a qb:Observation }",
    "no-such-class": "SELECT (COUNT(*) AS ?n) WHERE { ?x a <http://example.org/Nothing> }",
}
USER_MIX = {
    **{
        path.stem: path.read_text("utf-8")
        for path in sorted((REPO / "bench/questions").glob("*.rq"))
    },
    **{f"example-{example.key}": example.query for example in EXAMPLES},
    "people-reached-as-first-written": AS_FIRST_WRITTEN,
    # q04 and q07 asked of this build's society and year: their two bound patterns are
    # joined by hash (``join_order.hash_joined``)
    **{
        f"{name}-of-this-build": (REPO / f"bench/questions/{name}.rq")
        .read_text("utf-8")
        .replace("/ns/aus", "/ns/mli")
        .replace("/period/2022", "/period/2023")
        for name in ("q04-partners-of-one", "q07-indicators-of-one")
    },
    # q18 without its LIMIT: aggregated before the label OPTIONAL (``pre_aggregate.py``)
    "q18-top-funders-all": (REPO / "bench/questions/q18-top-funders.rq")
    .read_text("utf-8")
    .replace("LIMIT 10", ""),
    # the peers bench's text search (its labels repeat 3.7 times at a million quads, 1.2 times
    # in this build: tested per triple here), and one over values that repeat here too:
    # tested once per distinct value (``filter_first.py``)
    "text-search": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label "
    'FILTER(CONTAINS(LCASE(STR(?label)), "red cross")) }',
    "text-search-repeated": "PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>\n"
    "SELECT ?mention ?kind WHERE { ?mention ifrckg:mentionKind ?kind "
    'FILTER(CONTAINS(LCASE(STR(?kind)), "a")) }',
    **AGGREGATES,
}
# the queries the planner changes on this build (the others run as written): aggregates from
# the statistics, moves and MINUS, and patterns ordered smallest first by the build's counts
CHANGED = {
    "q11-no-bilateral",
    "people-reached-as-first-written",
    *AGGREGATES,
    *("q02-reports", "q03-reached-total", "q06-large-claims", "q10-quote-of-figure"),
    *("q17-figures-per-dataset", "example-disagreements", "example-early-warning"),
    # stars read whole and joined by hash (``join_order.star_joined``)
    *("q01-societies", "q05-reports-per-period", "q08-funding-per-society"),
    *("q15-admin-areas", "q16-indicators-over-1000"),
    *("example-partners", "example-people-reached"),
    *("q04-partners-of-one-of-this-build", "q07-indicators-of-one-of-this-build"),
    "q18-top-funders-all",
    "text-search-repeated",
}


@pytest.fixture(scope="module")
def worker_store(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """The store as the workers open it: the build, its catalog graph, the union."""
    graphs = GraphStore.from_dist(built_dist)
    catalog = "https://w3id.org/ifrc-kg/graph/catalog"
    if not graphs.has_graph(catalog):
        graphs.add_graph(built_dist / "void.ttl", catalog)
    path = graphs.write_query_store(tmp_path_factory.mktemp("worker-store") / "store")
    return ox.Store.read_only(str(path))


def _rows(store: ox.Store, query: str) -> Counter:
    return Counter(tuple(str(term) for term in row) for row in store.query(query))


@pytest.mark.parametrize("name", sorted(USER_MIX))
def test_same_answer_with_the_planner_on_and_off(worker_store: ox.Store, name: str) -> None:
    query = USER_MIX[name]
    planned = _planned(worker_store, QueryJob(sparql=query))
    assert (planned != query) == (name in CHANGED)
    rows = _rows(worker_store, query)
    assert _rows(worker_store, planned) == rows
    if name in ("q04-partners-of-one", "q07-indicators-of-one"):
        assert "SELECT ?figure WHERE" not in planned  # another society: nothing to join
    if name.endswith("-of-this-build"):
        assert "SELECT ?figure WHERE" in planned and rows
    if name == "text-search-repeated":
        assert "GROUP BY ?kind" in planned and rows
    if name == "q18-top-funders-all":
        assert "{ SELECT ?ns (SUM(?amount) AS ?funding) WHERE" in planned and rows
    if not name.startswith("q") and name != "no-such-class":  # the questions are the bench
        assert rows  # corpus's (some ask about other countries)


def test_aggregates_with_a_dataset_are_not_answered_from_statistics(
    worker_store: ox.Store,
) -> None:
    job = QueryJob(sparql=AGGREGATES["count"], default_graphs=("https://w3id.org/ifrc-kg/x",))
    assert _planned(worker_store, job) == AGGREGATES["count"]
    with_from = AGGREGATES["count"].replace("WHERE", "FROM <https://w3id.org/ifrc-kg/x> WHERE")
    assert _planned(worker_store, QueryJob(sparql=with_from)) == with_from


def _void_store(triples: int, type_triples: int) -> ox.Store:
    """A catalog graph stating ``triples`` and two property partitions (7 + ``type_triples``)
    and one class partition of 3, beside a data graph."""
    store = ox.Store()
    catalog = ox.NamedNode("http://example.org/catalog")
    text = f"""
    @prefix void: <{VOID}> .
    <http://example.org/dataset> void:triples {triples} ;
      void:classPartition [ void:class <http://example.org/C> ; void:entities 3 ] ;
      void:propertyPartition [ void:property <http://example.org/p> ; void:triples 7 ] ,
        [ void:property <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ;
          void:triples {type_triples} ] .
    """
    store.load(text.encode(), ox.RdfFormat.TURTLE, to_graph=catalog)
    return store


def test_statistics_that_do_not_add_up_are_not_used() -> None:
    consistent = read_statistics(_void_store(10, 3))
    assert consistent is not None and consistent.classes is not None
    # the catalog graph's own triples, in no other graph, count too (10 of them here)
    assert consistent.classes["http://example.org/C"] == 3
    assert consistent.triples == 10 + 10
    partitions_off = read_statistics(_void_store(11, 3))
    assert partitions_off is not None and partitions_off.properties is None
    assert partitions_off.classes is None
    classes_off = read_statistics(_void_store(11, 4))  # 7 + 4 = 11, but 3 class instances
    assert classes_off is not None and classes_off.classes is None
    assert classes_off.properties is not None
    assert read_statistics(ox.Store()) is None


def test_statistics_are_kept_beside_the_store_for_the_other_workers(tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    writing = ox.Store(str(store_path))
    writing.extend(q for q in _void_store(10, 3))
    writing.flush()
    del writing
    store = ox.Store.read_only(str(store_path))  # as the workers open it
    tmp_path.chmod(0o700)
    first = shared_statistics(store, store_path)
    kept = store_path.with_name("store.statistics.json")
    assert first is not None and kept.is_file()
    saved = json.loads(kept.read_text())
    saved["statistics"]["triples"] = 99  # a file it trusts is used as it is
    kept.write_text(json.dumps(saved))
    assert shared_statistics(store, store_path).triples == 99
    saved["key"] = "another store"
    kept.write_text(json.dumps(saved))
    assert shared_statistics(store, store_path) == first  # not this store's: read again
    tmp_path.chmod(0o777)  # others may write here: the file is neither read nor written
    kept.unlink()
    assert shared_statistics(store, store_path) == first
    assert not kept.exists()
    tmp_path.chmod(0o700)


def test_the_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().query_rewrite is True
    monkeypatch.setenv("IFRC_KG_QUERY_REWRITE", "0")
    assert Settings.from_env().query_rewrite is False
    monkeypatch.setenv("IFRC_KG_QUERY_REWRITE", "maybe")
    with pytest.raises(BuildError, match="IFRC_KG_QUERY_REWRITE"):
        Settings.from_env()


@pytest.fixture(scope="module")
def unplanned_site(built_dist: Path) -> Iterator[RunningServer]:
    running = serve(built_dist, {"IFRC_KG_QUERY_REWRITE": "0"})
    yield running
    stop(running)


def _answer(running: RunningServer, query: str) -> tuple[list[str], Counter]:
    with running.client() as client:
        response = client.post("/sparql", data={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    body = response.json()
    rows = Counter(json.dumps(b, sort_keys=True) for b in body["results"]["bindings"])
    return body["head"]["vars"], rows


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_same_answer_over_http_with_the_setting_on_and_off(
    site: RunningServer, unplanned_site: RunningServer, name: str
) -> None:
    assert _answer(site, USER_MIX[name]) == _answer(unplanned_site, USER_MIX[name])
