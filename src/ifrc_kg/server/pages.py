"""HTML pages: the landing page, report pages, resource and graph pages, health.

Every page carries the dataset's metadata (title, licence, source) and links to its
machine-readable twin (``<link rel="alternate">`` and a visible link).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ifrc_kg.export import report_export_files
from ifrc_kg.server import queries, reopen
from ifrc_kg.server.charts import bar_chart
from ifrc_kg.server.describe import RDF_TYPE, Description, curie, labels, quotes
from ifrc_kg.server.problems import HttpProblem
from ifrc_kg.server.site import Site, site_of
from ifrc_kg.server.verify import BuildReplaced, DamagedDist

log = logging.getLogger(__name__)
router = APIRouter(tags=["Pages"])

SCHEMA_REPORT = "http://schema.org/Report"
NATIONAL_SOCIETY = "https://w3id.org/ifrc-kg/def/core#nationalSociety"
SH = "http://www.w3.org/ns/shacl#"
IFRCKG = "https://w3id.org/ifrc-kg/def/core#"
OPERATION = IFRCKG + "Operation"
TEXT_DOCUMENT = "http://schema.org/DigitalDocument"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
DEFAULT_TITLE = "IFRC network annual reports — knowledge graph"


def metadata(site: Site) -> dict[str, str]:
    """Title, licence and source shown on every page (cached per process)."""
    if "metadata" not in site.cache:
        found = {"title": DEFAULT_TITLE}
        try:
            found |= queries.catalog_metadata(site.store, site.base)
        except Exception as error:  # a build without a catalog still serves
            log.info("no catalog metadata: %s", error)
        files = [report.get("file") for report in site.manifest.get("reports", [])]
        named = ", ".join(file for file in files if file)
        found["source"] = f"IFRC network annual reports ({named or 'data/reports/'})"
        site.cache["metadata"] = found
    return site.cache["metadata"]


def render(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    site = site_of(request)
    full = {"site": site, "meta": metadata(site)} | context
    return request.app.state.templates.TemplateResponse(request, template, full, **kwargs)


# --- data-quality findings ---------------------------------------------------------------


@dataclass
class Finding:
    iri: str
    focus: str
    severity: str
    message: str
    report: str | None = None
    figures: list[str] = field(default_factory=list)
    difference: str | None = None
    tolerance: str | None = None


def findings(site: Site) -> list[Finding]:
    """The build's data-quality findings (its ``graph/findings``), read once."""
    if "findings" in site.cache:
        return site.cache["findings"]
    found: dict[str, Finding] = {}
    rows = site.store.select(
        f"""PREFIX ifrckg: <{IFRCKG}>
SELECT ?finding ?focus ?severity ?message ?report ?figure ?difference ?tolerance WHERE {{
  ?finding a ifrckg:Finding ; <{SH}focusNode> ?focus ; <{SH}resultSeverity> ?severity ;
           <{SH}resultMessage> ?message .
  OPTIONAL {{ ?finding ifrckg:report ?report }}
  OPTIONAL {{ ?finding ifrckg:comparesFigure ?figure }}
  OPTIONAL {{ ?finding ifrckg:difference ?difference }}
  OPTIONAL {{ ?finding ifrckg:tolerance ?tolerance }}
}} ORDER BY ?report ?finding ?figure"""
    )
    for row in rows:
        iri = row["finding"].value
        finding = found.setdefault(
            iri,
            Finding(
                iri=iri,
                focus=row["focus"].value,
                severity=row["severity"].value.rsplit("#", 1)[-1],
                message=row["message"].value,
                report=row["report"].value if row.get("report") is not None else None,
                difference=row["difference"].value if row.get("difference") else None,
                tolerance=row["tolerance"].value if row.get("tolerance") else None,
            ),
        )
        figure = row.get("figure")
        if figure is not None and figure.value not in finding.figures:
            finding.figures.append(figure.value)
    site.cache["findings"] = list(found.values())
    return site.cache["findings"]


def report_findings(site: Site, report_iri: str) -> list[Finding]:
    """The findings of one report."""
    return [finding for finding in findings(site) if finding.report == report_iri]


def findings_of(site: Site, iri: str) -> list[Finding]:
    """The findings that involve one figure (or are about one report)."""
    return [f for f in findings(site) if iri in f.figures or iri == f.focus or iri == f.report]


def findings_by_figure(found: list[Finding]) -> dict[str, list[Finding]]:
    """Figure IRI → the findings that compare it (for marks beside table cells)."""
    by_figure: dict[str, list[Finding]] = {}
    for finding in found:
        for figure in finding.figures:
            by_figure.setdefault(figure, []).append(finding)
    return by_figure


