"""The SPARQL endpoint over real HTTP against the real build: methods, formats, errors,
guards (read-only, SERVICE, time limit, no row cap, body size), CORS and caching."""

from __future__ import annotations

import csv
import io
import re
import threading
import time

import httpx
import pyoxigraph as ox
import pytest
from tests.server.servers import SITE_MAX_BODY, RunningServer

from ifrc_kg.server.examples import EXAMPLES
from ifrc_kg.store import Deadline, GraphStore, ServiceRefused

IFRCKG = "https://w3id.org/ifrc-kg/def/core#"
BASE = "https://w3id.org/ifrc-kg/"
OPERATIONS = f"""PREFIX ifrckg: <{IFRCKG}>
SELECT ?operation ?code WHERE {{
  <{BASE}id/report/mli/2023> ifrckg:operation ?operation .
  ?operation <http://www.w3.org/2004/02/skos/core#notation> ?code .
}} ORDER BY ?code"""
CONSTRUCT = f"""PREFIX ifrckg: <{IFRCKG}>
CONSTRUCT {{ <{BASE}id/report/mli/2023> ifrckg:operation ?operation .
             ?operation <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
WHERE {{ <{BASE}id/report/mli/2023> ifrckg:operation ?operation .
         ?operation <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"""
# A cross product whose rare matches stream out slowly: each solution costs many MD5s, so it
# runs for minutes (hundreds of millions of pairs) but yields rows often enough for the
# worker's deadline checks to stop it.
SLOW = """SELECT ?a ?c WHERE { ?a ?p ?b . ?c ?q ?d .
  FILTER(STRSTARTS(MD5(CONCAT(STR(?b), STR(?d))), "000")) }"""

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
}


def _media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def _rows(response: httpx.Response) -> list[dict[str, str]]:
    """Solutions of any result format, as plain {variable: lexical value}."""
    media = _media(response)
    if media == "text/csv":
        return [
            {key: value for key, value in row.items() if value}
            for row in csv.DictReader(io.StringIO(response.text))
        ]
    parsed = ox.parse_query_results(response.content, format=RESULT_FORMATS[media])
    names = [variable.value for variable in parsed.variables]
    return [
        {name: solution[name].value for name in names if solution[name] is not None}
        for solution in parsed
    ]


def _triples(response: httpx.Response) -> set[ox.Triple]:
    fmt = RDF_TYPES[_media(response)]
    return {quad.triple for quad in ox.parse(response.content, format=fmt)}


# --- methods and formats -----------------------------------------------------------------


def test_get_form_and_direct_post_agree(site: RunningServer) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    with site.client() as client:
        by_get = client.get("/sparql", params={"query": OPERATIONS}, headers=accept)
        by_form = client.post("/sparql", data={"query": OPERATIONS}, headers=accept)
        by_body = client.post(
            "/sparql",
            content=OPERATIONS.encode(),
            headers=accept | {"Content-Type": "application/sparql-query"},
        )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
    codes = [row["code"] for row in _rows(by_get)]
    assert codes == ["MDRML018", "MGR60001"]
    assert _rows(by_form) == _rows(by_get) == _rows(by_body)


@pytest.mark.parametrize("media", [*RESULT_FORMATS, "text/csv"])
def test_every_solution_format_parses_back_to_the_same_rows(
    site: RunningServer, media: str
) -> None:
    with site.client() as client:
        expected = _rows(client.get("/sparql", params={"query": OPERATIONS, "format": "json"}))
        response = client.get("/sparql", params={"query": OPERATIONS}, headers={"Accept": media})
    assert response.status_code == 200
    assert _media(response) == media
    assert response.headers["vary"].startswith("Accept")
    assert _rows(response) == expected
    assert {row["code"] for row in expected} == {"MDRML018", "MGR60001"}


