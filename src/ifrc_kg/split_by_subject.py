"""A file of plain triples (``graph.nt``, ``graph.ttl``, ``graph.jsonld``) cut into the units
``ifrc-kg validate`` checks one at a time, as if it had named graphs: one per report, and
one shared by all.

The build mints a report's own things under its key (``uris.py``): the report
``/id/report/<iso3>/<key>`` and its parts below it (text, sections, mentions, claims,
contacts, sources), its data sets ``/id/dataset/<iso3>/<key>/…`` and its observations
``/id/observation/<iso3>/<key>/…``. So a triple goes to a report's unit when its subject lies
under one of those prefixes, taken from the subjects typed ``ifrckg:AnnualReport`` in the
data (a report IRI the build did not mint contributes its own prefix only). Everything else
(the reference entities, the vocabulary, the findings, and what a report says about shared
things such as an operation, a place or a partner) goes to the shared unit, which every
report unit is validated with. The build writes no blank nodes; a blank node of other input
goes where the triples that point to it go (to the shared unit when they disagree).

A shared node that points into a report (an operation's statements, a finding's focus) is
checked with the report nodes it points to, not in each report's unit, where the other
reports' nodes are missing; ``route`` names those nodes and the report nodes they point to.

>>> split = SubjectSplit({"<https://w3id.org/ifrc-kg/id/report/mli/2023>"}, {})
>>> split.owner("<https://w3id.org/ifrc-kg/id/observation/mli/2023/people-reached/health>")
'<https://w3id.org/ifrc-kg/id/report/mli/2023>'
>>> split.owner("<https://w3id.org/ifrc-kg/id/report/mli/2023-mid-year>")
''
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ifrc_kg.uris import Iris

SHARED = ""  # the unit of everything no report owns
BOUNDARY = re.compile(r"[/#]")
BUFFER_LINES = 20_000


def report_prefixes(reports: Iterable[str]) -> dict[str, str]:
    """IRI prefix → the report (an N-Triples term) whose unit holds the subjects under it."""
    prefixes: dict[str, str] = {}
    for report in reports:
        iri = report[1:-1]
        prefixes[iri] = report
        head, _, key = iri.rpartition("/")
        head, _, iso3 = head.rpartition("/")
        iris = Iris(head.removesuffix("id/report"))
        if iso3 and str(iris.report(iso3, key)) == iri:
            for minted in (iris.dataset(iso3, key, ""), iris.observation(iso3, key, "")):
                prefixes[str(minted).rstrip("/")] = report
    return prefixes


def object_of(line: str) -> str:
    """The object of an N-Triples line.

    >>> object_of('<http://ex/s> <http://ex/p> "a b" .\\n')
    '"a b"'
    """
    return line.partition(" ")[2].partition(" ")[2].rsplit(" .", 1)[0]


class SubjectSplit:
    """The unit of each subject: a report (its N-Triples term) or ``SHARED``."""

    def __init__(self, reports: set[str], blank_referrers: dict[str, set[str]]) -> None:
        self.prefixes = report_prefixes(reports)
        self.blank_referrers = blank_referrers  # blank node → the subjects pointing to it
        self._blank_units: dict[str, str] = {}

    def owner(self, term: str) -> str:
        if term.startswith("_:"):
            return self._blank_unit(term, set())
        if not term.startswith("<"):
            return SHARED
        iri = term[1:-1]
        if iri in self.prefixes:
            return self.prefixes[iri]
        for boundary in BOUNDARY.finditer(iri):
            if (report := self.prefixes.get(iri[: boundary.start()])) is not None:
                return report
        return SHARED

    def _blank_unit(self, node: str, seen: set[str]) -> str:
        if node in self._blank_units:
            return self._blank_units[node]
        seen.add(node)
        units = {
            self._blank_unit(referrer, seen) if referrer.startswith("_:") else self.owner(referrer)
            for referrer in self.blank_referrers.get(node, ())
            if referrer not in seen
        }
        unit = units.pop() if len(units) == 1 else SHARED
        self._blank_units[node] = unit
        return unit

    def route(
        self, files: Iterable[Path], directory: Path
    ) -> tuple[dict[str, Path], dict[str, set[str]]]:
        """Write the lines of ``files`` into a file per unit (``SHARED`` included). Returns
        the files by unit, and each shared subject that points into a report with the
        report nodes it points to."""
        units: dict[str, Path] = {}
        buffers: dict[str, list[str]] = {}
        links: dict[str, set[str]] = {}

        def flush(unit: str) -> None:
            path = units.setdefault(unit, directory / f"unit-{len(units)}.nt")
            with path.open("a", encoding="utf-8") as out:
                out.writelines(buffers.pop(unit))

        last_subject, unit = "", SHARED
        for path in files:
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    subject = line.partition(" ")[0]
                    if subject != last_subject:
                        last_subject, unit = subject, self.owner(subject)
                    buffers.setdefault(unit, []).append(line)
                    if len(buffers[unit]) >= BUFFER_LINES:
                        flush(unit)
                    if unit == SHARED:
                        node = object_of(line)
                        if node.startswith(("<", "_:")) and self.owner(node) != SHARED:
                            links.setdefault(subject, set()).add(node)
        for unit in list(buffers):
            flush(unit)
        return units, links
