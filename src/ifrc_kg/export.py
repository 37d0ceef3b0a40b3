"""Every figure of the graph as a flat table: HXL-tagged CSV for HDX users, or plain CSV.

One row per ``qb:Observation``, read back from the built graph with SPARQL (so the rows
are exactly the figures the graph holds): country, National Society, year, priority or
function, indicator (or key figure, reach category, funder group, support area), partner,
value, unit, the value as printed, its rounding, where it was read (quote, line) and the
data-quality findings that involve it.

HXL (hxlstandard.org) is hashtags on a CSV: the second row carries one tag per column.
Numbers go in ``#indicator+value+num`` (libhxl's default schema checks they are numbers);
yes/no answers go in their own ``#indicator+answer`` column rather than being coded as
numbers. Quotes have their whitespace collapsed (tabs separate the cells of a table row in
the text; HXL tools flag them). The plain CSV has the same columns without the hashtag row.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from ifrc_kg.errors import BuildError
from ifrc_kg.store import GraphStore

log = logging.getLogger(__name__)

FORMATS = ("hxl", "csv")
EXPORT_FILES = {"hxl": "figures.hxl.csv", "csv": "figures.csv"}


@dataclass(frozen=True)
class Column:
    name: str
    hxl: str
    description: str


COLUMNS = (
    Column("country_code", "#country+code", "ISO 3166-1 alpha-3 code of the report's country"),
    Column("country", "#country+name", "Country name"),
    Column("national_society", "#org+name", "The reporting National Society"),
    Column("year", "#date+year", "Reporting year"),
    Column("table", "#meta+table", "The report table (data set) the figure belongs to"),
    Column("area", "#sector+name", "Strategic priority or enabling function, if any"),
    Column("area_code", "#sector+code", "Notation of the priority or function"),
    Column("indicator", "#indicator+name", "What is counted: indicator, key figure, flow…"),
    Column("indicator_code", "#indicator+code", "Notation(s) of what is counted"),
    Column("partner", "#org+partner+name", "Partner National Society (partner tables)"),
    Column(
        "value",
        "#indicator+value+num",
        "The value as a number (blank for yes/no, and for an ambiguous print: see findings)",
    ),
    Column("answer", "#indicator+answer", "yes/no answers and support marks"),
    Column("unit", "#indicator+unit", "QUDT unit: NUM, PERCENT, CCY_CHF, UNITLESS"),
    Column("printed", "#meta+printed", "The value exactly as printed"),
    Column("rounded_to", "#meta+rounded", "Precision of a rounded print (15.6M: 100000)"),
    Column(
        "quote", "#meta+source+quote", "Report text the figure was read from (spaces collapsed)"
    ),
    Column("line", "#meta+source+line", "Line of the report text where the quote starts"),
    Column("observation", "#meta+id", "IRI of the Data Cube observation"),
    Column(
        "findings",
        "#meta+finding",
        "Data-quality findings on the figure (the build's SHACL warnings), ' | '-separated",
    ),
)

PREFIXES = """
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
"""

OBSERVATIONS = (
    PREFIXES
    + """
SELECT ?obs ?table ?iso3 ?country ?society ?year ?value ?unit ?printed ?rounded ?quote ?line
WHERE {
  ?obs a qb:Observation ; qb:dataSet ?ds ; ifrckg:nationalSociety ?ns .
  ?ds qb:structure ?dsd ; prov:wasDerivedFrom ?report .
  ?dsd qb:component/qb:measure ?measure .
  OPTIONAL { ?obs ?measure ?value }  # none for an ambiguous print: kept as printed
  ?report ifrckg:country ?c ; ifrckg:year ?year .
  OPTIONAL { ?ds dcterms:identifier ?table }
  OPTIONAL { ?c ifrckg:iso3Code ?iso3 }
  OPTIONAL { SELECT ?c (MIN(STR(?cl)) AS ?country) WHERE {
    ?c rdfs:label ?cl FILTER (LANG(?cl) IN ("en", "")) } GROUP BY ?c }
  OPTIONAL { SELECT ?ns (MIN(STR(?nl)) AS ?society) WHERE {
    ?ns rdfs:label ?nl FILTER (LANG(?nl) IN ("en", "")) } GROUP BY ?ns }
  OPTIONAL { ?obs sdmx-attribute:unitMeasure ?unit }
  OPTIONAL { ?obs ifrckg:printedValue ?printed }
  OPTIONAL { ?obs ifrckg:roundedTo ?rounded }
  OPTIONAL {
    ?obs prov:wasDerivedFrom ?source .
    ?source oa:hasSelector ?selector ; ifrckg:lineStart ?line .
    ?selector a oa:TextQuoteSelector ; oa:exact ?quote .
  }
}"""
)

DIMENSIONS = (
    PREFIXES
    + """
