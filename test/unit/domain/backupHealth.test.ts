import * as assert from 'node:assert/strict';
import { clusterHealth, healthSummary, type HealthInput } from '@core/backupHealth';
import { readBackup, type BackupView } from '@core/backups';

/** Wednesday 2026-03-11 12:00 UTC: every decision below is made at this instant. */
const NOW = new Date('2026-03-11T12:00:00Z');
const HOUR = 3_600_000;
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

function cluster(cronSchedule?: string, opts: { createdAgo?: number; backups?: boolean } = {}): unknown {
  return {
    metadata: { name: 'db', namespace: 'prod', creationTimestamp: ago(opts.createdAgo ?? 90 * 24 * HOUR) },
    spec: opts.backups === false ? {} : { configurations: { backups: [{ sgObjectStorage: 's3', ...(cronSchedule !== undefined ? { cronSchedule } : {}) }] } },
  };
}

/** An SGBackup of `db` that started `startedAgo` ms before NOW. */
function backup(name: string, phase: BackupView['phase'], startedAgo: number, failure?: string): BackupView {
  const start = ago(startedAgo);
  const end = ago(Math.max(0, startedAgo - 10 * 60_000));
  const process: Record<string, unknown> = { status: phase };
  if (phase === 'Completed') process.timing = { start, end, stored: end };
  if (failure) process.failure = failure;
  const b = readBackup({ metadata: { name, namespace: 'prod', creationTimestamp: start }, spec: { sgCluster: 'db' }, status: { process } });
  assert.ok(b);
  return b;
}

function health(c: unknown, backups: BackupView[], extra: Partial<HealthInput> = {}) {
  return clusterHealth({ cluster: c, backups, now: NOW, ...extra });
}

