"""Peers' clients with their default settings, the forgiving ``format`` parameter, the HTML
view's pages, links from the configured base, and a 4xx (never a 500) for bad input."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from tests.server.servers import SITE_PAGE_ROWS, RunningServer
from tests.server.test_sparql_protocol import BASE, CONSTRUCT, OPERATIONS

CODES = {"DREF", "MDRML018", "MGR60001"}
ASK = f"ASK {{ <{BASE}id/report/mli/2023> ?p ?o }}"


# --- format= ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "value", "media"),
    [
        (OPERATIONS, "json", "application/sparql-results+json"),
        (OPERATIONS, "xml", "application/sparql-results+xml"),
        (OPERATIONS, "csv", "text/csv"),
        (OPERATIONS, "tsv", "text/tab-separated-values"),
        (OPERATIONS, "text/csv", "text/csv"),
        (CONSTRUCT, "turtle", "text/turtle"),
        (CONSTRUCT, "n3", "text/turtle"),
        (CONSTRUCT, "rdf+xml", "application/rdf+xml"),
        (CONSTRUCT, "xml", "application/rdf+xml"),
        (CONSTRUCT, "json-ld", "application/ld+json"),
        (CONSTRUCT, "json", "application/ld+json"),
        (CONSTRUCT, "n-triples", "application/n-triples"),
        (CONSTRUCT, "nt", "application/n-triples"),
    ],
)
def test_format_aliases(site: RunningServer, query: str, value: str, media: str) -> None:
    with site.client() as client:
        response = client.get("/sparql", params=[("query", query), ("format", value)])
        repeated = client.get(
            "/sparql", params=[("query", query), ("format", value), ("format", value)]
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert repeated.status_code == 200
    assert repeated.content == response.content


def test_unknown_or_conflicting_format_falls_back_to_accept(site: RunningServer) -> None:
    with site.client() as client:
        unknown = client.get(
            "/sparql",
            params={"query": OPERATIONS, "format": "n3"},  # no N3 for solutions
            headers={"Accept": "text/tab-separated-values"},
        )
        conflicting = client.get(
            "/sparql",
            params=[("query", OPERATIONS), ("format", "csv"), ("format", "xml")],
            headers={"Accept": "application/sparql-results+json"},
        )
    assert unknown.headers["content-type"].startswith("text/tab-separated-values")
    assert conflicting.headers["content-type"].startswith("application/sparql-results+json")


# --- SPARQLWrapper with its defaults (format, output and results parameters + Accept) -------


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(site: RunningServer, return_format: str) -> None:
    wrapper = SPARQLWrapper(site.url + "/sparql")
    wrapper.setQuery(OPERATIONS)
    wrapper.setReturnFormat(return_format)
    result = wrapper.query()
    converted = result.convert()
    if return_format == JSON:
        codes = {row["code"]["value"] for row in converted["results"]["bindings"]}
    elif return_format == XML:
        codes = {
            node.firstChild.firstChild.data
            for node in converted.getElementsByTagName("binding")
            if node.getAttribute("name") == "code"
        }
    else:
        text = converted.decode() if isinstance(converted, bytes) else converted
        separator = "," if return_format == CSV else "\t"
        codes = {line.split(separator)[1].strip('"') for line in text.strip().splitlines()[1:]}
    assert codes == {"MDRML018", "MGR60001"}


@pytest.mark.parametrize("return_format", [XML, TURTLE, N3, RDFXML, JSONLD, JSON])
def test_sparqlwrapper_construct(site: RunningServer, return_format: str) -> None:
    wrapper = SPARQLWrapper(site.url + "/sparql")
    wrapper.setQuery(CONSTRUCT)
    wrapper.setReturnFormat(return_format)
    converted = wrapper.query().convert()
    if isinstance(converted, Graph):
        graph = converted
    else:  # JSON-LD and Turtle come back as text/bytes
        graph = Graph().parse(
            data=converted if isinstance(converted, str | bytes) else json.dumps(converted),
            format="json-ld" if return_format in (JSONLD, JSON) else "turtle",
        )
    report = URIRef(f"{BASE}id/report/mli/2023")
    assert len(list(graph.objects(report, None))) == 2
    assert len(graph) == _construct_size(site)


def test_sparqlwrapper_ask_and_default_format(site: RunningServer) -> None:
    wrapper = SPARQLWrapper(site.url + "/sparql")  # default: XML
    wrapper.setQuery(ASK)
    assert wrapper.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"


def _construct_size(site: RunningServer) -> int:
    with site.client() as client:
        lines = client.get("/sparql", params={"query": CONSTRUCT, "format": "nt"}).text
    return len(lines.strip().splitlines())


@pytest.mark.parametrize("return_format", ["xml", "json", "csv", "tsv"])
def test_rdflib_sparqlstore_select(site: RunningServer, return_format: str) -> None:
    graph = Graph(store=SPARQLStore(site.url + "/sparql", returnFormat=return_format))
    assert {str(row.code) for row in graph.query(OPERATIONS)} == {"MDRML018", "MGR60001"}


def test_rdflib_sparqlstore_ask_and_construct(site: RunningServer) -> None:
    graph = Graph(store=SPARQLStore(site.url + "/sparql"))  # the default: xml
    assert graph.query(ASK).askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert len(constructed) == _construct_size(site) > 0


# --- the HTML view pages -------------------------------------------------------------------


def test_html_results_page_with_links(site: RunningServer) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # the store's order is stable
    html = {"Accept": "text/html"}
    with site.client() as client:
        first = client.get("/sparql", params={"query": query}, headers=html)
        second = client.get("/sparql", params={"query": query, "page": "2"}, headers=html)
        machine = client.get(
            "/sparql",
            params={"query": query + f" LIMIT {2 * SITE_PAGE_ROWS}", "format": "tsv"},
        )
        beyond = client.get("/sparql", params={"query": OPERATIONS, "page": "9"}, headers=html)
    assert first.status_code == second.status_code == 200
    assert f"Rows 1–{SITE_PAGE_ROWS}" in first.text
    assert f"Rows {SITE_PAGE_ROWS + 1}–{2 * SITE_PAGE_ROWS}" in second.text
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    assert 'rel="prev"' in second.text and "page=3" in second.text
    assert first.text.count("<tr>") == SITE_PAGE_ROWS + 1  # the header row too
    # the pages hold the answer's rows in order: page 2 starts where row 51 of all starts
    row_51 = machine.text.splitlines()[SITE_PAGE_ROWS + 1].split("\t")[0].strip("<>")
    assert row_51.rsplit("/", 1)[-1] in second.text.split("<tbody>")[1].split("</tr>")[0]
    assert 'rel="next"' not in beyond.text


def test_results_page_has_no_protocol_relative_links(site: RunningServer) -> None:
    query = f"SELECT ?x WHERE {{ VALUES ?x {{ <{BASE}/evil.example/x> <{BASE}id/ns/mli> }} }}"
    with site.client() as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert 'href="//' not in response.text
    assert 'href="/id/ns/mli"' in response.text


def test_relative_iris_resolve_against_the_configured_base(site: RunningServer) -> None:
    with site.client() as client:
        response = client.get(
            "/sparql",
            params={"query": "SELECT ?x WHERE { BIND(<relative> AS ?x) }", "format": "json"},
            headers={"Host": "attacker.example"},
        )
    value = response.json()["results"]["bindings"][0]["x"]["value"]
    assert value == BASE + "relative"


# --- bad input: 4xx and one line, never a 500 -----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "params", "headers", "body", "status"),
    [
        ("GET", "/id/a%20b", None, None, None, 400),
        ("GET", "/id/a%3Cb%3E", None, None, None, 400),
        ("GET", "/doc/x%22y", None, None, None, 400),
        ("GET", "/def/x%7By", None, None, None, 400),
        ("GET", "/graph/a%20b", None, None, None, 400),
        ("GET", "/doc/%00", None, None, None, 400),
        ("GET", "/id/%FF%FE", None, None, None, 400),
        ("GET", "/dumps/a%00b", None, None, None, 400),
        ("GET", "/dumps/" + "a" * 5000, None, None, None, 400),
        ("GET", "/dumps/" + "a" * 600, None, None, None, 404),
        ("GET", "/sparql", {"query": ASK, "default-graph-uri": "not an iri"}, None, None, 400),
        ("GET", "/sparql", {"query": ASK, "named-graph-uri": "<x>"}, None, None, 400),
        ("GET", "/sparql", {"query": ASK, "page": "zero"}, None, None, 400),
        ("GET", "/sparql", {"query": ""}, None, None, 400),
        ("GET", "/sparql", {"query": ASK}, {"Accept": "image/png"}, None, 406),
        ("POST", "/sparql", None, {"Content-Type": "application/sparql-query"}, b"\xff\xfe", 400),
        (
            "POST",
            "/sparql",
            None,
            {"Content-Type": "application/sparql-query; charset=latin-1"},
            b"ASK {}",
            415,
        ),
        ("POST", "/sparql", None, {"Content-Type": "text/plain"}, b"ASK {}", 415),
        (
            "POST",
            "/sparql",
            None,
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"query=\xff",
            400,
        ),
        ("PUT", "/sparql", None, None, b"ASK {}", 405),
        ("GET", "/dumps/void.ttl", None, {"Range": "bytes=abc"}, None, 400),
    ],
)
def test_bad_input_is_a_4xx_with_a_one_line_problem(
    site: RunningServer,
    method: str,
    path: str,
    params: dict | None,
    headers: dict | None,
    body: bytes | None,
    status: int,
) -> None:
    with site.client() as client:
        response = client.request(method, path, params=params, headers=headers or {}, content=body)
    assert response.status_code == status, response.text[:300]
    if response.headers["content-type"].startswith("application/problem+json"):
        detail = response.json()["detail"]
        assert "\n" not in detail and "Traceback" not in detail


def test_405_names_every_allowed_method(site: RunningServer) -> None:
    with site.client() as client:
        sparql = client.request("DELETE", "/sparql")
        thing = client.request("POST", "/id/ns/mli")
    assert sparql.status_code == thing.status_code == 405
    assert set(sparql.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert "POST" not in thing.headers["Allow"]


def test_a_client_that_goes_away_mid_answer_costs_nothing(site: RunningServer) -> None:
    """Reading a few bytes of a long streamed answer, then hanging up: the server stays up
    and the next query is answered."""
    with (
        httpx.Client(base_url=site.url, timeout=30) as client,
        client.stream(
            "GET", "/sparql", params={"query": "SELECT * { ?s ?p ?o }", "format": "xml"}
        ) as response,
    ):
        assert response.status_code == 200
        next(response.iter_bytes())
    with site.client() as client:
        again = client.get("/sparql", params={"query": ASK, "format": "json"})
    assert again.json()["boolean"] is True


def test_parse_back_rdf_of_a_construct_in_every_alias(site: RunningServer) -> None:
    with site.client() as client:
        turtle = client.get("/sparql", params={"query": CONSTRUCT, "format": "n3"})
    store = ox.Store()
    store.load(turtle.content, format=ox.RdfFormat.TURTLE)
    assert len(store) == _construct_size(site) > 0
