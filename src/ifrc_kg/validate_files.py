"""``ifrc-kg validate`` over files of any size: parsed as a stream, validated a report at a time.

Holding a corpus dump whole in rdflib takes about 2 GiB per million triples, and pySHACL
copies it again. Instead the files are parsed as a stream (``quad_stream``: pyoxigraph's
parsers, which keep every literal as written; its store would not: it stores
``xsd:positiveInteger`` as ``xsd:integer``) and each named graph is spilled to an N-Triples
file of its own on disk. A named graph that holds a report (``ifrckg:AnnualReport``) is then
validated with the graphs that hold none (reference entities, vocabulary, findings, the
default graph), as the build validates each report; the results are merged, each issue once.
So memory follows the largest report graph plus the shared graphs, not the input. A
constraint that spans two report graphs is not seen, as in the build (README, "The corpus
build"). An input of plain triples (``graph.nt``, ``graph.ttl``, ``graph.jsonld``) has no
graphs to split on: it is split by subject instead (``split_by_subject``), into the same units.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ifrc_kg import validate as validation
from ifrc_kg.namespaces import IFRCKG
from ifrc_kg.quad_stream import quads
from ifrc_kg.split_by_subject import SHARED, SubjectSplit, object_of
from ifrc_kg.validate import ValidationIssue, ValidationReport, rdf_format

log = logging.getLogger(__name__)

REPORT_TYPE = f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{IFRCKG.AnnualReport}>"
BUFFER_LINES = 20_000  # per graph, before it is appended to its file
BUCKETS = 64  # the distinct-triple count reads one bucket of the input at a time


@dataclass(frozen=True)
class StreamedValidation:
    """The merged report, and how the input was cut (the largest unit bounds the memory)."""

    report: ValidationReport
    units: int
    largest_unit_triples: int


class _Spill:
    """Each graph's triples as N-Triples lines in a file of its own; every quad also in one
    of ``BUCKETS`` files by its subject, to count distinct triples and find the subjects
    that several report graphs describe, one bucket in memory at a time."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, Path] = {}  # graph name ("" the default graph) → file
        self.buffers: dict[str, list[str]] = {}
        self.buckets: list[list[str]] = [[] for _ in range(BUCKETS)]
        self.report_graphs: set[str] = set()
        self.reports: set[str] = set()  # the subjects typed as reports
        self.blank_referrers: dict[str, set[str]] = {}  # blank node → subjects pointing to it

    def add(self, quad: ox.Quad) -> None:
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        subject = str(quad.subject)
        line = f"{subject} {quad.predicate} {quad.object} .\n"
        if line.endswith(f"{REPORT_TYPE} .\n"):
            self.reports.add(subject)
            if graph:  # the default graph is split by subject when no named graph holds one
                self.report_graphs.add(graph)
        if isinstance(quad.object, ox.BlankNode):
            self.blank_referrers.setdefault(str(quad.object), set()).add(subject)
        buffer = self.buffers.setdefault(graph, [])
        buffer.append(line)
        if len(buffer) >= BUFFER_LINES:
            self._flush(graph)
        number = hash(subject) % BUCKETS
        self.buckets[number].append(f"{graph}\t{line}")
        if len(self.buckets[number]) >= BUFFER_LINES:
            self._flush_bucket(number)

    def _flush(self, graph: str) -> None:
        path = self.files.setdefault(graph, self.directory / f"graph-{len(self.files)}.nt")
        with path.open("a", encoding="utf-8") as out:
            out.writelines(self.buffers[graph])
        self.buffers[graph] = []

    def _flush_bucket(self, number: int) -> None:
        with (self.directory / f"bucket-{number}.txt").open("a", encoding="utf-8") as out:
            out.writelines(self.buckets[number])
        self.buckets[number] = []

    def close(self) -> tuple[int, set[str], set[str]]:
        """Write out what is buffered. Returns the number of distinct triples; the subjects
        (as N-Triples terms) that more than one report graph describes; and those that one
        report graph and a shared graph describe (an operation the reference graph types)."""
        for graph in list(self.buffers):
            self._flush(graph)
        triples, shared, anchored = 0, set(), set()
        for number in range(BUCKETS):
            self._flush_bucket(number)
            graphs_of: dict[str, set[str]] = {}
            distinct = set()
            with (self.directory / f"bucket-{number}.txt").open(encoding="utf-8") as lines:
                for entry in lines:
                    graph, line = entry.split("\t", 1)
                    distinct.add(line)
                    graphs_of.setdefault(line.split(" ", 1)[0], set()).add(graph)
            triples += len(distinct)
            for subject, graphs in graphs_of.items():
                reports = len(graphs & self.report_graphs)
                if reports > 1:
                    shared.add(subject)
                elif reports and len(graphs) > 1:
                    anchored.add(subject)
        return triples, shared, anchored


def _graph(files: Iterable[Path], into: Graph | None = None) -> Graph:
    graph = into if into is not None else Graph()
    for path in files:
        graph.parse(path, format="nt")
    return graph


