"""The published build: files, checksums, VoID/DCAT, dumps, determinism and atomicity."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, QB, RDF, RDFS, SH, VOID, XSD
from tests import variants
from tests.publish.conftest import EPOCH, Published, copy_reports, snapshot
from tests.variants import mali_text

from ifrc_kg.cli import main
from ifrc_kg.config import DEFAULT_BASE, artefact_dir
from ifrc_kg.errors import BuildError
from ifrc_kg.namespaces import DCAT, SPDX
from ifrc_kg.publish import build, build_time

DUMPS = ["graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "graph.nq"]
GRAPHS = {
    f"{DEFAULT_BASE}graph/vocabulary",
    f"{DEFAULT_BASE}graph/reference",
    f"{DEFAULT_BASE}graph/mli/2023",
    f"{DEFAULT_BASE}graph/findings",
    f"{DEFAULT_BASE}graph/labels",
}
FORMATS = {
    "graph.ttl": "turtle",
    "graph.nt": "nt",
    "graph.jsonld": "json-ld",
    "graph.trig": "trig",
    "graph.nq": "nquads",
}


def files_of(directory: Path) -> set[str]:
    """The published files (not the RocksDB files of the on-disk store)."""
    names = {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}
    return {name for name in names if not name.startswith("store/")}


def artefacts(name: str) -> set[str]:
    root = artefact_dir(name)
    return {f"{name}/{p.relative_to(root).as_posix()}" for p in root.rglob("*") if p.is_file()}


def union_of(path: Path) -> Graph:
    dataset = Dataset()
    dataset.parse(path, format=FORMATS[path.name])
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


@pytest.fixture(scope="module")
def reference_graph(published: Published) -> Graph:
    return Graph().parse(published.out / "graph.nt", format="nt")


# --- the files ------------------------------------------------------------------------------


def test_every_file_is_present(published: Published) -> None:
    expected = {
        *DUMPS,
        *(f"{name}.gz" for name in DUMPS),
        "context.jsonld",
        "void.ttl",
        "SHA256SUMS",
        "validation.ttl",
        "validation.html",
        "validation.txt",
        "coverage.txt",
        "manifest.json",
        "links.nt",
        "links-report.txt",
        "figures.csv",
        "figures.hxl.csv",
        "figures-mli-2023.csv",
        "figures-mli-2023.hxl.csv",
        "reports/ifrc-network-annual-report-mali-2023.txt",
        "reports/mli-2023.ttl",
        "reports/mli-2023.jsonld",
        "reports/mli-2023.nq",
        "search.sqlite",
        *artefacts("ontology"),
        *artefacts("shapes"),
    }
    assert files_of(published.out) == expected
    assert (published.out / "store" / "CURRENT").is_file(), "the on-disk store for serve"
    assert "ontology/core.ttl" in expected and "shapes/shapes.ttl" in expected


def test_artefacts_are_copied_verbatim(published: Published) -> None:
    for name in ("ontology", "shapes"):
        for relative in artefacts(name):
            source = artefact_dir(name) / relative.split("/", 1)[1]
            assert (published.out / relative).read_bytes() == source.read_bytes()
    text = published.out / "reports/ifrc-network-annual-report-mali-2023.txt"
    assert text.read_bytes() == (published.reports / text.name).read_bytes()
    context = artefact_dir("ontology") / "context.jsonld"
    assert (published.out / "context.jsonld").read_bytes() == context.read_bytes()


def test_sha256sums_cover_every_other_file_and_match(published: Published) -> None:
    lines = (published.out / "SHA256SUMS").read_text().splitlines()
    sums = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(sums) == files_of(published.out) - {"SHA256SUMS"}
    for path, digest in sums.items():
        assert hashlib.sha256((published.out / path).read_bytes()).hexdigest() == digest, path
    assert lines == sorted(lines, key=lambda line: line.split("  ", 1)[1])


def test_sha256sum_tool_accepts_the_file(published: Published) -> None:
    tool = shutil.which("sha256sum")
    if tool is None:
        pytest.skip("sha256sum (coreutils) is not installed")
    result = subprocess.run(
        [tool, "--check", "--strict", "SHA256SUMS"],
        cwd=published.out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", DUMPS)
def test_gzip_twin_holds_the_same_bytes_with_no_timestamp(published: Published, name: str) -> None:
    packed = (published.out / f"{name}.gz").read_bytes()
    assert gzip.decompress(packed) == (published.out / name).read_bytes()
    assert packed[4:8] == b"\x00\x00\x00\x00"  # MTIME field of the gzip header (RFC 1952)


def test_manifest_describes_the_build(published: Published, reference_graph: Graph) -> None:
    manifest = json.loads((published.out / "manifest.json").read_text())
    assert manifest["built"] == "2024-09-03T00:00:00Z"
    assert manifest["base"] == DEFAULT_BASE
    assert manifest["version"] == "0.1.0"
    assert manifest["triples"] == len(reference_graph)
    assert manifest["reports"] == [
        {
            "iri": f"{DEFAULT_BASE}id/report/mli/2023",
            "graph": f"{DEFAULT_BASE}graph/mli/2023",
            "country": "Mali",
            "iso3": "MLI",
            "year": 2023,
            "kind": "annual",
            "title": "2023 IFRC network annual report, Jan-Dec",
            "file": "ifrc-network-annual-report-mali-2023.txt",
            "lines": 288,
            "lines_read": 288,
            "period_start": "2023-01-01",
            "period_end": "2023-12-31",
        }
    ]
    assert manifest["failures"] == []
    assert manifest["violations"] == 0
    assert manifest["warnings"] == len(published.result.report.warnings) > 0
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == files_of(published.out) - {"manifest.json", "SHA256SUMS"}
    for path, entry in listed.items():
        data = (published.out / path).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert listed["graph.ttl"]["media_type"] == "text/turtle"
    assert listed["graph.nt.gz"]["media_type"] == "application/gzip"
    assert listed["graph.jsonld"]["media_type"] == "application/ld+json"
    assert listed["validation.html"]["media_type"] == "text/html"


def test_the_real_graph_has_no_violation(published: Published) -> None:
    report = published.result.report
    assert report.conforms
    assert report.violations == ()
    assert report.integrity and not any(report.integrity.values())


# --- void.ttl -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def void(published: Published) -> Graph:
    return Graph().parse(published.out / "void.ttl", format="turtle")


def test_void_counts_the_triples(void: Graph, published: Published, reference_graph: Graph) -> None:
    catalog = URIRef(f"{DEFAULT_BASE}id/dataset")
    assert (catalog, RDF.type, DCAT.Catalog) in void
    assert void.value(catalog, VOID.triples).toPython() == len(reference_graph)
    quads = Dataset().parse(published.out / "graph.nq", format="nquads")
    report_dataset = URIRef(f"{DEFAULT_BASE}id/dataset/mli/2023")
    named = quads.graph(URIRef(f"{DEFAULT_BASE}graph/mli/2023"))
    assert (catalog, DCAT.dataset, report_dataset) in void
    assert void.value(report_dataset, VOID.triples).toPython() == len(named)
    cubes = set(named.subjects(RDF.type, QB.DataSet))
    assert len(cubes) > 5
    assert set(void.objects(report_dataset, DCTERMS.hasPart)) == cubes


def test_void_partitions_match_the_graph(void: Graph, reference_graph: Graph) -> None:
    catalog = URIRef(f"{DEFAULT_BASE}id/dataset")
    observations = set(reference_graph.subjects(RDF.type, QB.Observation))
    [partition] = [
        p
        for p in void.objects(catalog, VOID.classPartition)
        if void.value(p, VOID["class"]) == QB.Observation
    ]
    assert void.value(partition, VOID.entities).toPython() == len(observations) > 0
    [labels] = [
        p
        for p in void.objects(catalog, VOID.propertyPartition)
        if void.value(p, VOID.property) == RDF.type
    ]
    assert void.value(labels, VOID.triples).toPython() == len(
        list(reference_graph.triples((None, RDF.type, None)))
    )
    assert URIRef(str(QB)) in set(void.objects(catalog, VOID.vocabulary))


@pytest.mark.parametrize("name", [*DUMPS, *(f"{d}.gz" for d in DUMPS)])
def test_void_distribution_has_size_checksum_type_and_url(
    void: Graph, published: Published, name: str
) -> None:
    distribution = URIRef(f"{DEFAULT_BASE}id/distribution/{name}")
    data = (published.out / name).read_bytes()
    assert (URIRef(f"{DEFAULT_BASE}id/dataset"), DCAT.distribution, distribution) in void
    assert void.value(distribution, DCAT.byteSize) == Literal(len(data), datatype=XSD.integer)
    checksum = void.value(distribution, SPDX.checksum)
    assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
    assert void.value(distribution, DCAT.downloadURL) == URIRef(f"{DEFAULT_BASE}dumps/{name}")
    media = str(void.value(distribution, DCAT.mediaType))
    assert media.startswith("https://www.iana.org/assignments/media-types/")
    inner = name.removesuffix(".gz").rsplit(".", 1)[1]
    expected = {
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "jsonld": "application/ld+json",
        "trig": "application/trig",
        "nq": "application/n-quads",
    }[inner]
    assert media.endswith(expected)
    compressed = void.value(distribution, DCAT.compressFormat)
    assert (compressed is not None) == name.endswith(".gz")


def test_void_describes_the_linksets_of_links_nt(void: Graph, published: Published) -> None:
    """Each linkset of void.ttl counts its triples in links.nt (issue 5: a VoID linkset per
    target dataset, with its link predicate and count)."""
    links = Graph().parse(published.out / "links.nt", format="nt")
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert linksets
    for linkset in linksets:
        predicate = void.value(linkset, VOID.linkPredicate)
        counted = int(void.value(linkset, VOID.triples))
        target = void.value(void.value(linkset, VOID.objectsTarget), VOID.uriSpace)
        in_links = [o for o in links.objects(None, predicate) if str(o).startswith(str(target))]
        assert counted == len(in_links) > 0, (predicate, target)


def test_void_names_endpoint_uri_space_rights_and_dates(void: Graph) -> None:
    catalog = URIRef(f"{DEFAULT_BASE}id/dataset")
    assert void.value(catalog, VOID.sparqlEndpoint) == URIRef(f"{DEFAULT_BASE}sparql")
    assert str(void.value(catalog, VOID.uriSpace)) == f"{DEFAULT_BASE}id/"
    rights = void.value(catalog, DCTERMS.rights)
    label = str(void.value(rights, RDFS.label))
    assert "IFRC" in label and "MIT" in label
    modified = void.value(catalog, DCTERMS.modified)
    assert modified.toPython().isoformat() == "2024-09-03T00:00:00+00:00"
    assert all(isinstance(t, URIRef) for t in void.subjects()), "no blank nodes"


# --- the dumps ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["graph.ttl", "graph.jsonld", "graph.trig", "graph.nq"])
def test_dumps_are_isomorphic_to_the_ntriples(
    published: Published, reference_graph: Graph, name: str
) -> None:
    assert isomorphic(union_of(published.out / name), reference_graph)


@pytest.mark.parametrize("name", ["graph.trig", "graph.nq"])
def test_trig_and_nquads_keep_the_named_graphs(published: Published, name: str) -> None:
    dataset = Dataset().parse(published.out / name, format=FORMATS[name])
    sizes = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert set(sizes) == GRAPHS
    assert sizes[f"{DEFAULT_BASE}graph/mli/2023"] > 1000


def test_trig_and_nquads_hold_the_same_quads(published: Published) -> None:
    trig = Dataset().parse(published.out / "graph.trig", format="trig")
    nquads = Dataset().parse(published.out / "graph.nq", format="nquads")
    for iri in GRAPHS:
        assert isomorphic(trig.graph(URIRef(iri)), nquads.graph(URIRef(iri))), iri


def test_ntriples_and_nquads_hold_each_statement_once(published: Published) -> None:
    """No global sort (the dumps are concatenations: head, then each report), but a set: no
    line twice, and the report's graph comes after the shared graphs."""
    for name in ("graph.nt", "graph.nq"):
        lines = (published.out / name).read_bytes().splitlines()
        assert len(lines) == len(set(lines)) > 1000
    quads = (published.out / "graph.nq").read_bytes().splitlines()
    report = f" <{DEFAULT_BASE}graph/mli/2023> .".encode()
    first = next(i for i, line in enumerate(quads) if line.endswith(report))
    vocabulary = f" <{DEFAULT_BASE}graph/vocabulary> .".encode()
    assert all(not line.endswith(vocabulary) for line in quads[first:])


