/**
 * Verify Recoverability in the real editor, against the sandbox API server and its Ceph RGW: a cluster
 * with two Completed backups (the sandbox writes their wal-g objects and WAL), then WAL archived after a
 * hole of two segments. The command reports the gap, the tree's WAL row says "1 gap", the recoverable
 * window draws it in red, and a restore to an instant inside it is refused with the reason.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { VerifyRecoverabilityResult } from '../../client/src/commands/verify';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { s3ObjectStore } from '../../client/src/storage/s3';
import type { RecoverableWindowResult } from '../../client/src/webviews/recoverableWindow';
import { contextIdentity } from '../../client/src/webviews/pageMessages';
import { walSegmentName } from '../s3/seed';
import { extensionLog, kubeTarget, s3Target, scratchNamespace, testingApi, treeRows, waitFor, waitForTreeRow } from './helpers';

const DEADLINE_MS = 30_000;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

async function kubeApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

/** The absolute segment number of a wal-g name (16 MiB segments). */
function segmentOf(internalName: string): number {
  const m = /^base_([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})/.exec(internalName);
  assert.ok(m, `a wal-g name: ${internalName}`);
  return parseInt(m[2], 16) * 256 + parseInt(m[3], 16);
}

describe('Verify Recoverability', function () {
  this.timeout(120_000);
  const ns = scratchNamespace('verify');
  const cluster = 'it-verify-db';
  const path = `it/verify-${randomBytes(3).toString('hex')}`;
  let newer: KubeObject;
  let gap: { from: string; to: string };

  before(async function () {
    this.timeout(120_000);
    const api = await kubeApi();
    const s3 = s3Target();
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await api.createSecret(ns, 'rgw-keys', { accessKeyId: bytes(s3.owner.accessKeyId), secretAccessKey: bytes(s3.owner.secretAccessKey) });
    await api.create({
      apiVersion: 'stackgres.io/v1beta1',
      kind: 'SGObjectStorage',
      metadata: { name: 'it-rgw', namespace: ns },
      spec: {
        type: 's3Compatible',
        s3Compatible: {
          bucket: s3.bucket,
          endpoint: s3.endpoint,
          region: s3.region,
          enablePathStyleAddressing: true,
          awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'rgw-keys', key: 'accessKeyId' }, secretAccessKey: { name: 'rgw-keys', key: 'secretAccessKey' } } },
        },
      },
    });
    await api.create({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGCluster',
      metadata: { name: cluster, namespace: ns },
      spec: { instances: 1, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '5Gi' } }, configurations: { backups: [{ sgObjectStorage: 'it-rgw', path }] } },
    });
    const model = await (await testingApi()).context.model();
    const completed = async (name: string): Promise<KubeObject> => {
      await api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace: ns }, spec: { sgCluster: cluster, managedLifecycle: false } });
      return waitFor(`SGBackup ${name} to be Completed`, () => {
        const o = model.get('SGBackup', ns, name);
        return (o?.status as { process?: { status?: string } } | undefined)?.process?.status === 'Completed' ? o : undefined;
      }, DEADLINE_MS);
    };
    await completed('it-verify-older');
    newer = await completed('it-verify-newer');
    const internalName = (newer.status as { internalName: string }).internalName;
    const start = segmentOf(internalName);
    // The sandbox writes each Completed backup's objects and WAL up to two segments past its start.
    const store = s3ObjectStore(s3.bucket, { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.owner, type: 's3Compatible' });
    try {
      const wal = `${path}/wal_005/`;
      await waitFor('the sandbox to write the newer backup\'s WAL', async () => ((await store.list({ prefix: `${wal}${walSegmentName(1, start + 2)}` })).objects.length > 0 ? true : undefined), DEADLINE_MS);
      // WAL archived again after a hole of two segments (start + 3 and start + 4 never reached the bucket).
      for (let s = start + 5; s <= start + 8; s++) await store.put(`${wal}${walSegmentName(1, s)}.lz4`, 'w');
      gap = { from: walSegmentName(1, start + 3), to: walSegmentName(1, start + 4) };
    } finally {
      store.destroy?.();
    }
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('reports the gap; the WAL row says 1 gap; the picture draws it in red; a restore to an instant inside it is refused with the reason', async () => {
    const verified = await vscode.commands.executeCommand<VerifyRecoverabilityResult | undefined>('stackgres.verifyRecoverability', { namespace: ns, name: cluster });
    assert.ok(verified, 'the command finished without an error');
    const r = verified.result;
    assert.deepEqual(r.backups.map((b) => b.restorable), [true, true]);
    assert.deepEqual(r.gaps.map((g) => [g.timeline, g.from, g.to]), [[1, gap.from, gap.to]]);
    assert.equal(r.ok, false);
    assert.match(r.verdict, /^WAL is not continuous from the newest backup /);
    const report = await waitFor('the report document', () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === verified.reportUri));
    assert.match(report.getText(), new RegExp(`\\| 1 \\| \`${gap.from}\` to \`${gap.to}\` \\| 2 \\|`));

    const bucket = await waitForTreeRow([kubeTarget().context, ns, cluster, 'Bucket'], DEADLINE_MS);
    const wal = await waitFor('the WAL row to say 1 gap', async () => {
      const row = (await treeRows(bucket.node, DEADLINE_MS)).find((x) => x.label === 'WAL archive');
      return typeof row?.description === 'string' && row.description.startsWith('1 gap · ') ? row : undefined;
    }, DEADLINE_MS);
    assert.ok(wal);

    const opened = await vscode.commands.executeCommand<RecoverableWindowResult | undefined>('stackgres.showRecoverableWindow', { namespace: ns, name: cluster });
    assert.ok(opened);
    const spans = opened.timeline.verification?.gaps ?? [];
    assert.deepEqual(spans.map((g) => [g.fromSegment, g.toSegment, g.to]), [[gap.from, gap.to, undefined]], 'no backup after the gap: unreachable until a new one');
    assert.match(opened.html, new RegExp(`<rect id="gap-0" class="band gap" [^>]*><title>WAL gap on timeline 1: segments ${gap.from} to ${gap.to} missing\\.`));
    assert.match(opened.html, /<p id="verification" class="error">WAL verified [^<]*: 1 gap \(red\)\./);

    // The picker: the newer backup's window reaches now, but not across the gap.
    const inside = await waitFor('an instant after the gap began', () => {
      const t = Math.ceil((Date.parse(spans[0].from) + 1000) / 1000) * 1000;
      return Date.now() > t ? new Date(t).toISOString().replace('.000Z', 'Z') : undefined;
    }, DEADLINE_MS);
    const testing = await testingApi();
    const api = await kubeApi();
    const logged = (await extensionLog()).length;
    testing.prompts.answer(ns, 'it-verify-restored');
    const written = await vscode.commands.executeCommand('stackgres.restoreBackup', { backup: { namespace: ns, name: 'it-verify-newer' }, pointInTime: inside, context: contextIdentity(api.context) });
    assert.equal(written, undefined, 'no restore was written');
    const refusal = await waitFor('the refusal in the log', async () => (await extensionLog()).slice(logged).match(/stackgres\.restoreBackup: (.*falls in a WAL gap.*)/)?.[1], DEADLINE_MS);
    assert.match(refusal, new RegExp(`^${inside.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} falls in a WAL gap: segments ${gap.from} to ${gap.to} are missing from the bucket \\(timeline 1\\), so no backup before it can replay WAL to this instant\\. Choose an instant up to .* or run a new backup\\.$`));
  });
});
