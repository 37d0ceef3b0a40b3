"""SHACL Core shapes compiled into SPARQL queries run by pyoxigraph.

pySHACL walks rdflib's memory store node by node: 1 s of CPU of a report's 3.2 s, and a
thousand reports make a corpus. The same shapes, asked set-at-a-time as SPARQL over the
report already loaded into pyoxigraph for the Data Cube checks, cost a fraction of that.

One query per (shape, focus set) returns each focus node and its value nodes with one
boolean column per value-level constraint (SHACL 1.1 §4: the expressions the spec itself
defines in SPARQL terms); counts, languages and the logical components are decided in
Python from those rows. Focus sets stay SPARQL patterns binding ``?this``, so a nested
shape (``sh:node``, the members of ``sh:or``/``sh:xone``/``sh:and``, ``sh:not``) is asked
over its value nodes as a subquery, never as a list of nodes.

A shape that uses anything not compiled here (SHACL-SPARQL, SPARQL targets,
``sh:closed``, qualified shapes, ``sh:equals``…) is left to pySHACL, shape by shape
(:attr:`CompiledShapes.fallback`); nothing is skipped. pySHACL stays the reference:
``tests/validate/test_shacl_sparql.py`` runs both on the Mali graph, its structural variants
and every broken case, and compares the results.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from ifrc_kg.datacube import rdflib_term

#: rdf:type/rdfs:subClassOf*: a SHACL instance (SHACL 1.1 §1.5, "SHACL instance").
_INSTANCE = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_TARGETS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
#: Parameters compiled here; any other ``sh:`` predicate on a shape sends it to pySHACL.
_KNOWN = _TARGETS | {
    SH.path, SH.property, SH.node, SH["or"], SH["and"], SH["not"], SH.xone,
    SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.hasValue,
    SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH.pattern, SH.flags,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.uniqueLang, SH.lessThan, SH.lessThanOrEquals,
    SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
    SH.defaultValue,
}  # fmt: skip
#: Datatypes whose well-formedness (SHACL 1.1 §4.1.2) pyoxigraph's casts can check.
_CASTABLE = {
    XSD[name]
    for name in [
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "date",
        "dateTime",
        "time",
        "gYear",
        "gYearMonth",
        "gMonthDay",
        "gDay",
        "gMonth",
        "duration",
        "yearMonthDuration",
        "dayTimeDuration",
    ]
}
_NODE_KINDS = {
    SH.IRI: "isIRI(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}
#: Value-level comparisons (§4.3): the value node must compare true, else a result.
_RANGES = {
    SH.minInclusive: (">=", "MinInclusive"),
    SH.maxInclusive: ("<=", "MaxInclusive"),
    SH.minExclusive: (">", "MinExclusive"),
    SH.maxExclusive: ("<", "MaxExclusive"),
}
_LOGICAL = {SH["or"]: "Or", SH["and"]: "And", SH.xone: "Xone"}


class Unsupported(Exception):
    """A shape uses a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class Result:
    """One validation result, in SHACL's report vocabulary (§3.6)."""

    focus: Node
    path: Node | None
    value: Node | None
    shape: Node
    component: str  # the local name, e.g. "MinCountConstraintComponent"
    severity: Node
    messages: tuple[Literal, ...]
    detail: str = ""  # the default message when the shape gives none
    ox_focus: ox.Term | None = None  # the focus node as pyoxigraph returned it
    #: sh:node's results of the value node (§3.6.2.6 sh:detail, as pySHACL reports them)
    details: tuple[Result, ...] = ()


_TRUE = ox.Literal(True)
#: A check's verdict when it is decided on the literal as the data writes it.
_AS_WRITTEN = ox.Literal("as-written")
_STRINGS = f"(<{XSD.string}>, <{RDF.langString}>)"


@dataclass(frozen=True)
class _Check:
    """One value-level constraint: a SPARQL boolean over ``?v``, or ``_AS_WRITTEN``."""

    expr: str
    component: str
    as_written: Callable[[Any], bool] | None = None


