"""The narrative tree of the Mali 2023 report: headings recognised by what they say."""

from __future__ import annotations

from ifrc_kg.report.narrative import walk


def _titles(sections):
    return [s.title for s in sections]


def test_top_level(mali):
    assert _titles(mali.narrative) == [
        "OVERALL PROGRESS",
        "IFRC NETWORK ACTION",
        "The International Federation of Red Cross and Red Crescent Societies (IFRC)",
        "DATA SCOPE AND LIMITATIONS",
        "ADDITIONAL INFORMATION",
    ]


def test_context_and_key_achievements(mali):
    overall = mali.narrative[0]
    context, achievements = overall.subsections
    assert (context.kind, len(context.paragraphs)) == ("context", 3)
    assert context.paragraphs[0].text.startswith("Mali is a landlocked country in West Africa")
    assert context.paragraphs[0].source.line_start == 176
    assert achievements.kind == "key-achievements"
    assert [(s.title, s.kind, s.concept) for s in achievements.subsections] == [
        ("Climate and environment", "strategic-priority", "climate-and-environment"),
        ("Disasters and crises", "strategic-priority", "disasters-and-crises"),
        ("Health and wellbeing", "strategic-priority", "health-and-wellbeing"),
        ("Migration and displacement", "strategic-priority", "migration-and-displacement"),
        ("Values, power and inclusion", "strategic-priority", "values-power-and-inclusion"),
        ("Enabling local actors", "enabling-function", None),
    ]


def test_broken_paragraph_is_joined(mali):
    health = mali.narrative[0].subsections[1].subsections[2]
    (paragraph,) = health.paragraphs
    assert (paragraph.source.line_start, paragraph.source.line_end) == (194, 196)
    assert "advanced [water, sanitation, and hygiene](#) (WASH) initiatives" in paragraph.text


def test_strategic_priorities_narrative(mali):
    action = mali.narrative[1]
    assert _titles(action.subsections) == [
        "ONGOING EMERGENCY RESPONSE",
        "STRATEGIC PRIORITIES",
        "ENABLING LOCAL ACTORS",
    ]
    priorities = action.subsections[1].subsections
    assert [(s.kind, s.concept) for s in priorities] == [
        ("strategic-priority", "climate-and-environment"),
        ("operations", None),
        ("strategic-priority", "disasters-and-crises"),
        ("strategic-priority", "health-and-wellbeing"),
        ("strategic-priority", "migration-and-displacement"),
        ("strategic-priority", "values-power-and-inclusion"),
    ]
    assert priorities[1].title == "Mali Dengue Outbreak"
    # the report prints no "Disasters and crises" heading: its objective statement opens it
    assert priorities[2].title.startswith("People affected by crises and disasters")
    assert _titles(priorities[2].subsections) == [
        "Progress by the National Society against objectives",
        "IFRC network joint support",
    ]
    health = priorities[3]
    assert [s.kind for s in health.subsections] == ["objective", "objective"]
    assert [s.kind for s in health.subsections[1].subsections] == ["progress", "joint-support"]


def test_progress_and_joint_support_under_every_priority_and_function(mali):
    kinds = {}
    for path, section in walk(mali.narrative):
        if section.kind in ("progress", "joint-support") and path[0] == "IFRC NETWORK ACTION":
            kinds.setdefault(section.concept, set()).add(section.kind)
    assert kinds == {
        concept: {"progress", "joint-support"}
        for concept in (
            "climate-and-environment",
            "disasters-and-crises",
            "health-and-wellbeing",
            "migration-and-displacement",
            "values-power-and-inclusion",
            "national-society-development",
            "accountability-and-agility",
        )
    }
    # "Progress by National Society against objectives" (no "the") is the same heading
    objective = "Engage with migrants, displaced persons, and host communities to assess"
    migration = [s for p, s in walk(mali.narrative) if len(p) > 1 and p[-2].startswith(objective)]
    assert [s.kind for s in migration] == ["progress", "joint-support"]


def test_enabling_functions_narrative(mali):
    enabling = mali.narrative[1].subsections[2].subsections
    assert [(s.title, s.concept) for s in enabling] == [
        ("Strategic and operational coordination", "strategic-and-operational-coordination"),
        ("National Society development", "national-society-development"),
        ("Accountability and agility (cross-cutting)", "accountability-and-agility"),
    ]
    assert _titles(enabling[0].subsections) == [
        "IFRC membership coordination",
        "Movement coordination",
        "External coordination",
    ]
    # "DG" / "ECHO" broken over two lines is one paragraph
    membership = enabling[0].subsections[0]
    assert (
        membership.paragraphs[1].source.line_start,
        membership.paragraphs[1].source.line_end,
    ) == (412, 414)


def test_operations_narrative_leaves_tables_out(mali):
    response = mali.narrative[1].subsections[0]
    assert response.kind == "operations"
    lines = [p.source.line_start for p in response.paragraphs]
    assert lines == [214, 226, 228, 230]
    strategy = response.subsections[0]
    assert strategy.title == "Short description of the operational strategy"
    assert len(strategy.subsections) == 5


def test_paragraph_sources_are_exact(mali, mali_source):
    for _, section in walk(mali.narrative):
        assert mali_source[section.source.start : section.source.end] == section.source.quote
        for paragraph in section.paragraphs:
            assert (
                mali_source[paragraph.source.start : paragraph.source.end] == paragraph.source.quote
            )
            assert " ".join(paragraph.source.quote.split()) == paragraph.text