def test_jsonld_is_valid_jsonld_11_and_expands_to_the_same_graph(
    published: Published, reference_graph: Graph
) -> None:
    """pyld (the JSON-LD 1.1 reference algorithms) expands it with no remote context."""
    from pyld import jsonld

    document = json.loads((published.out / "graph.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["@version"] == 1.1
    expanded = jsonld.expand(document)
    assert expanded and all("@id" in node for node in expanded)
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), reference_graph)


def test_jsonld_uses_the_short_keys_of_the_context(published: Published) -> None:
    document = json.loads((published.out / "graph.jsonld").read_text(encoding="utf-8"))
    [report] = [n for n in document["@graph"] if n["id"] == f"{DEFAULT_BASE}id/report/mli/2023"]
    assert report["appealCode"] == "MAAML002"
    assert "type" in report


def test_no_blank_nodes_in_the_dumps(published: Published) -> None:
    assert b"_:" not in (published.out / "graph.nt").read_bytes()


# --- validation files ---------------------------------------------------------------------------


def test_validation_report_files(published: Published) -> None:
    report = published.result.report
    graph = Graph().parse(published.out / "validation.ttl", format="turtle")
    [shacl_report] = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(shacl_report, SH.conforms).toPython() is True
    assert len(list(graph.objects(shacl_report, SH.result))) == len(report.warnings)
    text = (published.out / "validation.txt").read_text(encoding="utf-8")
    page = (published.out / "validation.html").read_text(encoding="utf-8")
    assert text.startswith("ifrc-kg validation report, build of 2024-09-03T00:00:00Z")
    assert "Violations (0)" in text and "all 21 constraints hold" in text
    for warning in report.warnings:
        assert warning.message in text
        assert warning.focus_node in text and warning.focus_node in page
    quoted = [w for w in report.warnings if w.quote]
    assert quoted, "warnings about report figures carry their source quote"
    assert f"source quote: “{quoted[0].quote}”" in text
    assert page.startswith("<!DOCTYPE html>") and "<h2>Warnings (" in page


