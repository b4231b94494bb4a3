/**
 * What the tree and the recoverable-window picture show of one backup path in a bucket, loaded on demand
 * and kept until refreshed: base backups a page at a time (one delimiter listing of `basebackups_005/` per
 * page plus each backup's sentinel and metadata.json), and the WAL coverage by bounded listings, never a
 * full listing of `wal_005/`. Failures become values the tree shows as rows. No vscode import.
 */
import { metadataKey, parseBackupMetadata, type WalgBackup } from '@core/walg';
import { listBaseBackups, mapLimit } from './baseBackups';
import { isStorageError, PagedListing, StorageError, type ObjectStore } from './objectStore';
import { walCoverage, type WalCoverage } from './walCoverage';

/** Why the bucket cannot be shown, as the row the tree displays. */
export interface BrowserProblem {
  /** `credentials`: no keys to use (the Secret is missing, not connected, ...); `storage`: the bucket answered with an error. */
  readonly kind: 'credentials' | 'config' | 'storage' | 'unsupported';
  readonly message: string;
  /** The S3 error code, or ours (EndpointUnreachable, Timeout, ...). */
  readonly code?: string;
}

/** A store on the bucket and the key prefix of the path (`<sub-path>/<backup path>/`). */
export type Opened = { readonly ok: true; readonly store: ObjectStore; readonly keyPrefix: string } | { readonly ok: false; readonly problem: BrowserProblem };

export interface ListingOptions {
  /** Listing keys per page; each backup takes two (its folder and its sentinel). */
  readonly pageSize?: number;
  /** Time limit per request. */
  readonly timeoutMs?: number;
  /** Names and sentinel times only (no sentinel or metadata.json reads): one request per page. */
  readonly namesOnly?: boolean;
}

export const DEFAULT_PAGE_KEYS = 100;

/** What a cancelled listing shows until it is refreshed. */
export const CANCELLED_MESSAGE = 'Reading the bucket was cancelled: refresh to read it again.';