def _lexical(expr: str, component: str, test: Callable[[Any], bool], term: bool = False) -> _Check:
    """A check decided by SPARQL for IRIs and strings, and on the data's own lexical form
    (``test`` of the string, or of the rdflib term when ``term``) for other literals."""
    other = f"isLiteral(?v) && !(datatype(?v) IN {_STRINGS})"
    verdict = f"IF({other}, {_AS_WRITTEN}, COALESCE({expr}, false))"
    return _Check(
        verdict, f"{component}ConstraintComponent", test if term else lambda t: test(str(t))
    )


def _python_flags(flags: str) -> int:
    """SPARQL REGEX flags (XPath: s, m, i, x) as Python's."""
    table = {"s": re.S, "m": re.M, "i": re.I, "x": re.X}
    return functools.reduce(lambda acc, f: acc | table.get(f, 0), flags, 0)


def _same_value(a: Literal, b: Literal) -> bool:
    try:
        return a.datatype == b.datatype and bool(a.eq(b))
    except TypeError:  # rdflib cannot compare ill-typed lexical forms
        return a == b


@dataclass(frozen=True)
class _Spec:
    """What one shape asks, read once from the shapes graph."""

    path_node: Node | None
    path: str | None
    checks: list[_Check]
    min_count: list[int]
    max_count: list[int]
    has_value: list[ox.Term]
    unique_lang: bool
    nodes: list[Node]
    nots: list[Node]
    logical: list[tuple[str, list[Node]]]
    properties: list[Node]
    pairs: list[tuple[Node, str, str]]
    severity: Node
    messages: tuple[Literal, ...]
    deactivated: bool


def _n3(term: Node) -> str:
    return term.n3()


