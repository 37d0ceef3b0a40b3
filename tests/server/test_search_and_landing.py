"""The network site: the search box over the build's FTS5 index (HTML and JSON), and the
landing page's reports by country and year with the corpus summary."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tests.server.servers import RunningServer

from ifrc_kg.search import search, write_index
from ifrc_kg.server.corpus import listed_reports, summary


def _get(site: RunningServer, path: str, accept: str = "text/html"):  # type: ignore[no-untyped-def]
    with site.client() as client:
        return client.get(path, headers={"Accept": accept})


# --- over the real build (Mali 2023) ----------------------------------------------------------


def test_search_finds_an_operation_by_code(site: RunningServer) -> None:
    response = _get(site, "/search?q=MDRML018")
    assert response.status_code == 200
    assert 'href="/id/operation/MDRML018"' in response.text
    assert "MDRML018 Mali Dengue Outbreak" in response.text


@pytest.mark.parametrize(
    ("query", "kind", "iri_end"),
    [
        ("mdrml", "operation", "/id/operation/MDRML018"),
        ("Danish", "partner", "/id/ns/dnk"),
        ("shelter support", "indicator", "/def/concept/indicator/"),
        ("croix rouge malienne", "society", "/id/ns/mli"),  # a label in another language
        ("Mali", "report", "/id/report/mli/2023"),
        ("first aid", "text", "/id/report/mli/2023/"),
    ],
)
def test_search_json_twin_finds_each_kind(
    site: RunningServer, query: str, kind: str, iri_end: str
) -> None:
    response = _get(site, f"/search.json?q={query}", "application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == query
    hits = [r for r in body["results"] if r["kind"] == kind]
    assert hits, body
    assert any(iri_end in r["iri"] for r in hits), hits
    assert all("\x02" not in r["snippet"] for r in body["results"])


def test_search_marks_matches_in_narrative_snippets(site: RunningServer) -> None:
    page = _get(site, "/search?q=dengue").text
    assert "<mark>" in page and "Narrative" in page


@pytest.mark.parametrize("query", ['"', "*", "(", "zzqqxx"])
def test_search_without_words_finds_nothing(site: RunningServer, query: str) -> None:
    response = _get(site, f"/search.json?q={query}", "application/json")
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("query", "words"), [("health OR NOT", "health or not"), ("a) AND (b*", "a and b")]
)
def test_search_syntax_is_never_interpreted(site: RunningServer, query: str, words: str) -> None:
    """FTS5 operators are plain words: the same results as the lower-case words."""
    response = _get(site, f"/search.json?q={query}", "application/json")
    plain = _get(site, f"/search.json?q={words}", "application/json")
    assert response.status_code == plain.status_code == 200
    assert response.json()["results"] == plain.json()["results"]


def test_search_query_length_is_bounded(site: RunningServer) -> None:
    response = _get(site, "/search.json?q=" + "a" * 201, "application/json")
    assert response.status_code == 400
    assert "200" in response.text


def test_empty_search_shows_the_form_only(site: RunningServer) -> None:
    page = _get(site, "/search").text
    assert 'name="q"' in page and '<ol class="results">' not in page


def test_landing_lists_reports_by_country_kind_and_year(site: RunningServer) -> None:
    page = _get(site, "/").text
    assert ">Mali 2023 annual report</a>" in page
    assert '<dd id="count-countries">1</dd>' in page
    assert '<dd id="count-years">2023</dd>' in page
    assert 'action="/search"' in page
    assert 'src="/static/tables.js"' in page
    assert _get(site, "/static/tables.js").status_code == 200


# --- the pieces, on generated data ------------------------------------------------------------


def test_reports_sorted_by_country_then_newest_with_their_kind() -> None:
    manifest = {
        "reports": [
            {"iri": "x/ner/2023", "country": "Niger", "iso3": "NER", "year": 2023,
             "period_start": "2023-01-01", "period_end": "2023-12-31"},
            {"iri": "x/mli/2023", "country": "Mali", "iso3": "MLI", "year": 2023,
             "period_start": "2023-01-01", "period_end": "2023-12-31"},
            {"iri": "x/mli/2024", "country": "Mali", "iso3": "MLI", "year": 2024,
             "period_start": "2024-01-01", "period_end": "2024-06-30"},
        ]
    }  # fmt: skip
    reports = listed_reports(manifest)
    assert [r.link_text for r in reports] == [
        "Mali 2024 mid-year report",
        "Mali 2023 annual report",
        "Niger 2023 annual report",
    ]
    assert summary(reports) == {"countries": 2, "reports": 3, "years": "2023–2024", "year_count": 2}
    assert summary([]) == {"countries": 0, "reports": 0, "years": "", "year_count": 0}


def test_index_keeps_one_row_per_thing_and_every_paragraph(tmp_path: Path) -> None:
    index = tmp_path / "search.sqlite"
    op = ("operation", "http://x/op/MDRXX1", "MDRXX1 Floods", "MDRXX1", "XXX", "2023")
    text = ("text", "http://x/p1", "Context, paragraph 1", "Floods hit the capital", "XXX", "2023")
    again = ("text", "http://x/p1", "Context, paragraph 1", "Floods again", "XXX", "2024")
    count = write_index(index, [[op, text], [op, again]])
    assert count == 3
    hits = list(search(index, "flood"))
    assert [h["kind"] for h in hits].count("operation") == 1
    assert len([h for h in hits if h["kind"] == "text"]) == 2
    assert list(search(index, "nothing-like-it")) == []
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
        connection.execute("DELETE FROM documents")


# --- the National Society page and the comparison page ----------------------------------------


def test_society_page_shows_reports_series_charts_and_tables(site: RunningServer) -> None:
    page = _get(site, "/society/MLI").text
    assert "<h1>Mali Red Cross</h1>" in page
    assert ">Mali 2023 annual report</a>" in page
    for title in ("Key figures", "People reached per strategic priority", "Funding (CHF)"):
        assert f"<h2>{title}</h2>" in page
    assert page.count('class="chart"') >= 10  # a time series chart per key figure and priority
    assert '<td class="num">8,998</td>' in page  # volunteers, 2023
    assert '<td class="num">240,612</td>' in page  # health and wellbeing
    assert 'href="/compare?table=people-reached&amp;indicator=health-and-wellbeing"' in page


def test_society_json_twin(site: RunningServer) -> None:
    body = _get(site, "/society/mli.json", "application/json").json()
    assert body["iso3"] == "MLI" and body["years"] == ["2023"]
    health = body["tables"]["people-reached"]["health-and-wellbeing"]
    assert health["values"] == {"2023": "240612"}
    funding = body["tables"]["financial-overview"]["funding / ifrc-secretariat"]
    assert funding["values"] == {"2023": "1300000"} and funding["unit"] == "CCY_CHF"


@pytest.mark.parametrize(
    "path", ["/society/NER", "/society/12", "/society/mali", "/society/x.json"]
)
def test_unknown_society_is_404_with_a_message(site: RunningServer, path: str) -> None:
    response = _get(site, path, "application/json")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_comparison_page_and_csv(site: RunningServer) -> None:
    page = _get(site, "/compare?table=key-figures&indicator=volunteers").text
    assert "Compare: National Society volunteers" in page
    assert 'href="/society/MLI">Mali</a>' in page and "8,998" in page
    assert '<option value="health-and-wellbeing" data-table="people-reached"' in page
    csv = _get(site, "/compare.csv?table=key-figures&indicator=volunteers", "text/csv")
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("table,indicator_code,country_code,country")
    assert lines[1] == 'key-figures,volunteers,MLI,Mali,Mali Red Cross,2023,8998,NUM,"8,998"'
    empty = _get(site, "/compare.csv?table=key-figures&indicator=nothing", "text/csv")
    assert empty.text.count("\n") == 1  # the header only


def test_comparison_refuses_what_is_not_a_code(site: RunningServer) -> None:
    response = _get(site, "/compare.csv?table=x%27%3B&indicator=y", "application/json")
    assert response.status_code == 400
    assert "codes" in response.json()["detail"]
