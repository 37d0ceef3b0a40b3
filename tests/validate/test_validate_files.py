"""``ifrc-kg validate`` streams: a corpus dump of several reports, with faults put into two of
its report graphs, gives the same findings, a report graph at a time, as validating the whole
dataset in one rdflib graph. (Its memory is measured in ``bench/validate_files.py``.)"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.network import recorded_network_attempts

from ifrc_kg.cli import main
from ifrc_kg.errors import RdfFormatError
from ifrc_kg.validate import read_rdf, validate
from ifrc_kg.validate_files import validate_files

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


def test_streamed_validation_equals_the_whole_graph_validation(faulty: Path) -> None:
    gzipped = faulty.with_suffix(".nq.gz")
    gzipped.write_bytes(gzip.compress(faulty.read_bytes()))
    with recorded_network_attempts() as attempts:
        streamed = validate_files([gzipped])
    assert attempts == []
    whole = validate(read_rdf([faulty]))
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
