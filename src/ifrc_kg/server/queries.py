"""The site's own SPARQL: what the landing page and report pages show.

Oxigraph evaluates triple patterns in the order written, so every query starts from its
most selective pattern (a bound report or data set IRI) and only then widens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ifrc_kg.remote_store import RemoteStore
from ifrc_kg.store import GraphStore

PREFIXES = """\
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
"""


def _iri(value: str) -> str:
    """An IRI as a SPARQL term; refuses characters IRIREF does not allow (§19.5)."""
    if any(char in value for char in '<>"{}|^`\\ \n'):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def _text(term: ox.Term | None) -> str | None:
    return term.value if term is not None else None


def _number(term: ox.Term | None) -> Decimal | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


@dataclass
class ReportSummary:
    iri: str
    title: str
    year: str | None
    country: str | None
    graph: str | None = None
    figures: int = 0


def reports(store: GraphStore) -> list[ReportSummary]:
    """Every report, newest first: the report type is the selective pattern here."""
    rows = store.select(
        PREFIXES
        + """SELECT ?report ?title ?year ?countryLabel WHERE {
  ?report a schema:Report .
  OPTIONAL { ?report dcterms:title ?title }
  OPTIONAL { ?report ifrckg:year ?year }
  OPTIONAL { ?report ifrckg:country ?country . ?country rdfs:label ?countryLabel }
} ORDER BY DESC(?year) ?title"""
    )
    found: dict[str, ReportSummary] = {}
    for row in rows:
        iri = row["report"].value
        if iri in found:
            continue
        found[iri] = ReportSummary(
            iri=iri,
            title=_text(row.get("title")) or iri,
            year=_text(row.get("year")),
            country=_text(row.get("countryLabel")),
        )
    return list(found.values())


@dataclass
class Figure:
    observation: str
    dataset: str
    label: str
    printed: str | None
    value: Decimal | None
    text: str | None = None
    concept: str | None = None
    concept_label: str | None = None
    unit: str | None = None
    area_label: str = ""  # the priority or function an indicator belongs to ("" if none)


@dataclass
class ReportFigures:
    """A report's figures by data set key (the last segment of the data set IRI)."""

    by_dataset: dict[str, list[Figure]] = field(default_factory=dict)
    dataset_labels: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> list[Figure]:
        return self.by_dataset.get(key, [])


# the measure of each structure (see graph/vocabulary.py STRUCTURES)
MEASURES = (
    "ifrckg:number",
    "ifrckg:peopleReached",
    "ifrckg:indicatorValue",
    "ifrckg:amount",
    "ifrckg:answer",
    "ifrckg:bilateralSupport",
    "ifrckg:multilateralSupport",
)
DIMENSIONS = (
    "ifrckg:keyFigure",
    "ifrckg:reachCategory",
    "ifrckg:indicator",
    "ifrckg:funderGroup",
    "ifrckg:partner",
)


def report_figures(store: GraphStore, report: str) -> ReportFigures:
    """Every observation of a report's data sets, with its concept, label and value."""
    measures = " ".join(MEASURES)
    dimensions = " ".join(DIMENSIONS)
    rows = store.select(
        PREFIXES
        + f"""SELECT ?ds ?dsLabel ?obs ?printedLabel ?printed ?value ?concept ?conceptLabel ?unit
       ?areaLabel
WHERE {{
  {_iri(report)} ifrckg:dataset ?ds .
  ?obs qb:dataSet ?ds .
  OPTIONAL {{ ?ds rdfs:label ?dsLabel }}
  OPTIONAL {{ ?obs ifrckg:printedLabel ?printedLabel }}
  OPTIONAL {{ ?obs ifrckg:printedValue ?printed }}
  OPTIONAL {{ VALUES ?measure {{ {measures} }} ?obs ?measure ?value }}
  OPTIONAL {{ VALUES ?dimension {{ {dimensions} }} ?obs ?dimension ?concept .
             OPTIONAL {{ ?concept skos:prefLabel|rdfs:label ?conceptLabel
                         FILTER(LANGMATCHES(LANG(?conceptLabel), "en")) }}
             OPTIONAL {{ ?concept skos:broader ?area . ?area skos:prefLabel ?areaLabel
                         FILTER(LANGMATCHES(LANG(?areaLabel), "en")) }} }}
  OPTIONAL {{ ?obs sdmx-attribute:unitMeasure ?unit }}
}} ORDER BY ?ds ?obs"""
    )
    figures = ReportFigures()
    seen: set[str] = set()
    for row in rows:
        obs = row["obs"].value
        if obs in seen:
            continue
        seen.add(obs)
        dataset = row["ds"].value
        key = dataset.rstrip("/").rsplit("/", 1)[-1]
        figures.dataset_labels.setdefault(key, _text(row.get("dsLabel")) or key)
        concept_label = _text(row.get("conceptLabel"))
        figures.by_dataset.setdefault(key, []).append(
            Figure(
                observation=obs,
                dataset=dataset,
                label=_text(row.get("printedLabel")) or concept_label or obs.rsplit("/", 1)[-1],
                printed=_text(row.get("printed")),
                value=_number(row.get("value")),
                text=_text(row.get("value")),
                concept=_text(row.get("concept")),
                concept_label=concept_label,
                unit=_text(row.get("unit")),
                area_label=_text(row.get("areaLabel")) or "",
            )
        )
    return figures


