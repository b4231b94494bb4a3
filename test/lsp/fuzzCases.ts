/**
 * The seeded damage of the fuzz test (fuzz.test.ts): real manifests (the upstream corpus and samples when
 * present, our fixtures always) with 1 to 3 mutations each. Also read by the test that compares the fast
 * clean-document proof with yaml-language-server (test/unit/server/cleanProof.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { corpusFile, corpusFiles, reference, stackgresFile } from '../reference';
import { mulberry32, type Rng } from '../random';

const FIXTURES = path.resolve(__dirname, '../fixtures');

// ---- seeded randomness ----------------------------------------------------------------------------------


const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)];

// ---- mutations ------------------------------------------------------------------------------------------

type Mutation = (rng: Rng, text: string) => string;

const lines = (text: string): string[] => text.split('\n');
const lineIndex = (rng: Rng, ls: string[]): number => int(rng, ls.length);
export const at = (rng: Rng, text: string): number => int(rng, text.length + 1);
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

export const MUTATION_NAMES = Object.keys(MUTATIONS);

// ---- cases ----------------------------------------------------------------------------------------------

/** Real manifests to damage: the upstream corpus and samples when present, and our own fixtures always. */
export function seeds(): { name: string; text: string }[] {
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

export interface Case {
  seed: number;
  base: { name: string; text: string };
  mutations: string[];
  /** The text after each mutation: each is sent as its own edit, as typing or pasting does. */
  steps: string[];
  rng: Rng;
}

export function makeCase(seed: number, bases: { name: string; text: string }[]): Case {
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

export function mutationsOf(seed: number): number {
  const rng = mulberry32(seed);
  rng();
  return mutationCount(rng);
}
