/**
 * Where the Kubernetes access tests run, and small waiting helpers.
 *
 * By default (and in CI) every test file starts the test API server (`test/kube-server`, TLS on) and
 * stops it when done. The same assertions run against a real cluster with StackGres installed:
 *
 *   KUBECONFIG=~/.kube/config STACKGRES_TEST_CLUSTER=1 npm run test:cluster
 *
 * The current context is used (it needs rights to create and delete a namespace and StackGres objects
 * in it). Each file works in a throwaway namespace `sgvscode-test-<random>` that is deleted at the end.
 * Tests that need the test server's fault injection or clock (faults.test.ts, the kubeconfig tests)
 * always use the test server, also in that mode.
 */
import * as crypto from 'node:crypto';
import type * as K8sTypes from '@kubernetes/client-node';
import type { KubeApi } from '../../../../client/src/kube/api';
import { openKube, type KubeOptions } from '../../../../client/src/kube/clientNode';
import { KubeError } from '../../../../client/src/kube/errors';
import { startKubeServer, type KubeServer, type KubeServerOptions } from '../../../kube-server';

export const REAL_CLUSTER = process.env.STACKGRES_TEST_CLUSTER === '1';

export interface Target {
  /** Admin api on the target. */
  api: KubeApi;
  /** A namespace of its own, empty at the start. */
  namespace: string;
  /** The test server, when not running against a real cluster. */
  server?: KubeServer;
  /** Lines the adapter logged: checked for secret values. */
  log: string[];
  /** Another throwaway namespace, deleted with the first. */
  newNamespace(): Promise<string>;
  close(): Promise<void>;
}

/** Fast reconnects for tests; the defaults are for people. */
export const TEST_BACKOFF = { initialMs: 20, maxMs: 200, minHealthyMs: 50 };

/** The test server (TLS) with an api on it, or the real cluster of KUBECONFIG in a throwaway namespace. */
export async function openTarget(serverOptions: KubeServerOptions = {}, kubeOptions: Partial<KubeOptions> = {}): Promise<Target> {
  const log: string[] = [];
  const namespace = `sgvscode-test-${crypto.randomBytes(3).toString('hex')}`;
  const created: string[] = [namespace];
  const newNamespace = async (api: KubeApi): Promise<string> => {
    const name = `${namespace}-${created.length}`;
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    created.push(name);
    return name;
  };
  if (REAL_CLUSTER) {
    const api = await openKube({ trusted: true, backoff: TEST_BACKOFF, log: (l) => log.push(l), ...kubeOptions });
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    return {
      api,
      namespace,
      log,
      newNamespace: () => newNamespace(api),
      close: async () => {
        api.dispose();
        for (const ns of created) await deleteNamespace(api, ns);
      },
    };
  }
  const server = await startKubeServer({ tls: true, operator: { enabled: false }, strictFieldSelectors: true, ...serverOptions });
  const api = await openKube({ kubeconfigYaml: server.kubeconfig(), trusted: false, backoff: TEST_BACKOFF, log: (l) => log.push(l), ...kubeOptions });
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  return {
    api,
    namespace,
    server,
    log,
    newNamespace: () => newNamespace(api),
    close: async () => {
      api.dispose();
      await server.stop();
    },
  };
}

/** The test server only (fault injection, clock, users), TLS on. */
export async function openTestServer(serverOptions: KubeServerOptions = {}, kubeOptions: Partial<KubeOptions> = {}): Promise<Target & { server: KubeServer }> {
  const log: string[] = [];
  const server = await startKubeServer({ tls: true, operator: { enabled: false }, strictFieldSelectors: true, ...serverOptions });
  const api = await openKube({ kubeconfigYaml: server.kubeconfig(), trusted: false, backoff: TEST_BACKOFF, log: (l) => log.push(l), ...kubeOptions });
  const namespace = 'faults';
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  let n = 0;
  return {
    api,
    namespace,
    server,
    log,
    newNamespace: async () => {
      const name = `${namespace}-${++n}`;
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
    close: async () => {
      api.dispose();
      await server.stop();
    },
  };
}

/** Real clusters only: our api has no namespace deletion (the extension never deletes namespaces). */
async function deleteNamespace(api: KubeApi, name: string): Promise<void> {
  const k8s: typeof K8sTypes = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  kc.setCurrentContext(api.context.name);
  await kc.makeApiClient(k8s.CoreV1Api).deleteNamespace({ name });
}

/** Runs a call that must fail and returns its KubeError. */
export async function kubeFailure(call: () => Promise<unknown>): Promise<KubeError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof KubeError) return e;
    throw new Error(`expected a KubeError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export { waitFor } from '../../../poll';

/**
 * Fails the suite when a promise rejection goes unhandled while it runs: the extension host would
 * swallow it silently. Checked after each test and once more at the end (late rejections).
 */
export function failOnUnhandledRejections(): void {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  before(() => {
    process.on('unhandledRejection', listener);
  });
  const check = (): void => {
    if (seen.length) {
      const reasons = seen.splice(0).map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)));
      throw new Error(`unhandled promise rejection(s): ${reasons.join(' | ')}`);
    }
  };
  afterEach(check);
  after(async () => {
    await new Promise((r) => setImmediate(r));
    process.off('unhandledRejection', listener);
    check();
  });
}

export function sgBackup(namespace: string, name: string, sgCluster = 'orders', labels?: Record<string, string>): { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec: Record<string, unknown> } {
  return { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec: { sgCluster, managedLifecycle: false } };
}

export function sgObjectStorage(namespace: string, name: string, bucket = 'backups'): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> } {
  return {
    apiVersion: 'stackgres.io/v1beta1',
    kind: 'SGObjectStorage',
    metadata: { name, namespace },
    spec: {
      type: 's3',
      s3: { bucket, region: 'eu-west-1', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'aws', key: 'id' }, secretAccessKey: { name: 'aws', key: 'secret' } } } },
    },
  };
}

/** Runs `fn` over `items` with at most `width` at a time. */
export async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}
