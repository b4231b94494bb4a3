import * as assert from 'node:assert/strict';
import { backupForInstant, pointInTimeRange, recoveryTimeline, type BucketView } from '@core/recoveryTimeline';

const PATH = 'sgbackups.stackgres.io/prod/orders/2025-03-01-00-00-00/16';

function cluster(o: { retention?: number; cron?: string; backups?: boolean } = {}): Record<string, unknown> {
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGCluster',
    metadata: { name: 'orders', namespace: 'prod' },
    spec: o.backups === false ? {} : { configurations: { backups: [{ sgObjectStorage: 's3', retention: o.retention, cronSchedule: o.cron ?? '0 2 * * *' }] } },
    status: { backupPaths: [PATH] },
  };
}

/** An SGBackup of prod/orders stored at `stored`; its wal-g name starts at WAL segment `seg`. */
function backup(name: string, stored: string, seg: number, o: { managed?: boolean; phase?: string; ns?: string; sgCluster?: string; path?: string } = {}): Record<string, unknown> {
  return {
    metadata: { name, namespace: o.ns ?? 'prod' },
    spec: { sgCluster: o.sgCluster ?? 'orders', managedLifecycle: o.managed ?? true },
    status: {
      internalName: walg(seg),
      backupPath: o.path ?? PATH,
      process: { status: o.phase ?? 'Completed', ...(o.phase === 'Failed' ? { failure: 'boom\nmore' } : {}), timing: { start: stored, end: stored, stored } },
      backupInformation: { postgresVersion: '160004' },
    },
  };
}

const walg = (seg: number): string => `base_00000001000000000000${seg.toString(16).toUpperCase().padStart(4, '0')}`;
const segment = (seg: number): string => `00000001000000000000${seg.toString(16).toUpperCase().padStart(4, '0')}`;

const NOW = new Date('2025-03-07T12:00:00Z');
// Daily managed backups Mar 1..6 at 02:00, one unmanaged (before a migration), one Failed.
const DAILY = [1, 2, 3, 4, 5, 6].map((d) => backup(`orders-0${d}`, `2025-03-0${d}T02:00:00Z`, d * 10));
const KEEP = backup('orders-before-migration', '2025-03-05T15:00:00Z', 55, { managed: false });
const FAILED = backup('orders-failed', '2025-03-06T10:00:00Z', 65, { phase: 'Failed' });
const COPY = backup('orders-03', '2025-03-03T02:00:00Z', 30, { ns: 'staging', sgCluster: 'prod.orders' });
const ALL = [...DAILY, KEEP, FAILED, COPY];

function bucket(o: { names?: string[]; oldest?: number; newest?: number; newestAt?: string; complete?: boolean } = {}): BucketView {
  return {
    backupPath: PATH,
    backups: (o.names ?? [...DAILY, KEEP].map((b) => (b.status as { internalName: string }).internalName)).map((name) => ({ name, finishedAt: '2025-03-07T11:00:00Z' })),
    complete: o.complete ?? true,
    wal: {
      oldest: { segment: segment(o.oldest ?? 10), at: '2025-03-07T11:00:00Z' },
      newest: { segment: segment(o.newest ?? 200), at: o.newestAt ?? '2025-03-07T11:55:00Z' },
    },
  };
}