# --- routes -------------------------------------------------------------------------------


@router.get("/", summary="Landing page", response_class=Response)
def landing(request: Request) -> Response:
    from ifrc_kg.server.corpus import listed_reports, summary

    site = site_of(request)
    reports = listed_reports(site.manifest)
    files = site.manifest.get("files", [])
    return render(
        request,
        "index.html",
        {
            "reports": reports,
            "corpus": summary(reports),
            "counts": queries.counts(site.store),
            "files": files,
            "manifest": site.manifest,
            "findings": findings(site),
            "twin": ("/.well-known/void", "text/turtle", "dataset description (VoID/DCAT)"),
        },
    )


def health_status(site: Site) -> dict[str, Any]:
    """What ``/health`` says: figures fixed at start and the engine's running-query counter,
    a plain read; nothing here takes a lock, a thread or the store a query may hold."""
    files = site.checks.status() if site.checks is not None else None
    return {
        "status": "damaged" if files and files["damaged"] else "ok",
        "files": files,
        "triples": site.triples,
        "graphs": site.graphs,
        "built": site.manifest.get("built"),
        "version": site.manifest.get("version"),
        "queries_running": site.engine.running,
    }


@router.get("/health", summary="Liveness and what is loaded")
async def health(request: Request) -> JSONResponse:
    """Documents ``/health``; a GET is answered before routing by ``app.HealthFirst``."""
    return JSONResponse(health_status(site_of(request)))


def _object_view(site: Site, term: ox.Term, names: dict[str, str]) -> dict[str, Any]:
    """A term as a page shows it; ``names`` holds the labels of the page's IRIs."""
    if isinstance(term, ox.NamedNode):
        return {
            "kind": "iri",
            "iri": term.value,
            "href": site.href(term.value),
            "text": names.get(term.value) or site.local(term.value) or curie(term.value),
        }
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        shown = None if datatype.endswith(("#string", "#langString")) else curie(datatype)
        return {"kind": "literal", "text": term.value, "lang": term.language, "datatype": shown}
    return {"kind": "other", "text": str(term)}


def _property_rows(
    site: Site, description: Description, subject: str, names: dict[str, str]
) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for triple in description.about(subject):
        predicate = triple.predicate.value
        row = rows.setdefault(
            predicate,
            {
                "iri": predicate,
                "href": site.href(predicate),
                "name": curie(predicate),
                "values": [],
            },
        )
        row["values"].append(_object_view(site, triple.object, names))
    return sorted(rows.values(), key=lambda row: (row["iri"] != RDF_TYPE, row["name"]))


def render_resource(
    request: Request, description: Description, doc_path: str, headers: dict[str, str]
) -> Response:
    """The HTML page of one resource; a report gets its figures, charts and findings too."""
    site = site_of(request)
    iri = description.iri
    # every IRI the page names, labelled in one look-up
    named = [
        iri,
        *(t.object.value for t in description.triples if isinstance(t.object, ox.NamedNode)),
    ]
    named += [t.subject.value for t in description.inbound if isinstance(t.subject, ox.NamedNode)]
    names = labels(site.store, named)
    context: dict[str, Any] = {
        "iri": iri,
        "doc_path": doc_path,
        "label": names.get(iri) or curie(iri),
        "types": [
            {"iri": t, "href": site.href(t), "text": names.get(t) or curie(t)}
            for t in description.types
        ],
        "properties": _property_rows(site, description, iri, names),
        "parts": [
            {
                "iri": part,
                "fragment": part.split("#", 1)[1],
                "properties": _property_rows(site, description, part, names),
            }
            for part in description.parts
        ],
        "inbound": [
            {
                "subject": _object_view(site, triple.subject, names),
                "predicate": curie(triple.predicate.value),
                "predicate_href": site.href(triple.predicate.value),
            }
            for triple in description.inbound
        ],
        "quotes": quotes(site.store, description),
        "findings": findings_of(site, iri),
        "twin": (doc_path + ".ttl", "text/turtle", "Turtle"),
        "formats": [
            ("ttl", "Turtle"),
            ("jsonld", "JSON-LD"),
            ("nt", "N-Triples"),
            ("rdf", "RDF/XML"),
        ],
    }
    template = "resource.html"
    if TEXT_DOCUMENT in description.types:
        context["text_lines"] = source_text_lines(site, description)
    if OPERATION in description.types:
        context["statements"] = queries.operation_statements(site.store, [iri]).get(iri, [])
    if SCHEMA_REPORT in description.types:
        template = "report.html"
        context |= report_context(site, iri, description, names)
    return render(request, template, context, headers=headers)


