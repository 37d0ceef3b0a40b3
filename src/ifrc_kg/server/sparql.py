"""The SPARQL 1.1 Protocol endpoint (``/sparql`` and ``/sparql/``), read-only.

Query operation (Protocol §2.1): GET with ``query=``, POST form-encoded, POST
``application/sparql-query``; dataset by ``default-graph-uri`` / ``named-graph-uri``. The
update operation (§2.2) is refused on every route. ``GET`` without a query answers a
Service Description (SPARQL 1.1 Service Description §3) or, for a browser, the query page.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode

import pyoxigraph as ox
from anyio import CancelScope
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from ifrc_kg.errors import IfrcKgError
from ifrc_kg.namespaces import PREFIXES
from ifrc_kg.server import negotiation as neg
from ifrc_kg.server.bounded import runs_in_process
from ifrc_kg.server.describe import RDF_TYPE
from ifrc_kg.server.examples import EXAMPLES
from ifrc_kg.server.pages import render
from ifrc_kg.server.pool import LocalQueryEngine, NoAcceptableFormat, ResultTooLarge
from ifrc_kg.server.problems import HttpProblem, bad_request
from ifrc_kg.server.result_cache import CacheKey, ResultCache, cache_key
from ifrc_kg.server.results import to_rdf
from ifrc_kg.server.rewrite import reads_no_data
from ifrc_kg.server.site import Site, site_of
from ifrc_kg.server.worker import QueryJob, run_job
from ifrc_kg.store import (
    GraphStore,
    QueryAnswer,
    QueryError,
    QueryPage,
    QueryRequest,
    QueryResult,
    UpdateRefused,
)

log = logging.getLogger(__name__)
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


#: Form bodies up to this size have their parse kept (``_form``): 256 of them at most 4 MiB.
FORM_KEPT_BYTES = 16 * 1024


def _form(body: bytes, charset: str | None) -> tuple[tuple[str, str], ...]:
    """A form-encoded body's fields, kept per body when it is short: decoding is pure
    Python (45 µs for a query of 550 characters), and clients send the same queries again.
    Only the parse is kept, never an answer; a long body is parsed every time, so the kept
    bodies stay small."""
    if len(body) <= FORM_KEPT_BYTES:
        return _kept_form(body, charset)
    return _kept_form.__wrapped__(body, charset)


@functools.lru_cache(maxsize=256)
def _kept_form(body: bytes, charset: str | None) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(_decode(body, charset), keep_blank_values=True))


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
        params = params + list(_form(body, charset))
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


FORMS: dict[str, tuple[neg.Format, ...]] = {
    "solutions": neg.SOLUTION_FORMATS,
    "boolean": neg.BOOLEAN_FORMATS,
    "graph": neg.GRAPH_FORMATS,
}
# an answer from the opt-in result cache says so (result_cache.py)
CACHE_HIT_HEADERS = {"Vary": "Accept", "X-Result-Cache": "hit"}
# an answer this small is sent whole (with Content-Length); a larger one streams
STREAM_AFTER_BYTES = 1024 * 1024


def _format_keys(accept: str | None, format_values: list[str]) -> dict[str, str | None]:
    """The negotiated format for each result form (None: nothing acceptable for it)."""
    return dict(_negotiated(accept, tuple(format_values)))


@functools.lru_cache(maxsize=256)
def _negotiated(
    accept: str | None, format_values: tuple[str, ...]
) -> tuple[tuple[str, str | None], ...]:
    """``_format_keys``, kept per ``Accept`` header and ``format`` values: a client sends the
    same ones with every query, and negotiating three result forms costs more than the
    round trip of a small query to its worker."""
    keys: dict[str, str | None] = {}
    for form, offered in FORMS.items():
        try:
            keys[form] = neg.choose(accept, format_values, offered).key
        except neg.NotAcceptable:
            keys[form] = None
    return tuple(keys.items())


def _dataset(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    """``default-graph-uri`` / ``named-graph-uri`` values, each checked to be an IRI."""
    values = tuple(value for key, value in params if key == name)
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise bad_request(f"{name} {value[:200]!r} is not an absolute IRI") from None
    return values


def _page_number(params: list[tuple[str, str]]) -> int:
    text = _one(params, "page") or "1"
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise bad_request(f"page {text[:40]!r} is not a page number (1, 2, …)")
    return int(text)


def endpoint_iri(site: Site) -> str:
    """The endpoint's IRI: from the configured base, never from the request's Host."""
    return site.base + "sparql"


async def _stream(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The answer's bytes; a limit that stops the query part-way fails the connection rather
    than ending the response, so the client sees an error, never a shorter answer."""
    yield first
    try:
        async for chunk in rest:
            yield chunk
    except QueryError as error:
        log.warning("answer cut after it started streaming: %s", error)
        raise ResponseCut(str(error)) from None
    finally:  # a client that hung up: stop the query now, not when the generator is collected
        with CancelScope(shield=True):
            await rest.aclose()  # type: ignore[attr-defined]


