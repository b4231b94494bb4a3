/**
 * Where a large file's documents are checked. With our bundled schemas, on the main thread: no worker starts
 * (sharing them with one cost more than it saved, README "Performance"). With a schema from the connected
 * cluster, on the worker thread, which can be stopped; if it stops in the middle of a file, the main thread
 * checks what it held.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCrd } from '@core/crdSchema';
import { CrdSchemasNotification } from '@core/protocol';
import { describeWithReference, stackgresFile } from '../reference';
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

const lines = (diags: { range: { start: { line: number; character: number } }; code?: unknown }[]) => diags.map((d) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)}`).sort();

describe('schema checks of a large file with the bundled schemas', function () {
  this.timeout(60_000);

  it('run on the main thread, with every finding of every document', async () => {
    const text = bigFile(300);
    const client = await LspClient.start(undefined, { validationDelay: 0 });
    try {
      client.open('file:///big.yaml', text);
      const diags = await client.diagnosticsFor('file:///big.yaml', 30_000);
      const all = diags.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${d.message}`);
      const count = (code: string) => all.filter((d) => d.includes(` ${code} `)).length;
      // 160 clusters misspell `retentoin`; 40 clusters use a merge key, each with an unknown storage in both
      // entries and a cron hour of 25 in the merged one.
      assert.equal(count('schema-unknown-field'), 160);
      assert.equal(count('ref-object-storage-unknown'), 80);
      assert.equal(count('backup-cron-invalid'), 40);
      assert.ok(count('schema-type') > 0 && count('storage-class-invalid') > 0);
      assert.equal(count('yaml-syntax'), 40, 'the repeated key, once per merging cluster');
      assert.equal(diags.length, 416);
      assert.ok(!client.logs.some((l) => /Schema worker/.test(l)), `no worker: ${client.logs.join('\n')}`);
    } finally {
      await client.stop();
    }
  });
});

describeWithReference("schema checks against the connected cluster's CRD schema", function () {
  this.timeout(90_000);

  it('when the worker stops in the middle of a file, the main thread checks what it held: nothing is lost', async () => {
    const text = bigFile(300);
    type Crd = { spec: { versions: { name: string; schema: { openAPIV3Schema: { properties: { spec: { properties: { postgres: { properties: Record<string, Record<string, unknown>> } } } } } } }[] } };
    const crd = parseCrd(readFileSync(stackgresFile('crds/SGCluster.yaml'), 'utf8')) as Crd;
    // A cluster whose CRD differs from ours (a pattern every version here passes): its schema is used.
    crd.spec.versions.find((v) => v.name === 'v1')!.schema.openAPIV3Schema.properties.spec.properties.postgres.properties.version.pattern = '^[0-9.]+$';
    const diagnostics: string[][] = [];
    for (const env of [{ STACKGRES_SCHEMA_WORKER_TEST_STOP_AFTER: '2' }, { STACKGRES_SCHEMA_WORKER: 'off' }] as Record<string, string>[]) {
      const client = await LspClient.start(undefined, { validationDelay: 0 }, env);
      try {
        client.notify(CrdSchemasNotification, { crds: [{ kind: 'SGCluster', crd }] });
        await client.waitForLog(/SGCluster: using the connected cluster's CRD schema/);
        if (!env.STACKGRES_SCHEMA_WORKER) await client.waitForLog(/Schema worker ready/, 30_000);
        client.open('file:///big.yaml', text);
        diagnostics.push(lines(await client.diagnosticsFor('file:///big.yaml', 30_000)));
        if (!env.STACKGRES_SCHEMA_WORKER) {
          const checked = client.logs.map((l) => /Schema worker checked (\d+) of (\d+) documents/.exec(l)).find(Boolean);
          assert.ok(checked && Number(checked[1]) > 0 && Number(checked[1]) < Number(checked[2]), `the worker checked some clusters, not all: ${client.logs.join('\n')}`);
          assert.ok(client.logs.some((l) => /Schema worker stopped: exit code 70; checks continue on the main thread/.test(l)), client.logs.join('\n'));
        }
      } finally {
        await client.stop();
      }
    }
    assert.ok(diagnostics[0].length >= 400, `${diagnostics[0].length} diagnostics`);
    assert.deepEqual(diagnostics[0], diagnostics[1]);
  });
});
