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

This module orchestrates; the work is split by concern: ``pipeline.py`` (each report,
cached), ``assemble.py`` (the dumps and the on-disk store), ``validation_files.py`` (the
validation report), ``build_files.py`` (exports, links, search index, manifest) and
``outdir.py`` (the scratch directory, the swap, the file listing).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from ifrc_kg.assemble import shared_piece, with_labels, write_dumps, write_report_dumps
from ifrc_kg.build_files import manifest_of, write_exports, write_links, write_search
from ifrc_kg.config import DEFAULT_BASE, artefact_dir
from ifrc_kg.corpus_store import STORE_DIR, StoreLoader, worth_updating, write_store
from ifrc_kg.errors import BuildError, ValidationFailed
from ifrc_kg.findings import Finding
from ifrc_kg.graph.catalog import FileEntry, describe_catalog
from ifrc_kg.model import Report
from ifrc_kg.outdir import (
    check_out,
    clean_stale_builds,
    copy_tree,
    file_entries,
    media_type,
    scratch_prefix,
    swap,
    write_file,
)
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
from ifrc_kg.validate import ValidationReport, check_shapes, shapes_graph
from ifrc_kg.validation_files import (
    build_findings,
    coverage_text,
    merged_report,
    piece_report,
    validation_graph,
    validation_html,
    validation_text,
)

log = logging.getLogger(__name__)

#: re-exported: callers and tests name them as ``ifrc_kg.publish``'s
__all__ = [
    "BuildResult",
    "BuildValidationFailed",
    "build",
    "build_time",
    "clean_stale_builds",
    "media_type",
    "package_version",
    "parse_reports",
    "report_paths",
]

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
    #: how the on-disk store was made: "incremental" (from the previous build's), "full"
    store: str = ""


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


def _checked_reference(cache_root: Path, fingerprint: str, base: str, shapes: Graph) -> None:
    """The countries, National Societies and organisations, validated once per code
    version with the vocabulary. A report's dataset holds only those it names
    (``graph.links.SharedReference``), so the others are checked here; they must give no
    result at all, for a result here would be in no report's validation report."""
    from ifrc_kg.graph import vocabulary_triples
    from ifrc_kg.graph.links import shared_reference
    from ifrc_kg.validate import validate

    key = hashlib.sha256(f"{fingerprint}\0{base}".encode()).hexdigest()
    marker = cache_root / "reference" / f"{key}.ok"
    if marker.is_file():
        return
    graph = Graph()
    graph.addN((s, p, o, graph) for s, p, o in shared_reference(base).triples)
    graph.addN((s, p, o, graph) for s, p, o in vocabulary_triples(base))
    result = validate(graph, shapes=shapes, vocabulary=Graph(), inplace=True)
    issues = [*result.violations, *result.warnings, *result.infos]
    if issues or not result.conforms:
        first = result.headline()
        if issues:
            issue = issues[0]
            first = f"{issue.message} (focus {issue.focus_node}, path {issue.path})"
        raise BuildError(f"the reference tables (data/reference) do not validate: {first}")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("ok\n")


def _raise_failures(failures: Sequence[Piece]) -> None:
    """The strict build: one failed report stops it, naming every failure."""
    for piece in failures:
        log.error("%s", piece.error)
    if len(failures) == 1 and failures[0].error_kind == "validation":
        raise BuildValidationFailed(piece_report(failures[0]))
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


def _listed(root: Path, known: dict[str, tuple[int, str]]) -> list[FileEntry]:
    """``file_entries`` of the build, each file hashed once: what is listed joins ``known``
    (the listing is taken three times: for the catalog, the manifest and the sums)."""
    entries = file_entries(root, known=known)
    known.update((entry.path, (entry.bytes, entry.sha256)) for entry in entries)
    return entries


