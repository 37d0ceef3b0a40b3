"""The concepts of the report template: priorities, functions, indicators, funders, flows.

A reader of the ``[[schemes]]`` and ``[[concepts]]`` of the template file
(``ifrc_kg/template/network-report.toml``), used by the parser (to match printed
labels to concepts) and by the mapping (to publish them as SKOS concept schemes).
Labels are matched by ``normalise_label``, so a changed capital, an extra space or a
dropped question mark is not a new concept.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ifrc_kg.model import Unit
from ifrc_kg.template import Template, TemplateError, load_template


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
    if label.isascii():
        without_accents = label
    else:
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


SP = "strategic-priority"
EF = "enabling-function"
IND = "indicator"


def _concept(entry: dict[str, Any]) -> Concept:
    where = f"concept {entry.get('scheme')}/{entry.get('notation')}"
    try:
        unit = Unit(entry["unit"]) if "unit" in entry else None
        return Concept(
            scheme=entry["scheme"],
            notation=entry["notation"],
            label=entry["label"],
            definition=entry["definition"],
            alt_labels=tuple(entry.get("alt_labels", ())),
            broader=entry.get("broader"),
            unit=unit,
            narrative_terms=tuple(entry.get("narrative_terms", ())),
        )
    except KeyError as missing:
        raise TemplateError(f"template: {where} has no {missing}") from None
    except ValueError:
        raise TemplateError(f"template: {where} has an unknown unit {entry['unit']!r}") from None


def read_schemes(data: dict[str, Any]) -> tuple[ConceptScheme, ...]:
    """The concept schemes of a template document; members are ``scheme/notation`` refs.

    A member ref naming no concept, or an indicator whose ``broader`` names no area, is a
    ``TemplateError``.
    """
    concepts = {(c.scheme, c.notation): c for c in map(_concept, data.get("concepts", ()))}
    schemes = []
    for entry in data.get("schemes", ()):
        members = []
        for ref in entry["members"]:
            home, _, notation = ref.partition("/")
            if (home, notation) not in concepts:
                raise TemplateError(f"template: scheme {entry['notation']!r} names no {ref!r}")
            members.append(concepts[(home, notation)])
        schemes.append(
            ConceptScheme(entry["notation"], entry["label"], entry["definition"], tuple(members))
        )
    areas = {notation for scheme, notation in concepts if scheme in (SP, EF)}
    for concept in concepts.values():
        if concept.broader is not None and concept.broader not in areas:
            raise TemplateError(
                f"template: concept {concept.notation!r} has an unknown broader {concept.broader!r}"
            )
    return tuple(schemes)


@functools.cache
def label_index(template: Template) -> dict[str, dict[str, Concept]]:
    """Scheme notation → normalised label → concept, for one template (read once)."""
    return {
        scheme.notation: {
            normalise_label(name): concept
            for concept in reversed(scheme.members)
            for name in (concept.label, *concept.alt_labels)
        }
        for scheme in read_schemes(template.raw)
    }


SCHEMES = read_schemes(load_template().raw)
_SCHEMES_BY_NOTATION = {scheme.notation: scheme for scheme in SCHEMES}
_PRIORITY_NOTATIONS = frozenset(concept.notation for concept in _SCHEMES_BY_NOTATION[SP].members)


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
    return label_index(load_template())[scheme_notation].get(normalise_label(label))


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
