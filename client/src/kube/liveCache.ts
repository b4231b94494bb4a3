/**
 * The list-then-watch loop behind `KubeApi.cache()`, independent of the HTTP library: list (all pages),
 * watch from the list's resourceVersion with bookmarks, resume from the last resourceVersion seen when a
 * watch ends, re-list on 410 Gone (reporting what changed meanwhile as ADDED/MODIFIED/DELETED), and
 * reconnect after failures with capped exponential backoff and full jitter. Failures retrying cannot fix
 * (credentials, RBAC, missing CRDs) stop the cache with a FAILED event.
 */
import type { CacheEvent, CacheState, Disposable, KubeObject, LiveCache, ObjectList } from './api';
import { KubeError, cancelled, toKubeError } from './errors';
import { t } from '../localize';

export interface WatchHandle {
  stop(): void;
}

/** What the loop needs from the adapter. Both calls fail with KubeErrors only. */
export interface WatchTransport {
  /** The whole list (all pages). */
  list(signal: AbortSignal): Promise<ObjectList>;
  /**
   * Opens a watch from `resourceVersion` with bookmarks. Resolves once connected; `onEnd` is called
   * exactly once when the stream ends: without an error for a normal close, with one otherwise.
   * `signal` (the cache stopping) ends a watch that is still connecting.
   */
  watch(resourceVersion: string, onEvent: (type: string, object: unknown) => void, onEnd: (error?: KubeError) => void, signal?: AbortSignal): Promise<WatchHandle>;
  /** For the error of a watch ERROR event. */
  errorContext: Parameters<typeof toKubeError>[1];
}

export interface BackoffOptions {
  /** First retry delay (before jitter). Default 500 ms. */
  initialMs?: number;
  /** Cap. Default 30 s. */
  maxMs?: number;
  /** A watch that ends sooner than this without any event counts as a failure (backoff). Default 1 s. */
  minHealthyMs?: number;
  /** Random source in [0, 1), for tests. */
  random?: () => number;
}

/** Full jitter: uniformly between half the capped exponential delay and all of it. */
export function backoffDelay(attempt: number, o: BackoffOptions = {}): number {
  const initial = o.initialMs ?? 500;
  const max = o.maxMs ?? 30_000;
  const capped = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + (o.random ?? Math.random)() * (capped / 2));
}

interface WatchOutcome {
  readonly kind: 'closed' | 'gone' | 'failed';
  readonly error?: KubeError;
  readonly healthy: boolean;
}

export class WatchedCache implements LiveCache {
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners = new Set<(e: CacheEvent) => void>();
  private readonly stopper = new AbortController();
  private currentWatch?: WatchHandle;
  private rv?: string;
  private attempt = 0;
  private _state: CacheState = 'starting';
  private _lastError?: KubeError;
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (e: KubeError) => void;

  private readonly backoff: BackoffOptions;
  private readonly keep: (o: KubeObject) => boolean;
  private readonly slim: (o: KubeObject) => KubeObject;
  private readonly log: (line: string) => void;
  private readonly onStop?: () => void;

  constructor(
    private readonly transport: WatchTransport,
    options: {
      backoff?: BackoffOptions;
      /** Objects to hold (a client-side filter); others are treated as absent. */
      keep?: (o: KubeObject) => boolean;
      /** What of each object to hold (memory: thousands of backups); the default holds all of it. */
      slim?: (o: KubeObject) => KubeObject;
      log?: (line: string) => void;
      /** Called once by stop(). */
      onStop?: () => void;
    } = {},
  ) {
    this.backoff = options.backoff ?? {};
    this.keep = options.keep ?? (() => true);
    this.slim = options.slim ?? ((o) => o);
    this.log = options.log ?? (() => undefined);
    this.onStop = options.onStop;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody may be waiting on ready(): a failure is also reported as a FAILED event.
    this.readyPromise.catch(() => undefined);
    void this.run();
  }

  get state(): CacheState {
    return this._state;
  }

  get lastError(): KubeError | undefined {
    return this._lastError;
  }

  get resourceVersion(): string | undefined {
    return this.rv;
  }

  items(): KubeObject[] {
    return [...this.objects.values()];
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(key(namespace, name));
  }