def _discard(tmp: Path, loader: StoreLoader | None) -> None:
    """What a failed build leaves: nothing (the store's loader stopped, ``tmp`` removed)."""
    if loader is not None:
        loader.close()
    shutil.rmtree(tmp, ignore_errors=True)


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
        check_out(out)
        cache_root = cache_dir or default_cache_dir(out)
        fingerprint = code_fingerprint()
        context = _context()
        shapes = _checked_shapes(cache_root, fingerprint)
        _checked_reference(cache_root, fingerprint, base, shapes)
    jobs = [
        Job(path, base, include_personal_contacts, cache_root, fingerprint, context)
        for path in paths
    ]
    catalog_graph = base + "graph/catalog"
    previous = out if (out / "manifest.json").is_file() else None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=scratch_prefix(out), suffix=".tmp", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the published directory is for reading
    loader: StoreLoader | None = None
    try:
        if store and not worth_updating(previous, catalog_graph, [job.key for job in jobs]):
            loader = StoreLoader(tmp / STORE_DIR)  # loads each piece as its worker ends
        with stage("reports"):
            pieces = build_pieces(
                jobs, workers=workers, progress=progress, on_piece=loader.add if loader else None
            )
        for piece in pieces:
            for warning in piece.parser_warnings:
                log.warning("%s", warning)  # already "file:line: message"
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
        good.sort(
            key=lambda p: (p.entry.iso3, p.entry.year, p.entry.kind) if p.entry else ("", 0, "")
        )
        _check_unique(good)

        built = build_time(paths)
        iris = Iris(base)
        entries = [piece.entry for piece in good if piece.entry is not None]
        findings = build_findings(good)
        with stage("dumps"):
            shared = shared_piece(base, cache_root, fingerprint, context)
            shared = with_labels(shared, good, base, cache_root, context)
            counts = write_dumps(tmp, shared, good, context, cache_root)
        with stage("report dumps"):
            known = counts.files | write_report_dumps(tmp, good, context, shared, cache_root)
        with stage("search"):
            write_search(tmp, shared, good)
        report = merged_report(good, counts.triples)
        with stage("files"):
            write_file(tmp, "context.jsonld", context)
            copy_tree(artefact_dir("ontology"), tmp, "ontology")
            copy_tree(artefact_dir("shapes"), tmp, "shapes")
            for piece in good:  # the texts quotes point into, for the source-text pages
                write_file(tmp, f"reports/{piece.file}", Path(piece.path).read_bytes())
            write_file(tmp, "validation.ttl", dumps.turtle(validation_graph(good, base)))
            write_file(tmp, "validation.txt", validation_text(report, built).encode("utf-8"))
            write_file(tmp, "validation.html", validation_html(report, built).encode("utf-8"))
            write_file(tmp, "coverage.txt", coverage_text(good).encode("utf-8"))
            link_sets = write_links(tmp, good, counts, iris)
            write_exports(tmp, good, cache_root)
            catalog = describe_catalog(
                base=base,
                union=counts.stats(),
                reports=entries,
                files=_listed(tmp, known),
                built=built,
                version=package_version(),
                shapes_iri=_shapes_iri(shapes_graph()),
            )
            catalog += link_sets
            write_file(tmp, "void.ttl", dumps.turtle(catalog))
            manifest = manifest_of(
                base,
                built,
                counts.triples,
                entries,
                _listed(tmp, known),
                report,
                failures,
                version=package_version(),
                quads=counts.quads + len(catalog),
            )
            write_file(
                tmp, "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
            )
            sums = _listed(tmp, known)
            write_file(tmp, "SHA256SUMS", "".join(f"{f.sha256}  {f.path}\n" for f in sums).encode())
        made = ""
        if store:
            with stage("store"):
                if loader is not None:
                    stage.seconds["store (during the reports)"] = loader.busy
                made = write_store(tmp, good, counts.chunks, catalog_graph, previous, loader)
                loader = None  # finished
                log.info("store: %s", made)
        with stage("swap"):
            swap(tmp, out)
    except OSError as error:
        _discard(tmp, loader)
        raise BuildError(f"{out}: cannot write the build: {error.strerror or error}") from error
    except BaseException:
        _discard(tmp, loader)
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
        store=made,
    )
