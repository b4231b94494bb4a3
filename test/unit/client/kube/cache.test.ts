// Live caches (list, then watch), against the test server or, with STACKGRES_TEST_CLUSTER=1 and
// KUBECONFIG, a real cluster in a throwaway namespace (see helpers.ts). Watch failures (410, resets,
// bookmarks) are in faults.test.ts, on the test server.
import * as assert from 'node:assert/strict';
import type { CacheEvent } from '../../../../client/src/kube/api';
import { waitFor, failOnUnhandledRejections, openTarget, sgBackup, type Target } from './helpers';
import { describeWithReference } from '../../../reference';

describeWithReference('Kubernetes access: live caches', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  let t: Target;

  before(async () => {
    t = await openTarget();
  });
  after(() => t?.close());

  it('starts from a list and brings ADDED, MODIFIED and DELETED to the consumer', async () => {
    await t.api.create(sgBackup(t.namespace, 'before-start'));
    const cache = t.api.cache('SGBackup', { namespace: t.namespace });
    const events: CacheEvent[] = [];
    cache.onEvent((e) => events.push(e));
    await cache.ready();
    assert.equal(cache.state, 'synced');
    assert.deepEqual(cache.items().map((o) => o.metadata.name), ['before-start']);
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'SYNCED']);

    await t.api.create(sgBackup(t.namespace, 'live'));
    await waitFor('ADDED live', () => events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'live'));
    await t.api.apply(sgBackup(t.namespace, 'live', 'orders', { reviewed: 'yes' }));
    await waitFor('MODIFIED live with the label', () => events.some((e) => e.type === 'MODIFIED' && e.object.metadata.labels?.reviewed === 'yes'));
    assert.equal(cache.get(t.namespace, 'live')?.metadata.labels?.reviewed, 'yes');
    await t.api.delete('SGBackup', t.namespace, 'live');
    await waitFor('DELETED live', () => events.some((e) => e.type === 'DELETED' && e.object.metadata.name === 'live'));
    assert.equal(cache.get(t.namespace, 'live'), undefined);
    assert.ok(cache.resourceVersion, 'the resourceVersion to resume from follows the events');

    cache.stop();
    assert.equal(cache.state, 'stopped');
    const count = events.length;
    await t.api.create(sgBackup(t.namespace, 'after-stop'));
    assert.equal(await t.api.get('SGBackup', t.namespace, 'after-stop').then(Boolean), true);
    assert.equal(events.length, count, 'a stopped cache tells nobody anything');
  });

  it("keeps only one cluster's backups when filtered on spec.sgCluster", async () => {
    const cache = t.api.cache('SGBackup', { namespace: t.namespace, sgCluster: 'inventory' });
    const names: string[] = [];
    cache.onEvent((e) => {
      if (e.type === 'ADDED') names.push(e.object.metadata.name);
    });
    await cache.ready();
    await t.api.create(sgBackup(t.namespace, 'orders-x', 'orders'));
    await t.api.create(sgBackup(t.namespace, 'inventory-x', 'inventory'));
    await waitFor('ADDED inventory-x', () => names.includes('inventory-x'));
    assert.deepEqual(names, ['inventory-x']);
    assert.deepEqual(cache.items().map((o) => o.metadata.name), ['inventory-x']);
    cache.stop();
  });

  it('watches all namespaces when none is given, and dispose() stops every cache', async () => {
    const cache = t.api.cache('SGBackup');
    await cache.ready();
    assert.ok(cache.items().some((o) => o.metadata.namespace === t.namespace && o.metadata.name === 'before-start'));
    t.api.dispose();
    assert.equal(cache.state, 'stopped');
  });
});