function problemOf(err: unknown): BrowserProblem {
  if (isStorageError(err) && err.code === 'Aborted') return { kind: 'storage', message: CANCELLED_MESSAGE, code: err.code };
  if (isStorageError(err)) return { kind: 'storage', message: err.message, code: err.code };
  return { kind: 'storage', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The base backups and WAL of one backup path, as far as loaded. It owns its store (and so the keys the
 * store holds): `dispose` cancels what is loading and closes the store.
 */
export class PathListing {
  private store: ObjectStore | undefined;
  /** The base backup pages, one listing across "Load more", so its cap and cursor checks span them all. */
  private pages: PagedListing | undefined;
  /** Cancels every load of this listing (Cancel in the notification, Refresh, another context). */
  private readonly stopper = new AbortController();
  private disposed = false;
  private _keyPrefix = '';
  private _backups: WalgBackup[] = [];
  private _unfinished: string[] = [];
  private cursor: string | undefined;
  private started = false;
  private _problem: BrowserProblem | undefined;
  private _coverage: WalCoverage | BrowserProblem | undefined;
  private pending: Promise<void> | undefined;
  /** Requests made so far, and those under `wal_005/`. */
  requests = 0;
  walRequests = 0;

  constructor(
    readonly key: string,
    private readonly open: () => Promise<Opened>,
    private readonly options: ListingOptions = {},
  ) {}

  /** Known once opened. */
  get keyPrefix(): string {
    return this._keyPrefix;
  }
  get backups(): readonly WalgBackup[] {
    return this._backups;
  }
  get unfinished(): readonly string[] {
    return this._unfinished;
  }
  /** Set when opening or the first page failed: nothing else is shown. */
  get problem(): BrowserProblem | undefined {
    return this._problem;
  }
  get coverage(): WalCoverage | BrowserProblem | undefined {
    return this._coverage;
  }
  get loaded(): boolean {
    return this.started && !this.pending;
  }
  /** There are more pages to load. */
  get hasMore(): boolean {
    return this.cursor !== undefined;
  }
  /** Every page was loaded (so SGBackups missing from the bucket can be told). */
  get complete(): boolean {
    return this.started && !this._problem && this.cursor === undefined;
  }
  /** The load was cancelled: nothing more is read until the listing is forgotten and made again. */
  get cancelled(): boolean {
    return this._problem?.code === 'Aborted';
  }

  /** Stops what is loading; the listing then shows that it was cancelled. */
  cancel(): void {
    this.stopper.abort();
  }

  /** Cancels, and closes the store: its connections and keys go with it. */
  dispose(): void {
    this.disposed = true;
    this.cancel();
    this.store?.destroy?.();
    this.store = undefined;
  }

  /** The caller's signal and this listing's own. */
  private signalFor(signal?: AbortSignal): AbortSignal {
    return signal ? AbortSignal.any([signal, this.stopper.signal]) : this.stopper.signal;
  }

  /** The first page and the WAL coverage, once; later calls wait for the same load. */
  first(signal?: AbortSignal): Promise<void> {
    return this.load(1, signal);
  }

  /**
   * Opens the store and loads up to `pages` pages while the WAL coverage is searched beside them (its
   * requests depend on each other, so it runs in parallel with the listing rather than after it).
   */
  private load(pages: number, callerSignal?: AbortSignal, maxBackups = Infinity): Promise<void> {
    if (this.started) return this.pending ?? Promise.resolve();
    this.started = true;
    const signal = this.signalFor(callerSignal);
    return this.track(async () => {
      const cancelled = () => problemOf(new StorageError('Aborted', 'Cancelled.'));
      if (signal.aborted) {
        this._problem = cancelled();
        return;
      }
      const opened = await this.open();
      if (!opened.ok) {
        this._problem = opened.problem;
        return;
      }
      if (this.disposed || signal.aborted) {
        // Dropped while the Secret was read: the store is closed at once.
        opened.store.destroy?.();
        this._problem = cancelled();
        return;
      }
      this.store = opened.store;
      this.pages = new PagedListing(opened.store);
      this._keyPrefix = opened.keyPrefix;
      const listing = async (): Promise<void> => {
        let n = 0;
        do {
          await this.page(signal);
          n++;
        } while (n < pages && this.cursor !== undefined && this._backups.length < maxBackups);
      };
      const [page, coverage] = await Promise.allSettled([listing(), this.wal(signal)]);
      if (page.status === 'rejected') this._problem = problemOf(page.reason);
      this._coverage = coverage.status === 'fulfilled' ? coverage.value : problemOf(coverage.reason);
    });
  }

  /** The next page ("Load more…"). */
  more(signal?: AbortSignal): Promise<void> {
    if (this.pending) return this.pending;
    if (!this.store || this.cursor === undefined || this.cancelled) return Promise.resolve();
    return this.track(async () => {
      try {
        await this.page(this.signalFor(signal));
      } catch (err) {
        this._problem = problemOf(err);
      }
    });
  }

  /** Every remaining page, up to `maxBackups` in all (for the recoverable-window picture). */
  async all(maxBackups: number, signal?: AbortSignal): Promise<void> {
    await this.load(Infinity, signal, maxBackups);
    while (this.hasMore && !this._problem && this._backups.length < maxBackups) await this.more(signal);
  }

  /**
   * When some backups finished, from their metadata.json (at most `max` reads): a names-only listing knows
   * only when the sentinel object was written, which for copied or restored buckets is not the backup's time.
   * Backups whose metadata cannot be read are left out.
   */
  async finishTimes(names: readonly string[], max = 20, signal?: AbortSignal): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const store = this.store;
    if (!store) return out;
    const stop = this.signalFor(signal);
    await mapLimit(names.slice(0, max), 8, async (name) => {
      this.requests++;
      try {
        const raw = await store.get(metadataKey(this.keyPrefix, name), { maxBytes: 1024 * 1024, signal: stop, timeoutMs: this.options.timeoutMs });
        const m = parseBackupMetadata(raw.toString('utf8'));
        const at = m.ok && m.value.finishTime ? new Date(m.value.finishTime) : undefined;
        if (at && !Number.isNaN(at.getTime())) out.set(name, at.toISOString());
      } catch {
        // The listing time stays.
      }
    });
    return out;
  }

  private track(run: () => Promise<void>): Promise<void> {
    const p = run().finally(() => {
      if (this.pending === p) this.pending = undefined;
    });
    this.pending = p;
    return p;
  }

  private async page(signal: AbortSignal): Promise<void> {
    const page = await listBaseBackups(this.store!, this.keyPrefix, {
      listing: this.pages,
      pageSize: this.options.pageSize ?? DEFAULT_PAGE_KEYS,
      cursor: this.cursor,
      signal,
      timeoutMs: this.options.timeoutMs,
      namesOnly: this.options.namesOnly,
    });
    this.requests += page.requests;
    this._backups.push(...page.backups);
    this._unfinished.push(...page.unfinished);
    this.cursor = page.nextCursor;
  }

  private async wal(signal: AbortSignal): Promise<WalCoverage> {
    const coverage = await walCoverage(this.store!, this.keyPrefix, { signal, timeoutMs: this.options.timeoutMs });
    this.requests += coverage.walRequests;
    this.walRequests += coverage.walRequests;
    return coverage;
  }
}

/** Listings by key (context, storage, its spec, path): kept until refreshed, so tree refreshes cost no requests. */
export class BucketBrowser {
  private readonly listings = new Map<string, PathListing>();

  listing(key: string, create: () => PathListing): PathListing {
    let l = this.listings.get(key);
    if (!l) {
      l = create();
      this.listings.set(key, l);
    }
    return l;
  }

  get(key: string): PathListing | undefined {
    return this.listings.get(key);
  }

  /**
   * Forgets one listing and its variants (`<key>#...`), or all: what they are loading is cancelled and
   * their stores closed, so their next display loads again with keys read again.
   */
  forget(key?: string): void {
    for (const [k, listing] of [...this.listings]) {
      if (key !== undefined && k !== key && !k.startsWith(`${key}#`)) continue;
      this.listings.delete(k);
      listing.dispose();
    }
  }

  /**
   * Forgets every listing whenever the cluster connection is reset (another context or namespace, a new
   * kubeconfig, Refresh): a store and the Secret's keys it holds must not outlive the context they came from.
   */
  forgetOnReset(onDidChange: (listener: (state: { readonly kind: string }) => void) => { dispose(): void }): { dispose(): void } {
    return onDidChange((state) => {
      if (state.kind === 'idle') this.forget();
    });
  }
}

export function isProblem(v: WalCoverage | BrowserProblem | undefined): v is BrowserProblem {
  return v !== undefined && 'kind' in v && 'message' in v;
}
