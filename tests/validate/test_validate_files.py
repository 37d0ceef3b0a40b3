"""``ifrc-kg validate`` streams: a corpus dump of several reports, with faults put into two of
its report graphs, gives the same findings, a report at a time, as validating the whole
dataset in one rdflib graph: from N-Quads (a unit per named graph) and from plain triples,
N-Triples, Turtle and JSON-LD (split by subject). (Its memory is measured in
``bench/validate_files.py``.)"""

from __future__ import annotations

import gzip
import json
import re
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from tests.network import recorded_network_attempts

from ifrc_kg.cli import main
from ifrc_kg.dumps import streaming_profile
from ifrc_kg.errors import RdfFormatError
from ifrc_kg.quad_stream import _streaming_profile, quads
from ifrc_kg.validate import ValidationReport, read_rdf, validate
from ifrc_kg.validate_files import StreamedValidation, validate_files

LINE_START = re.compile(r'(core#lineStart> )"(\d+)"(\^\^<[^>]+#integer> <[^>]+/graph/ner/)')
PEOPLE = re.compile(r'(core#peopleReached> )"(\d+)"(\^\^<[^>]+> <[^>]+/graph/mli/2024>)')


def _faulty(dist: Path, out: Path) -> Path:
    """The build's N-Quads with a line number of 0 in the Niger report (lines count
    from 1) and a second people-reached figure on one Mali 2024 observation."""
    text = (dist / "graph.nq").read_text(encoding="utf-8")
    text, zeroed = LINE_START.subn(r'\1"0"\3', text, count=1)
    people = PEOPLE.search(text)
    assert zeroed == 1 and people is not None
    doubled = people.group(0).replace(f'"{people.group(2)}"', '"12345"')
    line = text[text.rindex("\n", 0, people.start()) + 1 : people.start()] + doubled + " .\n"
    out.write_text(text + line, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def faulty(multi_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _faulty(multi_dist, tmp_path_factory.mktemp("faulty") / "graph.nq")


@pytest.fixture(scope="module")
def whole(faulty: Path) -> ValidationReport:
    """The faulty dataset validated whole, in one rdflib graph."""
    return validate(read_rdf([faulty]))


def _assert_same(streamed: StreamedValidation, whole: ValidationReport) -> None:
    assert streamed.units == 3  # Mali 2023, Mali 2024, Niger 2024: one at a time
    assert streamed.largest_unit_triples < whole.triples
    report = streamed.report
    assert not whole.conforms and not report.conforms
    assert report.violations == whole.violations
    assert any("/ner/2024/" in v.focus_node for v in report.violations)
    assert any("/mli/2024/" in v.focus_node for v in report.violations)
    assert report.warnings == whole.warnings and report.warnings
    assert report.infos == whole.infos
    assert report.integrity == whole.integrity
    assert report.triples == whole.triples
    assert report.summary() == whole.summary()


def test_streamed_validation_equals_the_whole_graph_validation(
    faulty: Path, whole: ValidationReport
) -> None:
    gzipped = faulty.with_suffix(".nq.gz")
    gzipped.write_bytes(gzip.compress(faulty.read_bytes()))
    with recorded_network_attempts() as attempts:
        streamed = validate_files([gzipped])
    assert attempts == []
    _assert_same(streamed, whole)


@pytest.mark.parametrize("name", ["graph.nt.gz", "graph.ttl"])
def test_plain_triples_are_split_by_report_with_the_same_results(
    faulty: Path, whole: ValidationReport, tmp_path: Path, name: str
) -> None:
    """No named graphs to split on: the same faulty data as triples, cut by subject."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads(faulty)]
    rdf_format = ox.RdfFormat.N_TRIPLES if ".nt" in name else ox.RdfFormat.TURTLE
    data = ox.serialize(triples, format=rdf_format, prefixes={"ex": "https://w3id.org/ifrc-kg/"})
    (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    streamed = validate_files([tmp_path / name])
    _assert_same(streamed, whole)
    assert streamed.largest_unit_triples < whole.triples / 2


def test_the_builds_json_ld_gives_what_its_n_quads_give(multi_dist: Path) -> None:
    with recorded_network_attempts() as attempts:
        from_json_ld = validate_files([multi_dist / "graph.jsonld.gz"])
    assert attempts == []
    from_quads = validate_files([multi_dist / "graph.nq"])
    assert from_json_ld.units == from_quads.units == 3
    assert from_json_ld.report == from_quads.report
    assert from_json_ld.report.warnings and from_json_ld.report.triples > 50_000


def test_the_builds_json_ld_is_in_the_streaming_profile(multi_dist: Path, tmp_path: Path) -> None:
    """The build writes ``graph.jsonld`` in the streaming profile (parsed as a stream); the same
    nodes with their keys sorted are not (parsed with the ``@graph`` held) and give the same
    triples."""
    build = multi_dist / "graph.jsonld"
    document = json.loads(build.read_text(encoding="utf-8"))
    sorted_keys = tmp_path / "sorted.jsonld"
    sorted_keys.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")
    assert _streaming_profile(build) and not _streaming_profile(sorted_keys)
    assert streaming_profile(document) == document
    triples = {(q.subject, q.predicate, q.object) for q in quads(build)}
    assert {(q.subject, q.predicate, q.object) for q in quads(sorted_keys)} == triples
    assert len(triples) > 50_000


def _document(multi_dist: Path, context: object, out: Path) -> Path:
    """The build's JSON-LD with its inline ``@context`` replaced by ``context``."""
    document = json.loads((multi_dist / "graph.jsonld").read_text(encoding="utf-8"))
    document["@context"] = context
    out.write_text(json.dumps(document), encoding="utf-8")
    return out


def test_a_json_ld_context_in_a_local_file_is_read_from_it(
    multi_dist: Path, tmp_path: Path
) -> None:
    (tmp_path / "context.jsonld").write_bytes((multi_dist / "context.jsonld").read_bytes())
    named = _document(multi_dist, "context.jsonld", tmp_path / "named.jsonld")
    inline = {(q.subject, q.predicate, q.object) for q in quads(multi_dist / "graph.jsonld")}
    assert {(q.subject, q.predicate, q.object) for q in quads(named)} == inline
    assert len(inline) > 50_000


@pytest.mark.parametrize(
    "context",
    [
        "http://127.0.0.1:{port}/context.jsonld",
        ["http://127.0.0.1:{port}/context.jsonld"],
        {"@version": 1.1, "@import": "http://127.0.0.1:{port}/context.jsonld"},
        {"p": {"@id": "http://ex/p", "@context": "http://127.0.0.1:{port}/c"}},
    ],
    ids=["string", "list", "import", "scoped"],
)
def test_a_remote_json_ld_context_is_refused_without_a_connection(
    multi_dist: Path, tmp_path: Path, context: object
) -> None:
    """A listening socket on 127.0.0.1 sees no connection; nothing else is tried."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        port = listener.getsockname()[1]
        remote = json.loads(json.dumps(context).replace("{port}", str(port)))
        document = _document(multi_dist, remote, tmp_path / "remote.jsonld")
        with recorded_network_attempts() as attempts, pytest.raises(RdfFormatError) as refused:
            validate_files([document])
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert attempts == []
    assert "remote.jsonld" in str(refused.value)
    assert "remote contexts are not fetched" in str(refused.value)


def test_a_context_reference_the_pre_scan_misses_is_still_refused(tmp_path: Path) -> None:
    """``\\u0040context`` is ``@context`` to JSON: pyoxigraph, which has no loader, refuses it."""
    document = tmp_path / "escaped.jsonld"
    document.write_text(
        '{"\\u0040context": "http://127.0.0.1:9/c", "@id": "http://ex/s", "http://ex/p": "x"}'
    )
    with pytest.raises(RdfFormatError, match=r"escaped\.jsonld: .*remote contexts are not fetched"):
        validate_files([document])


def test_the_command_streams_and_reports_in_one_summary(faulty: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(faulty)])
    assert result.exit_code == 1, result.output
    assert "does NOT conform" in result.output
    assert "lineStart" in result.output


def test_a_syntax_error_deep_in_a_stream_names_file_and_line(tmp_path: Path) -> None:
    quads = tmp_path / "cut.nq"
    good = "<http://ex/s> <http://ex/p> <http://ex/o> <http://ex/g> .\n"
    quads.write_text(good * 5000 + "<http://ex/s> <http://ex/p> oops <http://ex/g> .\n", "utf-8")
    with pytest.raises(RdfFormatError, match=r"cut\.nq: cannot read as nquads: .*line 5001"):
        validate_files([quads])
