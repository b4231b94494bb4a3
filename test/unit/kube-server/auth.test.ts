import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, clients, failure, k8s } from './helpers';
import { describeWithReference } from '../../reference';

describeWithReference('kube-server: authentication, authorization and TLS', function () {
  this.timeout(20000);

  describe('bearer tokens', () => {
    let server: KubeServer;
    before(async () => {
      server = await startKubeServer({ operator: { enabled: false }, seed: 'demo' });
    });
    after(() => server.stop());

    it('rejects a missing or unknown token with 401 Unauthorized', async () => {
      const res = await fetch(`${server.url}/api/v1/namespaces`);
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      const { KubeConfig, CoreV1Api } = await k8s();
      const kc = new KubeConfig();
      kc.loadFromString(server.kubeconfig().replace(server.tokens.admin, 'not-a-token'));
      const r = await failure(() => kc.makeApiClient(CoreV1Api).listNamespace());
      assert.equal(r.code, 401);
    });

    it('lets the reader get, list and watch but not create, with kube\'s 403 message', async () => {
      const reader = await clients(server, 'reader');
      const list = await reader.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });
      assert.ok(list.items.length > 0);
      const r = await failure(() =>
        reader.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'x' }, spec: { sgCluster: 'orders' } } }),
      );
      assert.equal(r.code, 403);
      assert.equal(r.status?.reason, 'Forbidden');
      assert.equal(r.status?.message, 'sgbackups.stackgres.io is forbidden: User "reader" cannot create resource "sgbackups" in API group "stackgres.io" in the namespace "demo"');
      const del = await failure(() => reader.core.deleteNamespacedSecret({ namespace: 'demo', name: 'minio-credentials' }));
      assert.equal(del.status?.message, 'secrets "minio-credentials" is forbidden: User "reader" cannot delete resource "secrets" in API group "" in the namespace "demo"');
    });

    it('forbids sgbackups to the no-backups user, including cluster-wide lists', async () => {
      const nb = await clients(server, 'no-backups');
      const storages = await nb.custom.listNamespacedCustomObject({ group: 'stackgres.io', version: 'v1beta1', namespace: 'demo', plural: 'sgobjectstorages' });
      assert.ok(storages.items.length > 0);
      const r = await failure(() => nb.custom.listCustomObjectForAllNamespaces({ ...SG, plural: 'sgbackups' }));
      assert.equal(r.code, 403);
      assert.equal(r.status?.message, 'sgbackups.stackgres.io is forbidden: User "no-backups" cannot list resource "sgbackups" in API group "stackgres.io" at the cluster scope');
    });

    it('answers SelfSubjectAccessReviews from the same rules', async () => {
      const m = await k8s();
      const reader = (await clients(server, 'reader')).kc.makeApiClient(m.AuthorizationV1Api);
      const review = (verb: string): Promise<{ status?: { allowed: boolean } }> =>
        reader.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: 'demo', verb, group: 'stackgres.io', resource: 'sgbackups' } } } });
      assert.equal((await review('list')).status?.allowed, true);
      assert.equal((await review('create')).status?.allowed, false);
    });
  });

  it('serves anonymous requests with full access in anonymous mode', async () => {
    const server = await startKubeServer({ operator: { enabled: false }, anonymous: true });
    try {
      const res = await fetch(`${server.url}/api/v1/namespaces`);
      assert.equal(res.status, 200);
    } finally {
      await server.stop();
    }
  });

  it('serves HTTPS with a generated CA that the kubeconfig carries', async () => {
    const server = await startKubeServer({ operator: { enabled: false }, tls: true, seed: 'demo' });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(server.caCert ?? '', /BEGIN CERTIFICATE/);
      const c = await clients(server);
      const ns = await c.core.listNamespace();
      assert.deepEqual(ns.items.map((n) => n.metadata?.name), ['demo', 'staging']);
    } finally {
      await server.stop();
    }
  });

  it('fails TLS verification when the server certificate does not match the kubeconfig CA', async () => {
    const server = await startKubeServer({ operator: { enabled: false }, tls: true, tlsMismatch: true });
    try {
      const c = await clients(server);
      await assert.rejects(
        () => c.core.listNamespace(),
        (e: Error) => /unable to verify|self.signed|certificate/i.test(`${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`),
      );
    } finally {
      await server.stop();
    }
  });
});
