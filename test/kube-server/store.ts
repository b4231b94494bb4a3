// The object store: one global resourceVersion counter (as etcd has), a bounded history of change
// events for watches, and listeners the watch hub and the simulated operator subscribe to.
import type { KubeObject } from './resources';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: WatchEventType;
  storeKey: string;
  object: KubeObject;
  /** The object before a change (MODIFIED, DELETED), to translate selector matches into ADDED/DELETED. */
  previous?: KubeObject;
}

export type StoreListener = (event: StoreEvent) => void;

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  private rv = 1;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly sortedKeys = new Map<string, string[]>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  /** Events up to this resourceVersion are no longer retained: watches from before it get 410 Gone. */
  compactedRv = 1;

  constructor(private readonly historyLimit = 2000) {}

  currentRv(): number {
    return this.rv;
  }

  private bucket(storeKey: string): Map<string, KubeObject> {
    let b = this.buckets.get(storeKey);
    if (!b) {
      b = new Map();
      this.buckets.set(storeKey, b);
    }
    return b;
  }

  get(storeKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(storeKey)?.get(objectKey(namespace, name));
  }

  /** Objects of a type in stable (namespace, name) order, optionally in one namespace. */
  list(storeKey: string, namespace?: string): KubeObject[] {
    const b = this.buckets.get(storeKey);
    if (!b) {
      return [];
    }
    let keys = this.sortedKeys.get(storeKey);
    if (!keys) {
      keys = [...b.keys()].sort();
      this.sortedKeys.set(storeKey, keys);
    }
    if (namespace === undefined) {
      return keys.map((k) => b.get(k) as KubeObject);
    }
    const prefix = `${namespace}/`;
    const out: KubeObject[] = [];
    for (const k of keys) {
      if (k.startsWith(prefix)) {
        out.push(b.get(k) as KubeObject);
      }
    }
    return out;
  }

  count(storeKey: string): number {
    return this.buckets.get(storeKey)?.size ?? 0;
  }

  /** Stores a new object or a new version of one; the object must not be mutated afterwards. */
  put(storeKey: string, obj: KubeObject): StoreEvent {
    const b = this.bucket(storeKey);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name as string);
    const previous = b.get(key);
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    if (!previous) {
      this.sortedKeys.delete(storeKey);
    }
    b.set(key, obj);
    return this.record({ rv: this.rv, type: previous ? 'MODIFIED' : 'ADDED', storeKey, object: obj, previous });
  }

  remove(storeKey: string, namespace: string | undefined, name: string): StoreEvent | undefined {
    const b = this.buckets.get(storeKey);
    const key = objectKey(namespace, name);
    const previous = b?.get(key);
    if (!b || !previous) {
      return undefined;
    }
    b.delete(key);
    this.sortedKeys.delete(storeKey);
    this.rv++;
    const object: KubeObject = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(this.rv) } };
    return this.record({ rv: this.rv, type: 'DELETED', storeKey, object, previous });
  }

  /**
   * Inserts many objects at once without recording events (seeding benchmarks). Watches started
   * before it cannot be resumed across it: the history is compacted, as after an etcd compaction.
   */
  bulkInsert(storeKey: string, objects: KubeObject[]): void {
    const b = this.bucket(storeKey);
    for (const obj of objects) {
      this.rv++;
      obj.metadata.resourceVersion = String(this.rv);
      b.set(objectKey(obj.metadata.namespace, obj.metadata.name as string), obj);
    }
    this.sortedKeys.delete(storeKey);
    this.compact();
  }

  private record(event: StoreEvent): StoreEvent {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const drop = this.history.length - this.historyLimit;
      this.compactedRv = this.history[drop - 1].rv;
      this.history = this.history.slice(drop);
    }
    for (const l of this.listeners) {
      l(event);
    }
    return event;
  }

  /** Forgets all retained events, so that any watch from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  /** Retained events after a resourceVersion, or `undefined` when that version is too old. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) {
      return undefined;
    }
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return this.history.slice(lo);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
