"""The query engine behind the server: an in-memory pyoxigraph store loaded from the build.

The build's ``graph.trig`` (or ``graph.nq``) is loaded once; the default graph of a query is
the union of the named graphs (each report has its own), held as a set in the store's own
default graph (see ``materialise_union``), unless the request names a dataset
(``default-graph-uri`` / ``named-graph-uri``) or the query has ``FROM`` clauses.

The store is read-only: SPARQL Update is refused before anything runs, and so is ``SERVICE``
unless the allow-list names the endpoint. Results are collected in the calling thread (the
server calls :meth:`GraphStore.query` from a worker thread) with a deadline checked between
solutions, and capped at ``max_rows``.

What can and cannot be stopped: pyoxigraph evaluates lazily, so a query that streams
solutions (joins, filters, ``CONSTRUCT``) is stopped at the first solution past the deadline.
Work pyoxigraph does before yielding its first solution (``ORDER BY``, ``GROUP BY``, ``ASK``,
a join that must build a hash table) runs in native code and cannot be interrupted from
Python; the server answers the client at the deadline anyway and the worker thread finishes
that step, then stops at its next check.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ifrc_kg.errors import IfrcKgError

log = logging.getLogger(__name__)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class QueryError(IfrcKgError):
    """A query that cannot be answered; subclasses say why (the server maps each to a status)."""


class QuerySyntaxError(QueryError):
    """The query does not parse: carries the parser's message (SPARQL 1.1 Query, §19)."""


class UpdateRefused(QueryError):
    """SPARQL Update (INSERT, DELETE, LOAD, CLEAR, …) sent to a read-only endpoint."""


class ServiceRefused(QueryError):
    """A ``SERVICE`` call (SPARQL 1.1 Federated Query) to an endpoint not on the allow-list."""


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped."""


class StoreLoadError(IfrcKgError):
    """The build's graph file is missing or does not parse."""


# --- lexical view of a query ------------------------------------------------------------

# Strings, IRIs and comments, in the order SPARQL's lexer resolves them (§19.8): a keyword
# inside any of them is not a keyword. IRIREF admits no spaces, so ``?a < 3`` is not an IRI.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*",
    re.DOTALL,
)
_WORD = re.compile(r"(?<![\w:?$\-.])([A-Za-z]+)(?![\w:\-])")
_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


def _masked(query: str) -> str:
    """The query with strings, IRIs and comments blanked out."""
    return _OPAQUE.sub(lambda m: "<>" if m.group(0).startswith("<") else " ", query)


def keywords(query: str) -> list[str]:
    """The bare words of a query outside strings, IRIs and comments, upper-cased.

    >>> keywords('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')
    ['SELECT']
    >>> keywords("PREFIX service: <http://x/> ASK { ?service service:p 1 }")
    ['PREFIX', 'ASK']
    """
    return [word.upper() for word in _WORD.findall(_masked(query))]


