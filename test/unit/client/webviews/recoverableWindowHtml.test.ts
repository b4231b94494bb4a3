import * as assert from 'node:assert/strict';
import { recoveryTimeline, type RecoveryTimeline } from '@core/recoveryTimeline';
import { axisRange, recoverableWindowHtml, ticks } from '../../../../client/src/webviews/recoverableWindowHtml';

const PATH = 'sgbackups.stackgres.io/prod/orders/2025-03-01-00-00-00/16';
const NOW = new Date('2025-03-07T12:00:00Z');

function backup(name: string, stored: string, seg: number, o: { managed?: boolean; phase?: string } = {}): Record<string, unknown> {
  return {
    metadata: { name, namespace: 'prod' },
    spec: { sgCluster: 'orders', managedLifecycle: o.managed ?? true },
    status: {
      internalName: `base_00000001000000000000${seg.toString(16).toUpperCase().padStart(4, '0')}`,
      backupPath: PATH,
      process: { status: o.phase ?? 'Completed', failure: o.phase === 'Failed' ? 'boom' : undefined, timing: { stored } },
    },
  };
}

function timeline(): RecoveryTimeline {
  const cluster = {
    metadata: { name: 'orders', namespace: 'prod' },
    spec: { configurations: { backups: [{ sgObjectStorage: 's3', retention: 2, cronSchedule: '0 2 * * *' }] } },
    status: { backupPaths: [PATH] },
  };
  const sgBackups = [
    backup('orders-1', '2025-03-05T02:00:00Z', 16),
    backup('orders-2', '2025-03-06T02:00:00Z', 32),
    backup('orders-3', '2025-03-07T02:00:00Z', 48),
    backup('orders-<script>', '2025-03-06T12:00:00Z', 40, { managed: false }),
    backup('orders-failed', '2025-03-06T15:00:00Z', 44, { phase: 'Failed' }),
  ];
  return recoveryTimeline({
    cluster,
    sgBackups,
    bucket: {
      backupPath: PATH,
      backups: [16, 32, 40, 48, 52].map((s) => ({ name: `base_00000001000000000000${s.toString(16).toUpperCase().padStart(4, '0')}`, finishedAt: '2025-03-07T06:00:00Z' })),
      complete: true,
      wal: { oldest: { segment: '000000010000000000000010', at: '2025-03-07T11:00:00Z' }, newest: { segment: '000000010000000000000090', at: '2025-03-07T11:50:00Z' } },
    },
    storageNotes: ['Only the first 10000 base backups in the bucket were read.'],
    now: NOW,
  });
}

