"""``ontology/README.md`` documents every link property the build writes, and its example
queries of the links section answer on the Mali build (issue "Answers, not puzzles")."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from tests.graph.helpers import mali_dataset

from ifrc_kg.config import artefact_dir
from ifrc_kg.graph.links import reference_graph_iri
from ifrc_kg.namespaces import IFRCKG, PREFIXES, RDF, RDFS, SCHEMA, SKOS
from ifrc_kg.uris import Iris

BASE = "https://w3id.org/ifrc-kg/"
README = (artefact_dir("ontology") / "README.md").read_text(encoding="utf-8")
LINKS = README[README.index("## Links") : README.index("## Findings")]
# what describes an entity (its names, type, country) rather than linking it out
NOT_LINKS = {RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SCHEMA.legalName, IFRCKG.country}


def _prefixed(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


def test_every_link_property_of_the_reference_graph_is_documented() -> None:
    reference = mali_dataset().graph(reference_graph_iri(Iris(BASE)))
    used = {p for p in reference.predicates() if p not in NOT_LINKS}
    assert len(used) >= 10
    missing = sorted(_prefixed(str(p)) for p in used if f"`{_prefixed(str(p))}`" not in LINKS)
    assert missing == [], f"link properties missing from ontology/README.md: {missing}"


@pytest.mark.parametrize("number", range(len(re.findall(r"```sparql\n", LINKS))))
def test_link_section_queries_answer(number: int) -> None:
    query = re.findall(r"```sparql\n(.*?)```", LINKS, re.DOTALL)[number]
    store = ox.Store()
    data = mali_dataset().serialize(format="nquads", encoding="utf-8")
    store.load(data, format=ox.RdfFormat.N_QUADS)
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert rows, query
