/**
 * The StackGres objects of the connected cluster, kept live: SGClusters, SGBackups and SGObjectStorages of
 * every namespace (or of the workspace's namespace, or the context's when listing all namespaces is forbidden), through the
 * kube layer's watch-backed caches. The tree and the language server's live values read it.
 */
import * as vscode from 'vscode';
import { readBackup, type BackupView } from '@core/backups';
import type { CacheEvent, KubeApi, KubeObject, LiveCache, StackGresKind } from './kube/api';
import { slimObject } from './kube/slim';
import { isKubeError, KubeError } from './kube/errors';

const KINDS: readonly StackGresKind[] = ['SGCluster', 'SGBackup', 'SGObjectStorage'];

export type ModelState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly scope: 'all namespaces' | string; readonly reconnecting?: KubeError }
  | { readonly kind: 'failed'; readonly error: KubeError };

export class ClusterModel implements vscode.Disposable {
  private caches = new Map<StackGresKind, LiveCache>();
  private listeners: { dispose(): void }[] = [];
  private _state: ModelState = { kind: 'loading' };
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private lastEventAt = 0;
  private backupIndex: Map<string, BackupView[]> | undefined;
  /** Each kind's objects by namespace, sorted by name; dropped when that kind changes. */
  private byNamespace = new Map<StackGresKind, Map<string, KubeObject[]>>();
  /** Each SGBackup object read once (the caches replace an object when it changes, so a view never goes stale). */
  private views = new WeakMap<KubeObject, BackupView | null>();

  private constructor(readonly api: KubeApi, private readonly log: vscode.LogOutputChannel) {}

  /**
   * Starts the caches: the namespace chosen for the workspace, else all namespaces, or the context's
   * namespace when that is all RBAC allows.
   */
  static async open(api: KubeApi, log: vscode.LogOutputChannel): Promise<ClusterModel> {
    const model = new ClusterModel(api, log);
    await model.start(api.context.namespaceChosen ? api.context.namespace : undefined).catch(async (err: unknown) => {
      if (api.context.namespaceChosen) throw err;
      if (isKubeError(err) && err.reason === 'forbidden') {
        log.info(`Listing all namespaces is forbidden; showing namespace ${api.context.namespace} only`);
        await model.start(api.context.namespace);
      } else {
        throw err;
      }
    }).catch((err: unknown) => {
      model.stopCaches();
      model._state = { kind: 'failed', error: isKubeError(err) ? err : new KubeError('server', String(err)) };
    });
    return model;
  }

  get state(): ModelState {
    return this._state;
  }