# --- determinism ------------------------------------------------------------------------------


def test_build_time_comes_from_source_date_epoch_or_newest_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = tmp_path / "a.txt", tmp_path / "b.txt"
    old.write_text("a")
    new.write_text("b")
    os.utime(old, (1_600_000_000, 1_600_000_000))
    os.utime(new, (1_700_000_000.7, 1_700_000_000.7))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_time([old, new]).isoformat() == "2023-11-14T22:13:20+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert build_time([old, new]).isoformat() == "2024-09-03T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH"):
        build_time([old])


def test_rebuild_in_another_process_is_byte_identical_and_replaces_the_old_build(
    published: Published, tmp_path: Path
) -> None:
    """The CLI in a fresh interpreter (another hash seed) over a copy of the first build."""
    out = tmp_path / "dist"
    shutil.copytree(published.out, out)
    (out / "stale.txt").write_text("left from an older build")
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, PYTHONHASHSEED="12345")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "ifrc-kg"),
            "build",
            "--reports",
            str(published.reports),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"built {out}: " in result.stdout
    assert snapshot(out) == snapshot(published.out)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".cache", "dist"], "no temporary left behind (only the build cache)"


# --- atomicity ------------------------------------------------------------------------------


@pytest.fixture
def previous(published: Published, tmp_path: Path) -> Path:
    """A copy of the first build, to be (not) replaced."""
    out = tmp_path / "site" / "dist"
    shutil.copytree(published.out, out)
    return out


