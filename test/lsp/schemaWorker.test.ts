/** A large file's schema checks run in the server's worker thread: same diagnostics as checking inline. */
import * as assert from 'node:assert/strict';
import { LspClient } from './client';

function bigFile(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(i % 3 === 0
      ? `apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s${i}}\nspec:\n  type: s3\n  s3:\n    bucket: b${i}\n    storageClass: ${i % 9 === 0 ? 'standard' : 'STANDARD'}\n    awsCredentials: {useIAMRole: true}\n`
      : `apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: c${i}}\nspec:\n  instances: ${i % 7 === 0 ? '"two"' : 2}\n  postgres: {version: '16'}\n  pods: {persistentVolume: {size: 10Gi}}\n  configurations:\n    backups:\n    - sgObjectStorage: s${i - (i % 3)}\n      cronSchedule: '0 ${i % 24} * * *'\n      retentoin: 3\n`);
  }
  return docs.join('---\n');
}

describe('schema checks in the worker thread', function () {
  this.timeout(60_000);

  it('give the same diagnostics as inline checks, on every document of a large file', async () => {
    const text = bigFile(60);
    const results: string[][] = [];
    const usedWorker: boolean[] = [];
    for (const env of [{}, { STACKGRES_SCHEMA_WORKER: 'off' }] as Record<string, string>[]) {
      const client = await LspClient.start(undefined, { validationDelay: 0 }, env);
      try {
        client.open('file:///big.yaml', text);
        const diags = await client.diagnosticsFor('file:///big.yaml', 30_000);
        results.push(diags.map((d) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)}`).sort());
        usedWorker.push(client.logs.some((l) => /First batch of \d+ documents sent to the schema worker/.test(l)));
      } finally {
        await client.stop();
      }
    }
    assert.deepEqual(usedWorker, [true, false]);
    // 40 misspelt `retentoin`, 6 quoted instance counts, 7 lower-case storage classes.
    assert.equal(results[0].length, 53);
    assert.ok(results[0].some((d) => d.endsWith('schema-unknown-field')) && results[0].some((d) => d.endsWith('schema-type')));
    assert.deepEqual(results[0], results[1]);
  });
});
