/**
 * The base backups wal-g keeps under a backup path, a page at a time: one delimiter listing of
 * `basebackups_005/` per page, then each backup's sentinel and metadata.json read with bounded
 * concurrency. A backup whose files cannot be read is reported with its problem; the page still loads.
 */
import {
  BASEBACKUPS_FOLDER,
  backupNameOfSentinelKey,
  describeWalgBackup,
  metadataKey,
  parseBackupMetadata,
  parseSentinel,
  Parsed,
  sentinelKey,
  SENTINEL_SUFFIX,
  WalgBackup,
} from '@core/walg';
import { ObjectStore, PagedListing, RequestOptions, StorageError } from './objectStore';

export interface BaseBackupPageOptions extends RequestOptions {
  /** Keys per listing request; each backup takes two (its folder and its sentinel). Default 200. */
  readonly pageSize?: number;
  /** The previous page's `nextCursor`. */
  readonly cursor?: string;
  /** Parallel reads of sentinels and metadata.json (default 8). */
  readonly concurrency?: number;
  /** Skip reading sentinels and metadata.json: names and listing times only. */
  readonly namesOnly?: boolean;
  /** The listing these pages belong to, so its cap and cursor checks span every page; a new one otherwise. */
  readonly listing?: PagedListing;
}

export interface BaseBackupPage {
  /** In listing order: by timeline, then by start of the backup. */
  readonly backups: readonly WalgBackup[];
  /** Backup folders without a sentinel: in progress, or a backup that failed before finishing. */
  readonly unfinished: readonly string[];
  readonly nextCursor?: string;
  /** Requests made for this page. */
  readonly requests: number;
}

/** Old wal-g sentinels list every file of the data directory: beyond this, only metadata.json is read. */
const SENTINEL_LIMIT = 4 * 1024 * 1024;
const METADATA_LIMIT = 1024 * 1024;

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

async function readJson<T>(store: ObjectStore, key: string, maxBytes: number, parse: (raw: string) => Parsed<T>, what: string, options: RequestOptions): Promise<Parsed<T>> {
  try {
    return parse((await store.get(key, { ...options, maxBytes })).toString('utf8'));
  } catch (err) {
    if (err instanceof StorageError && err.code === 'Aborted') throw err;
    const message = err instanceof StorageError ? err.message : String(err);
    return { ok: false, error: `${what} could not be read: ${message}` };
  }
}

export async function listBaseBackups(store: ObjectStore, keyPrefix: string, options: BaseBackupPageOptions = {}): Promise<BaseBackupPage> {
  const folder = `${keyPrefix}${BASEBACKUPS_FOLDER}`;
  const listing = options.listing ?? new PagedListing(store);
  const page = await listing.list({ signal: options.signal, timeoutMs: options.timeoutMs, prefix: folder, delimiter: '/', maxKeys: options.pageSize ?? 200, cursor: options.cursor });
  let requests = 1;
  const sentinels = page.objects
    .map((o) => ({ name: backupNameOfSentinelKey(o.key), lastModified: o.lastModified }))
    .filter((o): o is { name: string; lastModified: Date | undefined } => o.name !== undefined);
  const finished = new Set(sentinels.map((s) => s.name));
  // A folder's sentinel sorts after it, so it may be on the next page: only judge folders this page can settle.
  const last = [...page.objects.map((o) => o.key), ...page.commonPrefixes].sort().pop() ?? '';
  const unfinished = page.commonPrefixes
    .map((p) => p.slice(folder.length).replace(/\/$/, ''))
    .filter((name) => !finished.has(name) && (!page.nextCursor || `${folder}${name}${SENTINEL_SUFFIX}` <= last));

  if (options.namesOnly) {
    return { backups: sentinels.map((s) => describeWalgBackup(s.name, undefined, undefined, s.lastModified)), unfinished, nextCursor: page.nextCursor, requests };
  }
  const backups = await mapLimit(sentinels, options.concurrency ?? 8, async (s) => {
    const [sentinel, metadata] = await Promise.all([
      readJson(store, sentinelKey(keyPrefix, s.name), SENTINEL_LIMIT, parseSentinel, 'The backup stop sentinel', options),
      readJson(store, metadataKey(keyPrefix, s.name), METADATA_LIMIT, parseBackupMetadata, 'metadata.json', options),
    ]);
    requests += 2;
    return describeWalgBackup(s.name, sentinel, metadata, s.lastModified);
  });
  return { backups, unfinished, nextCursor: page.nextCursor, requests };
}