def _invoke(reports: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["build", "--reports", str(reports), "--out", str(out)], catch_exceptions=False
    )
    return result.exit_code, result.output


def test_report_that_does_not_parse_exits_2_and_leaves_the_build(
    previous: Path, tmp_path: Path
) -> None:
    before = snapshot(previous)
    reports = copy_reports(tmp_path / "reports")
    broken = mali_text().replace("\tPeople donating blood\t103", "\tPeople donating blood\tmany")
    (reports / "zz-broken.txt").write_text(broken, encoding="utf-8")
    code, output = _invoke(reports, previous)
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1
    assert re.match(r"error: \S*zz-broken\.txt:\d+: .*People donating blood", lines[0])
    assert snapshot(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == [".cache", "dist"]


def test_two_files_of_one_report_exit_2_naming_both(previous: Path, tmp_path: Path) -> None:
    before = snapshot(previous)
    reports = copy_reports(tmp_path / "reports")
    (reports / "zz-copy.txt").write_text(mali_text().replace("\n", "\r\n"), encoding="utf-8")
    code, output = _invoke(reports, previous)
    assert code == 2
    (line,) = output.strip().splitlines()
    assert re.fullmatch(
        r"error: \S*ifrc-network-annual-report-mali-2023\.txt and \S*zz-copy\.txt are the "
        r"same report \(MLI 2023 annual\): keep one of them",
        line,
    )
    assert snapshot(previous) == before


def test_mid_year_report_is_not_a_copy_of_the_annual(tmp_path: Path) -> None:
    from ifrc_kg.publish import parse_reports

    reports = copy_reports(tmp_path / "reports")
    (reports / "zz-mid.txt").write_text(variants.mid_year(mali_text()), encoding="utf-8")
    parsed = parse_reports(sorted(reports.glob("*.txt")))
    assert [(r.year, r.kind) for r in parsed] == [(2023, "annual"), (2023, "mid-year")]


def test_report_cut_short_exits_2_and_leaves_the_build(previous: Path, tmp_path: Path) -> None:
    before = snapshot(previous)
    reports = tmp_path / "reports"
    reports.mkdir()
    cut = "\n".join(mali_text().split("\n")[:200])
    (reports / "mali-cut.txt").write_text(cut, encoding="utf-8")
    code, output = _invoke(reports, previous)
    assert code == 2
    assert output.strip() == (
        "error: mali-cut.txt: the report lacks parts the template requires (cut short?): "
        "'Contact information'"
    )
    assert snapshot(previous) == before


def test_coverage_is_printed_and_published(published: Published) -> None:
    text = (published.out / "coverage.txt").read_text(encoding="utf-8")
    assert text == "ifrc-network-annual-report-mali-2023.txt: 288 of 288 lines read\n"
    manifest = json.loads((published.out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["reports"]
    assert (entry["kind"], entry["lines"], entry["lines_read"]) == ("annual", 288, 288)


def test_graph_with_violations_exits_1_and_leaves_the_build(previous: Path, tmp_path: Path) -> None:
    before = snapshot(previous)
    reports = tmp_path / "reports"
    reports.mkdir()
    text = mali_text().replace("cash and vouchers\t94%", "cash and vouchers\t194%")
    assert "194%" in text
    (reports / "ifrc-network-annual-report-mali-2023.txt").write_text(text, encoding="utf-8")
    code, output = _invoke(reports, previous)
    assert code == 1
    assert "A percentage lies between 0 and 100." in output
    assert "source quote: “194%”" in output
    assert (
        output.strip()
        .splitlines()[-1]
        .startswith("error: the graph does not validate, nothing was published")
    )
    assert snapshot(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == [".cache", "dist"]


def test_refuses_to_replace_a_directory_that_is_not_a_build(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(BuildError, match="not a previous build"):
        build(copy_reports(tmp_path / "reports"), out)
    assert (out / "thesis.tex").read_text() == "years of work"


def test_missing_reports_directory_exits_2(tmp_path: Path) -> None:
    code, output = _invoke(tmp_path / "nowhere", tmp_path / "dist")
    assert code == 2 and "not a directory of reports" in output
    empty = tmp_path / "empty"
    empty.mkdir()
    code, output = _invoke(empty, tmp_path / "dist")
    assert code == 2 and "no *.txt report files" in output
    assert not (tmp_path / "dist").exists()


def test_validate_command_accepts_the_published_dumps(published: Published) -> None:
    result = CliRunner().invoke(main, ["validate", str(published.out / "graph.trig.gz")])
    assert result.exit_code == 0, result.output
    assert "conforms: 0 SHACL violation(s), 0 Data Cube integrity violation(s)" in result.output


@pytest.mark.parametrize("base", ["https://example.org/kg", "urn:x:", "example.org/"])
def test_bad_base_is_refused_before_anything_happens(tmp_path: Path, base: str) -> None:
    with pytest.raises(BuildError, match="expected an http"):
        build(tmp_path / "nowhere", tmp_path / "dist", base=base)


def test_exception_while_writing_leaves_the_build_and_no_temporary(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash half-way through writing (disk full, a bug) must not touch the old build."""
    import ifrc_kg.publish as publish

    def exploding_dumps(root: Path, *args: object) -> None:
        (root / "graph.ttl").write_text("half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "write_dumps", exploding_dumps)
    before = snapshot(previous)
    with pytest.raises(BuildError, match="cannot write the build: No space left on device"):
        build(copy_reports(tmp_path / "reports"), previous)
    assert snapshot(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == [".cache", "dist"]


def test_a_killed_builds_leftovers_are_cleared_by_the_next(tmp_path: Path) -> None:
    """A build killed mid-write leaves ``.dist.<pid>.*.tmp``; one killed between the two
    renames of the swap leaves the last good build in ``.dist.<pid>.*.old`` and no
    ``dist``. The next build clears the first and restores the second; a running build's
    directories (its process is alive) are left alone."""
    import os
    import subprocess
    import sys

    from ifrc_kg.publish import clean_stale_builds

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    out = tmp_path / "dist"
    half_written = tmp_path / f".dist.{dead_pid}.abc123.tmp"
    half_written.mkdir()
    (half_written / "graph.trig").write_text("<a> <b> ")
    last_good = tmp_path / f".dist.{dead_pid}.def456.old"
    last_good.mkdir()
    (last_good / "manifest.json").write_text("{}")
    running = tmp_path / f".dist.{os.getpid()}.ghi789.tmp"
    running.mkdir()
    unrelated = tmp_path / ".distant.1.x.tmp"
    unrelated.mkdir()

    handled = clean_stale_builds(out)

    assert set(handled) == {half_written, last_good}
    assert not half_written.exists()
    assert (out / "manifest.json").is_file()  # the last good build is back in place
    assert running.is_dir() and unrelated.is_dir()
