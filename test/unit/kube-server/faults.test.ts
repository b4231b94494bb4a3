import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, clients, failure, type Clients } from './helpers';
import { describeWithReference } from '../../reference';

describeWithReference('kube-server: fault injection', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;
  const list = (): Promise<unknown> => c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });

  before(async () => {
    server = await startKubeServer({ operator: { enabled: false }, seed: 'demo' });
    c = await clients(server);
  });
  afterEach(() => server.faults.clear());
  after(() => server.stop());

  it('answers 429 with Retry-After for the given number of requests, then recovers', async () => {
    server.faults.inject({ pathPrefix: '/apis/stackgres.io/v1/namespaces/demo/sgbackups', status: 429, times: 1, retryAfter: 2 });
    const r = await failure(list);
    assert.equal(r.code, 429);
    assert.equal(r.status?.reason, 'TooManyRequests');
    assert.equal(r.status?.details?.retryAfterSeconds, 2);
    assert.equal(r.headers['retry-after'], '2');
    await list();
  });

  it('matches on method: a POST fault leaves reads alone', async () => {
    server.faults.inject({ method: 'POST', status: 500 });
    await list();
    const r = await failure(() => c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'x' }, spec: { sgCluster: 'orders' } } }));
    assert.equal(r.code, 500);
    assert.equal(r.status?.reason, 'InternalError');
  });

  for (const status of [401, 403, 404, 409, 422] as const) {
    it(`injects ${status} as a Kubernetes Status`, async () => {
      server.faults.inject({ status, times: 1 });
      const r = await failure(list);
      assert.equal(r.code, status);
      if (status !== 401) {
        assert.equal(r.status?.kind, 'Status');
        assert.equal(r.status?.code, status);
      }
    });
  }

  it('delays responses', async () => {
    server.faults.delay(300, { pathPrefix: '/apis/stackgres.io', times: 1 });
    const started = Date.now();
    await list();
    assert.ok(Date.now() - started >= 290);
    const again = Date.now();
    await list();
    assert.ok(Date.now() - again < 290, 'only the first request was delayed');
  });

  it('fails a watch request with the injected status', async () => {
    server.faults.inject({ pathPrefix: '/apis/stackgres.io/v1/namespaces/demo/sgbackups', status: 403, times: 1 });
    const err = await new Promise<unknown>((resolve) => {
      void c.watch.watch('/apis/stackgres.io/v1/namespaces/demo/sgbackups', {}, () => undefined, resolve);
    });
    assert.equal((err as { statusCode?: number }).statusCode, 403);
  });
  it('stalls a watch: accepted, then no headers and no events until the server stops', async () => {
    const stalled = await startKubeServer({ operator: { enabled: false }, seed: 'demo' });
    try {
      const w = (await clients(stalled)).watch;
      stalled.faults.stallNextWatch();
      let answered = false;
      const ended = new Promise<unknown>((resolve) => {
        void w.watch('/apis/stackgres.io/v1/namespaces/demo/sgbackups', {}, () => (answered = true), resolve).then(() => (answered = true));
      });
      const deadline = Date.now() + 5000;
      while (!stalled.requests.some((r) => r.path.endsWith('/sgbackups') && r.status === 0)) {
        assert.ok(Date.now() < deadline, 'the watch request reached the server');
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(answered, false, 'no response and no event');
      await stalled.stop();
      assert.ok(await ended, 'the stream only ends when the server goes away');
    } finally {
      await stalled.stop();
    }
  });
});
