/**
 * Bucket reads that end when the user says so, and S3 connections that end with their use, in the real
 * editor. Each test points an SGObjectStorage of the sandbox cluster at a loopback ListObjectsV2 stand-in
 * (test/s3/listingServer.ts) that this test starts in the extension host, so it can make the bucket never
 * answer and watch the extension's connections close.
 *
 * The notifications' Cancel button is pressed with the workbench command `notification.acceptPrimaryAction`
 * (Ctrl+Shift+A on a notification): it runs the newest notification's first button, the very action the
 * button runs. The suite cannot see a notification otherwise, so "the notification with Cancel appeared" is
 * shown by its Cancel ending the read; nothing else ends it before the 15 s per-request limit.
 *
 * The recoverable window's "Read the bucket again" button lives in the webview page, out of the suite's
 * reach: the test API's `postAsPage` hands the panel the `{ type: 'refresh' }` message the button posts,
 * through the same check and handler.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StorageAccessResult } from '../../client/src/commands/storage';
import type { KubeApi } from '../../client/src/kube/api';
import type { RecoverableWindowResult } from '../../client/src/webviews/recoverableWindow';
import { s3ObjectStore } from '../../client/src/storage/s3';
import { startListingServer, type ListingBehaviour, type ListingServer } from '../s3/listingServer';
import { describeRows, kubeTarget, scratchNamespace, testingApi, treeRows, waitFor, waitForTreeRow } from './helpers';

const BUCKET = 'standin';
const BASE = 'base_000000010000000000000002';
/** Well under the extension's 15 s per-request limit: an action that did not end the read cannot pass. */
const ENDS_WITHIN_MS = 5_000;
/** The tree offers Cancel after 2 s; then the same margin. */
const CANCEL_OFFERED_WITHIN_MS = 2_000 + ENDS_WITHIN_MS;
const DEADLINE_MS = 30_000;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

async function kubeApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

/** What a wal-g backup path holds: one finished base backup (the stand-in answers listings only). */
function walgKeys(path: string): string[] {
  return [`${path}/basebackups_005/${BASE}/metadata.json`, `${path}/basebackups_005/${BASE}_backup_stop_sentinel.json`];
}

/** Presses the newest notification's first button (Cancel on our progress notifications) until `done`. */
async function pressCancelUntil(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  await waitFor(what, async () => {
    if (done()) return true;
    await vscode.commands.executeCommand('notification.acceptPrimaryAction');
    return done() ? true : undefined;
  }, timeoutMs);
}

/** A promise and whether it has settled. */
function tracked<T>(p: Thenable<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const promise = Promise.resolve(p).finally(() => (settled = true));
  return { promise, settled: () => settled };
}

