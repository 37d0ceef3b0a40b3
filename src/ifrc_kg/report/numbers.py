"""Reading printed figures ("15.6M", "780,000", "94%", "Yes", "CHF 232.5 M") exactly.

A figure keeps how it was printed: a magnitude suffix rounds ("15.6M" is 15,600,000
to the nearest 100,000), a print with every digit is exact. Money stays ``Decimal``.

The template groups digits in threes with commas and marks decimals with a point. A
print in another form is not guessed at: a decimal comma ("15,7M", "4,8") is
``BadNumberForm``; a grouping that is not in threes ("25,6140": 25,614 or 256,140?)
is ``AmbiguousNumber`` carrying the candidate readings. A table cell turns a bad form into
a ``ReportFormatError`` and keeps an ambiguous print with no value and a finding
(``ParseContext.figure``); a narrative claim keeps either with no value and a finding.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ifrc_kg.model import Figure, SourceSpan, Unit

_MAGNITUDES = {
    "k": 3,
    "thousand": 3,
    "m": 6,
    "mn": 6,
    "million": 6,
    "millions": 6,
    "bn": 9,
    "b": 9,
    "billion": 9,
}

# One printed number: optional currency, digits with optional grouping and decimals,
# optional magnitude word or letter, optional percent sign or "per cent".
NUMBER_PATTERN = (
    r"(?:CHF\s*)?"
    r"\d+(?:,\d+)*(?:\.\d+)?"
    r"(?:\s*(?:thousand|millions?|billion|bn|mn|[kKmMbB])(?![\w]))?"
    r"(?:\s*(?:%|per\s+cent|percent)(?![\w]))?"
)
_FULL = re.compile(
    r"(?P<chf>CHF\s*)?(?P<digits>\d+(?:,\d+)*)(?:\.(?P<decimals>\d+))?"
    r"(?:\s*(?P<magnitude>thousand|millions?|billion|bn|mn|[kKmMbB]))?"
    r"(?:\s*(?P<percent>%|per\s+cent|percent))?"
)

YES_NO = {"yes": True, "no": False}


class BadNumberForm(ValueError):
    """A print that is a number, but not in the template's form (a decimal comma)."""


class AmbiguousNumber(ValueError):
    """A print whose digit grouping allows more than one reading; ``readings`` lists them."""

    def __init__(
        self, printed: str, readings: tuple[Decimal, ...], unit: Unit | None = None
    ) -> None:
        self.printed = printed
        self.readings = readings
        self.unit = unit
        """The unit the print itself names ("CHF 25,6140"), if any."""
        super().__init__(f"{printed!r} is not grouped in threes: {shown_readings(readings)}?")


def shown_readings(readings: tuple[Decimal, ...]) -> str:
    """The candidate readings of a print, grouped in threes as the template prints them.

    >>> shown_readings((Decimal(25614), Decimal(256140)))
    '25,614 or 256,140'
    """
    return " or ".join(f"{reading:,}" for reading in readings)


def explain(error: ValueError) -> str:
    """What to add to a table's error message: why the print is not a number of the template.

    >>> explain(ValueError("not a printed number: 'x'"))
    ''
    >>> explain(BadNumberForm("'4,8' has a decimal comma"))
    ": '4,8' has a decimal comma"
    """
    return f": {error}" if isinstance(error, BadNumberForm | AmbiguousNumber) else ""


def _check_grouping(printed: str, digits: str, magnitude: bool, unit: Unit | None = None) -> None:
    """Digits grouped in threes, else ``BadNumberForm`` or ``AmbiguousNumber``.

    >>> _check_grouping("780,000", "780,000", False)
    >>> _check_grouping("15,7M", "15,7", True)
    Traceback (most recent call last):
    ...
    ifrc_kg.report.numbers.BadNumberForm: '15,7M' has a decimal comma: the template prints '15.7M'
    >>> _check_grouping("25,6140", "25,6140", False)
    Traceback (most recent call last):
    ...
    ifrc_kg.report.numbers.AmbiguousNumber: '25,6140' is not grouped in threes: 25,614 or 256,140?
    """
    groups = digits.split(",")
    if len(groups) == 1:
        return
    rest = groups[1:]
    if len(rest) == 1 and len(rest[0]) < 3:
        fixed = printed.replace(digits, digits.replace(",", "."), 1)
        raise BadNumberForm(f"{printed!r} has a decimal comma: the template prints {fixed!r}")
    if len(groups[0]) <= 3 and all(len(group) == 3 for group in rest):
        return
    if magnitude:
        raise BadNumberForm(f"{printed!r}: digits before a magnitude are not grouped in threes")
    readings = {Decimal("".join(group[:3] if i else group for i, group in enumerate(groups)))}
    readings.add(Decimal("".join(groups)))
    raise AmbiguousNumber(printed, tuple(sorted(readings)), unit)


