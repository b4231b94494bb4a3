// Paged lists of more than a thousand objects, against the test server or, with STACKGRES_TEST_CLUSTER=1
// and KUBECONFIG, a real cluster in a throwaway namespace (see helpers.ts).
import * as assert from 'node:assert/strict';
import { failOnUnhandledRejections, openTarget, pool, sgObjectStorage, type Target } from './helpers';
import { describeWithReference } from '../../../reference';

const COUNT = 1050;

describeWithReference('Kubernetes access: paged lists', function () {
  this.timeout(120000);
  failOnUnhandledRejections();
  let t: Target;

  before(async () => {
    t = await openTarget();
    const names = Array.from({ length: COUNT }, (_, i) => `storage-${String(i).padStart(4, '0')}`);
    const server = t.server;
    if (server) {
      // Straight into the test server's store: the point here is reading, not 1,050 writes.
      const type = server.registry.byStoreKey('stackgres.io/sgobjectstorages')!;
      for (const name of names) server.api.putInternal(type, sgObjectStorage(t.namespace, name), 'kubectl');
    } else {
      await pool(names, 16, (name) => t.api.create(sgObjectStorage(t.namespace, name)));
    }
  });
  after(() => t?.close());

  it('hands out pages of `limit` objects with a continue token until the last page', async () => {
    const seen = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    let remaining: number | undefined;
    do {
      const page = await t.api.listPage('SGObjectStorage', { namespace: t.namespace, limit: 100, continue: token });
      assert.ok(page.items.length <= 100);
      if (pages === 0) remaining = page.remainingItemCount;
      page.items.forEach((o) => seen.add(o.metadata.name));
      token = page.continue;
      pages++;
    } while (token);
    assert.equal(pages, Math.ceil(COUNT / 100));
    assert.equal(seen.size, COUNT, 'every object once');
    if (remaining !== undefined) assert.equal(remaining, COUNT - 100);
  });

  it('lists everything in one call, following the pages, in one namespace and across all', async () => {
    const requestsBefore = t.server?.requests.length ?? 0;
    const one = await t.api.list('SGObjectStorage', { namespace: t.namespace, limit: 250 });
    assert.equal(one.items.length, COUNT);
    assert.equal(new Set(one.items.map((o) => o.metadata.name)).size, COUNT);
    assert.ok(one.items.every((o) => o.kind === 'SGObjectStorage' && o.apiVersion === 'stackgres.io/v1beta1'));
    assert.ok(one.resourceVersion, 'the resourceVersion of the first page, to watch from');
    const all = await t.api.list('SGObjectStorage');
    assert.ok(all.items.filter((o) => o.metadata.namespace === t.namespace).length === COUNT);
    if (t.server) {
      const listCalls = t.server.requests.slice(requestsBefore).filter((r) => r.method === 'GET' && r.path === `/apis/stackgres.io/v1beta1/namespaces/${t.namespace}/sgobjectstorages`);
      assert.equal(listCalls.length, Math.ceil(COUNT / 250), 'one request per page');
    }
  });
});
