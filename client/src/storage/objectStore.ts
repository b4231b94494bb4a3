/**
 * What the extension needs from a bucket, whatever SDK is behind it. The services (access test, base
 * backup listing, WAL coverage) are written against this interface only, so they are tested against a
 * real S3 and never see an SDK type or an SDK error.
 */
import { explainListingStop, shownKey, type ListingStopCode, type StorageAction, type StorageErrorCode } from '@core/objectStore';

export interface RequestOptions {
  /** Cancels the request (the user closed the view, or a newer request replaced it). */
  readonly signal?: AbortSignal;
  /** Milliseconds before the request is abandoned with a `Timeout` error; the store's default otherwise. */
  readonly timeoutMs?: number;
}

export interface ListOptions extends RequestOptions {
  readonly prefix: string;
  /** `/` groups keys into `commonPrefixes` (one level of "folders"). */
  readonly delimiter?: string;
  /** Keys plus common prefixes per page (S3 caps it at 1000). */
  readonly maxKeys?: number;
  /** The previous page's `nextCursor`. */
  readonly cursor?: string;
  /** Only keys after this one (S3 `StartAfter`): how bounded searches skip ahead without listing. */
  readonly startAfter?: string;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified?: Date;
}

export interface ListPage {
  readonly objects: readonly ListedObject[];
  readonly commonPrefixes: readonly string[];
  /** Set when there is another page. */
  readonly nextCursor?: string;
}

export interface ObjectHead {
  readonly key: string;
  readonly size: number;
  readonly lastModified?: Date;
}

export interface PutOptions extends RequestOptions {
  readonly contentType?: string;
}

export interface GetOptions extends RequestOptions {
  /** Objects larger than this are not read: `TooLarge`. */
  readonly maxBytes: number;
}

export interface ObjectStore {
  readonly bucket: string;
  /** One page of a listing. */
  list(options: ListOptions): Promise<ListPage>;
  head(key: string, options?: RequestOptions): Promise<ObjectHead>;
  get(key: string, options: GetOptions): Promise<Buffer>;
  put(key: string, body: string | Uint8Array, options?: PutOptions): Promise<void>;
  delete(key: string, options?: RequestOptions): Promise<void>;
  /** The bucket's region as S3 names it (`us-east-1` for the empty answer). */
  getBucketLocation(options?: RequestOptions): Promise<string>;
  /** Closes the store's connections; it is not used afterwards. Stores without connections have none. */
  destroy?(): void;
}

/** Every failure of a store, translated once by the adapter into one line a DBA can act on. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly action?: StorageAction,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** A StorageError from this bundle or from the lazily loaded S3 bundle (dist/s3.js has its own copy of the class). */
export function isStorageError(err: unknown): err is StorageError {
  return err instanceof StorageError || (err instanceof Error && err.name === 'StorageError' && typeof (err as { code?: unknown }).code === 'string');
}

/** A listing stopped because the storage pages wrongly or the listing ran out of requests. */
export class ListingError extends StorageError {
  constructor(
    override readonly code: ListingStopCode,
    message: string,
    /** Requests the listing had made. */
    readonly requests: number,
  ) {
    super(code, message, 'ListBucket');
  }
}

export interface ListingLimits {
  /** Requests the whole operation may make (default 1000). */
  readonly maxRequests?: number;
  /** Empty pages in a row that still say "more" before the storage is judged stuck (default 20). */
  readonly maxEmptyPages?: number;
}

export const DEFAULT_MAX_LIST_REQUESTS = 1000;
const DEFAULT_MAX_EMPTY_PAGES = 20;

/** What one chain of pages (a first page and the pages its cursors lead to) has seen so far. */
interface Chain {
  readonly cursors: Set<string>;
  lastKey?: string;
  emptyPages: number;
}

/**
 * One listing operation (a tree row's backups, a WAL search, ...): every listing request goes through
 * `list`, which counts it against the operation's cap, honours cancellation and checks what the storage
 * answered, so a storage or proxy that ignores StartAfter or Prefix, repeats a cursor, returns keys it had
 * returned already, or returns empty pages without end stops the operation with a `ListingError` instead
 * of looping. Everything a bucket answers is untrusted.
 */
export class PagedListing {
  private made = 0;
  /** Chains by the cursor that continues them. */
  private readonly chains = new Map<string, Chain>();

