"""The attacks of issue 8, each reproduced against a real server on 127.0.0.1: crash, freeze,
lock-out, memory, SSRF, silent truncation. The server under attack has small limits so
every case runs in a second or two; no test asserts a speed, only outcomes."""

from __future__ import annotations

import http.server
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from tests.server.comunica import Job, comunica
from tests.server.servers import RunningServer, serve, stop

from ifrc_kg.server.processes import children, cpu_seconds

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HOSTILE = [
    CARTESIAN,
    "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "SELECT (GROUP_CONCAT(STR(?c)) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?f }",
    "SELECT ?a ?z WHERE { ?a (<http://a>|!<http://a>)* ?z }",
]
MEMORY_HOG = "SELECT ?a ?b ?c WHERE { ?a ?x ?b . ?c ?y ?d } ORDER BY RAND()"
TIMEOUT_S = 3.0


@pytest.fixture(scope="module")
def guarded(built_dist: Path) -> Iterator[RunningServer]:
    env = {
        "IFRC_KG_QUERY_TIMEOUT_S": str(TIMEOUT_S),
        "IFRC_KG_QUERY_MEMORY_MB": "250",
        "IFRC_KG_QUERY_WORKERS": "2",
        "IFRC_KG_CLIENT_QUERIES": "2",
        "IFRC_KG_SLOW_QUERY_S": "0.5",
        "IFRC_KG_MAX_RESULT_BYTES": "3000000",
        "IFRC_KG_QUERY_QUEUE_WAIT_S": "3",
    }
    running = serve(built_dist, env)
    yield running
    stop(running)


def _workers(server: RunningServer) -> list[int]:
    """The query workers: children of the fork server, itself a child of the server."""
    return [pid for child in children(server.process.pid) for pid in children(child)]


def _post(server: RunningServer, query: str, **headers: str) -> httpx.Response:
    with server.client() as client:
        return client.post(
            "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", **headers},
        )


def _cheap_query_works(server: RunningServer) -> None:
    response = _post(server, "ASK { ?s a <http://schema.org/Report> }")
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True


def _in_threads(calls: list) -> list[httpx.Response]:  # type: ignore[type-arg]
    results: list[httpx.Response | None] = [None] * len(calls)

    def run(index: int) -> None:
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result is not None for result in results)
    return results  # type: ignore[return-value]


# --- crash ---------------------------------------------------------------------------------


def test_deeply_nested_query_is_refused_and_the_server_lives(guarded: RunningServer) -> None:
    deep = "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    response = _post(guarded, deep)
    assert response.status_code == 400
    assert response.json()["code"] == "query-syntax"
    assert "5002 deep" in response.json()["detail"]
    _cheap_query_works(guarded)


def test_a_native_crash_in_a_worker_costs_one_query(guarded: RunningServer) -> None:
    """What pyoxigraph's parser does on deep nesting (SIGSEGV), done to a busy worker."""
    outcome: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: outcome.append(_post(guarded, CARTESIAN)))
    before = set(_workers(guarded))
    thread.start()
    with guarded.client() as client:
        give_up = threading.Event()
        for _ in range(400):
            if client.get("/health").json()["queries_running"] >= 1:
                break
            give_up.wait(0.01)
    for pid in _workers(guarded):
        os.kill(pid, signal.SIGSEGV)
    thread.join(timeout=60)
    assert before
    assert outcome[0].status_code == 400
    assert outcome[0].json()["code"] == "query-crashed"
    _cheap_query_works(guarded)
    assert guarded.process.poll() is None


# --- freeze --------------------------------------------------------------------------------


def test_unterminated_long_string_does_not_freeze_anything(guarded: RunningServer) -> None:
    hostile = 'SELECT * { ?s ?p """' + '\\"' * 40_000 + " }"  # 80 KB, froze the old guard
    responses = _in_threads(
        [
            lambda: _post(guarded, hostile),
            lambda: guarded.client().get("/health"),
        ]
    )
    assert responses[0].status_code == 400
    assert responses[0].json()["code"] == "query-syntax"
    assert responses[1].status_code == 200


# --- lock-out and CPU ----------------------------------------------------------------------


def test_queries_past_their_limit_stop_and_free_the_endpoint(guarded: RunningServer) -> None:
    """Four hostile queries at once (the old server then answered 503 to everything while
    its threads ground on); each is stopped, refused or told to wait, and afterwards the
    endpoint answers and the workers are idle."""
    responses = _in_threads([lambda query=query: _post(guarded, query) for query in HOSTILE])
    codes = sorted(response.json()["code"] for response in responses)
    assert all(response.status_code in (429, 503) for response in responses), codes
    stopped = {"query-timeout", "busy", "too-many-slow-queries"}
    assert set(codes) <= stopped | {"too-many-queries", "query-memory"}
    assert stopped & set(codes)
    _cheap_query_works(guarded)
    with guarded.client() as client:
        assert client.get("/health").json()["queries_running"] == 0
    # stopped means stopped: the workers use (next to) no CPU once the answers are out
    workers = _workers(guarded)
    start = cpu_seconds(workers)
    threading.Event().wait(1.0)
    assert cpu_seconds(workers) - start <= 0.2


