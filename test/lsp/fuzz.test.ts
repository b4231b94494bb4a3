/**
 * Fuzz: damaged manifests never crash the bundled server, never make it answer with a JSON-RPC error, and
 * never make it slower than 2 s. Each case takes a real manifest (the corpus from the upstream reference when
 * present, else our fixtures), damages it with 1 to 3 seeded mutations, and sends it as an editor does: didOpen,
 * one incremental didChange per mutation, wait for publishDiagnostics, completion or hover at a random place,
 * didClose.
 *
 * Every case has its own seed, so a failure names it and it runs alone again:
 *   STACKGRES_FUZZ_SEED=<seed> npx mocha --require tsx/cjs test/lsp/fuzz.test.ts
 * STACKGRES_FUZZ_MUTATIONS=<n> changes how many mutations a run makes (default 10,000, in about 5,000 cases),
 * STACKGRES_FUZZ_FROM the first seed.
 */
import * as assert from 'node:assert/strict';
import { DidCloseTextDocumentNotification, type Position, type Range } from 'vscode-languageserver-protocol';
import { LspClient } from './client';
import { at, type Case, makeCase, MUTATION_NAMES, mutationsOf, seeds } from './fuzzCases';

const DEADLINE_MS = 2_000;

/** Position of a UTF-16 offset, with LSP's line breaks (\n, \r\n, \r). */
function positionAt(text: string, offset: number): Position {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) {
        if (i + 1 >= offset) break; // inside \r\n: the position of the \r
        i++;
      }
      line++;
      start = i + 1;
    }
  }
  return { line, character: Math.max(0, Math.min(offset, text.length) - start) };
}

/** The one range edit that turns `before` into `after`, as an editor sends after typing or pasting. */
function editBetween(before: string, after: string): { range: Range; text: string } {
  let head = 0;
  const max = Math.min(before.length, after.length);
  while (head < max && before.charCodeAt(head) === after.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < max - head && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  // Never split a \r\n: positions cannot point between its two characters.
  if (head > 0 && before[head - 1] === '\r' && before[head] === '\n') head--;
  if (tail > 0 && before[before.length - tail - 1] === '\r' && before[before.length - tail] === '\n') tail--;
  return {
    range: { start: positionAt(before, head), end: positionAt(before, before.length - tail) },
    text: after.slice(head, after.length - tail),
  };
}

// ---- running ----------------------------------------------------------------------------------------------

interface Timing {
  slowestMs: number;
  slowest: string;
}

async function timed<T>(what: string, timing: Timing, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    const ms = performance.now() - started;
    if (ms > timing.slowestMs) Object.assign(timing, { slowestMs: ms, slowest: what });
    if (ms > DEADLINE_MS) throw new Error(`${what}: answered after ${Math.round(ms)} ms (limit ${DEADLINE_MS} ms)`);
  }
}

async function runCase(client: LspClient, c: Case, timing: Timing): Promise<void> {
  const uri = `file:///fuzz/${c.seed}.yaml`;
  client.open(uri, c.base.text);
  let before = c.base.text;
  for (const step of c.steps) {
    const edit = editBetween(before, step);
    client.change(uri, edit.text, edit.range);
    before = step;
  }
  await timed('diagnostics', timing, () => client.diagnosticsFor(uri, DEADLINE_MS + 500));
  // One question per case keeps 10,000 mutations within two minutes; over a run both are asked thousands of times.
  const position = positionAt(before, at(c.rng, before));
  const where = `line ${position.line + 1}, character ${position.character + 1}`;
  if (c.rng() < 0.5) await timed(`completion at ${where}`, timing, () => client.completion(uri, position));
  else await timed(`hover at ${where}`, timing, () => client.hover(uri, position));
  client.notify(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  const errors = client.logs.splice(0).filter((l) => /failed|error|exception/i.test(l));
  if (errors.length) throw new Error(`the server logged: ${errors.join('\n')}`);
  if (!client.alive) throw new Error(`the server exited: ${client.stderr.join('')}`);
}

/** Cases from STACKGRES_FUZZ_FROM (default 1) until they hold STACKGRES_FUZZ_MUTATIONS mutations (default 10,000). */
function seedsToRun(): number[] {
  const one = process.env.STACKGRES_FUZZ_SEED;
  if (one) return [Number(one)];
  const wanted = Number(process.env.STACKGRES_FUZZ_MUTATIONS ?? 10_000);
  const seeds: number[] = [];
  for (let seed = Number(process.env.STACKGRES_FUZZ_FROM ?? 1), n = 0; n < wanted; seed++) {
    seeds.push(seed);
    n += mutationsOf(seed);
  }
  return seeds;
}

describe('fuzz: damaged manifests against the bundled server', function () {
  // The limit for the whole run; each answer has its own 2 s deadline.
  this.timeout(240_000);

  it('no crash, no JSON-RPC error and no answer slower than 2 s, for every seeded mutation', async () => {
    const bases = seeds();
    const all = seedsToRun();
    // One server per core: cases are independent (own URI, opened and closed), so the order does not matter.
    const workers = all.length > 1 ? 2 : 1;
    const failures: string[] = [];
    const timing: Timing = { slowestMs: 0, slowest: '' };
    const byMutation = new Map<string, number>();
    const msByMutation = new Map<string, number>();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        let client = await LspClient.start(undefined, { validationDelay: 0 });
        try {
          for (let i = w; i < all.length && failures.length < 10; i += workers) {
            const c = makeCase(all[i], bases);
            if (all.length === 1) console.log(`      seed ${c.seed}: ${c.base.name}, ${c.mutations.join(', ')}; ${c.steps.at(-1)!.length} characters:\n${JSON.stringify(c.steps.at(-1)!.slice(0, 4_000))}`);
            for (const m of c.mutations) byMutation.set(m, (byMutation.get(m) ?? 0) + 1);
            const caseStarted = performance.now();
            try {
              await runCase(client, c, timing);
              for (const m of c.mutations) msByMutation.set(m, (msByMutation.get(m) ?? 0) + performance.now() - caseStarted);
            } catch (err) {
              failures.push(`seed ${c.seed} (${c.base.name}: ${c.mutations.join(', ')}): ${(err as Error).message}`);
              // A server that crashed, hung or broke its state would fail every case after this one.
              await client.stop();
              client = await LspClient.start(undefined, { validationDelay: 0 });
            }
          }
        } finally {
          await client.stop();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const costly = [...msByMutation].map(([m, ms]) => [m, ms / byMutation.get(m)!] as const).sort((a, b) => b[1] - a[1]).slice(0, 4);
    const mutations = all.reduce((n, seed) => n + mutationsOf(seed), 0);
    console.log(`      fuzz: ${mutations} mutations in ${all.length} cases from ${bases.length} manifests in ${seconds.toFixed(1)} s; slowest answer ${Math.round(timing.slowestMs)} ms (${timing.slowest}); costliest cases: ${costly.map(([m, ms]) => `${m} ${Math.round(ms)} ms`).join(', ')}`);
    if (all.length > 1) {
      for (const name of MUTATION_NAMES) assert.ok((byMutation.get(name) ?? 0) > 0, `no case used "${name}"`);
    }
    assert.deepEqual(failures, [], `re-run one case: STACKGRES_FUZZ_SEED=<seed> npx mocha --require tsx/cjs test/lsp/fuzz.test.ts`);
  });
});
