"""The SPARQL 1.1 Protocol endpoint (``/sparql`` and ``/sparql/``), read-only.

Query operation (Protocol §2.1): GET with ``query=``, POST form-encoded, POST
``application/sparql-query``; dataset by ``default-graph-uri`` / ``named-graph-uri``. The
update operation (§2.2) is refused on every route. ``GET`` without a query answers a
Service Description (SPARQL 1.1 Service Description §3) or, for a browser, the query page.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ifrc_kg.server import negotiation as neg
from ifrc_kg.server.describe import RDF_TYPE
from ifrc_kg.server.examples import EXAMPLES
from ifrc_kg.server.pages import render
from ifrc_kg.server.problems import HttpProblem, bad_request
from ifrc_kg.server.results import serialise, to_rdf
from ifrc_kg.server.site import Site, site_of
from ifrc_kg.store import QueryResult, UpdateRefused

router = APIRouter(tags=["SPARQL"])

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
FORM = "application/x-www-form-urlencoded"
SD_FORMATS = (neg.TURTLE, neg.JSON_LD, neg.N_TRIPLES, neg.RDF_XML, neg.TRIG)
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "jsonld": "JSON-LD",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "trig": "TriG",
}


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HttpProblem(413, "body-too-large", f"request body over the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HttpProblem(
                413, "body-too-large", f"request body over the limit of {limit} bytes"
            )
    return bytes(body)


def _decode(body: bytes, charset: str | None) -> str:
    """SPARQL bodies are UTF-8 (Protocol §2.1.3); anything else is a client error."""
    if charset and charset.lower().replace("-", "") != "utf8":
        raise HttpProblem(415, "bad-charset", f"charset {charset} is not supported; send UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad_request(f"the request body is not valid UTF-8: {error}") from error


def _media_type(request: Request) -> tuple[str, str | None]:
    header = request.headers.get("content-type", "")
    media, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return media.lower(), charset


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in params if key == name]
    if len(values) > 1:
        raise bad_request(f"more than one {name!r} parameter (SPARQL 1.1 Protocol §2.1)")
    return values[0] if values else None


async def _operation(request: Request) -> tuple[str | None, list[tuple[str, str]]]:
    """The query text and all protocol parameters, from whichever way the request sent them."""
    site = site_of(request)
    params = list(parse_qsl(request.url.query, keep_blank_values=True))
    if request.method == "GET":
        if any(key in ("update", "using-graph-uri", "using-named-graph-uri") for key, _ in params):
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
        return _one(params, "query"), params
    media, charset = _media_type(request)
    if media == "application/sparql-update":
        raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
    body = await read_body(request, site.settings.max_body_bytes)
    if media == FORM:
        form = parse_qsl(_decode(body, charset), keep_blank_values=True)
        params = params + form
        if any(key == "update" for key, _ in params):
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
        query = _one(params, "query")
        if query is None:
            raise bad_request("a form-encoded POST needs a 'query' parameter")
        return query, params
    if media == "application/sparql-query":
        if _one(params, "query") is not None:
            raise bad_request("a direct POST carries the query in the body, not in 'query='")
        return _decode(body, charset), params
    raise HttpProblem(
        415,
        "unsupported-media-type",
        f"POST a query as {FORM} or application/sparql-query (got {media or 'no type'})",
    )


def _formats_for(result: QueryResult) -> tuple[neg.Format, ...]:
    if result.kind == "graph":
        return neg.GRAPH_FORMATS
    if result.kind == "boolean":
        return neg.BOOLEAN_FORMATS
    return neg.SOLUTION_FORMATS


async def sparql(request: Request) -> Response:
    """Run a SPARQL query. Parameters: ``query``, ``default-graph-uri``, ``named-graph-uri``,
    ``format`` (json, xml, csv, tsv, turtle, jsonld, ntriples, rdfxml, trig, html)."""
    site = site_of(request)
    query, params = await _operation(request)
    accept = request.headers.get("accept")
    format_param = _one(params, "format")
    if query is None:
        return _service_or_page(request, accept, format_param)
    default_graphs = [value for key, value in params if key == "default-graph-uri"]
    named_graphs = [value for key, value in params if key == "named-graph-uri"]
    result = await site.runner.run(
        query,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        base_iri=str(request.url.replace(query="", fragment="")),
    )
    fmt = neg.choose(accept, format_param, _formats_for(result))
    headers = {"Vary": "Accept"}
    if result.truncated:
        limit = site.settings.max_result_rows
        headers["X-Result-Truncated"] = "true"
        headers["X-Result-Limit"] = str(limit)
        headers["Link"] = '</docs>; rel="help"; title="results capped at the row limit"'
    if fmt.key == "html":
        machine = "json" if result.kind != "graph" else "turtle"
        twin_media = "application/sparql-results+json" if machine == "json" else "text/turtle"
        dataset = [(key, value) for key, value in params if key.endswith("graph-uri")]
        twin_query = urlencode([("query", query), *dataset, ("format", machine)])
        twin = (f"/sparql?{twin_query}", twin_media, machine)
        context = {
            "query": query,
            "result": result,
            "limit": site.settings.max_result_rows,
            "twin": twin,
        }
        # rendering up to the row cap is real work: off the event loop, like the query
        return await run_in_threadpool(render, request, "results.html", context, headers=headers)
    media = fmt.media_type
    if media.startswith("text/") or media.endswith("+xml") or "json" in media:
        media += "; charset=utf-8"
    body = await run_in_threadpool(serialise, result, fmt)
    return Response(body, media_type=media, headers=headers)


_RESPONSES: dict[int | str, dict[str, str]] = {
    200: {"description": "Results (SPARQL JSON/XML/CSV/TSV; RDF for CONSTRUCT/DESCRIBE)"},
    400: {"description": "Malformed query (the parser's message)"},
    403: {"description": "Update or SERVICE refused"},
    406: {"description": "No acceptable result format"},
    413: {"description": "Request body too large"},
    415: {"description": "POST body neither form-encoded nor application/sparql-query"},
    503: {"description": "Query time limit exceeded"},
}
for _path in ("/sparql", "/sparql/"):
    for _method in ("GET", "POST"):
        router.add_api_route(
            _path,
            sparql,
            methods=[_method],
            summary=f"SPARQL 1.1 query ({_method}); read-only",
            operation_id=f"sparql_{_method.lower()}",
            response_class=Response,
            responses=_RESPONSES,
            include_in_schema=_path == "/sparql",
        )


def _service_or_page(request: Request, accept: str | None, format_param: str | None) -> Response:
    fmt = neg.choose(accept, format_param, (neg.HTML, *SD_FORMATS))
    if fmt.key == "html":
        page = query_page(request)
        page.headers["Vary"] = "Accept"
        return page
    endpoint = str(request.url.replace(query="", fragment=""))
    body = to_rdf(service_description(site_of(request), endpoint), fmt)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def query_page(request: Request) -> Response:
    """YASGUI (or the plain form) with the example queries."""
    site = site_of(request)
    examples = [{"key": e.key, "title": e.title, "query": e.query} for e in EXAMPLES]
    return render(
        request,
        "sparql.html",
        {
            "examples": EXAMPLES,
            "examples_json": json.dumps(examples).replace("</", "<\\/"),
            "query": EXAMPLES[0].query,
            "yasgui": site.yasgui_dir is not None,
            "twin": ("/sparql?format=turtle", "text/turtle", "service description"),
        },
    )


def service_description(site: Site, endpoint: str) -> list[ox.Triple]:
    """sd:Service for this endpoint: languages, result formats, features, the dataset."""
    service = ox.NamedNode(endpoint)
    dataset = ox.NamedNode(endpoint + "#dataset")
    default_graph = ox.NamedNode(endpoint + "#default-graph")

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(SD + term)

    rdf_type = ox.NamedNode(RDF_TYPE)
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, sd("Graph")),
        ox.Triple(
            service,
            ox.NamedNode("http://purl.org/dc/terms/description"),
            ox.Literal(
                "Read-only SPARQL 1.1 endpoint over the IFRC network annual reports graph; the "
                "default graph is the union of the named graphs."
            ),
        ),
    ]
    if site.settings.service_allow_list:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name))
        for name in FORMAT_IRIS.values()
    ]
    for number, graph_iri in enumerate(site.store.named_graphs()):
        named = ox.NamedNode(f"{endpoint}#named-graph-{number}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, rdf_type, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(graph_iri)),
        ]
    return triples
