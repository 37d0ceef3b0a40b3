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

import contextlib
import hashlib
import html
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH

from ifrc_kg.assemble import (
    STORE_DIR,
    Counts,
    Shared,
    shared_piece,
    with_labels,
    write_dumps,
    write_report_dumps,
    write_store,
)
from ifrc_kg.config import DEFAULT_BASE, artefact_dir
from ifrc_kg.datacube import violations_only
from ifrc_kg.errors import BuildError, ValidationFailed
from ifrc_kg.findings import Finding
from ifrc_kg.graph.catalog import FileEntry, ReportEntry, describe_catalog
from ifrc_kg.model import Report
from ifrc_kg.namespaces import bind_prefixes
from ifrc_kg.pipeline import (
    Job,
    Piece,
    Progress,
    ReportsFailed,
    build_pieces,
    code_fingerprint,
    default_cache_dir,
)
from ifrc_kg.uris import Iris
from ifrc_kg.validate import (
    ValidationIssue,
    ValidationReport,
    check_shapes,
    shapes_graph,
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
    findings: tuple[Finding, ...] = ()
    #: reports that failed (only with ``keep_going``; their files and errors)
    failures: tuple[Piece, ...] = ()
    #: seconds per stage; ``reports: parse (cpu)`` etc. sum the workers' time
    timings: dict[str, float] = field(default_factory=dict)
    #: reports taken from the build cache
    cached: int = 0


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
        if relative in exclude or relative.startswith(f"{STORE_DIR}/"):
            continue
        data = path.read_bytes()
        entries.append(
            FileEntry(relative, len(data), hashlib.sha256(data).hexdigest(), media_type(relative))
        )
    return entries


def _shapes_iri(shapes: Graph) -> URIRef | None:
    ontologies = sorted(s for s in shapes.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef))
    return ontologies[0] if ontologies else None


def _checked_shapes(cache_root: Path, fingerprint: str) -> Graph:
    """The shapes, meta-validated once per code version (the check takes seconds)."""
    shapes = shapes_graph()
    marker = cache_root / "shapes" / f"{fingerprint}.ok"
    if not marker.is_file():
        meta = check_shapes(shapes)
        if not meta.conforms:
            first = meta.violations[0].message if meta.violations else "see pyshacl"
            raise BuildError(f"shapes/ does not pass SHACL meta-validation: {first}")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("ok\n")
    return shapes


def _piece_report(piece: Piece) -> ValidationReport:
    return ValidationReport(
        conforms=not piece.failed,
        violations=tuple(piece.violations),
        warnings=tuple(piece.warnings),
        integrity=piece.integrity,
        triples=piece.triples,
    )


def _raise_failures(failures: Sequence[Piece]) -> None:
    """The strict build: one failed report stops it, naming every failure."""
    for piece in failures:
        log.error("%s", piece.error)
    if len(failures) == 1 and failures[0].error_kind == "validation":
        raise BuildValidationFailed(_piece_report(failures[0]))
    raise ReportsFailed(failures)


def _check_unique(pieces: Sequence[Piece]) -> None:
    """Two files of the same report (same country, year and kind) are refused, naming both."""
    seen: dict[tuple[str, int, str], str] = {}
    for piece in pieces:
        assert piece.entry is not None
        entry = piece.entry
        key = (entry.iso3, entry.year, entry.kind)
        if key in seen:
            raise BuildError(
                f"{seen[key]} and {piece.path} are the same report ({entry.iso3} "
                f"{entry.year} {entry.kind}): keep one of them"
            )
        seen[key] = piece.path


def coverage_text(pieces: Sequence[Piece]) -> str:
    """coverage.txt: per report, lines read of non-blank lines, then every unread line."""
    return "".join(piece.coverage for piece in pieces)


def _merged_report(pieces: Sequence[Piece], triples: int) -> ValidationReport:
    integrity: dict[str, list[str]] = {}
    warnings: list[ValidationIssue] = []
    for piece in pieces:
        warnings += piece.warnings
        for ic_id, messages in piece.integrity.items():
            integrity.setdefault(ic_id, []).extend(messages)
    warnings.sort(
        key=lambda i: (i.source_shape, i.focus_node, i.path or "", i.message, i.value or "")
    )
    violations = tuple(v for piece in pieces for v in piece.violations)
    return ValidationReport(
        conforms=not violations and not violations_only(integrity),
        violations=violations,
        warnings=tuple(warnings),
        integrity=integrity,
        triples=triples,
    )


