import * as assert from 'node:assert/strict';
import { clusterHealth } from '@core/backupHealth';
import { backupFailureMarkdown, backupHealthMarkdown } from '@core/backupHealthReport';
import { readBackup, type BackupView } from '@core/backups';
import { assertInert, shown } from '../markdownSafety';

const NOW = new Date('2026-03-11T12:00:00Z');
const HOUR = 3_600_000;
const EVIL = 'Lock lost: see [the fix](https://evil.example/x) <img src=x> | not a cell\n![pixel](http://evil.example/p.png)';

function sgBackup(name: string, phase: BackupView['phase'], startedAgo: number, failure?: string): { object: unknown; view: BackupView } {
  const start = new Date(NOW.getTime() - startedAgo).toISOString();
  const process: Record<string, unknown> = { status: phase, jobPod: `${name}-backup-x`, ...(failure ? { failure } : {}) };
  if (phase === 'Completed') process.timing = { start, end: start, stored: start };
  const object = { metadata: { name, namespace: 'prod', creationTimestamp: start }, spec: { sgCluster: 'db' }, status: { process } };
  return { object, view: readBackup(object)! };
}

const cluster = (name: string, cronSchedule: string) => ({
  metadata: { name, namespace: 'prod', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { configurations: { backups: [{ sgObjectStorage: 's3', cronSchedule }] } },
});

describe('Backup Health Report', () => {
  const failing = clusterHealth({
    cluster: cluster('db', '0 5 * * *'),
    backups: [sgBackup('old', 'Completed', 60 * HOUR).view, sgBackup('f1', 'Failed', 30 * HOUR, EVIL).view, sgBackup('f2', 'Failed', 6 * HOUR, EVIL).view],
    now: NOW,
  });
  const fine = clusterHealth({ cluster: cluster('ok-db', '0 */6 * * *'), backups: [sgBackup('b', 'Completed', HOUR).view], now: NOW, wal: { newestSegment: '000000010000000000000007', newestAt: new Date(NOW.getTime() - 120_000) } });

  it('lists every cluster worst first, with the decisions, the reason and a place for the last restore drill', () => {
    const md = backupHealthMarkdown([{ health: fine }, { health: failing }], { context: 'prod-ctx', at: NOW, notes: ['Reading the buckets was cancelled'] });
    const text = shown(md);
    assert.match(text, /^# Backup health of context `prod-ctx`/);
    assert.match(text, /2 cluster\(s\): 1 error, 0 warning, 1 OK/);
    assert.ok(text.indexOf('## Error: SGCluster `db`') < text.indexOf('## OK: SGCluster `ok-db`'), 'worst first');
    assert.match(text, /\| Overdue \| yes: no Completed backup started since the 2026-03-11 05:00 UTC run/);
    assert.match(text, /\| Failing \| 2 Failed since the last Completed one \|/);
    assert.match(text, /\| Last Completed \| `old`, started 2026-03-09 00:00 UTC/);
    assert.match(text, /\| WAL \| newest segment `000000010000000000000007` archived 2026-03-11 11:58 UTC \(2m ago\)/);
    assert.match(text, /\| Recoverable window \| 2026-03-11 11:00 UTC → 2026-03-11 11:58 UTC/);
    assert.match(text, /\| WAL verification \| not verified/);
    assert.match(text, /\| Last restore drill \| none recorded \|/);
    assert.match(text, /> Reading the buckets was cancelled/);
    const drilled = shown(backupHealthMarkdown([{ health: fine, lastDrill: { cluster: 'demo/fine', backup: 'fine-1', backupNamespace: 'demo', record: { time: new Date('2026-03-10T09:00:00Z'), result: 'succeeded', durationSeconds: 432, target: 'latest', cluster: 'demo/fine-drill-20260310-085300' } } }], { context: 'c', at: NOW }));
    assert.match(drilled, /\| Last restore drill \| 2026-03-10 09:00 UTC: restored `fine-1` to latest in 7m12s \(drill `demo\/fine-drill-20260310-085300`\) \|/);
    const failedMd = backupHealthMarkdown([{ health: fine, lastDrill: { cluster: 'demo/fine', backup: 'fine-1', backupNamespace: 'demo', record: { time: new Date('2026-03-10T09:00:00Z'), result: 'failed', durationSeconds: 61, target: '2026-03-10T08:00:00Z', cluster: 'demo/x', reason: 'wal-g: [x](http://evil) | y' } } }], { context: 'c', at: NOW });
    assertInert(failedMd);
    const drillRow = failedMd.split('\n').find((l) => l.startsWith('| Last restore drill'));
    assert.equal(drillRow?.replace(/\\\|/g, '').split('|').length, 4, 'the reason stays in its cell');
    assert.match(shown(failedMd), /\| Last restore drill \| 2026-03-10 09:00 UTC: \*\*failed\*\* `fine-1` to 2026-03-10T08:00:00Z in 1m01s \(drill `demo\/x`\): wal-g: \[x\]\(http:\/\/evil\) \| y \|/);
  });

  it('shows failures from the cluster as text: no link, image, HTML or extra table cell', () => {
    const md = backupHealthMarkdown([{ health: failing }], { context: 'ctx](http://x)', at: NOW });
    assertInert(md);
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) {
      assert.equal(line.replace(/\\\|/g, '').split('|').length, 4, `one key and one value in ${line}`);
    }
  });

  it('Show Backup Failure: the failure in a code block, the Job pod quoted for the shell, and what to do', () => {
    const b = sgBackup("it's-failed", 'Failed', HOUR, EVIL);
    const md = backupFailureMarkdown(b.object, b.view);
    assertInert(md);
    assert.match(md, /```text\nLock lost: see \[the fix\]/);
    assert.match(md, /kubectl logs -n prod 'it'\\''s-failed-backup-x'/);
    assert.match(shown(md), /Run Backup Now/);
    const ok = sgBackup('fine', 'Completed', HOUR);
    assert.match(shown(backupFailureMarkdown(ok.object, ok.view)), /This backup is Completed, not Failed/);
  });
});
