"""A text search over one property's values, tested once per distinct value: the planner's
step for ``?s rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "water"))``.

Such a query reads every triple of the property and tests the filter on each: 48,487 labels
at a million quads, each label's text read back from the store (70 ms of the 87 ms). The
labels repeat (12,692 distinct values: the same name in many reports), so the build-time
statistics (``statistics.py``: triples per distinct object, counted over the first 20,000 of
each property's triples) tell when testing each distinct value once pays: the query is
written as::

    { SELECT ?label WHERE {
        { SELECT ?label WHERE { ?s rdfs:label ?label } GROUP BY ?label }
        FILTER(CONTAINS(LCASE(STR(?label)), "water")) } }
    ?s rdfs:label ?label .

which took 54 ms instead of 87 (CPU, same 316 rows). Where the values do not repeat it
would cost twice as much (``oa:hasSelector``: 183 → 368 ms), hence the threshold.

Why the answer is the same (SPARQL 1.1 Query §18.2.2.6, §18.2.4.1, §18.5): the group is
``Filter(F, BGP(t))`` for the one triple pattern ``t`` (FILTERs of a group apply to all of
it, conjoined). Every solution ``μ`` of ``t`` binds ``?o``, the only variable of ``F``, and
``F`` is deterministic (no RAND, UUID, STRUUID, BNODE, no EXISTS), so ``F(μ)`` is a function
of ``μ(?o)``, an error counting as false in both forms. The inner sub-query gives each
distinct term ``v`` that ``t`` binds ``?o`` to once (GROUP BY compares terms, so ``1`` and
``1.0`` stay apart; its other variables are its own), the middle one keeps those with
``F(v)`` true, and joining them with ``t`` keeps exactly the solutions of ``t`` whose
``?o`` passes, each once, as ``Filter`` does. Only that shape is rewritten: one plain
triple pattern with a variable object, FILTERs over that variable only, at least one a
text match (CONTAINS, STRSTARTS, STRENDS, REGEX: most often selective; an unselective
filter would join every triple back), no ``SELECT *``, LIMIT or OFFSET (``rewrite.py``'s
rules), no ``FROM`` (the statistics describe the default graph).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ifrc_kg.server import join_order
from ifrc_kg.server.rewrite import _matching, _Reader, _unsafe_query, tokenize, where_group

#: a property's triples per distinct object (estimated) from which the values are grouped
MIN_REPEATS = 2.0
TEXT_MATCHES = {"CONTAINS", "STRSTARTS", "STRENDS", "REGEX"}
NOT_A_FUNCTION_OF_ITS_ARGUMENTS = {"RAND", "UUID", "STRUUID", "BNODE", "EXISTS"}


def grouped_first(query: str, repeats: Callable[[], Mapping[str, float] | None]) -> str | None:
    """``query`` with its filter tested once per distinct value, or ``None`` (not the shape,
    or the values do not repeat enough; ``repeats`` is read only for the shape).

    >>> text = 'SELECT ?s WHERE { ?s <http://e/label> ?l FILTER(CONTAINS(?l, "w")) }'
    >>> print(grouped_first(text, lambda: {"http://e/label": 3.0}))
    SELECT ?s WHERE {
      { SELECT ?l WHERE { { SELECT ?l WHERE { ?s <http://e/label> ?l . } GROUP BY ?l } \
FILTER(CONTAINS(?l, "w")) } }
      ?s <http://e/label> ?l .
    }
    >>> grouped_first(text, lambda: {"http://e/label": 1.2}) is None
    True
    """
    lowered = query.lower()
    if "filter" not in lowered or "\\u" in lowered or "service" in lowered:
        return None
    tokens = tokenize(query)
    partners = _matching(tokens) if tokens else None
    if not tokens or partners is None:
        return None
    try:
        where = where_group(tokens, partners)
        if where is None:
            return None
        close = partners[where]
        head = {token.text.upper() for token in tokens[:where] if token.kind == "name"}
        if "SELECT" not in head or "FROM" in head:
            return None
        if _unsafe_query(tokens, where, close, keep_projection=True):
            return None
        elements = _Reader(tokens, partners).elements(where)
    except (ValueError, IndexError, KeyError):
        return None
    blocks = [element for element in elements if element.kind == "triples"]
    filters = [element for element in elements if element.kind == "filter"]
    if len(blocks) != 1 or not filters or len(blocks) + len(filters) != len(elements):
        return None
    patterns = join_order.split(query, tokens, blocks[0].first, blocks[0].last)
    if patterns is None or len(patterns) != 1:
        return None
    pattern = patterns[0]
    value = pattern.terms[2]
    if pattern.kinds[2] != "var" or value in (pattern.terms[0], pattern.terms[1]):
        return None
    for element in filters:
        names = {t.text.upper() for t in tokens[element.first : element.last + 1]}
        if element.variables != {value[1:]} or names & NOT_A_FUNCTION_OF_ITS_ARGUMENTS:
            return None
    if not any(_first_call(tokens, element.first) in TEXT_MATCHES for element in filters):
        return None
    declared = join_order.prefixes(tokens, where)
    predicate = join_order.predicate_iri(pattern, declared)
    known = repeats() if predicate is not None else None
    if known is None or known.get(predicate, 0.0) < MIN_REPEATS:
        return None
    tests = " ".join(query[tokens[f.first].start : tokens[f.last].end] for f in filters)
    values = f"{{ SELECT {value} WHERE {{ {pattern.text} }} GROUP BY {value} }}"
    passing = f"{{ SELECT {value} WHERE {{ {values} {tests} }} }}"
    before, after = query[: tokens[where].end], query[tokens[close].start :]
    return f"{before}\n  {passing}\n  {pattern.text}\n{after}"


def _first_call(tokens: list, filter_index: int) -> str:
    """The name of the function a FILTER calls first: ``FILTER(CONTAINS(…))`` and
    ``FILTER regex(…)`` give CONTAINS and REGEX."""
    index = filter_index + 1
    while index < len(tokens) and tokens[index].text == "(":
        index += 1
    return tokens[index].text.upper() if index < len(tokens) else ""
