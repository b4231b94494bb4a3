/**
 * Hover and completion hand yaml-language-server our parse of the document instead of letting it parse the
 * text again (server/src/schema/yamlService.ts `adoptParse`). What the user sees must not change: every
 * answer, with its items, texts and ranges mapped back to the file, is the same as when yaml-language-server
 * parses each document itself. Over the benchmark file (with positions in its first and last documents and
 * around the `---` separators), the same file without its final newline and with CRLF line ends, our
 * fixtures, the fuzz test's damaged manifests and, with the upstream reference, the corpus.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Position } from 'vscode-languageserver';
import { ManifestParser, type ParsedFile } from '../../../server/src/documents';
import type { ReferenceItem, ReferenceProvider } from '../../../server/src/references';
import { SchemaStore } from '../../../server/src/schema/schemaStore';
import { RECENT_BYTES, YamlService } from '../../../server/src/schema/yamlService';
import { CompletionService } from '../../../server/src/services/completion';
import { HoverService } from '../../../server/src/services/hover';
import { generateStackGresFile } from '../../bench/lsp/manifests';
import { makeCase, seeds } from '../../lsp/fuzzCases';
import { corpusFile, corpusFiles, describeWithReference } from '../../reference';
import { SCHEMAS } from './harness';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const NOW = new Date('2026-12-03T12:00:00Z');

/** Names from the workspace, so that reference completions and hovers are part of the comparison. */
const references: ReferenceProvider = {
  async list(kind, namespace): Promise<ReferenceItem[]> {
    return [{ kind, name: 'backups-s3', namespace, source: 'workspace', keys: kind === 'Secret' ? ['accessKeyId', 'secretAccessKey'] : undefined }];
  },
};

function stack(reuseParse: boolean) {
  const yaml = new YamlService(new SchemaStore(SCHEMAS), RECENT_BYTES, reuseParse);
  return { yaml, completion: new CompletionService(yaml, references), hover: new HoverService(yaml, references, () => NOW), parser: new ManifestParser() };
}

/** What the editor receives: the JSON of the answer. */
const wire = (x: unknown): unknown => JSON.parse(JSON.stringify(x ?? null));

interface Tally { positions: number; completions: number; hovers: number }

class Comparison {
  private readonly reused = stack(true);
  private readonly parsedByItself = stack(false);
  private files = 0;
  readonly tally: Tally = { positions: 0, completions: 0, hovers: 0 };

  async compare(name: string, text: string, positions: (file: ParsedFile) => Position[]): Promise<void> {
    const uri = `file:///compare/${++this.files}.yaml`;
    const a = this.reused.parser.parse(uri, 1, text);
    const b = this.parsedByItself.parser.parse(uri, 1, text);
    // As in the server: validation has parsed every document before anyone hovers.
    void a.manifests;
    void b.manifests;
    for (const p of positions(a)) {
      const where = `${name}, line ${p.line + 1} column ${p.character + 1}`;
      const completion = wire(await this.reused.completion.complete(a, p));
      assert.deepEqual(completion, wire(await this.parsedByItself.completion.complete(b, p)), `${where}: completion differs`);
      const hover = wire(await this.reused.hover.hover(a, p));
      assert.deepEqual(hover, wire(await this.parsedByItself.hover.hover(b, p)), `${where}: hover differs`);
      this.tally.positions++;
      if ((completion as { items: unknown[] }).items.length > 0) this.tally.completions++;
      if (hover) this.tally.hovers++;
    }
  }

  get reusedParses(): number {
    return this.reused.yaml.reusedParses;
  }
}

