"""Per-report work of the corpus build: parse, map, validate, serialise — in worker processes,
cached by content.

Every report validates alone (its named graph, the reference entities it names and the
vocabulary), so the work of a report depends only on its text and on the code, template,
ontology, shapes and reference data. That is the cache key: a report whose key is in the
cache costs nothing on the next build, and one changed report among a thousand costs one
report's work plus the assembly of the dumps (``publish.py``), which streams the cached
pieces and never holds the corpus in memory.

A piece is a directory ``<cache>/<key[:2]>/<key>/`` holding sorted canonical N-Quads of the
report's data-quality findings (``findings.nq``, its part of the shared named graph
``<base>graph/findings``), its part of the corpus dumps in every format with the statements
other reports may share (``part.*``, ``others.*``: ``parts.py``; ``part.nq`` is the report's
graph, ``part.nt`` and ``others.nt`` its union triples, each held once), the skolemised
SHACL report (``validation.nt``), the figure rows (``figures.json``) and the small facts
publish needs (``piece.pickle``). Pieces are written to a temporary directory and renamed
into place, so an interrupted build never leaves half a piece.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.namespace import QB, RDF

from ifrc_kg.config import artefact_dir
from ifrc_kg.errors import BuildError, IfrcKgError
from ifrc_kg.findings import Finding
from ifrc_kg.graph.catalog import ReportEntry
from ifrc_kg.graph.labels import PrintedName, labels_graph_iri
from ifrc_kg.model import Report
from ifrc_kg.uris import Iris, report_key
from ifrc_kg.validate import ValidationIssue

log = logging.getLogger(__name__)

#: Bumped when the layout of a piece changes (old pieces are then simply not found).
PIECE_FORMAT = "6"
#: A worker is replaced after this many reports, so no library cache grows without bound.
TASKS_PER_WORKER = 64
NQ, NT = ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES


@dataclass
class Piece:
    """What the build keeps of one report: small facts; the triples stay on disk."""

    file: str
    path: str
    key: str
    directory: str = ""
    entry: ReportEntry | None = None
    parser_warnings: list[str] = field(default_factory=list)
    coverage: str = ""
    violations: list[ValidationIssue] = field(default_factory=list)
    warnings: list[ValidationIssue] = field(default_factory=list)
    #: the report's SHACL warnings and infos as findings (``findings.py``)
    findings: list[Finding] = field(default_factory=list)
    #: names the report prints for shared resources: the assembly chooses their labels
    printed: list[PrintedName] = field(default_factory=list)
    integrity: dict[str, list[str]] = field(default_factory=dict)
    triples: int = 0
    quads: int = 0
    resolved: list[Any] = field(default_factory=list)
    unresolved: list[Any] = field(default_factory=list)
    error: str | None = None
    error_kind: str = ""  # "format" (exit 2) or "validation" (exit 1)
    cached: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.error is not None

    def file_of(self, name: str) -> Path:
        return Path(self.directory) / name


@dataclass(frozen=True)
class Job:
    path: Path
    base: str
    include_personal_contacts: bool
    cache_root: Path
    fingerprint: str
    context: bytes

    @functools.cached_property
    def key(self) -> str:
        digest = hashlib.sha256()
        for part in (
            PIECE_FORMAT,
            self.fingerprint,
            self.base,
            str(self.include_personal_contacts),
        ):
            digest.update(part.encode() + b"\0")
        digest.update(self.path.name.encode() + b"\0")
        digest.update(self.path.read_bytes())
        return digest.hexdigest()


# --- the cache key ----------------------------------------------------------------------------


def _tree_files(root: Path, pattern: str) -> list[Path]:
    return sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def code_fingerprint() -> str:
    """A hash of everything a report's graph depends on besides its text.

    The package's Python code and its template file (``template/*.toml``), the ontology,
    the shapes and the reference tables.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    roots = [(package, "*.py"), (package, "*.toml")]
    roots += [(artefact_dir(name), "*") for name in ("ontology", "shapes", "reference")]
    for root, pattern in roots:
        for path in _tree_files(root, pattern):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def default_cache_dir(out: Path) -> Path:
    """``.cache/build/`` next to the output directory (``dist/`` → ``.cache/build/``)."""
    return out.resolve().parent / ".cache" / "build"


# --- one report, in a worker ------------------------------------------------------------------


