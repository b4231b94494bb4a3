import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  assessDrill,
  cleanupProblem,
  DRILL_BACKUP_UID_ANNOTATION,
  DRILL_LABEL,
  DRILL_RESULT_ANNOTATION,
  drillCreateProblem,
  drillManifest,
  drillName,
  drillRowText,
  formatDrillDuration,
  formatDrillRecord,
  lastDrillPerCluster,
  parseDrillRecord,
  readDrillCluster,
  type DrillObservation,
} from '@core/drill';
import { readBackup } from '@core/backups';
import { DNS_LABEL, MAX_CLUSTER_NAME } from '@core/names';
import { recoverableWindow } from '@core/restore';

function backup(name: string, o: { ns?: string; cluster?: string; stored?: string; annotations?: Record<string, string>; uid?: string } = {}): Record<string, unknown> {
  const stored = o.stored ?? '2026-12-01T02:00:00Z';
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name, namespace: o.ns ?? 'prod', uid: o.uid ?? `uid-${name}`, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { sgCluster: o.cluster ?? 'orders', managedLifecycle: true },
    status: {
      internalName: `base_${name}`,
      process: { status: 'Completed', timing: { start: stored, end: stored, stored } },
      backupInformation: { postgresVersion: '160004', size: { uncompressed: 3 * 1024 ** 3, compressed: 1024 ** 3 } },
      sgBackupConfig: { baseBackups: { compression: 'lz4' }, storage: { type: 's3', s3: { bucket: 'b' } } },
    },
  };
}

