"""Dates as the reports print them: "3 September 2024", "13 December 2023", "Jan-Dec"."""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTHS = {name.casefold(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.casefold(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

MONTH_PATTERN = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
DATE = re.compile(
    rf"\b(?:(?P<day>\d{{1,2}})\s+(?P<month>{MONTH_PATTERN})\.?,?\s+(?P<year>(?:19|20)\d\d)"
    rf"|(?P<month2>{MONTH_PATTERN})\.?\s+(?P<day2>\d{{1,2}}),?\s+(?P<year2>(?:19|20)\d\d))\b",
    re.IGNORECASE,
)


def month_number(name: str) -> int | None:
    """The month number of a full or abbreviated English month name.

    >>> month_number("Dec"), month_number("september"), month_number("Mali")
    (12, 9, None)
    """
    return _MONTHS.get(name.casefold().rstrip("."))


def find_dates(text: str) -> list[tuple[date, int, int]]:
    """Every full date in a text with its offsets; impossible dates are skipped.

    >>> find_dates("from 13 December 2023 to 31 March 2024")
    [(datetime.date(2023, 12, 13), 5, 21), (datetime.date(2024, 3, 31), 25, 38)]
    >>> find_dates("31 February 2024")
    []
    """
    found = []
    for match in DATE.finditer(text):
        day = match["day"] or match["day2"]
        month = month_number(match["month"] or match["month2"])
        year = match["year"] or match["year2"]
        try:
            found.append((date(int(year), month or 0, int(day)), match.start(), match.end()))
        except ValueError:
            continue
    return found


def month_range(year: int, first: str | None, last: str | None) -> tuple[date, date] | None:
    """The period a title's "Jan-Dec" covers in a year (the whole year when absent).

    >>> month_range(2023, "Jan", "Dec")
    (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))
    >>> month_range(2023, "Jan", "Jun")[1]
    datetime.date(2023, 6, 30)
    >>> month_range(2023, "Foo", "Dec") is None
    True
    """
    start_month = month_number(first) if first else 1
    end_month = month_number(last) if last else 12
    if not start_month or not end_month or end_month < start_month:
        return None
    last_day = calendar.monthrange(year, end_month)[1]
    return date(year, start_month, 1), date(year, end_month, last_day)
