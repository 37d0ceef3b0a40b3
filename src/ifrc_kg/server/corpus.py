"""What the landing page says about the corpus: its reports by country and year, and counts.

Read from the build's ``manifest.json`` (no query): each report's country, year, title and
reporting period, from which the kind of report (annual, mid-year) is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


def report_kind(start: str | None, end: str | None) -> str:
    """The kind of report, from its reporting period.

    >>> report_kind("2023-01-01", "2023-12-31")
    'annual report'
    >>> report_kind("2024-01-01", "2024-06-30")
    'mid-year report'
    >>> report_kind("2023-04-01", "2023-12-31")
    '9-month report'
    >>> report_kind(None, None)
    'report'
    """
    try:
        first, last = date.fromisoformat(start or ""), date.fromisoformat(end or "")
    except ValueError:
        return "report"
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months == 12:
        return "annual report"
    if months == 6 and first.month == 1:
        return "mid-year report"
    return f"{months}-month report"


@dataclass(frozen=True)
class ListedReport:
    iri: str
    country: str
    iso3: str
    year: int
    kind: str
    title: str

    @property
    def link_text(self) -> str:
        """``Mali 2023 annual report``: country and kind, never eleven identical titles."""
        return f"{self.country} {self.year} {self.kind}"


def listed_reports(manifest: dict[str, Any]) -> list[ListedReport]:
    """The reports of a build, by country then newest year first."""
    found = [
        ListedReport(
            iri=entry.get("iri", ""),
            country=entry.get("country") or entry.get("iso3", ""),
            iso3=entry.get("iso3", ""),
            year=int(entry.get("year") or 0),
            kind=report_kind(entry.get("period_start"), entry.get("period_end")),
            title=entry.get("title", ""),
        )
        for entry in manifest.get("reports", [])
    ]
    return sorted(found, key=lambda r: (r.country, -r.year, r.kind))


def summary(reports: list[ListedReport]) -> dict[str, Any]:
    """Countries, years (first and last) and reports of the corpus."""
    years = sorted({r.year for r in reports if r.year})
    return {
        "countries": len({r.iso3 for r in reports}),
        "reports": len(reports),
        "years": f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else ""),
        "year_count": len(years),
    }