describe('Bucket reads end when cancelled, and S3 connections end with their use', function () {
  this.timeout(90_000);
  const ns = scratchNamespace('bucket-reads');
  const servers: ListingServer[] = [];

  /** A stand-in bucket, an SGObjectStorage on it, and (with `cluster`) an SGCluster backing up to `path` there. */
  async function standIn(name: string, behaviour: ListingBehaviour, cluster?: { name: string; path: string }): Promise<ListingServer> {
    const server = await startListingServer(BUCKET, cluster ? walgKeys(cluster.path) : [], behaviour);
    servers.push(server);
    const api = await kubeApi();
    await api.create({
      apiVersion: 'stackgres.io/v1beta1',
      kind: 'SGObjectStorage',
      metadata: { name, namespace: ns },
      spec: {
        type: 's3Compatible',
        s3Compatible: {
          bucket: BUCKET,
          endpoint: server.endpoint,
          region: 'us-east-1',
          enablePathStyleAddressing: true,
          awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'standin-keys', key: 'accessKeyId' }, secretAccessKey: { name: 'standin-keys', key: 'secretAccessKey' } } },
        },
      },
    });
    if (cluster) {
      await api.create({
        apiVersion: 'stackgres.io/v1',
        kind: 'SGCluster',
        metadata: { name: cluster.name, namespace: ns },
        spec: { instances: 1, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '5Gi' } }, configurations: { backups: [{ sgObjectStorage: name, path: cluster.path }] } },
      });
    }
    return server;
  }

  before(async () => {
    const api = await kubeApi();
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // The stand-in ignores signatures: any keys do.
    await api.createSecret(ns, 'standin-keys', { accessKeyId: bytes('standin-id'), secretAccessKey: bytes('standin-secret') });
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('a bucket row whose storage never answers: the notification\'s Cancel makes the row say Cancelled, and clicking it reads again', async () => {
    const server = await standIn('it-silent', 'silent', { name: 'it-silent-db', path: 'it/silent' });
    const bucket = await waitForTreeRow([kubeTarget().context, ns, 'it-silent-db', 'Bucket'], DEADLINE_MS);
    const tree = (await testingApi()).context.tree!;
    await vscode.commands.executeCommand('notifications.clearAll');

    // Expanding the row, as the view does.
    const started = Date.now();
    const expanding = tracked(Promise.resolve(tree.getChildren(bucket.node)));
    await waitFor('the read to reach the stand-in', () => (server.waiting > 0 ? true : undefined), ENDS_WITHIN_MS);
    await pressCancelUntil('the notification\'s Cancel to end the read', expanding.settled, CANCEL_OFFERED_WITHIN_MS);
    const endedAfterMs = Date.now() - started;
    assert.ok(endedAfterMs >= 2_000, `a quick read stays quiet: Cancel is offered after 2 s, the read ended after ${endedAfterMs} ms`);

    const rows = (await expanding.promise).map((n) => tree.getTreeItem(n));
    assert.deepEqual(rows.map((r) => [r.label, r.description]), [['Cancelled', 'click to read the bucket again']]);
    await waitFor('the cancelled requests\' connections to close', () => (server.waiting === 0 ? true : undefined), ENDS_WITHIN_MS);

    // The bucket answers now: clicking the row reads it again.
    server.behaviour = 'honest';
    const requestsBefore = server.requests;
    const click = rows[0].command;
    assert.ok(click, 'the Cancelled row has a click command');
    await vscode.commands.executeCommand(click.command, ...(click.arguments ?? []));
    const again = await treeRows(bucket.node, DEADLINE_MS);
    assert.ok(again.some((r) => r.label === BASE), `the base backup is listed: ${describeRows(again)}`);
    assert.ok(!again.some((r) => r.label === 'Cancelled'), describeRows(again));
    assert.ok(server.requests > requestsBefore, 'the bucket was read again');
  });

  it('the recoverable window: Refresh against a storage that never answers is cancelled from its notification, and closing the panel ends the read', async () => {
    const server = await standIn('it-window', 'honest', { name: 'it-window-db', path: 'it/window' });
    await waitForTreeRow([kubeTarget().context, ns, 'it-window-db'], DEADLINE_MS);
    const testing = await testingApi();
    const opened = await vscode.commands.executeCommand<RecoverableWindowResult | undefined>('stackgres.showRecoverableWindow', { namespace: ns, name: 'it-window-db' });
    assert.ok(opened, 'the window opened');
    assert.ok(opened.timeline.backups.some((b) => b.label === BASE), 'the honest bucket was read: its base backup is drawn');
    const tab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(opened.viewType) && t.label === opened.title);
    await waitFor('the recoverable-window tab', tab);

    server.behaviour = 'silent';
    await vscode.commands.executeCommand('notifications.clearAll');
    const refresh = tracked(testing.postAsPage(ns, 'it-window-db', { type: 'refresh' }));
    await waitFor('the refresh to reach the stand-in', () => (server.waiting > 0 ? true : undefined), ENDS_WITHIN_MS);
    await pressCancelUntil('the Refresh notification\'s Cancel to end the read', refresh.settled, ENDS_WITHIN_MS);
    assert.equal(await refresh.promise, true, 'the panel took the refresh');
    await waitFor('the cancelled refresh\'s connections to close', () => (server.waiting === 0 ? true : undefined), ENDS_WITHIN_MS);

    // Refresh again, and close the panel instead of cancelling.
    const second = tracked(testing.postAsPage(ns, 'it-window-db', { type: 'refresh' }));
    await waitFor('the second refresh to reach the stand-in', () => (server.waiting > 0 ? true : undefined), ENDS_WITHIN_MS);
    const open = tab();
    assert.ok(open, 'the panel is still open');
    await vscode.window.tabGroups.close(open);
    await waitFor('the read to end with its panel (the stand-in sees its connections close)', () => (server.waiting === 0 ? true : undefined), ENDS_WITHIN_MS);
    await waitFor('the refresh to end', () => (second.settled() ? true : undefined), ENDS_WITHIN_MS);
  });

  it('Test Object Storage Access closes its S3 connections when it is done', async () => {
    // Control: an S3 client that is not destroyed keeps its connection here (the driver turns VS Code's
    // proxy support off), else this test could not fail.
    const control = await startListingServer(BUCKET, [], 'honest');
    servers.push(control);
    const store = s3ObjectStore(BUCKET, { endpoint: control.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'standin-id', secretAccessKey: 'standin-secret' }, type: 's3Compatible' });
    await store.list({ prefix: 'a/' });
    await store.list({ prefix: 'b/' });
    assert.deepEqual([control.requests, control.connections], [2, 1], 'the second request reused the open connection');
    store.destroy?.();
    await control.allSocketsClosed(ENDS_WITHIN_MS);

    const server = await standIn('it-access', 'honest');
    const result = await vscode.commands.executeCommand<StorageAccessResult | undefined>('stackgres.testStorageAccess', { namespace: ns, name: 'it-access' });
    assert.ok(result?.report, 'the access test ran against the stand-in');
    assert.equal(result.report.results[0].action, 'ListBucket');
    assert.equal(result.report.results[0].outcome, 'ok', result.summary);
    assert.ok(server.requests > 0);
    // The stand-in keeps idle connections for 10 minutes: only the extension closing them ends them.
    await server.allSocketsClosed(ENDS_WITHIN_MS);
  });
});
