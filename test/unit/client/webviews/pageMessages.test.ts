import * as assert from 'node:assert/strict';
import { recoveryTimeline, type RecoveryTimeline } from '@core/recoveryTimeline';
import { checkPageMessage, contextIdentity, restoreContextProblem, type PanelView } from '../../../../client/src/webviews/pageMessages';

const PATH = 'sgbackups.stackgres.io/prod/orders/2025-03-01-00-00-00/16';
const NOW = new Date('2025-03-07T12:00:00Z');
const PROD = contextIdentity({ name: 'prod', cluster: 'prod-cluster', server: 'https://prod:6443', user: 'dba' });

function sgBackup(name: string, cluster: string, stored: string): Record<string, unknown> {
  return {
    metadata: { name, namespace: 'prod' },
    spec: { sgCluster: cluster, managedLifecycle: true },
    status: { internalName: `base_${name}`, backupPath: PATH, process: { status: 'Completed', timing: { stored } } },
  };
}

function timeline(): RecoveryTimeline {
  const cluster = {
    metadata: { name: 'orders', namespace: 'prod' },
    spec: { configurations: { backups: [{ sgObjectStorage: 's3', retention: 5 }] } },
    status: { backupPaths: [PATH] },
  };
  return recoveryTimeline({
    cluster,
    sgBackups: [sgBackup('orders-1', 'orders', '2025-03-05T02:00:00Z'), sgBackup('orders-2', 'orders', '2025-03-06T02:00:00Z'), sgBackup('billing-1', 'billing', '2025-03-06T02:00:00Z')],
    storageNotes: [],
    now: NOW,
  });
}

const PANEL: PanelView = { context: PROD, namespace: 'prod', name: 'orders', timeline: timeline() };
const restore = (name: string, pointInTime?: string): unknown => ({ type: 'restore', backup: { namespace: 'prod', name }, pointInTime });

describe('Messages from the recoverable-window page', () => {
  it('does what the page sends: a restore of a backup it drew (with or without an instant in its window), a refresh', () => {
    assert.deepEqual(checkPageMessage(restore('orders-1'), PANEL, PROD), { ok: true, message: { type: 'restore', backup: { namespace: 'prod', name: 'orders-1' } } });
    assert.deepEqual(checkPageMessage(restore('orders-1', '2025-03-05T10:30:00Z'), PANEL, PROD), { ok: true, message: { type: 'restore', backup: { namespace: 'prod', name: 'orders-1' }, pointInTime: '2025-03-05T10:30:00Z' } });
    assert.deepEqual(checkPageMessage({ type: 'refresh' }, PANEL, PROD), { ok: true, message: { type: 'refresh' } });
  });

  it('refuses a message of another shape', () => {
    for (const raw of [
      undefined, null, 'restore', 42, [], { type: 'delete' }, { type: 'refresh', command: 'stackgres.deleteBackup' },
      { type: 'restore' }, { type: 'restore', backup: 'prod/orders-1' }, { type: 'restore', backup: { namespace: 'prod', name: 7 } },
      { type: 'restore', backup: { namespace: 'prod', name: 'orders-1', context: 'other' } }, { type: 'restore', backup: { namespace: '', name: 'orders-1' } },
      { type: 'restore', backup: { namespace: 'prod', name: 'x'.repeat(254) } }, { type: 'restore', backup: { namespace: 'prod', name: 'orders-1\nRestored orders-1' } },
      { type: 'restore', backup: { namespace: 'prod', name: 'Orders_1' } }, restore('orders-1', 'yesterday'), restore('orders-1', '2025-03-05 10:30'),
      { ...(restore('orders-1') as object), extra: true },
    ]) {
      const r = checkPageMessage(raw, PANEL, PROD);
      assert.equal(r.ok, false, JSON.stringify(raw));
      assert.equal(!r.ok && r.reason, 'it is not a request the page sends');
    }
  });

  it('refuses a backup of another cluster, one it did not draw, and an instant outside the backup\'s window', () => {
    assert.deepEqual(checkPageMessage(restore('billing-1'), PANEL, PROD), { ok: false, reason: 'SGBackup prod/billing-1 is not a backup of prod/orders shown in this window' });
    assert.equal(checkPageMessage(restore('orders-9'), PANEL, PROD).ok, false);
    assert.equal(checkPageMessage({ type: 'restore', backup: { namespace: 'staging', name: 'orders-1' } }, PANEL, PROD).ok, false);
    assert.equal(checkPageMessage(restore('orders-1'), { ...PANEL, timeline: undefined }, PROD).ok, false, 'nothing drawn yet');
    assert.deepEqual(checkPageMessage(restore('orders-1', '2025-03-07T00:00:00Z'), PANEL, PROD), { ok: false, reason: '2025-03-07T00:00:00Z is outside the recoverable window of SGBackup prod/orders-1' });
  });

  it('refuses everything after a switch to another context, and says the panel must close', () => {
    const staging = contextIdentity({ name: 'staging', cluster: 'staging-cluster', server: 'https://staging:6443', user: 'dba' });
    const sameNameOtherCluster = contextIdentity({ name: 'prod', cluster: 'prod-cluster', server: 'https://elsewhere:6443', user: 'dba' });
    for (const current of [staging, sameNameOtherCluster]) {
      assert.deepEqual(checkPageMessage(restore('orders-1'), PANEL, current), { ok: false, reason: 'the connected context is no longer the window\'s', closePanel: true });
      assert.equal(checkPageMessage({ type: 'refresh' }, PANEL, current).ok, false);
    }
    assert.deepEqual(checkPageMessage(restore('orders-1'), PANEL, undefined), { ok: false, reason: 'the extension is not connected to the window\'s context' });
  });
});

