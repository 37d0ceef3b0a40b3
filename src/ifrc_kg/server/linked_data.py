"""Cool URIs: ``/id/…`` answers 303 to ``/doc/…``, which negotiates HTML and RDF syntaxes.

``<base>id/x`` is served at ``/id/x`` on whatever host runs the server; ``/doc/x`` describes
``<base>id/x`` and ``/doc/def/x`` describes the vocabulary term ``<base>def/x``. A suffix
(``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.html``) picks the format without Accept.
``/graph/…`` describes (HTML) or dumps (RDF) one named graph; ``/ontology`` is the pyLODE
documentation of ``ontology/core.ttl`` or, by negotiation, its Turtle.
"""

from __future__ import annotations

import html
import json
import logging
import re
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ifrc_kg.config import artefact_dir
from ifrc_kg.server import negotiation as neg
from ifrc_kg.server.describe import describe
from ifrc_kg.server.problems import HttpProblem
from ifrc_kg.server.results import to_rdf
from ifrc_kg.server.site import Site, site_of

log = logging.getLogger(__name__)
router = APIRouter(tags=["Linked data"])


def split_suffix(path: str) -> tuple[str, neg.Format | None]:
    """A path and the format its suffix names, if any.

    >>> split_suffix("report/mli/2023.ttl")[0]
    'report/mli/2023'
    >>> split_suffix("report/mli/2023")[1] is None
    True
    """
    stem, dot, suffix = path.rpartition(".")
    if dot and "/" not in suffix and suffix in neg.SUFFIXES:
        return stem, neg.SUFFIXES[suffix]
    return path, None


def _resource_iri(site: Site, doc_path: str) -> str:
    """``/doc/x`` describes ``<base>id/x``; ``/doc/def/x`` describes ``<base>def/x``."""
    if doc_path.startswith("def/"):
        return site.base + doc_path
    return site.base + "id/" + doc_path


MAX_PATH_CHARS = 2048


def check_path(site: Site, prefix: str, path: str) -> None:
    """Refuse (400) a path that cannot name an IRI: characters RFC 3987 does not allow
    (spaces, ``<>"{}|\\^``, controls, NUL) or an absurd length. Without this, the store's
    IRI check failed deep inside a handler as a 500."""
    if len(path) > MAX_PATH_CHARS:
        raise HttpProblem(400, "bad-iri", f"/{prefix}/… is longer than {MAX_PATH_CHARS} characters")
    try:
        ox.NamedNode(site.base + prefix + "/" + path)
    except ValueError:
        shown = path[:80].encode("unicode_escape").decode("ascii")
        raise HttpProblem(
            400, "bad-iri", f"/{prefix}/{shown} is not a valid IRI path (RFC 3987)"
        ) from None


def _known(site: Site, path: str) -> tuple[str, neg.Format | None, str] | None:
    """Resolve a path that may carry a suffix to (path, suffix format, IRI) if it exists.

    The whole path is tried first, so an IRI that really ends in ``.rdf`` still resolves.
    """
    stem, suffix_format = split_suffix(path)
    candidates = [(path, None)] + ([(stem, suffix_format)] if stem != path else [])
    for candidate, fmt in candidates:
        iri = _resource_iri(site, candidate)
        if site.store.is_mentioned(iri):
            return candidate, fmt, iri
    return None


