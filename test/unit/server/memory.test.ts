/**
 * What the language server keeps while the user types: caches are bounded by bytes, and of each open file
 * only the current version is kept, however many edits came before.
 */
import * as assert from 'node:assert/strict';
import type { Position } from 'vscode-languageserver';
import { ManifestParser, TextCache } from '../../../server/src/documents';
import { SchemaChecker } from '../../../server/src/schema/schemaChecker';
import { SchemaStore } from '../../../server/src/schema/schemaStore';
import { ValidationService } from '../../../server/src/services/validation';
import { RECENT_BYTES, YamlService } from '../../../server/src/schema/yamlService';
import { SCHEMAS } from './harness';

function cluster(i: number, labels = 0): string {
  const lines = Array.from({ length: labels }, (_, k) => `    example.com/label-${k}: value-${k}-${i}\n`).join('');
  return `apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: pg-${i}\n  labels:\n    app: pg\n${lines}spec:\n  instances: 2\n  postgres: {version: '16'}\n  pods: {persistentVolume: {size: 10Gi}}\n`;
}

describe('memory kept while typing', function () {
  this.timeout(60_000);

  it('a text cache holds at most its byte bound, dropping the least recently used first', () => {
    const evicted: string[] = [];
    const cache = new TextCache<string>(1000, (key, value) => key.length + value.length, (key) => evicted.push(key));
    for (let i = 0; i < 500; i++) {
      cache.set(`key-${i}-${'x'.repeat(i % 97)}`, 'v'.repeat(i % 53));
      assert.ok(cache.bytes <= 1000, `${cache.bytes} bytes after ${i + 1} entries`);
    }
    assert.ok(cache.size > 1 && evicted.length === 500 - cache.size);
    const kept = new TextCache<string>(100, (key) => key.length);
    kept.set('a'.repeat(40), 'first');
    kept.set('b'.repeat(40), 'second');
    assert.equal(kept.get('a'.repeat(40)), 'first'); // now the most recent
    kept.set('c'.repeat(40), 'third');
    assert.equal(kept.get('b'.repeat(40)), undefined, 'the least recently used went');
    assert.equal(kept.get('a'.repeat(40)), 'first');
    kept.set('d'.repeat(101), 'too large');
    assert.equal(kept.get('d'.repeat(101)), undefined, 'an entry over the bound is not kept');
    assert.ok(kept.bytes <= 100);
  });

  it('hover and completion keep at most their byte bound of documents after many edits of a large document', async () => {
    const bound = 100_000;
    const yaml = new YamlService(new SchemaStore(SCHEMAS), bound);
    const big = cluster(0, 800); // ~30 KB: three fit in the bound
    assert.ok(big.length * 3 < bound && big.length * 4 > bound);
    const at: Position = { line: 3, character: 4 };
    for (let edit = 0; edit < 20; edit++) {
      await yaml.hover('SGCluster', big.replace('name: pg-0', `name: pg-${edit}`), at);
      assert.ok(yaml.keptBytes <= bound, `${yaml.keptBytes} bytes kept after ${edit + 1} edits`);
    }
    assert.ok(yaml.keptBytes > 2 * big.length, 'the last documents are kept');
    assert.ok(RECENT_BYTES >= 1024 * 1024, 'the server keeps a few large documents');
  });

  it('of an edited file only the current version is kept, whatever the number of edits', async () => {
    const schemas = new SchemaStore(SCHEMAS);
    const parser = new ManifestParser();
    const validation = new ValidationService(new SchemaChecker(new YamlService(schemas), () => undefined), schemas, () => undefined);
    const docs = Array.from({ length: 30 }, (_, i) => cluster(i, 20));
    const uri = 'file:///typing.yaml';
    for (let version = 1; version <= 200; version++) {
      // One character more in one document per edit, as when typing.
      docs[version % docs.length] = docs[version % docs.length].replace(/instances: \d+/, `instances: ${version}`);
      await validation.validate(parser.parse(uri, version, docs.join('---\n')));
    }
    assert.equal(validation.keptDocuments, docs.length, 'one result per document of the current version');
    validation.forget(uri);
    assert.equal(validation.keptDocuments, 0, 'nothing once the file is closed');
  });

  it('an edit parses only the document it changed', () => {
    const parser = new ManifestParser();
    const docs = Array.from({ length: 10 }, (_, i) => cluster(i));
    const first = parser.parse('file:///a.yaml', 1, docs.join('---\n'));
    const before = first.manifests;
    docs[4] = docs[4].replace('instances: 2', 'instances: 3');
    // A new first document moves the others down.
    const second = parser.parse('file:///a.yaml', 2, `kind: ConfigMap\n---\n${docs.join('---\n')}`);
    const after = second.manifests.slice(1);
    after.forEach((m, i) => {
      if (i === 4) assert.ok(m.doc !== before[i].doc, 'the edited document is parsed again');
      else assert.ok(m.doc === before[i].doc, `document ${i} keeps its parse`);
    });
    assert.equal(after[0].chunk.startLine, 2, 'a reused parse moves with its document');
  });
});
