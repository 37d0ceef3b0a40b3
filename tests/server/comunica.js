// Comunica (npm @comunica/query-sparql, pinned in package.json) as a client of the endpoint:
//   node comunica.js ENDPOINT < queries.json
// reads a JSON list of {kind, query, accept} (kind: bindings, boolean or quads; accept, if
// given, replaces the Accept header Comunica sends, to make the endpoint answer in another
// of the formats Comunica reads) and prints a JSON list with, for each query in turn,
// {answer} (bindings: one object per row, variable -> term; boolean: true/false; quads: one
// [subject, predicate, object] per triple) or {error: Comunica's message}. One process for
// many queries: Comunica takes seconds to start.
'use strict';

const { QueryEngine } = require('@comunica/query-sparql');

function term(node) {
  const out = { type: node.termType, value: node.value };
  if (node.termType === 'Literal') {
    out.datatype = node.datatype.value;
    out.language = node.language;
  }
  return out;
}

function contextFor(endpoint, accept) {
  const context = { sources: [{ type: 'sparql', value: endpoint }] };
  if (accept) {
    context.fetch = (input, init) => {
      const headers = new Headers(init && init.headers);
      headers.set('Accept', accept);
      return fetch(input, { ...init, headers });
    };
  }
  return context;
}

async function run(engine, endpoint, { kind, query, accept }) {
  const context = contextFor(endpoint, accept);
  if (kind === 'bindings') {
    const rows = await (await engine.queryBindings(query, context)).toArray();
    return rows.map((row) => {
      const out = {};
      for (const [variable, node] of row) out[variable.value] = term(node);
      return out;
    });
  }
  if (kind === 'boolean') return engine.queryBoolean(query, context);
  if (kind === 'quads') {
    const quads = await (await engine.queryQuads(query, context)).toArray();
    return quads.map((q) => [term(q.subject), term(q.predicate), term(q.object)]);
  }
  throw new Error(`unknown kind ${kind}: bindings, boolean or quads`);
}

async function main() {
  const endpoint = process.argv[2];
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const results = [];
  for (const job of jobs) {
    // a fresh engine per query: no cache carries one answer into the next
    try {
      results.push({ answer: await run(new QueryEngine(), endpoint, job) });
    } catch (error) {
      results.push({ error: String(error && error.message ? error.message : error) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`comunica: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
