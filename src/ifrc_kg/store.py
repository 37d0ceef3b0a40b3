"""The query engine behind the server: the build's graph in pyoxigraph, and the interface
the server runs public queries through.

``GraphStore`` is the build's ``graph.trig`` (or ``graph.nq``) in memory, for the server's
own look-ups and queries (pages, descriptions) and for tools. The default graph of a query
is the union of the named graphs (each report has its own), held as a set in the store's
own default graph (see ``materialise_union``), unless the request names a dataset
(``default-graph-uri`` / ``named-graph-uri``) or the query has ``FROM`` clauses.

Public queries never run here: pyoxigraph cannot cancel a query, so the server hands them to
a ``QueryEngine`` (``server/pool.py``: killable worker processes over the build's on-disk
store opened read-only, or a copy written by ``write_query_store`` for a build without
one). ``QueryEngine`` is the one interface the server calls, so another backend (an
external SPARQL store) can stand behind it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from ifrc_kg.errors import IfrcKgError

log = logging.getLogger(__name__)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class QueryError(IfrcKgError):
    """A query that cannot be answered; subclasses say why (the server maps each to a status)."""


class QuerySyntaxError(QueryError):
    """The query does not parse: carries the parser's message (SPARQL 1.1 Query, §19) and,
    when known, where (1-based ``line`` and ``column``) and the undeclared ``prefix`` with
    the ``declaration`` to add (``query_errors``); ``details`` crosses process boundaries."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        prefix: str | None = None,
        declaration: str | None = None,
    ) -> None:
        super().__init__(message)
        self.line, self.column = line, column
        self.prefix, self.declaration = prefix, declaration

    @property
    def details(self) -> dict[str, int | str]:
        """The known fields, as the problem+json members of the error body."""
        fields = {
            "line": self.line,
            "column": self.column,
            "prefix": self.prefix,
            "declaration": self.declaration,
        }
        return {name: value for name, value in fields.items() if value is not None}


class UpdateRefused(QueryError):
    """SPARQL Update (INSERT, DELETE, LOAD, CLEAR, …) sent to a read-only endpoint."""


class ServiceRefused(QueryError):
    """A ``SERVICE`` call (SPARQL 1.1 Federated Query) to an endpoint not on the allow-list."""


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped."""


class StoreLoadError(IfrcKgError):
    """The build's graph file is missing or does not parse."""


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

    def bindings(self) -> list[dict[str, Term]]:
        """The solutions as dicts of their bound variables (the server's own queries)."""
        return [
            {name: value for name, value in zip(self.variables, row, strict=True) if value}
            for row in self.rows
        ]


@dataclass(frozen=True)
class QueryRequest:
    """A public query and how to answer it, as the server hands it to a ``QueryEngine``.

    ``formats`` maps each result form (``"solutions"``, ``"boolean"``, ``"graph"``) to the
    negotiated format key (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ``jsonld``,
    ``ntriples``, ``rdfxml``, ``trig``), ``"html"`` for one page of terms, or ``None`` when
    the client accepts nothing for that form. ``client`` is who asks (for per-client caps).
    """

    sparql: str
    formats: Mapping[str, str | None]
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    page_offset: int = 0
    page_size: int = 100
    client: str = ""


@dataclass(frozen=True)
class QueryPage:
    """One page of an answer for the HTML view: rows of terms (triples for a graph, one
    ``[bool]`` row for ASK) and whether more follow."""

    variables: list[str]
    rows: list
    more: bool


@dataclass
class QueryAnswer:
    """A running query's answer: its form and format, then a page or a stream of bytes.

    The stream raises a ``QueryError`` if a limit stops the query part-way: the server must
    then fail the response rather than end it (no silent truncation).
    """

    form: str
    format_key: str
    page: QueryPage | None = None
    chunks: AsyncIterator[bytes] | None = None


