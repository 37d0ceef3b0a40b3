"""The corpus build: per-report pieces in a cache, incremental builds byte-identical to full
ones, ``--keep-going``, per-report dumps and the on-disk store."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from itertools import islice
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest
from bench.reports import candidate_countries, variant
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from tests.publish.conftest import EPOCH, snapshot
from tests.variants import mali_text

from ifrc_kg.assemble import open_store
from ifrc_kg.cli import main
from ifrc_kg.pipeline import ReportsFailed
from ifrc_kg.publish import BuildResult, build


def report_text(index: int, year: int, factor: str = "1") -> tuple[str, str]:
    """(file name, text) of a generated report of the ``index``-th candidate country."""
    country, society, iso2 = next(islice(candidate_countries(), index, None))
    name = f"{iso2.lower()}-{year}.txt"
    return name, variant(mali_text(), country, society, iso2, year, Decimal(factor))


def write(directory: Path, *reports: tuple[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in reports:
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def run(reports: Path, out: Path, cache: Path, **options: object) -> BuildResult:
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": EPOCH}):
        return build(reports, out, cache_dir=cache, workers=2, **options)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A two-report build, then one report changed, one added, one removed (incremental),
    and a full build of the final reports from an empty cache."""
    root = tmp_path_factory.mktemp("corpus")
    a, b = report_text(0, 2022), report_text(1, 2023)
    changed, added = report_text(1, 2023, "1.5"), report_text(2, 2021)
    reports = write(root / "reports", a, b)
    cache = root / "cache"
    first = run(reports, root / "dist", cache)
    first_figures = (first.out / "figures.csv").read_text(encoding="utf-8")
    (reports / a[0]).unlink()
    write(reports, changed, added)
    with mock.patch("ifrc_kg.corpus_store.UPDATE_AT_MOST", 2.0):  # 4 graphs out and in
        incremental = run(reports, root / "dist", cache)
    full = run(reports, root / "full" / "dist", root / "fresh-cache")
    return {
        "root": root,
        "first": first,
        "incremental": incremental,
        "full": full,
        "names": (a[0], b[0], added[0]),
        "cache": cache,
        "first_figures": first_figures,
    }


def test_incremental_build_rebuilds_only_what_changed(corpus: dict) -> None:
    assert corpus["first"].cached == 0
    assert corpus["incremental"].cached == 0  # the changed and the added report were built
    assert len(corpus["incremental"].manifest["reports"]) == 2
    again = run(corpus["root"] / "reports", corpus["root"] / "dist", corpus["cache"])
    assert again.cached == 2
    assert "reports: parse (cpu)" not in again.timings


def test_incremental_build_is_byte_identical_to_a_full_build(corpus: dict) -> None:
    incremental = snapshot(corpus["incremental"].out)
    full = snapshot(corpus["full"].out)
    assert sorted(incremental) == sorted(full)
    different = [name for name in full if incremental[name] != full[name]]
    assert different == []
    removed = corpus["names"][0].removesuffix(".txt")
    assert not any(removed in name for name in full), "the removed report is gone"


def test_changed_figures_reach_the_dumps(corpus: dict) -> None:
    now = (corpus["incremental"].out / "figures.csv").read_text(encoding="utf-8")
    changed = [r for r in corpus["full"].manifest["reports"] if r["year"] == 2023]
    assert len(changed) == 1
    iso3 = changed[0]["iso3"]

    def rows(text: str) -> set[str]:
        return {line for line in text.splitlines() if line.startswith(f"{iso3},")}

    assert rows(corpus["first_figures"]) and rows(now)
    assert rows(corpus["first_figures"]) != rows(now), "the 1.5x figures replaced the old"


def test_corpus_dumps_hold_every_report_graph(corpus: dict) -> None:
    out = corpus["full"].out
    dataset = Dataset().parse(out / "graph.nq", format="nquads")
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    for entry in corpus["full"].manifest["reports"]:
        assert entry["graph"] in graphs
    union = Graph().parse(out / "graph.nt", format="nt")
    assert corpus["full"].manifest["triples"] == len(union)
    turtle = Graph().parse(out / "graph.ttl", format="turtle")
    assert len(turtle) == len(union)


def test_per_report_dumps_hold_that_report_only(corpus: dict) -> None:
    out = corpus["full"].out
    for entry in corpus["full"].manifest["reports"]:
        stem = f"reports/{entry['iso3'].lower()}-{entry['year']}"
        quads = Dataset().parse(out / f"{stem}.nq", format="nquads")
        graphs = {str(g.identifier) for g in quads.graphs() if len(g)}
        assert entry["graph"] in graphs
        assert not any(
            e["graph"] in graphs
            for e in corpus["full"].manifest["reports"]
            if e["graph"] != entry["graph"]
        )
        turtle = Graph().parse(out / f"{stem}.ttl", format="turtle")
        jsonld = Graph().parse(out / f"{stem}.jsonld", format="json-ld")
        assert len(turtle) == len(jsonld) > 1000