class CompiledShapes:
    """The shapes of one shapes graph: those compiled here, and those left to pySHACL."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.compiled: list[Node] = []
        self.fallback: list[Node] = []
        for shape in sorted(self._targeted(), key=str):
            try:
                self._check(shape, set())
            except Unsupported:
                self.fallback.append(shape)
            else:
                self.compiled.append(shape)
        self._variables = itertools.count()
        self._specs: dict[Node, _Spec] = {}
        self._data: Graph | None = None

    def _spec(self, shape: Node) -> _Spec:
        if (spec := self._specs.get(shape)) is None:
            g = self.shapes
            path_node = g.value(shape, SH.path)
            spec = self._specs[shape] = _Spec(
                path_node=path_node,
                path=self._path(path_node) if path_node is not None else None,
                checks=self._value_checks(shape),
                min_count=[int(n) for n in g.objects(shape, SH.minCount)],
                max_count=[int(n) for n in g.objects(shape, SH.maxCount)],
                has_value=[_ox_term(v) for v in g.objects(shape, SH.hasValue)],
                unique_lang=g.value(shape, SH.uniqueLang) == Literal(True),
                nodes=list(g.objects(shape, SH.node)),
                nots=list(g.objects(shape, SH["not"])),
                logical=[
                    (name, list(Collection(g, members)))
                    for predicate, name in _LOGICAL.items()
                    for members in g.objects(shape, predicate)
                ],
                properties=list(g.objects(shape, SH.property)),
                pairs=[
                    (other, operator, component)
                    for predicate, operator, component in (
                        (SH.lessThan, "<", "LessThan"),
                        (SH.lessThanOrEquals, "<=", "LessThanOrEquals"),
                    )
                    for other in g.objects(shape, predicate)
                ],
                severity=g.value(shape, SH.severity) or SH.Violation,
                messages=tuple(sorted(g.objects(shape, SH.message))),
                deactivated=g.value(shape, SH.deactivated) == Literal(True),
            )
        return spec

    # --- which shapes, and can they be compiled --------------------------------------------

    def _targeted(self) -> set[Node]:
        """Shapes with a target (§2.1.3), including implicit class targets (§2.1.3.3)."""
        g = self.shapes
        shapes = {s for p in (*_TARGETS, SH.target) for s in g.subjects(p, None)}
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in g.subjects(RDF.type, kind):
                if (shape, RDF.type, RDFS.Class) in g:
                    shapes.add(shape)
        return shapes

    def _check(self, shape: Node, seen: set[Node]) -> None:
        if shape in seen:
            raise Unsupported(f"recursive shape {shape}")  # SHACL leaves recursion undefined
        seen = seen | {shape}
        for predicate, value in self.shapes.predicate_objects(shape):
            if str(predicate).startswith(str(SH)) and predicate not in _KNOWN:
                raise Unsupported(f"{shape}: {predicate}")
            if predicate == SH.datatype and value not in _CASTABLE | {XSD.string, RDF.langString}:
                raise Unsupported(f"{shape}: datatype {value}")
            if predicate == SH.path:
                self._path(value)
            if predicate in (SH.node, SH["not"], SH.property):
                self._check(value, seen)
            if predicate in _LOGICAL:
                for member in Collection(self.shapes, value):
                    self._check(member, seen)

    def _path(self, path: Node) -> str:
        """A SHACL property path (§2.3.1) as a SPARQL property path."""
        g = self.shapes
        if isinstance(path, URIRef):
            return _n3(path)
        if (path, RDF.first, None) in g:
            return "(" + "/".join(self._path(step) for step in Collection(g, path)) + ")"
        for predicate, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            if (inner := g.value(path, predicate)) is not None:
                return "(" + template.format(self._path(inner)) + ")"
        if (alternatives := g.value(path, SH.alternativePath)) is not None:
            return "(" + "|".join(self._path(a) for a in Collection(g, alternatives)) + ")"
        raise Unsupported(f"path {path}")

    # --- running them --------------------------------------------------------------------

    def results(self, store: ox.Store, data: Graph | None = None) -> list[Result]:
        """Every result of the compiled shapes over the store's default graph.

        ``data``, the graph the store was loaded from, gives back the lexical form of a
        value the store canonicalised ("322013.0"^^xsd:decimal is stored as 322013).
        """
        out: list[Result] = []
        self._data = data
        try:
            for shape in self.compiled:
                out.extend(self._evaluate(store, shape, self._target_pattern(shape)))
        finally:
            self._data = None
        return out if data is None else [_as_printed(r, data) for r in out]

    def _target_pattern(self, shape: Node) -> str:
        g, parts = self.shapes, []
        for cls in g.objects(shape, SH.targetClass):
            parts.append(f"{{ ?this {_INSTANCE} {_n3(cls)} }}")
        if (shape, RDF.type, RDFS.Class) in g:
            parts.append(f"{{ ?this {_INSTANCE} {_n3(shape)} }}")
        for predicate in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {_n3(predicate)} ?t{next(self._variables)} }}")
        for predicate in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ ?t{next(self._variables)} {_n3(predicate)} ?this }}")
        for node in g.objects(shape, SH.targetNode):
            parts.append(f"{{ VALUES ?this {{ {_n3(node)} }} }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def _evaluate(self, store: ox.Store, shape: Node, focus: str) -> list[Result]:
        """The results of ``shape`` on the focus nodes bound to ``?this`` by ``focus``."""
        spec = self._spec(shape)
        if spec.deactivated:
            return []
        # each check is computed where ?v is bound (an unbound ?v would make EXISTS scan);
        # ?ok says all of them hold, so most rows need no column read in Python
        binds = "".join(f" BIND ({check.expr} AS ?c{i})" for i, check in enumerate(spec.checks))
        if spec.checks:
            passed = " && ".join(f"sameTerm(?c{i}, true)" for i in range(len(spec.checks)))
            binds += f" BIND ({passed} AS ?ok)"
        if spec.path is None:  # a node shape: the focus node is the value node (§2.2)
            where = f"{focus} BIND (?this AS ?v){binds}"
        else:
            where = f"{focus} OPTIONAL {{ ?this {spec.path} ?v{binds} }}"
        values: dict[ox.Term, list[ox.Term]] = defaultdict(list)
        out: list[Result] = []

        def result(this, value, component: str, detail: str, details: tuple = ()) -> None:
            out.append(self._result(shape, spec, this, value, component, detail, details))

        columns = list(enumerate(spec.checks, 3))  # positions after ?this ?v ?ok
        projection = "?this ?v ?ok" + "".join(f" ?c{i}" for i in range(len(spec.checks)))
        for row in store.query(f"SELECT DISTINCT {projection} WHERE {{ {where} }}"):
            this, value = row[0], row[1]
            found = values[this]
            if value is None:
                continue
            found.append(value)
            if not columns or row[2] == _TRUE:
                continue
            for column, check in columns:
                verdict = row[column]
                if verdict == _TRUE:
                    continue
                written = verdict == _AS_WRITTEN and check.as_written is not None
                if not written or not check.as_written(self._as_written(spec, this, value)):
                    result(this, value, check.component, f"Value {value} fails {check.component}")
        if spec.min_count or spec.max_count or spec.has_value or spec.unique_lang:
            for this, found in values.items():
                self._count_checks(spec, this, found, result)
        value_set = focus if spec.path is None else self._value_set(focus, spec.path)
        self._shape_checks(store, spec, values, value_set, result)
        for child in spec.properties:  # §4.8.2: a property shape's results are reported as is
            out.extend(self._evaluate(store, child, value_set))
        if spec.path is not None:
            for other, operator, component in spec.pairs:  # §4.5.3-4
                query = (
                    f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {spec.path} ?v . "
                    f"?this {_n3(other)} ?o . FILTER (!COALESCE(?v {operator} ?o, false)) }}"
                )
                for row in store.query(query):
                    detail = f"Value is not {operator} {_n3(other)}"
                    result(row["this"], row["v"], f"{component}ConstraintComponent", detail)
        return out

    def _value_set(self, focus: str, path: str) -> str:
        """The value nodes of ``focus`` along ``path``, bound to ``?this`` in their turn."""
        f = f"?f{next(self._variables)}"
        inner = f"{{ SELECT (?this AS {f}) WHERE {{ {focus} }} }}"
        return f"{{ SELECT DISTINCT ?this WHERE {{ {inner} {f} {path} ?this }} }}"

    def _as_written(self, spec: _Spec, this: ox.Term, value: ox.Term) -> Node:
        term = rdflib_term(value)
        if self._data is None:
            return term
        return _written(self._data, rdflib_term(this), spec.path_node, term)

    def _value_checks(self, shape: Node) -> list[_Check]:
        """The value-level constraints of a shape, each a SPARQL expression over ``?v``."""
        g, checks = self.shapes, []
        for cls in g.objects(shape, SH["class"]):  # §4.1.1
            checks.append((f"EXISTS {{ ?v {_INSTANCE} {_n3(cls)} }}", "Class"))
        for datatype in g.objects(shape, SH.datatype):  # §4.1.2, well-formed literals only
            expr = f"isLiteral(?v) && datatype(?v) = {_n3(datatype)}"
            if datatype in _CASTABLE:
                expr += f" && isLiteral({_n3(datatype)}(STR(?v)))"
            checks.append((expr, "Datatype"))
        for kind in g.objects(shape, SH.nodeKind):  # §4.1.3
            checks.append((_NODE_KINDS[kind], "NodeKind"))
        for predicate, (operator, component) in _RANGES.items():  # §4.3
            for bound in g.objects(shape, predicate):
                checks.append((f"?v {operator} {_n3(bound)}", component))
        compiled = [
            _Check(f"COALESCE({expr}, false)", f"{component}ConstraintComponent")
            for expr, component in checks
        ]
        # What reads a literal's lexical form or compares terms is answered from the data
        # as written for a literal of another type than string: the store would give "5"
        # for "5.0"^^xsd:decimal.
        for length in g.objects(shape, SH.minLength):  # §4.4.1
            expr = f"!isBlank(?v) && STRLEN(STR(?v)) >= {int(length)}"
            compiled.append(_lexical(expr, "MinLength", lambda t, n=int(length): len(t) >= n))
        for length in g.objects(shape, SH.maxLength):  # §4.4.2
            expr = f"!isBlank(?v) && STRLEN(STR(?v)) <= {int(length)}"
            compiled.append(_lexical(expr, "MaxLength", lambda t, n=int(length): len(t) <= n))
        flags = g.value(shape, SH.flags)
        for pattern in g.objects(shape, SH.pattern):  # §4.4.3
            arguments = _n3(Literal(str(pattern)))
            if flags is not None:
                arguments += ", " + _n3(Literal(str(flags)))
            regex = re.compile(str(pattern), _python_flags(str(flags or "")))
            expr = f"!isBlank(?v) && REGEX(STR(?v), {arguments})"
            compiled.append(_lexical(expr, "Pattern", lambda t, r=regex: bool(r.search(t))))
        for members in g.objects(shape, SH["in"]):  # §4.8.3: sameTerm, not value equality
            allowed = list(Collection(g, members))
            terms = [f"sameTerm(?v, {_n3(m)})" for m in allowed]
            expr = "(" + (" || ".join(terms) or "false") + ")"
            compiled.append(_lexical(expr, "In", lambda t, a=allowed: t in a, term=True))
        return compiled

    @staticmethod
    def _count_checks(spec: _Spec, this: ox.Term, found: list[ox.Term], result) -> None:
        """minCount, maxCount (§4.2), hasValue (§4.8.1), uniqueLang (§4.5.2): per focus."""
        for minimum in spec.min_count:
            if len(found) < minimum:
                result(this, None, "MinCountConstraintComponent", f"Less than {minimum} values")
        for maximum in spec.max_count:
            if len(found) > maximum:
                result(this, None, "MaxCountConstraintComponent", f"More than {maximum} values")
        for wanted in spec.has_value:
            if wanted not in found:
                result(this, None, "HasValueConstraintComponent", f"Missing value {wanted}")
        if spec.unique_lang:
            languages = [v.language for v in found if isinstance(v, ox.Literal) and v.language]
            for language in sorted({lang for lang in languages if languages.count(lang) > 1}):
                detail = f"More than one value in @{language}"
                result(this, None, "UniqueLangConstraintComponent", detail)

    def _shape_checks(self, store, spec: _Spec, values, value_set: str, result) -> None:
        """sh:node (§4.7.1), sh:not/and/or/xone (§4.6): each value node against shapes."""
        members = spec.nodes + spec.nots + [m for _, group in spec.logical for m in group]
        if not members:
            return
        failing = {m: self._failing(store, m, value_set) for m in set(members)}
        for this, found in values.items():
            for value in found:
                for node_shape in spec.nodes:
                    if value in failing[node_shape]:
                        detail = f"Value does not conform to {node_shape}"
                        nested = tuple(failing[node_shape][value])
                        result(this, value, "NodeConstraintComponent", detail, nested)
                for negated in spec.nots:
                    if value not in failing[negated]:
                        result(
                            this, value, "NotConstraintComponent", f"Value conforms to {negated}"
                        )
                for name, group in spec.logical:
                    passed = sum(value not in failing[m] for m in group)
                    ok = {"Or": passed >= 1, "And": passed == len(group), "Xone": passed == 1}
                    if not ok[name]:
                        result(this, value, f"{name}ConstraintComponent", f"{name} fails")

    def _failing(self, store: ox.Store, shape: Node, focus: str) -> dict[ox.Term, list[Result]]:
        """The focus nodes of ``focus`` that do not conform to ``shape``, with their results."""
        failing: dict[ox.Term, list[Result]] = defaultdict(list)
        for found in self._evaluate(store, shape, focus):
            failing[found.ox_focus].append(found)
        return failing

    def _result(self, shape, spec: _Spec, focus, value, component, detail, details) -> Result:
        return Result(
            focus=rdflib_term(focus),
            path=spec.path_node,
            value=rdflib_term(value) if value is not None else None,
            shape=shape,
            component=component,
            severity=spec.severity,
            messages=spec.messages,
            detail=detail,
            ox_focus=focus,
            details=details,
        )


def keeps_datatypes(store: ox.Store, datatypes: set[str]) -> bool:
    """Whether the store holds the literals with the ``datatypes`` the data wrote.

    pyoxigraph stores "400"^^xsd:positiveInteger as an xsd:integer, so sh:datatype would
    not see the data's own type; such data is validated by pySHACL instead. (Strings and
    language-tagged strings need no datatype in N-Triples, so they are left out.)
    """
    query = "SELECT DISTINCT (DATATYPE(?o) AS ?d) WHERE { ?s ?p ?o FILTER isLiteral(?o) }"
    stored = {row["d"].value for row in store.query(query)}
    strings = {str(XSD.string), str(RDF.langString)}
    return stored - strings == datatypes - strings


def _written(data: Graph, focus: Node, path: Node | None, value: Node | None) -> Node | None:
    """``value`` as ``data`` writes it: the store keeps numbers in canonical form, so
    "10.500"^^xsd:decimal comes back as 10.5 (the one value of ``focus`` along a predicate
    ``path`` with the same datatype and value)."""
    if not isinstance(value, Literal) or not isinstance(path, URIRef):
        return value
    written = [
        o for o in data.objects(focus, path) if isinstance(o, Literal) and _same_value(o, value)
    ]
    return written[0] if len(written) == 1 else value


def _as_printed(result: Result, data: Graph) -> Result:
    """The result with its value, and its details' values, as ``data`` writes them."""
    details = tuple(_as_printed(r, data) for r in result.details)
    value = _written(data, result.focus, result.path, result.value)
    return replace(result, value=value, details=details)


