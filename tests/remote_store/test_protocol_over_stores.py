"""The SPARQL protocol tests of ``tests/server/`` against ``serve --sparql`` over each
engine (the ``site`` fixture of this folder). Left out: ``test_service_allow_list``, which
needs the W3C data server of ``tests/server/`` (the allow-list check is the same code), and
``test_service_in_a_comment_or_string_is_not_a_false_positive``, whose query escapes a
local name (``service:ns\\/mli``), which Virtuoso 7.2's grammar lacks: its twin without
the escape is in ``test_remote_store.py``, with the escape's 400 from Virtuoso.
``test_every_row_is_sent_with_no_row_cap`` runs over Oxigraph only: Virtuoso takes 1-2 s
(measured) to write the whole graph as JSON, past this site's 1 s limit, so it answers 503
``query-timeout`` as it should; ``test_remote_engine_streams_every_row_in_the_negotiated_format``
checks every row over both engines with a 10 s limit."""

from __future__ import annotations

import pytest
from tests.server.servers import RunningServer
from tests.server.test_sparql_protocol import (  # noqa: F401 - collected here again
    test_ask,
    test_body_over_the_limit_is_413,
    test_browser_gets_the_query_page,
    test_conditional_requests_never_hide_an_error,
    test_cors_is_open_for_get_and_post,
    test_default_graph_is_the_union_and_protocol_dataset_replaces_it,
    test_describe_returns_rdf,
    test_etag_and_last_modified_from_the_build,
    test_every_example_query_returns_rows,
    test_every_graph_format_parses_back_to_the_same_triples,
    test_every_solution_format_parses_back_to_the_same_rows,
    test_example_values,
    test_format_parameter_overrides_accept,
    test_get_form_and_direct_post_agree,
    test_html_results_never_link_a_script_iri,
    test_html_results_table,
    test_html_results_twin_keeps_the_dataset,
    test_malformed_query_is_400_with_the_parser_message,
    test_negotiated_pages_vary_on_accept,
    test_other_protocol_errors,
    test_queries_run_as_written_without_injected_prefixes,
    test_service_description_names_the_configured_endpoint,
    test_service_is_refused,
    test_slow_query_times_out_while_other_queries_are_answered,
    test_unacceptable_accept_is_406,
    test_updates_are_refused,
)
from tests.server.test_sparql_protocol import test_every_row_is_sent_with_no_row_cap as every_row


def test_every_row_is_sent_with_no_row_cap(
    site: RunningServer, request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.params["mali_store"] == "virtuoso":
        pytest.skip("past the 1 s limit on Virtuoso (see the module docstring)")
    every_row(site)
