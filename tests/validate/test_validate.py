"""SHACL validation into one typed report; meta-validation; reading RDF files; the CLI.

Hand-written shapes and data keep these tests about the validation machinery; the
project's own shapes against the real graph are tested in ``test_project_shapes.py``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef

from ifrc_kg.cli import main
from ifrc_kg.dumps import turtle
from ifrc_kg.errors import RdfFormatError
from ifrc_kg.validate import (
    check_shapes,
    rdf_format,
    read_rdf,
    skolemised_report,
    source_quote,
    validate,
)

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

ex:shapes a owl:Ontology ;
    sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .

ex:FigureShape a sh:NodeShape ;
    sh:targetClass ex:Figure ;
    sh:property ex:FigureShape-count .
ex:FigureShape-count a sh:PropertyShape ;
    sh:path ex:count ;
    sh:datatype xsd:integer ;
    sh:minCount 1 ;
    sh:minInclusive 0 ;
    sh:message "A count is a whole number, zero or more." .

ex:TotalCheck a sh:NodeShape ;
    sh:targetClass ex:Total ;
    sh:severity sh:Warning ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:prefixes ex:shapes ;
        sh:message "The parts add up to {?sum}, not to the total {?total}." ;
        sh:select \"\"\"SELECT $this ?sum ?total WHERE {
            $this ex:count ?total .
            { SELECT $this (SUM(?c) AS ?sum) WHERE { $this ex:part/ex:count ?c } GROUP BY $this }
            FILTER (?sum != ?total)
        }\"\"\" ;
    ] .
"""

DATA = """
@prefix ex: <http://example.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .

ex:a a ex:Figure ; ex:count 5 ; prov:wasDerivedFrom <http://example.org/a#source> .
<http://example.org/a#source> oa:hasSelector <http://example.org/a#quote> .
<http://example.org/a#quote> oa:exact "5 volunteers" .
ex:b a ex:Figure ; ex:count 7 .
ex:t a ex:Total, ex:Figure ; ex:count 12 ; ex:part ex:a, ex:b .
"""


def shapes() -> Graph:
    return Graph().parse(data=SHAPES, format="turtle")


def data(extra: str = "", replace: tuple[str, str] | None = None) -> Graph:
    text = DATA if replace is None else DATA.replace(*replace)
    return Graph().parse(data=text + extra, format="turtle")


def run(graph: Graph, **kwargs):
    return validate(graph, shapes=shapes(), vocabulary=Graph(), **kwargs)


def test_consistent_data_conforms_with_no_issue() -> None:
    report = run(data())
    assert report.conforms
    assert report.violations == () and report.warnings == ()
    assert report.triples == len(data())
    assert report.integrity and not any(report.integrity.values())


def test_negative_count_is_a_violation_naming_focus_path_shape_and_quote() -> None:
    report = run(data(replace=("ex:count 5 ;", "ex:count -5 ;")))
    assert not report.conforms
    [violation] = [v for v in report.violations if v.focus_node == "http://example.org/a"]
    assert violation.severity == "Violation"
    assert violation.path == "http://example.org/count"
    assert violation.value == "-5"
    assert violation.message == "A count is a whole number, zero or more."
    assert violation.source_shape == "http://example.org/FigureShape-count"
    assert violation.constraint.endswith("MinInclusiveConstraintComponent")
    assert violation.quote == "5 volunteers"


def test_missing_value_is_a_violation() -> None:
    report = run(data(replace=("ex:b a ex:Figure ; ex:count 7 .", "ex:b a ex:Figure .")))
    assert [v.focus_node for v in report.violations] == ["http://example.org/b"]
    assert report.violations[0].constraint.endswith("MinCountConstraintComponent")


def test_warning_is_reported_but_does_not_block() -> None:
    report = run(data(replace=("ex:count 12 ;", "ex:count 13 ;")))
    assert report.conforms
    assert report.violations == ()
    [warning] = report.warnings
    assert warning.severity == "Warning"
    assert warning.focus_node == "http://example.org/t"
    assert warning.message == "The parts add up to 12, not to the total 13."


def test_data_cube_violation_blocks_even_without_shacl_violation() -> None:
    broken = data(
        extra="ex:o a <http://purl.org/linked-data/cube#Observation> .",
    )
    report = run(broken)
    assert report.violations == ()
    assert report.integrity["IC-1"] == ["observation <http://example.org/o> has no qb:dataSet"]
    assert not report.conforms
    assert "IC-1" in report.summary()


def test_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    dataset = Dataset()
    dataset.graph(URIRef("http://example.org/g1")).parse(data=DATA, format="turtle")
    dataset.graph(URIRef("http://example.org/g2")).parse(
        data="<http://example.org/c> a <http://example.org/Figure> .", format="turtle"
    )
    report = run(dataset)
    assert [v.focus_node for v in report.violations] == ["http://example.org/c"]


def test_input_graph_is_not_modified() -> None:
    graph = data()
    before = len(graph)
    run(graph)
    assert len(graph) == before


def test_summary_lists_message_focus_and_quote() -> None:
    text = run(data(replace=("ex:count 5 ;", "ex:count -5 ;"))).summary()
    assert "does NOT conform: 1 SHACL violation(s)" in text
    assert "1. A count is a whole number, zero or more." in text
    assert "focus node: http://example.org/a" in text
    assert "source quote: “5 volunteers”" in text
    assert "all 21 constraints hold" in text


