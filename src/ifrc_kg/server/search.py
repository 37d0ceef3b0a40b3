"""The search page and its JSON twin, over the build's FTS5 index (``search.sqlite``).

Read-only and bounded: the index is opened with ``mode=ro``; the user's words are quoted
(no FTS5 syntax gets through); at most 200 characters are read and 50 results returned.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from ifrc_kg.search import MAX_QUERY_CHARS, SEARCH_FILE, search
from ifrc_kg.server.pages import render
from ifrc_kg.server.site import site_of

router = APIRouter(tags=["Search"])

KIND_LABELS = {
    "report": "Report",
    "society": "National Society",
    "country": "Country",
    "operation": "Operation",
    "indicator": "Indicator",
    "partner": "Partner",
    "text": "Narrative",
}


def _results(request: Request, q: str) -> list[dict[str, str]]:
    site = site_of(request)
    index = site.dist / SEARCH_FILE
    if not q.strip() or not index.is_file():
        return []
    results = []
    for row in search(index, q):
        row["href"] = site.href(row["iri"])
        results.append(row)
    return results


def _marked(snippet: str) -> Markup:
    """The snippet, escaped, with FTS5's match markers as ``<mark>``."""
    escaped = html.escape(snippet).replace("\x02", "<mark>").replace("\x03", "</mark>")
    return Markup(escaped)


@router.get("/search", summary="Search page", response_class=Response)
def search_page(
    request: Request, q: str = Query("", max_length=MAX_QUERY_CHARS, description="Words")
) -> Response:
    results = _results(request, q)
    for row in results:
        row["marked"] = _marked(row["snippet"])
        row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
    twin = (f"/search.json?q={html.escape(q)}", "application/json", "results as JSON")
    return render(request, "search.html", {"q": q, "results": results, "twin": twin})


@router.get("/search.json", summary="Search (JSON)")
def search_json(
    request: Request, q: str = Query("", max_length=MAX_QUERY_CHARS, description="Words")
) -> JSONResponse:
    results = _results(request, q)
    for row in results:
        row["snippet"] = row["snippet"].replace("\x02", "").replace("\x03", "")
    return JSONResponse({"query": q, "results": results})