/** On a line: its start, inside and at the end of the key, right after `: `, inside the value, its end. */
function onLine(line: number, text: string): Position[] {
  const out = new Set<number>([0, text.length]);
  const key = /^(\s*(?:-\s+)?)([^:#\s][^:#]*?)(:\s*)?(.*)$/.exec(text);
  if (key) {
    const keyStart = key[1].length;
    out.add(keyStart).add(keyStart + Math.floor(key[2].length / 2)).add(keyStart + key[2].length);
    if (key[3]) {
      const valueStart = keyStart + key[2].length + key[3].length;
      out.add(valueStart);
      if (key[4]) out.add(valueStart + Math.floor(key[4].length / 2));
    }
  }
  return [...out].map((character) => ({ line, character }));
}

function linesOf(text: string, from: number, to: number): Position[] {
  const lines = text.split(/\r?\n/);
  const out: Position[] = [];
  for (let l = Math.max(0, from); l < Math.min(lines.length, to); l++) out.push(...onLine(l, lines[l]));
  return out;
}

const everyLine = (text: string) => (): Position[] => linesOf(text, 0, Number.MAX_SAFE_INTEGER);

/** Every line of the first two and the last two documents, three lines either side of every tenth separator, and every 40th line. */
function benchmarkPositions(text: string) {
  return (file: ParsedFile): Position[] => {
    const chunks = file.chunks;
    const out = [
      ...linesOf(text, 0, chunks[2].startLine),
      ...linesOf(text, chunks[chunks.length - 2].startLine - 1, Number.MAX_SAFE_INTEGER),
    ];
    for (let i = 10; i < chunks.length - 2; i += 10) out.push(...linesOf(text, chunks[i].startLine - 4, chunks[i].startLine + 3));
    const lines = text.split(/\r?\n/).length;
    for (let l = 40; l < lines; l += 40) out.push(...linesOf(text, l, l + 1));
    return out;
  };
}

function fixtures(): { name: string; text: string }[] {
  return readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml(\.tmpl)?$/.test(f))
    .sort()
    .map((f) => ({ name: `fixtures/${f}`, text: readFileSync(path.join(FIXTURES, f), 'utf8') }));
}

describe('hover and completion with our parse handed to yaml-language-server: the same answers', function () {
  this.timeout(600_000);

  it('over the benchmark file: first and last documents, around separators, spread through the file', async () => {
    const file = generateStackGresFile(200, 42);
    const c = new Comparison();
    await c.compare('benchmark file', file.text, benchmarkPositions(file.text));
    assert.ok(c.tally.completions >= 500 && c.tally.hovers >= 500, JSON.stringify(c.tally));
    // Else this compares yaml-language-server with itself.
    assert.ok(c.reusedParses >= 20, `${c.reusedParses} documents reused our parse`);
  });

  it('the benchmark file without its final newline, with CRLF line ends, with comments and a merge key', async () => {
    const file = generateStackGresFile(30, 3);
    const c = new Comparison();
    await c.compare('no final newline', file.text.replace(/\n+$/, ''), benchmarkPositions(file.text.replace(/\n+$/, '')));
    const crlf = file.text.replace(/\n/g, '\r\n');
    await c.compare('CRLF', crlf, benchmarkPositions(crlf));
    const commented = file.text.replace(/^kind: /gm, '# what it is\nkind: ').replace(/^spec:\n/gm, '# the spec\n\nspec:\n  <<: {}\n');
    await c.compare('comments and merge keys', commented, benchmarkPositions(commented));
    assert.ok(c.tally.hovers >= 200, JSON.stringify(c.tally));
  });

  it('over our fixtures, every line', async () => {
    const c = new Comparison();
    for (const f of fixtures()) await c.compare(f.name, f.text, everyLine(f.text));
    assert.ok(c.tally.hovers >= 100, JSON.stringify(c.tally));
  });

  it('over 30 damaged manifests of the fuzz test (every kind of damage but the merge key, which the test above adds), every line', async () => {
    const bases = seeds();
    const c = new Comparison();
    for (let seed = 1; seed <= 30; seed++) {
      const fuzz = makeCase(seed, bases);
      const text = fuzz.steps.at(-1)!;
      await c.compare(`fuzz seed ${seed} (${fuzz.base.name}: ${fuzz.mutations.join(', ')})`, text, everyLine(text));
    }
    assert.ok(c.tally.hovers >= 100, JSON.stringify(c.tally));
  });
});

describeWithReference('hover and completion with our parse over the corpus: the same answers', function () {
  this.timeout(600_000);

  it('every line of every corpus file', async () => {
    const c = new Comparison();
    for (const f of corpusFiles()) {
      const text = readFileSync(corpusFile(f), 'utf8');
      await c.compare(f, text, everyLine(text));
    }
    assert.ok(c.reusedParses >= 20, `${c.reusedParses} documents reused our parse`);
  });
});