def test_on_disk_store_opens_read_only_with_every_quad(corpus: dict) -> None:
    """The named graphs, the catalog (void.ttl) in its graph, and their union as a set in
    the default graph; the manifest counts the named-graph statements."""
    out = corpus["full"].out
    store = open_store(out)
    named = sum(1 for line in (out / "graph.nq").read_bytes().splitlines() if line.strip())
    union = {str(t) for t in ox.parse(path=str(out / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)}
    catalog = {str(t) for t in ox.parse(path=str(out / "void.ttl"), format=ox.RdfFormat.TURTLE)}
    catalog_graph = corpus["full"].manifest["base"] + "graph/catalog"
    assert store.contains_named_graph(ox.NamedNode(catalog_graph))
    query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    [[in_graphs]] = [list(row) for row in store.query(query)]
    assert int(in_graphs.value) == named + len(catalog) == corpus["full"].manifest["quads"]
    [[count]] = [list(row) for row in store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")]
    assert int(count.value) == len(union | catalog)
    with pytest.raises((OSError, RuntimeError), match="read-write"):
        store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("o")))


def _all_quads(out: Path) -> set[ox.Quad]:
    return set(open_store(out).quads_for_pattern(None, None, None, None))


def test_incremental_store_holds_the_quads_of_a_full_build(corpus: dict) -> None:
    """One report removed, one changed, one added: the store updated from the previous
    build's holds the very quads of a store loaded whole, default graph included."""
    assert corpus["first"].store == "full"
    assert corpus["incremental"].store == "incremental"
    assert corpus["full"].store == "full"
    incremental, full = _all_quads(corpus["incremental"].out), _all_quads(corpus["full"].out)
    assert len(full) > 10_000
    assert incremental - full == set() and full - incremental == set()


