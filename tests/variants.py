"""Report variants generated from the Mali 2023 text, for tests of every pipeline stage.

Each function takes a report text and returns a new text of the same template, so no
test depends on one file: another country and society with other numbers, a partner
added and one removed, two DREF operations, a missing section, reordered indicator
rows, an unknown indicator label. Every edit checks that what it replaces is there,
so a change to the source report fails loudly instead of silently making no variant.

Usage: ``from tests.variants import MALI_PATH, mali_text, niger``; ``niger(mali_text())``.
"""

from __future__ import annotations

import re
from pathlib import Path

MALI_PATH = (
    Path(__file__).resolve().parents[1] / "data/reports/ifrc-network-annual-report-mali-2023.txt"
)


def mali_text() -> str:
    return MALI_PATH.read_text(encoding="utf-8")


def _replace(text: str, old: str, new: str, count: int | None = None) -> str:
    """Replace ``old`` (which must occur, ``count`` times when given) with ``new``."""
    found = text.count(old)
    if not found or (count is not None and found != count):
        raise AssertionError(f"variant: expected {count or 'some'} of {old!r}, found {found}")
    return text.replace(old, new)


def _replace_line(text: str, old_line: str, new_line: str) -> str:
    """Replace one whole line (exactly one must match)."""
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if line == old_line]
    if len(hits) != 1:
        raise AssertionError(f"variant: expected one line {old_line!r}, found {len(hits)}")
    lines[hits[0]] = new_line
    return "\n".join(lines)


def line_number(text: str, line: str, occurrence: int = 1) -> int:
    """The 1-based number of the ``occurrence``-th line equal to ``line``."""
    seen = 0
    for number, candidate in enumerate(text.split("\n"), start=1):
        if candidate == line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"no line {line!r} (occurrence {occurrence})")


# --- another country ------------------------------------------------------------------

NIGER_NUMBERS = {
    # key figures
    "11": "37",
    "154": "96",
    "8,998": "12,450",
    "272": "318",
    # people reached
    "1,856": "9,120",
    "7,842": "3,015",
    "240,612": "198,700",
}
NIGER_FINANCE = {
    "Country\tFunding Requirement\t15.6M": "Country\tFunding Requirement\t21.3M",
    "\tExpenditure\t780,000": "\tExpenditure\t615,500",
    "Funding\t17M": "Funding\t12.4M",
}


def niger(text: str) -> str:
    """The report as if written for Niger: country, society, places, codes and numbers."""
    text = _replace(
        text, "IN SUPPORT OF THE MALI RED CROSS", "IN SUPPORT OF THE RED CROSS SOCIETY OF NIGER"
    )
    text = _replace_line(text, "MALI", "NIGER")
    text = _replace(text, "Malian Red Cross Society", "Red Cross Society of Niger")
    text = _replace(text, "Mali Red Cross Society", "Red Cross Society of Niger")
    text = _replace(text, "Mali Red Cross", "Red Cross Society of Niger")
    text = _replace(text, "MAAML002", "MAANE001")
    text = _replace(text, "MDRML018", "MDRNE027")
    text = _replace(text, "Mali Dengue Outbreak", "Niger Floods 2023")
    for old, new in (
        ("Kayes", "Tillabéri"),
        ("Koulikoro", "Dosso"),
        ("Ségou", "Maradi"),
        ("Segou", "Maradi"),
        ("Mopti", "Tahoua"),
        ("Timbuktu", "Agadez"),
        ("Gao", "Diffa"),
        ("Bamako", "Niamey"),
        ("Sikasso", "Zinder"),
    ):
        text = re.sub(rf"\b{old}\b", new, text)
    text = re.sub(r"\bMali\b", "Niger", text)
    for old, new in NIGER_NUMBERS.items():
        text = _replace_line(text, old, new)
    for old, new in NIGER_FINANCE.items():
        text = _replace_line(text, old, new)
    text = _replace(
        text,
        "People trained by National Societies in first aid\t105",
        "People trained by National Societies in first aid\t310",
    )
    text = _replace(
        text, "has trained 104 people in first aid", "has trained 312 people in first aid"
    )
    text = _replace(text, "2023 IFRC network annual report", "2024 IFRC network annual report")
    return text


# --- partners ---------------------------------------------------------------------------

SWISS_ROW = "Swiss Red Cross\t1.5M\t\t●\t\t●\t\t\t✓\t"


