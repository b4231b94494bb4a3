// Shared helpers for the kube-server tests: the ESM-only client-node loaded once, clients per user,
// and waiting on conditions or watch events with deadlines instead of fixed sleeps.
import type * as k8sTypes from '@kubernetes/client-node';
import type { KubeServer } from '../../kube-server';

export type K8s = typeof k8sTypes;
let loaded: Promise<K8s> | undefined;

export function k8s(): Promise<K8s> {
  loaded ??= import('@kubernetes/client-node');
  return loaded;
}

export async function kubeConfig(server: KubeServer, user = 'admin'): Promise<k8sTypes.KubeConfig> {
  const { KubeConfig } = await k8s();
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig({ user }));
  return kc;
}

export interface Clients {
  kc: k8sTypes.KubeConfig;
  core: k8sTypes.CoreV1Api;
  custom: k8sTypes.CustomObjectsApi;
  objects: k8sTypes.KubernetesObjectApi;
  watch: k8sTypes.Watch;
}

export async function clients(server: KubeServer, user = 'admin'): Promise<Clients> {
  const m = await k8s();
  const kc = await kubeConfig(server, user);
  return {
    kc,
    core: kc.makeApiClient(m.CoreV1Api),
    custom: kc.makeApiClient(m.CustomObjectsApi),
    objects: m.KubernetesObjectApi.makeApiClient(kc),
    watch: new m.Watch(kc),
  };
}

export interface StatusBody {
  kind: string;
  apiVersion: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[]; retryAfterSeconds?: number };
}

/** Runs a call expected to fail and returns the HTTP code and the Kubernetes Status it carried. */
export async function failure(call: () => Promise<unknown>): Promise<{ code: number; status?: StatusBody; headers: Record<string, string> }> {
  try {
    await call();
  } catch (e) {
    const err = e as { code?: number; body?: unknown; headers?: Record<string, string> };
    if (typeof err.code !== 'number') {
      throw e;
    }
    const body = typeof err.body === 'string' && err.body ? (JSON.parse(err.body) as StatusBody) : (err.body as StatusBody | undefined);
    return { code: err.code, status: body, headers: err.headers ?? {} };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export { waitFor } from '../../poll';

export interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; [k: string]: unknown };
}

/**
 * Watches `path` with client-node's Watch and resolves with all events seen once `until` returns
 * true for the events so far; rejects at the deadline or if the stream ends first.
 */
export async function watchUntil(
  w: k8sTypes.Watch,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  until: (events: WatchEvent[]) => boolean,
  ms = 5000,
  onStart?: () => unknown,
): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  let controller: AbortController | undefined;
  let settled = false;
  return new Promise<WatchEvent[]>((resolve, reject) => {
    const finish = (err?: Error): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      controller?.abort();
      if (err) {
        reject(err);
      } else {
        resolve(events);
      }
    };
    const timer = setTimeout(() => finish(new Error(`watch ${path}: condition not met in ${ms} ms; saw ${events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`).join(', ')}`)), ms);
    w.watch(
      path,
      query,
      (type, object) => {
        events.push({ type, object });
        if (until(events)) {
          finish();
        }
      },
      (err: unknown) => finish(err ? (err as Error) : new Error(`watch ${path} ended before the condition was met; saw ${events.map((e) => e.type).join(', ')}`)),
    )
      .then((c) => {
        controller = c;
        if (settled) {
          c.abort();
        } else {
          return onStart?.();
        }
      })
      .catch((e: unknown) => finish(e as Error));
  });
}

export const SG = { group: 'stackgres.io', version: 'v1' } as const;
export const SG_BETA = { group: 'stackgres.io', version: 'v1beta1' } as const;

export function s3Storage(name: string): Record<string, unknown> {
  return {
    apiVersion: 'stackgres.io/v1beta1',
    kind: 'SGObjectStorage',
    metadata: { name },
    spec: {
      type: 's3',
      s3: {
        bucket: 'backups/prod',
        region: 'eu-west-1',
        awsCredentials: {
          secretKeySelectors: {
            accessKeyId: { name: 'aws', key: 'id' },
            secretAccessKey: { name: 'aws', key: 'secret' },
          },
        },
      },
    },
  };
}

export function clusterManifest(name: string, backups?: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGCluster',
    metadata: { name },
    spec: {
      instances: 1,
      postgres: { version: '16.4' },
      pods: { persistentVolume: { size: '5Gi' } },
      ...(backups ? { configurations: { backups: [backups] } } : {}),
    },
  };
}