def _ox_term(term: Node) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """An rdflib term of the shapes graph as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
    return ox.Literal(str(term), datatype=datatype)


@functools.lru_cache(maxsize=8)
def _compiled(shapes_id: int, shapes: Graph) -> CompiledShapes:
    return CompiledShapes(shapes)


def compiled_shapes(shapes: Graph) -> CompiledShapes:
    """The compiled form of a shapes graph, once per graph object."""
    return _compiled(id(shapes), shapes)


def add_results(report: Graph, results: list[Result], shapes: Graph) -> None:
    """Add ``results`` to a SHACL validation report graph (§3.6) and restate ``sh:conforms``
    (false when a result is a violation, as pySHACL with warnings allowed decides)."""
    node = report.value(None, RDF.type, SH.ValidationReport)
    if node is None:
        node = BNode()
        report.add((node, RDF.type, SH.ValidationReport))
        report.add((node, SH.conforms, Literal(True)))
    for item in results:
        report.add((node, SH.result, _add_result(report, item, shapes)))
    if any(r.severity == SH.Violation for r in results):
        report.set((node, SH.conforms, Literal(False)))


def _add_result(report: Graph, item: Result, shapes: Graph) -> BNode:
    """One result node, with its nested ``sh:detail`` results."""
    result = BNode()
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, item.focus))
    if item.path is not None:
        report.add((result, SH.resultPath, item.path))
        _copy_blank(shapes, report, item.path)
    if item.value is not None:
        report.add((result, SH.value, item.value))
    report.add((result, SH.sourceShape, item.shape))
    report.add((result, SH.sourceConstraintComponent, SH[item.component]))
    report.add((result, SH.resultSeverity, item.severity))
    for message in item.messages or (Literal(item.detail),):
        report.add((result, SH.resultMessage, message))
    for nested in item.details:
        report.add((result, SH.detail, _add_result(report, nested, shapes)))
    return result


def _copy_blank(source: Graph, target: Graph, node: Node) -> None:
    """A blank path expression's triples, so the report describes the path (§3.6.2.3)."""
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if isinstance(current, BNode) and current not in seen:
            seen.add(current)
            for p, o in source.predicate_objects(current):
                target.add((current, p, o))
                stack.append(o)
