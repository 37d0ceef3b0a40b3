"""Malformed reports name the file, the line and what was expected; non-reports say so."""

from __future__ import annotations

import pytest
from tests.variants import line_number

from ifrc_kg.errors import NotAReportError, ReportFormatError
from ifrc_kg.report import parse_report, parse_text


def _edit(text: str, old_line: str, new_line: str) -> tuple[str, int]:
    number = line_number(text, old_line)
    lines = text.split("\n")
    lines[number - 1] = new_line
    return "\n".join(lines), number


CASES = [
    # (id, line to replace, replacement, words expected in the message)
    ("indicator-value", "\tPeople donating blood\t103", "\tPeople donating blood\tmany", "Yes/No"),
    (
        "indicator-cells",
        "\tPeople donating blood\t103",
        "\tPeople donating blood 103",
        "indicator row",
    ),
    ("finance-amount", "\tFunding\t1.3M", "\tFunding\tabout a million", "CHF amount"),
    (
        "finance-orphan-row",
        "Country\tFunding Requirement\t15.6M",
        "\tFunding Requirement\t15.6M",
        "funder group",
    ),
    ("finance-cells", "\tExpenditure\t780,000", "\tExpenditure", "financial overview row"),
    (
        "partner-mark",
        "Belgian Red Cross\t2.1M\t●\t●\t●\t\t\t●\t\t",
        "Belgian Red Cross\t2.1M\tx\t●\t●\t\t\t●\t\t",
        "support mark",
    ),
    (
        "partner-funding",
        "Canadian Red Cross Society\t6M\t\t\t●\t\t\t\t\t",
        "Canadian Red Cross Society\tsix\t\t\t●\t\t\t\t\t",
        "CHF amount",
    ),
    (
        "partner-too-wide",
        "French Red Cross\t\t\t●\t●\t\t\t\t\t",
        "French Red Cross\t\t\t●\t●\t\t\t\t\t\t\t●",
        "support columns",
    ),
    (
        "partner-total",
        "Total Funding Reported **CHF 35.4M**",
        "Total Funding Reported **n/a**",
        "Total Funding",
    ),
    ("people-reached", "1,856", "lots", "people reached"),
    ("key-figure-label", "National Society branches", "42", "key-figure label"),
    ("dref-targeted", "PEOPLE TARGETED\t322,013", "PEOPLE TARGETED\tmany", "number of people"),
    (
        "dref-allocation",
        "FUNDING ALLOCATION\tCHF 204,222",
        "FUNDING ALLOCATION\tto be confirmed",
        "CHF amount",
    ),
    ("ongoing", "MGR60001 / *African Hunger Crisis*", "African Hunger Crisis", "operation code"),
    (
        "title-period",
        "2023 IFRC network annual report, Jan-Dec",
        "2023 IFRC network annual report, Jan-Foo",
        "period",
    ),
    ("country", "MALI", "ATLANTIS", "country"),
    ("contact-detail", "nmaiga@croix-rouge.ml", "nmaiga at croix-rouge", "phone"),
]


@pytest.mark.parametrize(("old", "new", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_row_names_its_line(mali_source, old, new, words):
    text, number = _edit(mali_source, old, new)
    with pytest.raises(ReportFormatError) as caught:
        parse_text(text, "broken.txt")
    error = caught.value
    assert not isinstance(error, NotAReportError)
    assert (error.file, error.line) == ("broken.txt", number)
    assert words in error.message
    assert str(error).startswith(f"broken.txt:{number}: ")


def test_operation_table_without_code(mali_source):
    text, _ = _edit(mali_source, "MDR-CODE\tMDRML018", "")
    with pytest.raises(ReportFormatError) as caught:
        parse_text(text, "broken.txt")
    assert caught.value.line == line_number(mali_source, "NAME OF OPERATION\tMali Dengue Outbreak")
    assert "MDR-CODE" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "Lorem ipsum dolor sit amet.\nConsectetur adipiscing elit.\n",
        "country,year,value\nMali,2023,15.6\nNiger,2023,21.3\n",
        "MALI\n\nIFRC annual report\n\n"
        + "some line\n" * 30
        + "2023 IFRC network annual report, Jan-Dec\n",
    ],
    ids=["empty", "blank-lines", "prose", "csv", "title-too-late"],
)
def test_not_a_report(text):
    with pytest.raises(NotAReportError) as caught:
        parse_text(text, "other.txt")
    assert "not an IFRC network report" in str(caught.value)
    assert caught.value.file == "other.txt"


def test_binary_and_unreadable_files(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(NotAReportError):
        parse_report(binary)
    with pytest.raises(ReportFormatError) as caught:
        parse_report(tmp_path / "missing.txt")
    assert "cannot read" in str(caught.value)


def test_unknown_labels_are_kept_with_a_warning(mali_source, caplog):
    text = mali_source.replace(
        "\tPeople donating blood\t103", "\tPeople reached with solar lamps\t640"
    ).replace("Climate and environment\tPeople reached", "Climate and Environment \tPeople reached")
    with caplog.at_level("WARNING", logger="ifrc_kg.report"):
        report = parse_text(text, "variant.txt")
    unknown = [i for i in report.indicators if i.concept is None]
    assert [(i.label, i.area, i.figure.value) for i in unknown] == [
        ("People reached with solar lamps", "health-and-wellbeing", 640)
    ]
    assert report.indicators[0].area == "climate-and-environment"  # capitals/space ignored
    (solar,) = [w for w in report.warnings if "solar lamps" in w]
    assert solar.startswith("variant.txt:131:")
    assert len(report.warnings) == 2  # and the Mali report's own misprinted "25,6140"
    assert "solar lamps" in caplog.text


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "Spanish Red Cross\t7.7M",
            "Spanish Red Cross\t15,7M",
            "a CHF amount as the funding reported by Spanish Red Cross: '15,7M' has a decimal "
            "comma: the template prints '15.7M'",
        ),
        (
            "\tPeople donating blood\t103",
            "\tPeople donating blood\t1,2M3",
            "a count, a percentage or Yes/No as the value of 'People donating blood'",
        ),
        (
            "FUNDING ALLOCATION\tCHF 204,222",
            "FUNDING ALLOCATION\tCHF two hundred",
            "a CHF amount after FUNDING ALLOCATION, not 'CHF two hundred'",
        ),
        (
            "Country\tFunding Requirement\t15.6M",
            "Country\tFunding Requirement\t1.2.3",
            "a CHF amount like '15.6M' or '780,000' in the last column",
        ),
    ],
)
def test_number_in_a_form_the_template_does_not_use(mali_source, old, new, expected):
    text = mali_source.replace(old, new, 1)
    assert text != mali_source
    with pytest.raises(ReportFormatError) as caught:
        parse_text(text, "forms.txt")
    line = next(n for n, t in enumerate(text.split("\n"), start=1) if new in t)
    assert str(caught.value) == f"forms.txt:{line}: {expected}"
