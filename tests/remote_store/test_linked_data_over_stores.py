"""The linked-data tests of ``tests/server/`` against ``serve --sparql`` over each engine."""

from __future__ import annotations

from tests.server.test_linked_data import *  # noqa: F403 - every test, collected here again