def not_found_in_format(request: Request, fmt: neg.Format, what: str) -> Response:
    """404 in the syntax the client asked for: an HTML page, an RDF comment, a JSON body."""
    message = f"nothing is known about {what}"
    if fmt.key == "html":
        return request.app.state.templates.TemplateResponse(
            request,
            "error.html",
            {"status": 404, "title": "Not Found", "detail": message, "code": "not-found"},
            status_code=404,
        )
    if fmt.key in ("turtle", "ntriples", "trig"):
        body = f"# 404 Not Found: {message}\n"
    elif fmt.key == "jsonld":
        body = json.dumps({"status": 404, "title": "Not Found", "detail": message})
    else:
        body = (
            '<?xml version="1.0"?>\n<!-- 404 Not Found: '
            + html.escape(message)
            + ' -->\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        )
    return Response(body, 404, media_type=fmt.media_type, headers={"Vary": "Accept"})


def _format(request: Request, suffix_format: neg.Format | None) -> neg.Format:
    if suffix_format is not None:
        return suffix_format
    return neg.choose(
        request.headers.get("accept"), request.query_params.getlist("format"), neg.DOCUMENT_FORMATS
    )


@router.get("/id/{path:path}", summary="A thing: 303 See Other to its description")
def thing(path: str, request: Request) -> Response:
    site = site_of(request)
    check_path(site, "id", path)
    known = _known(site, path)
    if known is None:
        return not_found_in_format(
            request, _format(request, split_suffix(path)[1]), site.iri("id/" + path)
        )
    return RedirectResponse(f"/doc/{path}", status_code=303, headers={"Vary": "Accept"})


@router.get("/def/{path:path}", summary="A vocabulary term: 303 See Other to its description")
def term(path: str, request: Request) -> Response:
    site = site_of(request)
    check_path(site, "def", path)
    stem, _ = split_suffix(path)
    if stem == "core":  # the ontology document itself (its terms are hash IRIs on it)
        return RedirectResponse("/ontology", status_code=303, headers={"Vary": "Accept"})
    if _known(site, "def/" + path) is None:
        return not_found_in_format(
            request, _format(request, split_suffix(path)[1]), site.iri("def/" + path)
        )
    return RedirectResponse(f"/doc/def/{path}", status_code=303, headers={"Vary": "Accept"})


@router.get("/doc/{path:path}", summary="The description of a thing, by content negotiation")
def document(path: str, request: Request) -> Response:
    site = site_of(request)
    check_path(site, "doc", path)
    known = _known(site, path)
    if known is None:
        stem, suffix_format = split_suffix(path)
        return not_found_in_format(
            request, _format(request, suffix_format), _resource_iri(site, stem)
        )
    stem, suffix_format, iri = known
    fmt = _format(request, suffix_format)
    description = describe(site.store, iri)
    headers = {"Vary": "Accept", "Link": f'<{site.local(iri) or iri}>; rel="describes"'}
    if fmt.key != "html":
        body = to_rdf(description.triples, fmt)
        return Response(body, media_type=fmt.media_type, headers=headers)
    from ifrc_kg.server.pages import render_resource

    return render_resource(request, description, f"/doc/{stem}", headers)


@router.get("/graph/{path:path}", summary="A named graph: a summary page, or its triples")
def named_graph(path: str, request: Request) -> Response:
    site = site_of(request)
    check_path(site, "graph", path)
    stem, suffix_format = split_suffix(path)
    iri = site.iri("graph/" + stem)
    offered = (neg.HTML, neg.TRIG, neg.TURTLE, neg.N_TRIPLES, neg.JSON_LD, neg.RDF_XML, neg.N_QUADS)
    fmt = suffix_format or neg.choose(
        request.headers.get("accept"), request.query_params.getlist("format"), offered
    )
    if not site.store.has_graph(iri):
        return not_found_in_format(request, fmt if fmt in neg.DOCUMENT_FORMATS else neg.TURTLE, iri)
    headers = {"Vary": "Accept"}
    if fmt.key == "html":
        from ifrc_kg.server.pages import render_graph

        return render_graph(request, iri, f"/graph/{stem}", headers)
    triples = list(site.store.graph_triples(iri))
    if fmt.key in ("trig", "nquads"):
        node = ox.NamedNode(iri)
        quads = [ox.Quad(t.subject, t.predicate, t.object, node) for t in triples]
        return Response(to_rdf(quads, fmt), media_type=fmt.media_type, headers=headers)
    return Response(to_rdf(triples, fmt), media_type=fmt.media_type, headers=headers)


# --- the ontology -----------------------------------------------------------------------


def ontology_file(site: Site) -> Path:
    """The build's copy of ``ontology/core.ttl``, else the shipped one."""
    built = site.dist / "ontology" / "core.ttl"
    return built if built.is_file() else artefact_dir("ontology") / "core.ttl"


def anchor_local_names(document: str, source: Path) -> str:
    """pyLODE names a term's anchor after its label ("Annual report" -> ``#Annualreport``);
    a reader follows ``ifrckg:AnnualReport`` to ``#AnnualReport``. So each term's anchor and
    the links to it become its local name, where the label's anchor is the term's alone.

    >>> import tempfile
    >>> ttl = (
    ...     "@prefix owl: <http://www.w3.org/2002/07/owl#> . "
    ...     "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
    ...     '<http://x.org/def#AnnualReport> a owl:Class ; rdfs:label "Annual report"@en .'
    ... )
    >>> with tempfile.NamedTemporaryFile("w", suffix=".ttl", delete=False) as f:
    ...     _ = f.write(ttl)
    >>> anchor_local_names('<h3 id="Annualreport"></h3><a href="#Annualreport">', Path(f.name))
    '<h3 id="AnnualReport"></h3><a href="#AnnualReport">'
    >>> Path(f.name).unlink()
    """
    store = ox.Store()
    try:
        store.load(path=str(source), format=ox.RdfFormat.TURTLE)
    except (SyntaxError, OSError) as error:
        log.warning("%s: %s", source, error)
        return document
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    by_anchor: dict[str, set[str]] = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(label), None):
        term = quad.subject
        if not isinstance(term, ox.NamedNode) or not isinstance(quad.object, ox.Literal):
            continue
        local = re.split(r"[#/]", term.value)[-1]
        if local:
            by_anchor.setdefault("".join(quad.object.value.split()), set()).add(local)
    for anchor, locals_ in sorted(by_anchor.items()):
        if len(locals_) != 1:
            continue  # two terms share the label: leave pyLODE's anchor
        (local,) = locals_
        if anchor == local or f'id="{local}"' in document:
            continue
        document = document.replace(f'id="{anchor}"', f'id="{local}"')
        document = document.replace(f'href="#{anchor}"', f'href="#{local}"')
    return document


