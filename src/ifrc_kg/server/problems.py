"""One map from errors to HTTP answers: RFC 9457 problem+json bodies with stable codes.

Browsers (an HTML Accept) get the same message as a small HTML page; linked-data routes
answer 404 in the asked RDF syntax themselves (see ``linked_data``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ifrc_kg.errors import IfrcKgError
from ifrc_kg.remote_store import RemoteStoreUnavailable
from ifrc_kg.server.admission import EngineBusy, TooManyClientQueries
from ifrc_kg.server.negotiation import NotAcceptable
from ifrc_kg.server.pool import (
    QueryCrashed,
    QueryMemoryExceeded,
    ResultTooLarge,
    TooManySlowQueries,
)
from ifrc_kg.server.verify import DamagedDist
from ifrc_kg.store import (
    QueryError,
    QuerySyntaxError,
    QueryTimeout,
    ServiceRefused,
    StoreLoadError,
    UpdateRefused,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class HttpProblem(Exception):
    """An error with its HTTP status and a stable code, raised by the routes."""

    def __init__(self, status: int, code: str, detail: str, headers: dict | None = None) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        super().__init__(detail)


def bad_request(detail: str) -> HttpProblem:
    return HttpProblem(400, "bad-request", detail)


def not_found(detail: str) -> HttpProblem:
    return HttpProblem(404, "not-found", detail)


# error type -> (status, code); the most specific class listed first wins
STATUS: list[tuple[type[Exception], int, str]] = [
    (QuerySyntaxError, 400, "query-syntax"),
    (UpdateRefused, 403, "update-refused"),
    (ServiceRefused, 403, "service-refused"),
    (QueryTimeout, 503, "query-timeout"),
    (QueryMemoryExceeded, 503, "query-memory"),
    (ResultTooLarge, 503, "result-too-large"),
    (TooManySlowQueries, 503, "too-many-slow-queries"),
    (EngineBusy, 503, "busy"),
    (TooManyClientQueries, 429, "too-many-queries"),
    (QueryCrashed, 400, "query-crashed"),
    (DamagedDist, 500, "damaged-build"),
    (NotAcceptable, 406, "not-acceptable"),
    (StoreLoadError, 500, "store-unavailable"),
    (RemoteStoreUnavailable, 502, "store-unavailable"),
    (QueryError, 400, "query-failed"),
    (IfrcKgError, 400, "bad-input"),
]

TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _prefers_text(accept: str) -> bool:
    """Whether the client's first choice is plain text (``curl -H 'Accept: text/plain'``).

    >>> _prefers_text("text/plain, */*;q=0.1"), _prefers_text("application/json")
    (True, False)
    """
    return accept.split(",")[0].split(";")[0].strip().lower() == "text/plain"


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    headers: dict | None = None,
    members: dict | None = None,
) -> Response:
    """The error body: HTML for a browser, plain text when asked first, problem+json for
    everyone else. ``members`` are extension members (RFC 9457 §3.2), e.g. the ``line``
    and ``column`` of a syntax error, also listed on the HTML page and in the text."""
    title = TITLES.get(status, "Error")
    members = members or {}
    accept = request.headers.get("accept", "")
    if "text/html" in accept and "json" not in accept.split(",")[0]:
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            return templates.TemplateResponse(
                request,
                "error.html",
                {
                    "status": status,
                    "title": title,
                    "detail": detail,
                    "code": code,
                    "members": members,
                },
                status_code=status,
                headers=headers,
            )
        return HTMLResponse(f"<h1>{status} {title}</h1><p>{detail}</p>", status, headers)
    if _prefers_text(accept):
        lines = [f"{status} {title}: {detail}", *(f"{k}: {v}" for k, v in members.items())]
        return PlainTextResponse("\n".join(lines) + "\n", status, headers=headers)
    body = {"type": f"urn:ifrc-kg:problem:{code}", "title": title, "status": status}
    body |= {"detail": detail, "code": code} | members
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_JSON)


async def _on_problem(request: Request, error: Exception) -> Response:
    assert isinstance(error, HttpProblem)
    return problem_response(request, error.status, error.code, error.detail, error.headers)


async def _on_project_error(request: Request, error: Exception) -> Response:
    for error_type, status, code in STATUS:
        if isinstance(error, error_type):
            if status >= 500:
                log.warning("%s: %s", code, error)
            headers = {"Retry-After": "2"} if status in (429, 503) else None
            members = error.details if isinstance(error, QuerySyntaxError) else None
            return problem_response(request, status, code, str(error), headers, members)
    return problem_response(request, 500, "internal", "unexpected error")


async def _on_http(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    detail = str(error.detail)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem_response(request, error.status_code, code, detail, headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this path (RFC 9110 §15.5.6: ``Allow`` on 405).

    Starlette names only the first matching route's methods, and ``/sparql`` has a route per
    method; HEAD comes with GET (``HeadAsGet``), OPTIONS with CORS.
    """
    from starlette.routing import Match

    methods: set[str] = set()
    # a fresh scope: the router has already annotated the request's own for its first match
    scope = {
        "type": "http",
        "method": request.method,
        "path": request.scope["path"],
        "root_path": request.scope.get("root_path", ""),
    }
    routes = list(request.app.router.routes)
    while routes:
        route = routes.pop()
        included = getattr(route, "original_router", None)  # FastAPI's include_router
        if included is not None:
            routes.extend(included.routes)
            continue
        match, _ = route.matches(dict(scope))
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods | {"OPTIONS"})


async def _on_validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    messages = "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
    )
    return problem_response(request, 400, "bad-parameter", messages)


EXCEPTION_HANDLERS: dict[Any, Callable[..., Any]] = {
    HttpProblem: _on_problem,
    IfrcKgError: _on_project_error,
    NotAcceptable: _on_project_error,
    StarletteHTTPException: _on_http,
    RequestValidationError: _on_validation,
}


def handler_for(error: Exception) -> Callable[..., Any] | None:
    """The handler of ``EXCEPTION_HANDLERS`` for ``error`` (the nearest class, as Starlette's
    exception middleware looks it up); ``None``: an unexpected error, a 500."""
    for cls in type(error).__mro__:
        if cls in EXCEPTION_HANDLERS:
            return EXCEPTION_HANDLERS[cls]
    return None