describe('A restore drill the page asked for', () => {
  const drill = (name: string, pointInTime?: string): unknown => ({ type: 'testRestore', backup: { namespace: 'prod', name }, pointInTime });
  it('is done for a backup it drew, with an instant inside its window', () => {
    assert.deepEqual(checkPageMessage(drill('orders-1', '2025-03-05T10:30:00Z'), PANEL, PROD), { ok: true, message: { type: 'testRestore', backup: { namespace: 'prod', name: 'orders-1' }, pointInTime: '2025-03-05T10:30:00Z' } });
  });
  it('is refused like a restore: another cluster\'s backup, an instant outside the window, another shape', () => {
    assert.equal(checkPageMessage(drill('billing-1'), PANEL, PROD).ok, false);
    assert.equal(checkPageMessage(drill('orders-1', '2025-03-06T10:30:00Z'), PANEL, PROD).ok, false);
    assert.equal(checkPageMessage({ type: 'testRestore', backup: { namespace: 'prod', name: 'orders-1' }, extra: 1 }, PANEL, PROD).ok, false);
  });
});

describe('A restore the page asked for, when Restore Backup runs it', () => {
  const prod = { name: 'prod', cluster: 'prod-cluster', server: 'https://prod:6443', user: 'dba' };

  it('goes ahead while the context the window was drawn for is connected', () => {
    assert.equal(restoreContextProblem(PROD, prod), undefined);
  });

  it('is refused, saying nothing was written and what to do, when another context is connected', () => {
    assert.equal(
      restoreContextProblem(PROD, { name: 'staging', cluster: 'staging-cluster', server: 'https://staging:6443', user: 'dba' }),
      'The recoverable window was drawn for context "prod", but context "staging" is connected now: no restore was written. Open the recoverable window again and choose the backup there.',
    );
  });

  it('is refused when a context of the same name is another cluster, server or user (another kubeconfig)', () => {
    const message = 'The recoverable window was drawn for context "prod", but the connected context "prod" is another cluster, server or user now: no restore was written. Open the recoverable window again and choose the backup there.';
    assert.equal(restoreContextProblem(PROD, { ...prod, cluster: 'other' }), message);
    assert.equal(restoreContextProblem(PROD, { ...prod, server: 'https://other:6443' }), message);
    assert.equal(restoreContextProblem(PROD, { ...prod, user: 'admin' }), message);
  });

  it('is refused when no context is connected any more', () => {
    assert.equal(
      restoreContextProblem(PROD, undefined),
      'The recoverable window was drawn for context "prod", but no context is connected now: no restore was written. Connect again, then open the recoverable window and choose the backup there.',
    );
  });

  it('is refused when what it carries is not a context identity', () => {
    assert.match(restoreContextProblem('not json', prod) ?? '', /^The restore request does not say which context it was drawn for: no restore was written\./);
    assert.match(restoreContextProblem(42, prod) ?? '', /^The restore request does not say which context it was drawn for/);
  });
});

describe('Messages from the recoverable-window page, after Verify Recoverability found a gap', () => {
  const gap = { timeline: 1, fromSegment: '00000001000000000000000E', toSegment: '00000001000000000000000F', from: '2025-03-05T10:00:00.000Z', to: '2025-03-06T02:30:00.000Z', fromEstimated: true };
  const verified: PanelView = { ...PANEL, timeline: { ...timeline(), verification: { at: NOW.toISOString(), ok: true, verdict: 'v', gaps: [gap], undrawnGaps: 0 } } };

  it('refuses an instant inside the gap, with the reason; instants before it and the verify button go ahead', () => {
    const refused = checkPageMessage(restore('orders-1', '2025-03-05T12:00:00Z'), verified, PROD);
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.reason : '', /^2025-03-05T12:00:00Z falls in a WAL gap: segments 00000001000000000000000E to 00000001000000000000000F are missing from the bucket \(timeline 1\)/);
    assert.equal(checkPageMessage(restore('orders-1', '2025-03-05T09:00:00Z'), verified, PROD).ok, true);
    assert.deepEqual(checkPageMessage({ type: 'verify' }, verified, PROD), { ok: true, message: { type: 'verify' } });
    assert.equal(checkPageMessage({ type: 'verify', extra: 1 }, verified, PROD).ok, false);
  });
});