@pytest.mark.parametrize(
    ("format_param", "media"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_format_parameter_overrides_accept(
    site: RunningServer, format_param: str, media: str
) -> None:
    with site.client() as client:
        response = client.get(
            "/sparql",
            params={"query": OPERATIONS, "format": format_param},
            headers={"Accept": "text/turtle"},
        )
    assert response.status_code == 200
    assert _media(response) == media


@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_every_graph_format_parses_back_to_the_same_triples(
    site: RunningServer, media: str
) -> None:
    with site.client() as client:
        reference = _triples(
            client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/turtle"})
        )
        response = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": media})
    assert response.status_code == 200
    assert _media(response) == media
    assert _triples(response) == reference
    labels = {t.object.value for t in reference if t.predicate.value.endswith("#label")}
    assert "Mali Dengue Outbreak" in labels
    links = {t.object.value for t in reference if t.predicate.value == IFRCKG + "operation"}
    assert links == {f"{BASE}id/operation/MDRML018", f"{BASE}id/operation/MGR60001"}


def test_describe_returns_rdf(site: RunningServer) -> None:
    query = f"DESCRIBE <{BASE}id/operation/MDRML018>"
    with site.client() as client:
        response = client.get("/sparql", params={"query": query, "format": "ntriples"})
    assert response.status_code == 200
    subjects = {t.subject.value for t in _triples(response)}
    assert f"{BASE}id/operation/MDRML018" in subjects


@pytest.mark.parametrize(
    "media", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask(site: RunningServer, media: str) -> None:
    with site.client() as client:
        yes = client.get(
            "/sparql",
            params={"query": f"ASK {{ <{BASE}id/ns/mli> ?p ?o }}"},
            headers={"Accept": media},
        )
        no = client.get(
            "/sparql",
            params={"query": f"ASK {{ <{BASE}id/ns/nowhere> ?p ?o }}"},
            headers={"Accept": media},
        )
    assert bool(ox.parse_query_results(yes.content, format=RESULT_FORMATS[media])) is True
    assert bool(ox.parse_query_results(no.content, format=RESULT_FORMATS[media])) is False


def test_default_graph_is_the_union_and_protocol_dataset_replaces_it(site: RunningServer) -> None:
    report_graph = f"{BASE}graph/mli/2023"
    vocabulary = f"{BASE}graph/vocabulary"
    query = f"ASK {{ <{BASE}id/report/mli/2023> a <http://schema.org/Report> }}"
    with site.client() as client:
        union = client.get("/sparql", params={"query": query, "format": "json"}).json()
        own = client.get(
            "/sparql", params={"query": query, "default-graph-uri": report_graph, "format": "json"}
        ).json()
        other = client.get(
            "/sparql", params={"query": query, "default-graph-uri": vocabulary, "format": "json"}
        ).json()
        named = client.get(
            "/sparql",
            params={
                "query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }",
                "named-graph-uri": report_graph,
                "format": "json",
            },
        ).json()
    assert union["boolean"] is True
    assert own["boolean"] is True
    assert other["boolean"] is False
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [report_graph]


def test_queries_run_as_written_without_injected_prefixes(site: RunningServer) -> None:
    with site.client() as client:
        response = client.get("/sparql", params={"query": "SELECT * { ?s ifrckg:year ?y }"})
    assert response.status_code == 400
    assert "Prefix 'ifrckg' is not declared — add PREFIX ifrckg: <" in response.json()["detail"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.key for example in EXAMPLES])
def test_every_example_query_returns_rows(site: RunningServer, example) -> None:  # type: ignore[no-untyped-def]
    with site.client() as client:
        response = client.post("/sparql", data={"query": example.query, "format": "json"})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert rows, f"example {example.key} returned no rows"
    assert "X-Result-Truncated" not in response.headers


def test_example_values(site: RunningServer) -> None:
    by_key = {example.key: example for example in EXAMPLES}
    with site.client() as client:
        reached = _rows(client.post("/sparql", data={"query": by_key["people-reached"].query}))
        partners = _rows(client.post("/sparql", data={"query": by_key["partners"].query}))
    health = [row for row in reached if row["priority"] == "Health and wellbeing"]
    assert health and health[0]["peopleReached"] == "240612"
    operations = _rows(client_post(site, by_key["operations"].query))
    pairs = [(row["report"], row["operation"]) for row in operations]
    assert len(pairs) == len(set(pairs)) == 2  # one row per report and operation
    dref = [row for row in operations if row["code"] == "MDRML018"]
    assert dref[0]["name"] == "Mali Dengue Outbreak" and dref[0]["end"] == "2024-03-31"
    disagreements = _rows(client_post(site, by_key["disagreements"].query))
    first_aid = [r for r in disagreements if r["figure"].endswith("/people-trained-first-aid")]
    assert len(first_aid) == 1 and "104" in first_aid[0]["message"]
    assert first_aid[0]["difference"] == "1" and first_aid[0]["tolerance"] == "0"
    assert len({row["finding"] for row in disagreements}) == 5
    danish = [row for row in partners if row.get("name") == "Danish Red Cross"]
    assert len(danish) == 1
    assert danish[0]["society"] == "Mali Red Cross" and danish[0]["amount"] == "15700000"


# --- service description and query page ---------------------------------------------------


@pytest.mark.parametrize("path", ["/sparql", "/sparql/"])
def test_service_description_names_the_configured_endpoint(site: RunningServer, path: str) -> None:
    """The endpoint IRI comes from the configured base, never from the Host header."""
    with site.client() as client:
        response = client.get(path, headers={"Accept": "text/turtle", "Host": "attacker.example"})
    assert response.status_code == 200
    assert b"attacker.example" not in response.content
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = BASE + "sparql"
    assert store.query(f"ASK {{ ?s a <{sd}Service> ; <{sd}endpoint> <{endpoint}> }}")
    assert store.query(f"ASK {{ ?s <{sd}supportedLanguage> <{sd}SPARQL11Query> }}")
    assert store.query(f"ASK {{ ?s <{sd}feature> <{sd}UnionDefaultGraph> }}")
    formats = {
        solution["f"].value for solution in store.query(f"SELECT ?f {{ ?s <{sd}resultFormat> ?f }}")
    }
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats
    names = {s["g"].value for s in store.query(f"SELECT ?g {{ ?n <{sd}name> ?g }}")}
    assert f"{BASE}graph/mli/2023" in names


def test_browser_gets_the_query_page(site: RunningServer) -> None:
    with site.client() as client:
        response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "/assets/yasgui/yasgui.min.js" in response.text
    for example in EXAMPLES:
        assert example.title in response.text


def test_html_results_table(site: RunningServer) -> None:
    with site.client() as client:
        response = client.get("/sparql", params={"query": OPERATIONS, "format": "html"})
    assert response.status_code == 200
    assert 'id="results"' in response.text
    assert "MDRML018" in response.text
    assert 'href="/id/operation/MDRML018"' in response.text


# --- errors -------------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_parser_message(site: RunningServer) -> None:
    with site.client() as client:
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "query-syntax"
    assert body["detail"].startswith("syntax error at line 1, column 18: Expected SelectQuery")
    assert (body["line"], body["column"]) == (1, 18)
    assert "prefix" not in body


def test_undeclared_prefix_is_named_with_its_declaration(site: RunningServer) -> None:
    query = "SELECT ?label WHERE {\n  ?s skos:prefLabel ?label }"
    with site.client() as client:
        response = client.post("/sparql", data={"query": query})
        text = client.get("/sparql", params={"query": query}, headers={"Accept": "text/plain"})
        page = client.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
    assert response.status_code == 400
    body = response.json()
    skos = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    assert body["detail"] == (f"line 2, column 6: Prefix 'skos' is not declared — add {skos}")
    assert (body["line"], body["column"], body["prefix"]) == (2, 6, "skos")
    assert body["declaration"] == skos
    assert text.status_code == 400
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.splitlines()[:3] == [
        f"400 Bad Request: line 2, column 6: Prefix 'skos' is not declared — add {skos}",
        "line: 2",
        "column: 6",
    ]
    assert page.status_code == 400 and 'data-member="prefix">skos<' in page.text


def test_unknown_prefix_is_named_without_a_guess(site: RunningServer) -> None:
    query = "PREFIX ex: <http://example.org/>\nSELECT * { ?s ex:p ?o . ?o nope:q 'a:b' }"
    with site.client() as client:
        body = client.get("/sparql", params={"query": query}).json()
    assert (
        body["detail"] == "line 2, column 28: Prefix 'nope' is not declared — add PREFIX nope: <…>"
    )
    assert (body["line"], body["column"], body["prefix"]) == (2, 28, "nope")
    assert "declaration" not in body


def test_unacceptable_accept_is_406(site: RunningServer) -> None:
    with site.client() as client:
        select = client.get(
            "/sparql", params={"query": OPERATIONS}, headers={"Accept": "image/png"}
        )
        construct = client.get(
            "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}
        )
        bad_format = client.get(
            "/sparql",
            params={"query": OPERATIONS, "format": "pdf"},
            headers={"Accept": "image/png"},
        )
        unknown_format = client.get("/sparql", params={"query": OPERATIONS, "format": "pdf"})
    for response in (select, construct, bad_format):
        assert response.status_code == 406
        assert "offered" in response.json()["detail"]
    # an unknown format= leaves the choice to Accept (here none: the default, JSON)
    assert unknown_format.status_code == 200
    assert unknown_format.headers["content-type"].startswith("application/sparql-results+json")


@pytest.mark.parametrize(
    "request_args",
    [
        {
            "method": "POST",
            "content": b"INSERT DATA { <http://a> <http://b> <http://c> }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {"method": "POST", "data": {"update": "CLEAR ALL"}},
        {"method": "GET", "params": {"update": "DROP ALL"}},
        {"method": "POST", "data": {"query": "LOAD <http://example.org/data.ttl>"}},
        {
            "method": "GET",
            "params": {"query": "PREFIX ex: <http://ex/> DELETE WHERE { ?s ex:p ?o }"},
        },
        {
            "method": "POST",
            "content": b"CLEAR DEFAULT",
            "headers": {"Content-Type": "application/sparql-query"},
        },
    ],
    ids=[
        "direct-update",
        "form-update",
        "get-update",
        "load-as-query",
        "delete-as-query",
        "clear-as-query-body",
    ],
)
def test_updates_are_refused(site: RunningServer, request_args: dict) -> None:
    with site.client() as client:
        before = client.get("/health").json()["triples"]
        response = client.request(url="/sparql", **request_args)
        after = client.get("/health").json()["triples"]
    assert response.status_code == 403
    assert response.json()["code"] == "update-refused"
    assert "read-only" in response.json()["detail"]
    assert before == after


def test_service_is_refused(site: RunningServer) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with site.client() as client:
        response = client.post("/sparql", data={"query": query})
        variable = client.post(
            "/sparql", data={"query": "SELECT * { SERVICE ?where { ?s ?p ?o } }"}
        )
        glued = client.post(  # "." then SERVICE with no space: a keyword all the same
            "/sparql",
            data={
                "query": "SELECT * { ?a ?b ?c .SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
            },
        )
    assert glued.status_code == 403
    assert response.status_code == 403
    assert response.json()["code"] == "service-refused"
    assert "http://127.0.0.1:9/sparql" in response.json()["detail"]
    assert variable.status_code == 403


def test_service_in_a_comment_or_string_is_not_a_false_positive(site: RunningServer) -> None:
    query = f"""# SERVICE <http://example.org/sparql> {{ }}
PREFIX service: <{BASE}id/>
SELECT ?service WHERE {{
  BIND("SERVICE <http://example.org/sparql>" AS ?text)
  VALUES ?service {{ service:ns\\/mli }}
  ?service ?p ?o .
}} LIMIT 1"""
    with site.client() as client:
        response = client.post("/sparql", data={"query": query, "format": "json"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["service"]["value"] == f"{BASE}id/ns/mli"


def test_service_allow_list(w3c: RunningServer) -> None:
    """An allow-listed endpoint is called (here: the W3C test server on 127.0.0.1)."""
    store = GraphStore(ox.Store())
    endpoint = w3c.url + "/sparql"
    query = f"SELECT ?s WHERE {{ SERVICE <{endpoint}> {{ ?s a ?type }} }} ORDER BY ?s"
    with pytest.raises(ServiceRefused):
        store.query(query)
    result = store.query(query, service_allow_list=(endpoint,), deadline=Deadline(30))
    assert [row[0].value for row in result.rows] == [
        "http://kasei.us/2009/09/sparql/data/data1.rdf",
        "http://kasei.us/2009/09/sparql/data/data2.rdf",
        "http://kasei.us/2009/09/sparql/data/data3.rdf",
    ]


def test_body_over_the_limit_is_413(site: RunningServer) -> None:
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (SITE_MAX_BODY + 10)
    with site.client() as client:
        direct = client.post(
            "/sparql", content=huge.encode(), headers={"Content-Type": "application/sparql-query"}
        )
        form = client.post("/sparql", data={"query": huge})

        def chunks():  # no Content-Length: the limit applies while reading
            for start in range(0, len(huge), 8192):
                yield huge[start : start + 8192].encode()

        streamed = client.post(
            "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
        )
    for response in (direct, form, streamed):
        assert response.status_code == 413
        assert response.json()["code"] == "body-too-large"


def test_other_protocol_errors(site: RunningServer) -> None:
    with site.client() as client:
        no_type = client.post("/sparql", content=b"ASK {}")
        text_plain = client.post(
            "/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}
        )
        two_queries = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
        put = client.put("/sparql", content=b"ASK {}")
        utf16 = client.post(
            "/sparql",
            content="ASK {}".encode("utf-16"),
            headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
        )
        not_utf8 = client.post(
            "/sparql", content=b"ASK { \xff }", headers={"Content-Type": "application/sparql-query"}
        )
    assert no_type.status_code == 415
    assert text_plain.status_code == 415
    assert two_queries.status_code == 400
    assert put.status_code == 405
    assert utf16.status_code == 415
    assert not_utf8.status_code == 400


# --- bounds --------------------------------------------------------------------------------


def test_every_row_is_sent_with_no_row_cap(site: RunningServer) -> None:
    """Machine-readable answers are bounded by time and bytes, never cut at a row count:
    every solution of the default graph arrives (the old server stopped at its row cap)."""
    with site.client() as client:
        count = client.get(
            "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "format": "json"},
        ).json()["results"]["bindings"][0]["n"]["value"]
        every = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o }"},
            headers={"Accept": "text/tab-separated-values"},
        )
    assert every.status_code == 200
    assert "X-Result-Truncated" not in every.headers
    rows = every.text.rstrip("\n").split("\n")[1:]
    assert int(count) > 10_000  # the old row cap
    assert len(rows) == int(count)


def _wait_for(condition, what: str, limit_s: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Poll a condition (a bound, not a timing assertion: fails only if it never holds)."""
    give_up = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"gave up waiting for {what}")
        threading.Event().wait(0.02)


def test_slow_query_times_out_while_other_queries_are_answered(site: RunningServer) -> None:
    outcome: dict[str, httpx.Response] = {}

    def slow() -> None:
        with site.client() as client:
            outcome["slow"] = client.post("/sparql", data={"query": SLOW, "format": "json"})

    worker = threading.Thread(target=slow)
    health = site.client()
    worker.start()
    _wait_for(lambda: health.get("/health").json()["queries_running"] >= 1, "the slow query")
    with site.client() as client:
        quick = client.get("/sparql", params={"query": OPERATIONS, "format": "json"})
    assert quick.status_code == 200
    assert len(quick.json()["results"]["bindings"]) == 2
    worker.join()
    response = outcome["slow"]
    assert response.status_code == 503
    assert response.json()["code"] == "query-timeout"
    assert "limit of 1 s" in response.json()["detail"]
    # the work is stopped, not abandoned: the worker returns
    _wait_for(lambda: health.get("/health").json()["queries_running"] == 0, "the worker to stop")
    health.close()


# --- CORS and caching ----------------------------------------------------------------------


def test_cors_is_open_for_get_and_post(site: RunningServer) -> None:
    origin = {"Origin": "https://example.org"}
    with site.client() as client:
        get = client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
        preflight = client.options(
            "/sparql",
            headers=origin
            | {
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
    assert get.headers["access-control-allow-origin"] == "*"
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_etag_and_last_modified_from_the_build(site: RunningServer) -> None:
    with site.client() as client:
        first = client.get("/sparql", params={"query": OPERATIONS, "format": "csv"})
        etag = first.headers["etag"]
        again = client.get(
            "/sparql",
            params={"query": OPERATIONS, "format": "csv"},
            headers={"If-None-Match": etag},
        )
        other = client.get(
            "/sparql",
            params={"query": OPERATIONS, "format": "json"},
            headers={"If-None-Match": etag},
        )
        since = client.get("/", headers={"If-Modified-Since": first.headers["last-modified"]})
    assert first.status_code == 200
    assert first.headers["last-modified"].endswith("GMT")
    assert again.status_code == 304
    assert again.content == b""
    assert other.status_code == 200
    assert since.status_code == 304


def test_conditional_requests_never_hide_an_error(site: RunningServer) -> None:
    """``If-None-Match: *`` and a date match only a representation that exists (RFC 9110)."""
    with site.client() as client:
        star = client.get("/doc/no-such-thing", headers={"If-None-Match": "*"})
        dated = client.get(
            "/doc/no-such-thing", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
        )
        existing = client.get("/doc/ns/mli", headers={"If-None-Match": "*"})
    assert star.status_code == 404
    assert dated.status_code == 404
    assert existing.status_code == 304


def test_html_results_never_link_a_script_iri(site: RunningServer) -> None:
    query = 'SELECT ?x WHERE { BIND(IRI("javascript:alert(1)") AS ?x) }'
    with site.client() as client:
        page = client.get("/sparql", params={"query": query, "format": "html"})
    assert page.status_code == 200
    assert "javascript:alert(1)" in page.text  # shown as text
    assert 'href="javascript:' not in page.text


@pytest.mark.parametrize("path", ["/dumps", "/sparql"])
def test_negotiated_pages_vary_on_accept(site: RunningServer, path: str) -> None:
    with site.client() as client:
        html = client.get(path, headers={"Accept": "text/html"})
        data = client.get(path, headers={"Accept": "application/json, text/turtle;q=0.9"})
    assert html.headers["content-type"].startswith("text/html")
    assert not data.headers["content-type"].startswith("text/html")
    for response in (html, data):
        assert "Accept" in response.headers["vary"]


def test_html_results_twin_keeps_the_dataset(site: RunningServer) -> None:
    """The machine-readable twin of a results page asks the same question of the same data."""
    graph = "https://w3id.org/ifrc-kg/graph/mli/2023"
    with site.client() as client:
        page = client.get(
            "/sparql",
            params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": graph, "format": "html"},
        )
    assert page.status_code == 200
    twin = re.search(r'<link rel="alternate"[^>]*href="([^"]+)"', page.text)
    assert twin is not None
    assert "named-graph-uri=https%3A%2F%2Fw3id.org%2Fifrc-kg%2Fgraph%2Fmli%2F2023" in twin.group(1)


def client_post(site: RunningServer, query: str):  # type: ignore[no-untyped-def]
    with site.client() as client:
        return client.post("/sparql", data={"query": query})