class QueryEngine(Protocol):
    """What the server calls to run a public query under the configured limits.

    ``execute`` checks the query (updates and unlisted ``SERVICE`` refused), starts it and
    returns once its form is known; it raises ``QueryError`` subclasses (syntax, refusal,
    time, memory, busy) that the server maps to problem responses. ``running`` counts the
    queries in progress (for /health); ``close`` stops everything.
    """

    @property
    def running(self) -> int: ...

    async def execute(self, request: QueryRequest) -> QueryAnswer: ...

    def close(self) -> None: ...


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
        #: the directory of an on-disk store (``open_read_only``), else None (in memory)
        self.path: Path | None = None

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

    @classmethod
    def open_read_only(cls, path: Path, quads: int) -> GraphStore:
        """A build's on-disk store (``dist/store``, written with the union in its default graph
        and the catalog in its graph), opened read-only: nothing is loaded or copied, so a
        20M-quad build is served seconds after start; ``quads`` is the manifest's count of
        its named-graph statements (counting them would scan the store)."""
        try:
            store = ox.Store.read_only(str(path))
        except OSError as error:
            raise StoreLoadError(f"{path}: cannot open the store: {error}") from error
        graph_store = cls(store)
        graph_store._union_materialised = True
        graph_store._named_quads = quads
        graph_store.path = path
        return graph_store

    def write_query_store(self, path: Path) -> Path:
        """Copy every quad (the default graph's union too) into an on-disk store at ``path``
        that query workers open read-only; returns ``path``.

        The workers share it through the page cache instead of each loading the dump into
        memory. This is the one place the workers' store comes from: a build that writes
        its own on-disk store can be used here instead.
        """
        disk = ox.Store(str(path))
        try:
            disk.bulk_extend(self._store.quads_for_pattern(None, None, None))
            disk.flush()
            disk.optimize()
        finally:
            del disk
        return path

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
        checked: bool = True,
    ) -> QueryResult:
        """Run a query as written; refuse updates and unlisted SERVICE; stop at the deadline.

        In-process and not killable: for the server's own queries (``checked=False`` skips the
        parser check for those) and for tools; public queries go through a ``QueryEngine``.

        ``default_graphs`` / ``named_graphs`` are the protocol's ``default-graph-uri`` and
        ``named-graph-uri`` (SPARQL 1.1 Protocol §2.1.4): given, they replace the dataset.
        ``base_iri`` resolves relative IRIs of a query without ``BASE`` (the server passes
        its endpoint URL, as the protocol allows).
        """
        deadline = deadline or Deadline(10.0)
        options: dict[str, object] = {"base_iri": base_iri}
        names_dataset = False
        if checked:
            from ifrc_kg.query_check import check_query

            names_dataset = check_query(
                sparql, service_allow_list=service_allow_list, base_iri=base_iri
            ).has_dataset_clause
        if default_graphs or named_graphs:
            options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
            options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
        elif not names_dataset and not self._union_materialised:
            options["use_default_graph_as_union"] = True
        try:
            answer = self._store.query(sparql, **options)
        except SyntaxError as error:
            from ifrc_kg.query_errors import from_oxigraph

            raise from_oxigraph(sparql, error) from error
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
        result = self.query(sparql, deadline=Deadline(timeout_s), max_rows=100_000, checked=False)
        return result.bindings()

    # --- indexed look-ups for linked-data pages ------------------------------------------

    def triples_about(
        self, subjects: Sequence[str], predicates: Sequence[str] = (), limit: int = 5_000
    ) -> list[ox.Triple]:
        """The statements with one of ``subjects`` as subject (and, if given, one of
        ``predicates`` as predicate), once each across the named graphs, subject by subject;
        at most ``limit`` per subject. A page asks for all it needs at once: over a remote
        store that is one request, not one per resource (``RemoteStore.triples_about``)."""
        found: list[ox.Triple] = []
        for subject in subjects:
            node = ox.NamedNode(subject)
            if predicates:
                quads: Iterable[ox.Quad] = (
                    quad
                    for predicate in predicates
                    for quad in self._store.quads_for_pattern(node, ox.NamedNode(predicate), None)
                )
            else:
                quads = self._store.quads_for_pattern(node, None, None)
            found.extend(self._distinct(quads, limit))
        return found

    def triples_pointing_to(self, iri: str, limit: int = 500) -> list[ox.Triple]:
        """Statements with ``iri`` as object: the resources that link to it."""
        return self._distinct(self._store.quads_for_pattern(None, None, ox.NamedNode(iri)), limit)

    def graph_triples(self, graph_iri: str) -> Iterator[ox.Triple]:
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri)):
            yield quad.triple

    def statements_by_subject(self, graph_iri: str) -> dict[str, int]:
        """How many statements each IRI subject has in a named graph (its summary page)."""
        counts: dict[str, int] = {}
        for triple in self.graph_triples(graph_iri):
            if isinstance(triple.subject, ox.NamedNode):
                counts[triple.subject.value] = counts.get(triple.subject.value, 0) + 1
        return counts

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
