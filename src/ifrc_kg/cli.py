"""The ``ifrc-kg`` command: one group, each command calling a plain function.

Exit codes: 0 success, 1 validation failed (SHACL violations), 2 bad input or usage.
Errors a user can act on are printed on one line, never as a traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ifrc_kg.errors import IfrcKgError


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn project errors into one line on stderr and the error's exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except IfrcKgError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)

    return wrapper


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def main(verbose: bool) -> None:
    """Publish IFRC network annual reports as a linked-data knowledge graph."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the model as JSON.")
@_reports_errors
def parse(file: Path, as_json: bool) -> None:
    """Parse one report and print its model (a summary, or all of it with --json)."""
    from ifrc_kg.report import parse_report
    from ifrc_kg.report.serialise import model_summary, model_to_json

    report = parse_report(file)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(model_to_json(report) if as_json else model_summary(report))
