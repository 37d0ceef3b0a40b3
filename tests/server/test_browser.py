"""A real browser (Debian's chromium, headless, driven by Playwright) uses the site: the
landing page, a report page, and an example query on the query page — with YASGUI when npm
installed it, and with the plain form on a server without the npm assets. The pages must
not reach any host but the server (no CDN)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.server.servers import RunningServer

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser_context() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = "Debian chromium is not installed (`make test` installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser test, never skip it
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        yield context
        context.close()


def _page(context, server: RunningServer):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.set_default_timeout(30_000)
    elsewhere: list[str] = []

    def watch(request) -> None:  # type: ignore[no-untyped-def]
        if not request.url.startswith((server.url, "data:", "blob:", "about:")):
            elsewhere.append(request.url)

    page.on("request", watch)
    return page, elsewhere


def _landing_to_report(page, server: RunningServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    assert page.locator("h1").inner_text()
    assert page.locator("#count-reports").inner_text() == "1"
    page.locator("a.report-link").first.click()
    page.wait_for_url("**/doc/report/mli/2023")
    assert page.locator("h2", has_text="Key figures").count() == 1
    assert page.locator("svg.chart").count() >= 2
    assert "Danish Red Cross" in page.locator("table.partners").inner_text()
    assert "MDRML018" in page.locator("ul.operations").inner_text()


def test_landing_report_and_yasgui_query(browser_context, site: RunningServer) -> None:  # type: ignore[no-untyped-def]
    page, elsewhere = _page(browser_context, site)
    _landing_to_report(page, site)
    page.locator("header nav a", has_text="Query").click()
    page.wait_for_url("**/sparql")
    page.wait_for_selector("#yasgui .yasqe")  # YASGUI, from node_modules, is in use
    page.locator("button.example", has_text="Partners and their funding").click()
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 5
    assert "Danish Red Cross" in page.locator(".yasr table").inner_text()
    assert elsewhere == []
    page.close()


def test_plain_form_query_without_yasgui(browser_context, plain_site: RunningServer) -> None:  # type: ignore[no-untyped-def]
    page, elsewhere = _page(browser_context, plain_site)
    _landing_to_report(page, plain_site)
    page.goto(plain_site.url + "/sparql")
    assert page.locator("#yasgui").count() == 0
    page.locator("button.example", has_text="Emergency operations").click()
    assert "MDRML018" not in page.url
    assert "ifrckg:operation" in page.locator("#query-text").input_value()
    page.locator("#run-query").click()
    page.wait_for_selector("#results tbody tr")
    text = page.locator("#results").inner_text()
    assert "MDRML018" in text
    assert "MGR60001" in text
    assert elsewhere == []
    page.close()


def test_from_a_finding_to_the_line_of_the_report(browser_context, site: RunningServer) -> None:  # type: ignore[no-untyped-def]
    """Report page → the finding beside a figure → the figure page → its quote's line."""
    page, elsewhere = _page(browser_context, site)
    page.goto(site.url + "/doc/report/mli/2023")
    first_aid = "/id/observation/mli/2023/indicators/people-trained-first-aid"
    page.locator(f'a.finding-mark[href="{first_aid}#findings"]').click()
    page.wait_for_url("**/doc/observation/mli/2023/indicators/people-trained-first-aid**")
    findings = page.locator("#findings").inner_text()
    assert "The narrative says 104" in findings and "105" in findings
    copy = page.locator('button[data-copy="citation"]')
    copy.click()  # the clipboard may be refused headless: either way the button answers
    page.wait_for_function("document.querySelector('button[data-copy]').textContent !== 'Copy'")
    assert copy.inner_text() in ("Copied", "Select the text to copy it")
    page.locator("section.quotes a", has_text="the report text").first.click()
    page.wait_for_url("**/doc/report/mli/2023/text#L*")
    target = page.locator("ol.lines li:target")
    assert target.count() == 1
    assert "first aid" in target.inner_text() and "105" in target.inner_text()
    page.goto(site.url + "/sparql")
    page.wait_for_selector("#yasgui .yasqe")
    page.locator("button.example", has_text="Which figures disagree?").click()
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 5
    assert elsewhere == []
    page.close()


def _run(page, query: str) -> None:  # type: ignore[no-untyped-def]
    """Put ``query`` in YASGUI's editor (a CodeMirror) and run it with its button."""
    page.evaluate(
        "q => document.querySelector('#yasgui .CodeMirror').CodeMirror.setValue(q)", query
    )
    page.locator(".yasqe_queryButton").click()