  private async start(namespace: string | undefined): Promise<void> {
    this.stopCaches();
    // The caches retry a failing first list forever (a cluster may come back); opening the model must not
    // wait that long: the first failure is reported, and Refresh tries again.
    let firstFailure: (err: KubeError) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (firstFailure = reject));
    for (const kind of KINDS) {
      const cache = this.api.cache(kind, { namespace, slim: slimObject });
      this.caches.set(kind, cache);
      this.listeners.push(cache.onEvent((e) => {
        if (this._state.kind === 'loading' && (e.type === 'DISCONNECTED' || e.type === 'FAILED')) firstFailure(e.error);
        this.onCacheEvent(kind, e);
      }));
    }
    await Promise.race([Promise.all([...this.caches.values()].map((c) => c.ready())), failed]);
    this._state = { kind: 'ready', scope: namespace ?? 'all namespaces' };
  }

  private onCacheEvent(kind: StackGresKind, e: CacheEvent): void {
    if (e.type === 'DISCONNECTED' && this._state.kind === 'ready') {
      this._state = { ...this._state, reconnecting: e.error };
    } else if ((e.type === 'RECONNECTED' || e.type === 'SYNCED') && this._state.kind === 'ready') {
      this._state = { kind: 'ready', scope: this._state.scope };
    } else if (e.type === 'FAILED') {
      this.log.warn(`${kind} updates stopped: ${e.error.describe()}`);
      this._state = { kind: 'failed', error: e.error };
    }
    if (kind === 'SGBackup') this.backupIndex = undefined;
    this.byNamespace.delete(kind);
    // Bursts of events (a scheduled backup's status steps, a re-list) become one refresh, 250 ms after the
    // last. One timer per burst: a list of 10,000 objects is 10,000 events.
    this.lastEventAt = Date.now();
    this.timer ??= setTimeout(() => this.quiet(), 250);
  }

  private quiet(): void {
    const wait = this.lastEventAt + 250 - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.quiet(), wait);
      return;
    }
    this.timer = undefined;
    this.changed.fire();
  }

  /** Whether the caches hold every object of this namespace (else a command asks the API server). */
  covers(namespace: string): boolean {
    return this._state.kind === 'ready' && (this._state.scope === 'all namespaces' || this._state.scope === namespace);
  }

  /** This model, or its error when it could not load (a command's guard shows it). */
  usable(): this {
    if (this._state.kind === 'failed') throw this._state.error;
    return this;
  }

  objects(kind: StackGresKind): KubeObject[] {
    return this.caches.get(kind)?.items() ?? [];
  }

  /** Namespaces holding StackGres objects, sorted. */
  namespaces(): string[] {
    const set = new Set<string>();
    for (const kind of KINDS) for (const ns of this.grouped(kind).keys()) set.add(ns);
    return [...set].sort();
  }

  inNamespace(kind: StackGresKind, namespace: string): KubeObject[] {
    return [...(this.grouped(kind).get(namespace) ?? [])];
  }

  /** The tree asks for every namespace's objects in turn: one pass over the cache, not one per namespace. */
  private grouped(kind: StackGresKind): Map<string, KubeObject[]> {
    let groups = this.byNamespace.get(kind);
    if (groups) return groups;
    groups = new Map();
    for (const o of this.objects(kind)) {
      const ns = o.metadata.namespace;
      if (!ns) continue;
      const list = groups.get(ns);
      if (list) list.push(o);
      else groups.set(ns, [o]);
    }
    for (const list of groups.values()) list.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    this.byNamespace.set(kind, groups);
    return groups;
  }

  private view(o: KubeObject): BackupView | undefined {
    let v = this.views.get(o);
    if (v === undefined) {
      v = readBackup(o) ?? null;
      this.views.set(o, v);
    }
    return v ?? undefined;
  }

  /** Backups of a cluster, newest first: `spec.sgCluster` in its namespace, plus copies elsewhere. */
  backupsOf(namespace: string, cluster: string): BackupView[] {
    return this.index().get(`${namespace}/${cluster}`) ?? [];
  }

  /** Backups in a namespace whose cluster is not there (copies from elsewhere, or the cluster was deleted). */
  otherBackups(namespace: string): BackupView[] {
    const clusters = new Set(this.inNamespace('SGCluster', namespace).map((c) => c.metadata.name));
    return this.inNamespace('SGBackup', namespace)
      .map((o) => this.view(o))
      .filter((b): b is BackupView => b !== undefined && !(b.cluster.namespace === namespace && clusters.has(b.cluster.name)));
  }

  private index(): Map<string, BackupView[]> {
    if (this.backupIndex) return this.backupIndex;
    const index = new Map<string, BackupView[]>();
    for (const o of this.objects('SGBackup')) {
      const b = this.view(o);
      if (!b) continue;
      const key = `${b.cluster.namespace}/${b.cluster.name}`;
      const list = index.get(key);
      if (list) list.push(b);
      else index.set(key, [b]);
    }
    const t = (b: BackupView) => (b.stored ?? b.ended ?? b.created)?.getTime() ?? 0;
    for (const list of index.values()) list.sort((a, b) => t(b) - t(a) || a.name.localeCompare(b.name));
    this.backupIndex = index;
    return index;
  }

  get(kind: StackGresKind, namespace: string, name: string): KubeObject | undefined {
    return this.caches.get(kind)?.get(namespace, name);
  }

  private stopCaches(): void {
    for (const l of this.listeners) l.dispose();
    for (const c of this.caches.values()) c.stop();
    this.listeners = [];
    this.caches.clear();
    this.byNamespace.clear();
    this.backupIndex = undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.stopCaches();
    this.changed.dispose();
  }
}

