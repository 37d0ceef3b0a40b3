"""The build's graph in a remote SPARQL store: the site's own look-ups over the protocol.

``ifrc-kg serve --sparql URL`` runs the same site over any SPARQL 1.1 Protocol endpoint that
``ifrc-kg push`` filled (tested: Oxigraph server, Virtuoso). :class:`RemoteStore` has the
look-up methods the pages use from :class:`ifrc_kg.store.GraphStore` (``select``,
``triples_about``, ``graph_triples``, ``hash_parts``…); public queries do not run here but in
``server/remote_engine.py`` (the ``QueryEngine`` over this store), which shares the request
plumbing below (``open_answer``):

- the default graph is the build's union graph (``<base>graph/union``, a set, written by
  the push) and the named graphs are the build's, passed as the protocol's
  ``default-graph-uri`` / ``named-graph-uri`` unless the query or request names a dataset;
  a store's other graphs stay out of sight;
- a page asks for what it needs in a few requests, not one per resource: the statements
  about a resource and its hash parts, or the labels of every resource it links to, are
  one ``VALUES`` query each (``triples_about``);
- each request waits at most until its deadline (the read timeout is what is left of it),
  and a response is closed, abandoning the request, as soon as its reader stops;
- Virtuoso answers ``ASK`` in JSON as one row of ``?__ASK_RETVAL`` (1 or 0): read as the
  boolean it stands for;
- a Virtuoso "anytime" answer (partial results, header ``X-SQL-State``) is a time-out,
  and an answer Virtuoso cut at its ``ResultSetMaxRows`` (header ``X-SPARQL-MaxRows``) is
  an error (``StoreCutAnswer``): never a silently short result.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from ifrc_kg.errors import IfrcKgError
from ifrc_kg.store import (
    Deadline,
    QueryError,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    StoreLoadError,
    Term,
)

log = logging.getLogger(__name__)

UNION_GRAPH = "graph/union"
SOLUTIONS_ACCEPT = "application/sparql-results+json"
TRIPLES_ACCEPT = "application/n-triples"
#: subjects per look-up of ``triples_about``: a page's few hundred labels are one or two
#: requests, and the request body stays a few tens of KiB
SUBJECTS_PER_REQUEST = 500
ERROR_EXCERPT = 300


class RemoteStoreUnavailable(IfrcKgError):
    """The remote store did not answer, or answered with a server error."""


class StoreCutAnswer(QueryError):
    """The store cut its answer at its own row limit (Virtuoso ``ResultSetMaxRows``): the
    answer is refused rather than passed on shorter than it is."""


def iri_term(value: str) -> str:
    """An IRI as a SPARQL term, refusing characters that would end it early.

    >>> iri_term("https://w3id.org/ifrc-kg/id/ns/mli")
    '<https://w3id.org/ifrc-kg/id/ns/mli>'
    """
    if any(char in value for char in '<>"{}|^`\\ \n'):
        raise QuerySyntaxError(f"not an IRI: {value!r}")
    return f"<{value}>"


class DeadlineReader(io.RawIOBase):
    """The body of a streamed response as a file: checks the deadline (and the cancel flag
    the server sets when it gives up) between reads, and counts the bytes read."""

    def __init__(self, response: httpx.Response, deadline: Deadline) -> None:
        self._chunks = response.iter_raw()
        self._deadline = deadline
        self._pending = b""
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self._deadline.check()
        if not self._pending:
            self._pending = next(self._chunks, b"")
            self.bytes_read += len(self._pending)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def virtuoso_ask(answer: ox.QuerySolutions) -> bool:
    """Virtuoso answers ASK in JSON as a one-row SELECT of ``?__ASK_RETVAL`` (1 or 0)."""
    values = [value for solution in answer for value in solution]
    return any(value is not None and value.value not in ("0", "false") for value in values)


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
        self._hash_parts: dict[str, list[str]] | None = None
        self._index_lock = threading.Lock()
        try:
            self._graphs = self._served_graphs()
            if self.union_graph not in self._all_graphs:
                raise StoreLoadError(
                    f"{endpoint}: no graph {self.union_graph} (push the build first: ifrc-kg push)"
                )
            self._count = self._quads()
        except BaseException:
            self._client.close()
            raise

    # --- start-up ----------------------------------------------------------------------

    def _served_graphs(self) -> list[str]:
        """The build's named graphs in the store: under ``<base>graph/``, less the union (the
        embedded store does not serve it as a named graph)."""
        rows = self._select_all(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{self.base}graph/")) }}',
            "g",
            dataset=False,
        )
        self._all_graphs = set(rows)
        return sorted(set(rows) - {self.union_graph})

    def _quads(self) -> int:
        if not self._graphs:
            return 0
        values = " ".join(iri_term(graph) for graph in self._graphs)
        rows = self._query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}",
            "solutions",
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
        try:
            whole = self._query(sparql, "solutions", deadline, 50_000_000, dataset=dataset)
        except StoreCutAnswer as error:
            raise RemoteStoreUnavailable(
                f"the store at {self.endpoint} cut an answer at its row limit ({error}); raise "
                "its result row limit (Virtuoso: ResultSetMaxRows) above the number of "
                f"?{variable} in: {' '.join(sparql.split())}"
            ) from None
        return [row[0].value for row in whole.rows if row[0] is not None]

    # --- what the site asks -------------------------------------------------------------

    def __len__(self) -> int:
        """Statements in the build's named graphs, as the store counts them."""
        return self._count

    def named_graphs(self) -> list[str]:
        return list(self._graphs)

    def has_graph(self, iri: str) -> bool:
        return iri in self._graphs

    def add_graph(self, path: Path, graph_iri: str) -> None:
        """The remote store is read-only here: its graphs come from ``ifrc-kg push``."""
        raise StoreLoadError(
            f"{self.endpoint}: no graph {graph_iri} (push the build first: ifrc-kg push)"
        )

    def select(self, sparql: str, *, timeout_s: float = 10.0) -> list[dict[str, Term]]:
        """The server's own SELECT queries, as dicts of bound variables."""
        result = self._query(sparql, "solutions", Deadline(timeout_s), 100_000, dataset=True)
        return result.bindings()

    def triples_about(
        self, subjects: Sequence[str], predicates: Sequence[str] = (), limit: int = 5_000
    ) -> list[ox.Triple]:
        """The statements about all of ``subjects`` (with one of ``predicates``, if given) in
        one request per ``SUBJECTS_PER_REQUEST`` subjects, grouped subject by subject as
        ``GraphStore.triples_about`` gives them; at most ``limit`` per subject on average
        (the union graph is a set already)."""
        order = {subject: index for index, subject in enumerate(dict.fromkeys(subjects))}
        wanted = list(order)
        only = ""
        if predicates:  # a filter, not a second VALUES: measured 5x faster on Oxigraph
            only = f" FILTER(?p IN ({', '.join(iri_term(p) for p in predicates)}))"
        found: list[ox.Triple] = []
        for start in range(0, len(wanted), SUBJECTS_PER_REQUEST):
            chunk = wanted[start : start + SUBJECTS_PER_REQUEST]
            values = " ".join(iri_term(subject) for subject in chunk)
            rows = self.select(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o{only} }} "
                f"LIMIT {limit * len(chunk)}"
            )
            found.extend(ox.Triple(row["s"], row["p"], row["o"]) for row in rows)  # type: ignore[arg-type]
        found.sort(key=lambda triple: order[triple.subject.value])
        return found

    def triples_pointing_to(self, iri: str, limit: int = 500) -> list[ox.Triple]:
        target = ox.NamedNode(iri)
        rows = self.select(f"SELECT ?s ?p WHERE {{ ?s ?p {iri_term(iri)} }} LIMIT {limit}")
        return [ox.Triple(row["s"], row["p"], target) for row in rows]  # type: ignore[arg-type]

    def graph_triples(self, graph_iri: str) -> Iterator[ox.Triple]:
        """A named graph whole: a Graph Store GET when ``--gsp`` is given, else CONSTRUCT."""
        if self.gsp_url:
            deadline = Deadline(max(self._timeout_s, 60.0))
            with self._exchange(
                "GET", self.gsp_url, deadline, params={"graph": graph_iri}, accept=TRIPLES_ACCEPT
            ) as response:
                if response.status_code == 404:
                    return iter(())
                self._raise_for(response)
                body = response.read()
            return iter(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        result = self._query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_term(graph_iri)} {{ ?s ?p ?o }} }}",
            "graph",
            Deadline(max(self._timeout_s, 60.0)),
            10_000_000,
            dataset=False,
        )
        return iter(result.triples)

    def statements_by_subject(self, graph_iri: str) -> dict[str, int]:
        """How many statements each IRI subject has in a named graph: the store counts, and
        sends one row per subject rather than the whole graph."""
        result = self._query(
            f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_term(graph_iri)} {{ ?s ?p ?o }} "
            "FILTER(isIRI(?s)) } GROUP BY ?s",
            "solutions",
            Deadline(max(self._timeout_s, 60.0)),
            10_000_000,
            dataset=False,
        )
        return {
            row[0].value: int(row[1].value)
            for row in result.rows
            if row[0] is not None and row[1] is not None
        }

    def has_subject(self, iri: str) -> bool:
        return self._ask(f"ASK {{ {iri_term(iri)} ?p ?o }}")

    def is_mentioned(self, iri: str) -> bool:
        """Whether the IRI is the subject or object of a statement, or has hash parts."""
        node = iri_term(iri)
        if self._ask(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}"):
            return True
        return bool(self.hash_parts(iri))

    def hash_parts(self, iri: str) -> list[str]:
        """The hash IRIs (``iri#source``…) that are subjects: one streamed query, on first use."""
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
        """Every IRI subject starting with ``prefix`` (one streamed query: tests and tools)."""
        yield from self._select_all(
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}")) }}',
            "s",
        )

    def close(self) -> None:
        self._client.close()

    # --- the protocol -------------------------------------------------------------------

    def _ask(self, sparql: str) -> bool:
        result = self._query(sparql, "boolean", Deadline(self._timeout_s), 1, dataset=True)
        return bool(result.boolean)

    def dataset(
        self, default_graphs: Sequence[str], named_graphs: Sequence[str], dataset: bool
    ) -> list[tuple[str, str]]:
        """The protocol's dataset parameters: the request's own, else (``dataset``: the query
        names none) the build's union as default graph and the build's named graphs."""
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

    @contextlib.contextmanager
    def open_answer(
        self, sparql: str, form: str, params: list[tuple[str, str]], deadline: Deadline
    ) -> Iterator[DeadlineReader]:
        """POST a query and give its body as a reader; closing abandons the request.

        Raises ``QueryTimeout`` past the deadline (each read waits at most what is left of
        it), ``RemoteStoreUnavailable`` when the store fails, ``QueryError`` when it refuses
        the query, and ``StoreCutAnswer`` for an answer the store shortened.
        """
        accept = TRIPLES_ACCEPT if form == "graph" else SOLUTIONS_ACCEPT
        body = urlencode([("query", sparql), *params]).encode("utf-8")
        with self._exchange(
            "POST", self.endpoint, deadline, content=body, accept=accept, form=True
        ) as response:
            self._raise_for(response)
            if response.headers.get("x-sql-state"):  # Virtuoso's partial "anytime" answer
                raise QueryTimeout(
                    "the store stopped the query at its own limit: "
                    f"{response.headers.get('x-sql-message', response.headers['x-sql-state'])}"
                )
            if response.headers.get("x-sparql-maxrows"):  # Virtuoso cut at ResultSetMaxRows
                raise StoreCutAnswer(
                    "the store cut its answer at its row limit of "
                    f"{response.headers['x-sparql-maxrows']} rows; ask for less (LIMIT)"
                )
            yield DeadlineReader(response, deadline)

    @contextlib.contextmanager
    def _exchange(
        self,
        method: str,
        url: str,
        deadline: Deadline,
        *,
        accept: str,
        form: bool = False,
        **request: object,
    ) -> Iterator[httpx.Response]:
        """One request to the store, its response streamed: every wait (connecting, each
        read) is bounded by what is left of ``deadline``, the transport's errors become
        ``QueryTimeout`` or ``RemoteStoreUnavailable`` (also when the caller's reads of the
        body fail), and the response is closed, the request abandoned, however the caller
        leaves: done, failed or given up."""
        remaining = max(0.05, deadline.seconds - (time.monotonic() - deadline.started))
        headers = {"Accept": accept}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        built = self._client.build_request(
            method,
            url,
            headers=headers,
            timeout=httpx.Timeout(remaining, connect=min(remaining, 10.0)),
            **request,  # type: ignore[arg-type]
        )
        response: httpx.Response | None = None
        try:
            response = self._client.send(built, stream=True)
            yield response
        except httpx.TimeoutException:
            raise QueryTimeout(
                f"the query ran longer than the limit of {deadline.seconds:g} s"
            ) from None
        except httpx.HTTPError as error:
            what = "did not answer" if response is None else "broke off its answer"
            raise RemoteStoreUnavailable(
                f"the store at {self.endpoint} {what} ({type(error).__name__})"
            ) from None
        finally:
            if response is not None:
                response.close()

    def _query(
        self,
        sparql: str,
        form: str,
        deadline: Deadline,
        max_rows: int,
        *,
        dataset: bool,
    ) -> QueryResult:
        """The site's own queries, collected (at most ``max_rows``, as ``GraphStore.select``).

        With ``dataset`` the default graph is the build's union and no named graph is sent:
        the site's queries use no ``GRAPH``, and a hundred ``named-graph-uri`` parameters
        on every small look-up cost the store time to read (Virtuoso most).
        """
        params = [("default-graph-uri", self.union_graph)] if dataset else []
        with self.open_answer(sparql, form, params, deadline) as body:
            reader = io.BufferedReader(body, buffer_size=1 << 16)
            try:
                if form == "graph":
                    quads = ox.parse(reader, format=ox.RdfFormat.N_TRIPLES)
                    triples = [quad.triple for quad in islice(quads, max_rows)]
                    return QueryResult("graph", triples=triples)
                answer = ox.parse_query_results(reader, format=ox.QueryResultsFormat.JSON)
                if isinstance(answer, ox.QueryBoolean):
                    return QueryResult("boolean", boolean=bool(answer))
                if form == "boolean":
                    return QueryResult("boolean", boolean=virtuoso_ask(answer))
                variables = [variable.value for variable in answer.variables]
                rows = [tuple(solution) for solution in islice(answer, max_rows)]
                return QueryResult("solutions", variables=variables, rows=rows)
            except SyntaxError as error:
                raise RemoteStoreUnavailable(
                    f"the store's answer does not parse: {error}"
                ) from None
