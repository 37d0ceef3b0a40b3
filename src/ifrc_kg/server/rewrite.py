"""A query planner step before evaluation: the query's WHERE group rewritten into a form
Oxigraph evaluates faster, with provably the same answers, as a query text it runs.

Oxigraph 0.5 orders the triple patterns inside a basic graph pattern, but keeps the order of
the group's other parts: a required pattern written after an ``OPTIONAL`` is joined with
every optional row instead of narrowing the rows first, and ``FILTER NOT EXISTS`` runs its
pattern once per row. Two rewrites of the top-level WHERE group, each only where the
algebra of SPARQL 1.1 Query §18.2.2 (translation of a group) says the answer is the same:

1. **Required parts ahead of OPTIONALs.** A group ``A OPTIONAL{P} B`` is
   ``Join(LeftJoin(A, P), B)``; it equals ``LeftJoin(Join(A, B), P)`` when every variable
   ``B`` shares with ``P`` is bound in every solution of ``A`` (then the left join decides
   the same compatibilities; §18.5 ``LeftJoin``/``Join`` are defined per pair of solutions,
   multiplicities included). If a shared variable could be unbound in ``A``, ``P`` might
   bind it to one value and ``B`` to another: the original drops the row, the rewrite keeps
   it. ``B`` moves over the OPTIONALs one by one, so the condition is checked against each,
   and only triple blocks and plain groups move (a join; never over a ``MINUS``, ``BIND``,
   ``VALUES`` or a sub-query, which do not commute with a join). FILTERs apply to the whole
   group wherever they are written (§18.2.2: they are collected and applied last), so their
   place in the text does not matter.
2. **FILTER NOT EXISTS as MINUS.** ``Filter(NOT EXISTS P, G)`` keeps a row ``μ`` when
   ``substitute(P, μ)`` has no solution (§18.6); ``Minus(G, P)`` keeps it when no solution
   of ``P`` is compatible with ``μ`` *and shares a variable with it* (§18.5). They agree when
   ``P`` is a basic graph pattern of plain triples (no property path: a zero-length path
   with both ends substituted matches terms that are not in the graph; no FILTER, OPTIONAL
   or nested group, whose variables substitution would reach but MINUS would not) and ``P``
   shares a variable with ``G`` that ``G`` always binds (else MINUS removes nothing, the
   difference §8.3.1 shows). For such ``P`` substitution is a join with ``μ``, so "no
   solution after substitution" is "no compatible solution". The ``MINUS`` goes last in the
   group, so it applies to all of ``G`` as the FILTER did.

Nothing else is touched: a query that calls out (``SERVICE``), has codepoint escapes, is
``SELECT *`` or ``REDUCED`` (the column order and the duplicates would be the engine's new
choice), or has ``LIMIT``/``OFFSET`` (which rows fall in the window is the engine's choice)
runs as written, and so does a query with blank node labels (two triple blocks may not share
one, §19.6; merged by a move, they would) and any text this module does not fully
understand (it then returns ``None``). Whole-store aggregates are answered from the
build's statistics by ``statistics.py``. The rewritten text is the original's pieces,
verbatim, in another order.

3. **Patterns smallest first, bound ones and small stars joined by hash** (with the
   build's counts): ``join_order.py``, which says why the answer stays the same.
4. **Aggregates before the label OPTIONALs** of a GROUP BY query whose OPTIONALs only add
   group keys: ``pre_aggregate.py``, with its argument.

rdflib's parser would give the algebra, but costs 5-50 ms a query (more than most answers
take); this module reads the query with a SPARQL tokenizer (brackets, strings, IRIs,
comments, variables) in one linear pass, and pyoxigraph parses the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ifrc_kg.server import join_order, pre_aggregate
from ifrc_kg.server.join_order import Counts

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<number>\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:
              (?:(?:[\w:\-\u00C0-\uFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])
                 (?:(?:[\w.:\-\u00B7\u00C0-\uFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*
                    (?:[\w:\-\u00B7\u00C0-\uFFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]))?)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+/|^!=<>?\-])
    """,
    re.VERBOSE,
)
_OPEN = {"{": "}", "(": ")", "[": "]"}
# group-level keywords that start an element other than a triples block
_ELEMENT_KEYWORDS = {"OPTIONAL", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE"}
# tokens that make a triple pattern a property path (``?`` alone is the zero-or-one modifier)
_PATH_TOKENS = {"/", "|", "^", "*", "+", "?", "!"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokenize(query: str) -> list[Token] | None:
    """The query's tokens, comments and spaces left out; ``None`` for text not understood.

    >>> [t.text for t in tokenize("SELECT ?x { ?x a <http://e/C> . } # done")]
    ['SELECT', '?x', '{', '?x', 'a', '<http://e/C>', '.', '}']
    >>> [t.kind for t in tokenize('FILTER(?x < 3 && ?y != "a{")')][3:6]
    ['punct', 'number', 'punct']
    """
    tokens = []
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            return None
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), position, match.end()))
        position = match.end()
    return tokens


