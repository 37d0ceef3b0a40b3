"""The corpus assembly alone, at a scale no full build fits in a session (20M quads).

    .venv/bin/python -m bench.assemble [--quads 20000000] [--keep]

Builds two generated reports (``bench/reports.py``) for real, then makes as many pieces as
``--quads`` needs by hard-linking the first report's cached piece under new report keys
(``ZZ0001`` …): every piece has a real piece's files and size, only the key differs. Then
times what ``ifrc-kg build`` does after the per-report work: the labels, the whole dumps
(``assemble.write_dumps``: ten files, concatenated and hashed in parallel threads) and the
per-report dumps (``write_report_dumps``: hard links from the cache), once from a cold
assembly cache and once warm (an incremental build's case: every chunk cached).

``--serve-with DIST``: then puts the warm dumps in place of ``DIST``'s (a real build's other
files, hard-linked, its checksums and manifest rewritten for the new dumps) and times
``ifrc-kg serve`` until ``/health`` answers, and until its background checks verified every
file (``bench.store_open.serve_start``): a server over 20M quads' worth of dumps. Its store
stays ``DIST``'s (opening a store does not grow with its size: ``bench.store_open``). The pieces
share their bytes, so the dumps hold each of those statements many times; what is measured
is the cost of writing 20M quads' worth of dumps, not their content. The on-disk store is
not part of this bench (``bench.store_open`` loads one).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from bench.reports import write_corpus

ROOT = Path(__file__).parent / ".cache" / "assemble"


def _pieces(count: int, cache: Path) -> list:
    """``count`` pieces: the first real piece's files hard-linked under new keys."""
    from ifrc_kg.pipeline import Job, build_pieces, code_fingerprint
    from ifrc_kg.publish import _context

    reports = ROOT / "reports"
    paths = write_corpus(2, reports)
    fingerprint, context = code_fingerprint(), _context()
    jobs = [Job(p, "https://w3id.org/ifrc-kg/", True, cache, fingerprint, context) for p in paths]
    [real, *_] = build_pieces(jobs, workers=2)
    assert real.entry is not None and not real.failed
    pieces = []
    for index in range(count):
        key = f"{index:06d}-{real.key}"
        directory = cache / "generated" / key
        if not directory.is_dir():
            directory.mkdir(parents=True)
            for source in Path(real.directory).iterdir():
                os.link(source, directory / source.name)
        piece = copy.copy(real)
        iso3 = f"Z{index // 1000:02d}"[:3]
        entry = dataclasses.replace(
            real.entry,
            iso3=iso3,
            key=f"{2000 + index % 1000}",
            graph=real.entry.graph + f"/copy/{index}",
        )
        piece.entry, piece.key, piece.directory = entry, key, str(directory)
        pieces.append(piece)
    return pieces


def _timed(label: str, timings: dict[str, float], function, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args)
    timings[label] = time.perf_counter() - started
    return result


def _serve(out: Path, dist: Path, dumps: dict[str, tuple[int, str]]) -> None:
    """Serve ``dist`` with the dumps of ``out`` in place of its own; print the timings."""
    from bench.store_open import serve_start

    for source in dist.rglob("*"):
        relative = source.relative_to(dist)
        target = out / relative
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif relative.as_posix() not in dumps and not target.exists():
            os.link(source, target)
    (out / "manifest.json").unlink()
    (out / "SHA256SUMS").unlink()
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] in dumps:
            entry["bytes"], entry["sha256"] = dumps[entry["path"]]
    data = (json.dumps(manifest, indent=2) + "\n").encode()
    (out / "manifest.json").write_bytes(data)
    sums = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    sums["manifest.json"] = hashlib.sha256(data).hexdigest()
    text = "".join(f"{sha}  {path}\n" for path, sha in sorted(sums.items()))
    (out / "SHA256SUMS").write_text(text, encoding="utf-8")
    size = sum(b for b, _ in dumps.values()) / 2**30
    for label, env in (
        ("big files hashed after start (the default)", {}),
        ("every file hashed before start", {"IFRC_KG_VERIFY_AT_START_MB": str(2**20)}),
    ):
        found = serve_start(out, wait_for_checks=True, env=env)
        print(
            f"serve over {size:.1f} GiB of dumps, {label}: /health after {found['start']:.1f} s, "
            f"every file verified after {found['verified']:.1f} s; load {os.getloadavg()}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quads", type=int, default=20_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the pieces for another run")
    parser.add_argument("--serve-with", type=Path, default=None, help="a build to serve them in")
    args = parser.parse_args()
    from ifrc_kg.assemble import shared_piece, with_labels, write_dumps, write_report_dumps
    from ifrc_kg.pipeline import code_fingerprint
    from ifrc_kg.publish import _context

    cache = ROOT / "cache"
    first = _pieces(1, cache)[0]
    own = json.loads(first.file_of("part.json").read_bytes())["quads"]  # its graph.nq share
    count = max(1, -(-args.quads // max(own, 1)))
    pieces = _pieces(count, cache)
    context, fingerprint = _context(), code_fingerprint()
    base = "https://w3id.org/ifrc-kg/"
    print(f"{count} pieces of {own:,} quads of their own; load average {os.getloadavg()}")
    for run in ("cold", "warm"):
        if run == "cold":
            for name in ("head", "others", "report-dumps", "labels"):
                shutil.rmtree(cache / name, ignore_errors=True)
        out = ROOT / f"dist-{run}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        timings: dict[str, float] = {}
        shared = _timed("shared", timings, shared_piece, base, cache, fingerprint, context)
        shared = _timed("labels", timings, with_labels, shared, pieces, base, cache, context)
        counts = _timed("dumps", timings, write_dumps, out, shared, pieces, context, cache)
        _timed("report dumps", timings, write_report_dumps, out, pieces, context, shared, cache)
        size = sum(size for size, _ in counts.files.values())
        print(
            f"{run}: {counts.quads:,} quads, {counts.triples:,} triples, dumps "
            f"{size / 2**30:.2f} GiB; "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
            + f"; total {sum(timings.values()):.1f} s; load average {os.getloadavg()}"
        )
        if run == "warm" and args.serve_with is not None:
            _serve(out, args.serve_with, counts.files)
        shutil.rmtree(out, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
