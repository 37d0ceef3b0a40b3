"""Verify a build before serving it: every file its ``SHA256SUMS`` lists is there, whole.

A dist whose graph file is empty or cut short would otherwise be served as if it were the
data. The build writes ``manifest.json`` (files with size and checksum) and ``SHA256SUMS``
(every file, the manifest too); both must agree with the files on disk. A directory with
neither (a hand-made test dataset) is served with a warning: there is nothing to verify.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

from ifrc_kg.errors import IfrcKgError

log = logging.getLogger(__name__)

_SUM_LINE = re.compile(r"([0-9a-f]{64})  (\S(?:.*\S)?)")


class DamagedDist(IfrcKgError):
    """The build directory does not match its own checksums or manifest."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    """Check ``dist`` against its checksums and manifest; the manifest, or None if absent.

    Raises ``DamagedDist`` naming the first file that is missing, of the wrong size or
    checksum, or a checksum list or manifest that is itself damaged.
    """
    sums_path, manifest_path = dist / "SHA256SUMS", dist / "manifest.json"
    if not sums_path.is_file() and not manifest_path.is_file():
        log.warning("%s has no SHA256SUMS or manifest.json: serving it unverified", dist)
        return None
    for needed in (sums_path, manifest_path):
        if not needed.is_file():
            raise DamagedDist(f"{needed}: missing (the build writes it; rebuild)")
    try:
        sums = _read_sums(sums_path)
    except UnicodeDecodeError:
        raise DamagedDist(f"{sums_path}: not UTF-8 text") from None
    manifest = _read_manifest(manifest_path)
    root = dist.resolve()
    for relative, expected in sums.items():
        path = (root / relative).resolve()
        if root not in path.parents:
            raise DamagedDist(f"{sums_path}: {relative!r} points outside the build")
        if not path.is_file():
            raise DamagedDist(f"{dist / relative}: listed in SHA256SUMS but missing")
        if _sha256(path) != expected:
            raise DamagedDist(f"{dist / relative}: does not match its SHA256SUMS checksum")
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
    return manifest
