"""The app factory: settings in, a FastAPI app out; the build is opened in the lifespan."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import parsedate_to_datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ifrc_kg.config import Settings
from ifrc_kg.server import downloads, linked_data, network, pages, reopen, search, sparql
from ifrc_kg.server.charts import format_number
from ifrc_kg.server.describe import curie
from ifrc_kg.server.pages import health_status
from ifrc_kg.server.problems import EXCEPTION_HANDLERS, handler_for
from ifrc_kg.server.site import Site, find_node_modules

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
UNCACHED = ("/health",)


def create_app(
    settings: Settings | None = None,
    *,
    dist: Path | None = None,
    node_modules: Path | bool | None = True,
    site: Site | None = None,
) -> FastAPI:
    """A server for the build in ``dist`` (default ``settings.dist_dir``).

    ``node_modules``: where YASGUI and Swagger UI were installed by npm; ``True`` looks in
    the usual places, ``None``/``False`` serves without them (plain query form, no /docs UI).
    ``site``: an already opened build (``ifrc-kg serve`` opens it first, so a damaged build
    is one line on stderr rather than a failed start-up); by default it is opened at start.
    """
    settings = settings or Settings.from_env()
    dist_dir = Path(dist or settings.dist_dir)
    modules = find_node_modules() if node_modules is True else (node_modules or None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = site or Site.open(settings, dist_dir, modules)  # type: ignore[arg-type]
        app.state.site = opened
        logging.getLogger("uvicorn.error").addFilter(_quiet_cut_responses)
        log.info("serving %s: %d triples", dist_dir, len(opened.store))
        # a new build swapped into dist/ is served without a restart (server/reopen.py)
        watcher = asyncio.create_task(reopen.watch(app, settings, opened.dist, modules))
        try:
            yield
        finally:
            watcher.cancel()
            for retired in getattr(app.state, "retired", []):
                retired.close()
            app.state.site.close()
            opened.close()

    app = FastAPI(
        title="ifrc-kg",
        summary="IFRC network annual reports as linked data: SPARQL, pages, downloads",
        description=(
            "Read-only SPARQL 1.1 endpoint, dereferenceable IRIs (`/id/…` → 303 → `/doc/…`), "
            "the ontology, and the build's dumps. Queries run in worker processes under a "
            f"time limit ({settings.query_timeout_s:g} s), a memory limit "
            f"({settings.query_memory_mb} MiB) and an answer-size limit "
            f"({settings.max_result_bytes} bytes); an answer a limit would cut is an error, "
            "never a shorter answer. See README, Security and limits."
        ),
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals |= {"format_number": format_number, "curie": curie}
    app.state.templates = templates
    app.state.settings = settings

    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Last-Modified", "Link", "Retry-After"],
    )
    app.add_middleware(ConditionalGet)
    app.add_middleware(HeadAsGet)
    app.add_middleware(QueriesFirst)
    app.add_middleware(HealthFirst)  # outermost: /health skips every other layer

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if modules:
        yasgui = Path(modules) / "@zazuko/yasgui/build"
        swagger = Path(modules) / "swagger-ui-dist"
        if yasgui.is_dir():
            app.mount("/assets/yasgui", StaticFiles(directory=str(yasgui)), name="yasgui")
        if swagger.is_dir():
            app.mount("/assets/swagger-ui", StaticFiles(directory=str(swagger)), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        """OpenAPI docs from the local Swagger UI copy; a plain link when npm was skipped."""
        if request.app.state.site.swagger_dir is None:
            return HTMLResponse(
                "<!doctype html><title>ifrc-kg API</title><h1>ifrc-kg API</h1>"
                '<p>The OpenAPI description is at <a href="/openapi.json">/openapi.json</a> '
                "(install the web assets with <code>npm ci</code> for the interactive docs).</p>"
            )
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ifrc-kg API",
            swagger_js_url="/assets/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/assets/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.router.routes[:0] = sparql.FAST_ROUTES  # first: the requests that need speed
    app.include_router(pages.router)
    app.include_router(search.router)
    app.include_router(network.router)
    app.include_router(sparql.router)
    app.include_router(linked_data.router)
    app.include_router(downloads.router)
    return app


def _quiet_cut_responses(record: logging.LogRecord) -> bool:
    """Drop uvicorn's traceback for a streamed answer a limit cut on purpose (logged once,
    in one line, by ``sparql``); every other error is logged as usual."""
    from ifrc_kg.server.sparql import ResponseCut

    return not (record.exc_info and isinstance(record.exc_info[1], ResponseCut))


class HealthFirst:
    """Answer ``GET /health`` before any other middleware or routing.

    Measured under load (README, "Under load"): what delayed ``/health`` was the event
    loop's thread waiting for a CPU, not anything a query holds; so the answer is made as
    short as it can be (a dict of values fixed at start and a counter, one JSON dump), to
    be out in the first moment the loop runs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        site = None
        if scope["type"] == "http" and scope["path"] == "/health" and scope["method"] == "GET":
            site = getattr(scope["app"].state, "site", None)
        if site is None:
            await self.app(scope, receive, send)
            return
        body = json.dumps(health_status(site)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            (b"access-control-allow-origin", b"*"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class QueriesFirst:
    """Send a plain ``POST /sparql`` (no ``Origin`` header) to the query handler at once.

    Such a request needs none of the layers between: no CORS headers (no ``Origin``), no
    ``ETag`` (a POST), no ``HEAD``, no routing; passing through them and FastAPI's own
    (telemetry, body limit, exit stack, exception middleware) cost about a fifth of the web
    process's CPU for a small query. The handler's errors become the same problem bodies
    (``problems.handler_for``); an unexpected one still reaches the server-error layer. A
    GET, a cross-origin POST and every other path go through every layer as before.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] not in ("/sparql", "/sparql/")
            or any(name == b"origin" for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        scope.setdefault("router", scope["app"].router)  # for ``url_for`` in the HTML view
        request = Request(scope, receive)
        try:
            response = await sparql.sparql(request)
        except Exception as error:
            handler = handler_for(error)
            if handler is None:
                raise
            response = await handler(request, error)
        await response(scope, receive, send)


class HeadAsGet:
    """Answer HEAD like GET without the body (RFC 9110 §9.3.2), for every GET route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {"type": "http.response.body", "body": b"", "more_body": False}
                if sent_body:
                    return
                sent_body.append(True)
            await send(message)

        sent_body: list[bool] = []
        await self.app(dict(scope, method="GET"), receive, send_headers_only)


class ConditionalGet:
    """ETag and Last-Modified from the build; 304 when the client's copy is current.

    The data cannot change while a build is served, so the tag is the build's identity plus
    what selects the representation (path, query string, Accept). Plain ASGI rather than
    ``BaseHTTPMiddleware``: that one ends a streamed response normally when the app fails
    part-way, which would turn a query answer cut by a limit into a silently shorter one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        site: Site | None = None
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            site = getattr(scope["app"].state, "site", None)
        if site is None or scope["path"].startswith(UNCACHED):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        selector = "\x1f".join(
            (request.url.path, request.url.query, request.headers.get("accept", ""))
        )
        etag = f'W/"{site.build_id}-{hashlib.sha256(selector.encode()).hexdigest()[:16]}"'
        validators = {"ETag": etag, "Last-Modified": site.last_modified}
        if_none_match = request.headers.get("if-none-match")
        tags = {tag.strip() for tag in if_none_match.split(",")} if if_none_match else set()
        not_modified = Response(status_code=304, headers=validators | {"Vary": "Accept"})
        if etag in tags or etag.removeprefix("W/") in tags:
            await not_modified(scope, receive, send)  # the tag came from an earlier 200
            return
        unmodified = "*" in tags or (not tags and _unmodified_since(request, site.last_modified))
        replaced = False

        async def send_with_validators(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 200:
                if unmodified:  # "*" and dates match only a representation that exists
                    replaced = True
                    await not_modified(scope, receive, send)
                    return
                headers = MutableHeaders(raw=list(message["headers"]))
                for name, value in validators.items():
                    headers[name] = value
                message = {**message, "headers": headers.raw}
            elif replaced:
                return
            await send(message)

        await self.app(scope, receive, send_with_validators)


def _unmodified_since(request: Request, last_modified: str) -> bool:
    """Whether ``If-Modified-Since`` is at or after the build (an unreadable date: no)."""
    header = request.headers.get("if-modified-since")
    if not header:
        return False
    try:
        return parsedate_to_datetime(header) >= parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
