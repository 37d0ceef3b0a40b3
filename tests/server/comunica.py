"""Comunica, a JavaScript SPARQL client (npm, pinned in package.json, installed by
``make web``), run with node on ``comunica.js`` against a served endpoint, and the same
query run on the embedded store, both as comparable values."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from ifrc_kg.server.site import find_node_modules

SCRIPT = Path(__file__).with_name("comunica.js")


@dataclass(frozen=True)
class Job:
    """One query for Comunica: ``kind`` is bindings, boolean or quads; ``accept`` replaces
    the Accept header it sends (None: its own)."""

    kind: str
    query: str
    accept: str | None = None


def comunica(endpoint: str, jobs: list[Job]) -> list[dict[str, object]]:
    """Run the queries through Comunica in one node process: for each, ``{"answer": …}``
    (rows and triples sorted) or ``{"error": message}``. Skipped, with the reason, only when
    node is absent; Comunica missing is a failure (``make web`` installs it)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Comunica (a JavaScript client) cannot run")
    modules = find_node_modules()
    assert modules is not None and (modules / "@comunica/query-sparql").is_dir(), (
        "Comunica is not installed: run `make web`"
    )
    done = subprocess.run(
        [node, str(SCRIPT), endpoint],
        input=json.dumps([job.__dict__ for job in jobs]),
        capture_output=True,
        text=True,
        timeout=600,
        env={"NODE_PATH": str(modules), "PATH": str(Path(node).parent)},
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for job, result in zip(jobs, results, strict=True):
        if "answer" in result and job.kind != "boolean":
            result["answer"] = sorted(result["answer"], key=json.dumps)
    return results


def _term(term: ox.Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "NamedNode", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "BlankNode", "value": term.value}
    assert isinstance(term, ox.Literal)
    return {
        "type": "Literal",
        "value": term.value,
        "datatype": term.datatype.value,
        "language": term.language or "",
    }


def store_answer(store: ox.Store, kind: str, query: str) -> object:
    """The embedded store's answer in Comunica's shape (rows and triples sorted)."""
    answer = store.query(query)
    if kind == "boolean":
        return bool(answer)
    if kind == "quads":
        triples = [[_term(t.subject), _term(t.predicate), _term(t.object)] for t in answer]
        return sorted(triples, key=json.dumps)
    rows = []
    for solution in answer:
        rows.append(
            {
                variable.value: _term(solution[variable])
                for variable in answer.variables
                if solution[variable] is not None
            }
        )
    return sorted(rows, key=json.dumps)
