"""Verify a build before serving it: every file its ``SHA256SUMS`` lists is there, whole.

A dist whose graph file is empty or cut short would otherwise be served as if it were the
data. The build writes ``manifest.json`` (files with size and checksum) and ``SHA256SUMS``
(every file, the manifest too); both must agree with the files on disk. A directory with
neither (a hand-made test dataset) is served with a warning: there is nothing to verify.

At 20M quads the dumps are some 17 GiB, and a 1,000-report build has 6,000 per-report files:
hashing them all before the first answer would take a minute or more. So ``serve`` checks at
start the checksum list, the manifest, every file's presence and size, the checksum of every
file the server reads to answer (``READ_BY_SERVER``), and of the smallest other files up to
``IFRC_KG_VERIFY_AT_START_MB`` in all; the rest, files it only sends, are hashed in a
background thread, and ``/dumps/`` hashes a file that is not verified yet (or changed since:
inode, size or modification time) before sending it, refusing it with a 503 problem when it
does not match (``FileChecks``). ``/health`` says how far the checks got. The start is thus
bounded whatever the size of the corpus.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path
from typing import Any

from ifrc_kg.errors import IfrcKgError
from ifrc_kg.outdir import file_sha256

log = logging.getLogger(__name__)

_SUM_LINE = re.compile(r"([0-9a-f]{64})  (\S(?:.*\S)?)")
#: the files ``serve`` reads to answer, not only sends: hashed before start whatever their size
#: (the dataset description, the search and figures index, the ontology it serves pages from;
#: the graph file a small build is loaded from is checked by ``server/site.py`` before loading)
READ_BY_SERVER = frozenset({"void.ttl", "search.sqlite", "ontology/core.ttl"})


class DamagedDist(IfrcKgError):
    """The build directory does not match its own checksums or manifest."""


class BuildReplaced(IfrcKgError):
    """A new build was swapped into the directory being served (``server/reopen.py`` serves
    it within seconds); its files are not the ones the served checksums describe."""


def _read_sums(path: Path) -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _SUM_LINE.fullmatch(line)
        if not match:
            raise DamagedDist(f"{path}:{number}: not a 'sha256  path' line")
        sums[match.group(2)] = match.group(1)
    return sums


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DamagedDist(f"{path}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise DamagedDist(f"{path}: no list of files")
    return manifest


def verify_dist(dist: Path) -> dict[str, Any] | None:
    """Check ``dist`` against its checksums and manifest, hashing every file now; the
    manifest, or None if absent.

    Raises ``DamagedDist`` naming the first file that is missing, of the wrong size or
    checksum, or a checksum list or manifest that is itself damaged.
    """
    manifest, _ = open_checks(dist, defer_bytes=None)
    return manifest


def open_checks(
    dist: Path, defer_bytes: int | None
) -> tuple[dict[str, Any] | None, FileChecks | None]:
    """Check ``dist``'s checksum list and manifest, that every file is there with its size,
    and the checksum of the files in ``READ_BY_SERVER`` and of the smallest others up to
    ``defer_bytes`` in all (every file with None); the manifest and the checks that remain
    (``FileChecks``), or (None, None) when there is nothing to verify.
    """
    sums_path, manifest_path = dist / "SHA256SUMS", dist / "manifest.json"
    if not sums_path.is_file() and not manifest_path.is_file():
        log.warning("%s has no SHA256SUMS or manifest.json: serving it unverified", dist)
        return None, None
    for needed in (sums_path, manifest_path):
        if not needed.is_file():
            raise DamagedDist(f"{needed}: missing (the build writes it; rebuild)")
    try:
        sums = _read_sums(sums_path)
    except UnicodeDecodeError:
        raise DamagedDist(f"{sums_path}: not UTF-8 text") from None
    manifest = _read_manifest(manifest_path)
    root = dist.resolve()
    sizes = {
        entry.get("path"): entry.get("bytes")
        for entry in manifest["files"]
        if isinstance(entry, dict)
    }
    checks = FileChecks(dist, sums)
    found: dict[str, int] = {}
    for relative in sums:
        path = (root / relative).resolve()
        if root not in path.parents:
            raise DamagedDist(f"{sums_path}: {relative!r} points outside the build")
        if not path.is_file():
            raise DamagedDist(f"{dist / relative}: listed in SHA256SUMS but missing")
        found[relative] = path.stat().st_size
    budget = defer_bytes
    for relative in sorted(found, key=lambda name: (name not in READ_BY_SERVER, found[name])):
        size = found[relative]
        if relative in READ_BY_SERVER or budget is None or size <= budget:
            checks.check(relative)
            if budget is not None and relative not in READ_BY_SERVER:
                budget -= size
        elif sizes.get(relative) not in (None, size):
            raise DamagedDist(f"{dist / relative}: size differs from manifest.json")
    for entry in manifest["files"]:
        relative = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(relative, str) or relative not in sums:
            raise DamagedDist(f"{manifest_path}: file {relative!r} is not in SHA256SUMS")
        if entry.get("sha256") not in (None, sums[relative]):
            raise DamagedDist(f"{dist / relative}: checksum differs from manifest.json")
        size = entry.get("bytes")
        if size is not None and (dist / relative).stat().st_size != size:
            raise DamagedDist(f"{dist / relative}: size differs from manifest.json")
    if not any(name in sums for name in ("graph.trig", "graph.nq")):
        raise DamagedDist(f"{sums_path}: lists no graph.trig or graph.nq")
    return manifest, checks


def _signature(path: Path) -> tuple[int, int, int]:
    """What changes when a file is replaced or written: inode, size, modification time."""
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class FileChecks:
    """The checksums of a served build, each file hashed once per version of it.

    ``check`` hashes a file unless it was hashed with the same inode, size and modification
    time; a file written or replaced after start is hashed again before it is served, and
    refused when it no longer matches. ``start`` hashes the rest in a background thread, so
    ``serve`` answers seconds after start and ``/health`` says how far it got.
    """

    def __init__(self, dist: Path, sums: dict[str, str]) -> None:
        self.dist = dist
        self.sums = sums
        self._good: dict[str, tuple[int, int, int]] = {}
        self._damaged: dict[str, str] = {}
        self._locks = {relative: threading.Lock() for relative in sums}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._publication = _signature(dist / "manifest.json")

    def check(self, relative: str) -> None:
        """Raise ``DamagedDist`` unless ``relative`` (a path of SHA256SUMS) matches its sum;
        a path the list does not name is not checked."""
        if relative not in self.sums:
            return
        try:
            replaced = _signature(self.dist / "manifest.json") != self._publication
        except OSError:
            replaced = True
        if replaced:
            raise BuildReplaced(f"{self.dist}: a new build is being put in place; try again")
        path = self.dist / relative
        with self._locks[relative]:
            try:
                signature = _signature(path)
            except OSError:
                self._damaged[relative] = "missing"
                raise DamagedDist(f"{path}: listed in SHA256SUMS but missing") from None
            if self._good.get(relative) == signature:
                return
            self._good.pop(relative, None)
            if file_sha256(path) != self.sums[relative]:
                self._damaged[relative] = "checksum"
                raise DamagedDist(f"{path}: does not match its SHA256SUMS checksum")
            self._damaged.pop(relative, None)
            self._good[relative] = signature

    def start(self) -> None:
        """Hash every file not hashed yet, in a daemon thread (a damaged one is logged)."""

        def run() -> None:
            for relative in self.sums:
                if self._stop.is_set():
                    return
                try:
                    self.check(relative)
                except DamagedDist as error:
                    log.error("%s", error)
                except BuildReplaced:
                    return

        self._thread = threading.Thread(target=run, name="ifrc-kg-checksums", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background checks; whether they are done."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def stop(self) -> None:
        self._stop.set()

    def status(self) -> dict[str, Any]:
        """For ``/health``: files verified, still to verify, and those that did not match."""
        return {
            "verified": len(self._good),
            "pending": len(self.sums) - len(self._good) - len(self._damaged),
            "damaged": sorted(self._damaged),
        }