@dataclass
class Operation:
    iri: str
    label: str
    code: str | None
    kinds: list[str] = field(default_factory=list)


def operations(store: GraphStore, report: str) -> list[Operation]:
    rows = store.select(
        PREFIXES
        + f"""SELECT ?op ?label ?code ?kindLabel WHERE {{
  {_iri(report)} ifrckg:operation ?op .
  OPTIONAL {{ ?op rdfs:label ?label }}
  OPTIONAL {{ ?op skos:notation ?code }}
  OPTIONAL {{ ?op a ?kind . ?kind rdfs:label ?kindLabel }}
}} ORDER BY ?code"""
    )
    found: dict[str, Operation] = {}
    for row in rows:
        iri = row["op"].value
        item = found.setdefault(
            iri,
            Operation(iri, _text(row.get("label")) or iri, _text(row.get("code"))),
        )
        kind = _text(row.get("kindLabel"))
        if kind and kind not in item.kinds:
            item.kinds.append(kind)
    return list(found.values())


def counts(store: GraphStore) -> dict[str, int]:
    """Headline counts for the landing page (one pass per class, class pattern first)."""
    rows = store.select(
        PREFIXES
        + """SELECT ?kind (COUNT(DISTINCT ?thing) AS ?n) WHERE {
  VALUES (?class ?kind) {
    (schema:Report "reports") (qb:Observation "figures") (ifrckg:Operation "operations")
    (skos:Concept "concepts")
  }
  ?thing a ?class .
} GROUP BY ?kind"""
    )
    found = {row["kind"].value: int(row["n"].value) for row in rows if "n" in row}
    found["triples"] = len(store)
    found["graphs"] = len(store.named_graphs())
    return found


def catalog_metadata(store: GraphStore, base: str) -> dict[str, str]:
    """Title, licence (or rights statement), publisher and sources of the dataset, from its
    DCAT/VoID description (the build's ``void.ttl``)."""
    rows = store.select(
        PREFIXES
        + f"""SELECT ?title ?license ?rights ?publisher WHERE {{
  {_iri(base + "id/dataset")} dcterms:title ?title .
  OPTIONAL {{ {_iri(base + "id/dataset")} dcterms:license ?license }}
  OPTIONAL {{ {_iri(base + "id/dataset")} dcterms:rights/rdfs:label ?rights }}
  OPTIONAL {{ {_iri(base + "id/dataset")} dcterms:publisher/(rdfs:label|schema:name) ?publisher }}
}} LIMIT 1"""
    )
    if not rows:
        return {}
    return {name: term.value for name, term in rows[0].items()}


@dataclass
class StatementPart:
    iri: str
    label: str


@dataclass
class OperationStatement:
    """What one report says about an operation (graph.operations)."""

    iri: str
    report: str
    report_title: str
    year: str | None
    start: str | None
    end: str | None
    duration: str | None
    parts: list[StatementPart] = field(default_factory=list)


