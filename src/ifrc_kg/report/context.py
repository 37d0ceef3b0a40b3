"""The parse context: what every part-parser of a report needs, in one object.

Part-parsers share one signature, ``parse_part(ctx, lines) -> dataclass``: the context
carries the template, the document, the reference tables and the warnings, and keeps
the book of which lines were read as structure (headings, table headers, captions), so
no warnings list or line set is threaded by hand. Values themselves are accounted for
by their ``SourceSpan`` in the model (see ``coverage.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ifrc_kg.concepts import Concept, label_index, normalise_label
from ifrc_kg.errors import ReportFormatError
from ifrc_kg.model import Figure, SourceSpan, Unit
from ifrc_kg.reference import Reference, load_reference
from ifrc_kg.report.lines import Document, Line
from ifrc_kg.report.numbers import (
    AmbiguousNumber,
    ambiguous_figure,
    explain,
    make_figure,
    shown_readings,
)
from ifrc_kg.template import Template, load_template

log = logging.getLogger(__name__)


@dataclass
class ParseContext:
    template: Template
    doc: Document
    reference: Reference
    warnings: list[str] = field(default_factory=list)
    structure: dict[int, str] = field(default_factory=dict)
    """Line number → what the line was read as, for lines that carry no value."""
    operation_names: set[str] = field(default_factory=set)
    """Names of the operation tables, which the narrative prints as headings too."""

    @classmethod
    def of(
        cls, doc: Document, reference: Reference | None = None, template: Template | None = None
    ) -> ParseContext:
        """A context with the packaged template and reference tables unless given."""
        return cls(template or load_template(), doc, reference or load_reference())

    def warn(self, line: Line | None, message: str) -> None:
        """Record a finding that keeps the value (an unknown label): logged and kept in order."""
        where = f"{self.doc.file}:{line.number}" if line is not None else self.doc.file
        text = f"{where}: {message}"
        log.warning(text)
        self.warnings.append(text)

    def error(self, line: Line | int | None, expected: str) -> ReportFormatError:
        return self.doc.error(line, expected)

    def figure(
        self, line: Line, printed: str, source: SourceSpan, unit: Unit, expected: str
    ) -> Figure:
        """The figure of a table cell, or an error naming the line and what was ``expected``.

        A print in a form the template does not use ("15,7M", "1.2.3") is that error; a
        print whose grouping allows several readings ("25,6140") is kept as printed, with
        its readings, no value and a finding: the report does not say which it means.
        """
        try:
            return make_figure(printed, source, unit)
        except AmbiguousNumber as ambiguous:
            figure = ambiguous_figure(ambiguous, source, unit)
            self.kept_without_value(line, figure)
            return figure
        except ValueError as error:
            raise self.error(line, f"{expected}{explain(error)}") from None

    def kept_without_value(self, line: Line, figure: Figure) -> None:
        """The finding for a figure kept as printed with no value, saying why."""
        if figure.readings:
            why = f"its digits are not grouped in threes ({shown_readings(figure.readings)}?)"
        else:
            why = "a decimal comma the template does not use"
        self.warn(line, f"{figure.printed!r} kept as printed with no value: {why}")

    def read_as(self, line: Line, what: str) -> None:
        """Account for a line that carries structure, not a value (a heading, a header)."""
        self.structure.setdefault(line.number, what)

    def structure_of(self, what: str) -> list[int]:
        """The numbers of the lines read as ``what``."""
        return [number for number, read in self.structure.items() if read == what]

    def concept(self, line: Line, scheme: str, label: str, what: str) -> Concept | None:
        """The concept of this template's ``scheme`` a printed label names; an unknown label
        is kept, with a warning."""
        concept = label_index(self.template)[scheme].get(normalise_label(label))
        if concept is None:
            self.warn(line, f"unknown {what} {label!r} kept as printed")
        return concept
