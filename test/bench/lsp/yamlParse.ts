/**
 * The floor: how long the `yaml` package alone takes to parse the file, in a fresh process (so, like a
 * server's first validation, with a cold JIT). Prints one JSON line: { ms, documents, errors, rss, peakRss }.
 * Usage: node --require tsx/cjs test/bench/lsp/yamlParse.ts <file.yaml>
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { processMemory } from '../bench';

const text = readFileSync(process.argv[2], 'utf8');
const t0 = performance.now();
const parsed = parseAllDocuments(text);
const ms = performance.now() - t0;
const docs = Array.isArray(parsed) ? parsed : [];
const errors = docs.reduce((n, d) => n + d.errors.length, 0);
process.stdout.write(`${JSON.stringify({ ms, documents: docs.length, errors, ...processMemory(process.pid) })}\n`);
