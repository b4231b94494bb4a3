import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, clients, failure, type Clients } from './helpers';
import { describeWithReference } from '../../reference';

function backup(name: string, cluster: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, labels }, spec: { sgCluster: cluster } };
}

describeWithReference('kube-server: lists, selectors and paging', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;
  const names = (list: { items: { metadata: { name: string } }[] }): string[] => list.items.map((i) => i.metadata.name);

  before(async () => {
    server = await startKubeServer({ operator: { enabled: false } });
    c = await clients(server);
    for (const ns of ['demo', 'staging']) {
      await c.core.createNamespace({ body: { metadata: { name: ns } } });
    }
    const create = (ns: string, body: Record<string, unknown>): Promise<unknown> => c.custom.createNamespacedCustomObject({ ...SG, namespace: ns, plural: 'sgbackups', body });
    await create('demo', backup('a-1', 'orders', { 'stackgres.io/scheduled-backup': 'true', tier: 'gold' }));
    await create('demo', backup('a-2', 'orders', { tier: 'silver' }));
    await create('demo', backup('b-1', 'inventory', { 'stackgres.io/scheduled-backup': 'true', tier: 'bronze' }));
    await create('demo', backup('b-2', 'inventory', {}));
    await create('staging', backup('copy-1', 'demo.orders', { tier: 'gold' }));
  });
  after(() => server.stop());

  it('filters by label selectors with =, ==, !=, in, notin, exists and !key', async () => {
    const sel = async (labelSelector: string): Promise<string[]> => names(await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', labelSelector }));
    assert.deepEqual(await sel('tier=gold'), ['a-1']);
    assert.deepEqual(await sel('tier==silver'), ['a-2']);
    assert.deepEqual(await sel('tier!=gold'), ['a-2', 'b-1', 'b-2']);
    assert.deepEqual(await sel('tier in (gold, bronze)'), ['a-1', 'b-1']);
    assert.deepEqual(await sel('tier notin (gold,bronze)'), ['a-2', 'b-2']);
    assert.deepEqual(await sel('stackgres.io/scheduled-backup'), ['a-1', 'b-1']);
    assert.deepEqual(await sel('!stackgres.io/scheduled-backup'), ['a-2', 'b-2']);
    assert.deepEqual(await sel('stackgres.io/scheduled-backup=true,tier in (bronze)'), ['b-1']);
    const bad = await failure(() => c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', labelSelector: 'tier in gold' }));
    assert.equal(bad.code, 400);
    assert.equal(bad.status?.reason, 'BadRequest');
  });

  it('filters by field selectors, including the test-only SGBackup spec.sgCluster', async () => {
    const all = await c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups', fieldSelector: 'metadata.namespace=staging' });
    assert.deepEqual(names(all), ['copy-1']);
    const one = await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', fieldSelector: 'metadata.name!=a-1,spec.sgCluster=orders' });
    assert.deepEqual(names(one), ['a-2']);
    const copies = await c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups', fieldSelector: 'spec.sgCluster=demo.orders' });
    assert.deepEqual(names(copies), ['copy-1']);
    const unknown = await failure(() => c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', fieldSelector: 'status.process.status=Completed' }));
    assert.equal(unknown.code, 400);
    assert.equal(unknown.status?.message, 'field label not supported: status.process.status');
  });

  it('rejects spec.sgCluster field selectors in strict mode, as a real API server does', async () => {
    server.lister.strictFieldSelectors = true;
    try {
      const r = await failure(() => c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', fieldSelector: 'spec.sgCluster=orders' }));
      assert.equal(r.code, 400);
      assert.equal(r.status?.message, 'field label not supported: spec.sgCluster');
    } finally {
      server.lister.strictFieldSelectors = false;
    }
  });

  it('lists across all namespaces in namespace/name order', async () => {
    const all = await c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups' });
    assert.equal(all.kind, 'SGBackupList');
    assert.deepEqual(
      all.items.map((i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`),
      ['demo/a-1', 'demo/a-2', 'demo/b-1', 'demo/b-2', 'staging/copy-1'],
    );
  });

  it('pages with limit and continue over a consistent snapshot', async () => {
    const p1 = await c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups', limit: 2 });
    assert.deepEqual(names(p1), ['a-1', 'a-2']);
    assert.equal(p1.metadata.remainingItemCount, 3);
    const token = p1.metadata.continue;
    assert.ok(token);
    // A change after the first page does not show up in later pages of the same list.
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: backup('b-0', 'inventory') });
    const p2 = await c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups', limit: 2, _continue: token });
    assert.deepEqual(names(p2), ['b-1', 'b-2']);
    assert.equal(p2.metadata.resourceVersion, p1.metadata.resourceVersion);
    const p3 = await c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups', limit: 2, _continue: p2.metadata.continue });
    assert.deepEqual(names(p3), ['copy-1']);
    assert.equal(p3.metadata.continue, undefined);
    await c.custom.deleteNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'b-0' });
  });

  it('answers an expired continue token with 410 Gone, reason Expired', async () => {
    const p1 = await c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups', limit: 1 });
    server.lister.expireContinueTokens();
    const r = await failure(() => c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups', limit: 1, _continue: p1.metadata.continue }));
    assert.equal(r.code, 410);
    assert.equal(r.status?.reason, 'Expired');
    assert.match(r.status?.message ?? '', /^The provided continue parameter is too old/);
  });

  it('lists 10,000 SGBackups across 100 namespaces in pages of 500 (benchmark)', async function () {
    const seeded = server.seed.bulk({ namespaces: 100, backupsPerNamespace: 100 });
    assert.equal(seeded.backups, 10000);
    const started = process.hrtime.bigint();
    let token: string | undefined;
    let count = 0;
    let pages = 0;
    const namespaces = new Set<string>();
    do {
      const page = await c.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups', limit: 500, _continue: token, labelSelector: 'stackgres.io/scheduled-backup=true' });
      for (const item of page.items as { metadata: { namespace: string } }[]) {
        if (item.metadata.namespace.startsWith('bench-')) {
          count++;
          namespaces.add(item.metadata.namespace);
        }
      }
      token = page.metadata.continue;
      pages++;
    } while (token);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(count, 10000);
    assert.equal(namespaces.size, 100);
    assert.equal(pages, 21);
    console.log(`      listed ${count} SGBackups from ${namespaces.size} namespaces in ${pages} pages of 500 through client-node: ${ms.toFixed(0)} ms`);
  });
});
