import * as assert from 'node:assert/strict';
import type { ListOptions, ListPage, ObjectStore } from '../../../../client/src/storage/objectStore';
import { walCoverage } from '../../../../client/src/storage/walCoverage';
import { hex8, parseWalObjectName } from '@core/walg';
import type { Rgw } from '../../../s3/rgw';
import { seedWalg, walgObjects, WalgSeed, walSegmentName } from '../../../s3/seed';
import { recording, RGW_START_TIMEOUT_MS, sharedRgw, storeAs, uniquePath } from './fixture';
import { listOnlyStore } from './listOnlyStore';

/** Three timelines, 520 segments across three log files, and what a promotion leaves behind. */
const layout: WalgSeed = {
  histories: [2, 3, 4],
  wal: [
    { timeline: 1, from: 0x002, count: 300 },
    { timeline: 2, from: 0x12d, count: 150 },
    { timeline: 3, from: 0x1c2, count: 70 },
  ],
};

describe('WAL coverage (against Ceph RGW)', function () {
  let rgw: Rgw;
  let owner: ObjectStore;
  const keyPrefix = `${uniquePath('wal')}/`;

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    rgw = await sharedRgw();
    owner = storeAs(rgw, rgw.owner);
    await seedWalg(owner, keyPrefix, layout);
    // A backup label shares the newest segment's name; timeline 4 has its history file but no WAL yet.
    await owner.put(`${keyPrefix}wal_005/${walSegmentName(3, 0x207)}.00000028.backup.lz4`, 'label');
  });

  it('finds the oldest and the newest segment of 524 objects with a few one-key listings', async () => {
    const { store, requests } = recording(owner);
    const coverage = await walCoverage(store, keyPrefix);
    assert.equal(coverage.oldest?.segment, '000000010000000000000002');
    assert.equal(coverage.oldest?.key, `${keyPrefix}wal_005/000000010000000000000002.lz4`);
    assert.equal(coverage.newest?.segment, '000000030000000200000007');
    assert.equal(coverage.newest?.kind, 'segment');
    assert.equal(coverage.newest?.compression, 'lz4');
    assert.ok(coverage.newest?.lastModified instanceof Date);
    assert.deepEqual(coverage.problems, []);

    // Bounded: never a full listing of wal_005/.
    assert.equal(coverage.walRequests, requests.length);
    assert.ok(requests.every((r) => r.method === 'list' && r.key.startsWith(`${keyPrefix}wal_005/`)));
    assert.ok(requests.every((r) => (r.maxKeys ?? 1000) <= 10), 'every request asks for 10 keys at most');
    assert.ok(coverage.walRequests <= 40, `${coverage.walRequests} requests`);
    assert.ok(coverage.keysRead <= 40, `${coverage.keysRead} keys read of 524`);
  });

  it('an empty backup path: no WAL, one request', async () => {
    const coverage = await walCoverage(owner, `${uniquePath('nowal')}/`);
    assert.deepEqual(coverage, { walRequests: 1, keysRead: 0, problems: [] });
  });
});

/** The S3 listing semantics walCoverage relies on (prefix, StartAfter, MaxKeys), over sorted keys in memory. */
function memoryStore(keys: string[]): ObjectStore & { requests: number } {
  const sorted = [...keys].sort();
  const list = async (o: ListOptions): Promise<ListPage> => {
    store.requests++;
    const after = o.cursor ?? o.startAfter;
    // Binary searches: layouts have thousands of keys.
    const firstIndex = (before: (k: string) => boolean): number => {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(sorted[mid])) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const lo = Math.max(firstIndex((k) => k < o.prefix), after === undefined ? 0 : firstIndex((k) => k <= after));
    const page: string[] = [];
    const max = o.maxKeys ?? 1000;
    let i = lo;
    for (; i < sorted.length && sorted[i].startsWith(o.prefix) && page.length < max; i++) page.push(sorted[i]);
    const more = i < sorted.length && sorted[i].startsWith(o.prefix);
    return { objects: page.map((key) => ({ key, size: 1 })), commonPrefixes: [], nextCursor: more ? page[page.length - 1] : undefined };
  };
  const store = Object.assign(listOnlyStore('memory', list), { requests: 0 });
  return store;
}

/** A deterministic pseudo-random generator, so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('WAL coverage search (randomised layouts, checked against a full scan)', () => {
  it('agrees with a full scan on 200 layouts, with requests growing like a logarithm', async function () {
    // CPU-bound (200 layouts of up to thousands of keys): about 2 s alone, more on a shared machine.
    this.timeout(30_000);
    let worst = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const random = rng(seed);
      const runs: { timeline: number; from: number; count: number }[] = [];
      let timeline = 1 + Math.floor(random() * 3);
      let from = Math.floor(random() * 5000);
      const timelines = 1 + Math.floor(random() * 4);
      for (let t = 0; t < timelines; t++) {
        const count = 1 + Math.floor(random() * 700);
        runs.push({ timeline, from, count });
        from += count - 1 + Math.floor(random() * 3000);
        timeline += 1 + Math.floor(random() * (random() < 0.2 ? 300 : 2));
      }
      const histories = runs.slice(1).map((r) => r.timeline);
      if (random() < 0.3) histories.push(timeline + 5); // a promotion that wrote no WAL yet
      const keys = [...walgObjects('p/', { wal: runs, histories }).keys()];
      const store = memoryStore(keys);
      const coverage = await walCoverage(store, 'p/');
      const segments = keys.map((k) => parseWalObjectName(k)).filter((w) => w?.kind === 'segment').map((w) => w!.segment!).sort();
      assert.equal(coverage.oldest?.segment, segments[0], `seed ${seed}`);
      assert.equal(coverage.newest?.segment, segments[segments.length - 1], `seed ${seed}`);
      // 3 fields × (gallop + bisect) over at most 2^32 values, plus the oldest and the first-of-timeline listings.
      assert.ok(store.requests <= 3 * 2 * 33 + 8, `seed ${seed}: ${store.requests} requests`);
      worst = Math.max(worst, store.requests);
    }
    assert.ok(worst < 80, `worst case ${worst} requests`);
  });

  it('ignores timeline history files before the first segment', async () => {
    const keys = [`p/wal_005/${hex8(2)}.history.lz4`, `p/wal_005/${walSegmentName(2, 5)}.lz4`, `p/wal_005/${walSegmentName(2, 6)}.partial.lz4`];
    const coverage = await walCoverage(memoryStore(keys), 'p/');
    assert.equal(coverage.oldest?.segment, walSegmentName(2, 5));
    assert.equal(coverage.newest?.segment, walSegmentName(2, 6));
    assert.equal(coverage.newest?.kind, 'partial');
  });
});