def _matching(tokens: list[Token]) -> dict[int, int] | None:
    """Index of each bracket's partner; ``None`` when they do not balance."""
    partners: dict[int, int] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind != "punct":
            continue
        if token.text in _OPEN:
            stack.append(index)
        elif token.text in ("}", ")", "]"):
            if not stack or _OPEN[tokens[stack[-1]].text] != token.text:
                return None
            partners[stack.pop()] = index
    return None if stack else partners


def _keyword(token: Token) -> str:
    return token.text.upper() if token.kind == "name" else ""


@dataclass
class Element:
    """One part of a group: its kind, its token span (inclusive) and its variables."""

    kind: str  # triples, group, union, graph, optional, minus, filter, bind, values, service
    first: int
    last: int
    variables: frozenset[str]
    certain: frozenset[str]  # variables bound in every solution of this part
    not_exists: tuple[int, int] | None = None  # FILTER NOT EXISTS { … }: its group's braces


class _Reader:
    """Splits groups into elements over one query's tokens."""

    def __init__(self, tokens: list[Token], partners: dict[int, int]) -> None:
        self.tokens = tokens
        self.partners = partners

    def variables(self, first: int, last: int) -> frozenset[str]:
        return frozenset(t.text[1:] for t in self.tokens[first : last + 1] if t.kind == "var")

    def is_punct(self, index: int, text: str) -> bool:
        return (
            index < len(self.tokens)
            and self.tokens[index].kind == "punct"
            and (self.tokens[index].text == text)
        )

    def group_end(self, index: int) -> int:
        if not self.is_punct(index, "{"):
            raise ValueError
        return self.partners[index]

    def elements(self, open_brace: int) -> list[Element]:
        """The elements of the group whose ``{`` is at ``open_brace`` (``ValueError`` if the
        group has a part this module does not read)."""
        close = self.partners[open_brace]
        found: list[Element] = []
        index = open_brace + 1
        while index < close:
            token = self.tokens[index]
            keyword = _keyword(token)
            if token.kind == "punct" and token.text == ".":
                index += 1
                continue
            if keyword in ("OPTIONAL", "MINUS"):
                last = self.group_end(index + 1)
                found.append(self._element(keyword.lower(), index, last))
            elif keyword == "FILTER":
                found.append(self._filter(index))
            elif keyword == "BIND":
                if not self.is_punct(index + 1, "("):
                    raise ValueError
                found.append(self._element("bind", index, self.partners[index + 1]))
            elif keyword == "VALUES":
                after = index + 1
                if self.is_punct(after, "("):
                    after = self.partners[after]
                found.append(self._element("values", index, self.group_end(after + 1)))
            elif keyword == "GRAPH":
                last = self.group_end(index + 2)
                certain = self.certain_of_group(index + 2)
                name = self.tokens[index + 1]
                if name.kind == "var":
                    certain |= {name.text[1:]}
                found.append(self._element("graph", index, last, certain))
            elif keyword == "SERVICE":
                raise ValueError  # never rewritten: the query went through the full check
            elif token.kind == "punct" and token.text == "{":
                found.append(self._group(index))
            else:
                found.append(self._triples(index, close))
            index = found[-1].last + 1
        return found

    def _element(
        self, kind: str, first: int, last: int, certain: frozenset[str] = frozenset()
    ) -> Element:
        return Element(kind, first, last, self.variables(first, last), certain)

    def _filter(self, index: int) -> Element:
        after = index + 1
        if self.is_punct(after, "("):
            return self._element("filter", index, self.partners[after])
        keyword = _keyword(self.tokens[after]) if after < len(self.tokens) else ""
        if keyword == "NOT" and _keyword(self.tokens[after + 1]) == "EXISTS":
            last = self.group_end(after + 2)
            element = self._element("filter", index, last)
            element.not_exists = (after + 2, last)
            return element
        if keyword == "EXISTS":
            return self._element("filter", index, self.group_end(after + 1))
        if self.tokens[after].kind in ("name", "iri", "pname") and self.is_punct(after + 1, "("):
            return self._element("filter", index, self.partners[after + 1])
        raise ValueError

    def _group(self, index: int) -> Element:
        """``{ … }``, a sub-query ``{ SELECT … }``, or a chain ``{ … } UNION { … }``."""
        branches = [index]
        last = self.partners[index]
        while last + 1 < len(self.tokens) and _keyword(self.tokens[last + 1]) == "UNION":
            branches.append(last + 2)
            last = self.group_end(last + 2)
        certains = [self.certain_of_group(branch) for branch in branches]
        certain = frozenset.intersection(*certains)
        kind = "group" if len(branches) == 1 else "union"
        return self._element(kind, index, last, certain)

    def _triples(self, index: int, close: int) -> Element:
        first = self.tokens[index]
        if _keyword(first) in _ELEMENT_KEYWORDS | {"UNION"} or first.text in ("{", "}"):
            raise ValueError
        last = index
        cursor = index
        while cursor < close:
            token = self.tokens[cursor]
            if _keyword(token) in _ELEMENT_KEYWORDS or (
                token.kind == "punct" and token.text in ("{", "}")
            ):
                break
            if token.kind == "punct" and token.text in ("(", "["):
                cursor = self.partners[cursor]
            if not (token.kind == "punct" and token.text == "."):
                last = cursor
            cursor += 1
        variables = self.variables(index, last)
        return Element("triples", index, last, variables, variables)

    def certain_of_group(self, open_brace: int) -> frozenset[str]:
        """Variables a group binds in every solution: those of its triple blocks, plain
        groups and GRAPH parts (a sub-query: none, it projects what it likes)."""
        if _keyword(self.tokens[open_brace + 1]) == "SELECT":
            return frozenset()
        certain: set[str] = set()
        for element in self.elements(open_brace):
            if element.kind in ("triples", "group", "union", "graph"):
                certain |= element.certain
        return frozenset(certain)

    def plain_triples(self, open_brace: int) -> frozenset[str] | None:
        """The variables of a group made only of plain triple patterns (no path, no nested
        part), else ``None``."""
        close = self.partners[open_brace]
        inner = self.tokens[open_brace + 1 : close]
        if not inner:
            return None
        for token in inner:
            if token.kind == "punct" and token.text in _PATH_TOKENS | {"{", "(", "["}:
                return None
            if token.kind == "name" and token.text not in ("a", "true", "false"):
                return None
        return self.variables(open_brace, close)


