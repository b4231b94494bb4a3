/** Every snippet, expanded with its defaults, is a manifest the language server finds nothing wrong with. */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Services } from '../server/harness';

interface Snippet { prefix: string; description: string; body: string[] }
const snippets = JSON.parse(readFileSync(path.resolve(__dirname, '../../../snippets/stackgres.code-snippets'), 'utf8')) as Record<string, Snippet>;

/** VS Code's expansion with every placeholder left at its default and the first choice taken. */
export function expand(body: string[]): string {
  return body.join('\n')
    .replace(/\$\{\d+\|([^,|}]*)[^}]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\n+$/, '\n');
}

const REQUIRED = [
  'sg-objectstorage-s3', 'sg-objectstorage-s3-iam', 'sg-objectstorage-s3compatible', 'sg-objectstorage-gcs',
  'sg-objectstorage-gcs-workload-identity', 'sg-objectstorage-azure', 'sg-objectstorage-s3-encrypted', 'sg-backups',
  'sg-cluster-backups', 'sg-cluster-restore', 'sg-cluster-pitr', 'sg-backup', 'sg-secret-s3-credentials',
];

describe('snippets', () => {
  const services = new Services();

  it('cover the tutorial: every storage type, encryption, the backups section, restore, PITR, SGBackup, the Secret', () => {
    assert.deepEqual(Object.values(snippets).map((s) => s.prefix).sort(), [...REQUIRED].sort());
  });

  it('expand placeholders and choices to their defaults', () => {
    assert.equal(expand(['a: ${1:x}', 'b: ${2|p,q|}', 'c: $3', '$0']), 'a: x\nb: p\nc: \n');
  });

  for (const [name, snippet] of Object.entries(snippets)) {
    it(`${snippet.prefix}: no diagnostics when expanded with its defaults`, async () => {
      let text = expand(snippet.body);
      // The section snippet is inserted under an SGCluster's spec.
      if (snippet.prefix === 'sg-backups') {
        text = "apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: c\nspec:\n  instances: 1\n  postgres: {version: '16'}\n  pods: {persistentVolume: {size: 1Gi}}\n" + text.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
      }
      assert.ok(snippet.description.length > 20, `${name} has a description`);
      const diags = await services.diagnostics(text);
      assert.deepEqual(diags.map((d) => `${String(d.code)}: ${d.message}`), []);
      assert.match(text, /^apiVersion: /m);
    });
  }
});
