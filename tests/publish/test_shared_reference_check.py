"""The build validates the shared reference (countries, societies, organisations) once per
code version: a report's dataset holds only the ones it names, so nothing else checks the
others (``graph.links.SharedReference``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ifrc_kg.errors import BuildError
from ifrc_kg.graph import links
from ifrc_kg.namespaces import IFRCKG
from ifrc_kg.publish import _checked_reference
from ifrc_kg.uris import Iris
from ifrc_kg.validate import shapes_graph

BASE = "https://w3id.org/ifrc-kg/"


def _without(shared: links.SharedReference, triple: tuple) -> links.SharedReference:
    triples = tuple(t for t in shared.triples if t != triple)
    about = {node: tuple(t for t in ts if t != triple) for node, ts in shared.about.items()}
    return links.SharedReference(triples, about)


def test_the_reference_is_validated_once_per_code_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _checked_reference(tmp_path, "code-1", BASE, shapes_graph())
    assert len(list((tmp_path / "reference").glob("*.ok"))) == 1
    # a second build of that code version does not validate again
    monkeypatch.setattr(links, "shared_reference", lambda base: pytest.fail("validated again"))
    _checked_reference(tmp_path, "code-1", BASE, shapes_graph())


def test_a_society_without_its_country_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    iris = Iris(BASE)
    shared = links.shared_reference(BASE)
    country = (iris.national_society("MLI"), IFRCKG.country, iris.country("MLI"))
    assert country in shared.triples
    monkeypatch.setattr(links, "shared_reference", lambda base: _without(shared, country))
    with pytest.raises(BuildError, match=r"data/reference.*ns/mli"):
        _checked_reference(tmp_path, "code-2", BASE, shapes_graph())
    assert not list((tmp_path / "reference").glob("*.ok"))  # tried again next time
