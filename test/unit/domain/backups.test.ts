import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import {
  backupClusterRef,
  backupDescription,
  backupStorageSecrets,
  clusterBackups,
  copyBackupManifest,
  formatAge,
  isBackupOf,
  manualBackupManifest,
  manualBackupName,
  readBackup,
} from '@core/backups';

const STORAGE = {
  type: 's3',
  s3: {
    bucket: 'acme-backups/prod',
    region: 'eu-west-1',
    awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'aws-creds', key: 'id' }, secretAccessKey: { name: 'aws-creds', key: 'secret' } } },
  },
  encryption: { method: 'sodium', sodium: { key: { name: 'backup-key', key: 'sodium' } } },
};

/** An SGBackup as the operator leaves it; `over` replaces top-level parts. */
function backup(name: string, o: { ns?: string; cluster?: string; phase?: string; stored?: string; failure?: string; scheduled?: boolean; managed?: boolean; over?: Record<string, unknown> } = {}): Record<string, unknown> {
  const stored = o.stored ?? '2025-03-01T10:01:00.123456Z';
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: {
      name,
      namespace: o.ns ?? 'prod',
      uid: '11111111-2222-3333-4444-555555555555',
      resourceVersion: '4242',
      generation: 1,
      creationTimestamp: '2025-03-01T10:00:00Z',
      managedFields: [{ manager: 'stackgres-operator' }],
      ownerReferences: o.scheduled ? [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'orders-backup', uid: 'x' }] : undefined,
      labels: o.scheduled ? { 'stackgres.io/scheduled-backup': 'true', 'stackgres.io/scheduled-backup-job-name': 'orders-backup-1', team: 'dba' } : { team: 'dba' },
      annotations: { 'stackgres.io/operatorVersion': '1.18.6', ...(o.scheduled ? { 'stackgres.io/scheduled-backup': 'true' } : {}) },
    },
    spec: { sgCluster: o.cluster ?? 'orders', managedLifecycle: o.managed ?? false },
    status: {
      internalName: 'base_000000010000000000000005',
      backupPath: 'sgbackups.stackgres.io/prod/orders/2025-01-01-00-00-00/16',
      process: {
        status: o.phase ?? 'Completed',
        ...(o.failure ? { failure: o.failure } : {}),
        jobPod: `${name}-backup-abcde`,
        managedLifecycle: o.managed ?? false,
        timing: { start: '2025-03-01T10:00:05.000001Z', end: '2025-03-01T10:00:59.5Z', stored },
      },
      backupInformation: {
        postgresVersion: '160004',
        size: { uncompressed: 3 * 1024 ** 3, compressed: 734003200 },
        timeline: '1',
      },
      sgBackupConfig: { baseBackups: { compression: 'lz4' }, storage: STORAGE },
    },
    ...o.over,
  };
}

