"""Cool URIs over real HTTP: 303 from /id/ to /doc/, negotiation, suffixes, 404s, the
ontology, named graphs, and every /id/ subject of the dump resolving."""

from __future__ import annotations

import re

import httpx
import pyoxigraph as ox
import pytest
from tests.server.servers import RunningServer

from ifrc_kg.store import GraphStore

BASE = "https://w3id.org/ifrc-kg/"
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
SUFFIXES = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}
THINGS = {
    "report": "report/mli/2023",
    "society": "ns/mli",
    "observation": "observation/mli/2023/people-reached/health-and-wellbeing",
    "operation": "operation/MDRML018",
}


def _triples(response: httpx.Response) -> set[ox.Triple]:
    media = response.headers["content-type"].split(";")[0]
    return {quad.triple for quad in ox.parse(response.content, format=RDF_TYPES[media])}


@pytest.mark.parametrize("kind", list(THINGS))
def test_id_answers_303_to_doc(site: RunningServer, kind: str) -> None:
    path = THINGS[kind]
    with site.client() as client:
        response = client.get(f"/id/{path}", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/doc/{path}"
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("kind", list(THINGS))
@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_doc_negotiates_rdf(site: RunningServer, kind: str, media: str) -> None:
    iri = BASE + "id/" + THINGS[kind]
    with site.client(follow_redirects=True) as client:
        response = client.get(f"/id/{THINGS[kind]}", headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "Accept" in response.headers["vary"]
    triples = _triples(response)
    assert any(t.subject.value == iri for t in triples)


@pytest.mark.parametrize("kind", list(THINGS))
def test_doc_html_and_suffixes(site: RunningServer, kind: str) -> None:
    path = THINGS[kind]
    with site.client(follow_redirects=True) as client:
        page = client.get(f"/id/{path}", headers={"Accept": "text/html"})
        by_suffix = {suffix: client.get(f"/doc/{path}.{suffix}") for suffix in SUFFIXES}
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f'<link rel="alternate" type="text/turtle" href="/doc/{path}.ttl"' in page.text
    for suffix, media in SUFFIXES.items():
        assert by_suffix[suffix].status_code == 200
        assert by_suffix[suffix].headers["content-type"].startswith(media)
    assert _triples(by_suffix["ttl"]) == _triples(by_suffix["nt"])


def test_resource_page_shows_label_type_links_and_inbound(site: RunningServer) -> None:
    with site.client() as client:
        page = client.get("/doc/ns/mli", headers={"Accept": "text/html"}).text
    assert "<h1>Mali Red Cross</h1>" in page
    assert "org:FormalOrganization" in page or "Formal Organization" in page
    assert 'href="/id/country/mli"' in page  # links go to the local origin, not w3id.org
    assert "Linked from" in page
    assert 'href="/id/report/mli/2023"' in page


def test_figure_page_quotes_its_source_text(site: RunningServer) -> None:
    with site.client() as client:
        page = client.get(
            "/doc/observation/mli/2023/people-reached/health-and-wellbeing",
            headers={"Accept": "text/html"},
        ).text
        turtle = client.get(
            "/doc/observation/mli/2023/people-reached/health-and-wellbeing",
            headers={"Accept": "text/turtle"},
        )
    assert "Source text" in page
    assert "<mark>240,612</mark>" in page
    assert "Line 61" in page
    # the hash IRIs (#source, its selectors) are described on the base document
    subjects = {t.subject.value for t in _triples(turtle)}
    assert f"{BASE}id/observation/mli/2023/people-reached/health-and-wellbeing#source" in subjects
    assert 'id="source"' in page


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/html", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_unknown_iris_are_404_in_the_asked_format(
    site: RunningServer, accept: str, media: str
) -> None:
    with site.client() as client:
        for path in ("/id/ns/atlantis", "/doc/ns/atlantis", "/def/concept/nothing/here"):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code == 404, path
            assert response.headers["content-type"].startswith(media)
            assert "atlantis" in response.text or "nothing" in response.text


def test_vocabulary_terms_resolve(site: RunningServer) -> None:
    concept = "concept/strategic-priority/health-and-wellbeing"
    with site.client() as client:
        term = client.get(f"/def/{concept}", headers={"Accept": "text/turtle"})
        described = client.get(f"/doc/def/{concept}", headers={"Accept": "text/turtle"})
        html = client.get(f"/doc/def/{concept}", headers={"Accept": "text/html"})
        core = client.get("/def/core", headers={"Accept": "text/turtle"})
    assert term.status_code == 303
    assert term.headers["location"] == f"/doc/def/{concept}"
    assert described.status_code == 200
    assert any(t.subject.value == f"{BASE}def/{concept}" for t in _triples(described))
    assert "Health and wellbeing" in html.text
    assert core.status_code == 303
    assert core.headers["location"] == "/ontology"


def test_ontology_html_and_turtle(site: RunningServer) -> None:
    with site.client() as client:
        html = client.get("/ontology", headers={"Accept": "text/html"})
        turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
        by_suffix = client.get("/ontology.ttl")
        jsonld = client.get("/ontology", headers={"Accept": "application/ld+json"})
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "pyLODE" in html.text
    assert '<link rel="alternate" type="text/turtle" href="/ontology.ttl">' in html.text
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert turtle.content == by_suffix.content
    triples = {q.triple for q in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)}
    ontology = ox.NamedNode(BASE + "def/core")
    owl_ontology = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert ox.Triple(ontology, rdf_type, owl_ontology) in triples
    assert len(list(ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD))) == len(triples)


def test_named_graph_page_and_dump(site: RunningServer) -> None:
    with site.client() as client:
        page = client.get("/graph/mli/2023", headers={"Accept": "text/html"})
        trig = client.get("/graph/mli/2023", headers={"Accept": "application/trig"})
        turtle = client.get("/graph/mli/2023.ttl")
        missing = client.get("/graph/xyz/1999", headers={"Accept": "text/turtle"})
    assert page.status_code == 200
    assert "triples" in page.text
    quads = list(ox.parse(trig.content, format=ox.RdfFormat.TRIG))
    assert {q.graph_name.value for q in quads} == {BASE + "graph/mli/2023"}
    assert len(list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))) == len(quads)
    assert missing.status_code == 404


def test_every_id_subject_of_the_dump_resolves(site: RunningServer) -> None:
    """Every IRI subject under <base>id/ answers 303, and its /doc/ answers 200."""
    store = GraphStore.from_dist(site.dist)
    paths = sorted(
        {iri.split("#", 1)[0][len(BASE) :] for iri in store.subjects_with_prefix(BASE + "id/")}
    )
    assert len(paths) > 100
    failures = []
    with site.client() as client:
        for path in paths:
            thing = client.get("/" + path, headers={"Accept": "application/n-triples"})
            if thing.status_code != 303:
                failures.append((path, thing.status_code))
                continue
            doc = client.get(thing.headers["location"], headers={"Accept": "application/n-triples"})
            if doc.status_code != 200 or not doc.content:
                failures.append((thing.headers["location"], doc.status_code))
    assert failures == []


def test_ontology_page_anchors_are_the_terms_local_names(site: RunningServer) -> None:
    with site.client() as client:
        page = client.get("/ontology", headers={"Accept": "text/html"}).text
    for local in ("AnnualReport", "OperationStatement", "Finding", "refPeriod", "ifrcGoId"):
        assert f'id="{local}"' in page, local
    assert 'href="#AnnualReport"' in page
    assert 'id="Annualreport"' not in page and 'href="#Annualreport"' not in page
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # still one element per anchor
    assert not [h for h in re.findall(r'href="#([^"]+)"', page) if h not in ids]
