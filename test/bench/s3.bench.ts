/**
 * Bucket browser benchmark on a real S3 (Ceph RGW on 127.0.0.1): one backup path holding 2,000 wal-g base
 * backups (sentinel and metadata.json each; tar partitions are not needed for listings) and 100,000 WAL
 * segments. In the same run, alternating, it times:
 *
 *  - bare:     a delimiter listing of `basebackups_005/` (1,000 keys a request), the floor;
 *  - browser:  the extension's names-only listing of the same folder (what the recoverable window reads);
 *  - window:   the browser listing plus the WAL coverage (oldest and newest segment) as the picture loads it;
 *  - tree page: the tree's first page (50 backups with their sentinels and metadata.json);
 *
 * and counts the requests that touch `wal_005/` (bounded: never a full listing), beside what listing
 * `wal_005/` in full would cost. Target: browser ≤ 1.2 × bare. Then, alternating, a bare full listing of
 * `wal_005/` and the WAL continuity verification (the full listing plus the metadata.json it needs),
 * with the growth of this process's memory while verifying. Targets: verification ≤ 1.3 × the bare full
 * listing, growth ≤ 30 MiB. Writes test-results/bench-s3.json.
 * Options: `--runs=N` (default 15: the listings take a few hundred ms, and a shared machine is noisy),
 * `--verify-runs=N` (default 5).
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { storageLocation } from '@core/objectStore';
import { listBaseBackups } from '../../client/src/storage/baseBackups';
import { PathListing } from '../../client/src/storage/bucketBrowser';
import type { ObjectStore } from '../../client/src/storage/objectStore';
import { s3ObjectStore } from '../../client/src/storage/s3';
import { walCoverage } from '../../client/src/storage/walCoverage';
import { verifyWalContinuity } from '../../client/src/storage/walVerification';
import { startRgw } from '../s3/rgw';
import { backupSeeds, walgObjects } from '../s3/seed';
import { Benchmark, mib, ms, spread, summarize, table, writeResults, type Summary } from './bench';
import { openForSeeding, putAll } from './s3/fastSeed';

const BACKUPS = 2_000;
const WAL_SEGMENTS = 100_000;
const DEFAULT_RUNS = 15;
const TARGET_RATIO = 1.2;
const VERIFY_TARGET_RATIO = 1.3;
const VERIFY_TARGET_GROWTH = 30 * 1024 * 1024;
const DEFAULT_VERIFY_RUNS = 5;
const BUCKET = 'bench-walg';
const BACKUP_PATH = 'sgbackups.stackgres.io/bench/orders/2026-01-01-00-00-00/16';

interface Counted {
  readonly ms: number;
  readonly requests: number;
  readonly keys: number;
}

async function bareListing(store: ObjectStore, prefix: string): Promise<Counted> {
  const t = performance.now();
  let cursor: string | undefined;
  let requests = 0;
  let keys = 0;
  do {
    const page = await store.list({ prefix, delimiter: '/', maxKeys: 1000, cursor });
    requests++;
    keys += page.objects.length + page.commonPrefixes.length;
    cursor = page.nextCursor;
  } while (cursor);
  return { ms: performance.now() - t, requests, keys };
}

async function browserListing(store: ObjectStore, keyPrefix: string): Promise<Counted> {
  const t = performance.now();
  let cursor: string | undefined;
  let requests = 0;
  let keys = 0;
  do {
    const page = await listBaseBackups(store, keyPrefix, { namesOnly: true, pageSize: 1000, cursor });
    requests += page.requests;
    keys += page.backups.length;
    cursor = page.nextCursor;
  } while (cursor);
  return { ms: performance.now() - t, requests, keys };
}

/** What the recoverable window does: every base backup name and the WAL coverage, as one PathListing. */
async function windowLoad(store: ObjectStore, keyPrefix: string): Promise<Counted & { walRequests: number; newest?: string }> {
  const t = performance.now();
  const listing = new PathListing('bench', () => Promise.resolve({ ok: true as const, store, keyPrefix }), { namesOnly: true, pageSize: 1000 });
  await listing.all(100_000);
  const coverage = listing.coverage;
  if (listing.problem || !coverage || 'kind' in coverage) throw new Error(`the window load failed: ${listing.problem?.message ?? JSON.stringify(coverage)}`);
  return { ms: performance.now() - t, requests: listing.requests, keys: listing.backups.length, walRequests: listing.walRequests, newest: coverage.newest?.segment };
}

