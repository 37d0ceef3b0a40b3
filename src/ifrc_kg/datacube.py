"""W3C Data Cube well-formedness: normalisation (§10) and integrity constraints IC-1…IC-21 (§11).

The Recommendation (https://www.w3.org/TR/vocab-data-cube/) states each constraint as a
SPARQL ASK query over the *normalised* form of a cube: phase 1 closes the types and
``qb:componentProperty`` that the shortcut properties (``qb:dimension``, ``qb:measure``,
``qb:attribute``) imply, phase 2 pushes values attached at data set or slice level down
onto the observations. Without it IC-3 fires falsely on shortcut DSDs and IC-11/12 see no
dimensions at all (silent false negatives), so :func:`check_integrity` always normalises
first (a copy, or a caller's store, which gets back only what it held); both phases are
idempotent, so an already normalised graph is unchanged.

Each constraint is written here as a SELECT with the same graph pattern as the
Recommendation's ASK, so a violation can name the nodes at fault instead of just "true".
Two are evaluated differently, for reasons given where they are defined: IC-12 (one
SELECT of dimension values grouped in Python, instead of a pairwise query that is
quadratic) and IC-20/21 (templates instantiated once per ``qb:parentChildProperty`` found
in the data, as §11 prescribes). One departs from the Recommendation on purpose: IC-14 lets
an observation go without its measure when it holds the candidate readings of an ambiguous
print (``ifrckg:possibleValue``, "25,6140": 25,614 or 256,140?). The report does not say
which value it means, so the graph records none rather than a guess; the project's shapes
allow that only for such a print.

The queries run in pyoxigraph (a copy of the graph loaded through N-Triples): rdflib's
SPARQL engine took about 0.6 s of CPU per report for the normalisation and the 21
constraints, a tenth of the corpus build's per-report budget. The few rows that name a
violation come back as rdflib terms, so the messages read as they did.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.term import Node

log = logging.getLogger(__name__)

PREFIXES = """\
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb:   <http://purl.org/linked-data/cube#>
PREFIX ifrckg: <https://w3id.org/ifrc-kg/def/core#>
"""

#: §10.1 Phase 1: type and property closure; each rule an INSERT's template and pattern.
NORMALISE_PHASE_1 = (
    ("?o rdf:type qb:Observation .", "[] qb:observation ?o ."),
    ("?o rdf:type qb:Observation . ?ds rdf:type qb:DataSet .", "?o qb:dataSet ?ds ."),
    ("?s rdf:type qb:Slice .", "[] qb:slice ?s ."),
    ("?cs qb:componentProperty ?p . ?p rdf:type qb:DimensionProperty .", "?cs qb:dimension ?p ."),
    ("?cs qb:componentProperty ?p . ?p rdf:type qb:MeasureProperty .", "?cs qb:measure ?p ."),
    ("?cs qb:componentProperty ?p . ?p rdf:type qb:AttributeProperty .", "?cs qb:attribute ?p ."),
)

#: §10.2 Phase 2: push down attachment levels (data set, slice, slice dimensions).
NORMALISE_PHASE_2 = (
    (
        "?obs ?comp ?value",
        """?spec qb:componentProperty ?comp ; qb:componentAttachment qb:DataSet .
    ?dataset qb:structure [ qb:component ?spec ] ; ?comp ?value .
    ?obs qb:dataSet ?dataset .""",
    ),
    (
        "?obs ?comp ?value",
        """?spec qb:componentProperty ?comp ; qb:componentAttachment qb:Slice .
    ?dataset qb:structure [ qb:component ?spec ] ; qb:slice ?slice .
    ?slice ?comp ?value ; qb:observation ?obs .""",
    ),
    (
        "?obs ?comp ?value",
        """?spec qb:componentProperty ?comp .
    ?comp a qb:DimensionProperty .
    ?dataset qb:structure [ qb:component ?spec ] ; qb:slice ?slice .
    ?slice ?comp ?value ; qb:observation ?obs .""",
    ),
)


def union_graph(data: Graph) -> Graph:
    """All triples of a graph or of every named graph of a dataset, in one plain graph."""
    union = Graph()
    for prefix, namespace in data.namespaces():
        union.bind(prefix, namespace, override=False)
    if isinstance(data, Dataset | ConjunctiveGraph):
        for s, p, o, _ in data.quads((None, None, None, None)):
            union.add((s, p, o))
    else:
        for triple in data:
            union.add(triple)
    return union


class UnionView(Graph):
    """Every named graph of a dataset read as one plain graph, without copying it.

    rdflib's store API answers a pattern with ``context=None`` from all contexts, each
    triple once; the view asks that way. Validation reads a report's dataset through it
    instead of a copy of its union (0.4 s of a report's 3 s). It is read-only.
    """

    def __init__(self, dataset: Dataset) -> None:
        super().__init__(store=dataset.store, namespace_manager=dataset.namespace_manager)
        self.dataset = dataset

    def triples(self, triple, context=None):  # type: ignore[no-untyped-def, override]
        for found, _ in self.store.triples(triple, context=None):
            yield found

    def __len__(self) -> int:
        return self.store.__len__(context=None)

    def add(self, triple):  # type: ignore[no-untyped-def, override]
        raise TypeError("a UnionView is read-only")

    def addN(self, quads):  # type: ignore[no-untyped-def, override]
        raise TypeError("a UnionView is read-only")

    def remove(self, triple):  # type: ignore[no-untyped-def, override]
        raise TypeError("a UnionView is read-only")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


class Row:
    """One solution with rdflib terms, read as ``row.obs`` or ``row["count"]``."""

    def __init__(self, solution: ox.QuerySolution, variables: list[str]) -> None:
        self._values = {name: rdflib_term(solution[name]) for name in variables}

    def __getattr__(self, name: str) -> Node | None:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Node | None:
        return self._values[name]


def _select(store: ox.Store, query: str) -> list[Row]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    variables = [variable.value for variable in solutions.variables]
    return [Row(solution, variables) for solution in solutions]


#: The datatype IRIs of an N-Triples / N-Quads text (one inside a quoted string too, which
#: only makes a caller of ``store_of`` more careful).
_DATATYPES = re.compile(rb"\^\^<([^>]*)>")


def store_of(data: Graph, datatypes: set[str] | None = None) -> ox.Store:
    """A scratch in-memory store holding every triple of ``data`` in its default graph.

    ``datatypes`` receives the datatype IRIs the serialised ``data`` writes.
    """
    store = ox.Store()
    dataset = isinstance(data, Dataset | ConjunctiveGraph)
    text = data.serialize(format="nquads" if dataset else "nt", encoding="utf-8")
    if dataset or b"_:" in text:  # ox.parse keeps blank node labels (Store.load renames them)
        quads = ox.parse(text, ox.RdfFormat.N_QUADS if dataset else ox.RdfFormat.N_TRIPLES)
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    else:
        store.load(text, ox.RdfFormat.N_TRIPLES)
    if datatypes is not None:
        datatypes.update(iri.decode() for iri in _DATATYPES.findall(text))
    return store


def _normalise_store(store: ox.Store) -> list[ox.Quad]:
    """Normalise the store's default graph in place; returns the statements it added.

    Each rule is an INSERT of §10, run as a CONSTRUCT whose new triples are added before the
    next rule runs (what a sequence of INSERTs does), so a caller can take them out again.
    """
    added: list[ox.Quad] = []
    for template, pattern in (*NORMALISE_PHASE_1, *NORMALISE_PHASE_2):
        query = f"{PREFIXES}CONSTRUCT {{ {template} }} WHERE {{ {pattern} }}"
        new = {ox.Quad(t.subject, t.predicate, t.object) for t in store.query(query)}
        new = {quad for quad in new if quad not in store}
        store.extend(new)
        added.extend(new)
    return added


def normalise(data: Graph) -> Graph:
    """A normalised copy (phases 1 and 2); the input is never modified."""
    store = store_of(data)
    _normalise_store(store)
    copy = Graph()
    for prefix, namespace in data.namespaces():
        copy.bind(prefix, namespace, override=False)
    copy.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return copy


@dataclass(frozen=True)
class IntegrityConstraint:
    """One IC: its id and title from §11, a SELECT query, and how to describe one row."""

    id: str
    title: str
    query: str
    describe: Callable[[Row], str]


def _n(term: object) -> str:
    return term.n3() if hasattr(term, "n3") else str(term)


def _ic(ic_id: str, title: str, where: str, describe: Callable[[Row], str]) -> None:
    CONSTRAINTS.append(IntegrityConstraint(ic_id, title, PREFIXES + where, describe))


CONSTRAINTS: list[IntegrityConstraint] = []

_ic(
    "IC-1",
    "Unique DataSet: every qb:Observation has exactly one associated qb:DataSet",
    """SELECT DISTINCT ?obs ?problem WHERE {
      { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?d1 . }
        BIND("has no qb:dataSet" AS ?problem) }
      UNION
      { ?obs a qb:Observation ; qb:dataSet ?d1, ?d2 . FILTER (?d1 != ?d2)
        BIND("has more than one qb:dataSet" AS ?problem) }
    }""",
    lambda r: f"observation {_n(r.obs)} {r.problem}",
)
_ic(
    "IC-2",
    "Unique DSD: every qb:DataSet has exactly one associated qb:DataStructureDefinition",
    """SELECT DISTINCT ?dataset ?problem WHERE {
      { ?dataset a qb:DataSet . FILTER NOT EXISTS { ?dataset qb:structure ?dsd . }
        BIND("has no qb:structure" AS ?problem) }
      UNION
      { ?dataset a qb:DataSet ; qb:structure ?dsd1, ?dsd2 . FILTER (?dsd1 != ?dsd2)
        BIND("has more than one qb:structure" AS ?problem) }
    }""",
    lambda r: f"data set {_n(r.dataset)} {r.problem}",
)
_ic(
    "IC-3",
    "DSD includes measure: every qb:DataStructureDefinition includes at least one measure",
    """SELECT DISTINCT ?dsd WHERE {
      ?dsd a qb:DataStructureDefinition .
      FILTER NOT EXISTS { ?dsd qb:component [ qb:componentProperty [ a qb:MeasureProperty ] ] }
    }""",
    lambda r: f"data structure definition {_n(r.dsd)} declares no measure",
)
_ic(
    "IC-4",
    "Dimensions have range: every dimension declared in a DSD has a declared rdfs:range",
    """SELECT DISTINCT ?dim WHERE {
      ?dim a qb:DimensionProperty .
      FILTER NOT EXISTS { ?dim rdfs:range [] }
    }""",
    lambda r: f"dimension {_n(r.dim)} has no rdfs:range",
)
_ic(
    "IC-5",
    "Concept dimensions have code lists: a dimension with range skos:Concept has a qb:codeList",
    """SELECT DISTINCT ?dim WHERE {
      ?dim a qb:DimensionProperty ; rdfs:range skos:Concept .
      FILTER NOT EXISTS { ?dim qb:codeList [] }
    }""",
    lambda r: f"dimension {_n(r.dim)} has range skos:Concept but no qb:codeList",
)
_ic(
    "IC-6",
    "Only attributes may be optional: qb:componentRequired false only on attributes",
    """SELECT DISTINCT ?dsd ?component WHERE {
      ?dsd qb:component ?spec .
      ?spec qb:componentRequired "false"^^xsd:boolean ; qb:componentProperty ?component .
      FILTER NOT EXISTS { ?component a qb:AttributeProperty }
    }""",
    lambda r: f"{_n(r.component)} in {_n(r.dsd)} is optional but is not an attribute",
)
_ic(
    "IC-7",
    "Slice keys must be declared: every qb:SliceKey is associated with a DSD",
    """SELECT DISTINCT ?sliceKey WHERE {
      ?sliceKey a qb:SliceKey .
      FILTER NOT EXISTS { [ a qb:DataStructureDefinition ] qb:sliceKey ?sliceKey }
    }""",
    lambda r: f"slice key {_n(r.sliceKey)} is not the qb:sliceKey of any DSD",
)
_ic(
    "IC-8",
    "Slice keys consistent with DSD: every slice key component is a component of its DSD",
    """SELECT DISTINCT ?sliceKey ?prop ?dsd WHERE {
      ?sliceKey a qb:SliceKey ; qb:componentProperty ?prop .
      ?dsd qb:sliceKey ?sliceKey .
      FILTER NOT EXISTS { ?dsd qb:component [ qb:componentProperty ?prop ] }
    }""",
    lambda r: f"slice key {_n(r.sliceKey)} uses {_n(r.prop)}, not a component of {_n(r.dsd)}",
)
_ic(
    "IC-9",
    "Unique slice structure: every qb:Slice has exactly one qb:sliceStructure",
    """SELECT DISTINCT ?slice ?problem WHERE {
      { ?slice a qb:Slice . FILTER NOT EXISTS { ?slice qb:sliceStructure ?key }
        BIND("has no qb:sliceStructure" AS ?problem) }
      UNION
      { ?slice a qb:Slice ; qb:sliceStructure ?key1, ?key2 . FILTER (?key1 != ?key2)
        BIND("has more than one qb:sliceStructure" AS ?problem) }
    }""",
    lambda r: f"slice {_n(r.slice)} {r.problem}",
)
_ic(
    "IC-10",
    "Slice dimensions complete: every slice has a value for each dimension of its slice key",
    """SELECT DISTINCT ?slice ?dim WHERE {
      ?slice qb:sliceStructure [ qb:componentProperty ?dim ] .
      FILTER NOT EXISTS { ?slice ?dim [] }
    }""",
    lambda r: f"slice {_n(r.slice)} has no value for its key dimension {_n(r.dim)}",
)
_ic(
    "IC-11",
    "All dimensions required: every observation has a value for every dimension of its DSD",
    """SELECT DISTINCT ?obs ?dim WHERE {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty .
      FILTER NOT EXISTS { ?obs ?dim [] }
    }""",
    lambda r: f"observation {_n(r.obs)} has no value for dimension {_n(r.dim)}",
)
_ic(
    "IC-13",
    "Required attributes: every observation has a value for each required attribute",
    """SELECT DISTINCT ?obs ?attr WHERE {
      ?obs qb:dataSet/qb:structure/qb:component ?component .
      ?component qb:componentRequired "true"^^xsd:boolean ; qb:componentProperty ?attr .
      FILTER NOT EXISTS { ?obs ?attr [] }
    }""",
    lambda r: f"observation {_n(r.obs)} has no value for required attribute {_n(r.attr)}",
)
_ic(
    "IC-14",
    "All measures present: in a cube without qb:measureType every observation has every measure",
    """SELECT DISTINCT ?obs ?measure WHERE {
      ?obs qb:dataSet/qb:structure ?dsd .
      FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty qb:measureType }
      ?dsd qb:component/qb:componentProperty ?measure .
      ?measure a qb:MeasureProperty .
      FILTER NOT EXISTS { ?obs ?measure [] }
      FILTER NOT EXISTS { ?obs ifrckg:possibleValue [] }  # an ambiguous print: no guess
    }""",
    lambda r: f"observation {_n(r.obs)} has no value for measure {_n(r.measure)}",
)
_ic(
    "IC-15",
    "Measure dimension consistent: an observation has a value for the measure its "
    "qb:measureType names",
    """SELECT DISTINCT ?obs ?measure WHERE {
      ?obs qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure .
      ?dsd qb:component/qb:componentProperty qb:measureType .
      FILTER NOT EXISTS { ?obs ?measure [] }
    }""",
    lambda r: f"observation {_n(r.obs)} names measure {_n(r.measure)} but has no value for it",
)
_ic(
    "IC-16",
    "Single measure on measure dimension observation: no value for a measure other than "
    "its qb:measureType",
    """SELECT DISTINCT ?obs ?measure ?omeasure WHERE {
      ?obs qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure ; ?omeasure [] .
      ?dsd qb:component/qb:componentProperty qb:measureType ;
           qb:component/qb:componentProperty ?omeasure .
      ?omeasure a qb:MeasureProperty .
      FILTER (?omeasure != ?measure)
    }""",
    lambda r: (
        f"observation {_n(r.obs)} has measure type {_n(r.measure)} "
        f"but also a value for {_n(r.omeasure)}"
    ),
)
_ic(
    "IC-17",
    "All measures present in measures dimension cube: one observation per measure at each point",
    """SELECT ?obs1 ?numMeasures (COUNT(?obs2) AS ?count) WHERE {
      { SELECT ?dsd (COUNT(?m) AS ?numMeasures) WHERE {
          ?dsd qb:component/qb:componentProperty ?m . ?m a qb:MeasureProperty .
        } GROUP BY ?dsd }
      ?obs1 qb:dataSet/qb:structure ?dsd ; qb:dataSet ?dataset ; qb:measureType ?m1 .
      ?obs2 qb:dataSet ?dataset ; qb:measureType ?m2 .
      FILTER NOT EXISTS {
        ?dsd qb:component/qb:componentProperty ?dim .
        FILTER (?dim != qb:measureType)
        ?dim a qb:DimensionProperty .
        ?obs1 ?dim ?v1 . ?obs2 ?dim ?v2 .
        FILTER (?v1 != ?v2)
      }
    } GROUP BY ?obs1 ?numMeasures HAVING (COUNT(?obs2) != ?numMeasures)""",
    lambda r: (
        f"observation {_n(r.obs1)}: {r['count']} observations at its point "
        f"but the DSD has {r.numMeasures} measures"
    ),
)
_ic(
    "IC-18",
    "Consistent data set links: observations in a slice of a data set belong to that data set",
    """SELECT DISTINCT ?dataset ?slice ?obs WHERE {
      ?dataset qb:slice ?slice .
      ?slice qb:observation ?obs .
      FILTER NOT EXISTS { ?obs qb:dataSet ?dataset . }
    }""",
    lambda r: (
        f"observation {_n(r.obs)} is in slice {_n(r.slice)} of {_n(r.dataset)} "
        "but not in that data set"
    ),
)
#: IC-19's two cases are FILTERs rather than the Recommendation's UNION of groups: inside a
#: UNION branch ``?v`` is not in scope, so a strict engine (pyoxigraph) would see it unbound.
_ic(
    "IC-19",
    "Codes from code list: a coded dimension's value is a skos:Concept of its code list",
    """SELECT DISTINCT ?obs ?dim ?v ?list WHERE {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty ; qb:codeList ?list .
      ?obs ?dim ?v .
      FILTER (
        (EXISTS { ?list a skos:ConceptScheme }
         && NOT EXISTS { ?v a skos:Concept ; skos:inScheme ?list })
        || (EXISTS { ?list a skos:Collection }
            && NOT EXISTS { ?v a skos:Concept . ?list skos:member+ ?v }))
    }""",
    lambda r: (
        f"observation {_n(r.obs)}: value {_n(r.v)} of {_n(r.dim)} is not a skos:Concept "
        f"of its code list {_n(r.list)}"
    ),
)

#: IC-12 in two steps: one SELECT of every observation's dimension values, then grouping
#: by (data set, values) in Python. The Recommendation's pairwise query is the same
#: condition but costs a FILTER per pair of observations: 30 s for 150 observations in
#: rdflib. Literal values compare by value, as SPARQL ``=`` does.
_DIMENSION_VALUES = (
    PREFIXES
    + """SELECT ?obs ?dataset ?dim ?value WHERE {
      ?obs qb:dataSet ?dataset .
      ?dataset qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty .
      ?obs ?dim ?value .
    }"""
)


def _comparable(term: object) -> object:
    if isinstance(term, Literal) and term.value is not None:
        return ("literal", term.value)
    return term


def _duplicate_observations(normalised: ox.Store) -> list[str]:
    keys: dict[Node, dict[Node, set[tuple[Node, object]]]] = defaultdict(lambda: defaultdict(set))
    for row in _select(normalised, _DIMENSION_VALUES):
        keys[row.dataset][row.obs].add((row.dim, _comparable(row.value)))
    found = []
    for dataset, observations in keys.items():
        groups: dict[frozenset[tuple[Node, object]], list[Node]] = defaultdict(list)
        for obs, values in observations.items():
            groups[frozenset(values)].append(obs)
        for group in groups.values():
            ordered = sorted(group, key=str)
            for other in ordered[1:]:
                found.append(
                    f"observations {_n(ordered[0])} and {_n(other)} of {_n(dataset)} "
                    "have the same value for every dimension"
                )
    return found


#: IC-20/21 are templates: §11 instantiates them once per qb:parentChildProperty ``$p``
#: (IC-20 when the property is an IRI, IC-21 when it is a blank ``[ owl:inverseOf $p ]``).
_HIERARCHY_TEMPLATE = (
    PREFIXES
    + """SELECT DISTINCT ?obs ?dim ?v ?list WHERE {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty ; qb:codeList ?list .
      ?list a qb:HierarchicalCodeList ; qb:parentChildProperty %(pcp)s .
      ?obs ?dim ?v .
      FILTER NOT EXISTS { ?list qb:hierarchyRoot/%(path)s ?v }
    }"""
)
_PARENT_CHILD = (
    PREFIXES
    + """SELECT DISTINCT ?p ?inverse WHERE {
      { ?list a qb:HierarchicalCodeList ; qb:parentChildProperty ?p . FILTER(isIRI(?p))
        BIND(false AS ?inverse) }
      UNION
      { ?list a qb:HierarchicalCodeList ; qb:parentChildProperty ?pcp .
        ?pcp owl:inverseOf ?p . FILTER(isBlank(?pcp) && isIRI(?p)) BIND(true AS ?inverse) }
    }"""
)
IC_TITLES = {ic.id: ic.title for ic in CONSTRAINTS} | {
    "IC-12": "No duplicate observations: no two observations of a data set share all "
    "dimension values",
    "IC-20": "Codes from hierarchy: a value is reachable from a hierarchy root along "
    "qb:parentChildProperty",
    "IC-21": "Codes from hierarchy (inverse): a value is reachable from a hierarchy root "
    "along the inverse of the parent-child property",
}
IC_IDS: tuple[str, ...] = tuple(f"IC-{n}" for n in range(1, 22))


def _hierarchy_violations(normalised: ox.Store) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"IC-20": [], "IC-21": []}
    for row in _select(normalised, _PARENT_CHILD):
        prop = row.p.n3()
        if row.inverse.toPython():
            ic_id, pcp, path = "IC-21", f"[ owl:inverseOf {prop} ]", f"(^{prop})*"
        else:
            ic_id, pcp, path = "IC-20", prop, f"{prop}*"
        query = _HIERARCHY_TEMPLATE % {"pcp": pcp, "path": path}
        for hit in _select(normalised, query):
            found[ic_id].append(
                f"observation {_n(hit.obs)}: value {_n(hit.v)} of {_n(hit.dim)} is not reachable "
                f"from a root of {_n(hit.list)} along {path}"
            )
    return found


def check_integrity(data: Graph | ox.Store) -> dict[str, list[str]]:
    """Run IC-1…IC-21 on a normalised copy: IC id → sorted violation descriptions.

    Every IC id is a key (an empty list when it holds), so callers can report which
    constraints were checked. An rdflib graph is copied; a pyoxigraph store (its default
    graph) is normalised in place for the checks, then given back as it came (the build
    reads the figure rows from it afterwards).
    """
    normalised = data if isinstance(data, ox.Store) else store_of(data)
    added = _normalise_store(normalised)
    try:
        return _check_normalised(normalised)
    finally:
        for quad in added:  # the caller's store is given back as it came
            normalised.remove(quad)


def _check_normalised(normalised: ox.Store) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {ic_id: [] for ic_id in IC_IDS}
    for constraint in CONSTRAINTS:
        found[constraint.id] = sorted(
            {constraint.describe(row) for row in _select(normalised, constraint.query)}
        )
    found["IC-12"] = sorted(set(_duplicate_observations(normalised)))
    for ic_id, messages in _hierarchy_violations(normalised).items():
        found[ic_id] = sorted(set(messages))
    total = sum(len(v) for v in found.values())
    log.info("Data Cube integrity: %d violation(s) over %d constraints", total, len(found))
    return found


def violations_only(found: dict[str, list[str]]) -> dict[str, list[str]]:
    """The constraints that fired, in IC order.

    >>> violations_only({"IC-1": [], "IC-2": ["x"]})
    {'IC-2': ['x']}
    """
    return {ic_id: messages for ic_id, messages in found.items() if messages}
