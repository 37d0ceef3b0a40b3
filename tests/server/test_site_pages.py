"""The site over real HTTP: landing page, report page, downloads, VoID, health, API docs;
metadata and a machine-readable twin on every HTML page; nothing loaded from a CDN."""

from __future__ import annotations

import hashlib
import json
import re

import pyoxigraph as ox
import pytest
from tests.server.servers import RunningServer
from tests.variants import MALI_PATH as MALI

HTML_PAGES = [
    "/",
    "/doc/report/mli/2023",
    "/doc/ns/mli",
    "/doc/operation/MDRML018",
    "/sparql",
    "/dumps",
    "/graph/mli/2023",
    "/doc/def/concept/strategic-priority/health-and-wellbeing",
    "/ontology",
    "/sparql?format=html&query=ASK%20%7B%7D",
    "/search?q=mali",
    "/society/MLI",
    "/compare?table=key-figures&indicator=volunteers",
    "/sparql?format=html&query=SELECT%20*%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%203",
]


def _html(site: RunningServer, path: str) -> str:
    with site.client() as client:
        response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith("text/html")
    return response.text


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_page_has_metadata_and_a_machine_readable_twin(
    site: RunningServer, path: str
) -> None:
    page = _html(site, path)
    twin = re.search(r'<link rel="alternate" type="([^"]+)" href="([^"]+)"', page)
    assert twin, f"{path} has no <link rel=alternate>"
    assert "IFRC network annual reports as linked data" in page  # title
    assert "ifrc-network-annual-report-mali-2023.txt" in page  # source
    assert "Licence:" in page
    assert "copyright" in page  # the rights statement, as the build states it
    with site.client() as client:
        machine = client.get(twin.group(2), headers={"Accept": twin.group(1)})
    assert machine.status_code == 200, twin.group(2)
    assert machine.headers["content-type"].startswith(twin.group(1).split(";")[0])


@pytest.mark.parametrize("path", HTML_PAGES)
def test_no_page_loads_anything_from_another_host(site: RunningServer, path: str) -> None:
    page = _html(site, path)
    loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"', page)
    assert [url for url in loaded if 'rel="alternate"' not in url] == []


def test_landing_page(site: RunningServer, built_dist) -> None:  # type: ignore[no-untyped-def]
    page = _html(site, "/")
    manifest = json.loads((built_dist / "manifest.json").read_text())
    assert 'href="/id/report/mli/2023"' in page
    assert "2023 IFRC network annual report, Jan-Dec" in page
    assert '<dd id="count-reports">1</dd>' in page
    for file in manifest["files"]:
        assert f'href="/dumps/{file["path"]}"' in page
        assert file["sha256"] in page
    for link in (
        'href="/sparql"',
        'href="/ontology"',
        'href="/dumps/shapes/shapes.ttl"',
        'href="/dumps/validation.html"',
        'href="/.well-known/void"',
        'href="/dumps/figures.hxl.csv"',
        'href="/dumps/links.nt"',
    ):
        assert link in page, link


def test_report_page(site: RunningServer) -> None:
    page = _html(site, "/doc/report/mli/2023")
    assert "Mali · Mali Red Cross · 2023" in page
    assert "Key figures" in page
    assert "8,998" in page  # volunteers, as printed
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') >= 3
    assert "People reached by strategic priority" in page
    assert "Health and wellbeing" in page and "240,612" in page
    assert "Funding by source" in page
    assert "Danish Red Cross" in page and "15.7M" in page
    assert 'href="/id/operation/MDRML018"' in page
    assert "Data-quality findings (5)" in page
    assert "Warning" in page  # the build's validation warnings about this report
    # the finding sits beside the figure it questions, and links to the figure's findings
    first_aid = "/id/observation/mli/2023/indicators/people-trained-first-aid"
    cell = re.search(rf'<a href="{first_aid}">105</a>(.*?)</td>', page)
    assert cell and f'href="{first_aid}#findings"' in cell.group(1)
    volunteers = re.search(
        r'<a href="(/id/observation/mli/2023/key-figures/[^"]*volunteers[^"]*)">', page
    )
    assert volunteers and f'href="{volunteers.group(1)}#findings"' not in page
    assert 'href="/graph/mli/2023"' in page
    assert 'href="/dumps/figures-mli-2023.hxl.csv"' in page
    assert 'href="/dumps/figures-mli-2023.csv"' in page