def operation_statements(
    store: GraphStore | RemoteStore, operations: Sequence[str]
) -> dict[str, list[OperationStatement]]:
    """The statements of every report about each operation, oldest report first: one query
    for all the operations a page shows."""
    if not operations:
        return {}
    values = " ".join(_iri(operation) for operation in dict.fromkeys(operations))
    rows = store.select(
        PREFIXES
        + f"""SELECT ?op ?s ?report ?title ?year ?start ?end ?duration ?part ?partLabel WHERE {{
  VALUES ?op {{ {values} }}
  ?op ifrckg:statement ?s .
  ?s ifrckg:report ?report .
  OPTIONAL {{ ?s ifrckg:year ?year }}
  OPTIONAL {{ ?report dcterms:title ?title }}
  OPTIONAL {{ ?s schema:startDate ?start }}
  OPTIONAL {{ ?s schema:endDate ?end }}
  OPTIONAL {{ ?s ifrckg:durationText ?duration }}
  OPTIONAL {{ ?s ifrckg:peopleAffected|ifrckg:peopleTargeted|ifrckg:funding ?part .
             ?part rdfs:label ?partLabel }}
}} ORDER BY ?op ?year ?s ?part"""
    )
    found: dict[str, dict[str, OperationStatement]] = {}
    for row in rows:
        iri = row["s"].value
        statement = found.setdefault(row["op"].value, {}).setdefault(
            iri,
            OperationStatement(
                iri=iri,
                report=row["report"].value,
                report_title=_text(row.get("title")) or row["report"].value,
                year=_text(row.get("year")),
                start=_text(row.get("start")),
                end=_text(row.get("end")),
                duration=_text(row.get("duration")),
            ),
        )
        part = _text(row.get("part"))
        if part and all(p.iri != part for p in statement.parts):
            statement.parts.append(StatementPart(part, _text(row.get("partLabel")) or part))
    return {operation: list(statements.values()) for operation, statements in found.items()}


@dataclass
class MatrixRow:
    """One partner of the matrix: cells by area IRI, each (observation IRI, supported)."""

    iri: str
    label: str
    printed: str | None = None
    cells: dict[str, tuple[str, bool]] = field(default_factory=dict)
    multilateral: tuple[str, bool] | None = None
    funding: tuple[str, str] | None = None


@dataclass
class PartnerMatrix:
    """The report's supported-activities matrix: partners as rows, support areas as columns,
    plus the multilateral mark and the funding each partner reported."""

    areas: list[tuple[str, str]] = field(default_factory=list)  # (concept IRI, label)
    rows: list[MatrixRow] = field(default_factory=list)


def partner_matrix(store: GraphStore, report: str) -> PartnerMatrix:
    rows = store.select(
        PREFIXES
        + f"""SELECT ?obs ?key ?partner ?partnerLabel ?printedLabel ?area ?areaLabel ?mark ?printed
WHERE {{
  {_iri(report)} ifrckg:dataset ?ds .
  ?ds dcterms:identifier ?key .
  FILTER (?key IN ("partner-support", "partner-multilateral", "partner-funding"))
  ?obs qb:dataSet ?ds ; ifrckg:partner ?partner .
  OPTIONAL {{ ?obs ifrckg:supportArea ?area .
             OPTIONAL {{ ?area skos:prefLabel ?areaLabel FILTER (LANG(?areaLabel) = "en") }} }}
  OPTIONAL {{ ?obs ifrckg:bilateralSupport|ifrckg:multilateralSupport ?mark }}
  OPTIONAL {{ ?obs ifrckg:printedValue ?printed }}
  OPTIONAL {{ ?obs ifrckg:nameAsPrinted ?printedLabel }}
  OPTIONAL {{ ?partner rdfs:label ?partnerLabel FILTER (LANG(?partnerLabel) = "en") }}
}} ORDER BY ?obs"""
    )
    areas: dict[str, str] = {}
    by_partner: dict[str, MatrixRow] = {}
    for row in rows:
        partner = row["partner"].value
        entry = by_partner.setdefault(
            partner, MatrixRow(partner, _text(row.get("partnerLabel")) or partner)
        )
        entry.printed = entry.printed or _text(row.get("printedLabel"))
        key, obs, mark = row["key"].value, row["obs"].value, _text(row.get("mark"))
        if key == "partner-support" and row.get("area") is not None:
            area = row["area"].value
            areas.setdefault(area, _text(row.get("areaLabel")) or area.rsplit("/", 1)[-1])
            entry.cells[area] = (obs, mark == "true")
        elif key == "partner-multilateral":
            entry.multilateral = (obs, mark == "true")
        elif key == "partner-funding":
            entry.funding = (obs, _text(row.get("printed")) or "")
    ordered = sorted(by_partner.values(), key=lambda e: (e.printed or e.label).casefold())
    return PartnerMatrix(areas=list(areas.items()), rows=ordered)
