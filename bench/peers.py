"""ifrc-kg serve vs Oxigraph server vs Virtuoso, side by side in one run, on the same quads.

    .venv/bin/python -m bench.peers [--triples 1000000] [--rounds 5] [--systems ...]
    .venv/bin/python -m bench.peers --build bench/.cache/corpus/dist   # a real build, served as is

Data: the report-shaped N-Quads of ``bench.reports`` (cached in bench/.cache/), or with
``--build`` a real build's quads (its graph.nq, void.ttl and graph.nt; ifrc-kg serves that
build itself, its start-up then without writing a store). Queries: the
query page's examples, the users' questions of bench/questions/*.rq, a point lookup, text
search in labels, class statistics and ``COUNT(*)``. Per system: one warm-up, then the
median of ``--rounds`` timed runs over HTTP (one keep-alive client; a query whose warm-up
took over 5 s is timed once); the answers of all
systems are compared as sorted multisets of rows (numbers compared by value; a ``LIMIT``
without ``ORDER BY`` by row count only). Then throughput with 4 concurrent clients (the
point lookup and each example, bounded in count and time) and the fixed cost of
``ASK {}`` and of a one-resource ``ASK`` that reads the store. Everything runs on
127.0.0.1. Prints Markdown tables; writes the figures to bench/.cache/peers-<triples>.json
(peers-build-<quads>.json)
for a before/after comparison.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx

from bench import peer_systems as ps
from bench.engines import CACHE

QUESTIONS = Path(__file__).parent / "questions"
ACCEPT = {"Accept": "application/sparql-results+json"}
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + name for name in ("integer", "decimal", "double", "float", "int", "long")}
POINT = "https://w3id.org/ifrc-kg/id/observation/aus/2022/indicators/coordination-meetings"
THROUGHPUT_REQUESTS = 40
THROUGHPUT_LIMIT_S = 60.0
SLOW_S = 5.0


def queries() -> dict[str, str]:
    """Name → SPARQL of every benchmark query, in table order."""
    from ifrc_kg.server.examples import EXAMPLES

    found = {f"example {example.key}": example.query for example in EXAMPLES}
    for path in sorted(QUESTIONS.glob("*.rq")):
        found[path.stem] = path.read_text(encoding="utf-8")
    found["point lookup"] = f"SELECT ?p ?o WHERE {{ <{POINT}> ?p ?o }}"
    found["text search in labels"] = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?s ?label WHERE { ?s rdfs:label ?label "
        'FILTER(CONTAINS(LCASE(STR(?label)), "water")) }'
    )
    found["class statistics"] = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
    found["COUNT(*)"] = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    return found


def _term(binding: dict | None) -> tuple:
    """A result term in a form every system agrees on (numbers by value, xsd:string plain)."""
    if binding is None:
        return ("unbound",)
    kind = binding["type"]
    if kind == "uri":
        return ("iri", binding["value"])
    if kind == "bnode":
        return ("bnode",)
    datatype = binding.get("datatype")
    value = binding["value"]
    if datatype in NUMERIC:
        try:
            return ("number", f"{float(Decimal(value)):.9g}")
        except InvalidOperation:
            return ("literal", value, datatype)
    if datatype == XSD + "boolean":
        return ("boolean", value in ("true", "1"))
    if datatype == XSD + "string":
        datatype = None
    return ("literal", value, datatype, binding.get("xml:lang"))


def answer_of(body: dict) -> tuple[int, list]:
    """(row count, the rows as a sorted multiset)."""
    if "boolean" in body:
        return 1, [(body["boolean"],)]
    names = body["head"]["vars"]
    rows = [tuple(_term(row.get(name)) for name in names) for row in body["results"]["bindings"]]
    return len(rows), sorted(rows, key=repr)


def ask(client: httpx.Client, system: ps.System, query: str) -> dict:
    response = client.post(system.query_url, data={"query": query, **system.params})
    if response.status_code != 200:
        raise RuntimeError(f"{system.name}: {response.status_code} {response.text[:300]}")
    return response.json()


def time_queries(system: ps.System, named: dict[str, str], rounds: int) -> dict[str, dict]:
    """Median seconds of each query after a warm-up, and its answer."""
    figures: dict[str, dict] = {}
    with httpx.Client(timeout=300, headers=ACCEPT) as client:
        for name, query in named.items():
            try:
                started = time.perf_counter()
                body = ask(client, system, query)  # warm-up, and the answer compared
                # a query slower than SLOW_S is timed once more, not ``rounds`` times
                repeat = rounds if time.perf_counter() - started < SLOW_S else 1
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    ask(client, system, query)
                    times.append(time.perf_counter() - started)
                count, rows = answer_of(body)
                figures[name] = {"median_s": statistics.median(times), "rows": count}
                figures[name]["answer"] = rows
            except (RuntimeError, ValueError, httpx.HTTPError) as error:  # a cut answer too
                figures[name] = {"error": str(error)[:200]}
            print(f"  {system.name} {name}: {figures[name].get('median_s', 'error')}", flush=True)
    return figures


def throughput(system: ps.System, query: str, clients: int = 4) -> float:
    """Answers per second with ``clients`` concurrent clients (bounded in count and time)."""
    give_up = time.monotonic() + THROUGHPUT_LIMIT_S
    done = [0]

    def one_client(requests: int) -> None:
        with httpx.Client(timeout=300, headers=ACCEPT) as client:
            for _ in range(requests):
                if time.monotonic() > give_up:
                    return
                ask(client, system, query)
                done[0] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one_client, [THROUGHPUT_REQUESTS // clients] * clients))
    return done[0] / (time.perf_counter() - started)


# a query that reads the store, for the fixed cost of one that reaches ifrc-kg's workers
# (``ASK {}`` reads nothing, and ifrc-kg answers it in the web process)
ASK_ONE = f"ASK {{ <{POINT}> ?p ?o }}"


def fixed_cost(system: ps.System, query: str = "ASK {}", requests: int = 200) -> float:
    """Median seconds of ``query`` over HTTP, one keep-alive client, after 20 warm-ups."""
    times = []
    with httpx.Client(timeout=30, headers=ACCEPT) as client:
        for number in range(20 + requests):
            started = time.perf_counter()
            ask(client, system, query)
            if number >= 20:
                times.append(time.perf_counter() - started)
    return statistics.median(times)


def run_system(
    name: str, data: list[Path], union: Path, work: Path, rounds: int, build: Path | None
) -> dict:
    start = {
        "ifrc-kg": lambda: ps.start_ifrc_kg(data, union, work, build),
        "oxigraph": lambda: ps.start_oxigraph(data, union, work),
        "virtuoso": lambda: ps.start_virtuoso(data, union, work),
    }[name]
    system = start()
    try:
        result = {"load_s": system.load_s, "queries": time_queries(system, queries(), rounds)}
        result["ask_s"] = fixed_cost(system)
        result["ask_one_s"] = fixed_cost(system, ASK_ONE)
        picked = {k: q for k, q in queries().items() if k.startswith("example ")}
        picked["point lookup"] = queries()["point lookup"]
        result["throughput"] = {key: throughput(system, query) for key, query in picked.items()}
        result["rss_mib"] = ps.rss_mib(system.process.pid)
        result["pss_mib"] = ps.pss_mib(system.process.pid)
    finally:
        ps.stop(system)
    return result


def _limit_without_order(query: str) -> bool:
    return bool(re.search(r"\bLIMIT\b", query, re.I)) and not re.search(r"ORDER\s+BY", query, re.I)


def same_answers(results: dict[str, dict], name: str, query: str) -> str:
    answers = [r["queries"][name] for r in results.values()]
    if any("error" in answer for answer in answers):
        return "error"
    if _limit_without_order(query):
        return "same count" if len({a["rows"] for a in answers}) == 1 else "COUNTS DIFFER"
    first = answers[0]["answer"]
    return "same" if all(answer["answer"] == first for answer in answers) else "DIFFER"


def _ms(seconds: float | None) -> str:
    return "error" if seconds is None else f"{seconds * 1000:,.1f}"


def report(results: dict[str, dict], quads: int) -> str:
    systems = list(results)
    load = os.getloadavg()
    lines = [f"{quads:,} quads; load average at the end {load[0]:.2f} (2 cores)", ""]
    lines.append("| query | " + " | ".join(f"{s} ms" for s in systems) + " | rows | answers |")
    lines.append("|---|" + "---|" * (len(systems) + 2))
    ratios: dict[str, list[float]] = {peer: [] for peer in systems[1:]}
    best: list[float] = []  # the measure: ifrc-kg ÷ the faster peer, query by query
    slower: list[str] = []
    for name, query in queries().items():
        medians = [results[s]["queries"][name].get("median_s") for s in systems]
        peers = [m for m in medians[1:] if m]
        if medians[0] and peers:
            best.append(medians[0] / min(peers))
            if best[-1] > 1:
                slower.append(name)
        rows = results[systems[0]]["queries"][name].get("rows", "?")
        verdict = same_answers(results, name, query) if len(systems) > 1 else "-"
        lines.append(
            f"| {name} | " + " | ".join(_ms(m) for m in medians) + f" | {rows} | {verdict} |"
        )
        for peer, median in zip(systems[1:], medians[1:], strict=True):
            if median and medians[0]:
                ratios[peer].append(medians[0] / median)
    lines.append("")
    for peer, values in ratios.items():
        mean = math.exp(sum(math.log(v) for v in values) / len(values)) if values else math.nan
        lines.append(f"- geometric mean, {systems[0]} ÷ {peer}: {mean:.2f}x over {len(values)}")
    if len(systems) > 2 and best:
        mean = math.exp(sum(math.log(v) for v in best) / len(best))
        lines.append(
            f"- geometric mean, {systems[0]} ÷ the faster peer of each query: {mean:.2f}x over "
            f"{len(best)}; slower than the faster peer on {len(slower)}: {', '.join(slower)}"
        )
    lines += ["", "| 4 clients, answers/s | " + " | ".join(systems) + " |"]
    lines.append("|---|" + "---|" * len(systems))
    for key in results[systems[0]]["throughput"]:
        cells = [f"{results[s]['throughput'][key]:.1f}" for s in systems]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    for label, key, show in (
        ("`ASK {}` over HTTP, median ms", "ask_s", lambda v: f"{v * 1000:.2f}"),
        ("`ASK { <lookup> ?p ?o }` over HTTP, median ms", "ask_one_s", lambda v: f"{v * 1000:.2f}"),
        ("load / start-up, s", "load_s", lambda v: f"{v:.0f}"),
        ("resident memory after the run (RSS summed), MiB", "rss_mib", lambda v: f"{v:,.0f}"),
        ("proportional memory after the run (PSS summed), MiB", "pss_mib", lambda v: f"{v:,.0f}"),
    ):
        lines.append(f"| {label} | " + " | ".join(show(results[s][key]) for s in systems) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--systems", nargs="+", default=["ifrc-kg", "oxigraph", "virtuoso"])
    parser.add_argument(
        "--build",
        type=Path,
        help="a real build's dist/ (e.g. bench.build's 1,000 reports) instead of --triples",
    )
    args = parser.parse_args()
    if args.build:
        data, union = ps.inputs_of_build(args.build)
        label = f"build-{json.loads((args.build / 'manifest.json').read_text())['quads']}"
    else:
        generated = CACHE / f"reports-{args.triples}.nq"
        if not generated.exists():
            from bench.reports import write_nquads

            write_nquads(args.triples, generated)
        data = [ps.with_catalog(generated)]
        union = ps.union_triples(data[0])
        label = str(args.triples)
    if "virtuoso" in args.systems and not Path(ps.VIRTUOSO).is_file():
        print("virtuoso-t not found (Debian virtuoso-opensource): left out", file=sys.stderr)
        args.systems.remove("virtuoso")
    print(f"load average at the start {os.getloadavg()[0]:.2f}", file=sys.stderr)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as work:
        for name in args.systems:
            directory = Path(work) / name
            directory.mkdir()
            results[name] = run_system(name, data, union, directory, args.rounds, args.build)
    quads = sum(sum(1 for _ in path.open("rb")) for path in data)
    text = report(results, quads)
    print(text)
    saved = {name: {k: v for k, v in r.items()} for name, r in results.items()}
    for result in saved.values():
        result["queries"] = {
            k: {f: v for f, v in q.items() if f != "answer"} for k, q in result["queries"].items()
        }
    (CACHE / f"peers-{label}.json").write_text(json.dumps(saved, indent=1), "utf-8")


if __name__ == "__main__":
    main()