def _findings(pieces: Sequence[Piece]) -> tuple[Finding, ...]:
    """The build's findings (``<base>graph/findings``), from each report's piece, in order."""
    unique = {finding.iri: finding for piece in pieces for finding in piece.findings}
    return tuple(sorted(unique.values(), key=lambda f: (f.report or "", f.shape, f.focus)))


def _validation_graph(pieces: Sequence[Piece], base: str) -> Graph:
    """One SHACL validation report for the corpus, from the reports' skolemised ones."""
    graph = Graph()
    bind_prefixes(graph)
    node = URIRef(f"{base}.well-known/genid/validation-report")
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(True)))
    for piece in pieces:
        part = Graph().parse(piece.file_of("validation.nt"), format="nt")
        reports = set(part.subjects(RDF.type, SH.ValidationReport))
        for s, p, o in part:
            if s in reports:
                if p == SH.result:
                    graph.add((node, SH.result, o))
                continue
            graph.add((s, p, o))
    return graph


def _write_exports(root: Path, pieces: Sequence[Piece]) -> None:
    """Every figure (``figures.hxl.csv``, ``figures.csv``) and each report's own."""
    from ifrc_kg.export import EXPORT_FILES, render, report_export_files

    rows: list[dict[str, str]] = []
    for piece in pieces:
        assert piece.entry is not None
        report_rows = json.loads(piece.file_of("figures.json").read_text(encoding="utf-8"))
        for fmt, name in report_export_files(piece.entry.iso3, piece.entry.key).items():
            _write(root, name, render(report_rows, fmt).encode("utf-8"))
        rows += report_rows
    for fmt, name in EXPORT_FILES.items():
        _write(root, name, render(rows, fmt).encode("utf-8"))


def _write_links(root: Path, pieces: Sequence[Piece], counts: Counts, iris: Iris) -> Graph:
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
    _write(root, LINKS_REPORT_FILE, outcome.as_text().encode("utf-8"))
    return linksets(links, iris)


def _write_search(root: Path, shared: Shared, pieces: Sequence[Piece]) -> None:
    """``search.sqlite``: the FTS5 index of the site's search box, and every figure."""
    from ifrc_kg.search import SEARCH_FILE, shared_rows, write_figures, write_index

    reference = Graph().parse(shared.file("reference.nt"), format="nt")
    vocabulary = Graph().parse(shared.file("vocabulary.nt"), format="nt")
    groups = [shared_rows(reference, vocabulary)]
    groups += (json.loads(p.file_of("search.json").read_text(encoding="utf-8")) for p in pieces)
    write_index(root / SEARCH_FILE, groups)
    figures = (json.loads(p.file_of("figures.json").read_text(encoding="utf-8")) for p in pieces)
    write_figures(root / SEARCH_FILE, figures)


