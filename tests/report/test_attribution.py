"""Whose figure a claim is: the society's, the network's, another organisation's, context."""

from __future__ import annotations

import pytest
from tests import variants

from ifrc_kg.report import parse_text


def _claim(report, printed: str):
    (claim,) = [c for c in report.claims if c.figure.printed == printed]
    return claim


@pytest.mark.parametrize(
    ("printed", "attribution", "attributed_to"),
    [
        ("400,000", "other-organisation", "IOM"),  # "According to IOM's …, almost 400,000 …"
        ("60 per cent", "context", None),  # Context section, "… of the workforce"
        ("1.8 million", "context", None),  # "… people are in need of emergency food …"
        ("3,841", "national-society", None),  # "The National Society reached 3,841 people"
        ("240,612", "national-society", None),  # "It provided vaccination services to …"
        ("CHF 204,222", "ifrc-network", None),  # "The IFRC-DREF allocation of CHF 204,222"
        ("191", "ifrc-network", None),  # the closing "The International Federation …" section
    ],
)
def test_mali_attributions(mali, printed, attribution, attributed_to):
    claim = _claim(mali, printed)
    assert (claim.attribution, claim.attributed_to) == (attribution, attributed_to)


def test_every_claim_is_attributed(mali):
    kinds = {claim.attribution for claim in mali.claims}
    assert kinds == {"national-society", "ifrc-network", "other-organisation", "context"}


def test_named_organisation_makes_a_context_figure(mali_source):
    sentence = "The National Society reached 3,841 people"
    text = variants._replace(
        mali_source, sentence, "WHO counted 3,841 cholera cases. " + sentence, 1
    )
    report = parse_text(text, "v.txt")
    claims = [c for c in report.claims if c.figure.printed == "3,841"]
    assert [(c.attribution, c.attributed_to) for c in claims] == [
        ("other-organisation", "WHO"),
        ("national-society", None),
    ]


def test_a_partner_society_first_is_the_network(mali_source):
    sentence = "The National Society reached 3,841 people"
    text = variants._replace(mali_source, sentence, "The Spanish Red Cross reached 3,841 people", 1)
    claim = _claim(parse_text(text, "v.txt"), "3,841")
    assert claim.attribution == "ifrc-network"