def is_update(query: str) -> bool:
    """Whether the text is a SPARQL Update request rather than a query (§3 of SPARQL Update).

    >>> is_update("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b ex:c }")
    True
    >>> is_update("SELECT * { ?s ?p ?o } # DELETE")
    False
    """
    for word in keywords(query):
        if word in ("PREFIX", "BASE"):
            continue
        return word in _UPDATE_KEYWORDS
    return False


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset with ``FROM`` / ``FROM NAMED`` (§13.2).

    >>> has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause('SELECT * { ?s ?p "FROM" }')
    False
    """
    return "FROM" in keywords(query)


def service_endpoints(query: str) -> list[str] | None:
    """The endpoints a query calls with ``SERVICE``: ``[]`` when none, ``None`` if unknowable.

    The keyword scan rules out mentions in strings, IRIs and comments; when the keyword is
    really there, rdflib's parser gives the endpoint IRIs (prefixes resolved). ``None`` means
    a variable endpoint or a query rdflib cannot parse: the caller refuses it.

    >>> service_endpoints('SELECT * { ?s ?p "SERVICE <http://x>" }')
    []
    >>> service_endpoints("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    ['http://example.org/sparql']
    >>> service_endpoints("SELECT * { ?a ?b ?c .SERVICE <http://example.org/s> { ?s ?p ?o } }")
    ['http://example.org/s']
    >>> service_endpoints("SELECT ?service { ?service ?p ?o }")
    []
    """
    # Any "SERVICE" outside strings, IRIs and comments sends the query to the parser: a word
    # scan alone can be fooled (".SERVICE" is a keyword to SPARQL, not to a word boundary),
    # and a false alarm (a variable ?service) costs one parse, never a refusal.
    if "SERVICE" not in _masked(query).upper():
        return []
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef

    try:
        algebra = prepareQuery(query).algebra
    except Exception:  # rdflib's grammar differs from Oxigraph's on some extensions
        log.info("rdflib could not parse a query with SERVICE; refusing it")
        return None
    found: list[str] = []
    unknowable = False

    def walk(node: object) -> None:
        nonlocal unknowable
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                if isinstance(node.get("term"), URIRef):
                    found.append(str(node["term"]))
                else:
                    unknowable = True
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(algebra)
    return None if unknowable else found


# --- results ----------------------------------------------------------------------------


@dataclass
class QueryResult:
    """What a query returned, collected and capped: one of boolean, solutions or triples."""

    kind: str  # "boolean" | "solutions" | "graph"
    boolean: bool | None = None
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False


@dataclass
class Deadline:
    """A time limit plus a cancel flag the server sets when it gives up waiting."""

    seconds: float
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if self.cancel.is_set() or time.monotonic() - self.started > self.seconds:
            raise QueryTimeout(f"the query ran longer than the limit of {self.seconds:g} s")


def _collect(items: Iterable[object], deadline: Deadline, max_rows: int) -> tuple[list, bool]:
    collected: list = []
    for item in items:
        deadline.check()
        if len(collected) >= max_rows:
            return collected, True
        collected.append(item)
    return collected, False


def graph_file(dist: Path) -> Path:
    """The dataset file of a build directory: ``graph.trig``, else ``graph.nq``."""
    for name in ("graph.trig", "graph.nq"):
        if (dist / name).is_file():
            return dist / name
    raise StoreLoadError(f"{dist}: no graph.trig or graph.nq (run `ifrc-kg build` first)")


class GraphStore:
    """A read-only SPARQL dataset over one build."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._hash_parts: dict[str, list[str]] | None = None
        self._index_lock = threading.Lock()
        self._union_materialised = False
        self._named_quads = 0

    def materialise_union(self) -> None:
        """Copy every triple of the named graphs into the default graph, once each.

        Oxigraph's ``use_default_graph_as_union`` is a bag: a triple stated in several
        report graphs (an operation two reports describe, a partner's label) comes back once
        per graph, so joins multiply (measured: 11 million rows for a 282-row answer on 1M
        quads) and ``COUNT`` over-counts. SPARQL's default graph is a set; the store's real
        default graph is one, so it holds the union and queries run over it.
        """
        default = ox.DefaultGraph()
        batch: list[ox.Quad] = []
        for quad in self._store.quads_for_pattern(None, None, None):
            if quad.graph_name == default:
                continue
            batch.append(ox.Quad(quad.subject, quad.predicate, quad.object, default))
            self._named_quads += 1
            if len(batch) >= 100_000:
                self._store.extend(batch)
                batch = []
        self._store.extend(batch)
        self._union_materialised = True

    @classmethod
    def load(cls, path: Path) -> GraphStore:
        """Load a TriG, N-Quads, Turtle or N-Triples file (the format from its extension)."""
        if not path.is_file():
            raise StoreLoadError(f"{path}: graph file not found")
        try:
            rdf_format = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        except ValueError as error:
            raise StoreLoadError(f"{path}: unknown RDF file extension") from error
        if rdf_format is None:
            raise StoreLoadError(f"{path}: unknown RDF file extension")
        store = ox.Store()
        try:
            # load, not bulk_load: for an in-memory store bulk_load peaks at 13x the memory
            # (5.2 GiB against 0.4 GiB for 1M quads, bench/engines.py)
            store.load(path=str(path), format=rdf_format)
        except (SyntaxError, OSError, ValueError) as error:
            raise StoreLoadError(f"{path}: {error}") from error
        log.info("loaded %s: %d quads", path, len(store))
        graph_store = cls(store)
        graph_store.materialise_union()
        return graph_store

    @classmethod
    def from_dist(cls, dist: Path) -> GraphStore:
        """The store of a build directory: ``graph.trig``, else ``graph.nq``."""
        return cls.load(graph_file(dist))

    def add_graph(self, path: Path, graph_iri: str) -> None:
        """Load a Turtle file into a named graph (the build's ``void.ttl`` as the catalog)."""
        graphs = [ox.NamedNode(graph_iri)]
        if self._union_materialised:
            graphs.append(ox.DefaultGraph())
        try:
            for graph in graphs:
                self._store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
        except (SyntaxError, OSError) as error:
            raise StoreLoadError(f"{path}: {error}") from error
        if self._union_materialised:
            self._named_quads += sum(1 for _ in self.graph_triples(graph_iri))
        with self._index_lock:
            self._hash_parts = None

    def __len__(self) -> int:
        """Statements in the named graphs (the union's copy in the default graph not counted)."""
        return self._named_quads if self._union_materialised else len(self._store)

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying store, for the server's own indexed look-ups."""
        return self._store

    def named_graphs(self) -> list[str]:
        return sorted(graph.value for graph in self._store.named_graphs())

    # --- SPARQL -------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        deadline: Deadline | None = None,
        max_rows: int = 10_000,
        service_allow_list: Sequence[str] = (),
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a query as written; refuse updates and unlisted SERVICE; stop at the deadline.

        ``default_graphs`` / ``named_graphs`` are the protocol's ``default-graph-uri`` and
        ``named-graph-uri`` (SPARQL 1.1 Protocol §2.1.4): given, they replace the dataset.
        ``base_iri`` resolves relative IRIs of a query without ``BASE`` (the server passes
        its endpoint URL, as the protocol allows).
        """
        deadline = deadline or Deadline(10.0)
        if is_update(sparql):
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
        endpoints = service_endpoints(sparql)
        if endpoints is None:
            raise ServiceRefused("SERVICE with an endpoint that cannot be checked is refused")
        refused = [url for url in endpoints if url not in service_allow_list]
        if refused:
            raise ServiceRefused(f"SERVICE to {', '.join(refused)} is not allowed here")
        options: dict[str, object] = {"base_iri": base_iri}
        if default_graphs or named_graphs:
            options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
            options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
        elif not has_dataset_clause(sparql) and not self._union_materialised:
            options["use_default_graph_as_union"] = True
        try:
            answer = self._store.query(sparql, **options)
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        except ValueError as error:  # an invalid IRI among the dataset parameters
            raise QuerySyntaxError(str(error)) from error
        # pyoxigraph's solution iterator must be dropped on the thread that made it: keep it
        # out of any exception (and its traceback) that leaves this worker thread.
        failure: QueryError | None = None
        try:
            return self._collect(answer, deadline, max_rows)
        except QueryTimeout as error:
            failure = QueryTimeout(str(error))
        except OSError as error:  # evaluation errors such as a failed SERVICE call
            failure = QueryError(str(error))
        finally:
            del answer
        raise failure

    @staticmethod
    def _collect(answer: object, deadline: Deadline, max_rows: int) -> QueryResult:
        if isinstance(answer, ox.QueryBoolean):
            deadline.check()
            return QueryResult("boolean", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [variable.value for variable in answer.variables]
            solutions = (tuple(solution) for solution in answer)
            rows, truncated = _collect(solutions, deadline, max_rows)
            return QueryResult("solutions", variables=variables, rows=rows, truncated=truncated)
        triples, truncated = _collect(answer, deadline, max_rows)  # type: ignore[arg-type]
        return QueryResult("graph", triples=triples, truncated=truncated)

    def select(self, sparql: str, *, timeout_s: float = 10.0) -> list[dict[str, Term]]:
        """The server's own SELECT queries, as dicts of bound variables."""
        result = self.query(sparql, deadline=Deadline(timeout_s), max_rows=100_000)
        return [
            {name: value for name, value in zip(result.variables, row, strict=True) if value}
            for row in result.rows
        ]

    # --- indexed look-ups for linked-data pages ------------------------------------------

    def triples_about(self, iri: str, limit: int = 5_000) -> list[ox.Triple]:
        """Every statement with ``iri`` as subject, once each across the named graphs."""
        return self._distinct(self._store.quads_for_pattern(ox.NamedNode(iri), None, None), limit)

    def triples_pointing_to(self, iri: str, limit: int = 500) -> list[ox.Triple]:
        """Statements with ``iri`` as object: the resources that link to it."""
        return self._distinct(self._store.quads_for_pattern(None, None, ox.NamedNode(iri)), limit)

    def graph_triples(self, graph_iri: str) -> Iterator[ox.Triple]:
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)):
            yield quad.triple

    def has_subject(self, iri: str) -> bool:
        node = ox.NamedNode(iri)
        return next(iter(self._store.quads_for_pattern(node, None, None)), None) is not None

    def is_mentioned(self, iri: str) -> bool:
        """Whether the IRI is the subject or object of a statement, or has hash parts."""
        node = ox.NamedNode(iri)
        if self.has_subject(iri):
            return True
        if next(iter(self._store.quads_for_pattern(None, None, node)), None) is not None:
            return True
        return bool(self.hash_parts(iri))

    def hash_parts(self, iri: str) -> list[str]:
        """The hash IRIs (``iri#source``…) that are subjects, described on ``iri``'s document.

        A figure's source lives at ``<obs>#source`` even when ``<obs>`` itself says nothing;
        the index is one scan of the store, made on first use.
        """
        with self._index_lock:
            if self._hash_parts is None:
                index: dict[str, set[str]] = {}
                for quad in self._store.quads_for_pattern(None, None, None):
                    subject = quad.subject
                    if isinstance(subject, ox.NamedNode) and "#" in subject.value:
                        document = subject.value.split("#", 1)[0]
                        index.setdefault(document, set()).add(subject.value)
                self._hash_parts = {key: sorted(value) for key, value in index.items()}
        return self._hash_parts.get(iri, [])

    def has_graph(self, iri: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(iri))

    def subjects_with_prefix(self, prefix: str) -> Iterator[str]:
        """Every IRI subject starting with ``prefix`` (a full scan: for tests and tools)."""
        seen: set[str] = set()
        for quad in self._store.quads_for_pattern(None, None, None):
            subject = quad.subject
            named = isinstance(subject, ox.NamedNode) and subject.value.startswith(prefix)
            if named and subject.value not in seen:
                seen.add(subject.value)
                yield subject.value

    @staticmethod
    def _distinct(quads: Iterable[ox.Quad], limit: int) -> list[ox.Triple]:
        seen: dict[ox.Triple, None] = {}
        for quad in quads:
            seen.setdefault(quad.triple, None)
            if len(seen) >= limit:
                break
        return list(seen)