describe('The recoverable-window page', () => {
  const html = recoverableWindowHtml(timeline(), { cspSource: 'vscode-webview://abc', nonce: 'n0nce+/=' });

  it('has a strict CSP: nothing loads from outside, scripts and styles only with the nonce', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.equal(csp, "default-src 'none'; img-src vscode-webview://abc data:; style-src 'nonce-n0nce+/='; script-src 'nonce-n0nce+/=';");
    assert.doesNotMatch(html, /\b(src|href)=["']?(https?:)?\/\//, 'no external resource');
    assert.doesNotMatch(html, /\sstyle=/, 'no inline style attributes (the CSP would block them)');
    assert.doesNotMatch(html, /\son[a-z]+=/, 'no inline event handlers');
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, ['<script type="application/json" id="timeline-data">', '<script nonce="n0nce+/=">']);
  });

  it('takes every colour from the theme', () => {
    const style = /<style nonce="[^"]+">([\s\S]*?)<\/style>/.exec(html)![1];
    assert.doesNotMatch(style, /#[0-9a-fA-F]{3,8}\b|rgb\(|hsl\(/, 'no hard-coded colour');
    assert.match(style, /var\(--vscode-charts-green\)/);
  });

  it('draws one marker per backup, orphans on their own row, and both bands', () => {
    assert.equal((html.match(/<g class="marker /g) ?? []).length, 6);
    assert.match(html, /<g class="marker fate-orphan /);
    assert.match(html, /<g class="marker fate-replaced-next /);
    assert.match(html, /<g class="marker fate-over-retention /);
    assert.match(html, /<g class="marker fate-failed /);
    assert.match(html, /<rect id="restorable" class="band restorable"/);
    assert.match(html, /<rect class="band wal"/);
    assert.match(html, /A point-in-time restore can reach <strong>2025-03-05 02:00<\/strong> to <strong>2025-03-07 11:50<\/strong> UTC \(end of the archived WAL\)/);
    assert.match(html, /Retention keeps the newest <strong>2<\/strong> managed backups/);
    assert.match(html, /Only the first 10000 base backups in the bucket were read\./);
  });

  it('escapes names everywhere, including inside the embedded data', () => {
    assert.ok(!html.includes('orders-<script>'));
    assert.ok(html.includes('orders-&lt;script&gt;'));
    const data = /<script type="application\/json" id="timeline-data">([\s\S]*?)<\/script>/.exec(html)![1];
    assert.ok(!data.includes('<'), 'no "<" can end the data block early');
    assert.equal(JSON.parse(data).backups.length, 6);
  });

  it('a time that is not a time is never written into the page as HTML', () => {
    const t = timeline();
    const odd = recoverableWindowHtml({ ...t, backups: t.backups.map((b, i) => (i === 0 ? { ...b, at: '<img src=x>' } : b)) }, { cspSource: 'vscode-webview://abc', nonce: 'n' });
    assert.ok(!odd.includes('<img'), 'no element from the value');
  });

  it('offers the restore only for restorable backups', () => {
    assert.equal((html.match(/<button class="restore"/g) ?? []).length, 4, 'three managed and one unmanaged Completed backup');
  });

  it('axis: a margin around everything drawn, and at most about 8 UTC-aligned ticks', () => {
    const { t0, t1 } = axisRange(timeline());
    assert.ok(t0 < Date.parse('2025-03-05T02:00:00Z') && t1 > NOW.getTime());
    const marks = ticks(t0, t1);
    assert.ok(marks.length >= 2 && marks.length <= 8, `${marks.length} ticks`);
    assert.ok(marks.every((m) => m.at % 3_600_000 === 0));
    assert.deepEqual(ticks(Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-01-31T00:00:00Z')).map((m) => m.label), ['2025-01-06', '2025-01-13', '2025-01-20', '2025-01-27'], 'weeks start on Mondays');
    assert.deepEqual(ticks(Date.parse('2024-11-15T00:00:00Z'), Date.parse('2025-05-01T00:00:00Z')).map((m) => m.label), ['2024-12-01', '2025-01-01', '2025-02-01', '2025-03-01', '2025-04-01', '2025-05-01'], 'months start on the 1st');
  });
});

describe('The recoverable-window page with a verified WAL gap', () => {
  const gap = { timeline: 1, fromSegment: '000000010000000000000020', toSegment: '000000010000000000000022', from: '2025-03-06T04:00:00.000Z', to: '2025-03-07T02:00:00.000Z', fromEstimated: true };
  const t: RecoveryTimeline = { ...timeline(), verification: { at: NOW.toISOString(), ok: true, verdict: 'Recoverable: <b>x</b>', gaps: [gap], undrawnGaps: 0 } };
  const html = recoverableWindowHtml(t, { cspSource: 'vscode-webview://abc', nonce: 'n' });

  it('draws the gap in red over the bands and splits the restorable band around it', () => {
    assert.match(html, /<rect id="gap-0" class="band gap" [^>]*><title>WAL gap on timeline 1: segments 000000010000000000000020 to 000000010000000000000022 missing\. Instants from 2025-03-06 04:00 UTC \(about\) until 2025-03-07 02:00 UTC \(the next restorable backup\) cannot be reached\.<\/title>/);
    const restorable = html.match(/class="band restorable"[^>]*><title>[^<]*/g) ?? [];
    assert.deepEqual(restorable.map((r) => r.replace(/^.*<title>/, '')), [
      'A point-in-time restore can reach 2025-03-05 02:00 to 2025-03-06 04:00 UTC',
      'A point-in-time restore can reach 2025-03-07 02:00 to 2025-03-07 11:50 UTC',
    ]);
    assert.match(html, /<p id="verification" class="error">WAL verified 2025-03-07 12:00 UTC: 1 gap \(red\)\. Recoverable: &lt;b&gt;x&lt;\/b&gt;<\/p>/);
    assert.match(html, /<button id="verify" class="secondary">Verify Recoverability<\/button>/);
  });

  it('a timeline switch placed from the listing (unreadable history file) is marked as an estimate', () => {
    const estimated: RecoveryTimeline = { ...timeline(), verification: { at: NOW.toISOString(), ok: true, verdict: 'Recoverable.', gaps: [], undrawnGaps: 0, estimatedSwitches: [{ timeline: 2, parent: 1, segment: '000000020000000000000015<' }] } };
    const page = recoverableWindowHtml(estimated, { cspSource: 'vscode-webview://abc', nonce: 'n' });
    assert.match(page, /<p id="verification" class="muted">WAL verified 2025-03-07 12:00 UTC: continuous\. Recoverable\. Timeline 2 began from timeline 1 at <code>000000020000000000000015&lt;<\/code> \(estimated from the listing: its history file could not be read\)\.<\/p>/);
  });

  it('without a verification: one restorable band, no red, and the page says WAL continuity is not verified', () => {
    const plain = recoverableWindowHtml(timeline(), { cspSource: 'vscode-webview://abc', nonce: 'n' });
    assert.doesNotMatch(plain, /class="band gap"/);
    assert.equal((plain.match(/class="band restorable"/g) ?? []).length, 1);
    assert.match(plain, /WAL continuity is not verified/);
  });
});
