"""The errors a user can act on.

Every error names what went wrong and where; the CLI prints ``str(error)`` on one
line and exits with ``exit_code``; the server turns them into problem+json bodies.
"""

from __future__ import annotations


class IfrcKgError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code = 2


class ReportFormatError(IfrcKgError):
    """A report does not follow the template: names the file, the line and what was expected."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class NotAReportError(ReportFormatError):
    """The file is not an IFRC network report of the known template at all."""


class ValidationFailed(IfrcKgError):
    """The graph has SHACL violations (or Data Cube integrity violations): nothing is published."""

    exit_code = 1


class BuildError(IfrcKgError):
    """A build could not complete (bad input directory, unwritable output, …)."""


class RdfFormatError(IfrcKgError):
    """An RDF file cannot be read (unknown extension or a syntax error): names the file."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        self.message = message
        super().__init__(f"{file}: {message}")
