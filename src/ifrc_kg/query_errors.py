"""Syntax errors a user can act on: the message, its line and column, the undeclared prefix.

Both parsers the endpoint uses say where a query failed, in their own words: pyoxigraph
("error at 2:20: expected one of Prefix not found, ['%'], …", the furthest position it
reached) and rdflib's pyparsing grammar ("Expected SelectQuery, found 'FILTER' (at char 26),
(line:1, col:27)"). Neither names an undeclared prefix, the most common mistake of a query
pasted from elsewhere, and the endpoint adds no prefixes. So a failed query is also scanned
for prefixed names whose prefix it never declares; the first one, when it comes no later
than where the parser stopped, is the error reported, with the declaration to add when the
prefix is one of the site's own (``namespaces.PREFIXES``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ifrc_kg.namespaces import PREFIXES
from ifrc_kg.store import QuerySyntaxError

# Comments, strings and IRIs are skipped whole, so a colon inside them is no prefixed name
# (SPARQL 1.1 Query §19.8: PNAME_NS, STRING_LITERAL*, IRIREF). Each pattern is matched at one
# position and the scan then moves past what it tried, so a hostile query (an unterminated
# string of escaped quotes) costs linear time, never a retry at every character.
_LONG_STRING = re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"")
_STRING = re.compile(r"'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"")
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_DECLARATION = re.compile(r"PREFIX\s+((?:[^\W\d_](?:[\w.\-]*\w)?)?):", re.IGNORECASE)
_PREFIXED = re.compile(r"((?:[^\W\d_](?:[\w.\-]*\w)?)?):")
_WORD = re.compile(r"[\w.\-]+")
_NOT_BEFORE_NAME = frozenset("?$:.-_")
_OXIGRAPH = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_PYPARSING_WHERE = re.compile(r"\s*\(at char \d+\),\s*\(line:\d+,\s*col:\d+\)\s*$")
# pyoxigraph lists character classes (['0'..='9' | …]) among the expected tokens: noise
_CHAR_CLASS = re.compile(r"\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]")
_EXPECTED_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\b[A-Za-z][A-Za-z0-9_]*\b')
_MAX_EXPECTED = 12


@dataclass(frozen=True)
class PrefixUse:
    """A prefixed name whose prefix the query does not declare, and where it starts."""

    prefix: str
    line: int
    column: int


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset.

    >>> position("SELECT *\\nWHERE { }", 10)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _names(query: str) -> tuple[set[str], list[tuple[str, int]]]:
    """The declared prefixes, and every prefixed name's prefix with its offset."""
    declared: set[str] = set()
    uses: list[tuple[str, int]] = []
    i, end = 0, len(query)
    while i < end:
        char = query[i]
        if char == "#":
            newline = query.find("\n", i)
            i = end if newline < 0 else newline
        elif query.startswith(("'''", '"""'), i):
            match = _LONG_STRING.match(query, i)
            i = match.end() if match else end  # unterminated: the rest is inside it
        elif char in "'\"":
            match = _STRING.match(query, i)
            newline = query.find("\n", i)
            i = match.end() if match else (end if newline < 0 else newline)
        elif char == "<":
            match = _IRI.match(query, i)
            i = match.end() if match else i + 1
        elif char == ":" or char.isalpha():
            before = query[i - 1] if i else " "
            if before.isalnum() or before in _NOT_BEFORE_NAME:
                word = _WORD.match(query, i)
                i = word.end() if word else i + 1
                continue
            declaration = _DECLARATION.match(query, i)
            if declaration is not None:
                declared.add(declaration.group(1))
                i = declaration.end()
                continue
            name = _PREFIXED.match(query, i)
            if name is not None:
                uses.append((name.group(1), i))
                i = name.end()
            else:
                word = _WORD.match(query, i)
                i = word.end() if word else i + 1
        else:
            i += 1
    return declared, uses


def undeclared_prefix(query: str) -> PrefixUse | None:
    """The first prefixed name whose prefix no ``PREFIX`` of the query declares.

    >>> undeclared_prefix("SELECT * {\\n  ?s skos:prefLabel ?o }")
    PrefixUse(prefix='skos', line=2, column=6)
    >>> undeclared_prefix("PREFIX s: <http://x/> SELECT * { ?s s:p 'skos:x' } # rdfs:y") is None
    True
    >>> undeclared_prefix("SELECT * { _:b a :C }")
    PrefixUse(prefix='', line=1, column=18)
    """
    declared, uses = _names(query)
    for prefix, offset in uses:
        if prefix not in declared:
            return PrefixUse(prefix, *position(query, offset))
    return None


def prefix_error(use: PrefixUse) -> QuerySyntaxError:
    """``Prefix 'skos' is not declared — add PREFIX skos: <…#>`` at its line and column."""
    namespace = PREFIXES.get(use.prefix)
    declaration = f"PREFIX {use.prefix}: <{namespace if namespace else '…'}>"
    message = (
        f"line {use.line}, column {use.column}: Prefix '{use.prefix}' is not declared — "
        f"add {declaration}"
    )
    return QuerySyntaxError(
        message,
        line=use.line,
        column=use.column,
        prefix=use.prefix,
        declaration=declaration if namespace else None,
    )


def _first(query: str, line: int | None, column: int | None) -> QuerySyntaxError | None:
    """The undeclared prefix, when it comes no later than where the parser stopped."""
    use = undeclared_prefix(query)
    if use is None:
        return None
    if line is not None and column is not None and (use.line, use.column) > (line, column):
        return None
    return prefix_error(use)


def _expected(text: str) -> str:
    """pyoxigraph's list of expected tokens without character classes, at most a dozen.

    >>> _expected("expected one of \\",\\", \\"}\\", ['%'], [_]")
    'expected one of ",", "}"'
    """
    head, _, items = text.partition("expected one of ")
    if not items:
        return text.strip()
    items = _CHAR_CLASS.sub("", items.replace("Prefix not found", ""))
    tokens = _EXPECTED_TOKEN.findall(items)
    if not tokens:
        return "unexpected text"
    more = ", …" if len(tokens) > _MAX_EXPECTED else ""
    return f"{head}expected one of {', '.join(tokens[:_MAX_EXPECTED])}{more}"


def from_oxigraph(query: str, error: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's parse error, with its line and column (or the undeclared prefix)."""
    match = _OXIGRAPH.match(str(error))
    if match is None:
        return _first(query, None, None) or QuerySyntaxError(f"syntax error: {error}")
    line, column = int(match.group(1)), int(match.group(2))
    found = _first(query, line, column)
    if found is not None:
        return found
    message = f"syntax error at line {line}, column {column}: {_expected(match.group(3))}"
    return QuerySyntaxError(message, line=line, column=column)


def from_rdflib(query: str, error: Exception) -> QuerySyntaxError:
    """rdflib's parse error (a pyparsing ``ParseException``, with ``lineno`` and ``col``) or
    its algebra's ("Unknown namespace prefix : nope"), with a line and column."""
    line, column = getattr(error, "lineno", None), getattr(error, "col", None)
    found = _first(query, line, column)
    if found is not None:
        return found
    text = _PYPARSING_WHERE.sub("", str(error))
    if line is None or column is None:
        return QuerySyntaxError(f"query error: {text}")
    return QuerySyntaxError(
        f"syntax error at line {line}, column {column}: {text}", line=line, column=column
    )