class ResponseCut(Exception):
    """Raised to abort a streamed response (the server closes the connection unfinished)."""


async def sparql(request: Request) -> Response:
    """Run a SPARQL query. Parameters: ``query``, ``default-graph-uri``, ``named-graph-uri``,
    ``format`` (json, xml, csv, tsv, turtle, n3, jsonld, json-ld, ntriples, n-triples,
    rdfxml, rdf+xml, trig, html; an unknown value leaves the choice to Accept), ``page``
    (the HTML view)."""
    site = site_of(request)
    query, params = await _operation(request)
    accept = request.headers.get("accept")
    format_values = [value for key, value in params if key == "format"]
    if query is None:
        return _service_or_page(request, accept, format_values)
    formats = _format_keys(accept, format_values)
    page = _page_number(params)
    size = site.settings.page_rows
    client = request.client.host if request.client else ""
    query_request = QueryRequest(
        sparql=query,
        formats=formats,
        default_graphs=_dataset(params, "default-graph-uri"),
        named_graphs=_dataset(params, "named-graph-uri"),
        base_iri=endpoint_iri(site),
        page_offset=(page - 1) * size,
        page_size=size,
        client=client,
    )
    answer = _answer_in_process(site, query_request)
    if answer is not None:
        return await _send(answer, None, None)
    cache, key = site.result_cache, None
    if cache is not None:
        key = cache_key(site.build_id, query_request)
        cached = cache.get(key)
        if cached is not None:
            return Response(cached[0], media_type=cached[1], headers=CACHE_HIT_HEADERS)
    try:
        answer = await site.engine.execute(query_request)
    except NoAcceptableFormat as error:
        raise neg.NotAcceptable(FORMS[error.form]) from None
    if answer.page is not None:
        return await _results_page(request, query, params, answer.form, answer.page, page)
    return await _send(answer, cache, key)


# what a query that reads no data is answered over (``_answer_in_process``)
_NO_DATA = ox.Store()


class _Collected(list):
    """Stands in for a worker's pipe: keeps the messages ``run_job`` sends."""

    def send(self, message: tuple) -> None:
        self.append(message)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _answer_in_process(site: Site, request: QueryRequest) -> QueryAnswer | None:
    """The answer of a query whose work is bounded before it runs, computed here by the
    worker's own code: the same answer without the round trip to a worker process, which
    is most of the fixed cost of a request. Two kinds: a short query that cannot read the
    store (``ASK {}``, ``SELECT (1 AS ?x) {}``: ``rewrite.reads_no_data``), answered over an
    empty store; and a group of triple patterns with fixed subjects whose degrees bound
    its rows (``bounded.py``, which argues the bound), answered over the site's store.
    ``None`` for every other query, for the HTML view, for a query naming its dataset, and
    over a remote store (where ``ASK {}`` is how clients see whether the store answers)."""
    if not isinstance(site.engine, LocalQueryEngine) or "html" in request.formats.values():
        return None
    local = isinstance(site.store, GraphStore) and not request.default_graphs
    if (
        local
        and not request.named_graphs
        and runs_in_process(site.store.oxigraph, site.build_id, request.sparql)
    ):
        store = site.store.oxigraph
    elif reads_no_data(request.sparql):
        store = _NO_DATA
    else:
        return None
    job = QueryJob.of(request, max_depth=site.settings.max_query_depth, rewrite=False)
    return answer_here(store, job, site.settings.max_result_bytes)


def answer_here(store: ox.Store, job: QueryJob, max_bytes: int) -> QueryAnswer:
    """``job`` run in this process by the worker's own code (``worker.run_job``), its
    messages put together as ``LocalQueryEngine`` puts a worker's: the same answer, the same
    errors (``NotAcceptable`` when the client accepts no format for the result form,
    ``ResultTooLarge`` past the answer-size limit)."""
    sent = _Collected()
    try:
        run_job(store, job, sent)  # type: ignore[arg-type]
    except IfrcKgError:
        raise
    except Exception as error:  # as the worker reports it: one failed query
        raise QueryError(f"the query failed: {error}") from None
    kind, form, key = sent[0][:3]
    if kind == "form" and key is None:
        raise neg.NotAcceptable(FORMS[form])
    # one message, or one chunk's worth: the form, its data messages, the end
    data = sent[0][3] if kind == "answer" else b"".join(m[1] for m in sent if m[0] == "data")
    if len(data) > max_bytes:
        raise ResultTooLarge(
            f"the answer is larger than the limit of {max_bytes} bytes; ask for less (LIMIT, "
            "fewer variables)"
        )
    return QueryAnswer(form, key, chunks=_once(data))


