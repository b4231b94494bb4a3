/**
 * The oldest and newest WAL segment under a backup path, found without listing `wal_005/` in full (it
 * holds one object per 16 MiB of WAL: millions on a busy database). The oldest is the first key of a
 * short listing. The newest is found field by field (timeline, then log, then segment: 8 hex digits each)
 * with one-key listings that start after a guess: galloping up, then bisecting, so the number of requests
 * grows with the logarithm of the values, not with the number of objects.
 */
import { hex8, parseWalObjectName, WalObject, WAL_FOLDER } from '@core/walg';
import { ObjectStore, PagedListing, RequestOptions } from './objectStore';

export interface WalEnd extends WalObject {
  readonly key: string;
  readonly lastModified?: Date;
}

export interface WalCoverage {
  readonly oldest?: WalEnd;
  readonly newest?: WalEnd;
  /** Requests made, all of them under `wal_005/`, each returning at most a few keys. */
  readonly walRequests: number;
  /** Keys returned by those requests in total. */
  readonly keysRead: number;
  /** What could not be determined (e.g. only timeline history files, or unknown objects in the folder). */
  readonly problems: readonly string[];
}

const FIELD_END = 2 ** 32;
/** Any key whose next 8 characters are hex sorts before this suffix ('g' follows '0'-'9', 'A'-'F', 'a'-'f' and '.'). */
const AFTER_FIELD = 'g';
const OLDEST_PAGE = 10;
const OLDEST_PAGES = 5;
/**
 * Requests one search may make: the search needs at most about 3 × 2 × 33 plus a few on any layout, so
 * more means the storage answers wrongly (StartAfter ignored, say) and the search stops with a message.
 */
export const WAL_MAX_REQUESTS = 400;

export async function walCoverage(store: ObjectStore, keyPrefix: string, options: RequestOptions = {}): Promise<WalCoverage> {
  const folder = `${keyPrefix}${WAL_FOLDER}`;
  const listing = new PagedListing(store, { maxRequests: WAL_MAX_REQUESTS });
  let keysRead = 0;
  const problems: string[] = [];

  const list = async (prefix: string, maxKeys: number, startAfter?: string) => {
    const page = await listing.list({ ...options, prefix, maxKeys, startAfter });
    keysRead += page.objects.length;
    return page;
  };

  const toEnd = (key: string, lastModified?: Date): WalEnd | undefined => {
    const parsed = parseWalObjectName(key);
    return parsed ? { ...parsed, key, lastModified } : undefined;
  };
  const isSegment = (w: WalEnd | undefined): w is WalEnd => w !== undefined && (w.kind === 'segment' || w.kind === 'partial');

  // Oldest: the first segment in key order (timeline history files may come first).
  let oldest: WalEnd | undefined;
  let more = false;
  let pages = 0;
  for await (const page of listing.pages({ ...options, prefix: folder, maxKeys: OLDEST_PAGE })) {
    keysRead += page.objects.length;
    oldest = page.objects.map((o) => toEnd(o.key, o.lastModified)).find(isSegment);
    more = page.nextCursor !== undefined;
    if (oldest || ++pages >= OLDEST_PAGES) break;
  }
  if (!oldest) {
    if (more) problems.push(`No WAL segment among the first ${OLDEST_PAGES * OLDEST_PAGE} objects of ${folder}: it holds other files.`);
    return { walRequests: listing.requests, keysRead, problems };
  }

  /** The smallest key under `fixed` whose next field is at least `value`, with that field's value. */
  const firstFrom = async (fixed: string, value: number): Promise<{ key: string; field: number; lastModified?: Date } | undefined> => {
    const start = value === 0 ? undefined : `${folder}${fixed}${hex8(value - 1)}${AFTER_FIELD}`;
    const page = await list(`${folder}${fixed}`, 1, start);
    const o = page.objects[0];
    if (!o) return undefined;
    const field = o.key.slice(folder.length + fixed.length, folder.length + fixed.length + 8);
    return /^[0-9A-F]{8}$/.test(field) ? { key: o.key, field: parseInt(field, 16), lastModified: o.lastModified } : undefined;
  };

  /** The greatest value of the field after `fixed` below `bound`, given one that exists (`known`, seen in `knownKey`). */
  const greatest = async (fixed: string, known: number, knownKey: string, bound = FIELD_END): Promise<{ value: number; key: string }> => {
    let lo = known;
    let loKey = knownKey;
    let hi = bound;
    let step = 1;
    let galloping = true;
    while (hi - lo > 1) {
      const probe = galloping ? Math.min(lo + step, hi - 1) : lo + Math.floor((hi - lo) / 2);
      const found = await firstFrom(fixed, probe);
      // `found.field > lo`: every step must move, whatever keys the bucket holds.
      if (found && found.field > lo && found.field < hi) {
        lo = found.field;
        loKey = found.key;
        step *= 2;
      } else {
        hi = probe;
        galloping = false;
      }
    }
    return { value: lo, key: loKey };
  };

  // Newest: the greatest timeline that has a segment, then its greatest log, then its greatest segment.
  let bound = FIELD_END;
  let newest: WalEnd | undefined;
  for (let tries = 0; tries < 4 && !newest; tries++) {
    const timeline = await greatest('', oldest.timeline, oldest.key, bound);
    const tli = hex8(timeline.value);
    const first = (await list(`${folder}${tli}`, 3)).objects.map((o) => toEnd(o.key, o.lastModified)).find(isSegment);
    if (!first) {
      // Only a timeline history file: the promotion wrote no WAL yet, so the previous timeline is the newest.
      bound = timeline.value;
      if (bound <= oldest.timeline) newest = oldest;
      continue;
    }
    const log = await greatest(tli, first.log!, first.key);
    const logHex = hex8(log.value);
    const logKnown = log.value === first.log ? first : toEnd(log.key);
    const seg = await greatest(`${tli}${logHex}`, logKnown?.seg ?? 0, log.key);
    // The segment itself, not a .backup label that shares its name.
    const candidates = (await list(`${folder}${tli}${logHex}${hex8(seg.value)}`, 3)).objects.map((o) => toEnd(o.key, o.lastModified)).filter(isSegment);
    newest = candidates.find((c) => c.kind === 'segment') ?? candidates[0] ?? toEnd(seg.key);
  }
  if (!newest) problems.push('The newest timelines have history files but no WAL segments.');
  return { oldest, newest, walRequests: listing.requests, keysRead, problems };
}
