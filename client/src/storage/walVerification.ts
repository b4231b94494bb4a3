/**
 * Verifies WAL continuity under a backup path: the base backups' names, a full listing of `wal_005/` in pages
 * fed to the core's `WalVerifier` (ranges of consecutive segments, never the names), then the metadata.json
 * of the backups where it decides something, and the timeline history files. Either the whole verification or an error: a listing that
 * failed, was cancelled or paged wrongly never yields a partial result that could look continuous.
 */
import { BASEBACKUPS_FOLDER, backupNameOfSentinelKey, describeWalgBackup, metadataKey, parseBackupMetadata, parseSentinel, parseWalObjectName, segmentName, sentinelKey, WAL_FOLDER, type WalgBackup } from '@core/walg';
import { DEFAULT_WAL_SEGMENT_SIZE, segmentsPerLog, TooFragmented, WalVerifier, type WalVerification } from '@core/walVerify';
import { mapLimit } from './baseBackups';
import { ListingError, PagedListing, StorageError, type ObjectStore, type RequestOptions } from './objectStore';
import { timelineHistoryText } from './timelineHistory';

export interface VerifyProgress {
  /** Objects of `wal_005/` read so far. */
  readonly walObjects: number;
  /** Base backups found so far, and how many of them were read. */
  readonly backups: number;
  readonly backupsRead: number;
}

export interface VerifyOptions extends RequestOptions {
  readonly segmentSize?: number;
  /** Objects of `wal_005/` read at most (default 10,000,000): beyond, the verification stops and says so. */
  readonly maxWalObjects?: number;
  /** Base backups read at most (default 100,000). */
  readonly maxBackups?: number;
  /** Parallel reads of metadata.json (default 8). */
  readonly concurrency?: number;
  readonly onProgress?: (p: VerifyProgress) => void;
}

export interface VerifyResult extends WalVerification {
  /** Listing and read requests made. */
  readonly requests: number;
  /** The listing of wal_005/ began after this segment: older WAL cannot serve any backup. */
  readonly listedFrom?: string;
  /** History files or backups that could not be read: the verdict stands, with these caveats. */
  readonly notes: readonly string[];
}

const PAGE = 1000;
const METADATA_LIMIT = 1024 * 1024;
const SENTINEL_LIMIT = 4 * 1024 * 1024;
const HISTORY_LIMIT = 64 * 1024;
const MAX_HISTORIES = 1000;

function rethrowIfFatal(err: unknown): void {
  if (err instanceof StorageError && (err.code === 'Aborted' || err.code === 'AccessDenied' || err instanceof ListingError)) throw err;
}

