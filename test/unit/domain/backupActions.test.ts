import * as assert from 'node:assert/strict';
import {
  backupChoiceDescription,
  backupOutcome,
  clusterInText,
  deleteBackupWarning,
  failureHead,
  formatDuration,
  namespaceProblem,
  pointInTimeProblem,
  restoreFilePath,
  restoreNameProblem,
  runBackupProblem,
  secretCopySteps,
  copyConfirmation,
  copyUndoText,
  suggestRestoreName,
  windowText,
} from '@core/backupActions';
import { readBackup } from '@core/backups';
import { recoverableWindow } from '@core/restore';
import { yaml } from './helpers';

function backup(name: string, o: { ns?: string; cluster?: string; phase?: string; failure?: string; stored?: string; internal?: string } = {}): Record<string, unknown> {
  const stored = o.stored ?? '2025-03-04T02:01:30Z';
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name, namespace: o.ns ?? 'prod' },
    spec: { sgCluster: o.cluster ?? 'orders', managedLifecycle: false },
    status: {
      internalName: o.internal ?? `base_${name}`,
      process: { status: o.phase ?? 'Completed', ...(o.failure ? { failure: o.failure } : {}), timing: { start: '2025-03-04T02:00:00Z', end: '2025-03-04T02:01:25Z', stored } },
      backupInformation: { postgresVersion: '160004', size: { uncompressed: 3 * 1024 ** 3, compressed: 1024 ** 3 } },
      sgBackupConfig: { baseBackups: { compression: 'lz4' }, storage: { type: 's3', s3: { bucket: 'b', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'aws', key: 'id' }, secretAccessKey: { name: 'aws', key: 'secret' } } } } } },
    },
  };
}

const view = (o: Record<string, unknown>) => readBackup(o)!;

describe('Run backup now: what the user is told', () => {
  it('formats how long a backup took', () => {
    assert.equal(formatDuration(45_400), '45 s');
    assert.equal(formatDuration(185_000), '3 min 5 s');
    assert.equal(formatDuration(120_000), '2 min');
    assert.equal(formatDuration(2 * 3600_000 + 10 * 60_000), '2 h 10 min');
    assert.equal(formatDuration(-5), '0 s');
  });

  it('says a Completed backup with its size and duration', () => {
    assert.equal(backupOutcome(view(backup('orders-1'))).message, 'Backup orders-1 of orders Completed: 1.0 GiB compressed (3.0 GiB of data) in 1 min 25 s.');
    assert.equal(backupOutcome(view(backup('orders-1'))).ok, true);
  });

  it('says a Failed backup with the first lines of its failure, and whether the log has more', () => {
    const failure = 'Backup failed while perfroming backup-push:\nERROR: upload failed\nline 3\nline 4';
    const out = backupOutcome(view(backup('orders-f', { phase: 'Failed', failure })));
    assert.equal(out.ok, false);
    assert.equal(out.message, 'Backup orders-f of orders Failed: Backup failed while perfroming backup-push: — ERROR: upload failed …');
    assert.deepEqual(failureHead('Lock lost:\n'), { head: 'Lock lost:', more: false });
    assert.match(backupOutcome(view(backup('x', { phase: 'Failed' }))).message, /the operator gave no reason/);
  });

  it('refuses a cluster without backups configured, or whose storage is missing, before creating anything', () => {
    const cluster = (backups?: unknown) => ({ metadata: { name: 'orders', namespace: 'prod' }, spec: { configurations: backups ? { backups } : undefined } });
    assert.match(runBackupProblem(cluster(), () => true)!, /SGCluster orders has no backups configured/);
    assert.match(runBackupProblem(cluster([{ compression: 'lz4' }]), () => true)!, /no backups configured/);
    assert.match(runBackupProblem(cluster([{ sgObjectStorage: 's3' }]), () => false)!, /SGObjectStorage s3, which does not exist in namespace prod/);
    assert.equal(runBackupProblem(cluster([{ sgObjectStorage: 's3' }]), () => true), undefined);
    assert.equal(runBackupProblem(cluster([{ sgObjectStorage: 's3' }]), () => undefined), undefined, 'unknown storages are left to the operator');
  });
});