def partner_added_and_removed(text: str) -> str:
    """Qatar Red Crescent Society leaves the matrix; the Swiss Red Cross joins it
    (bilateral disasters and migration, funding 1.5M, and multilateral through IFRC)."""
    lines = text.split("\n")
    qatar = [i for i, line in enumerate(lines) if line.startswith("Qatar Red Crescent Society\t")]
    if len(qatar) != 1:
        raise AssertionError("variant: no Qatar row in the partner matrix")
    del lines[qatar[0]]
    spanish = next(i for i, line in enumerate(lines) if line.startswith("Spanish Red Cross\t"))
    lines.insert(spanish + 1, SWISS_ROW)
    text = "\n".join(lines)
    return _replace(
        text, "Total Funding Reported **CHF 35.4M**", "Total Funding Reported **CHF 36.9M**"
    )


# --- operations -------------------------------------------------------------------------

SECOND_DREF = """Mali Floods

NAME OF OPERATION\tMali Floods
MDR-CODE\tMDRML019
DURATION\t4 months (1 September 2023 to 31 December 2023)
FUNDING ALLOCATION\tCHF 310,500
PEOPLE TARGETED\t15,000
LATEST OPERATION UPDATE\tDREF Final Report

"""
SECOND_DREF += (
    "The IFRC-DREF allocation of CHF 310,500 supported the Mali Red Cross in assisting "
    "15,000 people affected by the floods in Kayes and Ségou.\n"
)


def two_drefs(text: str) -> str:
    """A second DREF operation table (Mali Floods, MDRML019) after the first."""
    anchor = "People affected by crises and disasters have their needs met"
    index = text.index(anchor)
    return text[:index] + SECOND_DREF + "\n" + text[index:]


# --- missing sections -------------------------------------------------------------------


def without_lines(text: str, first: str, stop: str) -> str:
    """Remove the lines from the one equal to ``first`` up to (not including) ``stop``."""
    lines = text.split("\n")
    start = lines.index(first)
    end = lines.index(stop, start + 1)
    return "\n".join(lines[:start] + lines[end:])


def without_financial_overview(text: str) -> str:
    """No FINANCIAL OVERVIEW (nor NS overview, funding sources, appeal number)."""
    return without_lines(text, "FINANCIAL OVERVIEW", "ONGOING EMERGENCY INDICATORS")


def without_partner_matrix(text: str) -> str:
    return without_lines(text, "IFRC NETWORK SUPPORTED ACTIVITIES", "OVERALL PROGRESS")


def without_migration_narrative(text: str) -> str:
    """The STRATEGIC PRIORITIES narrative without its Migration and displacement section."""
    lines = text.split("\n")
    start = [i for i, line in enumerate(lines) if line == "Migration and displacement"][-1]
    end = lines.index("Values, power and inclusion", start)
    return "\n".join(lines[:start] + lines[end:])


def without_contacts(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(lines[: lines.index("Contact information")])


def without_operations(text: str) -> str:
    """No operation tables at all (their "Key: value" rows removed)."""
    keys = (
        "NAME OF OPERATION\t",
        "MDR-CODE\t",
        "DURATION\t",
        "PEOPLE AFFECTED\t",
        "PEOPLE TARGETED\t",
        "FUNDING REQUIREMENTS\t",
        "FUNDING ALLOCATION\t",
        "LATEST OPERATION UPDATE\t",
        "Link to ",
    )
    return "\n".join(line for line in text.split("\n") if not line.startswith(keys))


# --- indicator rows ---------------------------------------------------------------------


def reordered_indicators(text: str) -> str:
    """Each area's indicator rows in reverse order (the area label moves to the new first row)."""
    lines = text.split("\n")
    start = lines.index("STRATEGIC PRIORITIES") + 1
    end = lines.index("IFRC NETWORK SUPPORTED ACTIVITIES")
    out = lines[:start]
    group: list[str] = []

    def flush() -> None:
        if not group:
            return
        area, first_rest = group[0].split("\t", 1)
        rows = ["\t" + first_rest, *group[1:]]
        rows.reverse()
        rows[0] = area + rows[0]
        out.extend(rows)
        group.clear()

    for line in lines[start:end]:
        if "\t" in line and not line.startswith("\t"):
            flush()
            group.append(line)
        elif line.startswith("\t"):
            group.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out + lines[end:])


