"""Pages for the network: a National Society over the years, one indicator across societies.

Both read the ``figures`` table of the build's ``search.sqlite`` (every figure of
``figures.csv``), opened read-only; each has a machine-readable twin (JSON, CSV).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from ifrc_kg.search import SEARCH_FILE, read_only
from ifrc_kg.server.charts import bar_chart
from ifrc_kg.server.corpus import listed_reports
from ifrc_kg.server.pages import render
from ifrc_kg.server.site import site_of

router = APIRouter(tags=["Network"])

#: The tables a society page shows as time series, in this order.
SERIES = (
    ("key-figures", "Key figures"),
    ("people-reached", "People reached per strategic priority"),
    ("financial-overview", "Funding (CHF)"),
)
_ISO3 = re.compile(r"^[A-Za-z]{3}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9 /-]{0,120}$")
CSV_COLUMNS = ("country_code", "country", "national_society", "year", "value", "unit", "printed")


def _index(request: Request) -> Path:
    index = site_of(request).dist / SEARCH_FILE
    if not index.is_file():
        raise HTTPException(404, "this build has no figures index (search.sqlite): rebuild it")
    return index


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def society_series(index: Path, iso3: str) -> dict[str, Any]:
    """One society's figures by table and indicator, each a {year: value} series."""
    connection = read_only(index)
    try:
        rows = connection.execute(
            'SELECT "table", indicator, indicator_code, year, value, unit, printed,'
            " national_society, country FROM figures"
            " WHERE country_code = ? AND \"table\" IN (?, ?, ?) AND partner = ''"
            ' ORDER BY "table", indicator_code, year',
            (iso3, *(table for table, _ in SERIES)),
        ).fetchall()
    finally:
        connection.close()
    tables: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    years: set[str] = set()
    names = {"society": "", "country": ""}
    for row in rows:
        names = {"society": row["national_society"], "country": row["country"]}
        series = tables[row["table"]].setdefault(
            row["indicator_code"],
            {"indicator": row["indicator"], "code": row["indicator_code"], "unit": row["unit"]},
        )
        series.setdefault("values", {})[row["year"]] = row["value"]
        years.add(row["year"])
    return {**names, "iso3": iso3, "years": sorted(years), "tables": tables}


@router.get("/society/{iso3}.json", summary="A National Society's series (JSON)")
def society_json(request: Request, iso3: str) -> JSONResponse:
    if not _ISO3.match(iso3):
        raise HTTPException(404, f"{iso3!r} is not an ISO 3166 alpha-3 code")
    data = society_series(_index(request), iso3.upper())
    if not data["years"]:
        raise HTTPException(404, f"no figures of {iso3.upper()} in this build")
    return JSONResponse(data)


@router.get("/society/{iso3}", summary="A National Society over the years", response_class=Response)
def society_page(request: Request, iso3: str) -> Response:
    if not _ISO3.match(iso3):
        raise HTTPException(404, f"{iso3!r} is not an ISO 3166 alpha-3 code")
    iso3 = iso3.upper()
    data = society_series(_index(request), iso3)
    reports = [r for r in listed_reports(site_of(request).manifest) if r.iso3 == iso3]
    if not data["years"] and not reports:
        raise HTTPException(404, f"no report of {iso3} in this build")
    sections = []
    for table, title in SERIES:
        series = list(data["tables"].get(table, {}).values())
        charts = []
        if table != "financial-overview":
            for one in series:
                bars = [(year, _number(one["values"].get(year, "0"))) for year in data["years"]]
                charts.append(bar_chart(bars, title=f"{one['indicator']} by year"))
        sections.append({"table": table, "title": title, "series": series, "charts": charts})
    context = {
        "data": data,
        "reports": sorted(reports, key=lambda r: -r.year),
        "sections": sections,
        "twin": (f"/society/{iso3}.json", "application/json", "these series as JSON"),
    }
    return render(request, "society.html", context)


def indicators(index: Path) -> list[dict[str, str]]:
    connection = read_only(index)
    try:
        rows = connection.execute(
            'SELECT DISTINCT "table", indicator_code, indicator FROM figures'
            " WHERE partner = '' ORDER BY \"table\", indicator"
        ).fetchall()
    finally:
        connection.close()
    return [{"table": r[0], "code": r[1], "label": r[2]} for r in rows]


def comparison(index: Path, table: str, code: str) -> list[dict[str, str]]:
    connection = read_only(index)
    try:
        rows = connection.execute(
            "SELECT country_code, country, national_society, year, value, unit, printed"
            " FROM figures WHERE \"table\" = ? AND indicator_code = ? AND partner = ''"
            " ORDER BY country, year",
            (table, code),
        ).fetchall()
    finally:
        connection.close()
    return [dict(row) for row in rows]


def _checked(table: str, indicator: str) -> None:
    if not _CODE.match(table) or not _CODE.match(indicator):
        raise HTTPException(400, "table and indicator are codes (letters, digits, '-', '/')")


@router.get("/compare", summary="One indicator across societies and years", response_class=Response)
def compare_page(
    request: Request,
    table: str = Query("people-reached", max_length=120),
    indicator: str = Query("health-and-wellbeing", max_length=120),
) -> Response:
    _checked(table, indicator)
    index = _index(request)
    rows = comparison(index, table, indicator)
    years = sorted({row["year"] for row in rows})
    by_society: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = by_society.setdefault(
            row["country_code"],
            {"iso3": row["country_code"], "country": row["country"], "values": {}},
        )
        entry["values"][row["year"]] = row
    latest = years[-1] if years else ""
    bars = [
        (e["country"], _number(e["values"][latest]["value"]))
        for e in by_society.values()
        if latest in e["values"]
    ]
    choices = indicators(index)
    label = next((c["label"] for c in choices if (c["table"], c["code"]) == (table, indicator)), "")
    context = {
        "table": table,
        "indicator": indicator,
        "label": label or indicator,
        "choices": choices,
        "years": years,
        "societies": list(by_society.values()),
        "chart": bar_chart(bars, title=f"{label} in {latest}") if bars else "",
        "latest": latest,
        "twin": (
            f"/compare.csv?table={table}&indicator={indicator}",
            "text/csv",
            "this comparison as CSV",
        ),
    }
    return render(request, "compare.html", context)


@router.get("/compare.csv", summary="One indicator across societies and years (CSV)")
def compare_csv(
    request: Request,
    table: str = Query("people-reached", max_length=120),
    indicator: str = Query("health-and-wellbeing", max_length=120),
) -> Response:
    _checked(table, indicator)
    rows = comparison(_index(request), table, indicator)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "indicator_code", *CSV_COLUMNS])
    for row in rows:
        writer.writerow([table, indicator, *(row[c] for c in CSV_COLUMNS)])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")