def report_entry(report: Report, dataset: Dataset, iris: Iris) -> ReportEntry:
    """What the catalog says about one report (its named graph in ``dataset``)."""
    iso3, year = report.country.iso3, report.year
    key = report_key(year, report.kind)
    named = dataset.graph(iris.graph(iso3, key))
    cubes = sorted(str(s) for s in named.subjects(RDF.type, QB.DataSet))
    return ReportEntry(
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


def coverage_lines(report: Report) -> str:
    """The report's block of coverage.txt: lines read of non-blank lines, then every unread
    line with its number and the reason."""
    coverage = report.coverage
    if coverage is None:
        return ""
    name = report.source_file
    out = [f"{name}: {coverage.read} of {coverage.lines} lines read"]
    out += [f"  {name}:{u.line}: {u.reason}: {u.text}" for u in coverage.unread]
    return "\n".join(out) + "\n"


@functools.lru_cache(maxsize=2)
def _shapes() -> Any:
    from ifrc_kg.validate import shapes_graph

    return shapes_graph()


@functools.lru_cache(maxsize=4)
def shared_reference_lines(base: str) -> frozenset[bytes]:
    """N-Quads of the reference graph every report names from (countries, societies,
    organisations): written once for the corpus; a report's dataset holds only the ones
    it names (``graph.links.SharedReference``), and they are subtracted from its piece."""
    from ifrc_kg.graph.links import reference_graph_iri, shared_reference
    from ifrc_kg.uris import Iris

    dataset = Dataset()
    graph = dataset.graph(reference_graph_iri(Iris(base)))
    graph.addN((s, p, o, graph) for s, p, o in shared_reference(base).triples)
    data = dataset.serialize(format="nquads", encoding="utf-8")
    return frozenset(_canonical(data, NQ))


def _canonical(data: bytes, fmt: ox.RdfFormat) -> list[bytes]:
    from ifrc_kg.dumps import canonical_lines

    return canonical_lines(data, fmt)


def _graph_suffix(iri: str) -> bytes:
    return f" <{iri}> .".encode()


def _triple_line(quad_line: bytes, suffix: bytes) -> bytes:
    return quad_line[: -len(suffix)] + b" ."


def _lines(lines: Sequence[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def build_piece(job: Job) -> Piece:
    """Parse, map, validate and serialise one report, or find it in the cache."""
    directory = job.cache_root / job.key[:2] / job.key
    meta = directory / "piece.pickle"
    if meta.is_file():
        try:
            piece = pickle.loads(meta.read_bytes())
            piece.directory, piece.cached, piece.path = str(directory), True, str(job.path)
            return piece
        except Exception:  # a damaged cache entry is rebuilt, never trusted
            shutil.rmtree(directory, ignore_errors=True)
    piece = Piece(file=job.path.name, path=str(job.path), key=job.key)
    try:
        _work(job, piece, directory)
    except IfrcKgError as error:
        piece.error, piece.error_kind = str(error), "format"
    return piece


def _work(job: Job, piece: Piece, directory: Path) -> None:
    from rdflib import Graph

    from ifrc_kg.datacube import UnionView
    from ifrc_kg.export import figure_rows
    from ifrc_kg.findings import collect_findings, findings_graph
    from ifrc_kg.graph import build_dataset, vocabulary_graph_iri
    from ifrc_kg.graph.links import reference_graph_iri, resolve_mentions
    from ifrc_kg.reference import load_reference
    from ifrc_kg.report import parse_report
    from ifrc_kg.report_quads import report_quads
    from ifrc_kg.search import report_rows
    from ifrc_kg.store import GraphStore
    from ifrc_kg.uris import Iris
    from ifrc_kg.validate import skolemised_report, validate

    clock = time.perf_counter()
    report = parse_report(job.path)
    piece.parser_warnings = [str(w) for w in report.warnings]
    piece.timings["parse"] = time.perf_counter() - clock

    clock = time.perf_counter()
    iris = Iris(job.base)
    dataset = build_dataset(
        [report],
        job.base,
        job.include_personal_contacts,
        report_dir=job.path.parent,
        printed=piece.printed,
        whole_reference=False,
    )
    links = resolve_mentions([report], load_reference(), warn=False)
    piece.resolved, piece.unresolved = links.resolved, links.unresolved
    piece.timings["map"] = time.perf_counter() - clock

    clock = time.perf_counter()
    # the report once in pyoxigraph: its quads, and one store of their union that the
    # compiled shapes, the Data Cube checks, the findings and the figure rows all read
    quads = report_quads(dataset)
    store = quads.union_store()
    union = UnionView(dataset)
    result = validate(
        union,
        shapes=_shapes(),
        vocabulary=Graph(),
        inplace=True,
        store=store,
        datatypes=quads.datatypes,
    )
    piece.violations, piece.warnings = list(result.violations), list(result.warnings)
    piece.integrity = result.integrity
    piece.timings["validate"] = time.perf_counter() - clock
    if not result.conforms:
        piece.error = _violation_message(job.path, dataset, result)
        piece.error_kind = "validation"
        return
    # the warnings become data: this report's part of <base>graph/findings, linked from
    # each figure involved (figure_rows below reads them for the findings column)
    issues = [*result.warnings, *result.infos]
    piece.findings = collect_findings(issues, union, _shapes(), job.base)
    found = findings_graph(piece.findings, job.base)
    store.extend(quads.add_graph(found))
    piece.timings["validate"] = time.perf_counter() - clock

    clock = time.perf_counter()
    report_iri = str(iris.graph(report.country.iso3, report_key(report.year, report.kind)))
    reference_iri = str(reference_graph_iri(iris))
    vocabulary_suffix = _graph_suffix(str(vocabulary_graph_iri(job.base)))
    report_suffix, reference_suffix = _graph_suffix(report_iri), _graph_suffix(reference_iri)
    findings_suffix = _graph_suffix(str(found.identifier))
    shared = shared_reference_lines(job.base)
    own: list[bytes] = []
    added: list[bytes] = []
    findings: list[bytes] = []
    other: list[bytes] = []
    for q in quads.nquads_lines():  # by graph: a line ends with one graph's suffix at most
        if q.endswith(report_suffix):
            own.append(q)
        elif q.endswith(reference_suffix):
            if q not in shared:
                added.append(q)
        elif q.endswith(findings_suffix):
            findings.append(q)
        else:
            other.append(q)
    # this report's own choice of labels was for its validation; the assembly chooses them
    # across every report (``piece.printed``)
    labels_suffix = _graph_suffix(str(labels_graph_iri(job.base)))
    if any(not q.endswith((vocabulary_suffix, labels_suffix)) for q in other):
        raise BuildError(f"{job.path}: the mapping wrote outside the report and reference graphs")
    triples = sorted(
        {_triple_line(q, report_suffix) for q in own}
        | {_triple_line(q, reference_suffix) for q in added}
        | {_triple_line(q, findings_suffix) for q in findings}
    )
    piece.entry = report_entry(report, dataset, iris)
    piece.coverage = coverage_lines(report)
    piece.triples, piece.quads = len(triples), len(own) + len(added) + len(findings)
    files = _piece_files(job, piece.entry, own, sorted(added + findings), triples)
    files["findings.nq"] = _lines(findings)
    figures = figure_rows(GraphStore(store))
    files["figures.json"] = json.dumps(figures, ensure_ascii=False).encode("utf-8")
    rows = report_rows(dataset, report_iri, reference_iri, report.country.iso3, report.year)
    files["search.json"] = json.dumps(rows, ensure_ascii=False).encode("utf-8")
    validation = skolemised_report(result.report_graph, job.base)
    files["validation.nt"] = _lines(
        _canonical(validation.serialize(format="nt", encoding="utf-8"), NT)
    )
    piece.timings["serialise"] = time.perf_counter() - clock
    _store(directory, piece, files)


def _violation_message(path: Path, dataset: Any, result: Any) -> str:
    """``file:line: the graph does not validate: …`` for the first violation, its line
    found through the focus node's source (``prov:wasDerivedFrom`` → ``ifrckg:lineStart``)."""
    first = result.violations[0] if result.violations else None
    if first is None:
        return f"{path}: the graph does not validate: {result.headline()}"
    line = _source_line(dataset, first.focus_node)
    where = f"{path}:{line}" if line is not None else str(path)
    quote = f", quote “{first.quote}”" if first.quote else ""
    return (
        f"{where}: the graph does not validate: {first.message} "
        f"(focus {first.focus_node}{quote}; {result.headline()})"
    )


def _source_line(dataset: Any, focus: str) -> int | None:
    from rdflib import URIRef
    from rdflib.namespace import PROV

    from ifrc_kg.namespaces import IFRCKG

    node = URIRef(focus)
    sources = [node] + [o for _, _, o, _ in dataset.quads((node, PROV.wasDerivedFrom, None))]
    for source in sources:
        for _, _, line, _ in dataset.quads((source, IFRCKG.lineStart, None)):
            return int(line)
    return None


def _piece_files(
    job: Job, entry: ReportEntry, own: list[bytes], others: list[bytes], union: list[bytes]
) -> dict[str, bytes]:
    """The serialisations of one report: its part of the corpus dumps in every format
    (``parts.py``), which its per-report dumps and the store are made from too."""
    from ifrc_kg.parts import link_predicates, piece_part_files

    return piece_part_files(
        job.base, entry.iso3, entry.key, own, others, union, job.context, link_predicates()
    )


def _store(directory: Path, piece: Piece, files: dict[str, bytes]) -> None:
    """Write the piece into a temporary directory and rename it into place."""
    files["piece.pickle"] = pickle.dumps(piece, protocol=pickle.HIGHEST_PROTOCOL)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    try:
        tmp.rename(directory)
    except OSError:  # another build wrote the same piece meanwhile: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    piece.directory = str(directory)


# --- all reports, over a process pool -------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One step of the build, for a progress display: ``done`` of ``total`` reports."""

    done: int
    total: int
    cached: int
    failed: int
    file: str
    stage: str = "reports"


def build_pieces(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    on_piece: Callable[[Piece], None] | None = None,
) -> list[Piece]:
    """Every report's piece, in the order of ``jobs``; cached pieces are read in-process,
    the others built over a process pool (both cores by default). ``on_piece`` is called
    with each piece as it is done (the store is loaded meanwhile)."""
    pieces: dict[int, Piece] = {}
    pending: list[int] = []
    counts = {"done": 0, "cached": 0, "failed": 0}

    def finished(index: int, piece: Piece) -> None:
        pieces[index] = piece
        counts["done"] += 1
        counts["cached"] += piece.cached
        counts["failed"] += piece.failed
        if on_piece is not None:
            on_piece(piece)
        if progress is not None:
            progress(
                Progress(counts["done"], len(jobs), counts["cached"], counts["failed"], piece.file)
            )

    for index, job in enumerate(jobs):
        directory = job.cache_root / job.key[:2] / job.key
        if (directory / "piece.pickle").is_file():
            finished(index, build_piece(job))
        else:
            pending.append(index)
    workers = max(1, min(workers or os.cpu_count() or 1, len(pending)))
    if workers == 1:
        for index in pending:
            finished(index, build_piece(jobs[index]))
    elif pending:
        for index, piece in _pool(jobs, pending, workers):
            finished(index, piece)
    return [pieces[index] for index in range(len(jobs))]


def _pool(jobs: Sequence[Job], pending: list[int], workers: int) -> Iterator[tuple[int, Piece]]:
    context = get_context("forkserver")
    context.set_forkserver_preload(["ifrc_kg.pipeline", "ifrc_kg.graph", "ifrc_kg.report"])
    with ProcessPoolExecutor(workers, context, max_tasks_per_child=TASKS_PER_WORKER) as pool:
        queue = list(reversed(pending))
        running: dict[Future[Piece], int] = {}
        try:
            while queue or running:
                while queue and len(running) < workers * 2:  # bounded: memory stays flat
                    index = queue.pop()
                    running[pool.submit(build_piece, jobs[index])] = index
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    index = running.pop(future)
                    yield index, future.result()
        except BrokenProcessPool as error:
            raise BuildError(f"a build worker died (out of memory?): {error}") from error


class ReportsFailed(IfrcKgError):
    """Reports of the corpus did not build; each failure names its file (and line).

    Exit code 2 when a report does not follow the template, else 1 (violations).
    """

    def __init__(self, failures: Sequence[Piece]) -> None:
        self.failures = list(failures)
        self.exit_code = 2 if any(p.error_kind == "format" for p in failures) else 1
        lines = [piece.error or piece.file for piece in failures]
        more = f" (and {len(lines) - 1} more report(s) failed)" if len(lines) > 1 else ""
        super().__init__(lines[0] + more)