async function treePage(store: ObjectStore, keyPrefix: string): Promise<Counted> {
  const t = performance.now();
  const page = await listBaseBackups(store, keyPrefix, { pageSize: 100 });
  return { ms: performance.now() - t, requests: page.requests, keys: page.backups.length };
}

interface Verified extends Counted {
  readonly ok: boolean;
  readonly verdict: string;
  /** Peak RSS while verifying minus the RSS just before, and the same for the JS heap. */
  readonly rssGrowth: number;
  readonly heapGrowth: number;
  /** JS heap still in use after the run and a full collection: what the verification keeps. */
  readonly retained: number;
}

// A full garbage collection before and after each measured run: the peak then starts from the same floor every
// time, and what is still live afterwards (`retained`) is what the run itself keeps.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Runs `work` with this process's memory sampled every 10 ms after a full collection: peak minus the value
 * just before (garbage not yet collected included), and the JS heap still in use after another full collection.
 */
async function withMemory<T>(work: (sample: () => void) => Promise<T>): Promise<{ value: T; rssGrowth: number; heapGrowth: number; retained: number }> {
  collectGarbage();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 10);
  try {
    const value = await work(sample);
    sample();
    collectGarbage();
    return { value, rssGrowth: peakRss - before.rss, heapGrowth: peakHeap - before.heapUsed, retained: process.memoryUsage().heapUsed - before.heapUsed };
  } finally {
    clearInterval(timer);
  }
}

async function verification(store: ObjectStore, keyPrefix: string): Promise<Verified> {
  const t = performance.now();
  const { value: r, rssGrowth, heapGrowth, retained } = await withMemory((sample) => verifyWalContinuity(store, keyPrefix, { onProgress: sample }));
  return { ms: performance.now() - t, requests: r.requests, keys: r.objects, ok: r.ok, verdict: r.verdict, rssGrowth, heapGrowth, retained };
}

/** The bare full listing with the same memory sampling: what listing 100,000 keys through the SDK costs by itself. */
async function fullWalListingMemory(store: ObjectStore, keyPrefix: string): Promise<Counted & { rssGrowth: number; heapGrowth: number; retained: number }> {
  const { value, rssGrowth, heapGrowth, retained } = await withMemory(() => fullWalListing(store, keyPrefix));
  return { ...value, rssGrowth, heapGrowth, retained };
}

async function fullWalListing(store: ObjectStore, keyPrefix: string): Promise<Counted> {
  const t = performance.now();
  let cursor: string | undefined;
  let requests = 0;
  let keys = 0;
  do {
    const page = await store.list({ prefix: `${keyPrefix}wal_005/`, maxKeys: 1000, cursor });
    requests++;
    keys += page.objects.length;
    cursor = page.nextCursor;
  } while (cursor);
  return { ms: performance.now() - t, requests, keys };
}