def _integral(value: Decimal) -> Decimal:
    """A Decimal without exponent or trailing zeros when it is a whole number.

    >>> _integral(Decimal("1.3").scaleb(6))
    Decimal('1300000')
    """
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def read_number(printed: str) -> tuple[Decimal, Decimal | None, Unit | None]:
    """Value, rounding step and unit implied by the print (CHF, percent or none).

    ``ValueError`` when the text is not one printed number.

    >>> read_number("15.6M")
    (Decimal('15600000'), Decimal('100000'), None)
    >>> read_number("5M")
    (Decimal('5000000'), Decimal('1000000'), None)
    >>> read_number("780,000")
    (Decimal('780000'), None, None)
    >>> read_number("CHF 232.5 M")
    (Decimal('232500000'), Decimal('100000'), <Unit.CHF: 'CHF'>)
    >>> read_number("157 million")
    (Decimal('157000000'), Decimal('1000000'), None)
    >>> read_number("94%")
    (Decimal('94'), None, <Unit.PERCENT: 'percent'>)
    >>> read_number("1.2.3")
    Traceback (most recent call last):
    ...
    ValueError: not a printed number: '1.2.3'
    """
    match = _FULL.fullmatch(printed.strip())
    if not match:
        raise ValueError(f"not a printed number: {printed!r}")
    unit = Unit.CHF if match["chf"] else Unit.PERCENT if match["percent"] else None
    _check_grouping(printed.strip(), match["digits"], bool(match["magnitude"]), unit)
    digits = match["digits"].replace(",", "")
    decimals = match["decimals"] or ""
    value = Decimal(f"{digits}.{decimals}" if decimals else digits)
    rounded_to: Decimal | None = None
    magnitude = match["magnitude"]
    if magnitude:
        exponent = _MAGNITUDES[magnitude.lower()]
        value = value.scaleb(exponent)
        rounded_to = Decimal(1).scaleb(exponent - len(decimals))
        rounded_to = _integral(rounded_to)
    return _integral(value), rounded_to, unit


def read_value(printed: str) -> tuple[Decimal | bool, Decimal | None, Unit | None]:
    """Like ``read_number`` but also reads the yes/no answers of the indicator tables.

    >>> read_value("Yes")
    (True, None, <Unit.BOOLEAN: 'boolean'>)
    >>> read_value("no")
    (False, None, <Unit.BOOLEAN: 'boolean'>)
    """
    answer = YES_NO.get(printed.strip().casefold())
    if answer is not None:
        return answer, None, Unit.BOOLEAN
    return read_number(printed)


def make_figure(printed: str, source: SourceSpan, unit: Unit) -> Figure:
    """A ``Figure`` of a printed value; the print's own unit (CHF, %, yes/no) wins.

    ``ValueError`` when the print cannot be read.
    """
    value, rounded_to, printed_unit = read_value(printed)
    return Figure(
        value=value,
        unit=printed_unit or unit,
        printed=printed.strip(),
        rounded_to=rounded_to,
        source=source,
    )


def ambiguous_figure(ambiguous: AmbiguousNumber, source: SourceSpan, unit: Unit) -> Figure:
    """The ``Figure`` of an ambiguous print: as printed, with its readings and no value."""
    return Figure(
        value=None,
        unit=ambiguous.unit or unit,
        printed=ambiguous.printed,
        rounded_to=None,
        source=source,
        readings=ambiguous.readings,
    )


_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}


def number_word(word: str) -> Decimal | None:
    """The value of a spelled-out count ("two" … "twenty"), else ``None``.

    "one" is left out on purpose: in the reports it is nearly always a determiner
    ("one of the priority initiatives", "one National Society Development plan").

    >>> number_word("Five")
    Decimal('5')
    >>> number_word("one") is None
    True
    """
    value = _WORDS.get(word.casefold())
    return Decimal(value) if value is not None else None


NUMBER_WORDS = tuple(_WORDS)