describe('Delete backup: what happens to the files', () => {
  it('says the files go at the next backup of the cluster', () => {
    const b = view(backup('orders-1'));
    const text = deleteBackupWarning(b, [b], true);
    assert.match(text, /files in object storage are deleted too/);
    assert.match(text, /next backup of cluster prod\.orders/);
    assert.doesNotMatch(text, /does not exist/);
  });

  it('says copies keep the files until all are deleted', () => {
    const b = view(backup('orders-1'));
    const copy = view(backup('orders-1', { ns: 'staging', cluster: 'prod.orders', internal: 'base_orders-1' }));
    const other = view(backup('orders-2'));
    const text = deleteBackupWarning(b, [b, copy, other], true);
    assert.match(text, /stay as long as staging\/orders-1 names them/);
    assert.doesNotMatch(text, /orders-2/);
    assert.match(deleteBackupWarning(copy, [b, copy], true), /as long as prod\/orders-1 names them/);
  });

  it('says nobody removes the files when the cluster is gone', () => {
    const b = view(backup('orders-1'));
    assert.match(deleteBackupWarning(b, [b], false), /does not exist, so no backup will run to remove them/);
  });

  it('talks about partial files for a Failed backup', () => {
    const b = view(backup('orders-f', { phase: 'Failed', failure: 'boom' }));
    assert.match(deleteBackupWarning(b, [b], true), /partial files/);
  });
});

describe('Restore backup: prompts', () => {
  const taken = new Set(['orders-restore', 'orders']);
  const exists = (n: string) => taken.has(n);

  it('refuses a new cluster name that breaks the rules or exists', () => {
    assert.match(restoreNameProblem('orders', 'prod', exists)!, /already exists in namespace prod/);
    assert.match(restoreNameProblem('a'.repeat(45), 'prod', exists)!, /45 characters; the limit is 44/);
    assert.match(restoreNameProblem('Orders', 'prod', exists)!, /lower-case/);
    assert.equal(restoreNameProblem('a'.repeat(44), 'prod', exists), undefined);
  });

  it('suggests a free name within the limit', () => {
    assert.equal(suggestRestoreName('orders', exists), 'orders-restore-2');
    assert.equal(suggestRestoreName('inventory', exists), 'inventory-restore');
    const long = suggestRestoreName('c'.repeat(44), exists);
    assert.equal(long.length <= 44, true);
    assert.equal(restoreNameProblem(long, 'prod', exists), undefined);
  });

  const mon = backup('orders-mon', { stored: '2025-03-03T02:00:00Z' });
  const tue = backup('orders-tue', { stored: '2025-03-04T02:00:00Z' });
  const now = new Date('2025-03-05T09:00:00Z');

  it('shows the recoverable window in words', () => {
    assert.equal(windowText(recoverableWindow(mon, [mon, tue], now)!), 'from 2025-03-03T02:00:00Z to 2025-03-04T02:00:00Z (when orders-tue was stored), UTC');
    assert.equal(windowText(recoverableWindow(tue, [mon, tue], now)!), 'from 2025-03-04T02:00:00Z to now (2025-03-05T09:00:00Z, the latest backup), UTC');
  });

  it('accepts a point in time inside the window and explains the others', () => {
    const w = recoverableWindow(mon, [mon, tue], now);
    assert.equal(pointInTimeProblem(mon, '2025-03-03T12:00:00Z', w), undefined);
    assert.equal(pointInTimeProblem(mon, ' 2025-03-03T12:00:00Z ', w), undefined, 'surrounding spaces are ignored');
    assert.match(pointInTimeProblem(mon, '2025-03-02T12:00:00Z', w)!, /before SGBackup orders-mon was stored/);
    assert.match(pointInTimeProblem(mon, '2025-03-04T12:00:00Z', w)!, /after the next backup, orders-tue,/);
    assert.match(pointInTimeProblem(mon, '2025-03-03 12:00', w)!, /Did you mean `2025-03-03T12:00:00Z`/);
  });

  it('puts the manifest under restore/ named after the cluster', () => {
    assert.equal(restoreFilePath('orders-restore'), 'restore/orders-restore.yaml');
  });

  it('describes a backup to choose by date, size, PG major and namespace', () => {
    assert.equal(backupChoiceDescription(view(mon), 'prod'), '2025-03-03 02:00:00 UTC · 1.0 GiB · PG 16');
    assert.equal(backupChoiceDescription(view(backup('c', { ns: 'staging', cluster: 'prod.orders', stored: '2025-03-03T02:00:00.5Z' })), 'prod'), '2025-03-03 02:00:00 UTC · 1.0 GiB · PG 16 · copy in staging');
  });
});

