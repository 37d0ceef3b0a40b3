"""The W3C SPARQL 1.1 Protocol and Service Description test suites, one test per entry.

Query tests must pass as the manifest says; update tests describe a writable endpoint, so
here every update request must be refused with a 4xx (and the follow-up query that would
check the update's effect is not run).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from tests.server.servers import W3C, RunningServer

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = "http://www.w3.org/ns/sparql-service-description#"


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int] = field(default_factory=set)  # acceptable status classes: 2, 3, 4
    expected_format: str | None = None
    expected_boolean: bool | None = None

    @property
    def is_query(self) -> bool:
        """A query request (the follow-up ASK of an update test is one)."""
        content_type = self.headers.get("content-type", "")
        text = (self.body or b"").decode("utf-8", "replace") + " " + self.path
        return content_type == "application/sparql-query" or "query=" in text


@dataclass
class ProtocolCase:
    name: str
    title: str
    requests: list[HttpRequest]

    @property
    def is_update(self) -> bool:
        """The manifest names its update-operation tests ``update_…`` / ``bad_update_…``."""
        return "update" in self.name


def _load(manifest: Path) -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    root = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, list(Collection(graph, graph.value(root, MF.entries)))


def protocol_cases() -> list[ProtocolCase]:
    graph, entries = _load(W3C / "sparql11-protocol" / "manifest.ttl")
    cases = []
    for entry in entries:
        action = graph.value(entry, MF.action)
        requests = []
        for node in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(node, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    name = str(graph.value(header, HT.fieldName)).lower()
                    headers[name] = str(graph.value(header, HT.fieldValue))
            body = None
            body_node = graph.value(node, HT.body)
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
            response = graph.value(node, HT.resp)
            statuses = {
                {"StatusCode2xx": 2, "StatusCode3xx": 3, "StatusCode4xx": 4}[str(code)[len(HTS) :]]
                for code in graph.objects(response, MF.expectedStatus)
            }
            expected_boolean = graph.value(response, MF.expectedBoolean)
            expected_format = graph.value(response, MF.expectedFormat)
            requests.append(
                HttpRequest(
                    method=str(graph.value(node, HT.methodName)),
                    path=str(graph.value(node, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    statuses=statuses,
                    expected_format=str(expected_format) if expected_format else None,
                    expected_boolean=expected_boolean.toPython() if expected_boolean else None,
                )
            )
        name = str(entry).rsplit("#", 1)[-1]
        cases.append(ProtocolCase(name, str(graph.value(entry, MF.name)), requests))
    return cases


CASES = protocol_cases()


def test_the_manifest_was_read() -> None:
    assert len(CASES) == 34
    assert sum(case.is_update for case in CASES) == 14


def _check_format(request: HttpRequest, response) -> None:  # type: ignore[no-untyped-def]
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if request.expected_format == "boolean" or request.expected_boolean is not None:
        formats = {
            "application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        }
        assert media in formats, media
        parsed = ox.parse_query_results(response.content, format=formats[media])
        assert isinstance(parsed, ox.QueryBoolean)
        if request.expected_boolean is not None:
            assert bool(parsed) is request.expected_boolean
    elif request.expected_format == "tabular":
        assert media in {
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        }
        if media == "application/sparql-results+json":
            assert "bindings" in json.loads(response.content)["results"]
    elif request.expected_format == "RDF":
        rdf_format = ox.RdfFormat.from_media_type(media)
        assert rdf_format is not None, media
        list(ox.parse(response.content, format=rdf_format))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_protocol(case: ProtocolCase, w3c: RunningServer) -> None:
    with w3c.client(follow_redirects=False) as client:
        for request in case.requests:
            response = client.request(
                request.method, request.path, headers=request.headers, content=request.body
            )
            if case.is_update:
                if not request.is_query:
                    assert 400 <= response.status_code < 500, (case.name, response.text)
                    assert response.json()["detail"], "a refusal says why"
                continue
            assert response.status_code // 100 in request.statuses, (case.name, response.text)
            if response.status_code < 300:
                _check_format(request, response)


# --- Service Description -----------------------------------------------------------------

SD_CASES = [
    str(entry).rsplit("#", 1)[-1]
    for entry in _load(W3C / "sparql11-service-description" / "manifest.ttl")[1]
]


def _description(server: RunningServer, path: str = "/sparql/") -> tuple[ox.Store, str]:
    with server.client() as client:
        response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)
    return store, server.url + "/sparql"  # the configured base's endpoint, whatever the path


@pytest.mark.parametrize("name", SD_CASES)
def test_service_description(name: str, w3c: RunningServer) -> None:
    store, endpoint = _description(w3c)
    if name == "returns-rdf":
        assert len(store) > 0
    elif name == "has-endpoint-triple":
        assert store.query(f"ASK {{ ?service <{SD}endpoint> <{endpoint}> }}")
    elif name == "conforms-to-schema":
        # the shape SPARQL 1.1 Service Description §3 gives an sd:Service
        assert store.query(
            f"""ASK {{ ?service a <{SD}Service> ; <{SD}endpoint> ?endpoint ;
                       <{SD}supportedLanguage> ?language .
                     FILTER(?language IN (<{SD}SPARQL10Query>, <{SD}SPARQL11Query>,
                                          <{SD}SPARQL11Update>)) }}"""
        )
        bad = store.query(
            f"""SELECT ?thing WHERE {{
              {{ ?s <{SD}resultFormat>|<{SD}feature>|<{SD}supportedLanguage> ?thing
                 FILTER(!isIRI(?thing)) }}
              UNION {{ ?s <{SD}defaultDataset> ?thing
                       FILTER NOT EXISTS {{ ?thing a <{SD}Dataset> }} }}
              UNION {{ ?s <{SD}namedGraph> ?thing FILTER NOT EXISTS {{ ?thing <{SD}name> ?n }} }}
            }}"""
        )
        assert list(bad) == []
    else:
        pytest.fail(f"no check written for service description test {name}")
