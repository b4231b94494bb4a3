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
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DidCloseTextDocumentNotification, type Position, type Range } from 'vscode-languageserver-protocol';
import { corpusFile, corpusFiles, reference, stackgresFile } from '../reference';
import { LspClient } from './client';
import { mulberry32, type Rng } from '../random';

const DEADLINE_MS = 2_000;
const FIXTURES = path.resolve(__dirname, '../fixtures');

// ---- seeded randomness ----------------------------------------------------------------------------------


const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)];

// ---- mutations ------------------------------------------------------------------------------------------

type Mutation = (rng: Rng, text: string) => string;

const lines = (text: string): string[] => text.split('\n');
const lineIndex = (rng: Rng, ls: string[]): number => int(rng, ls.length);
const at = (rng: Rng, text: string): number => int(rng, text.length + 1);
const insert = (text: string, i: number, piece: string): string => text.slice(0, i) + piece + text.slice(i);

/** Lines that hold `key: value` (a scalar after the colon), with the value's start. */
function valueLines(ls: string[]): { line: number; start: number }[] {
  const out: { line: number; start: number }[] = [];
  ls.forEach((l, line) => {
    const m = /^(\s*(?:- )?[^\s#:][^:#]*:\s)\s*\S/.exec(l);
    if (m) out.push({ line, start: m[1].length });
  });
  return out;
}

/** Lines that open a block (`key:` and nothing after it). */
function blockLines(ls: string[]): number[] {
  return ls.flatMap((l, i) => (/^\s*(?:- )?[^\s#:][^:#]*:\s*$/.test(l) ? [i] : []));
}

const indentOf = (l: string): number => /^ */.exec(l)![0].length;

const SCALARS = [
  '[]', '{}', 'null', '~', 'true', 'no', 'NO', 'on', '0x1F', '0o17', '1e400', '-.inf', '.nan', '"str"', "'single'", '""', '-', '?',
  '|\n  block', '>-\n  folded', '[a, {b: c}]', '{a: [1, 2]}', '2024-02-30T25:61:00Z', '123456789012345678901234567890', '-0', '1_000',
  '"\\u0000\\x00\\uD800"', '"unterminated', "'unterminated", '[unclosed', '{unclosed: 1', '*', '&', '!', '%', '@at', '`tick`', ': :',
];
const TAGS = [
  '!!str', '!!int', '!!float', '!!bool', '!!null', '!!map', '!!seq', '!!binary', '!!set', '!!omap', '!!pairs', '!!timestamp', '!custom',
  '!<tag:yaml.org,2002:str>', '!<!>', '!!python/object/apply:os.system', '!e!x', '!', '!!merge', '!!value',
];
const BIDI = ['\u202E', '\u202D', '\u202A', '\u202B', '\u202C', '\u2066', '\u2067', '\u2068', '\u2069', '\u200F', '\u200E', '\u061C', '\u200B', '\u2028', '\u2029', '\uFFFE', '\uFEFF', '\u00A0', '\u0085'];
const PUNCTUATION = [':', '-', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '#', '?', '\t', '\n', ' ', '\\', '---', '...', '<<'];
const SG_HEADS = [
  'apiVersion: stackgres.io/v1\nkind: SGCluster', 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage', 'apiVersion: stackgres.io/v1\nkind: SGBackup',
  'apiVersion: stackgres.io/v1\nkind: SGDbOps', 'apiVersion: stackgres.io/v1alpha1\nkind: SGShardedCluster', 'apiVersion: v1\nkind: Secret', 'kind: SGCluster',
];

/** Deeply nested YAML of one of several shapes. */
function nested(rng: Rng): string {
  const depth = 50 + int(rng, 600);
  switch (int(rng, 5)) {
    case 0:
      return '['.repeat(depth) + ']'.repeat(depth);
    case 1:
      return '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
    case 2:
      return '\n' + Array.from({ length: Math.min(depth, 300) }, (_, i) => `${' '.repeat(i + 2)}k${i}:`).join('\n') + ' leaf';
    case 3:
      return '\n  ' + '- '.repeat(Math.min(depth, 400)) + 'x';
    default:
      return '['.repeat(depth); // never closed
  }
}

/** A "billion laughs" alias bomb: each level repeats the one before it ten times. */
function aliasBomb(rng: Rng): string {
  const levels = 3 + int(rng, 7);
  const out = ['bomb0: &b0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= levels; i++) out.push(`bomb${i}: &b${i} [${Array(10).fill(`*b${i - 1}`).join(', ')}]`);
  if (rng() < 0.5) out.push(`merged:\n  <<: [${Array(10).fill(`*b${levels}`).join(', ')}]`);
  return out.join('\n');
}

function binary(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(rng() < 0.05 ? 0xd800 + int(rng, 0x800) : int(rng, 256));
  return s;
}

const MUTATIONS: Record<string, Mutation> = {
  'delete a line': (rng, t) => {
    const ls = lines(t);
    ls.splice(lineIndex(rng, ls), 1 + int(rng, 3));
    return ls.join('\n');
  },
  'duplicate a line': (rng, t) => {
    const ls = lines(t);
    const i = lineIndex(rng, ls);
    ls.splice(i, 0, ls[i]);
    return ls.join('\n');
  },
  'swap two lines': (rng, t) => {
    const ls = lines(t);
    const i = lineIndex(rng, ls);
    const j = lineIndex(rng, ls);
    [ls[i], ls[j]] = [ls[j], ls[i]];
    return ls.join('\n');
  },
  'change an indent': (rng, t) => {
    const ls = lines(t);
    const i = lineIndex(rng, ls);
    const delta = pick(rng, [-4, -2, -1, 1, 2, 3, 8]);
    ls[i] = delta > 0 ? ' '.repeat(delta) + ls[i] : ls[i].slice(Math.min(-delta, indentOf(ls[i])));
    return ls.join('\n');
  },
  'tab indent': (rng, t) => {
    const ls = lines(t);
    const i = lineIndex(rng, ls);
    ls[i] = ls[i].replace(/^ +/, (s) => '\t'.repeat(Math.max(1, s.length / 2)));
    return ls.join('\n');
  },
  truncate: (rng, t) => t.slice(0, at(rng, t)),
  'delete a range': (rng, t) => {
    const i = at(rng, t);
    return t.slice(0, i) + t.slice(i + int(rng, 200));
  },
  'insert punctuation': (rng, t) => insert(t, at(rng, t), pick(rng, PUNCTUATION)),
  'swap a value for another type': (rng, t) => {
    const ls = lines(t);
    const values = valueLines(ls);
    if (values.length === 0) return t;
    const v = pick(rng, values);
    ls[v.line] = ls[v.line].slice(0, v.start) + pick(rng, SCALARS).replace(/\n/g, `\n${' '.repeat(indentOf(ls[v.line]))}`);
    return ls.join('\n');
  },
  'swap a block for a scalar': (rng, t) => {
    const ls = lines(t);
    const blocks = blockLines(ls);
    if (blocks.length === 0) return t;
    const i = pick(rng, blocks);
    ls[i] = `${ls[i].trimEnd()} ${pick(rng, SCALARS).split('\n')[0]}`;
    return ls.join('\n');
  },
  'anchor and alias': (rng, t) => {
    const ls = lines(t);
    const blocks = blockLines(ls);
    const values = valueLines(ls);
    if (blocks.length === 0 || values.length === 0) return t;
    const anchored = pick(rng, blocks);
    ls[anchored] = `${ls[anchored]} &x`;
    const v = pick(rng, values);
    ls[v.line] = ls[v.line].slice(0, v.start) + pick(rng, ['*x', '*x ', '*missing', '&x *x', '[*x, *x]', '{a: *x}']);
    return ls.join('\n');
  },
  'merge key': (rng, t) => {
    const ls = lines(t);
    const blocks = blockLines(ls);
    if (blocks.length === 0) return t;
    const anchored = pick(rng, blocks);
    ls[anchored] = `${ls[anchored]} &m`;
    const into = pick(rng, blocks);
    const indent = ' '.repeat(indentOf(ls[into]) + 2);
    ls.splice(into + 1, 0, `${indent}<<: ${pick(rng, ['*m', '[*m, *m]', '*nope', '{x: 1}', '[1, 2]', '"str"', '*m\n' + indent + '<<: *m'])}`);
    return ls.join('\n');
  },
  tag: (rng, t) => {
    const ls = lines(t);
    const values = valueLines(ls);
    if (values.length === 0) return t;
    const v = pick(rng, values);
    ls[v.line] = `${ls[v.line].slice(0, v.start)}${pick(rng, TAGS)} ${ls[v.line].slice(v.start)}`;
    const withDirective = rng() < 0.2 ? `%TAG !e! tag:example.com,2000:\n%YAML 1.${int(rng, 3)}\n---\n` : '';
    return withDirective + ls.join('\n');
  },
  BOM: (rng, t) => (rng() < 0.7 ? '\uFEFF' + t : insert(t, at(rng, t), '\uFEFF')),
  CRLF: (rng, t) => (rng() < 0.6 ? t.replace(/\n/g, '\r\n') : t.replace(/\n/g, () => pick(rng, ['\n', '\r', '\r\n', '\n\r']))),
  NUL: (rng, t) => {
    let out = t;
    for (let n = 1 + int(rng, 5); n > 0; n--) out = insert(out, at(rng, out), '\0');
    return out;
  },
  bidi: (rng, t) => {
    let out = t;
    for (let n = 1 + int(rng, 6); n > 0; n--) out = insert(out, at(rng, out), pick(rng, BIDI));
    return out;
  },
  'very long line': (rng, t) => {
    const ls = lines(t);
    const i = lineIndex(rng, ls);
    // One scalar may be very long. A line of thousands of broken tokens (`: : :`, `&a &a`) is a known limit:
    // 4,000 of them take the YAML readers over 2 s; up to 1,100 they take about 0.3 s.
    const long = rng() < 0.5
      ? pick(rng, ['a', 'x y ', '\\', 'é', '😀']).repeat(10_000 + int(rng, 200_000))
      : pick(rng, ['- ', '"', ': ', '[]', ', ', '&a ', '*a ']).repeat(100 + int(rng, 1_000));
    ls[i] = pick(rng, [`${ls[i]}${long}`, `${long}: 1`, `# ${long}`, `${ls[i]} "${long}"`]);
    return ls.join('\n');
  },
  'deep nesting': (rng, t) => {
    const ls = lines(t);
    const values = valueLines(ls);
    if (values.length === 0) return `${t}\nnested: ${nested(rng)}`;
    const v = pick(rng, values);
    ls[v.line] = ls[v.line].slice(0, v.start) + nested(rng);
    return ls.join('\n');
  },
  'alias bomb': (rng, t) => (rng() < 0.5 ? `${t}\n${aliasBomb(rng)}\n` : `${t}\n---\n${aliasBomb(rng)}\n`),
  binary: (rng, t) => (rng() < 0.2 ? binary(rng, 1 + int(rng, 4_096)) : insert(t, at(rng, t), binary(rng, 1 + int(rng, 64)))),
  'document markers': (rng, t) => {
    const ls = lines(t);
    ls.splice(lineIndex(rng, ls), 0, pick(rng, ['---', '...', '--- |', '--- &a', '%YAML 1.2', '---\n---', '--- !!map']));
    return ls.join('\n');
  },
  'another kind': (rng, t) => t.replace(/^(apiVersion: .*\n)?kind: .*$/m, pick(rng, SG_HEADS)),
  'more documents': (rng, t) => `${t}\n---\n${t}`.slice(0, 400_000),
};

const MUTATION_NAMES = Object.keys(MUTATIONS);

// ---- cases ----------------------------------------------------------------------------------------------

/** Real manifests to damage: the upstream corpus and samples when present, and our own fixtures always. */
function seeds(): { name: string; text: string }[] {
  const fixtures = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml(\.tmpl)?$/.test(f))
    .sort()
    .map((f) => ({ name: `fixtures/${f}`, text: readFileSync(path.join(FIXTURES, f), 'utf8') }));
  if (!reference) return fixtures;
  const samples = readdirSync(stackgresFile('objects'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: `stackgres-1.18/objects/${f}`, text: readFileSync(stackgresFile(`objects/${f}`), 'utf8') }));
  return [...fixtures, ...samples, ...corpusFiles().map((f) => ({ name: `corpus/${f}`, text: readFileSync(corpusFile(f), 'utf8') }))];
}

interface Case {
  seed: number;
  base: { name: string; text: string };
  mutations: string[];
  /** The text after each mutation: each is sent as its own edit, as typing or pasting does. */
  steps: string[];
  rng: Rng;
}

function makeCase(seed: number, bases: { name: string; text: string }[]): Case {
  const rng = mulberry32(seed);
  const base = pick(rng, bases);
  const mutations: string[] = [];
  const steps: string[] = [];
  let text = base.text;
  for (let n = mutationCount(rng); n > 0; n--) {
    const name = pick(rng, MUTATION_NAMES);
    mutations.push(name);
    text = MUTATIONS[name](rng, text);
    steps.push(text);
  }
  return { seed, base, mutations, steps, rng };
}

/** 1 to 3: the second number a case draws, so the mutations of a run are counted without making them. */
function mutationCount(rng: Rng): number {
  return 1 + int(rng, 3);
}

function mutationsOf(seed: number): number {
  const rng = mulberry32(seed);
  rng();
  return mutationCount(rng);
}

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
