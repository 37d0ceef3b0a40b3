"""The example queries in their fast form give the same rows as they did as first written
(required patterns after an OPTIONAL), on the real build and on data made to tell them
apart: figures without a printed value or with two, categories without an English label or
with two, societies and periods without labels."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from ifrc_kg.server.examples import EARLY_WARNING, PARTNERS, PEOPLE_REACHED
from ifrc_kg.store import GraphStore

AS_FIRST_WRITTEN = """\
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?society ?year ?priority ?peopleReached ?printed WHERE {
  ?figure ifrckg:peopleReached ?peopleReached ;
          ifrckg:reachCategory ?category ;
          ifrckg:nationalSociety ?ns ;
          ifrckg:refPeriod ?period .
  OPTIONAL { ?figure ifrckg:printedValue ?printed }
  ?category skos:prefLabel ?priority .
  FILTER(LANG(?priority) = "en")
  OPTIONAL { ?ns rdfs:label ?society }
  OPTIONAL { ?period rdfs:label ?year }
}
ORDER BY ?society DESC(?peopleReached)
"""
# the other examples as first written: their largest pattern first
PARTNERS_AS_FIRST_WRITTEN = PARTNERS.replace(
    "ifrckg:amount ?amount ;\n          ifrckg:partner ?partner ;",
    "ifrckg:partner ?partner ;\n          ifrckg:amount ?amount ;",
)
EARLY_WARNING_AS_FIRST_WRITTEN = EARLY_WARNING.replace(
    "  ?place a schema:AdministrativeArea .\n  ?s schema:mentions ?place ; a doco:Sentence ; "
    "schema:text ?sentence .\n",
    "  ?s schema:mentions ?place ; a doco:Sentence ; schema:text ?sentence .\n"
    "  ?place a schema:AdministrativeArea .\n",
)
CORE = "https://w3id.org/ifrc-kg/def/core#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
EX = "http://example.org/"


def _rows(store: ox.Store, query: str) -> Counter:
    return Counter(tuple(str(term) for term in row) for row in store.query(query))


def _tricky_store() -> ox.Store:
    store = ox.Store()

    def add(subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        store.add(ox.Quad(ox.NamedNode(EX + subject), ox.NamedNode(predicate), obj))

    for number in range(6):
        figure = f"figure{number}"
        add(figure, CORE + "peopleReached", ox.Literal(str(100 * number)))
        add(figure, CORE + "reachCategory", ox.NamedNode(EX + f"category{number % 3}"))
        add(figure, CORE + "nationalSociety", ox.NamedNode(EX + f"ns{number % 2}"))
        add(figure, CORE + "refPeriod", ox.NamedNode(EX + f"period{number % 2}"))
        for printed in range(number % 3):  # none, one or two printed values
            add(figure, CORE + "printedValue", ox.Literal(f"{number},{printed}"))
    add("category0", SKOS + "prefLabel", ox.Literal("Disasters", language="en"))
    add("category0", SKOS + "prefLabel", ox.Literal("Catastrophes", language="fr"))
    add("category1", SKOS + "prefLabel", ox.Literal("Santé", language="fr"))  # no English
    add("category2", SKOS + "prefLabel", ox.Literal("Health", language="en"))
    add("category2", SKOS + "prefLabel", ox.Literal("Health care", language="en"))
    add("ns0", RDFS + "label", ox.Literal("Society Zero"))  # ns1 and period1: no label
    add("period0", RDFS + "label", ox.Literal("2023"))
    return store


def test_both_forms_agree_on_data_made_to_tell_them_apart() -> None:
    store = _tricky_store()
    rows = _rows(store, PEOPLE_REACHED)
    assert rows == _rows(store, AS_FIRST_WRITTEN)
    # the cases are really there: a row without a printed value, none for "Santé"
    assert any(row[4] == "None" for row in rows)
    assert not any("Santé" in row[2] for row in rows)
    assert sum(rows.values()) == 10  # 2 for category0, 2 labels x 2 printed x 2 for category2


@pytest.mark.parametrize(
    ("fast", "first"),
    [
        (PEOPLE_REACHED, AS_FIRST_WRITTEN),
        (PARTNERS, PARTNERS_AS_FIRST_WRITTEN),
        (EARLY_WARNING, EARLY_WARNING_AS_FIRST_WRITTEN),
    ],
    ids=["people-reached", "partners", "early-warning"],
)
def test_both_forms_agree_on_the_real_build(built_dist: Path, fast: str, first: str) -> None:
    assert fast != first
    store = GraphStore.from_dist(built_dist).oxigraph
    rows = _rows(store, fast)
    assert rows and rows == _rows(store, first)


def test_moving_a_pattern_that_shares_an_optional_variable_would_change_rows() -> None:
    """The negative case: the rule matters. ``?printed`` is bound by the OPTIONAL, so the
    pattern that uses it cannot move above it: the rows differ (18 against 36)."""
    store = _tricky_store()
    head = f"PREFIX ifrckg: <{CORE}>\nSELECT ?figure ?other ?printed WHERE {{\n"
    reached = "  ?figure ifrckg:peopleReached ?value .\n"
    optional = "  OPTIONAL { ?figure ifrckg:printedValue ?printed }\n"
    shared = "  ?other ifrckg:printedValue ?printed .\n"
    written = _rows(store, head + reached + optional + shared + "}")
    moved = _rows(store, head + reached + shared + optional + "}")
    assert sum(written.values()) == 18
    assert sum(moved.values()) == 36


@pytest.mark.parametrize("query", [PEOPLE_REACHED])
def test_the_fast_form_has_its_required_patterns_first(query: str) -> None:
    body = query.split("WHERE {", 1)[1]
    assert body.index("skos:prefLabel") < body.index("OPTIONAL")
