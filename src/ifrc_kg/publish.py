"""The build: reports → graph → validation → dumps, written atomically into ``dist/``.

Nothing is written unless every report parses and the graph has no SHACL violation
and no Data Cube integrity violation (warnings are published, never blocking). The
files are written into a temporary directory next to the output directory, then swapped
into place with two renames, so a failed build leaves the previous output untouched and
a reader never sees a half-written directory.

Deterministic: the same reports give byte-identical files. Dumps are sorted
(``ifrc_kg.dumps``), gzip headers carry no time stamp, and the build time written into
``void.ttl``, ``manifest.json`` and the validation report is ``SOURCE_DATE_EPOCH``
(reproducible-builds.org) when set, else the newest report file's modification time —
never the wall clock.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, QB, RDF

from ifrc_kg.config import DEFAULT_BASE, artefact_dir
from ifrc_kg.datacube import union_graph
from ifrc_kg.errors import BuildError, ValidationFailed
from ifrc_kg.export import write_exports
from ifrc_kg.graph.catalog import FileEntry, ReportEntry, describe_catalog
from ifrc_kg.graph.links import publish_links
from ifrc_kg.model import Report
from ifrc_kg.uris import Iris, report_key
from ifrc_kg.validate import (
    ValidationIssue,
    ValidationReport,
    check_shapes,
    shapes_graph,
    skolemised_report,
    validate,
)

log = logging.getLogger(__name__)

MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".gz": "application/gzip",
    ".html": "text/html",
    ".txt": "text/plain",
    ".json": "application/json",
    ".csv": "text/csv",
    ".rdf": "application/rdf+xml",
}
DUMPS = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "graph.nq")


class BuildValidationFailed(ValidationFailed):
    """The graph did not validate; carries the report so the CLI can print a summary."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(f"the graph does not validate, nothing was published: {report.headline()}")


@dataclass(frozen=True)
class BuildResult:
    out: Path
    manifest: dict[str, Any]
    report: ValidationReport


def media_type(path: str) -> str:
    """The IANA media type of a published file, by extension.

    >>> media_type("graph.nt.gz")
    'application/gzip'
    >>> media_type("SHA256SUMS")
    'text/plain'
    """
    suffix = Path(path).suffix.lower()
    if not suffix:
        return "text/plain"
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


