"""``ifrc-kg serve --sparql`` over real stores: the same answers as the embedded store on a
build of several reports, and the guards and errors that only a remote store can meet."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from tests.remote_store.conftest import remote_env
from tests.server.servers import REPO, RunningServer, serve, stop
from tests.stores import ExternalStore, free_port, start_oxigraph, start_virtuoso
from tests.stores import stop as stop_store

from ifrc_kg.remote_store import RemoteStore, query_form
from ifrc_kg.server.examples import EXAMPLES
from ifrc_kg.store import StoreLoadError

BASE = "https://w3id.org/ifrc-kg/"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Oxigraph keeps the value of a literal typed with a type derived from xsd:integer and
# reports it as xsd:integer ("79"^^xsd:positiveInteger comes back "79"^^xsd:integer, in the
# embedded store too); Virtuoso keeps the type. Compared as the integers they are.
INTEGER_TYPES = {
    XSD + name
    for name in (
        "integer",
        "positiveInteger",
        "nonNegativeInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
RESOURCES = (
    "report/mli/2023",
    "report/mli/2024",
    "report/ner/2024",
    "ns/mli",
    "ns/ner",
    "operation/MDRML018",
    "operation/MDRML019",
    "operation/MGR60001",
    "observation/mli/2024/people-reached/health-and-wellbeing",
    "observation/ner/2024/people-reached/health-and-wellbeing",
    "dataset",
)


def _term(value: dict) -> tuple:
    datatype = value.get("datatype")
    if datatype in INTEGER_TYPES:
        return ("literal", str(int(value["value"])), XSD + "integer", None)
    kind = "literal" if value["type"] in ("literal", "typed-literal") else value["type"]
    return (kind, value["value"], datatype, value.get("xml:lang"))


def _solutions(response: httpx.Response) -> list[tuple]:
    assert response.status_code == 200, response.text
    body = response.json()
    if "boolean" in body:
        return [("boolean", body["boolean"])]
    names = body["head"]["vars"]
    rows = [
        tuple(_term(row[name]) if name in row else None for name in names)
        for row in body["results"]["bindings"]
    ]
    return sorted(rows, key=repr)


def _canonical(triple: ox.Triple) -> ox.Triple:
    value = triple.object
    if isinstance(value, ox.Literal) and value.datatype.value in INTEGER_TYPES:
        value = ox.Literal(str(int(value.value)), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Triple(triple.subject, triple.predicate, value)


def _ntriples(response: httpx.Response) -> set[ox.Triple]:
    assert response.status_code == 200, response.text
    return {
        _canonical(quad.triple)
        for quad in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
    }


@pytest.fixture(scope="module")
def embedded(multi_dist: Path) -> Iterator[RunningServer]:
    running = serve(multi_dist)
    yield running
    stop(running)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest, multi_dist: Path) -> Iterator[RunningServer]:
    store: ExternalStore = request.getfixturevalue(f"{request.param}_loaded")
    running = serve(multi_dist, {"IFRC_KG_SPARQL_URL": store.query_url})
    yield running
    stop(running)


def _without_limit(query: str) -> str:
    """An example's query without its LIMIT: with LIMIT and no ORDER BY, engines may pick
    different rows, so the comparison is between whole answers."""
    return re.sub(r"\bLIMIT\s+\d+\s*$", "", query.rstrip())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.key)
def test_example_queries_give_the_same_answers(
    embedded: RunningServer, remote: RunningServer, example
) -> None:  # type: ignore[no-untyped-def]
    query = _without_limit(example.query)
    headers = {"Accept": "application/sparql-results+json"}
    with embedded.client() as here, remote.client() as there:
        expected = _solutions(here.post("/sparql", data={"query": query}, headers=headers))
        found = _solutions(there.post("/sparql", data={"query": query}, headers=headers))
    assert len(expected) > 0
    assert found == expected


def test_the_union_is_a_set_and_named_graphs_are_the_builds(
    embedded: RunningServer, remote: RunningServer
) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    # a partner named in every report: one label, not one per report graph
    label = f"""SELECT ?label WHERE {{ <{BASE}id/ns/dnk>
        <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"""
    headers = {"Accept": "application/sparql-results+json"}
    with embedded.client() as here, remote.client() as there:
        for query in (count, graphs, label):
            expected = _solutions(here.post("/sparql", data={"query": query}, headers=headers))
            found = _solutions(there.post("/sparql", data={"query": query}, headers=headers))
            assert found == expected, query
        names = _solutions(there.post("/sparql", data={"query": graphs}, headers=headers))
        health = there.get("/health").json(), here.get("/health").json()
    assert {row[0][1] for row in names} == {
        BASE + name
        for name in (
            "graph/mli/2023",
            "graph/mli/2024",
            "graph/ner/2024",
            "graph/vocabulary",
            "graph/reference",
            "graph/catalog",
        )
    }
    assert health[0]["triples"] == health[1]["triples"] > 40_000
    assert health[0]["graphs"] == health[1]["graphs"] == 6


@pytest.mark.parametrize("path", RESOURCES)
def test_resources_describe_the_same_triples(
    embedded: RunningServer, remote: RunningServer, path: str
) -> None:
    headers = {"Accept": "application/n-triples"}
    with embedded.client() as here, remote.client() as there:
        thing = there.get("/id/" + path, headers=headers)
        assert thing.status_code == 303
        expected = _ntriples(here.get("/doc/" + path, headers=headers))
        found = _ntriples(there.get(thing.headers["location"], headers=headers))
        page_here = here.get("/doc/" + path, headers={"Accept": "text/html"})
        page_there = there.get("/doc/" + path, headers={"Accept": "text/html"})
    assert len(expected) > 3
    assert found == expected
    # the page's links, up to the inbound ones: those are capped (300) in no set order, so
    # a resource with more (ns/mli) shows a different 300 on each engine
    links = re.compile(r'href="([^"]+)"')
    here_links, there_links = (
        set(links.findall(page.text.split('class="inbound"')[0]))
        for page in (page_here, page_there)
    )
    assert there_links == here_links


def test_named_graphs_and_landing_page_are_the_same(
    embedded: RunningServer, remote: RunningServer
) -> None:
    headers = {"Accept": "application/n-triples"}
    with embedded.client() as here, remote.client() as there:
        for graph in ("graph/ner/2024", "graph/vocabulary"):
            expected = _ntriples(here.get("/" + graph, headers=headers))
            assert len(expected) > 1000
            assert _ntriples(there.get("/" + graph, headers=headers)) == expected
        assert there.get("/graph/xyz/1999", headers=headers).status_code == 404
        landing = here.get("/").text, there.get("/").text
        report = here.get("/doc/report/ner/2024").text, there.get("/doc/report/ner/2024").text
    # the same lines; reports of one year with the same title come in either order
    assert sorted(landing[0].splitlines()) == sorted(landing[1].splitlines())
    assert "/id/report/ner/2024" in landing[1]
    for figure in ("198,700", "Red Cross Society of Niger", "MDRNE027"):
        assert figure in report[0] and figure in report[1]


def test_service_in_a_comment_or_string_is_not_a_false_positive(site: RunningServer) -> None:
    """The SERVICE guard runs before the remote store sees the query (no local-name escape:
    Virtuoso lacks it, see below)."""
    query = f"""# SERVICE <http://example.org/sparql> {{ }}
PREFIX service: <{BASE}id/ns/>
SELECT ?service WHERE {{
  BIND("SERVICE <http://example.org/sparql>" AS ?text)
  VALUES ?service {{ service:mli }}
  ?service ?p ?o .
}} LIMIT 1"""
    with site.client() as client:
        response = client.post("/sparql", data={"query": query, "format": "json"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["service"]["value"] == BASE + "id/ns/mli"


def test_what_the_engine_refuses_is_a_400_with_its_message(
    site: RunningServer, request: pytest.FixtureRequest
) -> None:
    """A query valid in SPARQL 1.1 that the engine's grammar lacks (Virtuoso 7.2 has no
    local-name escapes) is answered 400 with the engine's own message, never a 500."""
    query = f"PREFIX id: <{BASE}id/> SELECT ?p WHERE {{ id:ns\\/mli ?p ?o }} LIMIT 1"
    with site.client() as client:
        response = client.post("/sparql", data={"query": query, "format": "json"})
    if request.node.callspec.params["mali_store"] == "virtuoso":
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "query-failed"
        assert body["detail"].startswith("the store refused the query: 400")
        assert "Virtuoso" in body["detail"]
    else:
        assert response.status_code == 200, response.text
        assert len(response.json()["results"]["bindings"]) == 1


def test_a_store_that_goes_away_is_a_502_and_pages_say_so(multi_dist: Path, tmp_path: Path) -> None:
    from tests.conftest import push_build

    store = start_oxigraph(tmp_path)
    push_build(store, multi_dist, tmp_path / "state.json")
    running = serve(multi_dist, remote_env(store))
    try:
        with running.client() as client:
            assert client.get("/health").status_code == 200
            assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
            stop_store(store)
            answer = client.get("/sparql", params={"query": "ASK {}", "format": "json"})
            page = client.get("/doc/report/mli/2023", headers={"Accept": "text/html"})
    finally:
        stop(running)
        stop_store(store)
    assert answer.status_code == 502
    assert answer.json()["code"] == "store-unavailable"
    assert store.query_url in answer.json()["detail"]
    assert page.status_code == 502
    assert "Traceback" not in page.text


def _serve_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from ifrc_kg.cli import main; main()", "serve", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


def test_serve_over_a_store_without_the_build_fails_with_one_line(
    multi_dist: Path, tmp_path: Path
) -> None:
    store = start_oxigraph(tmp_path)
    try:
        port = str(free_port())
        empty = _serve_cli("--dist", str(multi_dist), "--port", port, "--sparql", store.query_url)
    finally:
        stop_store(store)
    assert empty.returncode != 0
    assert f"no graph {BASE}graph/union (push the build first" in empty.stderr
    assert "Traceback" not in empty.stderr

    bad = _serve_cli("--dist", str(multi_dist), "--sparql", "file:///etc/passwd")
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: --sparql 'file:///etc/passwd'")
    missing = _serve_cli("--dist", str(tmp_path / "none"), "--sparql", store.query_url)
    assert missing.returncode == 2 and "no such build directory" in missing.stderr


def test_serve_cli_with_sparql_and_gsp(oxigraph_loaded: ExternalStore, multi_dist: Path) -> None:
    """The documented command line: ``--sparql`` and ``--gsp`` (whole graphs by GSP GET)."""
    port = free_port()
    command = [
        sys.executable, "-c", "from ifrc_kg.cli import main; main()", "serve",
        "--dist", str(multi_dist), "--port", str(port),
        "--sparql", oxigraph_loaded.query_url, "--gsp", oxigraph_loaded.gsp_url,
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE)
    running = RunningServer(f"http://127.0.0.1:{port}", multi_dist, process)
    try:
        _wait_for_health(running)
        with running.client() as client:
            graph = client.get("/graph/mli/2024", headers={"Accept": "application/n-triples"})
            health = client.get("/health").json()
    finally:
        stop(running)
    triples = _ntriples(graph)
    assert len(triples) > 10_000
    assert health["graphs"] == 6


def _wait_for_health(running: RunningServer) -> None:
    import threading
    import time

    give_up = time.monotonic() + 120
    while time.monotonic() < give_up:
        if running.process.poll() is not None:
            raise AssertionError(f"serve exited: {running.process.stderr.read()!r}")  # type: ignore[union-attr]
        try:
            if httpx.get(running.url + "/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        threading.Event().wait(0.05)  # poll interval, not a readiness assumption
    raise AssertionError("serve did not become ready")


def test_remote_store_refuses_what_the_embedded_store_refuses(
    oxigraph_loaded: ExternalStore,
) -> None:
    from ifrc_kg.store import QuerySyntaxError, ServiceRefused, UpdateRefused

    store = RemoteStore(oxigraph_loaded.query_url, BASE)
    try:
        with pytest.raises(UpdateRefused):
            store.query("INSERT DATA { <http://a> <http://b> <http://c> }")
        with pytest.raises(ServiceRefused, match=r"SERVICE to http://example\.org/s"):
            store.query("SELECT * { SERVICE <http://example.org/s> { ?s ?p ?o } }")
        with pytest.raises(QuerySyntaxError):
            store.query("SELEKT * { ?s ?p ?o }")
        capped = store.query("SELECT * { ?s ?p ?o }", max_rows=7)
        assert capped.truncated and len(capped.rows) == 7
        whole = store.query(f"SELECT ?g {{ GRAPH ?g {{ <{BASE}id/report/ner/2024> ?p ?o }} }}")
        assert not whole.truncated
        assert {row[0].value for row in whole.rows} == {BASE + "graph/ner/2024"}
        assert store.has_graph(BASE + "graph/mli/2024")
        assert not store.has_graph(BASE + "graph/union")  # the default graph, not a named one
        assert store.hash_parts(
            f"{BASE}id/observation/ner/2024/people-reached/health-and-wellbeing"
        )
    finally:
        store.close()
    with pytest.raises(StoreLoadError, match="expected an http"):
        RemoteStore("ftp://127.0.0.1/x", BASE)


def test_query_form() -> None:
    assert query_form("PREFIX a: <http://a/> DESCRIBE <http://x>") == "DESCRIBE"
    assert query_form("select * { ?s ?p ?o }") == "SELECT"
    assert json.dumps(query_form("# ASK\nCONSTRUCT WHERE { ?s ?p ?o }")) == '"CONSTRUCT"'


def test_an_answer_virtuoso_cut_at_its_row_limit_is_marked_truncated(tmp_path: Path) -> None:
    """Virtuoso cuts answers at ResultSetMaxRows and says so only in a header: the front end
    must not pass 100 rows on as the whole answer."""
    from ifrc_kg.push import auth_from_env

    store = start_virtuoso(tmp_path, result_rows=100)
    try:
        lines = "".join(
            f'<http://example.org/s{n}> <http://example.org/p> "{n}" .\n' for n in range(150)
        )
        httpx.put(
            store.gsp_url,
            params={"graph": BASE + "graph/union"},
            content=lines.encode(),
            headers={"Content-Type": "application/n-triples"},
            auth=auth_from_env(store.push_env),
        ).raise_for_status()
        remote = RemoteStore(store.query_url, BASE)
        try:
            cut = remote.query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=1000)
            small = remote.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 20", max_rows=1000)
        finally:
            remote.close()
    finally:
        stop_store(store)
    assert len(cut.rows) == 100 and cut.truncated
    assert len(small.rows) == 20 and not small.truncated


def test_the_readme_documents_push_and_remote_serving() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for needle in (
        "ifrc-kg push --to",
        "--sparql URL",
        "--gsp URL",
        "`SPARQL_URL`",
        "`GSP_URL`",
        "`PUSH_USER`",
        "`PUSH_PASSWORD`",
        "`PUSH_AUTH`",
        "## Deploying beyond one machine",
        "make stores",
    ):
        assert needle in readme, needle
    assert "BENCH_" not in readme  # the measured figures are filled in