def test_per_client_cap(built_dist: Path) -> None:
    """A client running its two queries gets a 429 for a third, and the server answers
    other requests meanwhile. Its own server, where a query does not turn slow within the
    test (with ``guarded``'s 0.5 s, the second slow query was stopped at once and freed the
    client's slot before a third arrived under load), and the third is sent once both run.

    (The event loop once read a worker's pipe its reader had called readable with nothing
    in it, and waited there until both long queries ended: the third query was then
    admitted, and ``ASK {}`` took as long as they did.)"""
    env = {
        "IFRC_KG_QUERY_TIMEOUT_S": "10",
        "IFRC_KG_QUERY_WORKERS": "3",
        "IFRC_KG_CLIENT_QUERIES": "2",
        "IFRC_KG_SLOW_QUERY_S": "30",
    }
    capped = serve(built_dist, env)
    try:
        running = [threading.Thread(target=_post, args=(capped, CARTESIAN)) for _ in range(2)]
        for thread in running:
            thread.start()
        with capped.client() as client:
            for _ in range(200):  # both admitted: at most 200 polls of 10 ms
                if client.get("/health").json()["queries_running"] == 2:
                    break
                threading.Event().wait(0.01)
            assert client.get("/health").json()["queries_running"] == 2
        refused = _post(capped, CARTESIAN)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "too-many-queries"
        assert refused.headers["Retry-After"]
        answered = _post(capped, "ASK {}")  # no store needed: answered by the web process
        assert answered.status_code == 200 and answered.json()["boolean"] is True
        with capped.client() as client:  # answered while the long queries still ran
            assert client.get("/health").json()["queries_running"] == 2
        for thread in running:
            thread.join(timeout=60)
        _cheap_query_works(capped)
    finally:
        stop(capped)


# --- memory --------------------------------------------------------------------------------


def test_a_query_past_its_memory_limit_is_a_clean_error(guarded: RunningServer) -> None:
    response = _post(guarded, MEMORY_HOG)
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "query-memory"
    assert "250 MiB" in body["detail"]
    _cheap_query_works(guarded)


# --- SSRF ----------------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":["x"]},"results":{"bindings":[]}}')

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def internal_service() -> Iterator[tuple[str, list[str]]]:
    """An "internal" SPARQL service on 127.0.0.1 that records every request it gets."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", _Recorder.hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "template",
    [
        'SELECT * {{ ?a ?b ?c FILTER(?a<?b)#>"""\n SERVICE <{url}> {{ ?x ?y ?z }}\n#"""\n}}',
        "SELECT * {{ ?a ?b ?c .SERVICE <{url}> {{ ?x ?y ?z }} }}",
        "SELECT * {{ SERV\\u0049CE <{url}> {{ ?x ?y ?z }} }}",
        "PREFIX s: <{url}> SELECT * {{ service silent s: {{ ?x ?y ?z }} }}",
    ],
)
def test_service_to_an_internal_url_is_never_called(
    guarded: RunningServer, internal_service: tuple[str, list[str]], template: str
) -> None:
    url, hits = internal_service
    response = _post(guarded, template.format(url=url))
    assert response.status_code == 403
    assert response.json()["code"] == "service-refused"
    assert hits == []


# --- no silent truncation ------------------------------------------------------------------


def test_an_answer_cut_by_the_size_limit_is_an_error_not_a_shorter_answer(
    guarded: RunningServer,
) -> None:
    """Every quad as JSON is about 6 MB, past the 3 MB limit: the stream is broken off, so
    the client (httpx here, SPARQLWrapper or rdflib alike) fails instead of parsing a part."""
    with guarded.client() as client:
        with pytest.raises(httpx.HTTPError):
            response = client.get(
                "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "json"}
            )
            response.json()
        small = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3000", "format": "json"},
        )
    assert small.status_code == 200
    assert len(small.json()["results"]["bindings"]) == 3000
    _cheap_query_works(guarded)


def test_an_answer_cut_by_the_size_limit_fails_in_comunica(guarded: RunningServer) -> None:
    """Comunica, reading the same cut stream, reports an error rather than fewer rows; the
    same query under the limit gives every row."""
    whole, small = comunica(
        guarded.url + "/sparql",
        [
            Job("bindings", "SELECT * WHERE { ?s ?p ?o }"),
            Job("bindings", "SELECT * WHERE { ?s ?p ?o } LIMIT 3000"),
        ],
    )
    assert "answer" not in whole and whole["error"], whole
    assert len(small["answer"]) == 3000  # type: ignore[arg-type]
    _cheap_query_works(guarded)