def test_a_store_without_its_record_is_loaded_whole(corpus: dict, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    shutil.copytree(corpus["full"].out, out)
    (out / "store" / "ifrc-kg-store.json").unlink()
    again = run(corpus["root"] / "reports", out, corpus["cache"])
    assert again.store == "full"
    assert _all_quads(out) == _all_quads(corpus["full"].out)


def test_a_store_is_loaded_whole_when_most_reports_changed(corpus: dict, tmp_path: Path) -> None:
    """Over a previous build whose reports all changed (a new code version, say), the store
    is loaded from the pieces, not updated: the same quads as a full build's."""
    out = tmp_path / "dist"
    shutil.copytree(corpus["first"].out.parent / "dist", out)  # the incremental build
    reports = write(tmp_path / "reports", report_text(3, 2020), report_text(4, 2020))
    first = run(reports, out, corpus["cache"])
    assert first.store == "full"
    fresh = run(reports, tmp_path / "fresh" / "dist", corpus["cache"])
    assert _all_quads(out) == _all_quads(fresh.out)


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    from ifrc_kg.store import StoreLoadError

    with pytest.raises(StoreLoadError, match="no store/"):
        open_store(tmp_path)


# --- one bad report -------------------------------------------------------------------------


@pytest.fixture
def with_broken(corpus: dict, tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    shutil.copytree(corpus["root"] / "reports", reports)
    broken = mali_text().replace("\tPeople donating blood\t103", "\tPeople donating blood\tmany")
    (reports / "zz-broken.txt").write_text(broken, encoding="utf-8")
    return reports


def test_default_build_is_strict_and_publishes_nothing(
    corpus: dict, with_broken: Path, tmp_path: Path
) -> None:
    with pytest.raises(ReportsFailed, match=r"zz-broken\.txt:\d+: .*People donating blood"):
        run(with_broken, tmp_path / "dist", corpus["cache"])
    assert not (tmp_path / "dist").exists()
    # the store loaded while the reports were built went with the scratch directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_keep_going_publishes_the_rest_and_lists_the_failure(
    corpus: dict, with_broken: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    args = ["build", "--reports", str(with_broken), "--out", str(out)]
    args += ["--cache-dir", str(corpus["cache"]), "--keep-going"]
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": EPOCH}):
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 3, result.output
    assert "(2 from the cache)" in result.output
    assert "failed: " in result.output and "zz-broken.txt:" in result.output
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert "zz-broken.txt" in manifest
    full = snapshot(corpus["full"].out)
    published = snapshot(out)
    assert published["graph.nq"] == full["graph.nq"], "the good reports, as a full build"
    assert _all_quads(out) == _all_quads(corpus["full"].out), "nothing of the failed report"


def test_keep_going_names_the_line_of_a_violation(corpus: dict, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(corpus["root"] / "reports", reports)
    invalid = mali_text().replace("cash and vouchers\t94%", "cash and vouchers\t194%")
    (reports / "zz-invalid.txt").write_text(invalid, encoding="utf-8")
    line = next(n for n, text in enumerate(invalid.splitlines(), 1) if "\t194%" in text)
    result = run(reports, tmp_path / "dist", corpus["cache"], keep_going=True)
    [failure] = result.failures
    assert failure.error_kind == "validation"
    assert f"zz-invalid.txt:{line}: the graph does not validate:" in (failure.error or "")
    assert "A percentage lies between 0 and 100." in (failure.error or "")
    assert len(result.manifest["reports"]) == 2


FINDINGS_GRAPH = "https://w3id.org/ifrc-kg/graph/findings"
FINDING = "https://w3id.org/ifrc-kg/def/core#Finding"
REPORT_OF = "https://w3id.org/ifrc-kg/def/core#report"


def _findings_by_report(dataset: Dataset) -> dict[str, set[str]]:
    """Report IRI → its findings, read from the ``graph/findings`` named graph."""
    graph = dataset.graph(URIRef(FINDINGS_GRAPH))
    grouped: dict[str, set[str]] = {}
    for finding in graph.subjects(RDF.type, URIRef(FINDING)):
        for report in graph.objects(finding, URIRef(REPORT_OF)):
            grouped.setdefault(str(report), set()).add(str(finding))
    return grouped


def test_findings_of_every_report_are_one_named_graph(corpus: dict) -> None:
    full, out = corpus["full"], corpus["full"].out
    reports = {entry["iri"] for entry in full.manifest["reports"]}
    found = _findings_by_report(Dataset().parse(out / "graph.nq", format="nquads"))
    assert set(found) == reports, "each report's worker contributed its findings"
    assert sum(len(f) for f in found.values()) == len(full.findings) >= 2 * 4
    assert {f.iri for f in full.findings} == set().union(*found.values())
    trig = Dataset().parse(out / "graph.trig", format="trig")
    assert _findings_by_report(trig) == found
    store = open_store(out)
    graph = ox.NamedNode(FINDINGS_GRAPH)
    rows = store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH {graph} {{ ?f a <{FINDING}> }} }}")
    assert [int(row[0].value) for row in rows] == [len(full.findings)]
    # the union (default graph) links each figure to its findings
    linked = store.query("SELECT ?x { ?x <https://w3id.org/ifrc-kg/def/core#finding> ?f }")
    assert len(list(linked)) >= len(full.findings)


def test_findings_from_the_cache_equal_a_fresh_build(corpus: dict) -> None:
    again = run(corpus["root"] / "reports", corpus["root"] / "dist", corpus["cache"])
    assert again.cached == 2 and again.findings == corpus["full"].findings
    assert again.findings == corpus["incremental"].findings


def test_per_report_dumps_carry_their_own_findings(corpus: dict) -> None:
    out = corpus["full"].out
    for entry in corpus["full"].manifest["reports"]:
        stem = f"reports/{entry['iso3'].lower()}-{entry['year']}"
        found = _findings_by_report(Dataset().parse(out / f"{stem}.nq", format="nquads"))
        assert list(found) == [entry["iri"]] and found[entry["iri"]]
        turtle = Graph().parse(out / f"{stem}.ttl", format="turtle")
        assert set(turtle.subjects(RDF.type, URIRef(FINDING))) == {
            URIRef(f) for f in found[entry["iri"]]
        }


def test_report_texts_are_published_beside_the_report_dumps(corpus: dict) -> None:
    out, reports = corpus["full"].out, corpus["root"] / "reports"
    names = sorted(path.name for path in reports.glob("*.txt"))
    assert sorted(p.name for p in (out / "reports").glob("*.txt")) == names
    for name in names:
        assert (out / "reports" / name).read_bytes() == (reports / name).read_bytes()
    removed = corpus["names"][0]  # the incremental build dropped the removed report's text
    assert not (corpus["incremental"].out / "reports" / removed).exists()
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert all(f"  reports/{name}\n" in sums for name in names)


def _inodes(*roots: Path) -> dict[tuple[int, int], bytes]:
    """The bytes of every file under ``roots``, by (device, inode): a hard link is one."""
    files = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                status = path.stat()
                files[(status.st_dev, status.st_ino)] = path.read_bytes()
    return files


def test_a_rebuild_never_writes_into_an_existing_file(corpus: dict, tmp_path: Path) -> None:
    """Published files are hard links into the cache (per-report dumps and exports): a
    rebuild with a changed report writes new files and never into an existing one, so
    the served build and the cache keep their bytes."""
    reports = tmp_path / "reports"
    shutil.copytree(corpus["root"] / "reports", reports)
    out = tmp_path / "dist"
    run(reports, out, corpus["cache"])
    shared = [p for p in out.rglob("*") if p.is_file() and p.stat().st_nlink > 1]
    assert any(p.name.endswith(".csv") for p in shared), "exports are linked from the cache"
    assert any(p.parent.name == "reports" for p in shared), "so are the per-report dumps"
    before = _inodes(out, corpus["cache"])
    name, text = report_text(1, 2023, "2")  # a report of the corpus, changed
    (reports / name).write_text(text, encoding="utf-8")
    served = open(out / "graph.nq", "rb")  # noqa: SIM115 - a reader holding the old build
    again = run(reports, out, corpus["cache"])
    assert again.cached == len(again.manifest["reports"]) - 1
    after = _inodes(out, corpus["cache"])
    changed = [inode for inode, data in before.items() if inode in after and after[inode] != data]
    assert changed == []
    assert served.read() != (out / "graph.nq").read_bytes()  # the old file, intact
    served.close()