describe('Copy backup to namespace: Secrets and target', () => {
  it('checks a typed namespace name', () => {
    assert.equal(namespaceProblem('staging'), undefined);
    assert.match(namespaceProblem('')!, /Type a namespace/);
    assert.match(namespaceProblem('Staging')!, /lower-case/);
    assert.match(namespaceProblem('a'.repeat(64))!, /at most 63/);
  });

  it('marks the Secrets that exist in the target, and the keys they lack', () => {
    const steps = secretCopySteps(
      [{ name: 'aws', keys: ['id', 'secret'] }, { name: 'gcs', keys: ['sa.json'] }, { name: 'ok', keys: ['k'] }],
      (n) => ({ aws: ['id'], ok: ['k', 'other'] } as Record<string, string[]>)[n],
    );
    assert.deepEqual(steps, [
      { name: 'aws', keys: ['id', 'secret'], exists: true, missingKeys: ['secret'], droppedKeys: [] },
      { name: 'gcs', keys: ['sa.json'], exists: false, missingKeys: [], droppedKeys: [] },
      { name: 'ok', keys: ['k'], exists: true, missingKeys: [], droppedKeys: ['other'] },
    ]);
  });

  it('asks once, naming the context, both namespaces, each Secret and its keys, and what replacing removes', () => {
    const [aws, ok] = secretCopySteps([{ name: 'aws', keys: ['id', 'secret'] }, { name: 'ok', keys: ['k'] }], (n) => (n === 'ok' ? ['k', 'other'] : undefined));
    const q = copyConfirmation({ context: 'prod-eks', backup: 'orders-1', from: 'prod', target: 'staging', sgCluster: 'prod.orders', copied: [aws, ok], kept: ['enc'] });
    assert.equal(q.message, 'Copy 2 credentials Secrets from namespace prod to namespace staging (context "prod-eks")?');
    assert.match(q.detail, /^SGBackup orders-1 is copied to staging \(spec\.sgCluster prod\.orders\)/);
    assert.match(q.detail, /\n• Secret aws: keys id, secret\n/);
    assert.match(q.detail, /\n• Secret ok: key k, replacing the existing staging\/ok \(its other keys other are removed\)\n/);
    assert.match(q.detail, /Kept as they are in staging: Secret enc\./);
    assert.equal(q.button, 'Copy Secrets and Backup');
  });

  it('says what a failed copy left behind, and never claims "nothing" when something is left', () => {
    assert.equal(copyUndoText('staging', { removed: [], restored: [], left: [] }), 'Nothing was created or changed in staging.');
    assert.equal(copyUndoText('staging', { removed: ['SGBackup b', 'Secret aws'], restored: ['Secret enc'], left: [] }), 'It removed SGBackup b, Secret aws and put back the former Secret enc: nothing was left behind in staging.');
    assert.equal(
      copyUndoText('staging', { removed: ['SGBackup b'], restored: [], left: ['Secret aws (kubectl delete secret aws -n staging)'] }),
      'Left behind in staging: Secret aws (kubectl delete secret aws -n staging). It removed SGBackup b.',
    );
  });
});

describe('Run backup from the editor: the SGCluster of the file', () => {
  const text = yaml`
    apiVersion: stackgres.io/v1beta1
    kind: SGObjectStorage
    metadata:
      name: s3
    ---
    apiVersion: stackgres.io/v1
    kind: SGCluster
    metadata:
      name: orders
      namespace: prod
    spec:
      instances: 1
    ---
    apiVersion: stackgres.io/v1
    kind: SGCluster
    metadata:
      name: inventory
  `;

  it('takes the SGCluster under the cursor', () => {
    assert.deepEqual(clusterInText(text, text.indexOf('instances')), { name: 'orders', namespace: 'prod' });
    assert.deepEqual(clusterInText(text, text.indexOf('inventory')), { name: 'inventory', namespace: undefined });
  });

  it('takes the only SGCluster of a file wherever the cursor is, and none when it is ambiguous', () => {
    const single = text.split('---\n').slice(0, 2).join('---\n');
    assert.deepEqual(clusterInText(single, 0), { name: 'orders', namespace: 'prod' });
    assert.equal(clusterInText(text, 0), undefined);
    assert.equal(clusterInText('kind: Deployment\nmetadata:\n  name: x\n'), undefined);
  });
});
