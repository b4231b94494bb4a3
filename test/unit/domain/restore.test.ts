import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { checkRestore, recoverableWindow, restoreManifest } from '@core/restore';
import { findings } from './helpers';

function backup(name: string, stored: string, o: { ns?: string; cluster?: string; phase?: string; version?: string; failure?: string } = {}): Record<string, unknown> {
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name, namespace: o.ns ?? 'prod' },
    spec: { sgCluster: o.cluster ?? 'orders', managedLifecycle: true },
    status: {
      internalName: `base_${name}`,
      process: { status: o.phase ?? 'Completed', ...(o.failure ? { failure: o.failure } : {}), timing: { start: stored, end: stored, stored } },
      backupInformation: { postgresVersion: o.version ?? '160004', size: { uncompressed: 3 * 1024 ** 3, compressed: 1024 ** 3 } },
      sgBackupConfig: {
        baseBackups: { compression: 'lz4' },
        storage: { type: 's3', s3: { bucket: 'b', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'aws-creds', key: 'id' }, secretAccessKey: { name: 'aws-creds', key: 'secret' } } } } },
      },
    },
  };
}

const MON = backup('orders-mon', '2025-03-03T02:00:00.5Z');
const TUE = backup('orders-tue', '2025-03-04T02:00:00Z');
const TUE_FAILED = backup('orders-tue-retry', '2025-03-04T01:00:00Z', { phase: 'Failed', failure: 'Backup failed while perfroming backup-push:\nboom' });
const WED = backup('orders-wed', '2025-03-05T02:00:00Z');
const TUE_COPY = backup('orders-tue', '2025-03-04T02:00:00Z', { ns: 'staging', cluster: 'prod.orders' });
const OTHER = backup('inventory-tue', '2025-03-03T12:00:00Z', { cluster: 'inventory' });
const ALL = [WED, TUE_COPY, MON, TUE_FAILED, OTHER, TUE];
const NOW = new Date('2025-03-05T09:00:00Z');

describe('Recoverable window of a backup', () => {
  it("runs from the backup's stored time to the next Completed backup of the same cluster", () => {
    const w = recoverableWindow(MON, ALL, NOW)!;
    assert.equal(w.from.toISOString(), '2025-03-03T02:00:00.500Z');
    assert.equal(w.to.toISOString(), '2025-03-04T02:00:00.000Z', 'the Failed retry and the other cluster do not end it');
    assert.equal(w.nextBackup, 'orders-tue');
    assert.equal(w.toIsNow, false);
  });

  it('runs to now for the latest backup', () => {
    const w = recoverableWindow(WED, ALL, NOW)!;
    assert.equal(w.to.toISOString(), NOW.toISOString());
    assert.equal(w.toIsNow, true);
  });

  it('is the same for a copy in another namespace, which is not its own next backup', () => {
    const w = recoverableWindow(TUE_COPY, ALL, NOW)!;
    assert.equal(w.from.toISOString(), '2025-03-04T02:00:00.000Z');
    assert.equal(w.nextBackup, 'orders-wed');
  });

  it('does not exist for a backup that is not Completed', () => {
    assert.equal(recoverableWindow(TUE_FAILED, ALL, NOW), undefined);
  });
});

describe('Restore checks', () => {
  const window = recoverableWindow(MON, ALL, NOW)!;
  const codes = (r: Parameters<typeof checkRestore>[0]): string[] => checkRestore(r).map((c) => c.code);

  it('accept a valid name, a Completed backup and a time inside the window', () => {
    assert.deepEqual(codes({ backup: MON, clusterName: 'orders-restored', restoreToTimestamp: '2025-03-03T14:30:00Z', window, postgresVersion: '16.6' }), []);
    assert.deepEqual(codes({ backup: MON, clusterName: 'orders-restored', restoreToTimestamp: '2025-03-03T15:30:00+01:00', window }), []);
  });

  it('check the new name as the SGCluster CRD does (DNS label, 44 characters)', () => {
    assert.deepEqual(codes({ backup: MON, clusterName: 'Orders_Restored' }), ['restore-name-invalid']);
    const [long] = checkRestore({ backup: MON, clusterName: 'x'.repeat(45) });
    assert.match(long.message, /45 characters; the limit is 44/);
  });

  it('refuse a backup that is not Completed, saying why', () => {
    const [c] = checkRestore({ backup: TUE_FAILED, clusterName: 'r' });
    assert.equal(c.code, 'restore-backup-not-completed');
    assert.match(c.message, /is Failed \(Backup failed while perfroming backup-push:\)/);
    assert.match(checkRestore({ backup: backup('p', '2025-03-03T00:00:00Z', { phase: 'Running' }), clusterName: 'r' })[0].message, /Running; wait until it is Completed/);
  });

  it('refuse another Postgres major, allowing another minor', () => {
    const [c] = checkRestore({ backup: MON, clusterName: 'r', postgresVersion: '17.2' });
    assert.equal(c.code, 'restore-major-mismatch');
    assert.match(c.message, /taken from Postgres 16, but the new cluster would run 17\.2/);
    assert.deepEqual(codes({ backup: MON, clusterName: 'r', postgresVersion: '16' }), []);
  });

  it('refuse a restore into another namespace than the backup', () => {
    const [c] = checkRestore({ backup: MON, clusterName: 'r', namespace: 'staging' });
    assert.equal(c.code, 'restore-backup-other-namespace');
    assert.match(c.message, /copy the backup to staging first/);
  });

  it('refuse a point in time outside the window, naming its bounds', () => {
    const before = checkRestore({ backup: MON, clusterName: 'r', restoreToTimestamp: '2025-03-03T01:59:59Z', window })[0];
    assert.equal(before.code, 'restore-timestamp-before-window');
    assert.match(before.message, /before SGBackup orders-mon was stored \(2025-03-03T02:00:00\.500Z\)/);
    const after = checkRestore({ backup: MON, clusterName: 'r', restoreToTimestamp: new Date('2025-03-04T02:00:01Z'), window })[0];
    assert.equal(after.code, 'restore-timestamp-after-window');
    assert.match(after.message, /next backup, orders-tue, was stored/);
    const future = checkRestore({ backup: WED, clusterName: 'r', restoreToTimestamp: '2025-03-05T10:00:00Z', window: recoverableWindow(WED, ALL, NOW) })[0];
    assert.match(future.message, /after now .*future/);
  });

  it('refuse a timestamp the operator cannot parse, with the repair', () => {
    const [c] = checkRestore({ backup: MON, clusterName: 'r', restoreToTimestamp: '2025-03-03 14:30', window });
    assert.equal(c.code, 'restore-timestamp-invalid');
    assert.match(c.message, /Did you mean `2025-03-03T14:30:00Z`/);
  });
});