def build_time(report_paths: Sequence[Path]) -> datetime:
    """``SOURCE_DATE_EPOCH`` if set, else the newest report's mtime (UTC, whole seconds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError:
            raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r} is not an integer") from None
    else:
        seconds = int(max(path.stat().st_mtime for path in report_paths))
    return datetime.fromtimestamp(seconds, tz=UTC)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ifrc-kg")
    except PackageNotFoundError:  # running from a checkout without install
        from ifrc_kg import __version__

        return __version__


# --- inputs ----------------------------------------------------------------------------------


def report_paths(reports_dir: Path) -> list[Path]:
    """The ``*.txt`` reports of a directory, sorted; ``BuildError`` when there are none."""
    if not reports_dir.is_dir():
        raise BuildError(f"{reports_dir}: not a directory of reports")
    paths = sorted(reports_dir.glob("*.txt"))
    if not paths:
        raise BuildError(f"{reports_dir}: no *.txt report files")
    return paths


def _check_base(base: str) -> None:
    """Every IRI is ``base + path``: the base must be an absolute http(s) IRI ending in ``/``."""
    if not base.startswith(("http://", "https://")) or not base.endswith("/"):
        raise BuildError(f"base {base!r}: expected an http(s) IRI ending in '/'")


def _check_out(out: Path) -> None:
    """Refuse to replace anything that is not a previous build (after clearing what killed
    builds left beside it)."""
    clean_stale_builds(out)
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise BuildError(
            f"{out}: not empty and not a previous build (no manifest.json); refusing to replace it"
        )


def parse_reports(paths: Sequence[Path]) -> list[Report]:
    """Parse every report, logging each one's warnings; the first bad one raises, and so
    do two files of the same report (same country, year and kind), naming both files."""
    from ifrc_kg.report import parse_report

    reports = []
    seen: dict[tuple[str, int, str], Path] = {}
    for path in paths:
        report = parse_report(path)
        key = (report.country.iso3, report.year, report.kind)
        if key in seen:
            raise BuildError(
                f"{seen[key]} and {path} are the same report ({report.country.iso3} "
                f"{report.year} {report.kind}): keep one of them"
            )
        seen[key] = path
        for warning in report.warnings:
            log.warning("%s: %s", path.name, warning)
        reports.append(report)
    return reports


def coverage_text(reports: Sequence[Report]) -> str:
    """coverage.txt: per report, lines read of non-blank lines, then every unread line."""
    out = []
    for report in sorted(reports, key=lambda r: (r.country.iso3, r.year, r.kind)):
        coverage = report.coverage
        if coverage is None:
            continue
        out.append(f"{report.source_file}: {coverage.read} of {coverage.lines} lines read")
        out += [f"  {report.source_file}:{u.line}: {u.reason}: {u.text}" for u in coverage.unread]
    return "\n".join(out) + "\n"


def _build_dataset(
    reports: Sequence[Report], base: str, include_personal_contacts: bool, report_dir: Path
) -> Dataset:
    from ifrc_kg.graph import build_dataset

    return build_dataset(
        reports, base, include_personal_contacts=include_personal_contacts, report_dir=report_dir
    )


# --- writing ---------------------------------------------------------------------------------


def _context() -> bytes:
    """The JSON-LD context document, as published (``ontology/context.jsonld``)."""
    path = artefact_dir("ontology") / "context.jsonld"
    if path.is_file():
        return path.read_bytes()
    from ifrc_kg.namespaces import PREFIXES

    log.warning("ontology/context.jsonld not found: compacting with prefixes only")
    context = {"@context": {prefix: str(ns) for prefix, ns in PREFIXES.items()}}
    return (json.dumps(context, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _write(root: Path, relative: str, data: bytes) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _copy_tree(source: Path, root: Path, prefix: str) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and "__pycache__" not in path.parts:
            _write(root, f"{prefix}/{path.relative_to(source).as_posix()}", path.read_bytes())


def _file_entries(root: Path, exclude: Sequence[str] = ()) -> list[FileEntry]:
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative in exclude:
            continue
        data = path.read_bytes()
        entries.append(
            FileEntry(relative, len(data), hashlib.sha256(data).hexdigest(), media_type(relative))
        )
    return entries


def _report_entries(reports: Sequence[Report], dataset: Dataset, iris: Iris) -> list[ReportEntry]:
    entries = []
    for report in sorted(reports, key=lambda r: (r.country.iso3, r.year, r.kind)):
        iso3, year = report.country.iso3, report.year
        key = report_key(year, report.kind)
        named = dataset.graph(iris.graph(iso3, key))
        cubes = sorted(str(s) for s in named.subjects(RDF.type, QB.DataSet))
        entries.append(
            ReportEntry(
                iri=str(iris.report(iso3, key)),
                graph=str(iris.graph(iso3, key)),
                country=report.country.name,
                iso3=iso3.upper(),
                year=year,
                title=report.title.text,
                file=Path(report.source_file).name,
                published=report.published,
                period_start=report.period_start,
                period_end=report.period_end,
                triples=len(named),
                cubes=tuple(cubes),
                key=key,
                kind=report.kind,
                lines=report.coverage.lines if report.coverage else 0,
                lines_read=report.coverage.read if report.coverage else 0,
            )
        )
    return entries


def _shapes_iri(shapes: Graph) -> URIRef | None:
    ontologies = sorted(s for s in shapes.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef))
    return ontologies[0] if ontologies else None


def write_dumps(root: Path, dataset: Dataset, context: dict[str, Any]) -> None:
    """graph.{ttl,nt,jsonld,trig,nq} and their .gz twins (gzip mtime 0: stable bytes)."""
    from ifrc_kg import dumps

    union = union_graph(dataset)
    rendered = {
        "graph.ttl": dumps.turtle(union),
        "graph.nt": dumps.ntriples(union),
        "graph.jsonld": dumps.jsonld(union, context),
        "graph.trig": dumps.trig(dataset),
        "graph.nq": dumps.nquads(dataset),
    }
    for name in DUMPS:
        _write(root, name, rendered[name])
        _write(root, f"{name}.gz", gzip.compress(rendered[name], compresslevel=9, mtime=0))


def build(
    reports_dir: Path,
    out: Path,
    *,
    base: str = DEFAULT_BASE,
    include_personal_contacts: bool = True,
) -> BuildResult:
    """Parse, map, validate and publish every ``*.txt`` report of ``reports_dir`` into ``out``.

    Raises ``ReportFormatError`` (a report does not parse), ``BuildValidationFailed``
    (violations), ``BuildError`` (bad directories); in every case ``out`` is untouched.
    """
    from ifrc_kg import dumps

    _check_base(base)
    paths = report_paths(reports_dir)
    _check_out(out)
    reports = parse_reports(paths)
    dataset = _build_dataset(reports, base, include_personal_contacts, reports_dir)
    # the dataset carries its vocabulary (for its own base) in <base>graph/vocabulary
    shapes = shapes_graph()
    meta = check_shapes(shapes)
    if not meta.conforms:
        first = meta.violations[0].message if meta.violations else "see pyshacl"
        raise BuildError(f"shapes/ does not pass SHACL meta-validation: {first}")
    report = validate(dataset, shapes=shapes, vocabulary=Graph())
    if not report.conforms:
        raise BuildValidationFailed(report)

    built = build_time(paths)
    iris = Iris(base)
    union = union_graph(dataset)
    entries = _report_entries(reports, dataset, iris)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=_scratch_prefix(out), suffix=".tmp", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the published directory is for reading
    try:
        context = _context()
        write_dumps(tmp, dataset, json.loads(context))
        _write(tmp, "context.jsonld", context)
        _copy_tree(artefact_dir("ontology"), tmp, "ontology")
        _copy_tree(artefact_dir("shapes"), tmp, "shapes")
        _write(tmp, "validation.ttl", dumps.turtle(skolemised_report(report.report_graph, base)))
        _write(tmp, "validation.txt", _validation_text(report, built).encode("utf-8"))
        _write(tmp, "validation.html", _validation_html(report, built).encode("utf-8"))
        _write(tmp, "coverage.txt", coverage_text(reports).encode("utf-8"))
        link_sets = publish_links(dataset, reports, iris, tmp)
        write_exports(dataset, tmp)
        files = _file_entries(tmp)
        catalog = describe_catalog(
            base=base,
            union=union,
            reports=entries,
            files=files,
            built=built,
            version=package_version(),
            shapes_iri=_shapes_iri(shapes),
        )
        catalog += link_sets
        _write(tmp, "void.ttl", dumps.turtle(catalog))
        manifest = _manifest(base, built, union, entries, _file_entries(tmp), report)
        _write(tmp, "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
        sums = _file_entries(tmp)
        _write(tmp, "SHA256SUMS", "".join(f"{f.sha256}  {f.path}\n" for f in sums).encode())
        _swap(tmp, out)
    except OSError as error:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"{out}: cannot write the build: {error.strerror or error}") from error
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("published %d triples of %d report(s) into %s", len(union), len(entries), out)
    return BuildResult(out=out, manifest=manifest, report=report)


def _manifest(
    base: str,
    built: datetime,
    union: Graph,
    entries: Sequence[ReportEntry],
    files: Sequence[FileEntry],
    report: ValidationReport,
) -> dict[str, Any]:
    return {
        "built": built.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "base": base,
        "version": package_version(),
        "triples": len(union),
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
            }
            for e in entries
        ],
        "files": [
            {"path": f.path, "bytes": f.bytes, "sha256": f.sha256, "media_type": f.media_type}
            for f in files
        ],
        "warnings": len(report.warnings),
        "violations": len(report.violations),
    }


def _scratch_prefix(out: Path) -> str:
    """``.dist.<pid>.``: a build's scratch directories carry its process id, so the next
    build can tell a killed build's leftovers from a build still running."""
    return f".{out.name}.{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_builds(out: Path) -> list[Path]:
    """Remove what killed builds left next to ``out``; returns what was removed or restored.

    A ``.tmp`` directory is a half-written build; a ``.old`` one is the previous build set
    aside during the swap: if the build died between the two renames, ``out`` is missing
    and the ``.old`` copy is the last good publication, so it is put back. Directories of a
    build whose process still runs are left alone; ones without a process id (older
    versions) only when more than an hour old.
    """
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(?:(\d+)\.)?[^/]*\.(tmp|old)")
    handled: list[Path] = []
    if not out.parent.is_dir():
        return handled
    for candidate in sorted(out.parent.iterdir()):
        match = pattern.fullmatch(candidate.name)
        if not match or not candidate.is_dir():
            continue
        pid = match.group(1)
        if pid is not None and _pid_alive(int(pid)):
            continue
        if pid is None and time.time() - candidate.stat().st_mtime < 3600:
            continue
        if match.group(2) == "old" and not out.exists():
            candidate.rename(out)
            log.warning("restored %s from %s (a build was killed mid-swap)", out, candidate)
        else:
            shutil.rmtree(candidate, ignore_errors=True)
            log.info("removed %s, left by a killed build", candidate)
        handled.append(candidate)
    return handled