describe('backup health', () => {
  describe('overdue, with the default grace of 60 minutes', () => {
    it('*/5 * * * *: a backup 20 minutes ago is fine; none for 3 hours is overdue with the missed runs counted', () => {
      const fine = health(cluster('*/5 * * * *'), [backup('b1', 'Completed', 20 * 60_000)]);
      assert.equal(fine.severity, 'ok', fine.reason);
      assert.equal(fine.overdue, undefined);
      assert.match(fine.reason, /Last Completed backup 20m ago; next run 2026-03-11 12:05 UTC/);

      const late = health(cluster('*/5 * * * *'), [backup('b1', 'Completed', 3 * HOUR)]);
      assert.equal(late.severity, 'error');
      assert.deepEqual(late.flags, ['overdue']);
      // The run due is the latest at or before 11:00 (now minus the grace); runs from 09:05 to 11:00 were missed.
      assert.equal(late.overdue?.since, '2026-03-11T11:00:00.000Z');
      assert.equal(late.overdue?.missedRuns, 24);
      assert.match(late.reason, /^Overdue: no Completed backup since the 2026-03-11 11:00 UTC run \(24 scheduled runs missed\); last Completed backup 3h ago/);
    });

    it('0 5 * * *: today\'s 05:00 backup makes it fine; yesterday\'s alone is overdue; a shorter grace counts sooner', () => {
      assert.equal(health(cluster('0 5 * * *'), [backup('today', 'Completed', 7 * HOUR - 60_000)]).severity, 'ok');
      const late = health(cluster('0 5 * * *'), [backup('yesterday', 'Completed', 31 * HOUR)]);
      assert.equal(late.severity, 'error');
      assert.equal(late.overdue?.since, '2026-03-11T05:00:00.000Z');
      // At 05:30 with the default grace, today's run is not due yet: yesterday's backup is enough.
      const early = clusterHealth({ cluster: cluster('0 5 * * *'), backups: [backup('yesterday', 'Completed', 31 * HOUR)], now: new Date('2026-03-11T05:30:00Z') });
      assert.equal(early.severity, 'ok', early.reason);
      const strict = clusterHealth({ cluster: cluster('0 5 * * *'), backups: [backup('yesterday', 'Completed', 31 * HOUR)], now: new Date('2026-03-11T05:30:00Z'), options: { graceMinutes: 15 } });
      assert.equal(strict.overdue?.since, '2026-03-11T05:00:00.000Z');
    });

    it('0 0 * * 0 (Sundays): Sunday\'s backup lasts the week; a backup before that Sunday is overdue', () => {
      // Sunday 2026-03-08 00:00 UTC is 3.5 days before NOW.
      assert.equal(health(cluster('0 0 * * 0'), [backup('sunday', 'Completed', 84 * HOUR - 5 * 60_000)]).severity, 'ok');
      const late = health(cluster('0 0 * * 0'), [backup('last-week', 'Completed', (84 + 7 * 24) * HOUR)]);
      assert.equal(late.overdue?.since, '2026-03-08T00:00:00.000Z');
      assert.equal(late.severity, 'error');
    });

    it('counts a manual Completed backup started after the due run, but not one that started before it', () => {
      assert.equal(health(cluster('0 5 * * *'), [backup('manual', 'Completed', 2 * HOUR)]).severity, 'ok');
      assert.equal(health(cluster('0 5 * * *'), [backup('manual', 'Completed', 7 * HOUR + 60_000)]).severity, 'error');
    });

    it('a schedule that never fires (0 0 30 2 *) is an error, without an overdue run', () => {
      const h = health(cluster('0 0 30 2 *'), [backup('b', 'Completed', HOUR)]);
      assert.equal(h.severity, 'error');
      assert.equal(h.schedule.kind, 'never');
      assert.deepEqual(h.flags, ['schedule']);
      assert.match(h.reason, /Schedule "0 0 30 2 \*" never fires: no backup runs automatically/);
    });

    it('an invalid schedule is an error: the operator cannot create its CronJob', () => {
      const h = health(cluster('0 5 * *'), []);
      assert.equal(h.severity, 'error');
      assert.equal(h.schedule.kind, 'invalid');
      assert.match(h.reason, /cannot create its CronJob/);
    });

    it('no schedule: never overdue, and says backups are manual only', () => {
      const h = health(cluster(undefined), [backup('old', 'Completed', 400 * 24 * HOUR)]);
      assert.equal(h.severity, 'ok');
      assert.equal(h.schedule.kind, 'none');
      assert.match(h.reason, /no schedule: manual backups only/);
    });

    it('backups not configured: nothing to judge', () => {
      const h = health(cluster(undefined, { backups: false }), []);
      assert.equal(h.severity, 'ok');
      assert.equal(h.reason, 'Backups not configured');
    });

    it('a cluster with no backups yet: fine until its first run is due, overdue after', () => {
      const young = health(cluster('0 5 * * *', { createdAgo: 2 * HOUR }), []);
      assert.equal(young.severity, 'ok', young.reason);
      assert.match(young.reason, /No Completed backup yet; next run 2026-03-12 05:00 UTC/);
      const old = health(cluster('0 5 * * *', { createdAgo: 3 * 24 * HOUR }), []);
      assert.equal(old.severity, 'error');
      assert.match(old.reason, /no Completed backup yet/);
      assert.equal(old.overdue?.missedRuns, 3);
    });

    it('a running backup of the due run: a warning that it is still running, not "no backup"', () => {
      const h = health(cluster('0 5 * * *'), [backup('yesterday', 'Completed', 31 * HOUR), backup('today', 'Running', 7 * HOUR - 60_000)]);
      assert.equal(h.severity, 'warning');
      assert.equal(h.running?.name, 'today');
      assert.match(h.reason, /Overdue: backup today of the 2026-03-11 05:00 UTC run is still Running/);
    });
  });

  describe('failing', () => {
    it('counts Failed backups since the last Completed one, with the newest failure', () => {
      const one = health(cluster(undefined), [backup('ok', 'Completed', 5 * HOUR), backup('f1', 'Failed', 2 * HOUR, 'Backup failed while perfroming backup-push:\nERROR: upload'), backup('old-f', 'Failed', 9 * HOUR)]);
      assert.equal(one.failing, 1);
      assert.equal(one.severity, 'warning');
      assert.deepEqual(one.flags, ['failing']);
      assert.match(one.reason, /^1 backup Failed since the last Completed one \(newest f1: Backup failed while perfroming backup-push\)/);
      const three = health(cluster(undefined), [backup('ok', 'Completed', 9 * HOUR), backup('f1', 'Failed', 3 * HOUR), backup('f2', 'Failed', 2 * HOUR), backup('f3', 'Failed', HOUR, 'Lock lost:\nx')]);
      assert.equal(three.failing, 3);
      assert.equal(three.severity, 'error');
      assert.equal(three.lastFailed?.name, 'f3');
      assert.match(three.reason, /3 backups Failed since the last Completed one \(newest f3: Lock lost\)/);
      assert.equal(health(cluster(undefined), [backup('f', 'Failed', 3 * HOUR), backup('ok', 'Completed', HOUR)]).failing, 0);
    });

    it('an overdue cluster whose backups fail shows both, overdue first', () => {
      const h = health(cluster('0 5 * * *'), [backup('old', 'Completed', 60 * HOUR), backup('f1', 'Failed', 31 * HOUR), backup('f2', 'Failed', 7 * HOUR)]);
      assert.deepEqual(h.flags, ['overdue', 'failing']);
      assert.match(h.reason, /^Overdue: .*; 2 backups Failed/);
    });
  });

  describe('WAL lag, window and verification', () => {
    it('WAL older than an hour is a warning; fresh WAL bounds the window', () => {
      const backups = [backup('b', 'Completed', 3 * HOUR)];
      const fresh = health(cluster(undefined), backups, { wal: { newestSegment: '000000010000000000000010', newestAt: new Date(NOW.getTime() - 5 * 60_000) } });
      assert.equal(fresh.severity, 'ok');
      assert.equal(fresh.wal?.lagMs, 5 * 60_000);
      assert.equal(fresh.window?.to, ago(5 * 60_000));
      assert.equal(fresh.window?.toIsNow, false);
      const stale = health(cluster(undefined), backups, { wal: { newestSegment: '000000010000000000000010', newestAt: new Date(NOW.getTime() - 2 * HOUR) } });
      assert.equal(stale.severity, 'warning');
      assert.match(stale.reason, /WAL archiving behind: the newest segment 000000010000000000000010 was archived 120m ago/);
      assert.equal(health(cluster(undefined), backups, { wal: { newestAt: new Date(NOW.getTime() - 2 * HOUR) }, options: { walLagMinutes: 180 } }).severity, 'ok');
      const empty = health(cluster(undefined), backups, { wal: {} });
      assert.equal(empty.severity, 'warning');
      assert.match(empty.reason, /No WAL segment in the bucket: only the base backups themselves can be restored/);
      assert.equal(health(cluster(undefined), backups, { wal: { newestSegment: '000000010000000000000010' } }).severity, 'ok', 'a segment of unknown age is not judged');
    });

    it('an unreadable bucket is said, not judged', () => {
      const h = health(cluster(undefined), [backup('b', 'Completed', HOUR)], { wal: { problem: 'AccessDenied' } });
      assert.equal(h.severity, 'ok');
      assert.equal(h.wal?.problem, 'AccessDenied');
    });

    it('the window runs from the oldest Completed backup to now without a bucket; verified gaps are an error', () => {
      const h = health(cluster(undefined), [backup('new', 'Completed', HOUR), backup('old', 'Completed', 10 * HOUR)], {
        verification: { at: new Date(NOW.getTime() - HOUR), ok: false, gapCount: 2, verdict: 'WAL has 2 gaps' },
      });
      assert.equal(h.window?.toIsNow, true);
      assert.equal(h.window?.lengthMs, 10 * HOUR - 10 * 60_000);
      assert.equal(h.severity, 'error');
      assert.match(h.reason, /2 WAL gaps found by the verification of 2026-03-11 11:00 UTC/);
    });
  });

  it('sums clusters per problem for the status bar, and says nothing when all is well', () => {
    const overdue = health(cluster('0 5 * * *'), [backup('y', 'Completed', 31 * HOUR)]);
    const failing = health(cluster(undefined), [backup('f', 'Failed', HOUR)]);
    const fine = health(cluster(undefined), [backup('ok', 'Completed', HOUR)]);
    assert.equal(healthSummary([overdue, failing, fine]).text, '1 overdue, 1 failing');
    assert.equal(healthSummary([overdue, failing, fine]).severity, 'error');
    assert.equal(healthSummary([fine]).text, '');
    assert.equal(healthSummary([fine]).severity, 'ok');
  });
});