def test_query_errors_name_the_line_and_the_missing_prefix(
    browser_context, site: RunningServer
) -> None:  # type: ignore[no-untyped-def]
    page, elsewhere = _page(browser_context, site)
    page.goto(site.url + "/sparql")
    page.wait_for_selector("#yasgui .yasqe")
    _run(page, "SELECT ?concept ?label WHERE {\n  ?concept skos:prefLabel ?label } LIMIT 3")
    problem = page.locator(".query-problem")
    problem.wait_for()
    skos = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    assert f"Prefix 'skos' is not declared — add {skos}" in problem.inner_text()
    assert page.locator(".query-problem .problem-where").inner_text() == "Line 2, column 12"
    assert "?concept skos:prefLabel" in page.locator(".query-problem pre.problem-line").inner_text()
    assert page.locator(".CodeMirror .query-error-line").count() == 1
    page.locator("button.add-prefix", has_text=f"Add {skos}").click()
    editor = "document.querySelector('#yasgui .CodeMirror').CodeMirror"
    assert page.evaluate(f"{editor}.getValue()").startswith(skos)
    assert page.locator(".CodeMirror .query-error-line").count() == 0  # cleared by the edit
    page.locator(".yasqe_queryButton").click()
    page.locator(".yasr table tbody tr").first.wait_for()
    assert page.locator(".yasr table tbody tr").count() == 3
    # a plain syntax error: the parser's message, line and column
    _run(page, "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER( }")
    page.locator(".query-problem").wait_for()
    assert (
        page.locator(".query-problem .problem-detail")
        .inner_text()
        .startswith("syntax error at line 3, column")
    )
    assert page.locator(".query-problem .problem-where").inner_text().startswith("Line 3, column")
    assert elsewhere == []
    page.close()


def test_results_link_here_and_read_as_labels(browser_context, site: RunningServer) -> None:  # type: ignore[no-untyped-def]
    page, elsewhere = _page(browser_context, site)
    page.goto(site.url + "/sparql")
    page.wait_for_selector("#yasgui .yasqe")
    _run(
        page,
        "PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>\n"
        "SELECT ?operation ?year WHERE {\n"
        "  <https://w3id.org/ifrc-kg/id/report/mli/2023> ifrckg:operation ?operation ;\n"
        "    ifrckg:year ?year . FILTER(CONTAINS(STR(?operation), 'MDRML018')) }",
    )
    link = page.locator('.yasr table a.iri[href="/id/operation/MDRML018"]')
    link.wait_for()
    assert page.locator('.yasr table a[href^="https://w3id.org/"]').count() == 0
    assert link.get_attribute("target") is None  # a page of this site, in this tab
    # the simple view (on by default): the operation's label, the year without its type
    page.wait_for_function(
        "() => !document.querySelector('.yasr table a.iri.local').textContent.includes(':')"
    )
    label = link.inner_text()
    assert label and "MDRML018" not in label and "operation/" not in label
    cells = page.locator(".yasr table tbody tr td").all_inner_texts()
    assert "2023" in cells and not any("^^" in cell for cell in cells)
    # the full view: IRIs (shortened by prefix or in brackets) and typed literals
    page.locator(".yasr .tableControls input[type=checkbox]").first.uncheck()
    page.wait_for_function("() => document.querySelector('.yasr table').innerText.includes('^^')")
    assert (
        "MDRML018" in page.locator('.yasr table a.iri[href="/id/operation/MDRML018"]').inner_text()
    )
    link = page.locator('.yasr table a.iri[href="/id/operation/MDRML018"]')
    link.click()
    page.wait_for_url("**/doc/operation/MDRML018")
    assert elsewhere == []
    page.close()


def test_prefix_completion_offers_the_sites_prefixes(browser_context, site: RunningServer) -> None:  # type: ignore[no-untyped-def]
    page, elsewhere = _page(browser_context, site)
    page.goto(site.url + "/sparql")
    page.wait_for_selector("#yasgui .yasqe")
    page.evaluate("document.querySelector('#yasgui .CodeMirror').CodeMirror.setValue('')")
    page.locator("#yasgui .CodeMirror").click()
    page.keyboard.type("PREFIX ifrc")
    hints = page.locator(".CodeMirror-hints")
    hints.wait_for()
    assert "ifrckg: <https://w3id.org/ifrc-kg/def/core#>" in hints.inner_text()
    page.keyboard.press("Enter")
    editor = "document.querySelector('#yasgui .CodeMirror').CodeMirror"
    assert page.evaluate(f"{editor}.getValue()").startswith(
        "PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>"
    )
    # a prefix of the site typed in the query is declared as it is typed
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("SELECT * WHERE { ?s schema:")
    page.wait_for_function(
        f"() => {editor}.getValue().includes('PREFIX schema: <http://schema.org/>')"
    )
    assert elsewhere == []
    page.close()