/** The backup's metadata.json (one request), else its sentinel. */
async function readBackup(store: ObjectStore, keyPrefix: string, name: string, listedAt: Date | undefined, options: RequestOptions): Promise<WalgBackup> {
  const read = async (key: string, maxBytes: number): Promise<string | { error: string }> => {
    try {
      return (await store.get(key, { ...options, maxBytes })).toString('utf8');
    } catch (err) {
      if (err instanceof StorageError && err.code === 'Aborted') throw err;
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };
  const meta = await read(metadataKey(keyPrefix, name), METADATA_LIMIT);
  const metadata = typeof meta === 'string' ? parseBackupMetadata(meta) : { ok: false as const, error: `metadata.json could not be read: ${meta.error}` };
  if (metadata.ok && metadata.value.startLsn !== undefined && metadata.value.finishLsn !== undefined) return describeWalgBackup(name, undefined, metadata, listedAt);
  const raw = await read(sentinelKey(keyPrefix, name), SENTINEL_LIMIT);
  const sentinel = typeof raw === 'string' ? parseSentinel(raw) : { ok: false as const, error: `The backup stop sentinel could not be read: ${raw.error}` };
  return describeWalgBackup(name, sentinel, metadata, listedAt);
}

/** Timeline and absolute segment of a backup's name (`base_<start WAL file>`), if it has that shape. */
function startOf(name: string, segmentSize: number): { timeline: number; segno: number } | undefined {
  const m = /^base_([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})/.exec(name);
  if (!m) return undefined;
  const perLog = segmentsPerLog(segmentSize);
  const seg = parseInt(m[3], 16);
  return seg < perLog ? { timeline: parseInt(m[1], 16), segno: parseInt(m[2], 16) * perLog + seg } : undefined;
}

export async function verifyWalContinuity(store: ObjectStore, keyPrefix: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const segmentSize = options.segmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
  const verifier = new WalVerifier({ segmentSize });
  // One failure stops the other half at once (its requests are cancelled) and is the one reported.
  const inner = new AbortController();
  const request: RequestOptions = { signal: options.signal ? AbortSignal.any([options.signal, inner.signal]) : inner.signal, timeoutMs: options.timeoutMs };
  const maxBackups = options.maxBackups ?? 100_000;
  const maxWal = options.maxWalObjects ?? 10_000_000;
  const notes: string[] = [];
  let reads = 0;
  let backupsRead = 0;
  const found: { name: string; listedAt?: Date }[] = [];
  const progress = (): void => options.onProgress?.({ walObjects: verifier.objects, backups: found.length, backupsRead });

  // Backup names, a page at a time (with `/` as delimiter only sentinels and folders come back).
  const backupListing = new PagedListing(store, { maxRequests: Math.ceil((maxBackups * 2) / PAGE) + 2 });
  const backupPages = backupListing.pages({ ...request, prefix: `${keyPrefix}${BASEBACKUPS_FOLDER}`, delimiter: '/', maxKeys: PAGE });
  const takeBackupPage = async (): Promise<boolean> => {
    const next = await backupPages.next();
    if (next.done) return false;
    for (const o of next.value.objects) {
      const name = backupNameOfSentinelKey(o.key);
      if (name === undefined) continue;
      if (found.length >= maxBackups) throw new StorageError('ListingTooLong', `More than ${maxBackups} base backups under ${keyPrefix}${BASEBACKUPS_FOLDER}: too many to verify here.`, 'ListBucket');
      found.push({ name, listedAt: o.lastModified });
    }
    progress();
    return next.value.nextCursor !== undefined;
  };

  // The first page names the oldest backup (names sort by timeline, then position): WAL before it can
  // serve no backup, so the WAL listing starts there and both go on side by side.
  const more = await takeBackupPage();
  const oldest = found.map((b) => /^base_([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})/.exec(b.name)).find((m) => m !== null);
  let startAfter: string | undefined;
  let listedFrom: string | undefined;
  if (oldest) {
    const tli = parseInt(oldest[1], 16);
    const segno = parseInt(oldest[2], 16) * segmentsPerLog(segmentSize) + parseInt(oldest[3], 16);
    if (segno > 0) {
      const perLog = segmentsPerLog(segmentSize);
      // Every key that begins with the previous segment's name sorts before that name + 'g'.
      startAfter = `${keyPrefix}${WAL_FOLDER}${segmentName(tli, Math.floor((segno - 1) / perLog), (segno - 1) % perLog)}g`;
      listedFrom = `${oldest[1]}${oldest[2]}${oldest[3]}`;
    }
  }

  const backupsTask = (async (): Promise<void> => {
    let going = more;
    while (going) going = await takeBackupPage();
  })();

  const walListing = new PagedListing(store, { maxRequests: Math.ceil(maxWal / PAGE) + 2 });
  const walTask = (async (): Promise<void> => {
    try {
      for await (const page of walListing.pages({ ...request, prefix: `${keyPrefix}${WAL_FOLDER}`, maxKeys: PAGE, startAfter })) {
        for (const o of page.objects) verifier.add(o.key, o.lastModified);
        progress();
      }
    } catch (err) {
      if (err instanceof TooFragmented) throw new StorageError('ListingTooLong', err.message, 'ListBucket');
      if (err instanceof ListingError && err.code === 'ListingTooLong') {
        throw new StorageError('ListingTooLong', `${keyPrefix}${WAL_FOLDER} holds more than ${maxWal} objects: too many to verify here. Run wal-g wal-verify in the cluster's pod.`, 'ListBucket');
      }
      throw err;
    }
  })();

  let failure: { error: unknown } | undefined;
  const stopAll = (error: unknown): undefined => {
    failure ??= { error };
    inner.abort();
    return undefined;
  };
  await Promise.all([backupsTask.catch(stopAll), walTask.catch(stopAll)]);
  if (failure) throw failure.error;

  // Each backup's own WAL runs from its start to its finish, and StackGres takes one backup of a cluster at a
  // time (a lock), so it finishes before the next one starts. Where the listing holds every segment from a
  // backup's start to the next backup's start, its own WAL is there whatever its exact finish: its
  // metadata.json is not read (on a long history that saves a request per backup, most of the time). The
  // newest backup of each timeline, and any backup with a hole before the next, are read.
  const starts = found.map((b) => ({ ...b, start: startOf(b.name, segmentSize) }));
  const nextStart = new Map<string, number>();
  const byTimeline = new Map<number, typeof starts>();
  for (const b of starts) if (b.start) byTimeline.set(b.start.timeline, [...(byTimeline.get(b.start.timeline) ?? []), b]);
  for (const [tli, list] of byTimeline) {
    list.sort((a, b) => a.start!.segno - b.start!.segno);
    for (let i = 0; i + 1 < list.length; i++) {
      const next = list[i + 1].start!.segno;
      if (next > list[i].start!.segno && verifier.covers(tli, list[i].start!.segno, next)) nextStart.set(list[i].name, next);
    }
  }
  const backups = await mapLimit(starts, options.concurrency ?? 8, async (b) => {
    const bound = nextStart.get(b.name);
    if (bound !== undefined && b.start) {
      backupsRead++;
      return describeWalgBackup(b.name, undefined, { ok: true, value: { startLsn: b.start.segno * segmentSize, finishLsn: bound * segmentSize, finishTime: b.listedAt?.toISOString() } }, b.listedAt);
    }
    const backup = await readBackup(store, keyPrefix, b.name, b.listedAt, request);
    reads += 1;
    backupsRead++;
    if (backupsRead % 50 === 0) progress();
    return backup;
  });
  progress();
  if (nextStart.size > 0) {
    notes.push(`${nextStart.size} of ${found.length} base backups were not read one by one: WAL is continuous from each of them to the next backup's start, so their own WAL is present (StackGres takes one backup at a time); their finish times are their stop sentinels' upload times.`);
  }

  const histories = verifier.historyKeys().slice(0, MAX_HISTORIES);
  await mapLimit(histories, options.concurrency ?? 8, async (h) => {
    try {
      const body = await store.get(h.key, { ...request, maxBytes: HISTORY_LIMIT });
      reads++;
      const decoded = timelineHistoryText(body, parseWalObjectName(h.key)?.extension);
      verifier.setHistory(h.timeline, decoded.ok ? decoded.text : undefined, decoded.ok ? undefined : decoded.problem);
    } catch (err) {
      rethrowIfFatal(err);
      verifier.setHistory(h.timeline, undefined, err instanceof Error ? err.message : String(err));
    }
  });
  const result = verifier.result(backups);
  for (const t of result.timelines) {
    if (t.historyProblem) notes.push(`The history file of timeline ${t.timeline} could not be used (${t.historyProblem}): ${t.switchFrom === 'listing' ? 'its switch point is estimated from its first segment in the listing' : 'no older timeline has WAL to estimate its switch point from'}.`);
  }
  return { ...result, requests: backupListing.requests + walListing.requests + reads, listedFrom, notes };
}
