"""Shared fixtures: the Mali 2023 report text and its model, parsed once per session."""

from __future__ import annotations

import pytest
from tests.variants import MALI_PATH, mali_text

from ifrc_kg.model import Report
from ifrc_kg.report import parse_report


@pytest.fixture(scope="session")
def mali_source() -> str:
    return mali_text()


@pytest.fixture(scope="session")
def mali() -> Report:
    return parse_report(MALI_PATH)