type DrillManifest = {
  kind: string;
  metadata: { namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { instances: number; postgres: { version: string }; initialData: { restore: { fromBackup: { name: string; pointInTimeRecovery?: unknown } } } };
};

const NOW = new Date('2026-12-03T14:05:09.250Z');

describe('restore drill: naming', () => {
  it('names the drill <cluster>-drill-<UTC timestamp>', () => {
    assert.equal(drillName('orders', NOW), 'orders-drill-20261203-140509');
  });

  it('cuts a long cluster name to stay within the SGCluster limit, as a valid DNS-1035 label', () => {
    for (const cluster of ['a'.repeat(44), 'orders-production-eu-west-1-primary', `abcdefghijklmnopqrstu-${'x'.repeat(20)}`]) {
      const name = drillName(cluster, NOW);
      assert.ok(name.length <= MAX_CLUSTER_NAME, `${name} is ${name.length} characters`);
      assert.match(name, DNS_LABEL);
      assert.match(name, /-drill-20261203-140509$/);
    }
    // The cut lands on a dash: it is dropped, never doubled.
    assert.equal(drillName('abcdefghijklmnopqrstu-vwxyz', NOW), 'abcdefghijklmnopqrstu-drill-20261203-140509');
  });
});

describe('restore drill: manifest', () => {
  it('is a one-instance restore of the backup at its Postgres major, marked as a drill with the backup uid', () => {
    const plan = drillManifest({ backup: backup('orders-mon'), now: NOW });
    assert.equal(plan.name, 'orders-drill-20261203-140509');
    assert.equal(plan.namespace, 'prod');
    assert.deepEqual(plan.checks, []);
    const m = parse(plan.yaml) as DrillManifest;
    assert.deepEqual(m, plan.manifest);
    assert.equal(m.kind, 'SGCluster');
    assert.equal(m.metadata.namespace, 'prod');
    assert.equal(m.spec.instances, 1);
    assert.equal(m.spec.postgres.version, '16');
    assert.deepEqual(m.spec.initialData.restore.fromBackup, { name: 'orders-mon' });
    assert.equal(m.metadata.labels[DRILL_LABEL], 'true');
    assert.equal(m.metadata.labels['app.kubernetes.io/managed-by'], 'stackgres-vscode');
    assert.equal(m.metadata.annotations[DRILL_BACKUP_UID_ANNOTATION], 'uid-orders-mon');
    assert.equal(m.metadata.annotations['stackgres-vscode/drill-target'], 'latest');
    assert.match(plan.yaml, /^# Restore drill of SGBackup orders-mon/);
  });

  it('restores to a point in time inside the window, and refuses one outside it', () => {
    const mon = backup('orders-mon');
    const tue = backup('orders-tue', { stored: '2026-12-02T02:00:00Z' });
    const window = recoverableWindow(mon, [mon, tue], NOW);
    const inside = drillManifest({ backup: mon, now: NOW, restoreToTimestamp: '2026-12-01T12:00:00Z', window });
    assert.deepEqual((inside.manifest as unknown as DrillManifest).spec.initialData.restore.fromBackup.pointInTimeRecovery, { restoreToTimestamp: '2026-12-01T12:00:00Z' });
    assert.equal((inside.manifest as unknown as DrillManifest).metadata.annotations['stackgres-vscode/drill-target'], '2026-12-01T12:00:00Z');
    const outside = drillManifest({ backup: mon, now: NOW, restoreToTimestamp: '2026-12-02T12:00:00Z', window });
    assert.deepEqual(outside.checks.map((c) => c.code), ['restore-timestamp-after-window']);
  });

  it('finds a drill cluster again by its label, and nothing else', () => {
    const plan = drillManifest({ backup: backup('orders-mon'), now: NOW });
    const live = { ...plan.manifest, metadata: { ...(plan.manifest.metadata as object), uid: 'c-1' } };
    const found = readDrillCluster(live);
    assert.equal(found?.backup, 'orders-mon');
    assert.equal(found?.backupUid, 'uid-orders-mon');
    assert.equal(found?.uid, 'c-1');
    assert.equal(found?.started?.toISOString(), '2026-12-03T14:05:09.000Z');
    assert.equal(readDrillCluster({ metadata: { name: 'orders', namespace: 'prod' }, spec: { initialData: { restore: { fromBackup: { name: 'x' } } } } }), undefined);
  });
});

describe('restore drill: cleanup touches only the drill cluster', () => {
  const drill = { metadata: { name: 'orders-drill-1', namespace: 'prod', uid: 'c-1', labels: { [DRILL_LABEL]: 'true' } } };
  it('accepts the cluster with the label and the uid the drill created', () => {
    assert.equal(cleanupProblem(drill, { name: 'orders-drill-1', namespace: 'prod', uid: 'c-1' }), undefined);
  });
  it('refuses a cluster without the label, or one made again under that name', () => {
    assert.match(cleanupProblem({ metadata: { ...drill.metadata, labels: {} } }, { name: 'orders-drill-1', namespace: 'prod', uid: 'c-1' })!, /not a drill cluster/);
    assert.match(cleanupProblem({ metadata: { ...drill.metadata, uid: 'c-2' } }, { name: 'orders-drill-1', namespace: 'prod', uid: 'c-1' })!, /not the cluster this drill created/);
    assert.match(cleanupProblem(drill, { name: 'orders-drill-1', namespace: 'prod' })!, /not the cluster this drill created/);
  });
});

describe('restore drill: the result annotation', () => {
  const record = { time: new Date('2026-12-01T10:07:12Z'), result: 'failed' as const, durationSeconds: 432.4, target: 'latest', cluster: 'prod/orders-drill-1', reason: 'WAL segment 000000010000000000000007 not found' };

  it('is one line of JSON that reads back the same', () => {
    const text = formatDrillRecord(record);
    assert.equal(text, '{"time":"2026-12-01T10:07:12Z","result":"failed","durationSeconds":432,"target":"latest","cluster":"prod/orders-drill-1","reason":"WAL segment 000000010000000000000007 not found"}');
    assert.deepEqual(parseDrillRecord(text), { ...record, durationSeconds: 432 });
  });

  it('keeps no reason on a success and clips a long reason', () => {
    assert.equal(JSON.parse(formatDrillRecord({ ...record, result: 'succeeded' })).reason, undefined);
    assert.ok(parseDrillRecord(formatDrillRecord({ ...record, reason: 'x'.repeat(5000) }))!.reason!.length <= 400);
  });

  it('reads no record from text another hand wrote wrong', () => {
    for (const bad of ['', 'ok', '[]', '{"time":"yesterday","result":"succeeded","durationSeconds":1,"target":"latest","cluster":"a/b"}', '{"time":"2026-12-01T10:07:12Z","result":"maybe","durationSeconds":1,"target":"latest","cluster":"a/b"}', '{"time":"2026-12-01T10:07:12Z","result":"succeeded","durationSeconds":-5,"target":"latest","cluster":"a/b"}', 42]) {
      assert.equal(parseDrillRecord(bad), undefined, String(bad));
    }
  });

  it('is read into the backup view, and the row says restore-tested with age and duration, or failed', () => {
    const b = readBackup(backup('orders-mon', { annotations: { [DRILL_RESULT_ANNOTATION]: formatDrillRecord({ ...record, result: 'succeeded' }) } }))!;
    assert.equal(drillRowText(b.drill!, new Date('2026-12-03T11:00:00Z')), 'restore-tested 2d ago · 7m12s');
    assert.equal(drillRowText(record, NOW), 'restore test failed');
    assert.equal(formatDrillDuration(45), '45s');
    assert.equal(formatDrillDuration(3720), '1h02m');
  });

  it('gives the last drill of each cluster, copies counted for their cluster', () => {
    const at = (time: string, result: 'succeeded' | 'failed') => ({ [DRILL_RESULT_ANNOTATION]: formatDrillRecord({ ...record, time: new Date(time), result }) });
    const last = lastDrillPerCluster([
      backup('orders-mon', { annotations: at('2026-12-01T10:00:00Z', 'succeeded') }),
      backup('orders-tue', { annotations: at('2026-12-02T10:00:00Z', 'failed') }),
      backup('orders-copy', { ns: 'staging', cluster: 'prod.orders', annotations: at('2026-12-01T12:00:00Z', 'succeeded') }),
      backup('billing-mon', { cluster: 'billing' }),
    ]);
    assert.deepEqual([...last.keys()].sort(), ['prod/orders']);
    assert.equal(last.get('prod/orders')!.backup, 'orders-tue');
    assert.equal(last.get('prod/orders')!.record.result, 'failed');
  });
});

describe('restore drill: following the cluster', () => {
  const started = new Date('2026-12-03T14:00:00Z');
  const cluster = { metadata: { name: 'orders-drill-1', namespace: 'prod' }, spec: { instances: 1 }, status: { conditions: [{ type: 'Failed', status: 'False' }] } };
  const pod = (phase: string, o: { ready?: boolean; waiting?: string; lastMessage?: string } = {}) => ({
    metadata: { name: 'orders-drill-1-0' },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'patroni', ready: !!o.ready, state: o.waiting ? { waiting: { reason: o.waiting } } : { running: {} }, ...(o.lastMessage ? { lastState: { terminated: { exitCode: 1, message: o.lastMessage } } } : {}) }],
    },
  });
  const observe = (o: Partial<DrillObservation>): DrillObservation => ({ cluster, pods: [], events: [], startedAt: started, now: new Date('2026-12-03T14:02:00Z'), timeoutMs: 30 * 60000, ...o });

  it('goes creating → pending → restoring → ready', () => {
    assert.equal(assessDrill(observe({})).phase, 'creating');
    assert.equal(assessDrill(observe({ pods: [pod('Pending')] })).phase, 'pending');
    const restoring = assessDrill(observe({ pods: [pod('Running')] }));
    assert.deepEqual([restoring.phase, restoring.done, restoring.elapsedMs], ['restoring', false, 120000]);
    const ready = assessDrill(observe({ pods: [pod('Running', { ready: true })] }));
    assert.deepEqual([ready.phase, ready.done, ready.success], ['ready', true, true]);
  });

  it('fails with the container message when the restore crashes, and with a Failed condition', () => {
    const crash = assessDrill(observe({ pods: [pod('Running', { waiting: 'CrashLoopBackOff', lastMessage: 'ERROR: WAL segment 000000010000000000000007 not found\n' })] }));
    assert.deepEqual([crash.phase, crash.done, crash.success], ['failed', true, false]);
    assert.equal(crash.reason, 'Container patroni of pod orders-drill-1-0 is in CrashLoopBackOff: ERROR: WAL segment 000000010000000000000007 not found');
    const failed = assessDrill(observe({ cluster: { ...cluster, status: { conditions: [{ type: 'Failed', status: 'True', message: 'bootstrap failed' }] } } }));
    assert.deepEqual([failed.phase, failed.reason], ['failed', 'bootstrap failed']);
  });

  it('fails on a fatal Warning Event, and a deleted cluster ends the drill', () => {
    const ev = { type: 'Warning', reason: 'RestoreFailed', message: 'storage unreachable', lastTimestamp: '2026-12-03T14:01:00Z' };
    assert.deepEqual([assessDrill(observe({ pods: [pod('Running')], events: [ev] })).phase, assessDrill(observe({ events: [ev] })).reason], ['failed', 'storage unreachable']);
    const gone = assessDrill(observe({ cluster: undefined }));
    assert.deepEqual([gone.phase, gone.done, gone.success], ['gone', true, false]);
  });

  it('times out past the limit, saying where it was and the last warning', () => {
    const events = [
      { type: 'Warning', reason: 'FailedScheduling', message: 'old', lastTimestamp: '2026-12-03T14:00:10Z' },
      { type: 'Warning', reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient memory.', lastTimestamp: '2026-12-03T14:20:00Z' },
      { type: 'Normal', reason: 'Scheduled', message: 'later but normal', lastTimestamp: '2026-12-03T14:25:00Z' },
    ];
    const early = assessDrill(observe({ pods: [pod('Pending')], events }));
    assert.equal(early.done, false);
    const late = assessDrill(observe({ pods: [pod('Pending')], events, now: new Date('2026-12-03T14:31:00Z') }));
    assert.deepEqual([late.phase, late.done, late.success], ['timedOut', true, false]);
    assert.equal(late.reason, 'Not ready within 30m00s (the time limit, setting stackgres.drill.timeoutMinutes); it was pod pending (scheduling, volume). Last warning: FailedScheduling: 0/3 nodes are available: 3 Insufficient memory.');
  });
});

describe('restore drill: faults of creating the cluster', () => {
  it('tells no permission, quota and a taken name apart', () => {
    assert.match(drillCreateProblem({ status: 403, message: 'sgclusters.stackgres.io is forbidden: User "dev" cannot create resource' }, 'd', 'prod'), /You may not create SGClusters in namespace prod .*Nothing was created/);
    assert.match(drillCreateProblem({ status: 403, message: 'exceeded quota: compute, requested: requests.storage=2Gi' }, 'd', 'prod'), /ResourceQuota .*exceeded quota: compute.*Nothing was created/);
    assert.match(drillCreateProblem({ status: 409, message: 'already exists' }, 'd', 'prod'), /already exists in prod: nothing was created/);
  });
});
