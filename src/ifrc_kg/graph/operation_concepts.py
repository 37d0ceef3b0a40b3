"""SKOS concepts for the money rows of operation tables: what an amount covers (scope) and
through whom it flows (channel).

The tables print these as row labels that vary with the country and year ("Funding
requirement for Mali for 2024"), so a concept is matched by pattern on the normalised
label; a label no pattern knows becomes a concept of the report graph with a warning
(``graph.cube.concept``), and the printed label is always kept (``ifrckg:printedLabel``).
"""

from __future__ import annotations

import re

from ifrc_kg.concepts import Concept, ConceptScheme, normalise_label

SCOPE = "operation-funding-scope"
CHANNEL = "operation-funding-channel"

_SCOPES = (
    (
        Concept(
            SCOPE,
            "total-funding-requirement",
            "Total funding requirement",
            "What the whole operation (every country it covers, its whole duration) needs.",
        ),
        r"total funding requirements?",
    ),
    (
        Concept(
            SCOPE,
            "country-year-funding-requirement",
            "Funding requirement for the country and year",
            "What the operation needs in the report's country for one year "
            '("Funding requirement for Mali for 2024").',
        ),
        r"funding requirements? for .+",
    ),
    (
        Concept(
            SCOPE,
            "funding-allocation",
            "Funding allocation",
            "An amount allocated to the operation (a DREF allocation).",
        ),
        r"(dref )?funding allocation|allocation",
    ),
)

_CHANNELS = (
    (
        Concept(
            CHANNEL,
            "ifrc-appeal",
            "Through the IFRC appeal",
            "Money requested or received through the IFRC emergency appeal.",
        ),
        r"through the ifrc( emergency)? appeal",
    ),
    (
        Concept(
            CHANNEL,
            "federation-wide",
            "Federation-wide",
            "The whole IFRC network's money for the operation: the appeal plus what "
            "National Societies fund bilaterally.",
        ),
        r"federation wide",
    ),
    (
        Concept(
            CHANNEL,
            "ifrc-dref",
            "IFRC-DREF",
            "The IFRC Disaster Response Emergency Fund.",
        ),
        r"(ifrc )?dref",
    ),
)

SCHEMES = (
    ConceptScheme(
        SCOPE,
        "Operation funding scopes",
        "What an amount of an emergency appeal or DREF operation table covers.",
        tuple(concept for concept, _ in _SCOPES),
    ),
    ConceptScheme(
        CHANNEL,
        "Operation funding channels",
        "Through whom an amount of an emergency appeal or DREF operation table flows.",
        tuple(concept for concept, _ in _CHANNELS),
    ),
)


def _match(table: tuple[tuple[Concept, str], ...], label: str) -> str | None:
    wanted = normalise_label(label)
    for concept, pattern in table:
        if re.fullmatch(pattern, wanted):
            return concept.notation
    return None


def scope_notation(label: str) -> str | None:
    """The scope concept of a printed row label, or None.

    >>> scope_notation("Funding requirement for Mali for 2024")
    'country-year-funding-requirement'
    >>> scope_notation("Total funding requirements"), scope_notation("Something else")
    ('total-funding-requirement', None)
    """
    return _match(_SCOPES, label)


def channel_notation(label: str) -> str | None:
    """The channel concept of a printed column label, or None.

    >>> channel_notation("Through the IFRC Appeal"), channel_notation("IFRC-DREF")
    ('ifrc-appeal', 'ifrc-dref')
    """
    return _match(_CHANNELS, label)
