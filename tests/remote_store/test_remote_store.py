"""``ifrc-kg serve --sparql`` over real stores: the same answers as the embedded store on a
build of several reports, and the guards and errors that only a remote store can meet."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pyoxigraph as ox
import pytest
from tests.remote_store.conftest import remote_env
from tests.server.servers import REPO, RunningServer, serve, stop
from tests.stores import ExternalStore, free_port, start_oxigraph, start_virtuoso
from tests.stores import stop as stop_store

from ifrc_kg.remote_store import RemoteStore, RemoteStoreUnavailable, StoreCutAnswer
from ifrc_kg.server.admission import EngineBusy, TooManyClientQueries
from ifrc_kg.server.examples import EXAMPLES
from ifrc_kg.server.pool import QueryLimits, ResultTooLarge
from ifrc_kg.server.remote_engine import RemoteQueryEngine
from ifrc_kg.store import QueryAnswer, QueryRequest, QueryTimeout, StoreLoadError

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
            "graph/findings",
            "graph/labels",
        )
    }
    assert health[0]["triples"] == health[1]["triples"] > 40_000
    assert health[0]["graphs"] == health[1]["graphs"] == 8


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
    assert health["graphs"] == 8


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


def _engine(store: ExternalStore, **limits: Any) -> RemoteQueryEngine:
    remote = RemoteStore(store.query_url, BASE)
    return RemoteQueryEngine(remote, QueryLimits(**({"timeout_s": 10.0} | limits)))


def _request(sparql: str, key: str = "json", **options: Any) -> QueryRequest:
    formats = {"solutions": key, "boolean": key, "graph": "ntriples" if key != "html" else key}
    return QueryRequest(sparql=sparql, formats=formats, **options)


async def _answer(engine: RemoteQueryEngine, request: QueryRequest) -> QueryAnswer | bytes:
    """The page, or every byte of the stream (raising what the stream raises)."""
    answer = await engine.execute(request)
    if answer.chunks is None:
        return answer
    return b"".join([chunk async for chunk in answer.chunks])


def test_remote_engine_refuses_what_the_local_engine_refuses(
    oxigraph_loaded: ExternalStore,
) -> None:
    """The same rdflib-based check as the worker pool, before anything is sent."""
    from ifrc_kg.query_check import QueryTooDeep
    from ifrc_kg.store import QuerySyntaxError, ServiceRefused, UpdateRefused

    engine = _engine(oxigraph_loaded)
    refused = {
        "INSERT DATA { <http://a> <http://b> <http://c> }": UpdateRefused,
        "LOAD <http://example.org/x>": UpdateRefused,
        "SELECT * { SERVICE <http://example.org/s> { ?s ?p ?o } }": ServiceRefused,
        "PREFIX s: <http://x/> SELECT * { SERV\\u0049CE s:q { ?s ?p ?o } }": ServiceRefused,
        "SELECT * { SERVICE ?where { ?s ?p ?o } }": ServiceRefused,
        "SELEKT * { ?s ?p ?o }": QuerySyntaxError,
        "SELECT * {" + "(" * 150 + "1" + ")" * 150 + "}": QueryTooDeep,
    }
    try:
        for query, error in refused.items():
            with pytest.raises(error):
                anyio.run(_answer, engine, _request(query))
        with pytest.raises(QuerySyntaxError, match="not an IRI"):
            anyio.run(_answer, engine, _request("ASK {}", default_graphs=("not an iri",)))
        assert engine.running == 0
    finally:
        engine.close()


@pytest.mark.parametrize("engine_name", ["oxigraph", "virtuoso"])
def test_remote_engine_streams_every_row_in_the_negotiated_format(
    engine_name: str, request: pytest.FixtureRequest
) -> None:
    """Every row, with no row cap, re-written in the client's format (over Virtuoso too, whose
    JSON answer of the whole graph takes 1-2 s here: past the 1 s of the protocol tests)."""
    engine = _engine(request.getfixturevalue(f"{engine_name}_loaded"))
    try:
        count = anyio.run(_answer, engine, _request("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "tsv"))
        every = anyio.run(_answer, engine, _request("SELECT * { ?s ?p ?o }", "tsv"))
        graph = anyio.run(_answer, engine, _request("CONSTRUCT WHERE { ?s ?p ?o }"))
        asked = anyio.run(_answer, engine, _request(f"ASK {{ <{BASE}id/ns/ner> ?p ?o }}", "xml"))
        named = anyio.run(
            _answer,
            engine,
            _request(
                "SELECT ?g { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                named_graphs=(BASE + "graph/ner/2024",),
            ),
        )
        page = anyio.run(
            _answer, engine, _request("SELECT ?s { ?s ?p ?o }", "html", page_offset=5, page_size=7)
        )
        relative = anyio.run(
            _answer, engine, _request("ASK { <ns/ner> ?p ?o }", base_iri=BASE + "id/")
        )
    finally:
        engine.close()
    assert isinstance(count, bytes) and isinstance(every, bytes) and isinstance(graph, bytes)
    total = int(count.decode().split("\n")[1].split("^^")[0].strip('"'))
    assert total > 10_000
    assert len(every.decode().rstrip("\n").split("\n")) == total + 1  # the header row
    assert len(list(ox.parse(graph, format=ox.RdfFormat.N_TRIPLES))) == total
    assert b"<boolean>true</boolean>" in asked  # type: ignore[operator]
    assert json.loads(named)["results"]["bindings"] == [  # type: ignore[arg-type]
        {"g": {"type": "uri", "value": BASE + "graph/ner/2024"}}
    ]
    assert isinstance(page, QueryAnswer) and page.page is not None
    assert len(page.page.rows) == 7 and page.page.more
    assert json.loads(relative)["boolean"] is True  # type: ignore[arg-type]


def test_remote_engine_refuses_an_answer_past_the_byte_limit_mid_stream(
    oxigraph_loaded: ExternalStore,
) -> None:
    """Past ``result_bytes`` the stream raises: never a shorter answer that looks whole."""
    engine = _engine(oxigraph_loaded, result_bytes=300_000)
    try:
        small = anyio.run(_answer, engine, _request("SELECT * { ?s ?p ?o } LIMIT 10"))
        with pytest.raises(ResultTooLarge, match="limit of 300000 bytes"):
            anyio.run(_answer, engine, _request("SELECT * { ?s ?p ?o }"))
        _wait_until(lambda: engine.running == 0, "the query's thread to let go")
    finally:
        engine.close()
    assert len(json.loads(small)["results"]["bindings"]) == 10  # type: ignore[arg-type]


def test_remote_engine_fails_a_stream_the_deadline_cuts(oxigraph_loaded: ExternalStore) -> None:
    """Rows already sent, then the limit: the stream raises (the server breaks the response
    off), it never ends as if the answer were whole; the query's thread lets go."""
    slow = """SELECT * WHERE { { ?a ?p ?b } UNION { ?a ?p ?b . ?c ?q ?d .
      FILTER(STRSTARTS(MD5(CONCAT(STR(?b), STR(?d))), "000")) } }"""
    engine = _engine(oxigraph_loaded, timeout_s=2.0)

    async def read() -> tuple[int, BaseException | None]:
        answer = await engine.execute(_request(slow, "tsv"))
        received = 0
        try:
            async for chunk in answer.chunks:  # type: ignore[union-attr]
                received += len(chunk)
        except QueryTimeout as error:
            return received, error
        return received, None

    try:
        received, failure = anyio.run(read)
        _wait_until(lambda: engine.running == 0, "the query's thread to let go")
    finally:
        engine.close()
    assert received > 0
    assert isinstance(failure, QueryTimeout) and "limit of 2 s" in str(failure)


