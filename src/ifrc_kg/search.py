"""The site's search: an SQLite FTS5 index of what people look for, written by the build.

One row per findable thing: reports, National Societies, countries, operations (by code and
name), indicators, partners a report names, and every narrative paragraph. Each report's
rows are gathered in its worker (``pipeline.py``) and cached with its piece; the build
writes them, with the shared ones (societies, countries, indicators), into
``search.sqlite`` in a fixed order. The server opens the file read-only
(``server/search.py``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ifrc_kg.namespaces import DOCO, IFRCKG, SCHEMA

SEARCH_FILE = "search.sqlite"
#: kind, IRI, title, body, country (ISO3), year
Row = tuple[str, str, str, str, str, str]
MAX_QUERY_CHARS = 200
MAX_RESULTS = 50

_SCHEMA = """
CREATE VIRTUAL TABLE documents USING fts5(
    title, body, kind UNINDEXED, iri UNINDEXED, country, year UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""


def _label(graph: Graph, node: URIRef) -> str:
    """The English (else untagged, else any) label: the site speaks English. A resource
    several reports name is labelled build-wide (``graph.labels``); a report's rows find
    it by the name this report prints (``ifrckg:nameAsPrinted``)."""
    for predicate in (SKOS.prefLabel, SCHEMA.name, RDFS.label, IFRCKG.nameAsPrinted):
        values = sorted(graph.objects(node, predicate))
        for wanted in ("en", None):
            for value in values:
                if getattr(value, "language", None) == wanted:
                    return str(value)
        if values:
            return str(values[0])
    return str(node).rsplit("/", 1)[-1]


def _all_labels(graph: Graph, node: URIRef) -> str:
    """Every label in every language, for the body: a search in French finds it too."""
    values = {
        str(v)
        for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label, SCHEMA.name)
        for v in graph.objects(node, p)
    }
    return " ".join(sorted(values))


def report_rows(
    dataset: Dataset, graph_iri: str, reference_iri: str, iso3: str, year: int
) -> list[Row]:
    """The rows of one report: itself, its operations, partners and paragraphs."""
    graph = dataset.graph(URIRef(graph_iri))
    reference = dataset.graph(URIRef(reference_iri))

    def label_of(node: URIRef) -> str:
        return _label(reference if (node, None, None) in reference else graph, node)

    rows: list[Row] = []
    when = str(year)
    for report in sorted(graph.subjects(RDF.type, IFRCKG.AnnualReport)):
        title = _label(graph, report)
        country = label_of(graph.value(report, IFRCKG.country) or report)
        rows.append(("report", str(report), f"{country}: {title}", title, iso3, when))
    for operation in sorted(set(graph.subjects(RDF.type, IFRCKG.Operation))):
        code = str(graph.value(operation, SKOS.notation) or "")
        name = _label(graph, operation)
        rows.append(("operation", str(operation), f"{code} {name}".strip(), code, iso3, when))
    partners = {o for o in graph.objects(None, IFRCKG.partner) if isinstance(o, URIRef)}
    for partner in sorted(partners):
        rows.append(("partner", str(partner), label_of(partner), "", iso3, when))
    for paragraph in sorted(graph.subjects(RDF.type, DOCO.Paragraph)):
        text = " ".join(str(t) for t in graph.objects(paragraph, SCHEMA.text))
        rows.append(("text", str(paragraph), _label(graph, paragraph), text, iso3, when))
    return rows


def shared_rows(reference: Graph, vocabulary: Graph) -> list[Row]:
    """National Societies, countries and indicators: once for the corpus."""
    rows: list[Row] = []
    kinds = (
        ("society", IFRCKG.NationalSociety, reference),
        ("country", SCHEMA.Country, reference),
    )
    for kind, cls, graph in kinds:
        for node in sorted(graph.subjects(RDF.type, cls)):
            if isinstance(node, URIRef):
                code = str(graph.value(node, SKOS.notation) or "")
                body = f"{code} {_all_labels(graph, node)}".strip()
                rows.append((kind, str(node), _label(graph, node), body, "", ""))
    for concept in sorted(vocabulary.subjects(RDF.type, SKOS.Concept)):
        if isinstance(concept, URIRef) and "/concept/indicator/" in str(concept):
            rows.append(("indicator", str(concept), _label(vocabulary, concept), "", "", ""))
    return rows


