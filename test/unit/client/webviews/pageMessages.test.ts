import * as assert from 'node:assert/strict';
import { recoveryTimeline, type RecoveryTimeline } from '../../../../server/src/domain/recoveryTimeline';
import { checkPageMessage, contextIdentity, type PanelView } from '../../../../client/src/webviews/pageMessages';

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