def test_remote_engine_bounds_queries_at_once_and_per_client(
    oxigraph_loaded: ExternalStore,
) -> None:
    engine = _engine(oxigraph_loaded, workers=2, per_client=1)

    async def three_at_once() -> list[object]:
        opened = []
        outcomes: list[object] = []
        for client in ("a", "a", "b", "c"):
            try:
                opened.append(
                    await engine.execute(_request("SELECT * { ?s ?p ?o }", client=client))
                )
                outcomes.append("running")
            except (TooManyClientQueries, EngineBusy) as error:
                outcomes.append(type(error))
        for answer in opened:  # clients that go away after the first chunk
            await answer.chunks.__anext__()  # type: ignore[union-attr]
            await answer.chunks.aclose()  # type: ignore[union-attr]
        return outcomes

    try:
        outcomes = anyio.run(three_at_once)
        _wait_until(lambda: engine.running == 0, "the stopped queries to let go")
        after = anyio.run(_answer, engine, _request("ASK {}", client="a"))
    finally:
        engine.close()
    assert outcomes == ["running", TooManyClientQueries, "running", EngineBusy]
    assert json.loads(after) == {"head": {}, "boolean": True}  # type: ignore[arg-type]


def _wait_until(condition, what: str, limit_s: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Poll a condition (a bound, not a timing assertion: fails only if it never holds)."""
    import threading
    import time

    give_up = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"gave up waiting for {what}")
        threading.Event().wait(0.02)


#: pages that show tens to hundreds of resources (labels, quotes, figures, inbound links), and
#: the requests to the store each may take: one per kind of look-up, never one per resource
FEW_REQUESTS = {
    "/doc/report/mli/2024": 10,
    "/doc/ns/mli": 6,
    "/doc/operation/MDRML018": 7,
    "/doc/observation/ner/2024/people-reached/health-and-wellbeing": 6,
    "/graph/ner/2024": 3,
}


@pytest.mark.parametrize("engine_name", ["oxigraph", "virtuoso"])
def test_a_page_over_a_store_takes_a_few_requests_whatever_it_shows(
    engine_name: str,
    request: pytest.FixtureRequest,
    multi_dist: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every request to the store is a round trip: a page asks for its labels, statements
    and quotes in batches, so its cost does not grow with the resources it links to."""
    import dataclasses

    from fastapi.testclient import TestClient

    from ifrc_kg.config import Settings
    from ifrc_kg.server.app import create_app

    store = request.getfixturevalue(f"{engine_name}_loaded")
    sent: list[str] = []
    original = RemoteStore.open_answer

    def counted(self: RemoteStore, sparql: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(" ".join(sparql.split())[:100])
        return original(self, sparql, *args, **kwargs)

    monkeypatch.setattr(RemoteStore, "open_answer", counted)
    settings = dataclasses.replace(Settings.from_env(), sparql_url=store.query_url)
    with TestClient(create_app(settings, dist=multi_dist, node_modules=None)) as client:
        # once per process: the catalog metadata, the findings, the index of hash IRIs
        assert client.get("/doc/report/ner/2024").status_code == 200
        for path, most in FEW_REQUESTS.items():
            sent.clear()
            page = client.get(path)
            assert page.status_code == 200, path
            assert len(re.findall(r'href="/(?:id|doc|def)/', page.text)) > 20, path
            assert 1 <= len(sent) <= most, (path, sent)
        sent.clear()
        assert client.get("/doc/ns/zzz").status_code == 404
        assert len(sent) == 1, sent


def test_the_pages_store_reads_the_build(oxigraph_loaded: ExternalStore) -> None:
    store = RemoteStore(oxigraph_loaded.query_url, BASE)
    try:
        assert store.has_graph(BASE + "graph/mli/2024")
        assert not store.has_graph(BASE + "graph/union")  # the default graph, not a named one
        assert store.hash_parts(
            f"{BASE}id/observation/ner/2024/people-reached/health-and-wellbeing"
        )
        assert store.is_mentioned(BASE + "id/ns/ner")
        assert not store.is_mentioned(BASE + "id/ns/zzz")
    finally:
        store.close()
    with pytest.raises(StoreLoadError, match="expected an http"):
        RemoteStore("ftp://127.0.0.1/x", BASE)


def test_an_answer_virtuoso_cut_at_its_row_limit_is_an_error(tmp_path: Path) -> None:
    """Virtuoso cuts answers at ResultSetMaxRows and says so only in a header: the front end
    must not pass 100 rows on as the whole answer; within the limit the answer is whole."""
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
        engine = _engine(store)
        try:
            with pytest.raises(StoreCutAnswer, match="row limit of 100"):
                anyio.run(_answer, engine, _request("SELECT ?s WHERE { ?s ?p ?o }"))
            small = anyio.run(_answer, engine, _request("SELECT ?s WHERE { ?s ?p ?o } LIMIT 20"))
            with pytest.raises(RemoteStoreUnavailable, match="ResultSetMaxRows"):
                list(engine.store.subjects_with_prefix("http://example.org/"))
        finally:
            engine.close()
    finally:
        stop_store(store)
    assert len(json.loads(small)["results"]["bindings"]) == 20  # type: ignore[arg-type]


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
    deploying = readme.split("## Deploying beyond one machine")[1].split("\n## ")[0]
    assert "MiB" in deploying and "BENCH_" not in deploying  # the measured figures are filled in