def write_index(path: Path, row_groups: Iterable[Iterable[Sequence[str]]]) -> int:
    """Write the FTS5 index; a thing named by several reports (an operation, a partner) is
    one row, text rows are all kept. Returns the number of rows."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    seen: set[tuple[str, str]] = set()
    count = 0
    try:
        connection.executescript(_SCHEMA)
        for rows in row_groups:
            batch = []
            for row in rows:
                key = (row[0], row[1])
                if row[0] != "text" and key in seen:
                    continue
                seen.add(key)
                kind, iri, title, body, country, year = row
                batch.append((title, body, kind, iri, country, year))
            connection.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)", batch)
            count += len(batch)
        connection.execute("INSERT INTO documents(documents) VALUES ('optimize')")
        connection.commit()
    finally:
        connection.close()
    return count


def match_expression(query: str) -> str | None:
    """A user's words as an FTS5 query: every word must match, as a prefix; FTS5 syntax in
    the input is never interpreted.

    >>> match_expression('MDRML "018 OR x*')
    '"mdrml"* "018"* "or"* "x"*'
    >>> match_expression("  ") is None
    True
    """
    words = re.findall(r"\w+", query[:MAX_QUERY_CHARS].lower())
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words[:20])


def search(path: Path, query: str, limit: int = MAX_RESULTS) -> Iterator[dict[str, str]]:
    """The best matches, each with a snippet whose matches are marked ``\\x02…\\x03``."""
    expression = match_expression(query)
    if expression is None:
        return
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = connection.execute(
            "SELECT kind, iri, title, snippet(documents, 1, char(2), char(3), '…', 16),"
            " country, year FROM documents WHERE documents MATCH ?"
            " ORDER BY bm25(documents, 10.0, 1.0), kind, iri LIMIT ?",
            (expression, max(1, min(limit, MAX_RESULTS))),
        )
        for kind, iri, title, snippet, country, year in cursor:
            yield {
                "kind": kind,
                "iri": iri,
                "title": title,
                "snippet": snippet,
                "country": country,
                "year": year,
            }
    finally:
        connection.close()


# --- figures, for the society and comparison pages ------------------------------------------

FIGURE_COLUMNS = (
    "country_code",
    "country",
    "national_society",
    "year",
    "table",
    "indicator",
    "indicator_code",
    "partner",
    "value",
    "unit",
    "printed",
    "line",
    "observation",
)


def write_figures(path: Path, row_groups: Iterable[Iterable[dict[str, str]]]) -> int:
    """A plain ``figures`` table (every figure of ``figures.csv``) next to the search index:
    the National Society page reads one society's, the comparison page one indicator's."""
    connection = sqlite3.connect(path)
    count = 0
    try:
        columns = ", ".join(f'"{c}" TEXT' for c in FIGURE_COLUMNS)
        connection.execute(f"CREATE TABLE figures ({columns})")
        marks = ", ".join("?" for _ in FIGURE_COLUMNS)
        for rows in row_groups:
            batch = [tuple(row.get(c, "") for c in FIGURE_COLUMNS) for row in rows]
            connection.executemany(f"INSERT INTO figures VALUES ({marks})", batch)
            count += len(batch)
        connection.execute('CREATE INDEX figures_country ON figures (country_code, "table")')
        connection.execute('CREATE INDEX figures_indicator ON figures ("table", indicator_code)')
        connection.commit()
    finally:
        connection.close()
    return count


def read_only(path: Path) -> sqlite3.Connection:
    """The build's index, opened read-only (the site never writes)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    return connection