SELECT ?obs ?dim ?thing ?label ?notation ?area ?areaLabel ?areaNotation ?isArea WHERE {
  ?obs a qb:Observation ; qb:dataSet/qb:structure/qb:component/qb:dimension ?dim .
  ?obs ?dim ?thing .
  FILTER (?dim NOT IN (ifrckg:nationalSociety, ifrckg:refPeriod))
  OPTIONAL { SELECT ?thing (MIN(STR(?l)) AS ?label) WHERE {
    { ?thing skos:prefLabel ?l } UNION { ?thing rdfs:label ?l }
    FILTER (LANG(?l) IN ("en", "")) } GROUP BY ?thing }
  OPTIONAL { ?thing skos:notation ?notation }
  BIND (CONTAINS(STR(?thing), "/strategic-priority/")
        || CONTAINS(STR(?thing), "/enabling-function/") AS ?isArea)
  OPTIONAL {
    ?thing skos:broader ?area .
    FILTER (CONTAINS(STR(?area), "/strategic-priority/")
            || CONTAINS(STR(?area), "/enabling-function/"))
    OPTIONAL { ?area skos:prefLabel ?areaLabel FILTER (LANG(?areaLabel) IN ("en", "")) }
    OPTIONAL { ?area skos:notation ?areaNotation }
  }
}"""
)

# The messages of the findings that involve a figure (graph/findings of the build).
FINDINGS = (
    PREFIXES
    + """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT DISTINCT ?obs ?finding ?message WHERE {
  ?finding a ifrckg:Finding ; ifrckg:comparesFigure ?obs ; sh:resultMessage ?message .
  ?obs a qb:Observation .
} ORDER BY ?obs ?finding"""
)

# Dimension order inside the indicator column: what is counted, most specific last.
_PARTNER = "https://w3id.org/ifrc-kg/def/core#partner"


def _text(term: object) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def number_text(value: str) -> str:
    """A decimal literal as plain digits: no exponent, no trailing zeros.

    >>> number_text("15600000.0")
    '15600000'
    >>> number_text("0.94")
    '0.94'
    >>> number_text("1E+5")
    '100000'
    """
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def collapse_spaces(text: str) -> str:
    """Tabs and runs of spaces as one space: table rows of the text keep their cells apart
    with tabs, which HXL tools flag as stray whitespace. The graph keeps the exact quote.

    >>> collapse_spaces("Danish Red Cross\t15.7M\t\t●")
    'Danish Red Cross 15.7M ●'
    """
    return " ".join(text.split())


def _graph_store(graph: Dataset | GraphStore) -> GraphStore:
    """The query engine over a built dataset: its default graph is the union of the reports."""
    if isinstance(graph, GraphStore):
        return graph
    return nquads_store(graph.serialize(format="nquads", encoding="utf-8"))


def nquads_store(data: bytes) -> GraphStore:
    """An in-memory store of N-Quads, its default graph the union of the named graphs."""
    store = ox.Store()
    store.load(data, ox.RdfFormat.N_QUADS)
    graph_store = GraphStore(store)
    graph_store.materialise_union()
    return graph_store


def figure_rows(graph: Dataset | GraphStore) -> list[dict[str, str]]:
    """One row per observation of a built dataset (rdflib) or a build's store."""
    store = _graph_store(graph).oxigraph
    rows: dict[str, dict[str, str]] = {}
    for solution in store.query(OBSERVATIONS):
        obs = _text(solution["obs"])
        value = solution["value"]
        is_boolean = isinstance(value, ox.Literal) and value.datatype == ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#boolean"
        )
        unit = _text(solution["unit"]).rsplit("/", 1)[-1]
        row = rows.setdefault(
            obs,
            {
                "country_code": _text(solution["iso3"]),
                "country": _text(solution["country"]),
                "national_society": _text(solution["society"]),
                "year": _text(solution["year"]),
                "table": _text(solution["table"]),
                "value": "" if is_boolean else number_text(_text(value)),
                "answer": ("yes" if _text(value) == "true" else "no") if is_boolean else "",
                "unit": unit,
                "printed": _text(solution["printed"]),
                "rounded_to": number_text(_text(solution["rounded"]))
                if solution["rounded"]
                else "",
                "quote": collapse_spaces(_text(solution["quote"])),
                "line": _text(solution["line"]),
                "observation": obs,
            },
        )
        # several quote selectors would repeat a row: keep the first line, deterministically
        if (
            solution["line"] is not None
            and row["line"]
            and int(_text(solution["line"])) < int(row["line"])
        ):
            row["line"], row["quote"] = (
                _text(solution["line"]),
                collapse_spaces(_text(solution["quote"])),
            )
    things: dict[str, dict[str, tuple[str, str]]] = {}
    areas: dict[str, tuple[str, str]] = {}
    for solution in store.query(DIMENSIONS):
        obs = _text(solution["obs"])
        dim = _text(solution["dim"])
        thing = _text(solution["thing"])
        label = _text(solution["label"]) or thing.rsplit("/", 1)[-1]
        notation = _text(solution["notation"]) or thing.rsplit("/", 1)[-1]
        things.setdefault(obs, {})[dim] = (label, notation)
        if _text(solution["isArea"]) == "true":
            areas[obs] = (label, notation)
        elif solution["area"] is not None and obs not in areas:
            areas[obs] = (_text(solution["areaLabel"]), _text(solution["areaNotation"]))
    findings: dict[str, list[str]] = {}
    for solution in store.query(FINDINGS):
        findings.setdefault(_text(solution["obs"]), []).append(_text(solution["message"]))
    for obs, row in rows.items():
        row["findings"] = " | ".join(collapse_spaces(m) for m in findings.get(obs, []))
        dims = things.get(obs, {})
        partner = dims.pop(_PARTNER, None)
        row["partner"] = partner[0] if partner else ""
        ordered = [dims[dim] for dim in sorted(dims)]
        row["indicator"] = " / ".join(label for label, _ in ordered)
        row["indicator_code"] = " / ".join(notation for _, notation in ordered)
        row["area"], row["area_code"] = areas.get(obs, ("", ""))
    return [
        rows[obs]
        for obs in sorted(rows, key=lambda o: (rows[o]["country_code"], rows[o]["year"], o))
    ]