  constructor(
    private readonly store: ObjectStore,
    private readonly limits: ListingLimits = {},
  ) {}

  /** Listing requests made so far. */
  get requests(): number {
    return this.made;
  }

  /** One page, checked. A `cursor` this listing returned continues its chain. */
  async list(options: ListOptions): Promise<ListPage> {
    if (options.signal?.aborted) throw new StorageError('Aborted', 'Cancelled.', 'ListBucket');
    const stop = (code: ListingStopCode, detail: string): ListingError =>
      new ListingError(code, explainListingStop(code, { bucket: this.store.bucket, prefix: options.prefix, requests: this.made, detail }), this.made);
    if (this.made >= (this.limits.maxRequests ?? DEFAULT_MAX_LIST_REQUESTS)) throw stop('ListingTooLong', 'the most allowed');
    const cursor = options.cursor;
    const chain = (cursor !== undefined ? this.chains.get(cursor) : undefined) ?? { cursors: new Set(cursor !== undefined ? [cursor] : []), emptyPages: 0 };
    if (cursor !== undefined) this.chains.delete(cursor);
    this.made++;
    const page = await this.store.list(options);

    const keys = [...page.objects.map((o) => o.key), ...page.commonPrefixes];
    let first: string | undefined;
    let last: string | undefined;
    for (const key of keys) {
      if (!key.startsWith(options.prefix)) throw stop('PrefixIgnored', `it returned ${shownKey(key)}`);
      if (options.startAfter !== undefined && key <= options.startAfter) {
        throw stop('StartAfterIgnored', `asked for keys after ${shownKey(options.startAfter)}, it returned ${shownKey(key)}`);
      }
      if (first === undefined || key < first) first = key;
      if (last === undefined || key > last) last = key;
    }
    const next = page.nextCursor;
    if (next === '') throw stop('ListingLoop', 'it said there was more but gave no continuation token');
    if (next !== undefined && chain.cursors.has(next)) {
      throw stop('ListingLoop', next === cursor ? 'it returned the continuation token it was given' : 'it returned a continuation token it had returned before');
    }
    // Keys come in ascending order across the pages of a listing: a page that starts at or before the end
    // of the previous one is the storage starting over.
    if (first !== undefined && chain.lastKey !== undefined && first <= chain.lastKey) {
      throw stop('ListingLoop', `a page started at ${shownKey(first)}, which an earlier page had already passed`);
    }
    if (last !== undefined) chain.lastKey = last;
    if (next === undefined) return page;
    chain.emptyPages = keys.length === 0 ? chain.emptyPages + 1 : 0;
    const maxEmpty = this.limits.maxEmptyPages ?? DEFAULT_MAX_EMPTY_PAGES;
    if (chain.emptyPages >= maxEmpty) throw stop('ListingLoop', `${chain.emptyPages} empty pages in a row, each saying there was more`);
    chain.cursors.add(next);
    this.chains.set(next, chain);
    return page;
  }

  /**
   * The pages of a listing from `options.cursor` to its end: the one loop that follows cursors. Stop early
   * by leaving the loop; `maxKeys` may size each request from what was collected.
   */
  async *pages(options: ListOptions, maxKeys?: () => number): AsyncGenerator<ListPage> {
    let cursor = options.cursor;
    do {
      const page = await this.list({ ...options, cursor, maxKeys: maxKeys ? maxKeys() : options.maxKeys });
      yield page;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
}

/** Up to `limit` entries of a listing, following pages; for small bounded listings only. */
export async function listUpTo(store: ObjectStore | PagedListing, options: ListOptions, limit: number): Promise<ListPage> {
  const listing = store instanceof PagedListing ? store : new PagedListing(store);
  const objects: ListedObject[] = [];
  const commonPrefixes: string[] = [];
  let cursor = options.cursor;
  const left = (): number => limit - objects.length - commonPrefixes.length;
  for await (const page of listing.pages(options, () => Math.min(options.maxKeys ?? 1000, left()))) {
    objects.push(...page.objects);
    commonPrefixes.push(...page.commonPrefixes);
    cursor = page.nextCursor;
    if (left() <= 0) break;
  }
  return { objects, commonPrefixes, nextCursor: cursor };
}