describe('SGBackups of a cluster', () => {
  it('reads spec.sgCluster as a same-namespace cluster, or <namespace>.<cluster> for a copy', () => {
    assert.deepEqual(backupClusterRef('prod', 'orders'), { namespace: 'prod', name: 'orders', copy: false });
    assert.deepEqual(backupClusterRef('staging', 'prod.orders'), { namespace: 'prod', name: 'orders', copy: true });
  });

  it("finds a cluster's backups and the copies of them in other namespaces, and nothing else", () => {
    const objects = [
      backup('orders-1', { stored: '2025-03-01T10:00:00Z' }),
      backup('orders-2', { stored: '2025-03-02T10:00:00Z' }),
      backup('orders-1-copy', { ns: 'staging', cluster: 'prod.orders', stored: '2025-03-01T10:00:00Z' }),
      backup('other', { cluster: 'inventory' }),
      backup('same-name-other-ns', { ns: 'staging', cluster: 'orders' }),
      backup('copy-of-other', { ns: 'staging', cluster: 'prod.inventory' }),
      { kind: 'SGBackup', metadata: { name: 'malformed' } },
    ];
    const found = clusterBackups(objects, { namespace: 'prod', name: 'orders' });
    assert.deepEqual(found.map((b) => `${b.namespace}/${b.name}`), ['prod/orders-2', 'prod/orders-1', 'staging/orders-1-copy'], 'newest first');
    assert.equal(found[2].copy, true);
    assert.equal(isBackupOf(objects[2], { namespace: 'prod', name: 'orders' }), true);
    assert.equal(isBackupOf(objects[4], { namespace: 'prod', name: 'orders' }), false);
  });

  it('reads phase, failure, timing, sizes, PG major, lifecycle and schedule from the status', () => {
    const b = readBackup(backup('orders-1', { scheduled: true, managed: true }))!;
    assert.equal(b.phase, 'Completed');
    assert.equal(b.stored?.toISOString(), '2025-03-01T10:01:00.123Z');
    assert.equal(b.started?.toISOString(), '2025-03-01T10:00:05.000Z');
    assert.equal(b.compressedBytes, 734003200);
    assert.equal(b.pgMajor, '16');
    assert.equal(b.managedLifecycle, true);
    assert.equal(b.scheduled, true);
    assert.equal(b.compression, 'lz4');
    assert.equal(b.storage, 's3, bucket acme-backups/prod');
    assert.equal(b.copy, false);

    const failed = readBackup(backup('orders-f', { phase: 'Failed', failure: 'Backup failed while perfroming backup-push:\nboom' }))!;
    assert.equal(failed.phase, 'Failed');
    assert.match(failed.failure!, /backup-push/);
  });

  it('reads a backup without status as Pending and tolerates odd fields', () => {
    const b = readBackup({ metadata: { name: 'new', namespace: 'prod' }, spec: { sgCluster: 'orders' } })!;
    assert.equal(b.phase, 'Pending');
    assert.equal(b.stored, undefined);
    assert.equal(b.pgMajor, undefined);
    const odd = readBackup(backup('odd', { over: { status: { process: { status: 'Exploded', timing: { stored: 'yesterday' } }, backupInformation: { size: { compressed: 'big' } } } } }))!;
    assert.equal(odd.phase, 'Pending');
    assert.equal(odd.stored, undefined);
    assert.equal(odd.compressedBytes, undefined);
    assert.equal(readBackup({ metadata: {} }), undefined);
    assert.equal(readBackup('not an object'), undefined);
  });

  it('formats ages as kubectl does', () => {
    const now = new Date('2025-03-10T12:00:00Z');
    const ago = (ms: number): string => formatAge(new Date(now.getTime() - ms), now);
    const S = 1000;
    const M = 60 * S;
    const H = 60 * M;
    const D = 24 * H;
    assert.equal(ago(45 * S), '45s');
    assert.equal(ago(5 * M + 30 * S), '5m30s');
    assert.equal(ago(45 * M), '45m');
    assert.equal(ago(3 * H + 15 * M), '3h15m');
    assert.equal(ago(30 * H), '30h');
    assert.equal(ago(2 * D + 4 * H), '2d4h');
    assert.equal(ago(40 * D), '40d');
    assert.equal(ago(800 * D), '2y70d');
    assert.equal(ago(-5 * S), '0s', 'a clock slightly ahead is not negative');
  });

  it('describes a backup in one line for the tree', () => {
    const now = new Date('2025-03-01T13:01:30Z');
    assert.equal(backupDescription(readBackup(backup('orders-1', { managed: true }))!, now), 'Completed · 3h · 700 MiB · PG 16 · managed');
    assert.equal(backupDescription(readBackup(backup('c', { ns: 'staging', cluster: 'prod.orders' }))!, now), 'Completed · 3h · 700 MiB · PG 16 · copy of prod.orders');
  });
});

describe('Run backup now: the manual SGBackup', () => {
  const now = new Date('2025-03-01T10:30:05Z');

  it('is named <cluster>-YYYY-MM-DD-HH-MM-SS in UTC and carries the lifecycle choice', () => {
    const m = manualBackupManifest({ namespace: 'prod', cluster: 'orders', managedLifecycle: false, now });
    assert.equal(m.name, 'orders-2025-03-01-10-30-05');
    assert.equal(m.problem, undefined);
    assert.deepEqual(m.manifest, {
      apiVersion: 'stackgres.io/v1',
      kind: 'SGBackup',
      metadata: { name: 'orders-2025-03-01-10-30-05', namespace: 'prod' },
      spec: { sgCluster: 'orders', managedLifecycle: false },
    });
  });

  it('shortens a long cluster name so the backup name stays within 56 characters', () => {
    const cluster = 'a-very-long-cluster-name-for-the-billing-team-x'.slice(0, 44);
    const name = manualBackupName(cluster, now);
    assert.ok(name.length <= 56, name);
    assert.match(name, /^a-very-long-cluster-name-for-the-bil-2025-03-01-10-30-05$/);
    assert.equal(manualBackupName('abcdefghijklmnopqrstuvwxyz0123456789-x', now).includes('--'), false, 'no double dash after cutting at a dash');
  });

  it('reports a name the CRD would reject', () => {
    assert.match(manualBackupManifest({ namespace: 'prod', cluster: 'orders', managedLifecycle: true, now, name: 'Orders.Backup' }).problem!, /lower-case/);
  });

  it('passes the bundled SGBackup schema', () => {
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(JSON.parse(fs.readFileSync(path.join(__dirname, '../../../schemas/sgbackup.schema.json'), 'utf8')));
    assert.ok(validate(manualBackupManifest({ namespace: 'prod', cluster: 'orders', managedLifecycle: true, now }).manifest), JSON.stringify(validate.errors));
  });
});

