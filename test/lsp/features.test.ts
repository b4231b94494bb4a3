// What the server answers when the client leaves schema problems, completion or hover to another extension
// (client/src/coexistence.ts decides; beside Red Hat YAML fed by the Kubernetes extension).
import * as assert from 'node:assert/strict';
import { describeWithReference } from '../reference';
import { LspClient, positionOf } from './client';

const CLUSTER = `apiVersion: stackgres.io/v1
kind: SGCluster
metadata: {name: db, namespace: demo}
spec:
  instances: two
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 10Gi}}
  configurations:
    backups:
      - sgObjectStorage: s3
        cronSchedule: '0 5 * * *'
        path: /db
        retentoin: 5
`;

describeWithReference('language server features left to another extension', function () {
  this.timeout(60_000);
  let client: LspClient;
  afterEach(async () => client?.stop());

  async function codesWith(features: Record<string, boolean> | undefined): Promise<string[]> {
    client = await LspClient.start(undefined, { validationDelay: 0, ...(features ? { features } : {}) });
    client.open('file:///features/cluster.yaml', CLUSTER);
    const diagnostics = await client.diagnosticsMatching('file:///features/cluster.yaml', (ds) => ds.some((d) => d.code === 'backup-path-leading-slash'), 20_000);
    return diagnostics.map((d) => String(d.code)).sort();
  }

  it('by default reports the schema problems, our rules and unknown fields, and completes and hovers', async () => {
    const codes = await codesWith(undefined);
    assert.ok(codes.includes('schema-type'), codes.join(', '));
    assert.ok(codes.includes('schema-unknown-field'), codes.join(', '));
    assert.ok((await client.completion('file:///features/cluster.yaml', positionOf(CLUSTER, 'path: /db'))).length > 0);
    assert.ok(await client.hover('file:///features/cluster.yaml', positionOf(CLUSTER, 'cronSchedule', 2)));
  });

  it('with schema, completion and hover off: our rules and unknown fields only, no completion, no hover', async () => {
    const codes = await codesWith({ schema: false, completion: false, hover: false });
    assert.ok(!codes.some((c) => c === 'schema-type' || c === 'schema-required' || c === 'schema-enum'), codes.join(', '));
    assert.ok(codes.includes('backup-path-leading-slash') && codes.includes('schema-unknown-field'), codes.join(', '));
    assert.deepEqual(await client.completion('file:///features/cluster.yaml', positionOf(CLUSTER, 'path: /db')), []);
    assert.equal(await client.hover('file:///features/cluster.yaml', positionOf(CLUSTER, 'cronSchedule', 2)), null);
  });
});