def relabelled_indicators(text: str) -> str:
    """One label with changed capitals and spacing (same concept), one label unknown."""
    text = _replace(
        text,
        "\tPeople reached with shelter support\t",
        "\tPeople  Reached with SHELTER support \t",
    )
    return _replace(
        text,
        "\tPeople donating blood\t103",
        "\tPeople reached with solar lamps\t640",
    )


def renamed_sectors(text: str) -> str:
    """Two sector headings of the operational strategy replaced: one the template knows
    from other IFRC appeals ("Shelter"), one it does not ("Cash transfers and markets")."""
    text = _replace_line(text, "Food security and livelihoods", "Shelter")
    return _replace_line(text, "Health and nutrition", "Cash transfers and markets")


def mid_year(text: str, year_after: bool = False) -> str:
    """The report as a mid-year report of Jan-Jun: "2023 IFRC network mid-year report,
    Jan-Jun", or with the year after the period ("IFRC network mid-year report, Jan-Jun
    2023")."""
    title = (
        "IFRC network mid-year report, Jan-Jun 2023"
        if year_after
        else "2023 IFRC network mid-year report, Jan-Jun"
    )
    return _replace_line(text, "2023 IFRC network annual report, Jan-Dec", title)


# --- structure ----------------------------------------------------------------------------

PARTNER_TOTAL = "Total Funding Reported **CHF 35.4M**"
PARTNER_HEADER_END = (
    "\t\tClimate and environment\tDisasters and crises\tHealth and wellbeing\t"
    "Migration and displacement\tThrough IFRC\t\t\t"
)
SECTOR_HEADINGS = (
    "Food security and livelihoods",
    "Health and nutrition",
    "Water, sanitation and hygiene (WASH)",
    "Protection, gender and inclusion (PGI)",
    "Community engagement and accountability (CEA)",
)


def with_partners(text: str, rows: list[tuple[str, str | None]]) -> str:
    """The partner matrix with these rows (name, funding as printed or None), each with a
    bilateral mark under Health and wellbeing; 0 rows leaves the headers and the total."""
    lines = text.split("\n")
    first = lines.index(PARTNER_HEADER_END) + 1
    stop = lines.index(PARTNER_TOTAL)
    new = [f"{name}\t{funding or ''}\t\t\t●\t\t\t\t\t" for name, funding in rows]
    return "\n".join([*lines[:first], *new, "", *lines[stop:]])


def with_operations(
    text: str, drefs: list[tuple[str, str, str]], appeals: list[tuple[str, str]]
) -> str:
    """The report's operation tables replaced: DREFs (code, CHF allocation, people targeted)
    after the Disasters and crises objective, appeals (code, CHF requirement) under ONGOING
    EMERGENCY RESPONSE, each table under its name and followed by one sentence."""
    text = without_operations(text)
    for name in ("Mali Dengue Outbreak",):
        text = "\n".join(line for line in text.split("\n") if line != name)
    dref_tables = "".join(
        f"Flood response {code}\n\nNAME OF OPERATION\tFlood response {code}\n"
        f"MDR-CODE\t{code}\nDURATION\t4 months (1 September 2023 to 31 December 2023)\n"
        f"FUNDING ALLOCATION\tCHF {allocation}\nPEOPLE TARGETED\t{targeted}\n\n"
        f"The allocation for {code} reached many families.\n\n"
        for code, allocation, targeted in drefs
    )
    appeal_tables = "".join(
        f"NAME OF OPERATION\tRegional appeal {code}\nMDR-CODE\t{code}\n"
        f"DURATION\t12 months (1 January 2023 to 31 December 2023)\n"
        f"FUNDING REQUIREMENTS\tTotal funding requirements • Through the IFRC Appeal: "
        f"CHF {requirement}\n\nThe appeal {code} supports the country.\n\n"
        for code, requirement in appeals
    )
    anchor = "People affected by crises and disasters have their needs met"
    index = text.index(anchor)
    text = text[:index] + dref_tables + text[index:]
    heading = "ONGOING EMERGENCY RESPONSE\n"
    index = text.index(heading) + len(heading)
    return text[:index] + "\n" + appeal_tables + text[index:]


def with_sectors(text: str, headings: list[str]) -> str:
    """The operational strategy's five sector headings replaced by these (the first five
    keep the five paragraphs; more headings each get a paragraph of their own; fewer drop
    the remaining sectors with their paragraphs)."""
    lines = text.split("\n")
    places = [lines.index(heading) for heading in SECTOR_HEADINGS]
    end = places[-1] + 3  # the last sector's heading, blank line and paragraph
    blocks = [lines[at + 2] for at in places]
    new: list[str] = []
    for number, heading in enumerate(headings):
        paragraph = blocks[number] if number < len(blocks) else f"Work on {heading.lower()}."
        new += [heading, "", paragraph, ""]
    return "\n".join([*lines[: places[0]], *new, *lines[end:]])


