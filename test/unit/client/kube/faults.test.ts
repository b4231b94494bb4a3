// Failures, one per call, each turned into the right KubeError with a message a DBA can act on, and
// nothing half-done. Always against the test server (TLS on): it injects the faults. Also in
// STACKGRES_TEST_CLUSTER=1 mode, since a real cluster cannot be made to fail on demand.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { CacheEvent } from '../../../../client/src/kube/api';
import { openKube } from '../../../../client/src/kube/clientNode';
import { startKubeServer } from '../../../kube-server';
import { waitFor, failOnUnhandledRejections, kubeFailure, openTestServer, sgBackup, TEST_BACKOFF, type Target } from './helpers';
import { describeWithReference } from '../../../reference';

type Served = Target & { server: NonNullable<Target['server']> };

describeWithReference('Kubernetes access: failures of single calls', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  let t: Served;
  let ns: string;
  let backups: string;

  before(async () => {
    t = await openTestServer();
    ns = t.namespace;
    backups = `/apis/stackgres.io/v1/namespaces/${ns}/sgbackups`;
  });
  afterEach(() => t.server.faults.clear());
  after(() => t?.close());

  const requestsTo = (method: string, p: string, since: number): number => t.server.requests.slice(since).filter((r) => r.method === method && r.path.startsWith(p)).length;

  it('401: the credentials of the context were rejected; log in again', async () => {
    t.server.faults.inject({ method: 'GET', pathPrefix: backups, status: 401 });
    const e = await kubeFailure(() => t.api.list('SGBackup', { namespace: ns }));
    assert.equal(e.reason, 'unauthorized');
    assert.equal(e.message, 'The cluster rejected the credentials of context "stackgres-test" (expired token?).');
    assert.match(e.action!, /`aws eks update-kubeconfig` \/ `gcloud container clusters get-credentials`.* and refresh/);
  });

  it("403: the API server's own words and the RBAC to ask for", async () => {
    const noBackups = t.api.withContext('stackgres-test-no-backups');
    const e = await kubeFailure(() => noBackups.list('SGBackup', { namespace: ns }));
    assert.equal(e.reason, 'forbidden');
    assert.match(e.message, /^sgbackups\.stackgres\.io is forbidden: User "no-backups" cannot list resource "sgbackups"/);
    assert.equal(e.action, `Ask your cluster administrator for RBAC on sgbackups.stackgres.io (verb list) in namespace ${ns}.`);
    t.server.faults.inject({ method: 'POST', pathPrefix: backups, status: 403 });
    const before = t.server.requests.length;
    assert.equal((await kubeFailure(() => t.api.create(sgBackup(ns, 'forbidden-1')))).reason, 'forbidden');
    assert.equal(requestsTo('POST', backups, before), 1, 'a write is not retried');
    assert.equal(await t.api.get('SGBackup', ns, 'forbidden-1'), undefined, 'nothing created');
  });

  it('404: a missing object, a missing namespace, and a missing stackgres.io API (no CRDs)', async () => {
    assert.equal(await t.api.get('SGBackup', ns, 'nope'), undefined);
    const missingNs = await kubeFailure(() => t.api.create(sgBackup('no-such-namespace', 'b')));
    assert.equal(missingNs.reason, 'notFound');
    assert.equal(missingNs.message, 'Namespace no-such-namespace does not exist in context "stackgres-test".');
    t.server.faults.inject({ method: 'GET', pathPrefix: backups, status: 404 });
    const noApi = await kubeFailure(() => t.api.list('SGBackup', { namespace: ns }));
    assert.equal(noApi.reason, 'crdsMissing');
    assert.match(noApi.message, /StackGres is not installed in the cluster of context "stackgres-test" \(no stackgres\.io CRDs\)/);
  });

  it('409 on create: reported, and nothing created', async () => {
    t.server.faults.inject({ method: 'POST', pathPrefix: backups, status: 409 });
    const e = await kubeFailure(() => t.api.create(sgBackup(ns, 'conflicted')));
    assert.equal(e.reason, 'conflict');
    assert.match(e.message, /SGBackup conflicted was changed by someone else/);
    assert.equal(await t.api.get('SGBackup', ns, 'conflicted'), undefined);
  });

  it('422 on apply: invalid, and the object is unchanged', async () => {
    await t.api.apply(sgBackup(ns, 'stable'));
    t.server.faults.inject({ method: 'PATCH', pathPrefix: backups, status: 422 });
    const e = await kubeFailure(() => t.api.apply(sgBackup(ns, 'stable', 'orders', { changed: 'yes' })));
    assert.equal(e.reason, 'invalid');
    assert.match(e.message, /^The cluster rejected SGBackup stable: the request is invalid/);
    assert.equal((await t.api.get('SGBackup', ns, 'stable'))?.metadata.labels?.changed, undefined);
  });

  it('429 on a read: waits as long as Retry-After says, then succeeds', async () => {
    await t.api.create(sgBackup(ns, 'throttled'));
    t.server.faults.inject({ method: 'GET', pathPrefix: `${backups}/throttled`, status: 429, retryAfter: 1, times: 1 });
    const before = t.server.requests.length;
    const started = Date.now();
    const got = await t.api.get('SGBackup', ns, 'throttled');
    assert.equal(got?.metadata.name, 'throttled');
    assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
    assert.equal(requestsTo('GET', `${backups}/throttled`, before), 2);
  });

  it('429 on a read that cannot wait long enough, and on a write: tooManyRequests with the wait, no retry', async () => {
    t.server.faults.inject({ method: 'GET', pathPrefix: backups, status: 429, retryAfter: 5 });
    const started = Date.now();
    const read = await kubeFailure(() => t.api.list('SGBackup', { namespace: ns, timeoutMs: 2000 }));
    assert.equal(read.reason, 'tooManyRequests');
    assert.ok(Date.now() - started < 1000, 'gives up at once when Retry-After exceeds the time left');
    t.server.faults.clear();
    t.server.faults.inject({ method: 'POST', pathPrefix: backups, status: 429, retryAfter: 2 });
    const before = t.server.requests.length;
    const write = await kubeFailure(() => t.api.create(sgBackup(ns, 'throttled-write')));
    assert.equal(write.reason, 'tooManyRequests');
    assert.equal(write.retryAfterSeconds, 2);
    assert.equal(write.action, 'Try again in 2 s.');
    assert.equal(requestsTo('POST', backups, before), 1);
    t.server.faults.clear();
    assert.equal(await t.api.get('SGBackup', ns, 'throttled-write'), undefined);
  });

  it('500: the server failed; nothing created', async () => {
    t.server.faults.inject({ method: 'POST', pathPrefix: backups, status: 500 });
    const e = await kubeFailure(() => t.api.create(sgBackup(ns, 'failed-500')));
    assert.equal(e.reason, 'server');
    assert.equal(e.status, 500);
    assert.match(e.message, /The API server of context "stackgres-test" failed \(create SGBackup failed-500\)/);
    assert.equal(e.transient, true);
    assert.equal(await t.api.get('SGBackup', ns, 'failed-500'), undefined);
  });

  it('timeout: a slow answer fails after timeoutMs with the server address', async () => {
    t.server.faults.delay(1500, { method: 'GET', pathPrefix: backups, times: 1 });
    const started = Date.now();
    const e = await kubeFailure(() => t.api.list('SGBackup', { namespace: ns, timeoutMs: 200 }));
    assert.equal(e.reason, 'timeout');
    assert.ok(Date.now() - started < 1000);
    assert.match(e.message, new RegExp(`^The cluster of context "stackgres-test" at 127\\.0\\.0\\.1:${t.server.port} did not answer within 0\\.2 s \\(list sgbackups\\.stackgres\\.io\\)\\.$`));
    assert.match(e.action!, /VPN/);
  });

  it('cancellation: an aborted signal ends the call as cancelled; an already aborted one sends nothing', async () => {
    t.server.faults.delay(1500, { method: 'GET', pathPrefix: backups, times: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    assert.equal((await kubeFailure(() => t.api.list('SGBackup', { namespace: ns, signal: controller.signal }))).reason, 'cancelled');
    const before = t.server.requests.length;
    assert.equal((await kubeFailure(() => t.api.create(sgBackup(ns, 'never-sent'), { signal: AbortSignal.abort() }))).reason, 'cancelled');
    assert.equal(requestsTo('POST', backups, before), 0);
  });

  it('a paged list whose continue token expires starts over, and is never returned half', async () => {
    const type = t.server.registry.byStoreKey('stackgres.io/sgbackups')!;
    for (let i = 0; i < 30; i++) t.server.api.putInternal(type, sgBackup(ns, `paged-${String(i).padStart(2, '0')}`), 'kubectl');
    const total = (await t.api.list('SGBackup', { namespace: ns })).items.length;
    // The first two pages are slow: the first token has expired by the time the second page is asked.
    t.server.lister.continueTtlMs = 600;
    t.server.faults.delay(800, { method: 'GET', pathPrefix: backups, times: 2 });
    const restarted = await t.api.list('SGBackup', { namespace: ns, limit: 10 });
    assert.equal(restarted.items.length, total);
    assert.ok(t.log.some((l) => /paged list expired; listing again/.test(l)));
    // Tokens that always expire: the list fails rather than returning the first pages.
    t.server.lister.continueTtlMs = 0;
    const e = await kubeFailure(() => t.api.list('SGBackup', { namespace: ns, limit: 10 }));
    assert.equal(e.reason, 'gone');
    t.server.lister.continueTtlMs = 5 * 60_000;
  });
});

describeWithReference('Kubernetes access: failures of the connection', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('unreachable: nothing listens; the address and "Is the VPN connected?"', async () => {
    const server = await startKubeServer({ tls: true, operator: { enabled: false } });
    const kubeconfig = server.kubeconfig();
    const port = server.port;
    await server.stop();
    const api = await openKube({ kubeconfigYaml: kubeconfig, trusted: false });
    const e = await kubeFailure(() => api.namespaces());
    assert.equal(e.reason, 'unreachable');
    assert.equal(e.message, `Cannot reach the cluster of context "stackgres-test" at 127.0.0.1:${port}: connection refused.`);
    assert.equal(e.action, 'Is the cluster up and the VPN connected? Then refresh.');
  });

  it('connection reset: the server drops the connection', async () => {
    const server = await startKubeServer({ tls: true, operator: { enabled: false } });
    closers.push(() => server.stop());
    const sockets = new Set<net.Socket>();
    const resetter = net.createServer((s) => {
      sockets.add(s);
      s.resetAndDestroy();
    });
    await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => resetter.close(() => r())));
    const port = (resetter.address() as net.AddressInfo).port;
    const api = await openKube({ kubeconfigYaml: server.kubeconfig().replace(server.url, `https://127.0.0.1:${port}`), trusted: false });
    const e = await kubeFailure(() => api.namespaces());
    assert.equal(e.reason, 'unreachable');
    assert.match(e.message, new RegExp(`^Cannot reach the cluster of context "stackgres-test" at 127\\.0\\.0\\.1:${port}: the connection was (reset|closed)`));
  });

  it('TLS: a certificate from another authority is not trusted', async () => {
    const server = await startKubeServer({ tls: true, tlsMismatch: true, operator: { enabled: false } });
    closers.push(() => server.stop());
    const api = await openKube({ kubeconfigYaml: server.kubeconfig(), trusted: false });
    const e = await kubeFailure(() => api.namespaces());
    assert.equal(e.reason, 'tls');
    assert.match(e.message, new RegExp(`^The certificate of 127\\.0\\.0\\.1:${server.port} is not trusted by context "stackgres-test" \\(`));
    assert.match(e.action!, /certificate-authority/);
  });

  it('no StackGres CRDs: lists, CRD schemas and caches all say StackGres is not installed', async () => {
    // An API server without the stackgres.io group answers as kube does: plain-text 404 for the group's
    // paths, a NotFound Status for the CRD objects.
    const bare = http.createServer((req, res) => {
      const crd = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/?]+)/.exec(req.url ?? '');
      if (crd) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `customresourcedefinitions.apiextensions.k8s.io "${crd[1]}" not found`, details: { name: crd[1], group: 'apiextensions.k8s.io', kind: 'customresourcedefinitions' } }));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => bare.close(() => r())));
    const url = `http://127.0.0.1:${(bare.address() as net.AddressInfo).port}`;
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'current-context: bare',
      `clusters: [{name: bare, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: anonymous, user: {}}]',
      'contexts: [{name: bare, context: {cluster: bare, user: anonymous}}]',
    ].join('\n');
    const api = await openKube({ kubeconfigYaml: kubeconfig, trusted: false, backoff: TEST_BACKOFF });
    closers.push(async () => api.dispose());
    const listed = await kubeFailure(() => api.list('SGCluster'));
    assert.equal(listed.reason, 'crdsMissing');
    assert.equal(listed.message, 'StackGres is not installed in the cluster of context "bare" (no stackgres.io CRDs).');
    assert.equal(listed.action, 'Install the StackGres operator, or choose another context.');
    assert.equal((await kubeFailure(() => api.get('SGBackup', 'demo', 'b'))).reason, 'crdsMissing');
    assert.equal((await kubeFailure(() => api.stackgresCrds())).reason, 'crdsMissing');
    const cache = api.cache('SGBackup');
    const failed = new Promise<CacheEvent>((r) => cache.onEvent((ev) => ev.type === 'FAILED' && r(ev)));
    const e = await kubeFailure(() => cache.ready());
    assert.equal(e.reason, 'crdsMissing');
    assert.equal(((await failed) as { error: { reason: string } }).error.reason, 'crdsMissing');
    assert.equal(cache.state, 'failed');
  });
});

describeWithReference('Kubernetes access: live caches when the watch fails', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  let t: Served;
  let ns: string;
  let path_: string;

  beforeEach(async () => {
    t = await openTestServer({ bookmarkIntervalMs: 100 });
    ns = t.namespace;
    path_ = `/apis/stackgres.io/v1/namespaces/${ns}/sgbackups`;
  });
  afterEach(() => t?.close());

  function record(cache: ReturnType<Target['api']['cache']>): CacheEvent[] {
    const events: CacheEvent[] = [];
    cache.onEvent((e) => events.push(e));
    return events;
  }

  const named = (events: CacheEvent[], type: string, name: string): boolean => events.some((e) => e.type === type && 'object' in e && e.object.metadata.name === name);

  it('follows bookmarks and resumes from the bookmarked resourceVersion', async () => {
    const cache = t.api.cache('SGBackup', { namespace: ns });
    await cache.ready();
    const listRv = Number(cache.resourceVersion);
    // Changes elsewhere move the global resourceVersion; only bookmarks tell this watch about it.
    await t.api.create({ apiVersion: 'stackgres.io/v1beta1', kind: 'SGObjectStorage', metadata: { name: 'elsewhere', namespace: ns }, spec: { type: 's3', s3: { bucket: 'b', awsCredentials: { useIAMRole: true } } } });
    const bookmarked = await waitFor('a bookmark', () => Number(cache.resourceVersion) > listRv && cache.resourceVersion);
    const before = t.server.requests.length;
    t.server.watches.closeAll();
    await waitFor('the watch to resume', () => t.server.requests.slice(before).find((r) => r.path === path_ && /watch=true/.test(r.query)));
    const resumed = t.server.requests.slice(before).find((r) => r.path === path_ && /watch=true/.test(r.query))!;
    assert.match(resumed.query, new RegExp(`resourceVersion=${bookmarked}(&|$)`));
    assert.match(resumed.query, /allowWatchBookmarks=true/);
    assert.equal(requestsOf(t, before, path_, false), 0, 'no re-list');
  });

  it('re-lists on 410 Gone and reports what changed while it was away', async () => {
    await t.api.create(sgBackup(ns, 'will-go'));
    const cache = t.api.cache('SGBackup', { namespace: ns });
    const events = record(cache);
    await cache.ready();
    // Keep the watch from coming back, change things, and compact the history so its version is gone.
    t.server.faults.inject({ method: 'GET', pathPrefix: path_, status: 503 });
    t.server.watches.closeAll();
    await waitFor('a failed reconnect', () => events.some((e) => e.type === 'DISCONNECTED'));
    await t.api.create(sgBackup(ns, 'came-meanwhile'));
    await t.api.delete('SGBackup', ns, 'will-go');
    t.server.store.compact();
    t.server.faults.clear();
    await waitFor('the re-list', () => events.filter((e) => e.type === 'SYNCED').length === 2);
    assert.ok(named(events, 'ADDED', 'came-meanwhile'));
    assert.ok(named(events, 'DELETED', 'will-go'));
    assert.deepEqual(cache.items().map((o) => o.metadata.name), ['came-meanwhile']);
    assert.ok(t.log.some((l) => /expired \(410\), listing again/.test(l)));
    await t.api.create(sgBackup(ns, 'after-relist'));
    await waitFor('events after the re-list', () => named(events, 'ADDED', 'after-relist'));
  });

  it('reconnects with growing, jittered backoff after connection resets mid-watch, missing nothing', async () => {
    // A watch counts as healthy (resetting the backoff) only after 5 s, however slow this machine is.
    const api = await openKube({ kubeconfigYaml: t.server.kubeconfig(), trusted: false, backoff: { ...TEST_BACKOFF, minHealthyMs: 5000 } });
    const cache = api.cache('SGBackup', { namespace: ns });
    const events = record(cache);
    await cache.ready();
    const drops = (): Extract<CacheEvent, { type: 'DISCONNECTED' }>[] => events.filter((e): e is Extract<CacheEvent, { type: 'DISCONNECTED' }> => e.type === 'DISCONNECTED');
    t.server.faults.resetNextWatch(3);
    t.server.watches.closeAll();
    await waitFor('three dropped watches', () => drops().length >= 3);
    const [first, , third] = drops();
    assert.ok(drops().every((d) => d.error.reason === 'unreachable' && /127\.0\.0\.1/.test(d.error.message)), drops().map((d) => d.error.message).join(' / '));
    assert.ok(first.retryInMs <= TEST_BACKOFF.initialMs && third.retryInMs >= TEST_BACKOFF.initialMs * 2, `delays ${drops().map((d) => d.retryInMs).join(', ')}`);
    await t.api.create(sgBackup(ns, 'after-resets'));
    await waitFor('ADDED after reconnecting', () => named(events, 'ADDED', 'after-resets'));
    assert.equal(cache.state, 'synced');
    assert.ok(events.some((e) => e.type === 'RECONNECTED'));
    assert.equal(events.filter((e) => e.type === 'SYNCED').length, 1, 'resumed from its resourceVersion, no re-list');
    api.dispose();
  });

  it('gives up on a watch that stalls (no answer, never closed) after its timeoutSeconds plus a margin, reconnects and sees later changes', async () => {
    // The server is asked to close each watch after 1 s; one that is still open 300 ms later is dead.
    const api = await openKube({ kubeconfigYaml: t.server.kubeconfig(), trusted: false, backoff: TEST_BACKOFF, watchTimeoutSeconds: 1, watchDeadlineMarginMs: 300, log: (l) => t.log.push(l) });
    try {
      const cache = api.cache('SGBackup', { namespace: ns });
      const events = record(cache);
      await cache.ready();
      const before = t.server.requests.length;
      t.server.faults.stallNextWatch();
      t.server.watches.closeAll();
      const stalled = await waitFor('the stalled watch', () => t.server.requests.slice(before).find((r) => r.path === path_ && r.status === 0));
      const stalledAt = Date.now();
      assert.ok(stalled);
      const dropped = await waitFor('the stall noticed', () => events.find((e): e is Extract<CacheEvent, { type: 'DISCONNECTED' }> => e.type === 'DISCONNECTED'), 5000);
      const noticedAfter = Date.now() - stalledAt;
      assert.ok(noticedAfter <= 1300 + 700, `noticed after ${noticedAfter} ms (deadline 1.3 s)`);
      assert.equal(dropped.error.reason, 'timeout');
      assert.match(dropped.error.message, /did not answer within 1\.3 s/);
      await waitFor('RECONNECTED', () => events.some((e) => e.type === 'RECONNECTED'));
      await t.api.create(sgBackup(ns, 'after-stall'));
      await waitFor('ADDED after the stall', () => named(events, 'ADDED', 'after-stall'));
      assert.ok(t.log.some((l) => /sgbackups\.stackgres\.io.*did not answer within 1\.3 s/.test(l)), t.log.join('\n'));
    } finally {
      api.dispose();
    }
  });

  it('delivers what happened while a reset watch was down', async () => {
    const cache = t.api.cache('SGBackup', { namespace: ns });
    const events = record(cache);
    await cache.ready();
    t.server.faults.resetNextWatch(1);
    t.server.watches.closeAll();
    await t.api.create(sgBackup(ns, 'during-reset'));
    await waitFor('ADDED during-reset', () => named(events, 'ADDED', 'during-reset'));
    assert.equal(events.filter((e) => e.type === 'ADDED' && e.object.metadata.name === 'during-reset').length, 1, 'once');
  });

  it('stops with FAILED when the credentials are rejected on reconnect', async () => {
    const cache = t.api.cache('SGBackup', { namespace: ns });
    const events = record(cache);
    await cache.ready();
    const before = t.server.requests.length;
    t.server.faults.inject({ method: 'GET', pathPrefix: path_, status: 401 });
    t.server.watches.closeAll();
    await waitFor('FAILED', () => events.find((e) => e.type === 'FAILED'));
    assert.equal(cache.state, 'failed');
    assert.equal(cache.lastError?.reason, 'unauthorized');
    assert.match(cache.lastError!.message, /rejected the credentials of context "stackgres-test"/);
    const rejected = t.server.requests.slice(before).filter((r) => r.path === path_ && r.status === 401);
    assert.equal(rejected.length, 1, 'no retry: retrying cannot fix credentials');
  });

  it('answers a 410 on its first list by listing again, not by failing', async () => {
    t.server.faults.inject({ method: 'GET', pathPrefix: path_, status: 410, times: 1 });
    const cache = t.api.cache('SGBackup', { namespace: ns });
    await cache.ready();
    assert.equal(cache.state, 'synced');
  });
});

function requestsOf(t: Served, since: number, p: string, watch: boolean): number {
  return t.server.requests.slice(since).filter((r) => r.path === p && /watch=true/.test(r.query) === watch).length;
}