def test_dumps_listing_and_files_match_their_checksums(site: RunningServer, built_dist) -> None:  # type: ignore[no-untyped-def]
    manifest = json.loads((built_dist / "manifest.json").read_text())
    with site.client() as client:
        listing = client.get("/dumps", headers={"Accept": "application/json"}).json()
        assert listing["files"] == manifest["files"]
        for file in manifest["files"]:
            response = client.get(f"/dumps/{file['path']}")
            assert response.status_code == 200, file["path"]
            assert hashlib.sha256(response.content).hexdigest() == file["sha256"]
            assert response.headers["content-type"].startswith(file["media_type"])
        sums = client.get("/dumps/SHA256SUMS")
        escape = client.get("/dumps/%2E%2E/pyproject.toml")
        missing = client.get("/dumps/nothing.ttl")
    assert sums.status_code == 200
    assert escape.status_code == 404
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ],
)
def test_well_known_void(site: RunningServer, accept: str, fmt: ox.RdfFormat) -> None:
    with site.client() as client:
        response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200
    store = ox.Store()
    store.load(response.content, format=fmt)
    assert store.query(
        "ASK { <https://w3id.org/ifrc-kg/id/dataset> a <http://rdfs.org/ns/void#Dataset> }"
    )


def test_catalog_iris_resolve(site: RunningServer) -> None:
    with site.client() as client:
        response = client.get("/id/dataset", headers={"Accept": "text/turtle"})
        doc = client.get(response.headers["location"], headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert doc.status_code == 200
    assert b"void:Dataset" in doc.content or b"rdfs.org/ns/void#Dataset" in doc.content


def test_health(site: RunningServer, built_dist) -> None:  # type: ignore[no-untyped-def]
    manifest = json.loads((built_dist / "manifest.json").read_text())
    with site.client() as client:
        response = client.get("/health")
        head = client.head("/health")
    health = response.json()
    assert health["status"] == "ok"
    assert health["built"] == manifest["built"]
    assert health["triples"] >= manifest["triples"]
    assert health["queries_running"] == 0
    # answered before routing (app.HealthFirst), never from a cache; HEAD through the routes
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
    assert head.status_code == 200 and head.content == b""


def test_openapi_docs_are_served_offline(site: RunningServer) -> None:
    with site.client() as client:
        docs = client.get("/docs")
        spec = client.get("/openapi.json").json()
        bundle = client.get("/assets/swagger-ui/swagger-ui-bundle.js")
    assert docs.status_code == 200
    assert "/assets/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert bundle.status_code == 200
    assert {"/sparql", "/id/{path}", "/doc/{path}", "/dumps", "/health"} <= set(spec["paths"])
    assert {"get", "post"} <= set(spec["paths"]["/sparql"])


def test_without_npm_assets_docs_link_the_spec(plain_site: RunningServer) -> None:
    with plain_site.client() as client:
        docs = client.get("/docs")
        page = client.get("/sparql", headers={"Accept": "text/html"})
        assets = client.get("/assets/yasgui/yasgui.min.js")
    assert 'href="/openapi.json"' in docs.text
    assert "yasgui" not in page.text.lower().replace('id="yasgui"', "")
    assert 'id="plain-query"' in page.text
    assert assets.status_code == 404


def test_errors_are_html_for_browsers_and_problem_json_otherwise(site: RunningServer) -> None:
    with site.client() as client:
        html = client.get("/no/such/page", headers={"Accept": "text/html"})
        problem = client.get("/no/such/page")
    assert html.status_code == problem.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert problem.json()["status"] == 404


@pytest.mark.parametrize("path", ["/", "/dumps/graph.ttl", "/doc/ns/mli"])
def test_head_is_get_without_a_body(site: RunningServer, path: str) -> None:
    with site.client() as client:
        head = client.head(path)
        get = client.get(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["etag"] == get.headers["etag"]


def test_figure_page_shows_its_findings(site: RunningServer) -> None:
    page = _html(site, "/doc/observation/mli/2023/indicators/people-trained-first-aid")
    assert 'id="findings"' in page and "Data-quality findings" in page
    assert "The narrative says 104 (trained 104 people in first aid)" in page
    assert "Difference 1; rounding allows ±0." in page
    assert re.search(r'Figures compared: .*href="/id/report/mli/2023/claim/', page)
    shelter = _html(site, "/doc/observation/mli/2023/indicators/people-reached-shelter")
    assert 'id="findings"' not in shelter


def test_source_text_page_has_line_anchors_and_quotes_link_to_their_line(
    site: RunningServer,
) -> None:
    text = _html(site, "/doc/report/mli/2023/text")
    lines = MALI.read_text(encoding="utf-8").splitlines()
    assert '<li id="L1">' in text and f'<li id="L{len(lines)}">' in text
    assert f'<li id="L{len(lines) + 1}">' not in text
    number = 1 + next(
        n for n, line in enumerate(lines) if "trained by National Societies in first" in line
    )
    line = re.search(rf'<li id="L{number}">.*?</li>', text)
    assert line and "first aid" in line.group(0) and "105" in line.group(0)
    figure = _html(site, "/doc/observation/mli/2023/indicators/people-trained-first-aid")
    assert f'href="/id/report/mli/2023/text#L{number}"' in figure
    # a resource that is not a text has no text section
    assert 'class="source-text"' not in _html(site, "/doc/ns/mli")


def test_report_title_names_the_country(site: RunningServer) -> None:
    page = _html(site, "/doc/report/mli/2023")
    # operations with this report's figures, each linking to its figure page
    dref = "/id/report/mli/2023/operation/MDRML018"
    assert f'<a href="{dref}/people-targeted">People targeted: 322,013</a>' in page
    assert "Funding allocation, IFRC-DREF: CHF 204,222</a>" in page
    assert "CHF CHF" not in page
    assert "<h1>Mali — 2023 IFRC network annual report, Jan-Dec</h1>" in page
    assert "<title>Mali — 2023 IFRC network annual report, Jan-Dec" in page


def test_partner_matrix_has_areas_as_columns_and_every_partner(site: RunningServer) -> None:
    page = _html(site, "/doc/report/mli/2023")
    table = re.search(r'<table class="partner-matrix">(.*?)</table>', page, re.S)
    assert table
    header, body = table.group(1).split("</thead>")
    assert header.count("<th>") >= 8  # partner, six areas, through the IFRC, funding
    assert "Health and wellbeing" in header and "Enabling Functions" in header
    assert body.count("<tr>") == 12
    # the name as printed beside the reference name; cells link to their observations
    assert 'Canadian Red Cross Society</a> <span class="muted">(The Canadian Red Cross' in body
    assert 'href="/id/observation/mli/2023/partner-support/dnk/health-and-wellbeing"' in body
    assert 'href="/id/observation/mli/2023/partner-funding/dnk">15.7M</a>' in body


def test_figure_page_offers_a_citation(site: RunningServer) -> None:
    page = _html(site, "/doc/observation/mli/2023/indicators/people-trained-first-aid")
    citation = re.search(r'<pre id="citation">(.*?)</pre>', page, re.S)
    assert citation
    text = citation.group(1)
    assert (
        "https://w3id.org/ifrc-kg/id/observation/mli/2023/indicators/people-trained-first-aid"
        in text
    )
    assert "line 130" in text and "105" in text
    assert '<button type="button" data-copy="citation">Copy</button>' in page
    assert '<script src="/static/cite.js" defer></script>' in page
    with site.client() as client:
        assert client.get("/static/cite.js").status_code == 200


def test_chart_bars_link_to_their_figures(site: RunningServer) -> None:
    page = _html(site, "/doc/report/mli/2023")
    health = "/id/observation/mli/2023/people-reached/health-and-wellbeing"
    assert re.search(
        rf'<a href="{health}"><g class="bar"><title>Health and wellbeing: 240,612', page
    )
    assert 'href="/id/observation/mli/2023/partner-funding/dnk"><g class="bar">' in page


def test_indicators_are_grouped_by_priority_and_function(site: RunningServer) -> None:
    page = _html(site, "/doc/report/mli/2023")
    section = re.search(
        r'<section class="dataset" id="table-indicators">(.*?)</section>', page, re.S
    )
    assert section
    areas = re.findall(r'<h3 class="area">([^<]*)</h3>', section.group(1))
    assert "Health and wellbeing" in areas and "Other" not in areas
    assert len(areas) == len(set(areas)) >= 5  # each priority or function once
    health = section.group(1).split('<h3 class="area">Health and wellbeing</h3>')[1]
    first_table = health.split("</table>")[0]
    assert "People trained by National Societies in first aid" in first_table
