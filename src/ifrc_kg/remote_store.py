"""The query engine behind the server when the graph lives in a remote SPARQL store.

``ifrc-kg serve --sparql URL`` runs the same site over any SPARQL 1.1 Protocol endpoint that
``ifrc-kg push`` filled (tested: Oxigraph server, Virtuoso). :class:`RemoteStore` has the
methods the server uses from :class:`ifrc_kg.store.GraphStore`, with the same guards:

- a query is parsed here first (by pyoxigraph, as the embedded store does), so the endpoint
  speaks exactly SPARQL 1.1 whatever the engine accepts; updates and ``SERVICE`` outside the
  allow-list are refused with the store module's own checks before anything is sent;
- the default graph is the build's union graph (``<base>graph/union``, a set, written by
  the push) and the named graphs are the build's, passed as the protocol's
  ``default-graph-uri`` / ``named-graph-uri`` unless the query or request names a dataset;
  a store's other graphs stay out of sight;
- a SELECT without its own LIMIT is sent with ``LIMIT cap+1`` (see ``_bounded``); results
  stream in and are parsed as they come: the deadline is checked between reads
  (each read waits at most until the deadline), and at the row cap the request is closed;
  past the deadline the request is abandoned (the connection closed) and the client has
  its 503 — the engine's own time limit should stop its work (Virtuoso
  ``MaxQueryExecutionTime``, ``oxigraph serve --timeout-s``);
- Virtuoso answers ``ASK`` in JSON as one row of ``?__ASK_RETVAL`` (1 or 0): read as the
  boolean it stands for;
- a Virtuoso "anytime" answer (partial results, header ``X-SQL-State``) is a time-out,
  and an answer Virtuoso cut at its ``ResultSetMaxRows`` (header ``X-SPARQL-MaxRows``) is
  marked truncated: never a silently short result.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from ifrc_kg.errors import IfrcKgError
from ifrc_kg.store import (
    Deadline,
    GraphStore,
    QueryError,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ServiceRefused,
    StoreLoadError,
    Term,
    UpdateRefused,
    has_dataset_clause,
    is_update,
    keywords,
    service_endpoints,
)

log = logging.getLogger(__name__)

UNION_GRAPH = "graph/union"
FINDINGS_GRAPH = "graph/findings"
SOLUTIONS_ACCEPT = "application/sparql-results+json"
TRIPLES_ACCEPT = "application/n-triples"
PATTERN_LIMIT = 10_000
ERROR_EXCERPT = 300


class RemoteStoreUnavailable(IfrcKgError):
    """The remote store did not answer, or answered with a server error."""


def query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first keyword after the prologue.

    >>> query_form("PREFIX ex: <http://ex/> BASE <http://b/> CONSTRUCT WHERE { ?s ?p ?o }")
    'CONSTRUCT'
    >>> query_form('# SELECT\\nASK { ?s ?p "DESCRIBE" }')
    'ASK'
    """
    for word in keywords(sparql):
        if word not in ("PREFIX", "BASE"):
            return word
    return "SELECT"


def _iri(value: str) -> str:
    if any(char in value for char in '<>"{}|^`\\ \n'):
        raise QuerySyntaxError(f"not an IRI: {value!r}")
    return f"<{value}>"


class _DeadlineReader(io.RawIOBase):
    """The body of a streamed response as a file, checking the deadline between reads."""

    def __init__(self, response: httpx.Response, deadline: Deadline) -> None:
        self._chunks = response.iter_raw()
        self._deadline = deadline
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self._deadline.check()
        if not self._pending:
            self._pending = next(self._chunks, b"")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class _PatternView:
    """``quads_for_pattern`` over the remote store, for the server's indexed look-ups that
    the embedded store answers from pyoxigraph's indexes (``GraphStore.oxigraph``)."""

    def __init__(self, store: RemoteStore) -> None:
        self._store = store

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": object}
        pattern = " ".join(
            str(term) if term is not None else f"?{name}" for name, term in terms.items()
        )
        if graph_name is not None:
            pattern = f"GRAPH {graph_name} {{ {pattern} }}"
        rows = self._store.select(f"SELECT * WHERE {{ {pattern} }} LIMIT {PATTERN_LIMIT}")
        graph = graph_name or ox.DefaultGraph()
        for row in rows:
            values = [row.get(name, term) for name, term in terms.items()]
            yield ox.Quad(values[0], values[1], values[2], graph)  # type: ignore[arg-type]


