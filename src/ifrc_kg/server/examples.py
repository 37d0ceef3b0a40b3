"""Example queries of the query page: the questions users ask. A test runs each one and
checks that it returns rows. Each starts from its most selective pattern and carries its own
prefixes (the endpoint adds none).

Every required pattern and filter comes before the first OPTIONAL: Oxigraph plans the
patterns inside a block but does not move them across an OPTIONAL, so a label pattern
written after one is joined with every optional row instead of narrowing the rows first
("people reached" ran several times faster moved up). The move keeps the answer: an
OPTIONAL is a left join, and ``LeftJoin(A, P) ⋈ B = LeftJoin(A ⋈ B, P)`` when ``B`` shares
no variable with ``P`` except ones ``A`` always binds (here ``P`` uses ``?figure`` and
``?printed``, ``B`` uses ``?category`` and ``?priority``); a FILTER applies to its whole
group wherever it is written. ``tests/server/test_example_rewrites.py`` checks both forms
give the same rows.

Inside a block, the smallest pattern comes first: Oxigraph orders a block's patterns by how
many of their terms are bound and keeps the written order between patterns of one shape
(it has no statistics), so "partners" starts from the 1,323 amounts rather than the 5,607
partner triples and "early warning" from the 1,374 administrative areas rather than the
13,986 sentences (38 → 21 ms and 80 → 5 ms at a million quads). The order of a block's
patterns never changes its answer (SPARQL 1.1 Query §18.3: a basic graph pattern is a set);
the planner (``join_order.py``) does the same for any query from the build's counts, these
texts are also fast where it does not run (a remote store)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    key: str
    title: str
    query: str


PEOPLE_REACHED = """\
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# People reached, by strategic priority, for every National Society and year
SELECT DISTINCT ?society ?year ?priority ?peopleReached ?printed WHERE {
  ?figure ifrckg:peopleReached ?peopleReached ;
          ifrckg:reachCategory ?category ;
          ifrckg:nationalSociety ?ns ;
          ifrckg:refPeriod ?period .
  ?category skos:prefLabel ?priority .
  FILTER(LANG(?priority) = "en")
  OPTIONAL { ?figure ifrckg:printedValue ?printed }
  OPTIONAL { ?ns rdfs:label ?society }
  OPTIONAL { ?period rdfs:label ?year }
}
ORDER BY ?society DESC(?peopleReached)
"""

PARTNERS = """\
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Partner National Societies, whom they support and the funding they reported (CHF)
SELECT DISTINCT ?society ?year ?partner ?name ?amount ?printed WHERE {
  ?figure ifrckg:amount ?amount ;
          ifrckg:partner ?partner ;
          ifrckg:nationalSociety ?ns ;
          ifrckg:refPeriod ?period .
  OPTIONAL { ?figure ifrckg:printedValue ?printed }
  OPTIONAL { ?partner rdfs:label ?name }
  OPTIONAL { ?ns rdfs:label ?society }
  OPTIONAL { ?period rdfs:label ?year }
}
ORDER BY ?society ?year DESC(?amount)
"""

OPERATIONS = """\
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>

# Emergency operations, with what each report says about their dates
SELECT DISTINCT ?report ?code ?operation ?name ?start ?end WHERE {
  ?report ifrckg:operation ?operation .
  ?operation skos:notation ?code .
  OPTIONAL { ?operation rdfs:label ?name }
  OPTIONAL {
    ?operation ifrckg:statement ?statement .
    ?statement ifrckg:report ?report .
    OPTIONAL { ?statement schema:startDate ?start }
    OPTIONAL { ?statement schema:endDate ?end }
  }
}
ORDER BY ?code ?report
"""

PROVENANCE = """\
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>

# Where each people-reached figure came from: the quoted text and its lines in the report
SELECT DISTINCT ?figure ?printed ?quote ?lineStart ?lineEnd ?file WHERE {
  ?figure ifrckg:peopleReached ?value ;
          ifrckg:printedValue ?printed ;
          prov:wasDerivedFrom ?source .
  ?source oa:hasSelector ?selector .
  ?selector oa:exact ?quote .
  OPTIONAL { ?source ifrckg:lineStart ?lineStart }
  OPTIONAL { ?source ifrckg:lineEnd ?lineEnd }
  OPTIONAL { ?source oa:hasSource ?file }
}
LIMIT 50
"""

DISAGREEMENTS = """\
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
PREFIX sh: <http://www.w3.org/ns/shacl#>

# Which figures disagree? The build's data-quality findings, one row per figure involved
SELECT ?figure ?finding ?message ?difference ?tolerance WHERE {
  ?finding ifrckg:comparesFigure ?figure ; sh:resultMessage ?message .
  OPTIONAL { ?finding ifrckg:difference ?difference ; ifrckg:tolerance ?tolerance }
}
ORDER BY ?finding ?figure
"""

EARLY_WARNING = """\
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX doco: <http://purl.org/spar/doco/>

# Where were early warning systems set up? The places named in the sentences that say so
SELECT DISTINCT ?place ?name ?sentence WHERE {
  ?place a schema:AdministrativeArea .
  ?s schema:mentions ?place ; a doco:Sentence ; schema:text ?sentence .
  FILTER (CONTAINS(LCASE(?sentence), "early warning"))
  OPTIONAL { ?place rdfs:label ?name }
}
ORDER BY ?name
"""

EXAMPLES: tuple[Example, ...] = (
    Example("people-reached", "People reached by strategic priority", PEOPLE_REACHED),
    Example("partners", "Partners and their funding", PARTNERS),
    Example("operations", "Emergency operations", OPERATIONS),
    Example("provenance", "Where a figure came from", PROVENANCE),
    Example("disagreements", "Which figures disagree?", DISAGREEMENTS),
    Example("early-warning", "Where were early warning systems set up?", EARLY_WARNING),
)
