"""Peak memory of ``ifrc-kg validate`` on growing inputs: streamed (``validate_files``, a
report at a time) from N-Quads, N-Triples and JSON-LD, against the whole dataset in one
rdflib graph (``validate``).

    .venv/bin/python -m bench.validate_files [--dist DIR] [--copies 1 4 8] [--whole-up-to 8]

The input is the build's N-Quads with its report graph copied under other years (every IRI
with ``mli/2023`` renamed, so each copy is a report graph of its own; the reference,
vocabulary and findings graphs once); the same triples without their graphs as N-Triples
(split by subject); as JSON-LD written as the build writes ``graph.jsonld`` (one object: its
``@context`` inline and every node in a top-level ``@graph``, keys in the streaming
profile's order, ``@type`` then ``@id`` first, which pyoxigraph parses without holding the
``@graph``); and as that JSON-LD with its keys sorted, as other writers do, which it parses
holding the ``@graph`` (a last table parses those two alone, at ``--parse-copies``). Each
validation runs in a fresh process, which reports its own peak resident memory (``VmHWM``:
``ru_maxrss`` would keep across ``exec`` the peak of this process, which generated the
inputs); the whole-graph one (of the N-Quads) only up to ``--whole-up-to`` copies.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bench import REPO, dist_or_build
from bench.stores import load_average
from ifrc_kg.dumps import JsonLdCompactor, jsonld_document

REPORT_KEY = "mli/2023"

MEASURE = """
import json, os, sys, time
from pathlib import Path
from bench.stores import peak_rss_mib
path, how = Path(sys.argv[1]), sys.argv[2]
started = time.perf_counter()
if how == "parsed":
    from ifrc_kg.quad_stream import quads
    triples = sum(1 for _ in quads(path))
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "peak_mib": peak_rss_mib(os.getpid()),
        "triples": triples,
    }))
    sys.exit()
if how == "streamed":
    from ifrc_kg.validate_files import validate_files
    report = validate_files([path]).report
else:
    from ifrc_kg.validate import read_rdf, validate
    report = validate(read_rdf([path]))
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "peak_mib": peak_rss_mib(os.getpid()),
    "triples": report.triples,
    "headline": report.headline(),
}))
"""


def corpus(dist: Path, copies: int, out: Path) -> Path:
    """The build's quads with its report graph repeated ``copies`` times under other keys."""
    report_lines, other_lines = [], []
    for line in (dist / "graph.nq").read_text(encoding="utf-8").splitlines(keepends=True):
        (report_lines if line.rstrip().endswith(f"graph/{REPORT_KEY}> .") else other_lines).append(
            line
        )
    with out.open("w", encoding="utf-8") as written:
        written.writelines(other_lines)
        for copy in range(copies):
            key = f"mli/{3000 + copy}" if copy else REPORT_KEY
            written.writelines(line.replace(REPORT_KEY, key) for line in report_lines)
    return out


def as_triples(quads: Path, dist: Path) -> tuple[Path, Path, Path]:
    """The quads' triples as N-Triples; as JSON-LD written as the build writes
    ``graph.jsonld`` (the streaming profile); and as the same JSON-LD with sorted keys."""
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=quads)]
    nt = quads.with_suffix(".nt")
    ox.serialize(triples, nt, ox.RdfFormat.N_TRIPLES)
    context = json.loads((dist / "context.jsonld").read_text(encoding="utf-8"))
    lines = sorted(set(nt.read_bytes().splitlines(keepends=True)))
    nodes = JsonLdCompactor(context).nodes(b"".join(lines))
    jsonld = quads.with_suffix(".jsonld")
    sorted_keys = quads.with_name(f"{quads.stem}-sorted.jsonld")
    jsonld.write_bytes(b"".join(jsonld_document(context, [nodes])))
    reordered = [json.dumps(json.loads(node), sort_keys=True) for node in nodes]
    sorted_keys.write_bytes(b"".join(jsonld_document(context, [reordered])))
    return nt, jsonld, sorted_keys


def measure(path: Path, how: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), how],
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
        cwd=REPO,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, help="a build (default: build data/reports)")
    parser.add_argument("--copies", type=int, nargs="*", default=[1, 4, 8])
    parser.add_argument("--whole-up-to", type=int, default=8)
    parser.add_argument("--parse-copies", type=int, nargs="*", default=[8, 32])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        dist = dist_or_build(args.dist, Path(scratch))
        print(f"load average {load_average()}")
        print(
            "| report graphs | triples | N-Quads streamed: peak MiB | s"
            " | N-Triples streamed: peak MiB | s | JSON-LD as built: peak MiB | s"
            " | JSON-LD, keys sorted: peak MiB | s | whole: peak MiB | s |"
        )
        print("|---" * 12 + "|")
        for copies in args.copies:
            quads = corpus(dist, copies, Path(scratch) / f"corpus-{copies}.nq")
            clock = time.perf_counter()
            runs = [measure(path, "streamed") for path in (quads, *as_triples(quads, dist))]
            whole = measure(quads, "whole") if copies <= args.whole_up_to else None
            cells = [f"{run['peak_mib']:.0f} | {run['seconds']:.1f}" for run in runs]
            cells.append(f"{whole['peak_mib']:.0f} | {whole['seconds']:.1f}" if whole else "– | –")
            print(f"| {copies} | {runs[0]['triples']:,} | " + " | ".join(cells) + " |", flush=True)
            for run in [*runs[1:], *([whole] if whole else [])]:
                if run["headline"] != runs[0]["headline"]:
                    print(f"  DIFFER: {runs[0]['headline']} / {run['headline']}")
            print(f"  ({time.perf_counter() - clock:.0f} s)", file=sys.stderr)
        print("\n| report graphs | JSON-LD as built: parse peak MiB | s | keys sorted | s |")
        print("|---" * 5 + "|")
        for copies in args.parse_copies:  # parsing alone: what JSON-LD's parser holds
            quads = corpus(dist, copies, Path(scratch) / f"corpus-{copies}.nq")
            _, as_built, sorted_keys = as_triples(quads, dist)
            runs = [measure(path, "parsed") for path in (as_built, sorted_keys)]
            cells = [f"{run['peak_mib']:.0f} | {run['seconds']:.1f}" for run in runs]
            print(f"| {copies} | " + " | ".join(cells) + " |", flush=True)
        print(f"load average {load_average()}")


if __name__ == "__main__":
    main()