describe('Recoverable window picture data', () => {
  it('lists the cluster\'s SGBackups newest first, without copies from other namespaces', () => {
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, now: NOW });
    assert.deepEqual(t.backups.map((b) => b.label), ['orders-failed', 'orders-06', 'orders-before-migration', 'orders-05', 'orders-04', 'orders-03', 'orders-02', 'orders-01']);
    assert.equal(t.retention, 5, 'no retention set: the CRD default');
    assert.equal(t.schedule, '0 2 * * *');
  });

  it('says what retention does to each backup: kept, replaced by the next backup, beyond retention, not managed, failed', () => {
    const t = recoveryTimeline({ cluster: cluster({ retention: 3 }), sgBackups: ALL, now: NOW });
    const fate = Object.fromEntries(t.backups.map((b) => [b.label, b.fate]));
    assert.deepEqual(fate, {
      'orders-06': 'kept',
      'orders-failed': 'failed',
      'orders-before-migration': 'unmanaged',
      'orders-05': 'kept',
      'orders-04': 'replaced-next',
      'orders-03': 'over-retention',
      'orders-02': 'over-retention',
      'orders-01': 'over-retention',
    });
    assert.match(t.backups.find((b) => b.label === 'orders-04')!.note, /the oldest of the 3 kept: the next backup deletes it/);
    assert.match(t.backups.find((b) => b.label === 'orders-failed')!.note, /^Failed: boom\. Failed SGBackups are never deleted/);
  });

  it('gives each Completed backup its window to the next Completed one, or to now', () => {
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, now: NOW });
    assert.deepEqual(t.backups.find((b) => b.label === 'orders-05')!.window, { from: '2025-03-05T02:00:00.000Z', to: '2025-03-05T15:00:00.000Z', toIsNow: false, nextBackup: 'orders-before-migration' });
    assert.deepEqual(t.backups.find((b) => b.label === 'orders-06')!.window, { from: '2025-03-06T02:00:00.000Z', to: NOW.toISOString(), toIsNow: true, nextBackup: undefined });
    assert.equal(t.backups.find((b) => b.label === 'orders-failed')!.window, undefined);
  });

  it('without the bucket: restorable from the oldest Completed backup to now', () => {
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, now: NOW, storageNotes: ['The bucket was not read: no keys.'] });
    assert.deepEqual(t.recoverable, { from: '2025-03-01T02:00:00.000Z', to: NOW.toISOString(), toIsNow: true });
    assert.equal(t.wal, undefined);
    assert.deepEqual(t.storageNotes, ['The bucket was not read: no keys.']);
  });

  it('adds the bucket\'s orphans, which the next backup deletes, and ends the window at the newest WAL segment', () => {
    const orphan = walg(58);
    const names = [...DAILY, KEEP].map((b) => (b.status as { internalName: string }).internalName).concat(orphan);
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, bucket: bucket({ names }), now: NOW });
    const o = t.backups.find((b) => b.label === orphan)!;
    assert.equal(o.fate, 'orphan');
    assert.equal(o.sgBackup, undefined);
    assert.match(o.note, /the next backup of the cluster deletes it/);
    assert.deepEqual(t.recoverable, { from: '2025-03-01T02:00:00.000Z', to: '2025-03-07T11:55:00Z', toIsNow: false });
    assert.ok(t.backups.filter((b) => b.sgBackup && b.phase === 'Completed').every((b) => b.inBucket === true));
  });

  it('marks a Completed SGBackup whose files are not in the bucket, once the listing is complete', () => {
    const names = DAILY.slice(1).map((b) => (b.status as { internalName: string }).internalName);
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, bucket: bucket({ names }), now: NOW });
    const first = t.backups.find((b) => b.label === 'orders-01')!;
    assert.equal(first.inBucket, false);
    assert.match(first.note, /Its files are not in the bucket: a restore from it would fail\./);
    assert.equal(t.recoverable!.from, '2025-03-02T02:00:00.000Z', 'the window starts at the oldest backup whose files are there');

    const partial = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, bucket: bucket({ names, complete: false }), now: NOW });
    assert.equal(partial.backups.find((b) => b.label === 'orders-01')!.inBucket, undefined, 'a partial listing says nothing about missing files');
  });

  it('marks backups whose WAL was deleted: they cannot be restored and the window starts later', () => {
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, bucket: bucket({ oldest: 25 }), now: NOW });
    assert.deepEqual(t.backups.filter((b) => b.walGone).map((b) => b.label), ['orders-02', 'orders-01']);
    assert.match(t.backups.find((b) => b.label === 'orders-01')!.note, /The WAL from its start \(00000001000000000000000A\) is no longer in the bucket/);
    assert.equal(t.recoverable!.from, '2025-03-03T02:00:00.000Z');
    assert.equal(backupForInstant(t, new Date('2025-03-02T12:00:00Z')), undefined);
  });

  it('draws the WAL band from the oldest backup it still covers when its objects were written later', () => {
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, bucket: bucket({ oldest: 10 }), now: NOW });
    assert.deepEqual(t.walBand, { from: '2025-03-01T02:00:00.000Z', to: '2025-03-07T11:55:00Z' });
  });

  it('finds the backup to restore for an instant', () => {
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, now: NOW });
    assert.equal(backupForInstant(t, new Date('2025-03-05T16:00:00Z'))!.label, 'orders-before-migration');
    assert.equal(backupForInstant(t, new Date('2025-03-06T11:00:00Z'))!.label, 'orders-06', 'the Failed backup is skipped');
    assert.equal(backupForInstant(t, new Date('2025-03-01T01:00:00Z')), undefined, 'nothing before the first backup');
  });

  it('bounds the point-in-time picker by the end of the archived WAL for the latest backup', () => {
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, bucket: bucket(), now: NOW });
    const latest = pointInTimeRange(t, 'orders-06')!;
    assert.equal(latest.from.toISOString(), '2025-03-06T02:00:00.000Z');
    assert.equal(latest.to.toISOString(), '2025-03-07T11:55:00.000Z');
    assert.equal(latest.toIsNow, false);
    assert.match(latest.warning!, /WAL is archived up to 2025-03-07T11:55:00.000Z \(segment 0000000100000000000000C8\)/);
    const older = pointInTimeRange(t, 'orders-04')!;
    assert.equal(older.to.toISOString(), '2025-03-05T02:00:00.000Z');
    assert.equal(older.nextBackup, 'orders-05');
    assert.equal(older.warning, undefined);
    assert.equal(pointInTimeRange(t, 'orders-failed'), undefined);
  });

  it('warns when WAL archiving stopped before the backup', () => {
    const t = recoveryTimeline({ cluster: cluster(), sgBackups: ALL, bucket: bucket({ newestAt: '2025-03-04T00:00:00Z' }), now: NOW });
    assert.match(pointInTimeRange(t, 'orders-06')!.warning!, /older than this backup: WAL archiving may be failing/);
  });

  it('a cluster without backups configured has no retention and no window', () => {
    const t = recoveryTimeline({ cluster: cluster({ backups: false }), sgBackups: [], now: NOW });
    assert.equal(t.retention, undefined);
    assert.equal(t.recoverable, undefined);
    assert.deepEqual(t.backups, []);
  });
});