describe('Restore manifest (restore as code)', () => {
  const source = { apiVersion: 'stackgres.io/v1', kind: 'SGCluster', metadata: { name: 'orders', namespace: 'prod' }, spec: { instances: 2, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '50Gi' } } } };

  it('is a new SGCluster restoring the backup at a point in time, with the backup major and the source sizes', () => {
    const plan = restoreManifest({ backup: MON, clusterName: 'orders-restored', restoreToTimestamp: '2025-03-03T15:30:00+01:00', window: recoverableWindow(MON, ALL, NOW), sourceCluster: source });
    assert.deepEqual(plan.checks, []);
    assert.deepEqual(plan.manifest, {
      apiVersion: 'stackgres.io/v1',
      kind: 'SGCluster',
      metadata: { name: 'orders-restored', namespace: 'prod' },
      spec: {
        instances: 2,
        postgres: { version: '16' },
        pods: { persistentVolume: { size: '50Gi' } },
        initialData: { restore: { fromBackup: { name: 'orders-mon', pointInTimeRecovery: { restoreToTimestamp: '2025-03-03T14:30:00Z' } } } },
      },
    });
    assert.deepEqual(parse(plan.yaml), plan.manifest, 'the YAML file is the manifest');
  });

  it('explains in a comment header what applying it does', () => {
    const { yaml } = restoreManifest({ backup: MON, clusterName: 'orders-restored' });
    const header = yaml.split('\n').filter((l) => l.startsWith('#')).join('\n');
    assert.match(header, /^# Restores SGBackup orders-mon \(cluster prod\.orders, stored 2025-03-03T02:00:00\.500Z, Postgres 16\)/);
    assert.match(header, /NEW SGCluster orders-restored in namespace prod/);
    assert.match(header, /No point in time/);
    assert.match(header, /cannot be changed afterwards/);
    assert.match(header, /Secrets \(aws-creds\) must exist/);
    assert.match(header, /Volume size 6Gi is an estimate/);
  });

  it('passes the bundled SGCluster schema and our own rules', () => {
    const { manifest, yaml } = restoreManifest({ backup: MON, clusterName: 'orders-restored', restoreToTimestamp: new Date('2025-03-03T14:30:00.250Z') });
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(JSON.parse(fs.readFileSync(path.join(__dirname, '../../../schemas/sgcluster.schema.json'), 'utf8')));
    assert.ok(validate(manifest), JSON.stringify(validate.errors));
    assert.deepEqual(findings(yaml).map((f) => `${f.code}: ${f.message}`), []);
  });

  it('keeps values from the backup on their comment lines: a line break in them adds nothing to the manifest', () => {
    const hostile = backup('orders-mon', '2025-03-03T02:00:00.5Z', { cluster: 'orders\nspec:\n  instances: 0 #', version: '160004' }) as { status: { sgBackupConfig: { storage: { s3: { awsCredentials: unknown } } } } };
    hostile.status.sgBackupConfig.storage.s3.awsCredentials = { secretKeySelectors: { accessKeyId: { name: 'aws-creds\r\nmetadata: {name: evil}\u2028x', key: 'id' }, secretAccessKey: { name: 'aws-creds', key: 'secret' } } };
    const plan = restoreManifest({ backup: hostile, clusterName: 'orders-restored' });
    assert.deepEqual(parse(plan.yaml), plan.manifest, 'the YAML file is the manifest, nothing more');
    const header = plan.yaml.slice(0, plan.yaml.indexOf('apiVersion:'));
    for (const line of header.split('\n').slice(0, -1)) assert.match(line, /^# [^\r\u2028]*$/);
    assert.match(header, /cluster prod\.orders\\nspec:\\n {2}instances: 0 #,/);
    assert.match(header, /Secrets \(aws-creds, aws-creds\\r\\nmetadata: \{name: evil\}\\u2028x\) must exist/);
  });

  it('still writes the manifest when checks fail, and reports them', () => {
    const plan = restoreManifest({ backup: TUE_FAILED, clusterName: 'r' });
    assert.deepEqual(plan.checks.map((c) => c.code), ['restore-backup-not-completed']);
  });
});
