"""Both operation tables of the Mali 2023 report: the emergency appeal and the DREF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ifrc_kg.model import OperationKind, Unit

D = Decimal


def test_two_operations_in_reading_order(mali):
    assert [(o.kind, o.code.text) for o in mali.operations] == [
        (OperationKind.EMERGENCY_APPEAL, "MGR60001"),
        (OperationKind.DREF, "MDRML018"),
    ]


def test_emergency_appeal(mali):
    appeal = mali.operations[0]
    assert appeal.name.text == "Revised Africa Hunger Crisis Emergency Appeal 2023-2024"
    assert (appeal.source.line_start, appeal.source.line_end) == (216, 224)
    assert appeal.code.source.line_start == 217
    assert appeal.duration.text.startswith("Operation start date for Mali: 15 May 2021")
    assert (appeal.start, appeal.end, appeal.duration_months) == (
        date(2021, 5, 15),
        date(2024, 12, 31),
        None,
    )
    assert [(e.day, e.description) for e in appeal.events] == [
        (date(2021, 5, 15), "Operation start date for Mali"),
        (date(2021, 7, 19), "operation scaled up to an Emergency Appeal"),
        (date(2024, 12, 31), "extended"),
    ]
    assert [(f.value, f.printed, f.rounded_to) for f in appeal.people_affected] == [
        (D(157000000), "157 million", D(1000000)),
        (D(143000000), "143m", D(1000000)),
    ]
    assert appeal.people_affected_text.text.startswith("People affected/at risk: 157 million")
    assert appeal.people_targeted is None


def test_emergency_appeal_funding_scopes_and_channels(mali):
    funding = [
        (f.scope, f.channel, f.figure.value, f.figure.printed, f.figure.rounded_to)
        for f in mali.operations[0].funding
    ]
    assert funding == [
        (
            "Total funding requirements",
            "Through the IFRC Appeal",
            D(232500000),
            "CHF 232.5 M",
            D(100000),
        ),
        ("Total funding requirements", "Federation-wide", D(318000000), "CHF 318 M", D(1000000)),
        (
            "Funding requirement for Mali for 2024",
            "Through the IFRC Appeal",
            D(5000000),
            "CHF 5M",
            D(1000000),
        ),
        (
            "Funding requirement for Mali for 2024",
            "Federation-wide",
            D(8000000),
            "CHF 8 M",
            D(1000000),
        ),
    ]
    assert all(f.figure.unit is Unit.CHF for f in mali.operations[0].funding)


def test_emergency_appeal_documents(mali):
    documents = [(d.role, d.title, d.source.line_start) for d in mali.operations[0].documents]
    assert documents == [
        ("Emergency Appeal", "Africa Hunger Crisis Revised Emergency Appeal", 222),
        ("Operational Strategy", "Mali Country Plan of Action", 223),
        ("Operation Update", "Operations Update No.5", 224),
    ]


def test_dref(mali):
    dref = mali.operations[1]
    assert dref.name.text == "Mali Dengue Outbreak"
    assert dref.duration.text == "3 months (13 December 2023 to 31 March 2024)"
    assert (dref.start, dref.end, dref.duration_months) == (
        date(2023, 12, 13),
        date(2024, 3, 31),
        3,
    )
    assert [e.description for e in dref.events] == ["start", "end"]
    assert (dref.people_targeted.value, dref.people_targeted.unit) == (D(322013), Unit.PERSONS)
    assert dref.people_targeted.source.line_start == 300
    (allocation,) = dref.funding
    assert (allocation.scope, allocation.channel) == ("Funding allocation", "IFRC-DREF")
    assert (allocation.figure.value, allocation.figure.printed, allocation.figure.rounded_to) == (
        D(204222),
        "CHF 204,222",
        None,
    )
    assert [(d.role, d.title) for d in dref.documents] == [
        ("Latest operation update", "DREF Operations Update")
    ]
    assert dref.people_affected == ()
    assert (dref.source.line_start, dref.source.line_end) == (296, 301)