def ontology_html(site: Site) -> str:
    """pyLODE's OntPub documentation, generated once per process."""
    if "ontology_html" not in site.cache:
        import pylode

        source = ontology_file(site)
        try:
            document = pylode.OntPub(ontology=str(source)).make_html()
        except Exception as error:  # pyLODE raises bare exceptions on odd ontologies
            log.warning("pyLODE could not document %s: %s", source, error)
            document = (
                "<!doctype html><title>Ontology</title><h1>Ontology</h1>"
                f"<p>pyLODE could not render {html.escape(source.name)}: "
                f"{html.escape(str(error))}. The Turtle is at "
                '<a href="/ontology.ttl">/ontology.ttl</a>.</p>'
            )
        document = anchor_local_names(document, source)
        twin = '<link rel="alternate" type="text/turtle" href="/ontology.ttl">'
        document = document.replace("</head>", twin + "</head>", 1)
        from ifrc_kg.server.pages import metadata

        meta = metadata(site)
        licence = meta.get("license") or meta.get("rights") or "see /.well-known/void"
        footer = (
            '<footer style="margin:2rem;color:#555"><p><a href="/">'
            f"{html.escape(meta['title'])}</a>. Source: {html.escape(meta['source'])}. "
            f"Licence: {html.escape(licence)}"
            '</p><p>Machine-readable: <a href="/ontology.ttl">Turtle</a></p></footer>'
        )
        document = document.replace("</body>", footer + "</body>", 1)
        site.cache["ontology_html"] = document
    return site.cache["ontology_html"]


@router.get("/ontology", summary="The ontology: pyLODE HTML or Turtle by negotiation")
@router.get("/ontology.{suffix}", include_in_schema=False)
def ontology(request: Request, suffix: str | None = None) -> Response:
    site = site_of(request)
    offered = (neg.HTML, neg.TURTLE, neg.JSON_LD, neg.N_TRIPLES, neg.RDF_XML)
    if suffix is not None:
        if suffix not in neg.SUFFIXES or neg.SUFFIXES[suffix] not in offered:
            return not_found_in_format(request, neg.HTML, f"/ontology.{suffix}")
        fmt = neg.SUFFIXES[suffix]
    else:
        fmt = neg.choose(
            request.headers.get("accept"), request.query_params.getlist("format"), offered
        )
    headers = {"Vary": "Accept"}
    source = ontology_file(site)
    if fmt.key == "html":
        return HTMLResponse(ontology_html(site), headers=headers)
    if fmt.key == "turtle":
        return Response(source.read_bytes(), media_type=fmt.media_type, headers=headers)
    triples = [quad.triple for quad in ox.parse(path=str(source), format=ox.RdfFormat.TURTLE)]
    return Response(to_rdf(triples, fmt), media_type=fmt.media_type, headers=headers)