class _Stages:
    """Wall-clock seconds per stage of the build, in the order they ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def build(
    reports_dir: Path,
    out: Path,
    *,
    base: str = DEFAULT_BASE,
    include_personal_contacts: bool = True,
    keep_going: bool = False,
    cache_dir: Path | None = None,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    store: bool = True,
) -> BuildResult:
    """Parse, map, validate and publish every ``*.txt`` report of ``reports_dir`` into ``out``.

    Each report is built alone (in a worker process, cached in ``cache_dir``, by default
    ``.cache/build/`` next to ``out``), then the corpus is assembled from the pieces.
    Strict by default: a report that fails raises ``ReportsFailed`` (``ReportFormatError``'s
    message, exit 2) or ``BuildValidationFailed`` (exit 1) and ``out`` is untouched. With
    ``keep_going`` the other reports are published and the failures are listed in the
    result and in ``manifest.json``.
    """
    from ifrc_kg import dumps

    stage = _Stages()
    with stage("check"):
        _check_base(base)
        paths = report_paths(reports_dir)
        _check_out(out)
        cache_root = cache_dir or default_cache_dir(out)
        fingerprint = code_fingerprint()
        context = _context()
        _checked_shapes(cache_root, fingerprint)
    jobs = [
        Job(path, base, include_personal_contacts, cache_root, fingerprint, context)
        for path in paths
    ]
    with stage("reports"):
        pieces = build_pieces(jobs, workers=workers, progress=progress)
    for piece in pieces:
        for warning in piece.parser_warnings:
            log.warning("%s: %s", piece.file, warning)
    worker_seconds: dict[str, float] = {}
    for piece in pieces:
        if not piece.cached:
            for name, seconds in piece.timings.items():
                worker_seconds[name] = worker_seconds.get(name, 0.0) + seconds
    failures = [piece for piece in pieces if piece.failed]
    if failures and not keep_going:
        _raise_failures(failures)
    good = [piece for piece in pieces if not piece.failed and piece.entry is not None]
    if not good:
        raise ReportsFailed(failures)
    good.sort(key=lambda p: (p.entry.iso3, p.entry.year, p.entry.kind) if p.entry else ("", 0, ""))
    _check_unique(good)

    built = build_time(paths)
    iris = Iris(base)
    entries = [piece.entry for piece in good if piece.entry is not None]
    findings = _findings(good)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=_scratch_prefix(out), suffix=".tmp", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the published directory is for reading
    try:
        with stage("dumps"):
            shared = shared_piece(base, cache_root, fingerprint, context)
            shared = with_labels(shared, good, base, cache_root, context)
            counts = write_dumps(tmp, shared, good, context)
            for piece in good:
                write_report_dumps(tmp, piece, context, shared)
        with stage("search"):
            _write_search(tmp, shared, good)
        report = _merged_report(good, counts.triples)
        with stage("files"):
            _write(tmp, "context.jsonld", context)
            _copy_tree(artefact_dir("ontology"), tmp, "ontology")
            _copy_tree(artefact_dir("shapes"), tmp, "shapes")
            for piece in good:  # the texts quotes point into, for the source-text pages
                _write(tmp, f"reports/{piece.file}", Path(piece.path).read_bytes())
            _write(tmp, "validation.ttl", dumps.turtle(_validation_graph(good, base)))
            _write(tmp, "validation.txt", _validation_text(report, built).encode("utf-8"))
            _write(tmp, "validation.html", _validation_html(report, built).encode("utf-8"))
            _write(tmp, "coverage.txt", coverage_text(good).encode("utf-8"))
            link_sets = _write_links(tmp, good, counts, iris)
            _write_exports(tmp, good)
            catalog = describe_catalog(
                base=base,
                union=counts.stats(),
                reports=entries,
                files=_file_entries(tmp),
                built=built,
                version=package_version(),
                shapes_iri=_shapes_iri(shapes_graph()),
            )
            catalog += link_sets
            _write(tmp, "void.ttl", dumps.turtle(catalog))
            manifest = _manifest(
                base, built, counts.triples, entries, _file_entries(tmp), report, failures
            )
            _write(tmp, "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8"))
            sums = _file_entries(tmp)
            _write(tmp, "SHA256SUMS", "".join(f"{f.sha256}  {f.path}\n" for f in sums).encode())
        if store:
            with stage("store"):
                write_store(tmp)
        with stage("swap"):
            _swap(tmp, out)
    except OSError as error:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"{out}: cannot write the build: {error.strerror or error}") from error
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("published %d triples of %d report(s) into %s", counts.triples, len(entries), out)
    timings = {**stage.seconds, **{f"reports: {k} (cpu)": v for k, v in worker_seconds.items()}}
    return BuildResult(
        out=out,
        manifest=manifest,
        report=report,
        failures=tuple(failures),
        timings=timings,
        cached=sum(piece.cached for piece in pieces),
        findings=findings,
    )


def _manifest(
    base: str,
    built: datetime,
    triples: int,
    entries: Sequence[ReportEntry],
    files: Sequence[FileEntry],
    report: ValidationReport,
    failures: Sequence[Piece] = (),
) -> dict[str, Any]:
    return {
        "built": built.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "base": base,
        "version": package_version(),
        "triples": triples,
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
