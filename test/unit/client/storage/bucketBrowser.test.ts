import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { BucketBrowser, isProblem, PathListing, type Opened } from '../../../../client/src/storage/bucketBrowser';
import type { ObjectStore } from '../../../../client/src/storage/objectStore';
import { s3ObjectStore } from '../../../../client/src/storage/s3';
import type { Rgw } from '../../../s3/rgw';
import { backupSeeds, seedWalg } from '../../../s3/seed';
import { recording, RGW_START_TIMEOUT_MS, sharedRgw, storeAs, uniquePath, type RecordedRequest } from './fixture';

describe('The bucket browser: a backup path listed page by page (against Ceph RGW)', function () {
  let rgw: Rgw;
  let owner: ObjectStore;
  const keyPrefix = `${uniquePath('browser')}/`;
  const seeds = backupSeeds(12).map((b, i) => (i === 4 ? { ...b, sentinel: 'not-json' as const } : b));

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    rgw = await sharedRgw();
    owner = storeAs(rgw, rgw.owner);
    await seedWalg(owner, keyPrefix, { backups: seeds, wal: [{ timeline: 1, from: 2, count: 600 }], dataObjects: false });
  });

  function listing(store: ObjectStore, pageSize: number, namesOnly = false): { listing: PathListing; requests: RecordedRequest[] } {
    const rec = recording(store);
    const opened: Opened = { ok: true, store: rec.store, keyPrefix };
    return { listing: new PathListing(`k-${randomBytes(3).toString('hex')}`, () => Promise.resolve(opened), { pageSize, namesOnly }), requests: rec.requests };
  }

  it('loads the first page and the WAL coverage, then one more page per "Load more"', async () => {
    const { listing: l } = listing(owner, 10);
    await l.first();
    assert.equal(l.backups.length, 5, 'ten keys a page: five folders and five sentinels');
    assert.equal(l.hasMore, true);
    assert.equal(l.complete, false);
    const wal = l.coverage;
    assert.ok(wal && !isProblem(wal));
    assert.equal(wal.oldest?.segment, '000000010000000000000002');
    assert.equal(wal.newest?.segment, '000000010000000200000059');
    await l.more();
    await l.more();
    assert.deepEqual(l.backups.map((b) => b.name), seeds.map((s) => s.name));
    assert.equal(l.hasMore, false);
    assert.equal(l.complete, true);
    assert.deepEqual(l.backups[4].problems, ['The backup stop sentinel is not JSON (it starts with "<?xml version="1.0"?><Error>not what wal")']);
    assert.equal(l.backups[3].pgMajor, '16');
  });

  it('all(): every page, with the WAL search running beside the listing', async () => {
    const { listing: l, requests } = listing(owner, 6, true);
    await l.all(1000);
    assert.deepEqual(l.backups.map((b) => b.name), seeds.map((s) => s.name));
    assert.equal(l.complete, true);
    assert.ok(l.coverage && !isProblem(l.coverage) && l.coverage.newest?.segment === '000000010000000200000059');
    assert.equal(requests.filter((r) => r.key.endsWith('basebackups_005/')).length, 4, '24 keys, 6 a page');
  });

  it('finish times from metadata.json for chosen backups, skipping those that cannot be read', async () => {
    const { listing: l } = listing(owner, 1000, true);
    await l.first();
    const times = await l.finishTimes([seeds[0].name, seeds[5].name, 'base_000000010000000000FFFFFF']);
    assert.deepEqual(Object.fromEntries(times), { [seeds[0].name]: seeds[0].finishedAt.toISOString(), [seeds[5].name]: seeds[5].finishedAt.toISOString() });
  });

  it('never lists wal_005/ in full: a few one-key listings', async () => {
    const { listing: l, requests } = listing(owner, 1000);
    await l.first();
    const wal = requests.filter((r) => r.method === 'list' && r.key.startsWith(`${keyPrefix}wal_005/`));
    assert.equal(wal.length, l.walRequests);
    assert.ok(wal.length <= 40, `${wal.length} WAL listings`);
    assert.ok(wal.every((r) => (r.maxKeys ?? 1000) <= 10), 'each asks for at most 10 keys');
  });

  it('a tree refresh asks nothing again; forgetting the listing reads the bucket again', async () => {
    const browser = new BucketBrowser();
    let opens = 0;
    // Each listing opens its own store, as the tree does: forgetting the listing closes it.
    const create = () => new PathListing('path-a', () => {
      opens++;
      return Promise.resolve<Opened>({ ok: true, store: storeAs(rgw, rgw.owner), keyPrefix });
    }, { pageSize: 1000, namesOnly: true });
    await browser.listing('path-a', create).first();
    await browser.listing('path-a', create).first();
    assert.equal(opens, 1);
    browser.forget('path-a');
    await browser.listing('path-a', create).first();
    assert.equal(opens, 2);
  });

  it('names only: one request for the page, times from the listing', async () => {
    const { listing: l, requests } = listing(owner, 1000, true);
    await l.first();
    assert.equal(l.backups.length, 12);
    assert.ok(l.backups.every((b) => b.listedAt && b.finishTime === undefined));
    assert.equal(requests.filter((r) => r.method === 'get').length, 0);
  });

  it('credentials the bucket refuses: the problem with its code and fix, and no crash', async () => {
    const wrong = storeAs(rgw, { accessKeyId: rgw.owner.accessKeyId, secretAccessKey: randomBytes(20).toString('hex') });
    const { listing: l } = listing(wrong, 100);
    await l.first();
    assert.equal(l.problem?.code, 'SignatureDoesNotMatch');
    assert.match(l.problem!.message, /^The secret access key does not match the access key ID/);
    assert.deepEqual(l.backups, []);
  });

  it('no credentials at all: the opener\'s problem is shown as is', async () => {
    const l = new PathListing('none', () => Promise.resolve<Opened>({ ok: false, problem: { kind: 'credentials', message: 'Secret s3 does not exist in namespace demo.' } }));
    await l.first();
    assert.deepEqual(l.problem, { kind: 'credentials', message: 'Secret s3 does not exist in namespace demo.' });
    assert.equal(l.loaded, true);
  });

  it('an endpoint that does not answer: a Timeout problem within the time limit', async function () {
    this.timeout(20_000);
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as { port: number }).port;
      const store = s3ObjectStore('b', { endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, credentials: rgw.owner, type: 's3Compatible', timeoutMs: 500, maxAttempts: 1 });
      const started = Date.now();
      const l = new PathListing('silent', () => Promise.resolve<Opened>({ ok: true, store, keyPrefix: '' }));
      await l.first();
      assert.equal(l.problem?.code, 'Timeout');
      assert.ok(Date.now() - started < 5_000);
    } finally {
      silent.close();
    }
  });
});