@dataclass(frozen=True)
class Rewrite:
    """A rewritten query and what was done to it (for logs and tests)."""

    query: str
    moved: int  # required parts moved ahead of an OPTIONAL
    minus: int  # FILTER NOT EXISTS turned into MINUS
    reordered: int = 0  # basic graph patterns written smallest pattern first
    aggregated: int = 0  # aggregates computed before the label OPTIONALs (pre_aggregate.py)


def where_group(tokens: list[Token], partners: dict[int, int]) -> int | None:
    """The index of the WHERE group's ``{`` of a SELECT, ASK, DESCRIBE or CONSTRUCT query."""
    form = next((i for i, t in enumerate(tokens) if _keyword(t) in _FORMS), None)
    if form is None:
        return None
    groups = []  # the ``{`` outside any bracket: the template, then the pattern
    index = form
    while index < len(tokens) and len(groups) < 2:
        token = tokens[index]
        if token.kind == "punct" and token.text in _OPEN:
            if token.text == "{":
                groups.append(index)
            index = partners[index]
        index += 1
    if _keyword(tokens[form]) != "CONSTRUCT":
        return groups[0] if groups else None
    if _keyword(tokens[form + 1]) == "WHERE":
        return None  # the short form: the template is the pattern; left as written
    return groups[1] if len(groups) == 2 else None


