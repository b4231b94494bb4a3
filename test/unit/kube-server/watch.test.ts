import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, clients, waitFor, k8s, watchUntil, type Clients } from './helpers';
import { describeWithReference } from '../../reference';

const PATH = '/apis/stackgres.io/v1/namespaces/demo/sgbackups';

function backup(name: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, labels }, spec: { sgCluster: 'orders' } };
}

describeWithReference('kube-server: watches', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;

  before(async () => {
    server = await startKubeServer({ operator: { enabled: false }, bookmarkIntervalMs: 100 });
    c = await clients(server);
    await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
  });
  after(() => server.stop());

  it('streams ADDED, MODIFIED and DELETED from a list resourceVersion', async () => {
    const list = await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });
    const events = await watchUntil(
      c.watch,
      PATH,
      { resourceVersion: list.metadata.resourceVersion },
      (ev) => ev.some((e) => e.type === 'DELETED'),
      5000,
      async () => {
        await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: backup('w-1') });
        await c.custom.patchNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'w-1', body: [{ op: 'add', path: '/spec/managedLifecycle', value: true }] });
        await c.custom.deleteNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'w-1' });
      },
    );
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    const rvs = events.map((e) => Number(e.object.metadata?.resourceVersion));
    assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2], 'resourceVersions increase');
  });

  it('starts without a resourceVersion with the current objects as ADDED', async () => {
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: backup('existing') });
    const events = await watchUntil(c.watch, PATH, {}, (ev) => ev.length >= 1);
    assert.equal(events[0].type, 'ADDED');
    assert.equal(events[0].object.metadata?.name, 'existing');
  });

  it('turns label changes into ADDED/DELETED for a selector watch', async () => {
    const list = await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });
    const events = await watchUntil(
      c.watch,
      PATH,
      { resourceVersion: list.metadata.resourceVersion, labelSelector: 'keep=yes' },
      (ev) => ev.length >= 2,
      5000,
      async () => {
        const m = await k8s();
        const merge = m.setHeaderOptions('Content-Type', m.PatchStrategy.MergePatch);
        await c.custom.patchNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'existing', body: { metadata: { labels: { keep: 'yes' } } } }, merge);
        await c.custom.patchNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'existing', body: { metadata: { labels: { keep: 'no' } } } }, merge);
      },
    );
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'DELETED']);
  });

  it('sends periodic BOOKMARK events carrying the current resourceVersion', async () => {
    const events = await watchUntil(c.watch, PATH, { resourceVersion: String(server.store.currentRv()), allowWatchBookmarks: true }, (ev) => ev.some((e) => e.type === 'BOOKMARK'));
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    assert.equal(bookmark?.object.metadata?.resourceVersion, String(server.store.currentRv()));
    assert.equal(bookmark?.object.kind, 'SGBackup');
  });

  it('marks the end of initial events with a bookmark when sendInitialEvents=true', async () => {
    const events = await watchUntil(c.watch, PATH, { sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan' }, (ev) => ev.some((e) => e.type === 'BOOKMARK'));
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
    assert.equal(events[1].object.metadata?.annotations?.['k8s.io/initial-events-end'], 'true');
  });

  it('answers a resourceVersion older than the retained history with an ERROR event carrying 410 Expired', async () => {
    const old = server.store.currentRv();
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: backup('after-compaction') });
    server.store.compact();
    const events = await watchUntil(c.watch, PATH, { resourceVersion: String(old) }, (ev) => ev.some((e) => e.type === 'ERROR'));
    assert.equal(events.length, 1);
    assert.deepEqual(
      { kind: events[0].object.kind, code: events[0].object.code, reason: events[0].object.reason },
      { kind: 'Status', code: 410, reason: 'Expired' },
    );
    assert.match(String(events[0].object.message), new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
  });

  it('lets a client-node informer re-list after 410 and catch up on what it missed', async () => {
    const m = await k8s();
    const list = (): Promise<never> => c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' }) as Promise<never>;
    const informer = m.makeInformer(c.kc, PATH, list);
    const seen = new Set<string>();
    informer.on('add', (o) => seen.add(o.metadata?.name ?? ''));
    await informer.start();
    try {
      await waitFor('the informer to list existing backups', () => seen.has('existing'));
      const requestsBefore = server.requests.length;
      // Cut the stream and, before the informer reconnects, change things and compact the history.
      server.watches.closeAll();
      server.api.putInternal(server.registry.byStoreKey('stackgres.io/sgbackups')!, { ...backup('missed-while-away'), metadata: { name: 'missed-while-away', namespace: 'demo' } });
      server.store.compact();
      await waitFor('the informer to re-list and see the missed backup', () => seen.has('missed-while-away'));
      const after = server.requests.slice(requestsBefore).filter((r) => r.path === PATH);
      assert.ok(after.some((r) => !/watch=/.test(r.query)), 'a re-list happened');
    } finally {
      await informer.stop();
    }
  });

  it('can cut a watch stream mid-way (fault injection), ending it with an error', async () => {
    server.faults.resetNextWatch();
    const result = await new Promise<{ events: string[]; err: unknown }>((resolve) => {
      const events: string[] = [];
      void c.watch.watch(PATH, {}, (type) => events.push(type), (err) => resolve({ events, err }));
    });
    assert.ok(result.err instanceof Error, 'the watch ends with an error');
    assert.ok(result.events.every((t) => t === 'ADDED'));
  });

  it('ends a watch after timeoutSeconds', async () => {
    const started = Date.now();
    const err = await new Promise<unknown>((resolve) => {
      void c.watch.watch(PATH, { timeoutSeconds: 1, resourceVersion: String(server.store.currentRv()) }, () => undefined, resolve);
    });
    assert.equal(err, null);
    assert.ok(Date.now() - started >= 900);
  });
});