class RemoteStore:
    """A read-only SPARQL dataset over a remote endpoint holding a pushed build."""

    def __init__(
        self,
        endpoint: str,
        base: str,
        *,
        gsp_url: str | None = None,
        timeout_s: float = 10.0,
        connections: int = 8,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise StoreLoadError(f"--sparql {endpoint!r}: expected an http(s) SPARQL endpoint")
        self.endpoint = endpoint
        self.gsp_url = gsp_url
        self.base = base
        self.union_graph = base + UNION_GRAPH
        self._timeout_s = timeout_s
        self._client = httpx.Client(
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            follow_redirects=False,
        )
        self._syntax = ox.Store()  # empty: only parses, so errors read as the embedded store's
        self._hash_parts: dict[str, list[str]] | None = None
        self._index_lock = threading.Lock()
        self._graphs = self._served_graphs()
        if self.union_graph not in self._all_graphs:
            raise StoreLoadError(
                f"{endpoint}: no graph {self.union_graph} (push the build first: ifrc-kg push)"
            )
        self._count = self._quads()

    # --- start-up ----------------------------------------------------------------------

    def _served_graphs(self) -> list[str]:
        """The build's named graphs in the store: under ``<base>graph/``, less the union and
        the findings (the embedded store serves neither as a named graph)."""
        rows = self._select_all(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{self.base}graph/")) }}',
            "g",
            dataset=False,
        )
        self._all_graphs = set(rows)
        hidden = {self.union_graph, self.base + FINDINGS_GRAPH}
        return sorted(set(rows) - hidden)

    def _quads(self) -> int:
        if not self._graphs:
            return 0
        values = " ".join(_iri(graph) for graph in self._graphs)
        rows = self._query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
            Deadline(max(self._timeout_s, 60.0)),
            10,
            dataset=False,
        ).rows
        return int(rows[0][0].value) if rows and rows[0][0] is not None else 0

    def _select_all(self, sparql: str, variable: str, *, dataset: bool = True) -> list[str]:
        """Every value of one variable, in one streamed answer. A store that cut it at its
        own row limit (Virtuoso's ``ResultSetMaxRows``, which it reports in a header) is an
        error that says so: paging would need ``ORDER BY`` with ``OFFSET``, which Virtuoso
        refuses past ``MaxSortedTopRows``, and a list cut short would hide resources."""
        deadline = Deadline(max(self._timeout_s, 120.0))
        whole = self._query(sparql, deadline, 50_000_000, dataset=dataset)
        if whole.truncated:
            raise RemoteStoreUnavailable(
                f"the store at {self.endpoint} cut an answer at {len(whole.rows)} rows; raise "
                "its result row limit (Virtuoso: ResultSetMaxRows) above the number of "
                f"?{variable} in: {' '.join(sparql.split())}"
            )
        return [row[0].value for row in whole.rows if row[0] is not None]

    # --- what the server asks -----------------------------------------------------------

    def __len__(self) -> int:
        """Statements in the build's named graphs, as the store counts them."""
        return self._count

    @property
    def oxigraph(self) -> _PatternView:
        return _PatternView(self)

    def named_graphs(self) -> list[str]:
        return list(self._graphs)

    def has_graph(self, iri: str) -> bool:
        return iri in self._graphs

    def add_graph(self, path: Path, graph_iri: str) -> None:
        """The remote store is read-only here: its graphs come from ``ifrc-kg push``."""
        raise StoreLoadError(
            f"{self.endpoint}: no graph {graph_iri} (push the build first: ifrc-kg push)"
        )

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
        """As :meth:`GraphStore.query`: parse, refuse, run remotely under the deadline."""
        deadline = deadline or Deadline(10.0)
        if is_update(sparql):
            raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted")
        endpoints = service_endpoints(sparql)
        if endpoints is None:
            raise ServiceRefused("SERVICE with an endpoint that cannot be checked is refused")
        refused = [url for url in endpoints if url not in service_allow_list]
        if refused:
            raise ServiceRefused(f"SERVICE to {', '.join(refused)} is not allowed here")
        try:
            self._syntax.query(sparql, base_iri=base_iri)  # parsed only: never iterated
        except SyntaxError as error:
            raise QuerySyntaxError(str(error)) from error
        if base_iri and "BASE" not in keywords(sparql):
            sparql = f"BASE {_iri(base_iri)}\n{sparql}"  # as the embedded store resolves them
        sparql = self._bounded(sparql, max_rows)
        return self._query(
            sparql,
            deadline,
            max_rows,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            dataset=not has_dataset_clause(sparql),
        )

    def _bounded(self, sparql: str, max_rows: int) -> str:
        """A SELECT without LIMIT or ORDER BY asks for one row past the cap, so an engine
        that builds its whole answer before sending (Virtuoso) does not build rows nobody
        will see. One row more than the cap still tells a cut answer from a whole one. (Not
        for CONSTRUCT: a solution limit says nothing sure about the number of triples.)"""
        words = keywords(sparql)
        if query_form(sparql) != "SELECT" or "LIMIT" in words or "ORDER" in words:
            return sparql  # Virtuoso refuses a sorted LIMIT past its MaxSortedTopRows
        bounded = f"{sparql}\nLIMIT {max_rows + 1}"
        try:
            self._syntax.query(bounded)  # a trailing VALUES clause cannot take a LIMIT after it
        except SyntaxError:
            return sparql
        return bounded

    def select(self, sparql: str, *, timeout_s: float = 10.0) -> list[dict[str, Term]]:
        """The server's own SELECT queries, as dicts of bound variables."""
        result = self._query(sparql, Deadline(timeout_s), 100_000, dataset=True)
        return [
            {name: value for name, value in zip(result.variables, row, strict=True) if value}
            for row in result.rows
        ]

    def triples_about(self, iri: str, limit: int = 5_000) -> list[ox.Triple]:
        """Every statement with ``iri`` as subject (the union graph is a set already)."""
        subject = ox.NamedNode(iri)
        rows = self.select(f"SELECT ?p ?o WHERE {{ {_iri(iri)} ?p ?o }} LIMIT {limit}")
        return [ox.Triple(subject, row["p"], row["o"]) for row in rows]  # type: ignore[arg-type]

    def triples_pointing_to(self, iri: str, limit: int = 500) -> list[ox.Triple]:
        target = ox.NamedNode(iri)
        rows = self.select(f"SELECT ?s ?p WHERE {{ ?s ?p {_iri(iri)} }} LIMIT {limit}")
        return [ox.Triple(row["s"], row["p"], target) for row in rows]  # type: ignore[arg-type]

    def graph_triples(self, graph_iri: str) -> Iterator[ox.Triple]:
        """A named graph whole: a Graph Store GET when ``--gsp`` is given, else CONSTRUCT."""
        if self.gsp_url:
            response = self._client.get(
                self.gsp_url,
                params={"graph": graph_iri},
                headers={"Accept": TRIPLES_ACCEPT},
                timeout=max(self._timeout_s, 60.0),
            )
            if response.status_code == 404:
                return iter(())
            self._raise_for(response)
            return iter(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        result = self._query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iri(graph_iri)} {{ ?s ?p ?o }} }}",
            Deadline(max(self._timeout_s, 60.0)),
            10_000_000,
            dataset=False,
        )
        return iter(result.triples)

    def has_subject(self, iri: str) -> bool:
        return self._ask(f"ASK {{ {_iri(iri)} ?p ?o }}")

    def is_mentioned(self, iri: str) -> bool:
        """Whether the IRI is the subject or object of a statement, or has hash parts."""
        node = _iri(iri)
        if self._ask(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}"):
            return True
        return bool(self.hash_parts(iri))

    def hash_parts(self, iri: str) -> list[str]:
        """The hash IRIs (``iri#source``…) that are subjects: one paged query, on first use."""
        with self._index_lock:
            if self._hash_parts is None:
                subjects = self._select_all(
                    "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
                    'FILTER(isIRI(?s) && CONTAINS(STR(?s), "#")) }',
                    "s",
                )
                index: dict[str, list[str]] = {}
                for subject in subjects:
                    index.setdefault(subject.split("#", 1)[0], []).append(subject)
                self._hash_parts = {key: sorted(value) for key, value in index.items()}
        return self._hash_parts.get(iri, [])

    def subjects_with_prefix(self, prefix: str) -> Iterator[str]:
        """Every IRI subject starting with ``prefix`` (paged: for tests and tools)."""
        yield from self._select_all(
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}")) }}',
            "s",
        )

    def close(self) -> None:
        self._client.close()

    # --- the protocol -------------------------------------------------------------------

    def _ask(self, sparql: str) -> bool:
        return bool(self._query(sparql, Deadline(self._timeout_s), 1, dataset=True).boolean)

    def _dataset(
        self, default_graphs: Sequence[str], named_graphs: Sequence[str], dataset: bool
    ) -> list[tuple[str, str]]:
        if default_graphs or named_graphs:
            return [("default-graph-uri", iri) for iri in default_graphs] + [
                ("named-graph-uri", iri) for iri in named_graphs
            ]
        if not dataset:
            return []
        return [("default-graph-uri", self.union_graph)] + [
            ("named-graph-uri", iri) for iri in self._graphs
        ]

    def _raise_for(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        text = " ".join(response.read().decode("utf-8", "replace").split())[:ERROR_EXCERPT]
        answer = f"{response.status_code} {response.reason_phrase}: {text}".rstrip(": ")
        if response.status_code in (400, 414):
            raise QueryError(f"the store refused the query: {answer}")
        raise RemoteStoreUnavailable(f"the store at {self.endpoint} answered {answer}")

    def _query(
        self,
        sparql: str,
        deadline: Deadline,
        max_rows: int,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        dataset: bool,
    ) -> QueryResult:
        form = query_form(sparql)
        accept = TRIPLES_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else SOLUTIONS_ACCEPT
        params = [("query", sparql), *self._dataset(default_graphs, named_graphs, dataset)]
        remaining = max(0.05, deadline.seconds - (time.monotonic() - deadline.started))
        request = self._client.build_request(
            "POST",
            self.endpoint,
            content=urlencode(params).encode("ascii"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
            timeout=httpx.Timeout(remaining, connect=min(remaining, 10.0)),
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as error:
            raise QueryTimeout(
                f"the query ran longer than the limit of {deadline.seconds:g} s"
            ) from error
        except httpx.HTTPError as error:
            raise RemoteStoreUnavailable(
                f"the store at {self.endpoint} did not answer ({type(error).__name__})"
            ) from error
        try:
            self._raise_for(response)
            if response.headers.get("x-sql-state"):  # Virtuoso's partial "anytime" answer
                raise QueryTimeout(
                    f"the store stopped the query at its own limit: "
                    f"{response.headers.get('x-sql-message', response.headers['x-sql-state'])}"
                )
            result = self._collect(response, deadline, max_rows, form)
            if response.headers.get("x-sparql-maxrows"):  # Virtuoso cut at ResultSetMaxRows
                result.truncated = True
            return result
        except httpx.TimeoutException as error:
            raise QueryTimeout(
                f"the query ran longer than the limit of {deadline.seconds:g} s"
            ) from error
        except httpx.HTTPError as error:
            raise RemoteStoreUnavailable(
                f"the store at {self.endpoint} broke off its answer ({type(error).__name__})"
            ) from error
        finally:
            response.close()  # past the row cap or the deadline: the request is abandoned

    @staticmethod
    def _collect(
        response: httpx.Response, deadline: Deadline, max_rows: int, form: str
    ) -> QueryResult:
        reader = io.BufferedReader(_DeadlineReader(response, deadline), buffer_size=1 << 16)
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                triples: list[ox.Triple] = []
                for quad in ox.parse(reader, format=ox.RdfFormat.N_TRIPLES):
                    if len(triples) >= max_rows:
                        return QueryResult("graph", triples=triples, truncated=True)
                    triples.append(quad.triple)
                return QueryResult("graph", triples=triples)
            answer = ox.parse_query_results(reader, format=ox.QueryResultsFormat.JSON)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult("boolean", boolean=bool(answer))
            variables = [variable.value for variable in answer.variables]
            if form == "ASK":  # Virtuoso answers ASK as a one-row SELECT of ?__ASK_RETVAL
                values = [value for solution in answer for value in solution]
                truth = any(
                    value is not None and value.value not in ("0", "false") for value in values
                )
                return QueryResult("boolean", boolean=truth)
            rows: list[tuple[Term | None, ...]] = []
            for solution in answer:
                if len(rows) >= max_rows:
                    return QueryResult("solutions", variables=variables, rows=rows, truncated=True)
                rows.append(tuple(solution))
            return QueryResult("solutions", variables=variables, rows=rows)
        except SyntaxError as error:
            raise RemoteStoreUnavailable(f"the store's answer does not parse: {error}") from error


def open_store(
    endpoint: str | None, gsp_url: str | None, dist: Path, base: str, timeout_s: float
) -> GraphStore | RemoteStore:
    """The remote store when an endpoint is given, else the embedded store of ``dist``."""
    if endpoint:
        return RemoteStore(endpoint, base, gsp_url=gsp_url, timeout_s=timeout_s)
    return GraphStore.from_dist(dist)
