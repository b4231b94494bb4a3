// The Secret refresh behind completion and the live checks, on the test API server, counting what it reads:
// Secret names from Tables whose rows carry no object (so not even kubectl's last-applied-configuration
// annotation, which holds the values, crosses the wire), key names only of the Secrets that the cluster's SGObjectStorages
// and the open manifests name (one GET each), and never a value in what reaches the language server or the log.
import * as assert from 'node:assert/strict';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ClusterModel } from '../../../client/src/clusterModel';
import type { KubeObject } from '../../../client/src/kube/api';
import { LiveSync, secretsNamedIn, type OpenManifest } from '../../../client/src/liveSync';
import type { ClusterSnapshot, LiveObject } from '@core/protocol';
import { checkLiveReferences } from '@core/live';
import { LiveCluster } from '../../../server/src/liveCluster';
import { waitFor, openTestServer, sgObjectStorage, type Target } from './kube/helpers';
import { describeWithReference } from '../../reference';

type Served = Target & { server: NonNullable<Target['server']> };

const VALUE = `not-a-real-secret-${Date.now()}`;
/** Only in the annotation `kubectl apply` leaves: the manifest it applied, values included. */
const APPLIED_VALUE = `applied-not-a-real-secret-${Date.now()}`;

function manifest(namespace: string, secret: string): string {
  return `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata: {name: open-storage, namespace: ${namespace}}
spec:
  type: s3
  s3:
    bucket: b
    awsCredentials:
      secretKeySelectors:
        accessKeyId: {name: ${secret}, key: accessKeyId}
        secretAccessKey: {name: ${secret}, key: secretAccessKey}
---
kind: ConfigMap
metadata: {name: unrelated}
`;
}

