"""The query check is a parser, not a pattern: keywords hidden in comments, strings and IRIs
are not keywords, codepoint escapes are, and no spelling gets an update or SERVICE past it."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifrc_kg.query_check import QueryTooDeep, check_query, nesting_depth
from ifrc_kg.store import QuerySyntaxError, ServiceRefused, UpdateRefused


@pytest.mark.parametrize(
    ("query", "endpoints"),
    [
        ("SELECT * { SERVICE SILENT <http://a/sparql> { ?s ?p ?o } }", ("http://a/sparql",)),
        ("PREFIX e: <http://b/> SELECT * { service e:sparql { ?s ?p ?o } }", ("http://b/sparql",)),
        ("SELECT * { ?a ?b ?c .SERVICE <http://c/s> { ?s ?p ?o } }", ("http://c/s",)),
        ("SELECT * { SERV\\u0049CE <http://d/s> { ?s ?p ?o } }", ("http://d/s",)),
        (
            'SELECT * { ?a ?b ?c FILTER(?a<?b)#>"""\n SERVICE <http://e/s> { ?x ?y ?z }\n#"""\n}',
            ("http://e/s",),
        ),
    ],
)
def test_service_is_found_however_spelled(query: str, endpoints: tuple[str, ...]) -> None:
    with pytest.raises(ServiceRefused):
        check_query(query)
    assert check_query(query, service_allow_list=endpoints).service_endpoints == endpoints


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "SERVICE <http://c/>" }',
        "# SERVICE <http://c/>\nSELECT * { ?s <http://d/SERVICE> ?o }",
        "PREFIX service: <http://e/> SELECT ?service { ?service service:p 1 }",
        "SELECT * { ?s ?p '''INSERT DATA { <a> <b> <c> }''' }",
    ],
)
def test_keywords_in_strings_iris_and_comments_are_not_keywords(query: str) -> None:
    checked = check_query(query)
    assert checked.form == "solutions"
    assert checked.service_endpoints == ()


def test_a_variable_service_endpoint_is_refused() -> None:
    with pytest.raises(ServiceRefused, match="variable"):
        check_query("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", service_allow_list=("x",))


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "LOAD <http://example.org/x.ttl>",
        "load silent <http://example.org/x.ttl> into graph <http://g>",
        "# SELECT\nCLEAR ALL",
        "PREFIX ex: <http://ex/> DELETE WHERE { ?s ex:p ?o }",
        "INSERT DATA { <http://a> <http://b> 1 } ; DROP ALL",
        "\\u0049NSERT DATA { <http://a> <http://b> <http://c> }",
    ],
)
def test_updates_are_refused_whatever_the_spelling(update: str) -> None:
    with pytest.raises(UpdateRefused):
        check_query(update)


@pytest.mark.parametrize(
    ("query", "form", "dataset"),
    [
        ("ASK { ?s ?p ?o }", "boolean", False),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "graph", False),
        ("DESCRIBE <http://a>", "graph", False),
        ("SELECT * FROM <http://g> { ?s ?p ?o }", "solutions", True),
    ],
)
def test_form_and_dataset_clause(query: str, form: str, dataset: bool) -> None:
    checked = check_query(query)
    assert (checked.form, checked.has_dataset_clause) == (form, dataset)


def test_syntax_errors_are_refused_with_the_parser_message() -> None:
    with pytest.raises(QuerySyntaxError, match="syntax error"):
        check_query("SELECT * WHERE {")
    with pytest.raises(QuerySyntaxError, match="Prefix 'nope' is not declared") as raised:
        check_query("SELECT * WHERE { ?s nope:p ?o }")
    assert raised.value.details == {"line": 1, "column": 21, "prefix": "nope"}


def test_deep_nesting_is_refused_before_any_parser_recurses() -> None:
    deep = "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    assert nesting_depth(deep) == 5002
    with pytest.raises(QueryTooDeep, match="5002 deep"):
        check_query(deep)
    shallow = "SELECT * { FILTER(" + "(" * 40 + "1" + ")" * 40 + ") }"
    assert check_query(shallow).form == "solutions"


