"""The template as data: the packaged file, its checks, and the parser reading it."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources

import pytest
from tests import variants

from ifrc_kg import concepts
from ifrc_kg.report import parse_text
from ifrc_kg.template import TemplateError, load_template, parse_template


def _raw() -> dict:
    text = resources.files("ifrc_kg.template").joinpath("network-report.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_template_file_is_versioned_and_complete():
    template = load_template()
    assert template.version
    assert [kind.key for kind in template.report_kinds] == ["annual", "mid-year"]
    assert {part.key for part in template.tables} >= {"people-reached", "partners"}
    labels = {concepts.normalise_label(label) for label in template.sector_labels}
    for sector in ("shelter", "livelihoods", "multi purpose cash", "education", "wash"):
        assert sector in labels
    assert template.operation_keys["mdr code"] == "code"
    assert "people" in template.people_words


def test_concepts_are_read_from_the_template():
    raw = _raw()
    indicators = [c for c in raw["concepts"] if c["scheme"] == "indicator"]
    assert len(concepts.scheme("indicator").members) == len(indicators) == 34
    shelter = concepts.lookup("indicator", "PEOPLE REACHED WITH SHELTER SUPPORT")
    assert shelter is not None and shelter.broader == "disasters-and-crises"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda raw: raw["template"].pop("version"), "[template] has no 'version'"),
        (lambda raw: raw["narrative"].pop("sectors"), "[narrative] has no 'sectors'"),
        (lambda raw: raw["report_kinds"][1].pop("iri_suffix"), "has no 'iri_suffix'"),
    ],
)
def test_damaged_template_names_the_entry(edit, message):
    raw = copy.deepcopy(_raw())
    edit(raw)
    with pytest.raises(TemplateError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_template(raw)


def test_damaged_concepts_name_the_concept():
    raw = copy.deepcopy(_raw())
    raw["schemes"][0]["members"].append("strategic-priority/no-such-priority")
    with pytest.raises(TemplateError, match="no-such-priority"):
        concepts.read_schemes(raw)
    raw = copy.deepcopy(_raw())
    raw["concepts"][-1]["broader"] = "nowhere"
    with pytest.raises(TemplateError, match="unknown broader 'nowhere'"):
        concepts.read_schemes(raw)
    raw = copy.deepcopy(_raw())
    raw["concepts"][0]["unit"] = "furlongs"
    with pytest.raises(TemplateError, match="unknown unit 'furlongs'"):
        concepts.read_schemes(raw)


def test_an_added_indicator_is_an_edit_of_the_file():
    raw = copy.deepcopy(_raw())
    raw["concepts"].append(
        {
            "scheme": "indicator",
            "notation": "people-reached-education",
            "label": "People reached with education support",
            "definition": "Test indicator.",
            "broader": "disasters-and-crises",
            "unit": "persons",
        }
    )
    raw["schemes"][4]["members"].append("indicator/people-reached-education")
    schemes = {scheme.notation: scheme for scheme in concepts.read_schemes(raw)}
    assert "people-reached-education" in [m.notation for m in schemes["indicator"].members]


def test_sector_headings_known_and_unknown(mali_source):
    """A known sector heading (Shelter) and an unknown one both keep their paragraphs."""
    text = variants.renamed_sectors(mali_source)
    report = parse_text(text, "sectors.txt")
    sections = {s.title: s for _, s in _walk(report.narrative)}
    assert sections["Shelter"].kind == "sector"
    assert sections["Shelter"].paragraphs[0].text.startswith("Provide households")
    unknown = sections["Cash transfers and markets"]
    assert unknown.kind == "unknown"
    assert unknown.paragraphs[0].text.startswith("Strengthen holistic")
    line = variants.line_number(text, "Cash transfers and markets")
    assert _new(report.warnings) == (
        f"sectors.txt:{line}: unknown heading 'Cash transfers and markets' read as a section",
    )
    assert report.coverage.unread == ()


def test_mali_has_no_unknown_heading(mali):
    assert not any(s.kind == "unknown" for _, s in _walk(mali.narrative))
    assert mali.warnings == (
        "ifrc-network-annual-report-mali-2023.txt:276: '25,6140' kept as printed with no value: "
        "its digits are not grouped in threes (25,614 or 256,140?)",
    )


def _walk(sections):
    from ifrc_kg.report.narrative import walk

    return walk(sections)


def _new(warnings: tuple[str, ...]) -> tuple[str, ...]:
    """The warnings beyond the Mali report's own (its misprinted "25,6140")."""
    return tuple(warning for warning in warnings if "'25,6140'" not in warning)
