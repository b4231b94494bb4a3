/**
 * A large file's documents are shared between the main thread and the worker thread (which parses each of
 * its documents once for the schema check and our rules): the same diagnostics as all checked inline.
 */
import * as assert from 'node:assert/strict';
import { LspClient } from './client';

function bigFile(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(i % 3 === 0
      ? `apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s${i}}\nspec:\n  type: s3\n  s3:\n    bucket: bucket-${i}\n    storageClass: ${i % 9 === 0 ? 'standard' : 'STANDARD'}\n    awsCredentials: {useIAMRole: true}\n`
      // Every fifth cluster takes its backup settings through an anchor and a merge key, and repeats a key.
      : i % 5 === 0
        ? `apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: c${i}, namespace: ns${i % 4}}\nspec:\n  instances: 1\n  instances: ${i % 7 === 0 ? '"two"' : 2}\n  postgres: {version: '16'}\n  pods: {persistentVolume: {size: 10Gi}}\n  configurations:\n    backups:\n    - &b {sgObjectStorage: missing${i}, cronSchedule: '0 ${i % 24} * * *'}\n    - <<: *b\n      cronSchedule: '0 25 * * *'\n`
        : `apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: c${i}}\nspec:\n  instances: ${i % 7 === 0 ? '"two"' : 2}\n  postgres: {version: '16'}\n  pods: {persistentVolume: {size: 10Gi}}\n  configurations:\n    backups:\n    - sgObjectStorage: s${i - (i % 3)}\n      cronSchedule: '0 ${i % 24} * * *'\n      retentoin: 3\n`);
  }
  return docs.join('---\n');
}

describe('schema checks shared with the worker thread', function () {
  this.timeout(60_000);

  it('give the same diagnostics as inline checks, on every document of a large file', async () => {
    const text = bigFile(300);
    const results: string[][] = [];
    const byWorker: number[] = [];
    for (const env of [{}, { STACKGRES_SCHEMA_WORKER: 'off' }] as Record<string, string>[]) {
      const client = await LspClient.start(undefined, { validationDelay: 0 }, env);
      try {
        // With the worker: once it is ready, so that it surely takes a share.
        if (!env.STACKGRES_SCHEMA_WORKER) await client.waitForLog(/Schema worker ready/, 30_000);
        client.open('file:///big.yaml', text);
        const diags = await client.diagnosticsFor('file:///big.yaml', 30_000);
        results.push(diags.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${d.message}`).sort());
        const share = client.logs.map((l) => /Schema worker checked (\d+) of (\d+) documents/.exec(l)).find(Boolean);
        byWorker.push(share ? Number(share[1]) : 0);
      } finally {
        await client.stop();
      }
    }
    assert.ok(byWorker[0] > 0 && byWorker[0] < 300, `the worker took a share, not all: ${byWorker[0]}`);
    assert.equal(byWorker[1], 0, 'no worker when it is turned off');
    const count = (code: string) => results[0].filter((d) => d.includes(` ${code} `)).length;
    // 160 clusters misspell `retentoin`; 40 clusters use a merge key, each with an unknown storage in both
    // entries and a cron hour of 25 in the merged one.
    assert.equal(count('schema-unknown-field'), 160);
    assert.equal(count('ref-object-storage-unknown'), 80);
    assert.equal(count('backup-cron-invalid'), 40);
    assert.ok(count('schema-type') > 0 && count('storage-class-invalid') > 0);
    assert.equal(count('yaml-syntax'), 40, 'the repeated key, once per merging cluster');
    assert.deepEqual(results[0], results[1]);
  });

  it('when the worker stops in the middle of a file, the main thread checks what it held: nothing is lost', async () => {
    const text = bigFile(300);
    const diagnostics: string[][] = [];
    for (const env of [{ STACKGRES_SCHEMA_WORKER_TEST_STOP_AFTER: '2' }, { STACKGRES_SCHEMA_WORKER: 'off' }] as Record<string, string>[]) {
      const client = await LspClient.start(undefined, { validationDelay: 0 }, env);
      try {
        if (!env.STACKGRES_SCHEMA_WORKER) await client.waitForLog(/Schema worker ready/, 30_000);
        client.open('file:///big.yaml', text);
        diagnostics.push((await client.diagnosticsFor('file:///big.yaml', 30_000)).map((d) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)}`).sort());
        if (!env.STACKGRES_SCHEMA_WORKER) {
          assert.ok(client.logs.some((l) => /Schema worker stopped: exit code 70; checks continue on the main thread/.test(l)), client.logs.join('\n'));
          // The next file is checked on the main thread alone, as completely.
          client.open('file:///big2.yaml', text);
          assert.deepEqual((await client.diagnosticsFor('file:///big2.yaml', 30_000)).map((d) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)}`).sort(), diagnostics[0]);
        }
      } finally {
        await client.stop();
      }
    }
    assert.equal(diagnostics[0].length, 416);
    assert.deepEqual(diagnostics[0], diagnostics[1]);
  });
});