describe('Copy backup to namespace, as the StackGres restore runbook does it', () => {
  it('prefixes spec.sgCluster with the source namespace, moves it, keeps the status and strips server-set metadata', () => {
    const source = backup('orders-2025-03-01-10-00-00', { scheduled: true, managed: true });
    const copy = copyBackupManifest(source, 'staging');
    assert.deepEqual(copy.problems, []);
    const m = copy.manifest as { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: unknown };
    assert.equal(m.spec.sgCluster, 'prod.orders');
    assert.equal(m.spec.managedLifecycle, true);
    assert.equal(m.metadata.namespace, 'staging');
    assert.equal(m.metadata.name, 'orders-2025-03-01-10-00-00');
    for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'ownerReferences']) {
      assert.equal(k in m.metadata, false, `${k} is stripped`);
    }
    assert.deepEqual(m.metadata.labels, { team: 'dba' }, 'scheduled-backup marks do not follow the copy');
    assert.deepEqual(m.metadata.annotations, { 'stackgres.io/operatorVersion': '1.18.6' });
    assert.deepEqual(m.status, (source as { status: unknown }).status, 'status carried: Completed, internalName, backupPath, sgBackupConfig');
    assert.equal((source.metadata as Record<string, unknown>).uid, '11111111-2222-3333-4444-555555555555', 'the source is not modified');
  });

  it('lists the Secrets and keys the recorded storage reads, encryption key included', () => {
    assert.deepEqual(backupStorageSecrets(backup('b')), [
      { name: 'aws-creds', keys: ['id', 'secret'] },
      { name: 'backup-key', keys: ['sodium'] },
    ]);
    assert.deepEqual(copyBackupManifest(backup('b'), 'staging').secrets.map((s) => s.name), ['aws-creds', 'backup-key']);
    const iam = backup('iam', { over: { status: { process: { status: 'Completed' }, sgBackupConfig: { storage: { type: 's3', s3: { bucket: 'b', awsCredentials: { useIAMRole: true } } } } } } });
    assert.deepEqual(backupStorageSecrets(iam), []);
  });

  it('keeps the original namespace when copying a copy', () => {
    const copy = copyBackupManifest(backup('b', { ns: 'staging', cluster: 'prod.orders' }), 'qa');
    assert.equal((copy.manifest.spec as Record<string, unknown>).sgCluster, 'prod.orders');
  });

  it('refuses what a restore could not use, and warns about VolumeSnapshot backups', () => {
    assert.match(copyBackupManifest(backup('b', { phase: 'Running' }), 'staging').problems.join(), /Running; only a Completed backup/);
    assert.match(copyBackupManifest(backup('b'), 'prod').problems.join(), /already in namespace prod/);
    const snap = backup('snap', { over: { status: { ...(backup('x').status as object), volumeSnapshot: { name: 'snap-1' } } } });
    assert.match(copyBackupManifest(snap, 'staging').warnings.join(), /VolumeSnapshot/);
    assert.match(copyBackupManifest({ metadata: { name: 'x' } }, 'staging').problems.join(), /not an SGBackup/);
  });

  it('refuses a storage whose Secret selector names no key: only the keys the storage names are copied, never "all of them"', () => {
    const storage = { ...STORAGE, encryption: { method: 'sodium', sodium: { key: { name: 'backup-key' } } } };
    const keyless = backup('b', { over: { status: { ...(backup('x').status as object), sgBackupConfig: { storage } } } });
    const copy = copyBackupManifest(keyless, 'staging');
    assert.equal(copy.problems.length, 1);
    assert.match(copy.problems[0], /storage\.encryption\.sodium\.key\) names Secret backup-key without a key/);
    assert.match(copy.problems[0], /Nothing was copied\./);
    assert.deepEqual(copyBackupManifest(backup('b'), 'staging').problems, [], 'every selector of the usual storage has its key');
  });
});