_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def _unsafe_query(tokens: list[Token], where: int, close: int, keep_projection: bool) -> bool:
    """A query whose answer the rewrite could change in ways the algebra does not see."""
    head = tokens[:where]
    keywords = [_keyword(t) for t in head]
    if "REDUCED" in keywords:
        return True
    if "SELECT" in keywords and keep_projection:
        after = keywords.index("SELECT") + 1
        if after < len(head) and keywords[after] == "DISTINCT":
            after += 1
        if after < len(head) and head[after].text == "*":
            return True
    tail = {_keyword(t) for t in tokens[close + 1 :]}
    return bool(tail & {"LIMIT", "OFFSET"})


def rewrite(
    query: str, *, keep_projection: bool = True, counts: Counts | None = None
) -> Rewrite | None:
    """The faster, answer-identical form of ``query``, or ``None`` to run it as written.

    ``counts`` (the build's statistics) also orders the top-level basic graph patterns
    smallest first (``join_order.py``). ``keep_projection=False`` (tests only) also rewrites
    ``SELECT *``, whose answer is the same solutions with the columns perhaps in another
    order.

    >>> text = "SELECT ?n WHERE { ?s <p> ?o OPTIONAL { ?s <q> ?n } ?o <r> ?x }"
    >>> rewrite(text).query.split()
    ['SELECT', '?n', 'WHERE', '{', '?s', '<p>', '?o', '.', '?o', '<r>', '?x', '.', \
'OPTIONAL', '{', '?s', '<q>', '?n', '}', '}']
    >>> rewrite("SELECT ?n WHERE { ?s <p> ?o OPTIONAL { ?s <q> ?n } ?n <r> ?x }") is None
    True
    """
    lowered = query.lower()
    if "\\u" in lowered or "service" in lowered:
        return None
    if counts is None and "optional" not in lowered and "exists" not in lowered:
        return None  # nothing to move, nothing to turn into MINUS: no need to read it
    tokens = tokenize(query)
    partners = _matching(tokens) if tokens else None
    if not tokens or partners is None:
        return None
    if any(t.kind == "pname" and t.text.startswith("_:") for t in tokens):
        return None  # a label in two blocks is an error a merge of the blocks would hide
    try:
        where = where_group(tokens, partners)
        if where is None:
            return None
        close = partners[where]
        if _unsafe_query(tokens, where, close, keep_projection):
            return None
        reader = _Reader(tokens, partners)
        elements = reader.elements(where)
        planned = _plan(reader, elements)
    except (ValueError, IndexError, KeyError, StopIteration):
        return None
    elements, moved, minus = planned
    declared = join_order.prefixes(tokens, where) if counts is not None else {}
    placed: list[tuple[Element, str]] = []  # each piece of the new group, with what it is
    reordered = 0
    for run in _runs(elements):
        patterns = _patterns(query, tokens, run) if counts is not None else None
        if patterns is not None and counts is not None:
            star = join_order.star_joined(patterns, counts, declared)
            if star is not None:
                hashed, rest = star, []
            else:
                hashed, rest = join_order.hash_joined(patterns, counts, declared)
            better = join_order.ordered(rest, counts, declared)
            if hashed or better != patterns:
                reordered += 1
                block = Element(
                    "triples",
                    run[0].first,
                    run[-1].last,
                    frozenset().union(*(e.variables for e in run)),
                    frozenset().union(*(e.certain for e in run)),
                )
                texts = [join_order.sub_select(pattern) for pattern in hashed]
                texts += [pattern.text for pattern in better]
                placed += [(block, "  " + text) for text in texts]
                continue
        for element in run:
            if element.not_exists is not None:
                brace, end = element.not_exists
                text = "MINUS " + query[tokens[brace].start : tokens[end].end]
            else:
                text = query[tokens[element.first].start : tokens[element.last].end]
            placed.append((element, "  " + text + (" ." if element.kind == "triples" else "")))
    try:
        regrouped = pre_aggregate.regroup(query, tokens, reader, where, close, placed)
    except (ValueError, IndexError, KeyError):
        regrouped = None
    if regrouped is not None:
        return Rewrite(regrouped, moved, minus, reordered, aggregated=1)
    if not (moved or minus or reordered):
        return None
    body = "\n".join(text for _, text in placed)
    text = query[: tokens[where].end] + "\n" + body + "\n" + query[tokens[close].start :]
    return Rewrite(text, moved, minus, reordered)