async def _send(answer: QueryAnswer, cache: ResultCache | None, key: CacheKey | None) -> Response:
    """The answer whole (up to ``STREAM_AFTER_BYTES``, kept in the result cache if one is
    on) or streamed."""
    headers = {"Vary": "Accept"}
    fmt = next(f for f in FORMS[answer.form] if f.key == answer.format_key)
    media = fmt.media_type
    if media.startswith("text/") or media.endswith("+xml") or "json" in media:
        media += "; charset=utf-8"
    assert answer.chunks is not None
    chunks = answer.chunks.__aiter__()
    buffered = bytearray()
    try:
        while len(buffered) < STREAM_AFTER_BYTES:
            try:
                buffered.extend(await chunks.__anext__())
            except StopAsyncIteration:
                body = bytes(buffered)
                if cache is not None and key is not None:
                    cache.put(key, body, media)
                return Response(body, media_type=media, headers=headers)
    except BaseException:
        await chunks.aclose()
        raise
    stream = _stream(bytes(buffered), chunks)
    return StreamingResponse(stream, media_type=media, headers=headers)


async def _results_page(
    request: Request,
    query: str,
    params: list[tuple[str, str]],
    form: str,
    page: QueryPage,
    number: int,
) -> Response:
    """One page of the answer as HTML, with links to the neighbouring pages."""
    site = site_of(request)
    machine = "json" if form != "graph" else "turtle"
    twin_media = "application/sparql-results+json" if machine == "json" else "text/turtle"
    dataset = [(key, value) for key, value in params if key.endswith("graph-uri")]
    twin_query = urlencode([("query", query), *dataset, ("format", machine)])

    def page_link(target: int) -> str:
        return "/sparql?" + urlencode([("query", query), *dataset, ("page", str(target))])

    result = QueryResult(form, variables=page.variables)
    if form == "boolean":
        result.boolean = bool(page.rows[0][0])
    elif form == "solutions":
        result.rows = page.rows
    else:
        result.triples = page.rows
    context = {
        "query": query,
        "result": result,
        "twin": (f"/sparql?{twin_query}", twin_media, machine),
        "page": number,
        "first_row": (number - 1) * site.settings.page_rows + 1,
        "previous_page": page_link(number - 1) if number > 1 else None,
        "next_page": page_link(number + 1) if page.more else None,
    }
    # rendering is real work: off the event loop
    return await run_in_threadpool(
        render, request, "results.html", context, headers={"Vary": "Accept"}
    )


_RESPONSES: dict[int | str, dict[str, str]] = {
    200: {"description": "Results (SPARQL JSON/XML/CSV/TSV; RDF for CONSTRUCT/DESCRIBE)"},
    400: {"description": "Malformed query (the parser's message)"},
    403: {"description": "Update or SERVICE refused"},
    406: {"description": "No acceptable result format"},
    413: {"description": "Request body too large"},
    415: {"description": "POST body neither form-encoded nor application/sparql-query"},
    429: {"description": "This client already runs its share of queries"},
    503: {
        "description": "A query limit (time, memory, answer size) stopped the query, or "
        "every worker is busy"
    },
}
#: The routes that answer: plain Starlette routes, put first in the app's router
#: (``app.create_app``), so a query is matched by one path test and reaches ``sparql``
#: without FastAPI's dependency solving (which has nothing to inject here); measured, the
#: two cost a fifth of the web process's CPU for a small query. The API routes below,
#: matched after them, describe the same endpoint in the OpenAPI document.
FAST_ROUTES = [Route(path, sparql, methods=["GET", "POST"]) for path in ("/sparql", "/sparql/")]
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


def _service_or_page(request: Request, accept: str | None, format_values: list[str]) -> Response:
    fmt = neg.choose(accept, format_values, (neg.HTML, *SD_FORMATS))
    if fmt.key == "html":
        page = query_page(request)
        page.headers["Vary"] = "Accept"
        return page
    site = site_of(request)
    body = to_rdf(service_description(site, endpoint_iri(site)), fmt)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def query_page(request: Request) -> Response:
    """YASGUI (or the plain form) with the example queries."""
    site = site_of(request)
    examples = [{"key": e.key, "title": e.title, "query": e.query} for e in EXAMPLES]
    # the page links IRIs of the base to this server, and completes the site's prefixes
    config = {"base": site.base, "prefixes": {name: str(ns) for name, ns in PREFIXES.items()}}
    return render(
        request,
        "sparql.html",
        {
            "examples": EXAMPLES,
            "examples_json": json.dumps(examples).replace("</", "<\\/"),
            "config_json": json.dumps(config).replace("</", "<\\/"),
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
