"""The output directory of a build: written beside it, swapped in with two renames.

A failed or killed build never leaves a half-written ``dist/``: the files go into a scratch
directory named after the build's process, which replaces the previous build only when
complete; what a killed build left behind is cleared (or, mid-swap, restored) by the next.
Also the listing of the published files with their sizes, checksums and media types.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from ifrc_kg.corpus_store import STORE_DIR
from ifrc_kg.errors import BuildError
from ifrc_kg.graph.catalog import FileEntry

log = logging.getLogger(__name__)

MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".gz": "application/gzip",
    ".html": "text/html",
    ".txt": "text/plain",
    ".json": "application/json",
    ".csv": "text/csv",
    ".rdf": "application/rdf+xml",
}


def media_type(path: str) -> str:
    """The IANA media type of a published file, by extension.

    >>> media_type("graph.nt.gz")
    'application/gzip'
    >>> media_type("SHA256SUMS")
    'text/plain'
    """
    suffix = Path(path).suffix.lower()
    if not suffix:
        return "text/plain"
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


def write_file(root: Path, relative: str, data: bytes) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def copy_tree(source: Path, root: Path, prefix: str) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and "__pycache__" not in path.parts:
            write_file(root, f"{prefix}/{path.relative_to(source).as_posix()}", path.read_bytes())


def file_entries(
    root: Path, exclude: Sequence[str] = (), known: Mapping[str, tuple[int, str]] | None = None
) -> list[FileEntry]:
    """Every published file with its size, SHA-256 and media type; ``known`` gives the
    (size, SHA-256) of files hashed as they were written (the dumps), not read again."""
    entries = []
    known = known or {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative in exclude or relative.startswith(f"{STORE_DIR}/"):
            continue
        size = path.stat().st_size
        if relative in known and known[relative][0] == size:
            digest = known[relative][1]
        else:
            digest = file_sha256(path)
        entries.append(FileEntry(relative, size, digest, media_type(relative)))
    return entries


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (the digests of ``SHA256SUMS``)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_out(out: Path) -> None:
    """Refuse to replace anything that is not a previous build (after clearing what killed
    builds left beside it)."""
    clean_stale_builds(out)
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise BuildError(
            f"{out}: not empty and not a previous build (no manifest.json); refusing to replace it"
        )


def scratch_prefix(out: Path) -> str:
    """``.dist.<pid>.``: a build's scratch directories carry its process id, so the next
    build can tell a killed build's leftovers from a build still running."""
    return f".{out.name}.{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_builds(out: Path) -> list[Path]:
    """Remove what killed builds left next to ``out``; returns what was removed or restored.

    A ``.tmp`` directory is a half-written build; a ``.old`` one is the previous build set
    aside during the swap: if the build died between the two renames, ``out`` is missing
    and the ``.old`` copy is the last good publication, so it is put back. Directories of a
    build whose process still runs are left alone; ones without a process id (older
    versions) only when more than an hour old.
    """
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(?:(\d+)\.)?[^/]*\.(tmp|old)")
    handled: list[Path] = []
    if not out.parent.is_dir():
        return handled
    for candidate in sorted(out.parent.iterdir()):
        match = pattern.fullmatch(candidate.name)
        if not match or not candidate.is_dir():
            continue
        pid = match.group(1)
        if pid is not None and _pid_alive(int(pid)):
            continue
        if pid is None and time.time() - candidate.stat().st_mtime < 3600:
            continue
        if match.group(2) == "old" and not out.exists():
            candidate.rename(out)
            log.warning("restored %s from %s (a build was killed mid-swap)", out, candidate)
        else:
            shutil.rmtree(candidate, ignore_errors=True)
            log.info("removed %s, left by a killed build", candidate)
        handled.append(candidate)
    return handled


def swap(tmp: Path, out: Path) -> None:
    """Put the new build in place with renames; the old one is removed only afterwards."""
    if not out.exists():
        tmp.rename(out)
        return
    backup = Path(tempfile.mkdtemp(prefix=scratch_prefix(out), suffix=".old", dir=out.parent))
    backup.rmdir()
    out.rename(backup)
    try:
        tmp.rename(out)
    except BaseException:
        backup.rename(out)
        raise
    shutil.rmtree(backup, ignore_errors=True)