def test_source_quote_follows_provenance() -> None:
    graph = data()
    assert source_quote(graph, URIRef("http://example.org/a")) == "5 volunteers"
    assert source_quote(graph, URIRef("http://example.org/a#quote")) == "5 volunteers"
    assert source_quote(graph, URIRef("http://example.org/b")) is None


def test_report_graph_is_skolemised_deterministically() -> None:
    broken = data(replace=("ex:count 5 ;", "ex:count -5 ;"))
    first = turtle(skolemised_report(run(broken).report_graph, "https://example.org/"))
    second = turtle(skolemised_report(run(broken).report_graph, "https://example.org/"))
    assert first == second
    assert b"_:" not in first
    assert b"https://example.org/.well-known/genid/validation-" in first
    assert b"sh:ValidationResult" in first


# --- meta-validation ----------------------------------------------------------------------


def test_hand_written_shapes_pass_meta_validation() -> None:
    assert check_shapes(shapes()).conforms


def test_broken_shapes_fail_meta_validation() -> None:
    broken = shapes()
    broken.parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:FigureShape-count sh:minCount "one" .""",
        format="turtle",
    )
    report = check_shapes(broken)
    assert not report.conforms
    assert any(v.focus_node == "http://example.org/FigureShape-count" for v in report.violations)


# --- reading files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.ttl", "turtle"),
        ("a.nt", "nt"),
        ("a.jsonld", "json-ld"),
        ("a.trig", "trig"),
        ("a.nq", "nquads"),
        ("a.TTL.gz", "turtle"),
    ],
)
def test_format_from_extension(name: str, expected: str) -> None:
    assert rdf_format(Path(name)) == expected


def test_unknown_extension_is_a_typed_error() -> None:
    with pytest.raises(RdfFormatError, match=r"a\.csv: unknown RDF file extension"):
        rdf_format(Path("a.csv"))


def test_read_rdf_keeps_named_graphs_and_reads_gzip(tmp_path: Path) -> None:
    trig = tmp_path / "x.trig.gz"
    trig.write_bytes(
        gzip.compress(
            b"<http://example.org/g> { <http://example.org/s> a <http://example.org/C> . }"
        )
    )
    nt = tmp_path / "y.nt"
    nt.write_text('<http://example.org/s2> <http://example.org/p> "v" .\n')
    dataset = read_rdf([trig, nt])
    named = dataset.graph(URIRef("http://example.org/g"))
    assert len(named) == 1
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == 2


def test_syntax_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/s> <http://example.org/p> .\n")
    with pytest.raises(RdfFormatError, match=r"bad\.ttl: cannot read as turtle"):
        read_rdf([bad])


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RdfFormatError, match=r"nope\.ttl: cannot read the file"):
        read_rdf([tmp_path / "nope.ttl"])


# --- the validate command --------------------------------------------------------------------


@pytest.fixture
def cli_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the command at the hand-written shapes and an empty vocabulary."""
    import ifrc_kg.validate as module

    monkeypatch.setattr(module, "shapes_graph", lambda directory=None: shapes())
    monkeypatch.setattr(module, "vocabulary_graph", lambda directory=None: Graph())
    return tmp_path


def test_cli_conforming_file_exits_0(cli_shapes: Path) -> None:
    good = cli_shapes / "good.ttl"
    good.write_text(DATA.replace("ex:count 12 ;", "ex:count 13 ;"))
    result = CliRunner().invoke(main, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "conforms: 0 SHACL violation(s)" in result.output
    assert "The parts add up to 12, not to the total 13." in result.output


def test_cli_violating_file_exits_1(cli_shapes: Path) -> None:
    bad = cli_shapes / "bad.nt"
    data(replace=("ex:count 5 ;", "ex:count -5 ;")).serialize(bad, format="nt", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "A count is a whole number, zero or more." in result.output


@pytest.mark.parametrize("content", ["<broken", None])
def test_cli_unreadable_file_exits_2_with_one_line(cli_shapes: Path, content: str | None) -> None:
    path = cli_shapes / "unreadable.ttl"
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ")


def test_a_remote_jsonld_context_is_never_fetched(tmp_path: Path) -> None:
    """rdflib would fetch it; validation refuses it in one line and touches no network."""
    from tests.network import recorded_network_attempts

    document = tmp_path / "remote.jsonld"
    document.write_text(
        '{"@context": ["http://127.0.0.2:9/context.jsonld", {"ex": "http://ex/"}],'
        ' "@id": "ex:a", "ex:p": "x"}'
    )
    nested = tmp_path / "nested.jsonld"
    nested.write_text('{"@context": {"@import": "https://example.org/ctx"}, "@id": "http://ex/a"}')
    with recorded_network_attempts() as attempts:
        for path in (document, nested):
            with pytest.raises(RdfFormatError, match="not a local file: remote contexts"):
                read_rdf([path])
    assert attempts == []


def test_a_local_jsonld_context_is_read_from_beside_the_document(tmp_path: Path) -> None:
    (tmp_path / "context.jsonld").write_text('{"@context": {"name": "http://schema.org/name"}}')
    document = tmp_path / "data.jsonld"
    document.write_text('{"@context": "context.jsonld", "@id": "http://ex/a", "name": "A"}')
    dataset = read_rdf([document])
    names = [str(o) for o in dataset.objects(None, URIRef("http://schema.org/name"))]
    assert names == ["A"]
