"""Plain triples cut into report units by subject: the prefixes come from the reports in the
data (under any base), blank nodes follow the triples that point to them, and shared nodes
that point into reports are named. (That the cut gives the whole-graph validation's results is
``test_validate_files.py``.)"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ifrc_kg.split_by_subject import SHARED, SubjectSplit, report_prefixes

BASE = "http://example.org/kg/"  # not the default base: prefixes are read from the data
REPORT_A = f"<{BASE}id/report/ken/2022>"
REPORT_B = f"<{BASE}id/report/ken/2022-mid-year>"
FOREIGN = "<http://other.example/reports/7>"  # typed as a report, not minted by the build
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
REPORT_CLASS = "<https://w3id.org/ifrc-kg/def/core#AnnualReport>"

TRIPLES = f"""
{REPORT_A} {TYPE} {REPORT_CLASS} .
{REPORT_B} {TYPE} {REPORT_CLASS} .
{FOREIGN} {TYPE} {REPORT_CLASS} .
<{BASE}id/report/ken/2022/claim/abc> <http://ex/quantity> _:q .
_:q <http://ex/source> _:s .
_:s <http://ex/start> "3" .
<{BASE}id/observation/ken/2022/people-reached/health> <http://ex/v> "1" .
<{BASE}id/observation/ken/2022-mid-year/people-reached/health> <http://ex/v> "2" .
<{BASE}id/dataset/ken/2022/indicators> <http://ex/v> "3" .
<{BASE}id/report/ken/2022#source> <http://ex/v> "4" .
<http://other.example/reports/7/section/1> <http://ex/v> "5" .
<{BASE}id/report/ken/20222> <http://ex/v> "not a part of 2022" .
<{BASE}id/operation/MDRKE001> <http://ex/statement> <{BASE}id/report/ken/2022/op/MDRKE001> .
<{BASE}id/operation/MDRKE001> <http://ex/statement> <{BASE}id/report/ken/2022-mid-year/op/x> .
<{BASE}id/operation/MDRKE001> <http://ex/label> "Floods" .
<{BASE}id/report/ken/2022/contact/1> <http://ex/address> _:both .
<{BASE}id/report/ken/2022-mid-year/contact/1> <http://ex/address> _:both .
_:both <http://ex/city> "Nairobi" .
_:loose <http://ex/v> "6" .
"""


def _route(tmp_path: Path) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """Parse TRIPLES as the spill does, route them, and read each unit back."""
    reports, referrers, lines = set(), {}, []
    for quad in ox.parse(TRIPLES, ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True):
        line = f"{quad.subject} {quad.predicate} {quad.object} .\n"
        lines.append(line)
        if str(quad.object) == REPORT_CLASS:
            reports.add(str(quad.subject))
        if isinstance(quad.object, ox.BlankNode):
            referrers.setdefault(str(quad.object), set()).add(str(quad.subject))
    (tmp_path / "in.nt").write_text("".join(lines), encoding="utf-8")
    files, links = SubjectSplit(reports, referrers).route([tmp_path / "in.nt"], tmp_path)
    units = {unit: path.read_text(encoding="utf-8").splitlines() for unit, path in files.items()}
    return units, links


def test_report_prefixes_are_read_from_the_report_iris() -> None:
    prefixes = report_prefixes({REPORT_A, FOREIGN})
    assert prefixes == {
        f"{BASE}id/report/ken/2022": REPORT_A,
        f"{BASE}id/dataset/ken/2022": REPORT_A,
        f"{BASE}id/observation/ken/2022": REPORT_A,
        "http://other.example/reports/7": FOREIGN,
    }


def test_each_report_unit_holds_what_lies_under_its_prefixes(tmp_path: Path) -> None:
    units, _ = _route(tmp_path)
    assert set(units) == {REPORT_A, REPORT_B, FOREIGN, SHARED}
    a = "\n".join(units[REPORT_A])
    assert "/observation/ken/2022/people-reached" in a and "/dataset/ken/2022/" in a
    assert "/report/ken/2022#source" in a and "/claim/abc" in a
    assert "2022-mid-year" not in a and "20222" not in a
    b = "\n".join(units[REPORT_B])
    assert "/observation/ken/2022-mid-year/" in b and '"2"' in b
    assert "/reports/7/section/1" in "\n".join(units[FOREIGN])
    shared = "\n".join(units[SHARED])
    assert "/report/ken/20222>" in shared and "MDRKE001" in shared
    assert sum(len(lines) for lines in units.values()) == TRIPLES.strip().count("\n") + 1


def test_blank_nodes_go_where_the_triples_that_point_to_them_go(tmp_path: Path) -> None:
    units, _ = _route(tmp_path)
    a = "\n".join(units[REPORT_A])
    assert '<http://ex/start> "3"' in a  # two blank nodes down from the claim
    assert "<http://ex/source> _:" in a
    shared = "\n".join(units[SHARED])
    assert '"Nairobi"' in shared  # pointed to from two reports: seen by both
    assert '"6"' in shared  # pointed to by nothing


def test_shared_nodes_that_point_into_reports_are_named(tmp_path: Path) -> None:
    _, links = _route(tmp_path)
    assert links == {
        f"<{BASE}id/operation/MDRKE001>": {
            f"<{BASE}id/report/ken/2022/op/MDRKE001>",
            f"<{BASE}id/report/ken/2022-mid-year/op/x>",
        }
    }