def with_indicator(text: str, label: str, value: str) -> str:
    """An indicator row of the Health and wellbeing area that the template may not know."""
    row = "\tPeople donating blood\t103"
    return _replace(text, row + "\n", f"{row}\n\t{label}\t{value}\n", 1)


def with_places(text: str, sentence: str) -> str:
    """A sentence (naming places, say) added to the Context section."""
    return _replace(text, "\nKey achievements\n", f"\n{sentence}\n\nKey achievements\n", 1)


def reordered_parts(text: str) -> str:
    """PEOPLE REACHED printed after the financial overview (before STRATEGIC PRIORITIES),
    and the Values, power and inclusion narrative before Migration and displacement."""
    lines = text.split("\n")
    start, stop = lines.index("PEOPLE REACHED"), lines.index("FINANCIAL OVERVIEW")
    block, lines = lines[start:stop], lines[:start] + lines[stop:]
    at = lines.index("ONGOING EMERGENCY INDICATORS")
    lines = lines[:at] + block + lines[at:]
    migration = [i for i, line in enumerate(lines) if line == "Migration and displacement"][-1]
    values = lines.index("Values, power and inclusion", migration)
    end = lines.index("ENABLING LOCAL ACTORS", values)
    lines = lines[:migration] + lines[values:end] + lines[migration:values] + lines[end:]
    return "\n".join(lines)


# --- one cell of each kind of table -------------------------------------------------------

#: One figure of every kind of table cell of the template, as the Mali report prints it:
#: (text before the print on its line, the print, text after it). Each occurs once.
TABLE_CELLS = {
    "key-figure": ("\n", "8,998", "\n\nNational Society volunteers"),
    "people-reached": ("\n", "240,612", "\n"),
    "financial-overview": ("\tExpenditure\t", "780,000", "\n"),
    "national-society-overview": ("\nFunding\t", "17M", "\n"),
    "funding-sources": ("\nIFRC Secretariat\t", "1.2M", "\n"),
    "indicator": ("\tPeople reached with livelihoods support\t", "3,000", "\n"),
    "partner-funding": ("Spanish Red Cross\t", "7.7M", "\t"),
    "partner-total": ("Total Funding Reported **", "CHF 35.4M", "**"),
    "dref-allocation": ("FUNDING ALLOCATION\t", "CHF 204,222", "\n"),
    "dref-people-targeted": ("PEOPLE TARGETED\t", "322,013", "\n"),
    "appeal-requirement": (
        'Mali for 2024 <ul style="list-style-type: none"> • Through the IFRC Appeal: ',
        "CHF 5M",
        " •",
    ),
    "appeal-people-affected": ("People affected/at risk: ", "157 million", " people"),
}

_PRINT = re.compile(r"(?P<chf>CHF\s*)?(?P<digits>[\d,]+(?:\.\d+)?)\s*(?P<million>M|million)?")


def printed_value(printed: str) -> int:
    """The whole value of one of the prints of ``TABLE_CELLS`` ("7.7M" is 7,700,000)."""
    match = _PRINT.fullmatch(printed)
    assert match is not None, printed
    value = float(match["digits"].replace(",", "")) * (1_000_000 if match["million"] else 1)
    return round(value)


def misgrouped(printed: str) -> str:
    """The print with one digit too many in its last group: "8,998" → "8,9980", "CHF 5M" →
    "CHF 5,000,0000". It reads as the value or as ten times the value."""
    match = _PRINT.fullmatch(printed)
    assert match is not None, printed
    return f"{match['chf'] or ''}{printed_value(printed):,}0"


def with_cell(text: str, kind: str, new: str) -> tuple[str, int]:
    """The report with the print of one ``TABLE_CELLS`` cell replaced by ``new``, and the
    number of the line that holds it."""
    before, printed, after = TABLE_CELLS[kind]
    old = before + printed + after
    if text.count(old) != 1:
        raise AssertionError(f"variant: expected one {old!r}, found {text.count(old)}")
    at = text.index(old) + len(before)
    return text.replace(old, before + new + after), text.count("\n", 0, at) + 1
