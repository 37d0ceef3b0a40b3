"""What a query is, by a real SPARQL parser: its form, its dataset clause, its SERVICE calls.

A public endpoint must refuse updates and unlisted ``SERVICE`` calls however they are
spelled: inside comments, strings and IRIs a keyword is not a keyword, and codepoint escapes
(``SERV\\u0049CE``, SPARQL 1.1 Query §19.2) are. Regular expressions get this wrong (and
the old pre-scan was quadratic on an unterminated long string), so the query goes through
rdflib's SPARQL 1.1 grammar and the check walks the algebra it gives.

Both parsers recurse once per nesting level: rdflib raises ``RecursionError`` and
pyoxigraph's parser overflows the native stack (SIGSEGV) on a few thousand nested
parentheses. ``nesting_depth`` bounds the depth first, in one linear pass; the server also
runs every check inside a killable worker process, so a parser crash costs one worker.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal

from ifrc_kg.query_errors import from_rdflib
from ifrc_kg.store import QuerySyntaxError, ServiceRefused, UpdateRefused

QueryForm = Literal["solutions", "boolean", "graph"]

_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "solutions",
    "AskQuery": "boolean",
    "ConstructQuery": "graph",
    "DescribeQuery": "graph",
}
_OPEN = frozenset("({[")
_CLOSE = frozenset(")}]")
# rdflib's pyparsing grammar uses a few dozen Python frames per nesting level
_RECURSION_LIMIT = 20_000


class QueryTooDeep(QuerySyntaxError):
    """The query nests brackets deeper than the server's limit."""


@dataclass(frozen=True)
class CheckedQuery:
    """A query the endpoint may run: its result form and the dataset it names itself."""

    form: QueryForm
    has_dataset_clause: bool
    service_endpoints: tuple[str, ...]


def nesting_depth(query: str) -> int:
    """The deepest bracket nesting, counting every ``(``, ``{`` and ``[`` (strings too).

    Counting brackets inside strings and comments can only over-estimate, which is the safe
    direction for a limit that protects the parsers.

    >>> nesting_depth("SELECT * { ?s ?p ?o FILTER((?o > 1)) }")
    3
    >>> nesting_depth("ASK {}")
    1
    """
    depth = deepest = 0
    for char in query:
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE and depth:
            depth -= 1
    return deepest


def _walk(node: object, found: list[object]) -> None:
    """Every ``ServiceGraphPattern`` term of an rdflib algebra tree, iteratively."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                found.append(item.get("term"))
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def check_depth(query: str, max_depth: int) -> None:
    """Refuse an empty query, and one nested deeper than the parsers can take."""
    if not query.strip():
        raise QuerySyntaxError("the query is empty")
    depth = nesting_depth(query)
    if depth > max_depth:
        raise QueryTooDeep(f"the query nests brackets {depth} deep; the limit is {max_depth}")


def needs_full_check(query: str) -> bool:
    """Whether the query could call out (``SERVICE``, spelled plainly or with codepoint
    escapes) and so must go through ``check_query`` before it runs.

    Any other query goes straight to pyoxigraph, whose parser accepts queries only (an
    update is a syntax error there): rdflib's pure-Python parse costs 5-50 ms a query, more
    than most answers take. Over-matching (the word inside a string or an IRI) only costs
    time, never safety.

    >>> needs_full_check("SELECT * { ?s ?p ?o }")
    False
    >>> needs_full_check("SELECT * { SERV\\u0049CE <http://x/> { ?s ?p ?o } }")
    True
    >>> needs_full_check("select * { service <http://x/> { ?s ?p ?o } }")
    True
    """
    lowered = query.lower()
    return "service" in lowered or "\\u" in lowered


def check_query(
    query: str,
    *,
    max_depth: int = 100,
    service_allow_list: tuple[str, ...] | list[str] = (),
    base_iri: str | None = None,
) -> CheckedQuery:
    """Parse ``query`` and refuse what a read-only endpoint must not run.

    Raises ``QueryTooDeep`` / ``QuerySyntaxError`` (400), ``UpdateRefused`` for any SPARQL
    Update request including ``LOAD`` (403), ``ServiceRefused`` for a ``SERVICE`` whose
    endpoint is not on the allow-list or is a variable (403).

    >>> check_query("SELECT * { ?s ?p ?o }").form
    'solutions'
    >>> check_query("SELECT * { ?s ?p 'SERVICE <http://x/>' } # SERVICE").service_endpoints
    ()
    >>> check_query("PREFIX s: <http://x/> SELECT * { SERV\\\\u0049CE s:q { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    ifrc_kg.store.ServiceRefused: SERVICE to http://x/q is not allowed here
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.term import URIRef

    check_depth(query, max_depth)
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        parsed = parseQuery(query)
    except ParseException as error:
        try:
            parseUpdate(query)
        except Exception:
            raise from_rdflib(query, error) from None
        raise UpdateRefused("this endpoint is read-only: SPARQL Update is not accepted") from None
    except RecursionError:
        raise QueryTooDeep("the query nests too deeply to be checked") from None
    except Exception as error:  # rdflib raises bare errors for e.g. bad escapes
        raise QuerySyntaxError(f"syntax error: {error}") from None
    try:
        algebra = translateQuery(parsed, base=base_iri).algebra
    except RecursionError:
        raise QueryTooDeep("the query nests too deeply to be checked") from None
    except Exception as error:  # an undeclared prefix, a variable bound twice, …
        raise from_rdflib(query, error) from None
    terms: list[object] = []
    _walk(algebra, terms)
    if any(not isinstance(term, URIRef) for term in terms):
        raise ServiceRefused("SERVICE with a variable endpoint is refused")
    endpoints = tuple(str(term) for term in terms)
    refused = [url for url in endpoints if url not in service_allow_list]
    if refused:
        raise ServiceRefused(f"SERVICE to {', '.join(refused)} is not allowed here")
    form = _FORMS.get(algebra.name)
    if form is None:
        raise QuerySyntaxError(f"not a query form this endpoint answers: {algebra.name}")
    return CheckedQuery(form, bool(algebra.get("datasetClause")), endpoints)
