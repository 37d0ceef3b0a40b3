"""The model as JSON (``ifrc-kg parse --json``) and as a short summary.

Decimals are written as JSON strings so no digit is lost ("15600000", "0.5"); dates as
ISO 8601; enums as their values; every dataclass as an object with its field names.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from ifrc_kg.model import Report


def to_plain(value: Any) -> Any:
    """A JSON-ready copy of a model value.

    >>> to_plain({"a": (Decimal("1.5"), date(2024, 9, 3), True)})
    {'a': ['1.5', '2024-09-03', True]}
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_plain(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    return value


def model_to_json(report: Report, indent: int | None = 2) -> str:
    """The whole model as JSON text."""
    return json.dumps(to_plain(report), ensure_ascii=False, indent=indent)


def model_summary(report: Report) -> str:
    """A few lines saying what was read, for a person at a terminal."""
    parts = [
        f"{report.source_file}: {report.title.text}",
        f"  country {report.country.name} ({report.country.iso3}), "
        f"National Society {report.national_society.text}, year {report.year}, "
        f"appeal {report.appeal_code.text if report.appeal_code else '-'}",
    ]
    counts = {
        "key figures": len(report.key_figures),
        "people reached": len(report.people_reached),
        "financial figures": len(report.financial_overview)
        + len(report.national_society_overview)
        + len(report.funding_sources),
        "indicators": len(report.indicators),
        "partners": len(report.partners),
        "operations": len(report.operations),
        "sections": _count_sections(report.narrative),
        "claims": len(report.claims),
        "mentions": len(report.mentions),
        "contacts": len(report.contacts),
        "warnings": len(report.warnings),
    }
    parts.append("  " + ", ".join(f"{count} {name}" for name, count in counts.items()))
    if report.coverage is not None:
        parts.append(
            f"  {report.kind} report, {report.period_start} to {report.period_end}; "
            f"{report.coverage.read} of {report.coverage.lines} lines read"
        )
    return "\n".join(parts)


def _count_sections(sections) -> int:
    return sum(1 + _count_sections(section.subsections) for section in sections)