def test_the_check_is_not_quadratic_on_unterminated_strings() -> None:
    """The old regex pre-scan took 127 s on this 80 KB body; a parser answers at once.
    (A bound of seconds, not a benchmark: it only fails on super-linear behaviour.)"""
    hostile = 'SELECT * { ?s ?p """' + '\\"' * 40_000 + " }"
    started = time.monotonic()
    with pytest.raises(QuerySyntaxError):
        check_query(hostile)
    assert time.monotonic() - started < 10


# --- property-based: hide the keyword, or spell it so a parser still sees it --------------

KEYWORDS = ("SERVICE", "INSERT", "DELETE", "LOAD", "CLEAR", "DROP")
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


def _escape(word: str, mask: list[bool]) -> str:
    """Spell some letters of ``word`` as \\uXXXX codepoint escapes (SPARQL 1.1 §19.2)."""
    return "".join(
        f"\\u{ord(c):04X}" if escape else c for c, escape in zip(word, mask, strict=False)
    )


@st.composite
def hidden_keywords(draw: st.DrawFn) -> str:
    """A keyword inside a comment, a string or an IRI: the query stays a harmless SELECT."""
    word = draw(st.sampled_from(KEYWORDS))
    word = "".join(c.lower() if draw(st.booleans()) else c for c in word)
    filler = draw(_text.filter(lambda t: not any(c in t for c in "\n\r\\\"'")))
    where = draw(st.sampled_from(["comment", "string", "long-string", "iri"]))
    body = f"{filler} {word} <http://127.0.0.1:9/sparql> {{ ?x ?y ?z }}"
    if where == "comment":
        return f"SELECT * {{ ?s ?p ?o # {body}\n}}"
    if where == "string":
        return f'SELECT * {{ ?s ?p "{body}" }}'
    if where == "long-string":
        return f"SELECT * {{ ?s ?p '''{body}\n''' }}"
    iri = "".join(c for c in body if c.isalnum())
    return f"SELECT * {{ ?s <http://e/{iri}> ?o }}"


@given(hidden_keywords())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_hidden_keywords_are_never_refused(query: str) -> None:
    checked = check_query(query)
    assert checked.service_endpoints == ()


@st.composite
def live_service(draw: st.DrawFn) -> str:
    """A real SERVICE call, its keyword cased and escaped at random, after comments and
    strings that look like they might swallow it."""
    mask = draw(st.lists(st.booleans(), min_size=7, max_size=7))
    word = "".join(
        c.lower() if lower else c
        for c, lower in zip(
            "SERVICE", draw(st.lists(st.booleans(), min_size=7, max_size=7)), strict=True
        )
    )
    decoy = draw(
        st.sampled_from(
            [
                '# """ <\n',
                'FILTER(?a != "\\"\\"\\"")',
                'FILTER(?a<?b) #>"""\n',
                "FILTER(?a != '#')",
                "FILTER(?a != <http://x#>)",
                'FILTER(?a != """#""")',
                "# SERVICE <http://harmless/>\n",
            ]
        )
    )
    separator = draw(st.sampled_from([" ", "\n", "\t", " . ", "\n# comment\n"]))
    service = f"{_escape(word, mask)} <http://127.0.0.1:9/sparql> {{ ?x ?y ?z }}"
    return f"SELECT * {{ ?a ?b ?c {decoy}{separator}{service} }}"


@given(live_service())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_live_service_is_always_refused(query: str) -> None:
    """Refused as SERVICE, or (rdflib's grammar rejects ``FILTER(?a != '#') SERVICE …``)
    as unparseable: either way it never runs."""
    with pytest.raises((ServiceRefused, QuerySyntaxError)):
        check_query(query)


@given(st.sampled_from(KEYWORDS[1:]), st.lists(st.booleans(), min_size=6, max_size=6))
@settings(max_examples=60, deadline=None)
def test_escaped_updates_are_always_refused(word: str, mask: list[bool]) -> None:
    target = "<http://g>"
    statements = {
        "INSERT": "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE": "DELETE WHERE { ?s ?p ?o }",
        "LOAD": f"LOAD <http://example.org/x.ttl> INTO GRAPH {target}",
        "CLEAR": f"CLEAR GRAPH {target}",
        "DROP": f"DROP GRAPH {target}",
    }
    statement = statements[word]
    escaped = _escape(word, mask) + statement[len(word) :]
    with pytest.raises(UpdateRefused):
        check_query(escaped)
