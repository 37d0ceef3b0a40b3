"""The concepts of the report template: priorities, functions, indicators, funders, flows.

One table, read by the parser (to match printed labels to concepts) and by the mapping
(to publish them as SKOS concept schemes). Labels are matched by ``normalise_label``,
so a changed capital, an extra space or a dropped question mark is not a new concept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ifrc_kg.model import Unit


@dataclass(frozen=True)
class Concept:
    """A concept of the template.

    ``scheme`` is the home scheme (it decides the IRI); ``broader`` a notation in the
    strategic-priority or enabling-function scheme (for indicators); ``unit`` what its
    figures are measured in; ``narrative_terms`` word stems that, all present near a
    narrative number, say the number counts the same thing as this indicator.
    """

    scheme: str
    notation: str
    label: str
    definition: str
    alt_labels: tuple[str, ...] = ()
    broader: str | None = None
    unit: Unit | None = None
    narrative_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConceptScheme:
    notation: str
    label: str
    definition: str
    members: tuple[Concept, ...]


def normalise_label(label: str) -> str:
    """The form labels are compared in: accents, case, spacing and punctuation ignored.

    >>> normalise_label("  Climate  and Environment ")
    'climate and environment'
    >>> normalise_label("Implementing nature-based solutions?")
    'implementing nature based solutions'
    >>> normalise_label("Ségou") == normalise_label("SEGOU")
    True
    """
    decomposed = unicodedata.normalize("NFKD", label)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^\w%]+", " ", without_accents.casefold())
    return " ".join(words.split())


def slugify(label: str) -> str:
    """A lowercase hyphenated key for a label the template does not know.

    >>> slugify("People reached with Shelter support (new)")
    'people-reached-with-shelter-support-new'
    """
    return normalise_label(label).replace("%", "percent").replace(" ", "-").replace("_", "-")


def _c(scheme: str, notation: str, label: str, definition: str, **extra: object) -> Concept:
    return Concept(scheme, notation, label, definition, **extra)  # type: ignore[arg-type]


SP = "strategic-priority"
EF = "enabling-function"
IND = "indicator"

CLIMATE = _c(
    SP,
    "climate-and-environment",
    "Climate and environment",
    "Strategic priority 1 of IFRC Strategy 2030: climate and environmental crises.",
    alt_labels=("Climate and environmental crises",),
)
DISASTERS = _c(
    SP,
    "disasters-and-crises",
    "Disasters and crises",
    "Strategic priority 2 of IFRC Strategy 2030: evolving crises and disasters.",
    alt_labels=("Evolving crises and disasters",),
)
HEALTH = _c(
    SP,
    "health-and-wellbeing",
    "Health and wellbeing",
    "Strategic priority 3 of IFRC Strategy 2030: growing gaps in health and wellbeing.",
    alt_labels=("Growing gaps in health and wellbeing", "Health and well-being"),
)
MIGRATION = _c(
    SP,
    "migration-and-displacement",
    "Migration and displacement",
    "Strategic priority 4 of IFRC Strategy 2030: migration and identity.",
    alt_labels=("Migration and identity",),
)
VALUES = _c(
    SP,
    "values-power-and-inclusion",
    "Values, power and inclusion",
    "Strategic priority 5 of IFRC Strategy 2030: values, power and inclusion.",
)
STRATEGIC_PRIORITIES = (CLIMATE, DISASTERS, HEALTH, MIGRATION, VALUES)

COORDINATION = _c(
    EF,
    "strategic-and-operational-coordination",
    "Strategic and operational coordination",
    "Enabling function: coordination within the IFRC membership, the Movement and with "
    "external actors.",
)
NS_DEVELOPMENT = _c(
    EF,
    "national-society-development",
    "National Society development",
    "Enabling function: strengthening the National Society as an organisation.",
)
DIPLOMACY = _c(
    EF,
    "humanitarian-diplomacy",
    "Humanitarian diplomacy",
    "Enabling function: persuading decision makers to act for vulnerable people.",
)
ACCOUNTABILITY = _c(
    EF,
    "accountability-and-agility",
    "Accountability and agility",
    "Enabling function: integrity, accountability and agile systems (cross-cutting).",
    alt_labels=("Accountability and agility (cross-cutting)",),
)
ENABLING_FUNCTIONS = (COORDINATION, NS_DEVELOPMENT, DIPLOMACY, ACCOUNTABILITY)

EMERGENCY_OPERATIONS = _c(
    "reach-category",
    "emergency-operations",
    "Emergency Operations",
    "People reached by the emergency operations (appeals and DREF) of the year.",
)
ENABLING_FUNCTIONS_AREA = _c(
    "support-area",
    "enabling-functions",
    "Enabling Functions",
    "Support to the enabling functions of the National Society, as a whole.",
)

KEY_FIGURES = (
    _c(
        "key-figure",
        "branches",
        "National Society branches",
        "Branches of the National Society.",
        unit=Unit.COUNT,
    ),
    _c(
        "key-figure",
        "local-units",
        "National Society local units",
        "Local units of the National Society.",
        unit=Unit.COUNT,
    ),
    _c(
        "key-figure",
        "volunteers",
        "National Society volunteers",
        "Volunteers of the National Society.",
        unit=Unit.PERSONS,
    ),
    _c(
        "key-figure",
        "staff",
        "National Society staff",
        "Paid staff of the National Society.",
        unit=Unit.PERSONS,
    ),
)

FUNDER_GROUPS = (
    _c(
        "funder-group",
        "country",
        "Country",
        "The whole IFRC network in the country: the country total.",
    ),
    _c("funder-group", "ifrc-secretariat", "IFRC Secretariat", "The IFRC Secretariat."),
    _c(
        "funder-group",
        "participating-national-societies",
        "Participating National Societies",
        "National Societies of other countries supporting the host National Society.",
        alt_labels=("PNS",),
    ),
    _c(
        "funder-group",
        "host-national-society",
        "HNS other funding sources",
        "Funding of the host National Society from sources other than the IFRC network.",
        alt_labels=("Host National Society other funding sources",),
    ),
    _c(
        "funder-group",
        "national-society",
        "National Society",
        "The host National Society as a whole (its own overview).",
    ),
)

FLOW_TYPES = (
    _c(
        "flow-type",
        "funding-requirement",
        "Funding Requirement",
        "Money needed for the planned work of the year.",
    ),
    _c(
        "flow-type",
        "emergency-operations-funding-requirement",
        "Emergency Operations Funding Requirement",
        "Money needed for the emergency operations of the year.",
    ),
    _c("flow-type", "funding", "Funding", "Money received for the year."),
    _c("flow-type", "expenditure", "Expenditure", "Money spent in the year."),
    _c(
        "flow-type",
        "longer-term-funding",
        "Longer-term Funding",
        "Multi-year funding committed for longer-term programmes.",
    ),
)


def _ind(
    notation: str,
    broader: Concept,
    label: str,
    unit: Unit,
    terms: tuple[str, ...] = (),
    alt: tuple[str, ...] = (),
) -> Concept:
    return Concept(
        IND,
        notation,
        label,
        f"Template indicator of {broader.label!r}: {label}",
        alt_labels=alt,
        broader=broader.notation,
        unit=unit,
        narrative_terms=terms,
    )


P, C, PCT, YN = Unit.PERSONS, Unit.COUNT, Unit.PERCENT, Unit.BOOLEAN

INDICATORS = (
    _ind(
        "people-reached-climate-risks",
        CLIMATE,
        "People reached with activities to address rising climate risks",
        P,
    ),
    _ind(
        "people-reached-environmental-problems",
        CLIMATE,
        "People reached with activities to address environmental problems",
        P,
    ),
    _ind(
        "people-reached-heatwave-risk",
        CLIMATE,
        "People reached with heatwave risk reduction, preparedness or response activities",
        P,
        ("heatwave",),
    ),
    _ind(
        "nature-based-solutions",
        CLIMATE,
        "Implementing nature-based solutions (including those with a particular focus on "
        "the planting of trees and mangroves)?",
        YN,
    ),
    _ind(
        "environmental-campaigns",
        CLIMATE,
        "Implementing environmental or climate campaigns focused on behaviour change, "
        "plastic reduction or clean-ups?",
        YN,
    ),
    _ind(
        "climate-risk-strategies",
        CLIMATE,
        "Developing and implementing strategies and plans that address rising climate and "
        "environmental risks?",
        YN,
    ),
    _ind(
        "people-reached-disaster-risk-reduction",
        DISASTERS,
        "People reached with disaster risk reduction",
        P,
        ("disaster risk reduction",),
    ),
    _ind(
        "people-reached-emergency-assistance",
        DISASTERS,
        "People reached per year with support services, in-kind, cash and voucher "
        "assistance for emergency response and recovery",
        P,
    ),
    _ind(
        "people-reached-shelter",
        DISASTERS,
        "People reached with shelter support",
        P,
        ("housing assistance",),
    ),
    _ind(
        "people-reached-livelihoods",
        DISASTERS,
        "People reached with livelihoods support",
        P,
        ("livelihood",),
    ),
    _ind(
        "households-reached-income-generation",
        DISASTERS,
        "Targeted households (and people) reached with essential services/information for "
        "income-generation",
        C,
    ),
    _ind(
        "share-assistance-cash-vouchers",
        DISASTERS,
        "Percentage of humanitarian assistance delivered using cash and vouchers",
        PCT,
    ),
    _ind(
        "people-reached-immunization",
        HEALTH,
        "People reached with immunization services",
        P,
        ("vaccination services",),
    ),
    _ind(
        "people-reached-health-services",
        HEALTH,
        "People reached by National Societies with contextually appropriate health services",
        P,
    ),
    _ind(
        "people-reached-mhpss",
        HEALTH,
        "People reached with psychosocial and mental health services",
        P,
        ("mental health",),
    ),
    _ind(
        "people-reached-wash",
        HEALTH,
        "People reached by National Societies with contextually appropriate water, "
        "sanitation and hygiene services",
        P,
    ),
    _ind(
        "people-trained-first-aid",
        HEALTH,
        "People trained by National Societies in first aid",
        P,
        ("trained", "first aid"),
    ),
    _ind("people-donating-blood", HEALTH, "People donating blood", P, ("blood",)),
    _ind(
        "migrants-reached-assistance-protection",
        MIGRATION,
        "Migrants and displaced persons reached with services for assistance and protection",
        P,
    ),
    _ind(
        "people-reached-rfl",
        MIGRATION,
        "People reached with restoring family links (RFL) services",
        P,
        ("restoring family links", "for"),
    ),
    _ind(
        "people-reached-social-cohesion",
        MIGRATION,
        "People reached by RCRC social cohesion activities to improve relations between "
        "migrants / displaced people and host communities",
        P,
    ),
    _ind(
        "people-reunited-rfl",
        MIGRATION,
        "People reunited with their families through restoring family links (RFL) services",
        P,
        ("reunit",),
    ),
    _ind(
        "humanitarian-service-points",
        MIGRATION,
        "Number of Humanitarian Service Points (HSPs) that provided assistance and/or "
        "protection to people on the move along land based migration routes",
        C,
    ),
    _ind(
        "migrant-needs-assessments",
        MIGRATION,
        "Number of assessments conducted specifically considering migrant needs",
        C,
    ),
    _ind(
        "migration-information-management",
        MIGRATION,
        "Data collection, research, analysis or other information management initiatives "
        "to better assist and protect people on the move?",
        YN,
    ),
    _ind(
        "migration-advocacy",
        MIGRATION,
        "Advocacy, dialogues, educational or communication initiatives to change the "
        "legal, policy, or operational environment to better assist and protect people on "
        "the move?",
        YN,
    ),
    _ind(
        "people-reached-pgi",
        VALUES,
        "People reached by protection, gender and inclusion programming",
        P,
    ),
    _ind(
        "share-surveyed-useful-information",
        VALUES,
        "Percentage of people surveyed who report receiving useful and actionable information",
        PCT,
    ),
    _ind(
        "coordination-meetings",
        COORDINATION,
        "Number of coordination meetings held with other stakeholders",
        C,
    ),
    _ind(
        "government-coordination-platforms",
        COORDINATION,
        "Number of government led coordination platforms the National Society is part of",
        C,
    ),
    _ind(
        "auxiliary-role-strategy",
        NS_DEVELOPMENT,
        "Strategy for strengthening the auxiliary role developed or implemented",
        YN,
    ),
    _ind(
        "national-society-development-plan",
        NS_DEVELOPMENT,
        "One National Society Development plan in place",
        YN,
    ),
    _ind(
        "ifrc-communication-campaigns",
        DIPLOMACY,
        "Participation in IFRC-led communication campaigns",
        YN,
    ),
    _ind(
        "domestic-advocacy-strategy",
        DIPLOMACY,
        "National Society has domestic advocacy strategies developed aligning, at least in "
        "part, with global IFRC advocacy strategies",
        YN,
    ),
)

SCHEMES = (
    ConceptScheme(
        SP,
        "Strategic priorities",
        "The five strategic priorities of IFRC Strategy 2030, as the report headings name them.",
        STRATEGIC_PRIORITIES,
    ),
    ConceptScheme(
        EF,
        "Enabling functions",
        "The enabling functions of IFRC Strategy 2030 "
        "the report gives indicators and narrative for.",
        ENABLING_FUNCTIONS,
    ),
    ConceptScheme(
        "reach-category",
        "People-reached categories",
        "What the PEOPLE REACHED "
        "figures are broken down by: emergency operations and each strategic "
        "priority.",
        (EMERGENCY_OPERATIONS, *STRATEGIC_PRIORITIES),
    ),
    ConceptScheme(
        "support-area",
        "Support areas",
        "The columns of the IFRC network supported activities matrix.",
        (*STRATEGIC_PRIORITIES, ENABLING_FUNCTIONS_AREA),
    ),
    ConceptScheme(
        IND,
        "Indicators",
        "The indicators of the STRATEGIC PRIORITIES and ENABLING FUNCTIONS tables of the template.",
        INDICATORS,
    ),
    ConceptScheme(
        "key-figure",
        "Key figures",
        "The National Society capacity figures on the report's first page.",
        KEY_FIGURES,
    ),
    ConceptScheme(
        "funder-group",
        "Funder groups",
        "Who a figure of the financial overview is about.",
        FUNDER_GROUPS,
    ),
    ConceptScheme(
        "flow-type",
        "Financial flow types",
        "What kind of money a figure of the financial overview is.",
        FLOW_TYPES,
    ),
)

_SCHEMES_BY_NOTATION = {scheme.notation: scheme for scheme in SCHEMES}


def scheme(notation: str) -> ConceptScheme:
    return _SCHEMES_BY_NOTATION[notation]


def lookup(scheme_notation: str, label: str) -> Concept | None:
    """The concept of a scheme whose label or alternative label matches ``label``.

    >>> lookup("strategic-priority", "HEALTH AND  WELLBEING").notation
    'health-and-wellbeing'
    >>> lookup("indicator", "People reached with shelter support ").notation
    'people-reached-shelter'
    >>> lookup("indicator", "People reached with something new") is None
    True
    """
    wanted = normalise_label(label)
    for concept in scheme(scheme_notation).members:
        if wanted in (normalise_label(name) for name in (concept.label, *concept.alt_labels)):
            return concept
    return None


_PRIORITY_NOTATIONS = frozenset(concept.notation for concept in STRATEGIC_PRIORITIES)


def area_scheme(notation: str) -> str:
    """The scheme of an area: strategic priority, else enabling function.

    >>> area_scheme("health-and-wellbeing"), area_scheme("humanitarian-diplomacy")
    ('strategic-priority', 'enabling-function')
    """
    return SP if notation in _PRIORITY_NOTATIONS else EF


def by_notation(scheme_notation: str, notation: str) -> Concept:
    """The member of a scheme with a notation; ``KeyError`` when there is none."""
    for concept in scheme(scheme_notation).members:
        if concept.notation == notation:
            return concept
    raise KeyError(f"{scheme_notation}/{notation}")