def render(rows: Sequence[dict[str, str]], fmt: str) -> str:
    """The table as CSV text; ``hxl`` adds the hashtag row under the header."""
    if fmt not in FORMATS:
        raise BuildError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.name for column in COLUMNS])
    if fmt == "hxl":
        writer.writerow([column.hxl for column in COLUMNS])
    for row in rows:
        writer.writerow([row.get(column.name, "") for column in COLUMNS])
    return buffer.getvalue()


def write_export(graph: Dataset | GraphStore, out: Path, fmt: str = "hxl") -> int:
    """Write the figures of a built graph to ``out``; returns the number of rows."""
    rows = figure_rows(graph)
    text = render(rows, fmt)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BuildError(f"cannot write export {out}: {error}") from error
    log.info("exported %d figures to %s (%s)", len(rows), out, fmt)
    return len(rows)


def report_export_files(iso3: str, year: int | str) -> dict[str, str]:
    """File names of one report's figures in a build directory, by format.

    >>> report_export_files("MLI", 2023)
    {'hxl': 'figures-mli-2023.hxl.csv', 'csv': 'figures-mli-2023.csv'}
    """
    stem = f"figures-{iso3.lower()}-{year}"
    return {"hxl": f"{stem}.hxl.csv", "csv": f"{stem}.csv"}


def write_exports(dataset: Dataset | GraphStore, directory: Path) -> list[str]:
    """For the build: every figure (``figures.hxl.csv``, ``figures.csv``) and each report's
    own (``figures-mli-2023.hxl.csv``…), from one SPARQL pass. Returns the names written."""
    rows = figure_rows(dataset)
    by_report: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows:
        by_report.setdefault((row["country_code"], row["year"]), []).append(row)
    written = []
    for fmt, name in EXPORT_FILES.items():
        (directory / name).write_text(render(rows, fmt), encoding="utf-8")
        written.append(name)
    for (iso3, year), report_rows in sorted(by_report.items()):
        for fmt, name in report_export_files(iso3, year).items():
            (directory / name).write_text(render(report_rows, fmt), encoding="utf-8")
            written.append(name)
    return written


def store_from_dist(dist: Path) -> GraphStore:
    """The built graph of a ``dist/`` directory (``graph.trig`` or ``graph.nq``)."""
    return GraphStore.from_dist(dist)