const bench: Benchmark = {
  name: 's3',
  description: `bucket browser on Ceph RGW: ${BACKUPS.toLocaleString('en-US')} base backups and ${WAL_SEGMENTS.toLocaleString('en-US')} WAL segments in one path`,
  async run({ flags }) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const runs = Number(flags.find((f) => f.startsWith('--runs='))?.slice('--runs='.length) ?? DEFAULT_RUNS);
    const started = performance.now();
    const rgw = await startRgw({ bucket: BUCKET, memoryBytes: 2 * 1024 ** 3 });
    const stop = (): void => void rgw.stop().then(() => process.exit(130));
    process.once('SIGINT', stop);
    try {
      console.log(`RGW up in ${(rgw.startMs / 1000).toFixed(1)} s at ${rgw.endpoint}`);
      const location = storageLocation({ type: 's3Compatible', s3Compatible: { bucket: BUCKET, endpoint: rgw.endpoint, region: rgw.region, enablePathStyleAddressing: true } }, BACKUP_PATH);
      if (!location.ok) throw new Error(location.error);
      const keyPrefix = location.value.keyPrefix;

      const seedStart = performance.now();
      const objects = [...walgObjects(keyPrefix, {
        backups: backupSeeds(BACKUPS, { everySegments: Math.floor(WAL_SEGMENTS / BACKUPS), firstSegment: 2 }),
        wal: [{ timeline: 1, from: 2, count: WAL_SEGMENTS }],
        dataObjects: false,
      })];
      await openForSeeding(rgw, BUCKET);
      await putAll(rgw, BUCKET, objects, 64, (done) => process.stdout.write(`\rseeding: ${done.toLocaleString('en-US')} of ${objects.length.toLocaleString('en-US')} objects`));
      const seedMs = performance.now() - seedStart;
      console.log(`\rseeded ${objects.length.toLocaleString('en-US')} objects in ${(seedMs / 1000).toFixed(0)} s (${Math.round(objects.length / (seedMs / 1000))} objects/s)`);

      const store = s3ObjectStore(BUCKET, { endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentials: rgw.owner, type: 's3Compatible', timeoutMs: 60_000 });
      const folder = `${keyPrefix}basebackups_005/`;
      // Warm the connection and RGW's caches once, unmeasured.
      await bareListing(store, folder);
      await browserListing(store, keyPrefix);

      const bare: Counted[] = [];
      const browser: Counted[] = [];
      const window: Awaited<ReturnType<typeof windowLoad>>[] = [];
      const tree: Counted[] = [];
      for (let i = 0; i < runs; i++) {
        // Alternate the order so neither always runs on a warmer cache.
        if (i % 2 === 0) {
          bare.push(await bareListing(store, folder));
          browser.push(await browserListing(store, keyPrefix));
        } else {
          browser.push(await browserListing(store, keyPrefix));
          bare.push(await bareListing(store, folder));
        }
        window.push(await windowLoad(store, keyPrefix));
        tree.push(await treePage(store, keyPrefix));
      }
      const full = await fullWalListing(store, keyPrefix);

      const verifyRuns = Number(flags.find((f) => f.startsWith('--verify-runs='))?.slice('--verify-runs='.length) ?? DEFAULT_VERIFY_RUNS);
      const fullRuns: Awaited<ReturnType<typeof fullWalListingMemory>>[] = [];
      const verified: Verified[] = [];
      for (let i = 0; i < verifyRuns; i++) {
        if (i % 2 === 0) {
          fullRuns.push(await fullWalListingMemory(store, keyPrefix));
          verified.push(await verification(store, keyPrefix));
        } else {
          verified.push(await verification(store, keyPrefix));
          fullRuns.push(await fullWalListingMemory(store, keyPrefix));
        }
      }
      const verifyRatios = summarize(fullRuns.map((f, i) => verified[i].ms / f.ms));
      const rssGrowth = summarize(verified.map((v) => v.rssGrowth));
      const heapGrowth = summarize(verified.map((v) => v.heapGrowth));
      const listingRssGrowth = summarize(fullRuns.map((f) => f.rssGrowth));
      const listingHeapGrowth = summarize(fullRuns.map((f) => f.heapGrowth));
      const retained = summarize(verified.map((v) => v.retained));
      const listingRetained = summarize(fullRuns.map((f) => f.retained));
      // WAL grows the listing only: each further 1,000 segments cost one more page of the bare listing.
      const perSegmentMs = summarize(fullRuns.map((f) => f.ms)).median / WAL_SEGMENTS;
      const millionMs = summarize(verified.map((v) => v.ms)).median + (1_000_000 - WAL_SEGMENTS) * perSegmentMs;

      const s = (xs: Counted[]): Summary => summarize(xs.map((x) => x.ms));
      const ratios = summarize(bare.map((b, i) => browser[i].ms / b.ms));
      const windowRatios = summarize(bare.map((b, i) => window[i].ms / b.ms));
      const w = window[0];
      console.log('');
      console.log(table([
        ['', 'time ms, median (min–max)', 'requests', 'keys / backups', 'vs bare'],
        ['bare delimiter listing of basebackups_005/', spread(s(bare)), String(bare[0].requests), `${bare[0].keys} keys`, '1.00'],
        ['browser listing (names only)', spread(s(browser)), String(browser[0].requests), `${browser[0].keys} backups`, `${ratios.median.toFixed(2)} (${ratios.min.toFixed(2)}–${ratios.max.toFixed(2)})`],
        ['window load (listing + WAL coverage)', spread(s(window)), String(w.requests), `${w.keys} backups`, `${windowRatios.median.toFixed(2)}`],
        ['tree first page (50 backups + metadata)', spread(s(tree)), String(tree[0].requests), `${tree[0].keys} backups`, ''],
        ['full listing of wal_005/ (avoided)', ms(full.ms), String(full.requests), `${full.keys} keys`, ''],
      ]));
      console.log('');
      console.log(table([
        ['', 'time ms, median (min–max)', 'requests', 'keys', 'vs bare full listing'],
        ['bare full listing of wal_005/', spread(s(fullRuns)), String(fullRuns[0].requests), `${fullRuns[0].keys} keys`, '1.00'],
        ['WAL continuity verification', spread(s(verified)), String(verified[0].requests), `${verified[0].keys} keys`, `${verifyRatios.median.toFixed(2)} (${verifyRatios.min.toFixed(2)}–${verifyRatios.max.toFixed(2)})`],
      ]));
      console.log(`verification: ${verified[0].verdict}`);
      console.log(`memory growth while verifying: RSS ${spread(rssGrowth, mib)}, JS heap ${spread(heapGrowth, mib)} (target ≤ ${mib(VERIFY_TARGET_GROWTH)})`);
      console.log(`memory growth of the bare full listing alone: RSS ${spread(listingRssGrowth, mib)}, JS heap ${spread(listingHeapGrowth, mib)}`);
      console.log(`JS heap still in use after a full collection: verification ${spread(retained, mib)}, bare listing ${spread(listingRetained, mib)}`);
      const verifyMet = verifyRatios.median <= VERIFY_TARGET_RATIO && rssGrowth.max <= VERIFY_TARGET_GROWTH;
      console.log(`verification vs bare full listing: ${verifyRatios.median.toFixed(2)}× (target ≤ ${VERIFY_TARGET_RATIO}×) ${verifyMet ? 'met' : 'MISSED'}`);
      console.log(`estimate for 1,000,000 segments (this run's listing slope, ${(perSegmentMs * 1000).toFixed(1)} ms per 1,000): ${(millionMs / 1000).toFixed(0)} s`);
      console.log('');
      console.log(`requests touching wal_005/: ${w.walRequests} (a full listing would take ${full.requests}); newest segment found: ${w.newest}`);
      const met = ratios.median <= TARGET_RATIO;
      console.log(`browser vs bare: ${ratios.median.toFixed(2)}× (target ≤ ${TARGET_RATIO}×) ${met ? 'met' : 'MISSED'}`);
      const file = writeResults('bench-s3.json', {
        backups: BACKUPS,
        walSegments: WAL_SEGMENTS,
        objects: objects.length,
        seedMs,
        runs,
        bareMs: s(bare),
        browserMs: s(browser),
        windowMs: s(window),
        treeFirstPageMs: s(tree),
        fullWalListing: full,
        ratio: ratios,
        windowRatio: windowRatios,
        requests: { bare: bare[0].requests, browser: browser[0].requests, window: w.requests, treeFirstPage: tree[0].requests },
        walRequests: w.walRequests,
        target: { ratio: TARGET_RATIO, met },
        verification: {
          runs: verifyRuns,
          fullWalListingMs: s(fullRuns),
          verifyMs: s(verified),
          ratio: verifyRatios,
          rssGrowthBytes: rssGrowth,
          heapGrowthBytes: heapGrowth,
          bareListingRssGrowthBytes: listingRssGrowth,
          bareListingHeapGrowthBytes: listingHeapGrowth,
          retainedHeapBytes: retained,
          bareListingRetainedHeapBytes: listingRetained,
          requests: verified[0].requests,
          verdict: verified[0].verdict,
          ok: verified.every((v) => v.ok),
          estimateMsFor1MSegments: millionMs,
          target: { ratio: VERIFY_TARGET_RATIO, growthBytes: VERIFY_TARGET_GROWTH, met: verifyMet },
        },
        totalMs: performance.now() - started,
      });
      console.log(`results: ${file}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      process.removeListener('SIGINT', stop);
      await rgw.stop();
    }
  },
};

export default bench;
