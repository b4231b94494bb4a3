import * as assert from 'node:assert/strict';
import { listBaseBackups } from '../../../../client/src/storage/baseBackups';
import type { ObjectStore } from '../../../../client/src/storage/objectStore';
import { matchBackups, WalgBackup } from '@core/walg';
import type { Rgw } from '../../../s3/rgw';
import { backupSeeds, seedWalg, SYSTEM_IDENTIFIER } from '../../../s3/seed';
import { recording, RGW_START_TIMEOUT_MS, sharedRgw, storeAs, uniquePath } from './fixture';

describe('Base backups in the bucket (against Ceph RGW)', function () {
  let rgw: Rgw;
  let owner: ObjectStore;
  const path = uniquePath('basebackups');
  const keyPrefix = `${path}/`;
  // 24 finished backups (one whose sentinel is not JSON, one permanent) and one still running (no sentinel).
  const seeds = backupSeeds(25).map((b, i) => (i === 7 ? { ...b, sentinel: 'not-json' as const } : i === 24 ? { ...b, sentinel: 'missing' as const } : i === 3 ? { ...b, permanent: true } : b));
  const finished = seeds.filter((b) => b.sentinel !== 'missing').map((b) => b.name);

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    rgw = await sharedRgw();
    owner = storeAs(rgw, rgw.owner);
    await seedWalg(owner, keyPrefix, { backups: seeds, wal: [{ timeline: 1, from: 2, count: 40 }] });
  });

  async function allPages(pageSize: number, namesOnly = false): Promise<{ backups: WalgBackup[]; unfinished: string[]; pages: number }> {
    const backups: WalgBackup[] = [];
    const unfinished: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listBaseBackups(owner, keyPrefix, { pageSize, cursor, namesOnly });
      backups.push(...page.backups);
      unfinished.push(...page.unfinished);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    return { backups, unfinished, pages };
  }

  it('pages through every finished backup in order, 5 backups (10 keys) a page', async () => {
    const { backups, pages } = await allPages(10);
    assert.deepEqual(backups.map((b) => b.name), finished);
    assert.equal(pages, 5);
  });

  it('reports the backup without a sentinel as unfinished, even when its sentinel would fall on the next page', async () => {
    for (const pageSize of [10, 7, 1000]) {
      const { unfinished } = await allPages(pageSize, true);
      assert.deepEqual(unfinished, [seeds[24].name], `page size ${pageSize}`);
    }
  });

  it('shows what metadata.json and the sentinel say: times, sizes, PG version, LSNs, permanent', async () => {
    const { backups } = await listBaseBackups(owner, keyPrefix, { pageSize: 1000 });
    const b = backups.find((x) => x.name === seeds[3].name)!;
    assert.deepEqual({ ...b, listedAt: undefined }, {
      name: 'base_00000001000000000000000B',
      listedAt: undefined,
      startTime: '2026-01-01T02:58:30.000000Z',
      finishTime: '2026-01-01T03:00:00.000000Z',
      pgVersion: 160004,
      pgMajor: '16',
      startLsn: '0/B000028',
      finishLsn: '0/C000028',
      startWalFile: '00000001000000000000000B',
      timeline: 1,
      uncompressedSize: 31457280,
      compressedSize: 4194304,
      isPermanent: true,
      hostname: 'cluster-0',
      systemIdentifier: SYSTEM_IDENTIFIER,
      volumeSnapshot: false,
      problems: [],
    });
    assert.ok(b.listedAt && Math.abs(Date.parse(b.listedAt) - Date.now()) < 10 * 60_000);
  });

  it('a sentinel that is not JSON is reported on its backup; the others load', async () => {
    const { backups } = await listBaseBackups(owner, keyPrefix, { pageSize: 1000 });
    const broken = backups.find((x) => x.name === seeds[7].name)!;
    assert.equal(broken.problems.length, 1);
    assert.equal(broken.problems[0], 'The backup stop sentinel is not JSON (it starts with "<?xml version="1.0"?><Error>not what wal")');
    assert.equal(broken.finishTime, '2026-01-01T07:00:00.000000Z', 'metadata.json still gives the times');
    assert.equal(backups.filter((b) => b.problems.length > 0).length, 1);
  });

  it('reads sentinels with at most the given number of requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const counting: ObjectStore = {
      bucket: owner.bucket,
      list: (o) => owner.list(o),
      head: (key, o) => owner.head(key, o),
      put: (key, body, o) => owner.put(key, body, o),
      delete: (key, o) => owner.delete(key, o),
      getBucketLocation: (o) => owner.getBucketLocation(o),
      get: async (key, o) => {
        most = Math.max(most, ++inFlight);
        try {
          return await owner.get(key, o);
        } finally {
          inFlight--;
        }
      },
    };
    const page = await listBaseBackups(counting, keyPrefix, { pageSize: 1000, concurrency: 3 });
    assert.equal(page.backups.length, finished.length);
    assert.equal(page.requests, 1 + 2 * finished.length);
    assert.ok(most <= 6, `${most} reads in flight (3 backups × sentinel + metadata.json)`);
  });

  it('names only: one listing request per page, no reads', async () => {
    const { store, requests } = recording(owner);
    const page = await listBaseBackups(store, keyPrefix, { pageSize: 1000, namesOnly: true });
    assert.deepEqual(page.backups.map((b) => b.name), finished);
    assert.deepEqual(requests.map((r) => r.method), ['list']);
    assert.ok(page.backups.every((b) => b.listedAt !== undefined));
  });

  it('an empty backup path has no backups', async () => {
    const page = await listBaseBackups(owner, `${uniquePath('empty')}/`);
    assert.deepEqual(page, { backups: [], unfinished: [], nextCursor: undefined, requests: 1 });
  });

  it('marks each backup as recorded by an SGBackup or as an orphan the next backup deletes', async () => {
    const { backups } = await listBaseBackups(owner, keyPrefix, { pageSize: 1000, namesOnly: true });
    const sgBackups = finished.slice(0, 20).map((name, i) => ({
      metadata: { name: `demo-2026-01-01-${String(i).padStart(2, '0')}-00-00`, namespace: 'demo' },
      status: { internalName: name, backupPath: path, process: { status: 'Completed' } },
    }));
    const match = matchBackups(backups.map((b) => b.name), path, sgBackups, true);
    assert.equal(match.backups.filter((b) => b.orphan).length, finished.length - 20);
    assert.deepEqual(match.backups[0].sgBackup, { name: 'demo-2026-01-01-00-00-00', namespace: 'demo' });
    assert.equal(match.backups[22].note, 'No SGBackup records this backup: the next backup of the cluster deletes it.');
    assert.deepEqual(match.missing, []);
  });
});