def _swap(tmp: Path, out: Path) -> None:
    """Put the new build in place with renames; the old one is removed only afterwards."""
    if not out.exists():
        tmp.rename(out)
        return
    backup = Path(tempfile.mkdtemp(prefix=_scratch_prefix(out), suffix=".old", dir=out.parent))
    backup.rmdir()
    out.rename(backup)
    try:
        tmp.rename(out)
    except BaseException:
        backup.rename(out)
        raise
    shutil.rmtree(backup, ignore_errors=True)


# --- validation summaries ----------------------------------------------------------------------


def _validation_text(report: ValidationReport, built: datetime) -> str:
    stamp = built.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"ifrc-kg validation report, build of {stamp}\n\n" + report.summary()


def _issue_html(issue: ValidationIssue) -> str:
    e = html.escape
    rows = [
        f'<dt>Focus node</dt><dd><a href="{e(issue.focus_node)}">{e(issue.focus_node)}</a></dd>'
    ]
    if issue.path:
        rows.append(f"<dt>Path</dt><dd><code>{e(issue.path)}</code></dd>")
    if issue.value and issue.value != issue.focus_node:
        rows.append(f"<dt>Value</dt><dd><code>{e(issue.value)}</code></dd>")
    if issue.quote:
        rows.append(f"<dt>Source quote</dt><dd><blockquote>{e(issue.quote)}</blockquote></dd>")
    rows.append(f"<dt>Shape</dt><dd><code>{e(issue.source_shape)}</code></dd>")
    return f"<li><p>{e(issue.message)}</p><dl>{''.join(rows)}</dl></li>"