  onEvent(listener: (event: CacheEvent) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  stop(): void {
    if (this._state === 'stopped') return;
    this._state = 'stopped';
    this.stopper.abort();
    this.currentWatch?.stop();
    this.currentWatch = undefined;
    this.rejectReady(cancelled());
    this.listeners.clear();
    this.onStop?.();
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      let failure: KubeError | undefined;
      try {
        if (needList) {
          const list = await this.transport.list(this.stopper.signal);
          if (this.stopped) return;
          this.replace(list);
          needList = false;
          this.attempt = 0;
          this._state = 'synced';
          this._lastError = undefined;
          this.resolveReady();
        }
        const outcome = await this.watchOnce();
        if (this.stopped) return;
        if (outcome.healthy) this.attempt = 0;
        if (outcome.kind === 'gone') {
          this.log(`watch ${this.transport.errorContext.resource}: resourceVersion ${this.rv} expired (410), listing again`);
          needList = true;
          continue;
        }
        if (outcome.kind === 'closed' && outcome.healthy) continue;
        failure = outcome.error ?? new KubeError('unreachable', t('The watch of {0} closed right after opening.', String(this.transport.errorContext.resource)));
      } catch (e) {
        if (this.stopped) return;
        failure = toKubeError(e, this.transport.errorContext);
        if (failure.reason === 'gone') {
          needList = true;
          continue;
        }
      }
      if (!failure.transient) {
        this.fail(failure);
        return;
      }
      const delay = Math.max(backoffDelay(this.attempt, this.backoff), (failure.retryAfterSeconds ?? 0) * 1000);
      this.attempt++;
      this._state = 'reconnecting';
      this._lastError = failure;
      this.log(`watch ${this.transport.errorContext.resource}: ${failure.message} Retrying in ${delay} ms.`);
      this.emit({ type: 'DISCONNECTED', error: failure, retryInMs: delay });
      await sleep(delay, this.stopper.signal);
    }
  }

  private fail(error: KubeError): void {
    this._state = 'failed';
    this._lastError = error;
    this.rejectReady(error);
    this.emit({ type: 'FAILED', error });
  }

  private watchOnce(): Promise<WatchOutcome> {
    const started = Date.now();
    let sawEvent = false;
    return new Promise<WatchOutcome>((resolve) => {
      let done = false;
      const onStop = (): void => finish({ kind: 'closed' });
      const finish = (o: Omit<WatchOutcome, 'healthy'>): void => {
        if (done) return;
        done = true;
        this.stopper.signal.removeEventListener('abort', onStop);
        this.currentWatch?.stop();
        this.currentWatch = undefined;
        resolve({ ...o, healthy: sawEvent || Date.now() - started >= (this.backoff.minHealthyMs ?? 1000) });
      };
      const onEvent = (type: string, object: unknown): void => {
        if (done || this.stopped) return;
        if (type === 'ERROR') {
          const error = toKubeError(object, { ...this.transport.errorContext, verb: 'watch' });
          finish(error.reason === 'gone' ? { kind: 'gone', error } : { kind: 'failed', error });
          return;
        }
        const obj = object as KubeObject | undefined;
        const rv = obj?.metadata?.resourceVersion;
        if (type === 'BOOKMARK') {
          if (rv) this.rv = rv;
          sawEvent = true;
          return;
        }
        if (!obj?.metadata?.name) return;
        sawEvent = true;
        if (rv) this.rv = rv;
        const k = key(obj.metadata.namespace, obj.metadata.name);
        if (type === 'DELETED') {
          if (this.objects.delete(k)) this.emit({ type, object: obj });
        } else if (type === 'ADDED' || type === 'MODIFIED') {
          if (!this.keep(obj)) {
            // Left the selection (e.g. a filter on spec fields): gone for this cache.
            const old = this.objects.get(k);
            if (old && this.objects.delete(k)) this.emit({ type: 'DELETED', object: obj });
            return;
          }
          const existed = this.objects.has(k);
          const held = this.slim(obj);
          this.objects.set(k, held);
          this.emit({ type: existed ? 'MODIFIED' : 'ADDED', object: held });
        }
      };
      const onEnd = (error?: KubeError): void => {
        if (!error) finish({ kind: 'closed' });
        else finish({ kind: error.reason === 'gone' ? 'gone' : 'failed', error });
      };
      this.transport.watch(this.rv ?? '', onEvent, onEnd, this.stopper.signal).then(
        (handle) => {
          if (done || this.stopped) {
            handle.stop();
            return;
          }
          this.currentWatch = handle;
          if (this._state === 'reconnecting') {
            this._state = 'synced';
            this._lastError = undefined;
            this.emit({ type: 'RECONNECTED', resourceVersion: this.rv ?? '' });
          }
        },
        (e: unknown) => finish({ kind: 'failed', error: toKubeError(e, { ...this.transport.errorContext, verb: 'watch' }) }),
      );
      this.stopper.signal.addEventListener('abort', onStop, { once: true });
    });
  }

  /** Replaces the contents with a fresh list, telling listeners what changed since the last one. */
  private replace(list: ObjectList): void {
    const fresh = new Map<string, KubeObject>();
    for (const o of list.items) {
      if (o?.metadata?.name && this.keep(o)) fresh.set(key(o.metadata.namespace, o.metadata.name), this.slim(o));
    }
    const events: CacheEvent[] = [];
    for (const [k, old] of this.objects) {
      if (!fresh.has(k)) events.push({ type: 'DELETED', object: old });
    }
    for (const [k, o] of fresh) {
      const old = this.objects.get(k);
      if (!old) events.push({ type: 'ADDED', object: o });
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) events.push({ type: 'MODIFIED', object: o });
    }
    this.objects.clear();
    for (const [k, o] of fresh) this.objects.set(k, o);
    this.rv = list.resourceVersion;
    for (const e of events) this.emit(e);
    this.emit({ type: 'SYNCED', resourceVersion: list.resourceVersion });
  }

  private emit(event: CacheEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        this.log(`cache listener failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