def source_text_lines(site: Site, description: Description) -> list[str]:
    """The lines of a report text the build published (``reports/<file>``), for the
    source-text page; none when the build has no copy of it."""
    for triple in description.about(description.iri):
        if triple.predicate.value == IDENTIFIER and isinstance(triple.object, ox.Literal):
            name = triple.object.value
            if "/" in name or name.startswith("."):
                continue
            path = verified_dist_file(site, f"reports/{name}")
            if path is not None:
                return path.read_text(encoding="utf-8-sig").splitlines()
    return []


def report_context(
    site: Site, iri: str, description: Description, names: dict[str, str]
) -> dict[str, Any]:
    figures = queries.report_figures(site.store, iri)
    # every bar links to its figure's page
    reached = [
        (figure.concept_label or figure.label, float(figure.value), site.href(figure.observation))
        for figure in figures.get("people-reached")
        if figure.value is not None
    ]
    funding = [
        (figure.label, float(figure.value), site.href(figure.observation))
        for figure in figures.get("funding-sources")
        if figure.value is not None
    ]
    partners = [
        (figure.concept_label or figure.label, float(figure.value), site.href(figure.observation))
        for figure in figures.get("partner-funding")
        if figure.value is not None
    ]
    operations = queries.operations(site.store, iri)
    statements = queries.operation_statements(site.store, [op.iri for op in operations])
    graph = None
    exports: dict[str, str] = {}
    about: dict[str, Any] | None = None
    for report in site.manifest.get("reports", []):
        if report.get("iri") == iri:
            graph = report.get("graph")
            society = next(
                (
                    triple.object.value
                    for triple in description.about(iri)
                    if triple.predicate.value == NATIONAL_SOCIETY
                ),
                None,
            )
            about = {
                "country": report["country"],
                "society": names.get(society, "") if society else "",
                "year": report["year"],
            }
            files = report_export_files(report["iso3"], report["year"])
            exports = {fmt: name for fmt, name in files.items() if (site.dist / name).is_file()}
    if graph is None:
        candidate = iri.replace("/id/report/", "/graph/", 1)
        graph = candidate if site.store.has_graph(candidate) else None
    return {
        "figures": figures,
        "key_figures": figures.get("key-figures"),
        "reached_chart": bar_chart(reached, title="People reached by strategic priority"),
        "funding_chart": bar_chart(funding, title="Funding by source", unit="CHF"),
        "partners_chart": bar_chart(partners, title="Funding reported by partners", unit="CHF"),
        "partner_figures": figures.get("partner-funding"),
        "operations": operations,
        "matrix": queries.partner_matrix(site.store, iri),
        "statements": {
            op.iri: statement
            for op in operations
            for statement in statements.get(op.iri, [])
            if statement.report == iri
        },
        "findings": report_findings(site, iri),
        "findings_by_figure": findings_by_figure(report_findings(site, iri)),
        "graph": graph,
        "graph_href": site.local(graph) if graph else None,
        "exports": exports,
        "about": about,
    }


def render_graph(request: Request, iri: str, path: str, headers: dict[str, str]) -> Response:
    site = site_of(request)
    statements = site.store.statements_by_subject(iri)
    triples = sum(statements.values())
    subjects = sorted(subject for subject in statements if "#" not in subject)
    listed = subjects[:500]
    names = labels(site.store, listed)
    return render(
        request,
        "graph.html",
        {
            "iri": iri,
            "triples": triples,
            "subjects": [
                {"iri": s, "href": site.href(s), "text": names.get(s) or curie(s)} for s in listed
            ],
            "more": max(0, len(subjects) - len(listed)),
            "path": path,
            "twin": (path + ".trig", "application/trig", "TriG"),
        },
        headers=headers,
    )


def dist_file(site: Site, relative: str) -> Path | None:
    """A file of the build by its manifest path, refusing anything outside ``dist``."""
    root = site.dist.resolve()
    candidate = (root / relative).resolve()
    if root not in candidate.parents or not candidate.is_file():
        return None
    return candidate


def verified_dist_file(site: Site, relative: str) -> Path | None:
    """``dist_file``, hashed against ``SHA256SUMS`` first unless verified since it last
    changed (``server/verify.py``): a file that no longer matches is a 503 problem."""
    found = dist_file(site, relative)
    if found is None or site.checks is None:
        return found
    try:
        site.checks.check(found.relative_to(site.dist.resolve()).as_posix())
    except DamagedDist as error:
        raise HttpProblem(503, "damaged-file", f"{relative}: {error}") from None
    except BuildReplaced as error:
        retry = {"Retry-After": str(int(reopen.POLL_S) + 1)}
        raise HttpProblem(503, "build-replaced", str(error), headers=retry) from None
    return found
