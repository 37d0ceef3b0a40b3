"""Settings, read from the environment (prefix ``IFRC_KG_``) when asked for, never at import.

Also where the published artefacts live: ``ontology/``, ``shapes/`` and
``data/reference/`` sit at the top of the repository and are shipped inside the wheel
as ``ifrc_kg/_data/…``; ``artefact_dir`` finds whichever copy is there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ifrc_kg.errors import BuildError

DEFAULT_BASE = "https://w3id.org/ifrc-kg/"

_PACKAGE_DATA = Path(__file__).parent / "_data"
_REPOSITORY = Path(__file__).resolve().parents[2]


def artefact_dir(name: str) -> Path:
    """The directory of a shipped artefact: ``"ontology"``, ``"shapes"`` or ``"reference"``."""
    packaged = _PACKAGE_DATA / name
    if packaged.is_dir():
        return packaged
    top = _REPOSITORY / ("data/reference" if name == "reference" else name)
    if top.is_dir():
        return top
    raise FileNotFoundError(f"artefact directory {name!r} not found in the package or checkout")


def _env(name: str, default: str) -> str:
    return os.environ.get(f"IFRC_KG_{name}", default)


def _number(name: str, default: float, kind: type = int) -> Any:
    """A numeric setting; a value that is not a positive number is a one-line error."""
    text = _env(name, str(default))
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value <= 0:
        raise BuildError(f"IFRC_KG_{name}={text!r}: expected a positive {kind.__name__}")
    return value


def _cache_mb(name: str = "RESULT_CACHE_MB", default: str = "0", zero: str = "off") -> int:
    """A size in MiB where 0 is allowed: ``IFRC_KG_RESULT_CACHE_MB`` (0, the default, turns
    the result cache off), ``IFRC_KG_VERIFY_AT_START_MB`` (0: every checksum after start)."""
    text = _env(name, default)
    if not text.isdigit():
        raise BuildError(f"IFRC_KG_{name}={text!r}: expected 0 ({zero}) or a size in MiB")
    return int(text)


def _switch(name: str) -> bool:
    """An on/off setting, on by default: ``1``/``0`` (also true/false, yes/no, on/off)."""
    text = _env(name, "1").strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise BuildError(f"IFRC_KG_{name}={text!r}: expected 1 (on) or 0 (off)")


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults a fresh ``make serve`` uses."""

    base: str = DEFAULT_BASE
    reports_dir: Path = Path("data/reports")
    dist_dir: Path = Path("dist")
    include_personal_contacts: bool = True
    query_timeout_s: float = 10.0
    query_memory_mb: int = 1024
    max_result_bytes: int = 256 * 1024 * 1024
    query_workers: int = 6
    client_queries: int = 2
    slow_query_s: float = 0.25
    query_queue_wait_s: float = 2.0
    max_query_depth: int = 100
    page_rows: int = 100
    max_body_bytes: int = 1_000_000
    service_allow_list: tuple[str, ...] = field(default=())
    result_cache_mb: int = 0
    #: a build of at most this many quads is also loaded into memory for the site's pages
    memory_quads: int = 100_000
    #: MiB of files (the smallest first) hashed before serving starts, beside those the server
    #: reads; the rest in the background, and always before they are sent (server/verify.py)
    verify_at_start_mb: int = 32
    query_rewrite: bool = True  # the planner step of server/rewrite.py and statistics.py
    sparql_url: str = ""  # serve over this remote SPARQL endpoint instead of the build's file
    gsp_url: str = ""  # its Graph Store Protocol URL, for whole-graph reads

    @classmethod
    def from_env(cls) -> Settings:
        allow = _env("SERVICE_ALLOW_LIST", "")
        return cls(
            base=_env("BASE", DEFAULT_BASE),
            reports_dir=Path(_env("REPORTS_DIR", "data/reports")),
            dist_dir=Path(_env("DIST_DIR", "dist")),
            include_personal_contacts=_env("PERSONAL_CONTACTS", "1") not in ("0", "false", "no"),
            query_timeout_s=_number("QUERY_TIMEOUT_S", 10, float),
            query_memory_mb=_number("QUERY_MEMORY_MB", 1024),
            max_result_bytes=_number("MAX_RESULT_BYTES", 256 * 1024 * 1024),
            query_workers=_number("QUERY_WORKERS", 6),
            client_queries=_number("CLIENT_QUERIES", 2),
            slow_query_s=_number("SLOW_QUERY_S", 0.25, float),
            query_queue_wait_s=_number("QUERY_QUEUE_WAIT_S", 2, float),
            max_query_depth=_number("MAX_QUERY_DEPTH", 100),
            page_rows=_number("PAGE_ROWS", 100),
            max_body_bytes=_number("MAX_BODY_BYTES", 1000000),
            service_allow_list=tuple(url for url in allow.split() if url),
            result_cache_mb=_cache_mb(),
            memory_quads=_number("MEMORY_QUADS", 100_000),
            verify_at_start_mb=_cache_mb("VERIFY_AT_START_MB", "32", "none at start"),
            query_rewrite=_switch("QUERY_REWRITE"),
            sparql_url=_env("SPARQL_URL", ""),
            gsp_url=_env("GSP_URL", ""),
        )