def _runs(elements: list[Element]) -> list[list[Element]]:
    """The elements in runs: adjacent triple blocks together (one basic graph pattern,
    §18.2.2.1), every other element alone."""
    runs: list[list[Element]] = []
    for element in elements:
        if element.kind == "triples" and runs and runs[-1][-1].kind == "triples":
            runs[-1].append(element)
        else:
            runs.append([element])
    return runs


def _patterns(
    query: str, tokens: list[Token], run: list[Element]
) -> list[join_order.Pattern] | None:
    """The triple patterns of a run of triple blocks, ``None`` unless all are plain."""
    if run[0].kind != "triples":
        return None
    patterns: list[join_order.Pattern] = []
    for element in run:
        found = join_order.split(query, tokens, element.first, element.last)
        if found is None:
            return None
        patterns += found
    return patterns


def _plan(reader: _Reader, elements: list[Element]) -> tuple[list[Element], int, int]:
    """The group's elements in their new order, how many moved, how many became MINUS."""
    joins = ("triples", "group", "union", "graph")
    certain_all: set[str] = set()
    for element in elements:
        if element.kind in joins:
            certain_all |= element.certain
    minus: list[Element] = []
    kept: list[Element] = []
    for element in elements:
        if element.not_exists is not None:
            inner = reader.plain_triples(element.not_exists[0])
            if inner is not None and inner & certain_all:
                minus.append(element)
                continue
            element.not_exists = None
        kept.append(element)
    moved = 0
    prefix: list[Element] = []
    tail: list[Element] = []
    certain: set[str] = set()
    optionals: list[Element] = []
    blocked = False
    for element in kept:
        if element.kind == "filter":
            tail.append(element)
            continue
        if element.kind == "optional" and not blocked:
            optionals.append(element)
            tail.append(element)
            continue
        if not optionals:
            prefix.append(element)
            if element.kind in joins:
                certain |= element.certain
            continue
        movable = (
            not blocked
            and element.kind in joins
            and all(element.variables & o.variables <= certain for o in optionals)
        )
        if movable:
            prefix.append(element)
            certain |= element.certain
            moved += 1
        else:
            tail.append(element)
            # a join commutes with a join: only a MINUS, BIND, VALUES… stops later moves
            blocked = blocked or element.kind not in joins
    return prefix + tail + minus, moved, len(minus)


# a query this short with no pattern is answered in the web process (``sparql.py``)
DATA_FREE_MAX_CHARS = 512


def reads_no_data(query: str) -> bool:
    """Whether ``query`` cannot read the store: its only group is an empty ``{}`` (no triple
    pattern, no sub-query, no ``EXISTS``, no ``VALUES`` block) and it is not ``DESCRIBE``,
    which reads the description of its IRIs. Its answer is the same over any dataset, and
    short text bounds its work; codepoint escapes, which could spell a brace, are excluded.

    >>> reads_no_data("ASK {}"), reads_no_data("SELECT (1 + 1 AS ?two) WHERE { }")
    (True, True)
    >>> reads_no_data("ASK { ?s ?p ?o }"), reads_no_data("DESCRIBE <http://e/a> {}")
    (False, False)
    >>> reads_no_data("ASK \\\\u007B ?s ?p ?o \\\\u007D")
    False
    """
    if len(query) > DATA_FREE_MAX_CHARS or "\\u" in query.lower():
        return False
    if query.count("{") != 1 or query.count("}") != 1:
        return False  # more than one group, or none: no need to read it (a brace in a
        # string would count too, and such a query goes to a worker, as any other)
    tokens = tokenize(query)
    if tokens is None:
        return False
    braces = [i for i, t in enumerate(tokens) if t.kind == "punct" and t.text in "{}"]
    if len(braces) != 2 or tokens[braces[0]].text != "{" or braces[1] != braces[0] + 1:
        return False
    return not any(_keyword(t) in ("DESCRIBE", "SERVICE") for t in tokens)
