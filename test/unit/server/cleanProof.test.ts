/**
 * The fast clean proof (server/src/schema/cleanProof.ts) changes no diagnostic: every document gets from
 * `checkDocument` exactly what the check through yaml-language-server alone gives (same codes, messages,
 * ranges, and the same manifest for the index), and a document proven clean is one yaml-language-server
 * finds nothing in. Over our fixtures, the generated benchmark file, the fuzz test's damaged manifests, and,
 * with the upstream reference, the corpus and its mutations.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { kindInfo } from '@core/kinds';
import { kindHint, parseManifest, splitDocuments, tooDeepToRead } from '@core/manifest';
import { provenClean } from '../../../server/src/schema/cleanProof';
import { SchemaStore } from '../../../server/src/schema/schemaStore';
import { YamlService } from '../../../server/src/schema/yamlService';
import { checkDocument, checkWithYamlLanguageServer } from '../../../server/src/services/documentDiagnostics';
import { generateStackGresFile } from '../../bench/lsp/manifests';
import { makeCase, seeds } from '../../lsp/fuzzCases';
import { corpusFile, corpusFiles, describeWithReference } from '../../reference';
import { SCHEMAS } from './harness';
import { cleanCorpusFiles, mutants } from './mutants';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

const store = new SchemaStore(SCHEMAS);
const yaml = new YamlService(store);
const schemaOf = (kind: string | undefined) => store.schema(kind);

interface Tally {
  documents: number;
  proven: number;
}

/** Checks every document of the text both ways; returns how many were StackGres documents and how many proven clean. */
async function compareBothWays(name: string, text: string, tally: Tally): Promise<void> {
  for (const chunk of splitDocuments(text)) {
    if (!/^apiVersion:[ \t]*["']?stackgres\.io\//m.test(chunk.text)) continue;
    const kind = kindHint(chunk.text) ?? 'unknown';
    const own = { ...chunk, index: 0, startLine: 0 };
    const fast = await checkDocument(yaml, kind, chunk.text, schemaOf);
    const slow = await checkWithYamlLanguageServer(yaml, kind, own, schemaOf);
    const where = `${name}, document at line ${chunk.startLine + 1}`;
    assert.deepEqual(fast.diagnostics, slow.diagnostics, `${where}: diagnostics differ`);
    // Each parse makes its own Symbol for a `<<` read as a merge key: compare those by name.
    assert.deepEqual(comparable(fast.info), comparable(slow.info), `${where}: manifest differs`);
    tally.documents++;
    const m = tooDeepToRead(chunk.text) ? undefined : parseManifest(own);
    if (m && !m.unreadable && provenClean(chunk.text, m.doc, schemaOf(m.kind))) {
      tally.proven++;
      assert.deepEqual(await yaml.validate(m.kind!, chunk.text), [], `${where}: proven clean, but yaml-language-server reports something`);
    }
  }
}

function comparable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === 'symbol' ? `Symbol(${v.description})` : v === undefined ? '(undefined)' : v)));
}

function fixtures(): { name: string; text: string }[] {
  return readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml(\.tmpl)?$/.test(f))
    .sort()
    .map((f) => ({ name: `fixtures/${f}`, text: readFileSync(path.join(FIXTURES, f), 'utf8') }));
}

describe('fast clean proof: the same diagnostics as yaml-language-server alone', function () {
  this.timeout(300_000);

  it('on our fixtures', async () => {
    const tally = { documents: 0, proven: 0 };
    for (const f of fixtures()) await compareBothWays(f.name, f.text, tally);
    assert.ok(tally.documents >= 5, `${tally.documents} StackGres documents`);
  });

  it('on the generated benchmark file, where nearly every document is proven clean', async () => {
    const file = generateStackGresFile(120, 7);
    const tally = { documents: 0, proven: 0 };
    await compareBothWays('benchmark file', file.text, tally);
    // Its Secrets are not StackGres documents; the few deliberate mistakes are not proven.
    assert.ok(tally.proven >= tally.documents * 0.9, `${tally.proven} of ${tally.documents} proven clean`);
  });

  it('on 200 damaged manifests of the fuzz test (tags, anchors, nulls, odd scalars, duplicate keys)', async () => {
    const bases = seeds();
    const tally = { documents: 0, proven: 0 };
    for (let seed = 1; seed <= 200; seed++) {
      const c = makeCase(seed, bases);
      await compareBothWays(`fuzz seed ${seed} (${c.base.name}: ${c.mutations.join(', ')})`, c.steps.at(-1)!, tally);
    }
    assert.ok(tally.proven > 0 && tally.proven < tally.documents, `${tally.proven} of ${tally.documents} proven clean`);
  });

  it('knows every keyword of the bundled schemas: a clean document of each kind is proven clean', () => {
    const samples: Record<string, string> = {
      SGObjectStorage: 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata:\n  name: s\nspec:\n  type: s3\n  s3:\n    bucket: b\n    awsCredentials:\n      secretKeySelectors:\n        accessKeyId: {name: c, key: a}\n        secretAccessKey: {name: c, key: s}\n',
      SGBackup: 'apiVersion: stackgres.io/v1\nkind: SGBackup\nmetadata:\n  name: b\nspec:\n  sgCluster: c\n  managedLifecycle: false\n',
    };
    for (const [kind, text] of Object.entries(samples)) {
      assert.ok(kindInfo(kind));
      const m = parseManifest({ index: 0, startLine: 0, lineCount: 0, text });
      assert.ok(provenClean(text, m.doc, schemaOf(kind)), kind);
    }
  });
});

describeWithReference('fast clean proof over the corpus and its mutations', function () {
  this.timeout(300_000);

  it('the corpus: same diagnostics, and most documents proven clean', async () => {
    const tally = { documents: 0, proven: 0 };
    for (const f of corpusFiles()) await compareBothWays(f, readFileSync(corpusFile(f), 'utf8'), tally);
    assert.ok(tally.proven >= tally.documents / 2, `${tally.proven} of ${tally.documents} proven clean`);
  });

  it('the mutation set: same diagnostics', async () => {
    const tally = { documents: 0, proven: 0 };
    for (const file of cleanCorpusFiles()) {
      for (const m of mutants(readFileSync(corpusFile(file), 'utf8'))) await compareBothWays(`${file}: ${m.fault}`, m.text, tally);
    }
    assert.ok(tally.documents >= 100, `${tally.documents} mutated documents`);
  });
});
