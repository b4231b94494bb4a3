/** Live values: what the client pushes about the connected cluster reaches completion and the checks. */
import * as assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import { readFileSync } from 'node:fs';
import { parseCrd } from '@core/crdSchema';
import { ClusterSnapshotNotification, CrdSchemasNotification, type ClusterSnapshot } from '@core/protocol';
import { itWithReference, stackgresFile } from '../reference';
import { LspClient, positionOf } from './client';

const RESTORE = `apiVersion: stackgres.io/v1
kind: SGCluster
metadata:
  name: restored
  namespace: prod
spec:
  instances: 1
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 10Gi}}
  configurations:
    backups:
    - sgObjectStorage: backups
  initialData:
    restore:
      fromBackup:
        name: nightly
`;

const snapshot = (objects: ClusterSnapshot['objects'], connected = true, secretNamespaces = ['prod']): ClusterSnapshot => ({
  connected,
  context: 'prod-eks',
  defaultNamespace: 'prod',
  namespaces: ['prod'],
  secretNamespaces,
  objects,
});

describe('live values from the connected cluster', function () {
  this.timeout(30_000);
  let client: LspClient;

  before(async () => {
    client = await LspClient.start();
  });
  after(async () => client?.stop());

  it('names from the cluster are offered, with their details, and labelled', async () => {
    client.notify(ClusterSnapshotNotification, snapshot([
      { kind: 'SGBackup', name: 'nightly', namespace: 'prod', phase: 'Completed', pgMajor: '16', detail: 'Completed, 2026-01-01T05:00:00Z, 1.2 GiB, PG 16' },
      { kind: 'SGObjectStorage', name: 'backups', namespace: 'prod', detail: 's3, bucket b' },
    ]));
    const text = RESTORE.replace('name: nightly', 'name: ');
    client.open('file:///live/c1.yaml', text);
    const items = await client.completion('file:///live/c1.yaml', positionOf(text, 'name: \n', 6));
    const item = items.find((i) => i.label === 'nightly');
    assert.ok(item, items.map((i) => i.label).join(', '));
    assert.match(String(item.detail), /Completed, .*PG 16 · from the cluster/);
  });

  it('a restore from a backup that is missing, not Completed or of another major is reported, labelled as from the cluster', async () => {
    client.notify(ClusterSnapshotNotification, snapshot([{ kind: 'SGObjectStorage', name: 'backups', namespace: 'prod' }]));
    client.open('file:///live/c2.yaml', RESTORE);
    let d = await client.diagnosticsMatching('file:///live/c2.yaml', (ds) => ds.length > 0);
    assert.deepEqual(d.map((x) => [x.code, x.severity, x.range.start.line]), [['live-backup-missing', DiagnosticSeverity.Error, 15]]);
    assert.match(d[0].message, /^Cluster: .*namespace `prod` of cluster `prod-eks`/);

    client.notify(ClusterSnapshotNotification, snapshot([
      { kind: 'SGObjectStorage', name: 'backups', namespace: 'prod' },
      { kind: 'SGBackup', name: 'nightly', namespace: 'prod', phase: 'Running' },
    ]));
    d = await client.diagnosticsMatching('file:///live/c2.yaml', (ds) => ds.some((x) => x.code === 'live-backup-not-completed'));
    assert.equal(d.length, 1);

    client.notify(ClusterSnapshotNotification, snapshot([
      { kind: 'SGObjectStorage', name: 'backups', namespace: 'prod' },
      { kind: 'SGBackup', name: 'nightly', namespace: 'prod', phase: 'Completed', pgMajor: '15' },
    ]));
    d = await client.diagnosticsMatching('file:///live/c2.yaml', (ds) => ds.some((x) => x.code === 'live-backup-major-mismatch'));
    assert.match(d[0].message, /Postgres 15 but this cluster runs 16/);
  });

  it('a missing storage or Secret key in the cluster is a warning; disconnecting removes the live findings', async () => {
    client.notify(ClusterSnapshotNotification, snapshot([
      { kind: 'SGBackup', name: 'nightly', namespace: 'prod', phase: 'Completed', pgMajor: '16' },
      { kind: 'Secret', name: 'creds', namespace: 'prod', keys: ['accessKeyId'] },
    ]));
    const storage = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s, namespace: prod}\nspec:\n  type: s3\n  s3:\n    bucket: my-bucket\n    awsCredentials:\n      secretKeySelectors:\n        accessKeyId: {name: creds, key: accessKeyId}\n        secretAccessKey: {name: creds, key: secretAccessKey}\n';
    client.open('file:///live/s.yaml', storage);
    const s = await client.diagnosticsMatching('file:///live/s.yaml', (ds) => ds.length > 0);
    assert.deepEqual(s.map((x) => [x.code, x.severity]), [['live-secret-key-missing', DiagnosticSeverity.Warning]]);
    const c = await client.diagnosticsMatching('file:///live/c2.yaml', (ds) => ds.some((x) => x.code === 'live-object-storage-missing'));
    assert.deepEqual(c.map((x) => x.code), ['live-object-storage-missing']);

    client.notify(ClusterSnapshotNotification, snapshot([], false));
    await client.diagnosticsMatching('file:///live/s.yaml', (ds) => ds.length === 0);
    // Disconnected, the workspace check speaks again: the storage is not defined in the workspace.
    await client.diagnosticsMatching('file:///live/c2.yaml', (ds) => ds.map((x) => x.code).join() === 'ref-object-storage-unknown');
  });

  it("a Secret is claimed missing only once the client says its namespace's Secret names were read", async () => {
    const uri = 'file:///live/secrets-loading.yaml';
    const text = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s, namespace: prod}\nspec:\n  type: s3\n  s3:\n    bucket: my-bucket\n    awsCredentials:\n      secretKeySelectors:\n        accessKeyId: {name: absent, key: accessKeyId}\n        secretAccessKey: {name: absent, key: secretAccessKey}\n---\napiVersion: stackgres.io/v1\nkind: SGBackup\nmetadata: {name: b, namespace: prod}\nspec:\n  sgCluster: gone\n';
    // Just after a (re)connect: the objects are in, the Secret names are still being read.
    client.notify(ClusterSnapshotNotification, snapshot([], true, []));
    client.open(uri, text);
    const loading = await client.diagnosticsMatching(uri, (ds) => ds.some((x) => x.code === 'live-cluster-missing'));
    assert.deepEqual(loading.map((x) => x.code), ['live-cluster-missing'], 'the objects are judged, the Secrets not yet');
    client.notify(ClusterSnapshotNotification, snapshot([]));
    const read = await client.diagnosticsMatching(uri, (ds) => ds.some((x) => x.code === 'live-secret-missing'));
    assert.deepEqual(read.map((x) => x.code).sort(), ['live-cluster-missing', 'live-secret-missing', 'live-secret-missing']);
    client.notify(ClusterSnapshotNotification, snapshot([], false));
    await client.diagnosticsMatching(uri, (ds) => ds.length === 0);
  });

  itWithReference("uses the cluster's CRD schema when it differs from the bundled one, and goes back on request", async () => {
    const crd = parseCrd(readFileSync(stackgresFile('crds/SGBackup.yaml'), 'utf8')) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } } }[] };
    };
    // A newer operator adds a field to SGBackup.spec.
    crd.spec.versions.find((v) => v.name === 'v1')!.schema.openAPIV3Schema.properties.spec.properties.newField = { type: 'integer' };
    const backup = 'apiVersion: stackgres.io/v1\nkind: SGBackup\nmetadata: {name: b}\nspec:\n  sgCluster: c\n  newField: 3\n';
    client.open('file:///live/b.yaml', backup);
    await client.diagnosticsMatching('file:///live/b.yaml', (ds) => ds.some((x) => x.code === 'schema-unknown-field'));
    client.notify(CrdSchemasNotification, { crds: [{ kind: 'SGBackup', crd }] });
    await client.diagnosticsMatching('file:///live/b.yaml', (ds) => ds.length === 0);
    await client.until(() => client.logs.some((l) => /SGBackup: using the connected cluster's CRD schema/.test(l)), 5000, 'the log line');
    // Our descriptions survive in the cluster's schema.
    const hover = await client.hover('file:///live/b.yaml', positionOf(backup, 'sgCluster', 2));
    assert.ok(hover && (hover.contents as { value: string }).value.length > 20);
    client.notify(CrdSchemasNotification, { crds: [{ kind: 'SGBackup', crd: null }] });
    await client.diagnosticsMatching('file:///live/b.yaml', (ds) => ds.some((x) => x.code === 'schema-unknown-field'));
  });

  itWithReference('keeps the bundled schema when the cluster serves the same CRD, or one it cannot convert', async () => {
    const crd = parseCrd(readFileSync(stackgresFile('crds/SGBackup.yaml'), 'utf8'));
    client.notify(CrdSchemasNotification, { crds: [{ kind: 'SGBackup', crd }, { kind: 'SGCluster', crd: { spec: { names: { kind: 'Nope' } } } }] });
    await client.until(() => client.logs.some((l) => /SGBackup: the cluster's CRD matches the bundled schema/.test(l)), 5000, 'the same-schema log line');
    await client.until(() => client.logs.some((l) => /SGCluster: kept the bundled schema/.test(l)), 5000, 'the fallback log line');
  });
});