def _validation_html(report: ValidationReport, built: datetime) -> str:
    e = html.escape
    stamp = built.strftime("%Y-%m-%dT%H:%M:%SZ")
    sections = []
    for title, issues in (("Violations", report.violations), ("Warnings", report.warnings)):
        items = "".join(_issue_html(issue) for issue in issues) or "<li>None.</li>"
        sections.append(f"<section><h2>{title} ({len(issues)})</h2><ol>{items}</ol></section>")
    fired = {k: v for k, v in report.integrity.items() if v}
    if fired:
        cube = "".join(
            f"<li>{e(ic)}<ul>{''.join(f'<li>{e(m)}</li>' for m in ms)}</ul></li>"
            for ic, ms in fired.items()
        )
        cube_html = f"<ul>{cube}</ul>"
    else:
        cube_html = f"<p>All {len(report.integrity)} constraints (IC-1 … IC-21) hold.</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>ifrc-kg validation report</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}dt{font-weight:600}blockquote{margin:0;padding-left:.5rem;"
        "border-left:3px solid #c00}li{margin-bottom:1rem}</style></head><body>"
        f"<h1>Validation report</h1><p>Build of {e(stamp)}: {e(report.headline())}.</p>"
        + "".join(sections)
        + f"<section><h2>Data Cube integrity constraints</h2>{cube_html}</section>"
        '<p>Machine-readable: <a href="validation.ttl">validation.ttl</a> (SHACL report).</p>'
        "</body></html>\n"
    )
