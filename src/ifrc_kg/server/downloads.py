"""The build's files: ``/dumps/`` (listing and files) and ``/.well-known/void``."""

from __future__ import annotations

import mimetypes

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from ifrc_kg.server import negotiation as neg
from ifrc_kg.server.linked_data import not_found_in_format
from ifrc_kg.server.pages import render, verified_dist_file
from ifrc_kg.server.problems import HttpProblem
from ifrc_kg.server.results import to_rdf
from ifrc_kg.server.site import Site, site_of

router = APIRouter(tags=["Downloads"])
MAX_NAME_CHARS = 1024

MEDIA_TYPES = {
    ".trig": "application/trig",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".gz": "application/gzip",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
}


def _listing(site: Site) -> list[dict]:
    """The manifest's file list, or the directory's files when there is no manifest."""
    files = site.manifest.get("files")
    if files:
        return files
    return [
        {"path": str(path.relative_to(site.dist)), "bytes": path.stat().st_size}
        for path in sorted(site.dist.rglob("*"))
        if path.is_file()
    ]


@router.get("/dumps", summary="The build's files with size and checksum")
@router.get("/dumps/", include_in_schema=False)
def dumps(request: Request) -> Response:
    site = site_of(request)
    fmt = neg.choose(
        request.headers.get("accept"),
        request.query_params.getlist("format"),
        (neg.HTML, neg.Format("json", "application/json")),
    )
    files = _listing(site)
    vary = {"Vary": "Accept"}
    if fmt.key == "json":
        return JSONResponse({"built": site.manifest.get("built"), "files": files}, headers=vary)
    twin = ("/dumps/manifest.json", "application/json", "manifest.json")
    return render(request, "dumps.html", {"files": files, "twin": twin}, headers=vary)


@router.get("/dumps/{path:path}", summary="One file of the build")
def dump_file(path: str, request: Request) -> Response:
    site = site_of(request)
    if len(path) > MAX_NAME_CHARS or any(ord(char) < 0x20 for char in path):
        shown = path[:80].encode("unicode_escape").decode("ascii")
        raise HttpProblem(400, "bad-file-name", f"/dumps/{shown}: not a file name of the build")
    try:
        found = verified_dist_file(site, path)
    except (OSError, ValueError):  # a name the file system refuses
        found = None
    if found is None:
        return not_found_in_format(request, neg.HTML, f"/dumps/{path}")
    declared = {item.get("path"): item.get("media_type") for item in _listing(site)}
    media = declared.get(path) or MEDIA_TYPES.get(found.suffix)
    media = media or mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    headers = {}
    if found.suffix == ".gz":  # a compressed dump is the file itself, not an encoding of it
        media = "application/gzip"
    return FileResponse(found, media_type=media, headers=headers)


@router.get("/.well-known/void", summary="The dataset description (VoID and DCAT)")
def void(request: Request) -> Response:
    site = site_of(request)
    source = site.dist / "void.ttl"
    offered = (neg.TURTLE, neg.JSON_LD, neg.N_TRIPLES, neg.RDF_XML)
    fmt = neg.choose(request.headers.get("accept"), request.query_params.getlist("format"), offered)
    if not source.is_file():
        return not_found_in_format(request, fmt, "the dataset description (void.ttl)")
    headers = {"Vary": "Accept"}
    if fmt.key == "turtle":
        return Response(source.read_bytes(), media_type=fmt.media_type, headers=headers)
    triples = [quad.triple for quad in ox.parse(path=str(source), format=ox.RdfFormat.TURTLE)]
    return Response(to_rdf(triples, fmt), media_type=fmt.media_type, headers=headers)
