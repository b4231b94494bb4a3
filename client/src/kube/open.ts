/**
 * Where the client opens the Kubernetes adapter. The adapter is a bundle of its own (dist/kube.js, loaded
 * on first use) with its own copy of the KubeError class: every error it gives is rebuilt here, once, as
 * this bundle's KubeError, so the rest of the client (commands, model, tree) checks `instanceof` and never
 * parses raw errors. Like the storage store, wrapped once where it is opened (storage/credentials.ts).
 */
import type { CacheEvent, KubeApi, LiveCache } from './api';
import type { KubeOptions } from './clientNode';
import { ownKubeError } from './errors';

export type KubeModule = typeof import('./clientNode');

/** The adapter bundle, loaded on first use. The path names `kube/clientNode` so the build keeps it apart. */
export function loadKube(): Promise<KubeModule> {
  return import('../kube/clientNode');
}

/** Opens the api for a kubeconfig; fails only with this bundle's KubeError. `load` replaces the lazy import in tests. */
export async function openKubeApi(options: KubeOptions, load: () => Promise<KubeModule> = loadKube): Promise<KubeApi> {
  const { openKube } = await load();
  return ownErrors(await openKube(options).catch(rethrowOwn));
}

function rethrowOwn(err: unknown): never {
  throw ownKubeError(err);
}

function sync<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    rethrowOwn(err);
  }
}

/** The same api, its failures (rejections, throws, cache events) as this bundle's KubeError. */
export function ownErrors(api: KubeApi): KubeApi {
  const own = <T>(call: () => Promise<T>): Promise<T> => sync(call).catch(rethrowOwn);
  return {
    get context() {
      return api.context;
    },
    contexts: () => api.contexts(),
    withContext: (name) => ownErrors(sync(() => api.withContext(name))),
    namespaces: (o) => own(() => api.namespaces(o)),
    listPage: (k, o) => own(() => api.listPage(k, o)),
    list: (k, o) => own(() => api.list(k, o)),
    get: (k, ns, n, o) => own(() => api.get(k, ns, n, o)),
    create: (obj, o) => own(() => api.create(obj, o)),
    apply: (obj, o) => own(() => api.apply(obj, o)),
    delete: (k, ns, n, o) => own(() => api.delete(k, ns, n, o)),
    secretNames: (ns, o) => own(() => api.secretNames(ns, o)),
    secretKeys: (ns, n, o) => own(() => api.secretKeys(ns, n, o)),
    secretValues: (ns, n, keys, o) => own(() => api.secretValues(ns, n, keys, o)),
    createSecret: (ns, n, data, o) => own(() => api.createSecret(ns, n, data, o)),
    replaceSecret: (ns, n, data, o) => own(() => api.replaceSecret(ns, n, data, o)),
    copySecret: (from, n, to, o) => own(() => api.copySecret(from, n, to, o)),
    saveSecret: (ns, n, o) => own(() => api.saveSecret(ns, n, o)),
    deleteSecret: (ns, n, o) => own(() => api.deleteSecret(ns, n, o)),
    pod: (ns, n, o) => own(() => api.pod(ns, n, o)),
    podLog: (ns, n, o) => own(() => api.podLog(ns, n, o)),
    followPodLog: (ns, n, on, o) => own(() => api.followPodLog(ns, n, on, o)),
    events: (ns, inv, o) => own(() => api.events(ns, inv, o)),
    pods: (ns, sel, o) => own(() => api.pods(ns, sel, o)),
    stackgresCrds: (o) => own(() => api.stackgresCrds(o)),
    cache: (k, o) => ownCacheErrors(sync(() => api.cache(k, o))),
    dispose: () => api.dispose(),
  };
}

function ownEvent(e: CacheEvent): CacheEvent {
  return e.type === 'DISCONNECTED' || e.type === 'FAILED' ? ({ ...e, error: ownKubeError(e.error) } as CacheEvent) : e;
}

function ownCacheErrors(cache: LiveCache): LiveCache {
  return {
    get state() {
      return cache.state;
    },
    get lastError() {
      return cache.lastError && (ownKubeError(cache.lastError) as LiveCache['lastError']);
    },
    get resourceVersion() {
      return cache.resourceVersion;
    },
    items: () => cache.items(),
    get: (ns, n) => cache.get(ns, n),
    onEvent: (listener) => cache.onEvent((e) => listener(ownEvent(e))),
    ready: () => cache.ready().catch(rethrowOwn),
    stop: () => cache.stop(),
  };
}
