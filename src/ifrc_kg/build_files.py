"""The files of a build besides the dumps: the figure exports (CSV, HXL), the links to
reference identifiers, the search index and ``manifest.json``, each from the reports' pieces.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rdflib import Graph

from ifrc_kg.assemble import Counts, Shared, link_or_copy, write_cache_directory
from ifrc_kg.graph.catalog import FileEntry, ReportEntry
from ifrc_kg.outdir import write_file
from ifrc_kg.pipeline import Piece
from ifrc_kg.uris import Iris
from ifrc_kg.validate import ValidationReport


def write_exports(root: Path, pieces: Sequence[Piece], cache_root: Path) -> None:
    """Every figure (``figures.hxl.csv``, ``figures.csv``) and each report's own.

    A report's files are rendered once per piece (cached by its key, which covers the code)
    and hard-linked into the build; the whole is the header and each report's rows, in the
    build's order: the bytes of one ``render`` of every row, without rendering them again.
    """
    from ifrc_kg.export import EXPORT_FILES, render, report_export_files

    headers = {fmt: render([], fmt).encode("utf-8") for fmt in EXPORT_FILES}
    bodies: dict[str, list[Path]] = {fmt: [] for fmt in EXPORT_FILES}
    for piece in pieces:
        assert piece.entry is not None
        directory = cache_root / "exports" / piece.key[:2] / piece.key
        if not (directory / "done").is_file():
            rows = json.loads(piece.file_of("figures.json").read_text(encoding="utf-8"))
            files = {fmt: render(rows, fmt).encode("utf-8") for fmt in EXPORT_FILES}
            write_cache_directory(directory, files)
        for fmt, name in report_export_files(piece.entry.iso3, piece.entry.key).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(directory / fmt, root / name)
            bodies[fmt].append(directory / fmt)
    for fmt, name in EXPORT_FILES.items():
        with (root / name).open("wb") as whole:
            whole.write(headers[fmt])
            for path in bodies[fmt]:
                whole.write(path.read_bytes()[len(headers[fmt]) :])


def write_links(root: Path, pieces: Sequence[Piece], counts: Counts, iris: Iris) -> Graph:
    """``links.nt`` and ``links-report.txt``; returns the VoID linksets."""
    from ifrc_kg.graph.links import (
        LINKS_FILE,
        LINKS_REPORT_FILE,
        LinksReport,
        _link_counts,
        linksets,
        write_links_nt,
    )

    links = counts.link_dataset()
    write_links_nt(links, root / LINKS_FILE, iris)
    outcome = LinksReport(
        resolved=[r for piece in pieces for r in piece.resolved],
        unresolved=[u for piece in pieces for u in piece.unresolved],
        link_counts=_link_counts(links, iris),
    )
    write_file(root, LINKS_REPORT_FILE, outcome.as_text().encode("utf-8"))
    return linksets(links, iris)


def write_search(root: Path, shared: Shared, pieces: Sequence[Piece]) -> None:
    """``search.sqlite``: the FTS5 index of the site's search box, and every figure."""
    from ifrc_kg.search import SEARCH_FILE, shared_rows, write_figures, write_index

    reference = Graph().parse(shared.file("reference.nt"), format="nt")
    vocabulary = Graph().parse(shared.file("vocabulary.nt"), format="nt")
    groups = [shared_rows(reference, vocabulary)]
    groups += (json.loads(p.file_of("search.json").read_text(encoding="utf-8")) for p in pieces)
    write_index(root / SEARCH_FILE, groups)
    figures = (json.loads(p.file_of("figures.json").read_text(encoding="utf-8")) for p in pieces)
    write_figures(root / SEARCH_FILE, figures)


def manifest_of(
    base: str,
    built: datetime,
    triples: int,
    entries: Sequence[ReportEntry],
    files: Sequence[FileEntry],
    report: ValidationReport,
    failures: Sequence[Piece] = (),
    version: str = "",
    quads: int = 0,
) -> dict[str, Any]:
    """``manifest.json``: what the build holds, every file with its checksum, the failures."""
    return {
        "built": built.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "base": base,
        "version": version,
        "triples": triples,
        "quads": quads,
        "reports": [
            {
                "iri": e.iri,
                "graph": e.graph,
                "country": e.country,
                "iso3": e.iso3,
                "year": e.year,
                "kind": e.kind,
                "title": e.title,
                "file": e.file,
                "lines": e.lines,
                "lines_read": e.lines_read,
                "period_start": e.period_start.isoformat(),
                "period_end": e.period_end.isoformat(),
            }
            for e in entries
        ],
        "files": [
            {"path": f.path, "bytes": f.bytes, "sha256": f.sha256, "media_type": f.media_type}
            for f in files
        ],
        "warnings": len(report.warnings),
        "violations": len(report.violations),
        "failures": [{"file": piece.file, "error": piece.error} for piece in failures],
    }
