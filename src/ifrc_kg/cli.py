"""The ``ifrc-kg`` command: one group, each command calling a plain function.

Exit codes: 0 success, 1 validation failed (SHACL violations), 2 bad input or usage,
3 ``build --keep-going`` published but some reports failed.
Errors a user can act on are printed on one line, never as a traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ifrc_kg.errors import IfrcKgError

if TYPE_CHECKING:
    from ifrc_kg.findings import Finding


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
@click.option(
    "--coverage", is_flag=True, help="Print lines read and every line left unread, with why."
)
@_reports_errors
def parse(file: Path, as_json: bool, coverage: bool) -> None:
    """Parse one report and print its model (a summary, or all of it with --json)."""
    from ifrc_kg.report import parse_report
    from ifrc_kg.report.serialise import model_summary, model_to_json

    report = parse_report(file)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if coverage:
        from ifrc_kg.pipeline import coverage_lines

        click.echo(coverage_lines(report), nl=False)
        return
    click.echo(model_to_json(report) if as_json else model_summary(report))


@main.command()
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/reports"),
    show_default=True,
    help="Directory of *.txt reports.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Output directory (replaced atomically).",
)
@click.option("--base", default=None, help="Base IRI (default: IFRC_KG_BASE or w3id.org).")
@click.option(
    "--no-personal-contacts",
    is_flag=True,
    help="Leave the report's contact persons' names, phones and e-mails out.",
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="Publish the reports that build; list each failure (exit 3 when any failed).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Build cache (default: .cache/build/ next to --out).",
)
@click.option("--no-store", is_flag=True, help="Do not write the on-disk store (dist/store/).")
@_reports_errors
def build(
    reports_dir: Path,
    out: Path,
    base: str | None,
    no_personal_contacts: bool,
    keep_going: bool,
    jobs: int | None,
    cache_dir: Path | None,
    no_store: bool,
) -> None:
    """Parse, map, validate and publish the reports: dumps, VoID/DCAT, checksums, report.

    Exit 0 published; 1 a report's graph has violations (nothing written); 2 bad input;
    3 published with --keep-going, but some reports failed (each listed with its file).
    """
    from ifrc_kg.config import Settings
    from ifrc_kg.progress import ProgressLine
    from ifrc_kg.publish import BuildValidationFailed
    from ifrc_kg.publish import build as run_build

    settings = Settings.from_env()
    personal = settings.include_personal_contacts and not no_personal_contacts
    bar = ProgressLine(sys.stderr)
    try:
        result = run_build(
            reports_dir,
            out,
            base=base or settings.base,
            include_personal_contacts=personal,
            keep_going=keep_going,
            cache_dir=cache_dir,
            workers=jobs,
            progress=bar.update,
            store=not no_store,
        )
    except BuildValidationFailed as failure:
        bar.finish()
        click.echo(failure.report.summary(limit=20, warnings=False), err=True)
        raise
    except BaseException:
        bar.finish()
        raise
    bar.finish()
    manifest = result.manifest
    for entry in manifest["reports"]:
        click.echo(f"{entry['file']}: {entry['lines_read']} of {entry['lines']} lines read")
    click.echo(
        f"built {out}: {manifest['triples']} triples from {len(manifest['reports'])} report(s) "
        f"({result.cached} from the cache), {manifest['violations']} violations, "
        f"{manifest['warnings']} warnings (see {out / 'validation.html'})"
    )
    _print_findings(result.findings, [r["iri"] for r in manifest["reports"] if "iri" in r])
    click.echo(bar.timings(result.timings), err=True)
    if result.failures:
        for piece in result.failures:
            click.echo(f"failed: {piece.error}", err=True)
        click.echo(f"{len(result.failures)} report(s) failed and were left out", err=True)
        sys.exit(3)


#: How many findings of each report ``ifrc-kg build`` prints (all are in validation.html).
FINDINGS_SHOWN = 3


def _print_findings(findings: Sequence[Finding], reports: Sequence[str]) -> None:
    """The count of data-quality findings per report, and the first few of each."""
    from ifrc_kg.findings import findings_by_report

    grouped = findings_by_report(findings)
    for report in [*reports, *(key for key in grouped if key not in reports)]:
        found = grouped.get(report, [])
        click.echo(f"{report or '(no report)'}: {len(found)} data-quality finding(s)")
        for finding in found[:FINDINGS_SHOWN]:
            click.echo(f"  - {finding.message}")
        if len(found) > FINDINGS_SHOWN:
            click.echo(f"  … and {len(found) - FINDINGS_SHOWN} more")


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_reports_errors
def validate_command(files: tuple[Path, ...]) -> None:
    """Validate RDF files (.ttl .nt .jsonld .trig .nq, optionally .gz) against the shapes.

    The files are parsed as a stream; each named graph holding a report is checked, with
    the graphs shared by all (and the project vocabulary), against the SHACL shapes and the
    Data Cube integrity constraints. Exit 0 conforms (warnings printed), 1 violations, 2 a
    file cannot be read.
    """
    from ifrc_kg.validate_files import validate_files

    report = validate_files(files).report
    click.echo(report.summary(limit=50))
    if not report.conforms:
        sys.exit(1)


@main.command("serve")
@click.option(
    "--dist",
    "dist",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Build directory to serve (default: dist/, or IFRC_KG_DIST_DIR).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option(
    "--sparql",
    "sparql_url",
    default=None,
    help="Serve over this remote SPARQL endpoint (filled by `ifrc-kg push`) instead of the "
    "build's graph file; the build still gives manifest and downloads.",
)
@click.option("--gsp", "gsp_url", default=None, help="The remote store's Graph Store URL.")
@_reports_errors
def serve(
    dist: Path | None, host: str, port: int, sparql_url: str | None, gsp_url: str | None
) -> None:
    """Serve a build: SPARQL endpoint, linked-data pages, downloads (uvicorn)."""
    import dataclasses

    import uvicorn

    from ifrc_kg.config import Settings
    from ifrc_kg.errors import BuildError
    from ifrc_kg.server import create_app
    from ifrc_kg.server.site import Site, find_node_modules
    from ifrc_kg.store import graph_file

    settings = Settings.from_env()
    if dist is not None:
        settings = dataclasses.replace(settings, dist_dir=dist)
    if sparql_url:
        settings = dataclasses.replace(settings, sparql_url=sparql_url)
    if gsp_url:
        settings = dataclasses.replace(settings, gsp_url=gsp_url)
    if not settings.sparql_url:
        graph_file(settings.dist_dir)  # fail early, with a one-line error, on a bad dist
    elif not settings.dist_dir.is_dir():
        raise BuildError(f"{settings.dist_dir}: no such build directory")
    # verified and opened (a remote store reached) before the server starts: a damaged
    # build or a store that is not there or not filled is one line, exit 2
    site = Site.open(settings, settings.dist_dir, find_node_modules())
    over = f" over {settings.sparql_url}" if settings.sparql_url else ""
    click.echo(f"serving {settings.dist_dir}{over} on http://{host}:{port}/", err=True)
    try:
        uvicorn.run(create_app(settings, site=site), host=host, port=port, log_level="info")
    finally:
        site.close()


@main.command("push")
@click.option("--to", "gsp_url", required=True, help="The store's Graph Store Protocol URL.")
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Build directory to push.",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Checksums of the last push to this store (default: one file per store in the cache).",
)
@click.option("--all", "send_all", is_flag=True, help="Send every graph, changed or not.")
@_reports_errors
def push_command(gsp_url: str, dist: Path, state_path: Path | None, send_all: bool) -> None:
    """Replace each changed named graph of a build in a SPARQL 1.1 Graph Store (HTTP PUT).

    Credentials from IFRC_KG_PUSH_USER, IFRC_KG_PUSH_PASSWORD and IFRC_KG_PUSH_AUTH
    (basic or digest). Exit 0 pushed, 2 bad build or settings, 3 the store refused a graph.
    """
    from ifrc_kg.push import auth_from_env, push

    result = push(
        dist,
        gsp_url,
        state_path=state_path,
        send_all=send_all,
        auth=auth_from_env(),
        progress=lambda message: click.echo(message, err=True),
    )
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(
        f"pushed {dist} to {gsp_url}: {len(result.sent)} graph(s) replaced, "
        f"{len(result.unchanged)} unchanged, {len(result.deleted)} deleted, "
        f"{len(result.failed)} failed"
    )
    if result.failed:
        sys.exit(3)


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["hxl", "csv"]),
    default="hxl",
    show_default=True,
    help="hxl: CSV with an HXL hashtag row; csv: the same columns without it.",
)
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Read the figures from a build directory (graph.trig or graph.nq).",
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Or parse and map the *.txt reports of this directory (no validation).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file (default: standard output).",
)
@_reports_errors
def export(fmt: str, dist: Path | None, reports_dir: Path | None, out: Path | None) -> None:
    """Export every figure of the graph as HXL-tagged CSV (for HDX) or plain CSV.

    One row per Data Cube observation: country, society, year, priority/indicator, value,
    unit, printed value and the quote and line it was read from. Default source: dist/.
    """
    from ifrc_kg import export as exporter
    from ifrc_kg.errors import BuildError

    if dist is not None and reports_dir is not None:
        raise BuildError("give --dist or --reports, not both")
    if reports_dir is not None:
        from ifrc_kg.config import Settings
        from ifrc_kg.graph import build_dataset
        from ifrc_kg.publish import parse_reports, report_paths

        reports = parse_reports(report_paths(reports_dir))
        graph = build_dataset(reports, Settings.from_env().base, report_dir=reports_dir)
    else:
        graph = exporter.store_from_dist(dist or Path("dist"))
    rows = exporter.figure_rows(graph)
    text = exporter.render(rows, fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise BuildError(f"cannot write {out}: {error}") from error
        click.echo(f"exported {len(rows)} figures to {out} ({fmt})", err=True)


@main.group("reference")
def reference_group() -> None:
    """The reference tables of data/reference/ (countries, societies, places, organisations)."""


@reference_group.command("regenerate")
@click.option(
    "--sources",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Source files (default: data/reference/sources/).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the tables (default: data/reference/).",
)
@_reports_errors
def reference_regenerate(sources: Path | None, out: Path | None) -> None:
    """Regenerate the tables from pycountry, hdx-python-country (bundled data, no network),
    country_converter and the hand-kept sources; each row says where it came from."""
    from ifrc_kg.config import artefact_dir
    from ifrc_kg.reference.generate import regenerate

    target = out or artefact_dir("reference")
    counts = regenerate(sources or target / "sources", target)
    for name, count in counts.items():
        click.echo(f"{target / name}: {count} rows")