describeWithReference('Live values: the Secret refresh', function () {
  this.timeout(30000);
  let t: Served;
  let ns: string;
  let other: string;
  const sent: ClusterSnapshot[] = [];
  const log: string[] = [];
  const client = {
    isRunning: () => true,
    sendNotification: async (_type: unknown, params: ClusterSnapshot) => {
      if ('objects' in params) sent.push(params);
    },
  } as unknown as LanguageClient;
  const logger = { info: (l: string) => log.push(l), warn: (l: string) => log.push(l) };

  before(async () => {
    t = await openTestServer({ recordBodies: true });
    ns = t.namespace;
    other = await t.newNamespace();
    const secret = { accessKeyId: Buffer.from(VALUE), secretAccessKey: Buffer.from(VALUE) };
    await t.api.createSecret(ns, 'aws', { id: Buffer.from(VALUE), secret: Buffer.from(VALUE) });
    await t.api.createSecret(ns, 'from-open-manifest', secret);
    await t.api.createSecret(ns, 'tls-of-some-ingress', { 'tls.key': Buffer.from(VALUE) });
    await t.api.createSecret(other, 'sh.helm.release.v1.app.v1', { release: Buffer.from(VALUE) });
    const applied = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kubectl-applied', namespace: other }, stringData: { password: APPLIED_VALUE } };
    await t.api.apply({ ...applied, metadata: { ...applied.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(applied) } } });
  });
  after(() => t?.close());

  it('finds the Secrets a manifest names in its selectors, with the manifest namespace', () => {
    assert.deepEqual(secretsNamedIn(manifest('prod', 'creds')), [
      { name: 'creds', namespace: 'prod' },
      { name: 'creds', namespace: 'prod' },
    ]);
    assert.deepEqual(secretsNamedIn('kind: ConfigMap\nmetadata: {name: x}\n'), []);
  });

  it('lists names as Tables without objects and GETs just the named Secrets; no value crosses the wire in a list, or reaches the server or the log', async () => {
    const storages: KubeObject[] = [sgObjectStorage(ns, 'cluster-storage')];
    const model = {
      api: t.api,
      state: { kind: 'ready', scope: 'all namespaces' },
      namespaces: () => [ns, other],
      objects: (kind: string) => (kind === 'SGObjectStorage' ? storages : []),
      onDidChange: () => ({ dispose: () => undefined }),
    } as unknown as ClusterModel;
    const open: OpenManifest[] = [{ key: 'file:///w/storage.yaml@1', text: () => manifest(ns, 'from-open-manifest') }];
    const sync = new LiveSync(client, logger as never, 0, () => open);
    const since = t.server.requests.length;
    // Connecting reads Secrets once.
    sync.attach(model);
    try {
      const snapshot = await waitFor('a snapshot with Secrets', () => sent.find((s) => s.objects.some((o) => o.kind === 'Secret')));
      const secrets = snapshot.objects.filter((o): o is LiveObject => o.kind === 'Secret').map((o) => `${o.namespace}/${o.name}:${o.keys?.join(',') ?? '-'}`);
      assert.deepEqual(secrets.sort(), [`${ns}/aws:id,secret`, `${ns}/from-open-manifest:accessKeyId,secretAccessKey`, `${ns}/tls-of-some-ingress:-`, `${other}/kubectl-applied:-`, `${other}/sh.helm.release.v1.app.v1:-`].sort());

      const secretReads = t.server.requests.slice(since).filter((r) => /^\/api\/v1\/(namespaces\/[^/]+\/)?secrets/.test(r.path));
      const lists = secretReads.filter((r) => r.path.endsWith('/secrets'));
      assert.deepEqual(lists.map((r) => r.path).sort(), [`/api/v1/namespaces/${ns}/secrets`, `/api/v1/namespaces/${other}/secrets`].sort());
      assert.deepEqual([...new Set(lists.map((r) => `${r.form}/${r.includeObject}`))], ['Table/None'], 'names as Table rows without objects');
      const listed = lists.map((r) => r.body ?? '').join('\n');
      for (const v of [VALUE, APPLIED_VALUE]) {
        assert.equal(listed.includes(v) || listed.includes(Buffer.from(v).toString('base64')), false, 'no value in what the lists sent');
      }
      assert.equal(listed.includes('last-applied-configuration'), false, 'not even the annotation that holds them');
      const gets = secretReads.filter((r) => !r.path.endsWith('/secrets')).map((r) => r.path);
      assert.deepEqual(gets.sort(), [`/api/v1/namespaces/${ns}/secrets/aws`, `/api/v1/namespaces/${ns}/secrets/from-open-manifest`], 'GETs only for the named Secrets');
      for (const v of [VALUE, APPLIED_VALUE]) {
        const encoded = Buffer.from(v).toString('base64');
        assert.equal(JSON.stringify([sent, log]).includes(v) || JSON.stringify([sent, log]).includes(encoded), false, 'no value reaches the language server or the log');
      }
    } finally {
      sync.detach(false);
    }
  });
  it('reads Secret names again on a new period when the setting changes, while connected (no restart)', async () => {
    const model = {
      api: t.api,
      state: { kind: 'ready', scope: 'all namespaces' },
      namespaces: () => [ns],
      objects: () => [],
      onDidChange: () => ({ dispose: () => undefined }),
    } as unknown as ClusterModel;
    const lists = () => t.server.requests.filter((r) => r.path === `/api/v1/namespaces/${ns}/secrets`).length;
    const sync = new LiveSync(client, logger as never, 0, () => []);
    const before = lists();
    sync.attach(model);
    try {
      await waitFor('the read on connect', () => (lists() > before ? true : undefined));
      const afterConnect = lists();
      // No timer at 0; the new period starts one without attaching again.
      sync.setSecretsRefreshMs(100);
      await waitFor('two reads on the new period', () => (lists() >= afterConnect + 2 ? true : undefined));
    } finally {
      sync.detach(false);
    }
  });
});

/**
 * What the language server would claim about a storage naming an existing Secret (`creds`) and a missing one
 * (`absent`), for each snapshot it received: the server's own LiveCluster and the domain's live check.
 */
