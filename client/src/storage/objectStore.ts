/**
 * What the extension needs from a bucket, whatever SDK is behind it. The services (access test, base
 * backup listing, WAL coverage) are written against this interface only, so they are tested against a
 * real S3 and never see an SDK type or an SDK error.
 */
import type { StorageAction, StorageErrorCode } from '../../../server/src/domain/objectStore';

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

/** Up to `limit` entries of a listing, following pages; for small bounded listings only. */
export async function listUpTo(store: ObjectStore, options: ListOptions, limit: number): Promise<ListPage> {
  const objects: ListedObject[] = [];
  const commonPrefixes: string[] = [];
  let cursor = options.cursor;
  do {
    const page = await store.list({ ...options, cursor, maxKeys: Math.min(options.maxKeys ?? 1000, limit - objects.length - commonPrefixes.length) });
    objects.push(...page.objects);
    commonPrefixes.push(...page.commonPrefixes);
    cursor = page.nextCursor;
  } while (cursor && objects.length + commonPrefixes.length < limit);
  return { objects, commonPrefixes, nextCursor: cursor };
}