def _merge(reports: list[ValidationReport], triples: int) -> ValidationReport:
    issues: set[ValidationIssue] = set()
    integrity: dict[str, set[str]] = {}
    for report in reports:
        issues.update(report.violations, report.warnings, report.infos)
        for ic_id, messages in report.integrity.items():
            integrity.setdefault(ic_id, set()).update(messages)
    merged = {ic_id: sorted(messages) for ic_id, messages in integrity.items()}
    return ValidationReport.of(issues, merged, triples)


def _subjects(graph: Graph) -> set[str]:
    return {subject.n3() for subject in graph.subjects(unique=True)}


def _lines_about(files: list[Path], subjects: set[str], out: Path, hops: int = 2) -> Path:
    """Into ``out``: the triples of ``files`` about ``subjects``, and about the nodes those
    triples point to, ``hops`` steps out (a shape checks the class of a linked node)."""
    found: set[str] = set()
    wanted, seen = set(subjects), set()
    for _ in range(hops + 1):
        targets: set[str] = set()
        for path in files:
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    if line.partition(" ")[0] in wanted:
                        found.add(line)
                        node = object_of(line)
                        if node.startswith(("<", "_:")):
                            targets.add(node)
        seen |= wanted
        wanted = targets - seen
    out.write_text("".join(sorted(found)), encoding="utf-8")
    return out


def _focus_nodes(report: ValidationReport) -> set[str]:
    issues = (*report.violations, *report.warnings, *report.infos)
    return {f"<{issue.focus_node}>" for issue in issues}


def _kept(report: ValidationReport, keep: Callable[[str], bool]) -> ValidationReport:
    """The report with only the issues whose focus node ``keep`` accepts."""
    return ValidationReport(
        conforms=report.conforms,
        violations=tuple(i for i in report.violations if keep(f"<{i.focus_node}>")),
        warnings=tuple(i for i in report.warnings if keep(f"<{i.focus_node}>")),
        infos=tuple(i for i in report.infos if keep(f"<{i.focus_node}>")),
        integrity=report.integrity,
        triples=report.triples,
    )


def validate_files(
    paths: Iterable[Path], *, data_cube: bool = True, scratch: Path | None = None
) -> StreamedValidation:
    """Validate RDF files (format from each extension, ``.gz`` too) a report graph at a
    time; ``scratch``: where the spilled graphs go (default: a temporary directory).

    Each unit keeps the issues about the nodes its report graph describes and about nodes
    no report graph describes (a country of the reference graph: the same issue from every
    unit, kept once). A node that a report graph and a shared graph describe is the report
    unit's alone (another unit sees only the shared part of it); a node that several report
    graphs describe (an operation two reports name), or, in plain triples, a shared node that
    points into reports and that some unit found fault with, is validated once more with all
    its statements and those of the nodes it points to, and its issues come from that unit
    alone."""
    with tempfile.TemporaryDirectory(prefix="ifrc-kg-validate-", dir=scratch) as directory:
        spill = _Spill(Path(directory))
        for path in paths:
            rdf_format(path)  # an unknown extension is an error before anything is read
            for quad in quads(path):
                spill.add(quad)
        triples, shared_subjects, anchored = spill.close()
        files, report_units, links = spill.files, spill.report_graphs, {}
        if not report_units and spill.reports:  # plain triples: split by subject
            split = SubjectSplit(spill.reports, spill.blank_referrers)
            files, links = split.route(spill.files.values(), Path(directory))
            report_units = set(files) - {SHARED}
        linked = set(links)  # plain triples: shared nodes that point into reports
        elsewhere = shared_subjects | linked  # their issues come from the last unit alone
        shared = [file for unit, file in files.items() if unit not in report_units]
        units = [files[unit] for unit in sorted(report_units)]
        shapes, vocabulary = validation.shapes_graph(), validation.vocabulary_graph()
        context = _graph(shared)
        log.info("validating %d report unit(s) with %d shared triples", len(units), len(context))

        def check(unit: Graph, use_data_cube: bool) -> tuple[ValidationReport, int]:
            data = Graph()
            data += context
            data += unit
            found = validation.validate(
                data, shapes=shapes, vocabulary=vocabulary, data_cube=use_data_cube
            )
            return found, len(data)

        kept, largest, flagged = [], 0, set()
        for path in units:
            unit = _graph([path])
            own = _subjects(unit)
            found, size = check(unit, data_cube)
            largest = max(largest, size)
            flagged |= _focus_nodes(found) & linked
            kept.append(
                _kept(
                    found,
                    lambda node, own=own: (
                        node not in elsewhere and (node in own or node not in anchored)
                    ),
                )
            )
        if not units:
            found, largest = check(Graph(), data_cube)
            kept.append(found)
        # Checked once more with what they point to: nodes several report graphs describe
        # (and those nodes' neighbours, two steps out); shared nodes of plain triples that a
        # report unit found fault with (and the report nodes they point to, one step out).
        recheck = shared_subjects | flagged
        if recheck:
            seeds = shared_subjects | {node for subject in flagged for node in links[subject]}
            hops = 2 if shared_subjects else 1
            about = _lines_about(units, seeds, Path(directory) / "elsewhere.nt", hops)
            found, size = check(_graph([about]), False)
            largest = max(largest, size)
            kept.append(_kept(found, lambda node: node in recheck))
        report = _merge(kept, triples)
    log.info("validation %s", report.headline())
    return StreamedValidation(report, max(1, len(units)), largest)