const STORAGE = { spec: { type: 's3', s3: { bucket: 'b', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'creds', key: 'accessKeyId' }, secretAccessKey: { name: 'absent', key: 'secretAccessKey' } } } } } };
function claims(snapshot: ClusterSnapshot, namespace: string): string[] {
  const live = new LiveCluster();
  live.update(snapshot);
  const view = live.view();
  return view ? checkLiveReferences('SGObjectStorage', STORAGE, namespace, view).map((f) => `${f.code} ${f.path.slice(-2).join('.')}`) : [];
}

describeWithReference('Live values: Secrets after a reconnect', function () {
  this.timeout(30000);
  let t: Served;
  const sent: ClusterSnapshot[] = [];
  const client = {
    isRunning: () => true,
    sendNotification: async (_type: unknown, params: ClusterSnapshot) => {
      if ('objects' in params) sent.push(params);
    },
  } as unknown as LanguageClient;
  const logger = { info: () => undefined, warn: () => undefined };
  const modelOf = (scope: string, namespaces: string[], storages: KubeObject[]) =>
    ({
      api: t.api,
      state: { kind: 'ready', scope },
      namespaces: () => namespaces,
      objects: (kind: string) => (kind === 'SGObjectStorage' ? storages : []),
      onDidChange: () => ({ dispose: () => undefined }),
    }) as unknown as ClusterModel;

  before(async () => {
    t = await openTestServer();
  });
  after(() => t?.close());

  it('claims no existing Secret missing while the new connection reads the Secret names (a slow list), and claims the missing one once read', async () => {
    const ns = await t.newNamespace();
    await t.api.createSecret(ns, 'creds', { accessKeyId: Buffer.from('x'), secretAccessKey: Buffer.from('x') });
    const storages = [sgObjectStorage(ns, 'backups')];
    const sync = new LiveSync(client, logger as never, 0, () => []);
    sync.attach(modelOf('all namespaces', [ns], storages));
    try {
      await waitFor('the first connection\'s Secrets', () => sent.find((s) => s.objects.some((o) => o.kind === 'Secret' && o.name === 'creds')));
      // A reconnect as the extension does it (context.ts dropModel, then model()): the new connection's list is slow.
      t.server.faults.delay(1500, { method: 'GET', pathPrefix: `/api/v1/namespaces/${ns}/secrets`, times: 1 });
      const from = sent.length;
      sync.detach();
      sync.attach(modelOf('all namespaces', [ns], storages));
      await waitFor('the Secrets read again', () => sent.slice(from).find((s) => s.objects.some((o) => o.kind === 'Secret' && o.name === 'creds')), 10_000);
      const after = sent.slice(from);
      assert.ok(after.some((s) => s.connected && s.objects.some((o) => o.kind === 'SGObjectStorage') && !s.objects.some((o) => o.kind === 'Secret')), 'the objects reached the server while the Secret list was still loading');
      assert.deepEqual(after.flatMap((s) => claims(s, ns)).filter((c) => c.includes('accessKeyId')), [], 'Secret creds exists: never claimed missing');
      assert.deepEqual(claims(after[after.length - 1], ns), ['live-secret-missing secretAccessKey.name'], 'the Secret that is missing is claimed once the list is read');
    } finally {
      sync.detach(false);
    }
  });

  it('with a namespace chosen that holds no StackGres objects yet, its Secrets are read before any is claimed missing', async () => {
    const ns = await t.newNamespace();
    await t.api.createSecret(ns, 'creds', { accessKeyId: Buffer.from('x') });
    const from = sent.length;
    const sync = new LiveSync(client, logger as never, 0, () => []);
    sync.attach(modelOf(ns, [], []));
    try {
      const last = await waitFor('a claim about the missing Secret', () => sent.slice(from).filter((s) => claims(s, ns).length > 0).pop(), 10_000);
      assert.deepEqual(sent.slice(from).flatMap((s) => claims(s, ns)).filter((c) => c.includes('accessKeyId')), [], 'Secret creds exists: never claimed missing');
      assert.ok(last.objects.some((o) => o.kind === 'Secret' && o.name === 'creds' && o.namespace === ns), 'the chosen namespace\'s Secrets were read');
    } finally {
      sync.detach(false);
    }
  });
});
