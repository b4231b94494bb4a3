/**
 * Listings against storages that page wrongly, on a loopback S3 stand-in spoken to through the real SDK
 * adapter (what the tree opens for a bucket row): each listing ends with one message saying what the
 * storage did, cancelling ends it at once, and forgetting a listing closes its connections.
 */
import * as assert from 'node:assert/strict';
import { BucketBrowser, CANCELLED_MESSAGE, isProblem, PathListing, type Opened } from '../../../../client/src/storage/bucketBrowser';
import { openStorage, type SecretReader } from '../../../../client/src/storage/credentials';
import { ListingError, listUpTo, PagedListing, type ObjectStore } from '../../../../client/src/storage/objectStore';
import * as s3Module from '../../../../client/src/storage/s3';
import { s3ObjectStore } from '../../../../client/src/storage/s3';
import { walCoverage } from '../../../../client/src/storage/walCoverage';
import { startListingServer, type ListingBehaviour, type ListingServer } from '../../../s3/listingServer';
import { backupSeeds, walgObjects, walSegmentName } from '../../../s3/seed';

const BUCKET = 'backups';
const KEY_PREFIX = 'sgbackups.stackgres.io/demo/db/16/';
const BACKUPS = backupSeeds(6);
const KEYS = [...walgObjects(KEY_PREFIX, { backups: BACKUPS, wal: [{ timeline: 1, from: 2, count: 300 }, { timeline: 2, from: 400, count: 20 }], histories: [2], dataObjects: false }).keys()];
/** A misbehaving storage must be stopped well within this; before the guards it never was. */
const DEADLINE_MS = 10_000;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function sdkStore(server: ListingServer): ObjectStore {
  return s3ObjectStore(BUCKET, { endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'not-checked' }, type: 's3Compatible', timeoutMs: 5_000, maxAttempts: 1 });
}

function pathListing(store: ObjectStore, namesOnly = true): PathListing {
  return new PathListing('test', () => Promise.resolve<Opened>({ ok: true, store, keyPrefix: KEY_PREFIX }), { pageSize: 4, namesOnly });
}

describe('Listings against a storage that pages wrongly (a loopback S3 stand-in, through the SDK adapter)', function () {
  this.timeout(DEADLINE_MS);
  let server: ListingServer;
  let store: ObjectStore;

  async function serving(behaviour: ListingBehaviour): Promise<void> {
    server = await startListingServer(BUCKET, KEYS, behaviour);
    store = sdkStore(server);
  }

  // Stopping the server also ends a loop that the guards failed to stop.
  afterEach(async () => {
    store?.destroy?.();
    await server?.stop();
  });

  it('an honest storage is listed in full: every backup, the oldest and the newest WAL segment (the control)', async () => {
    await serving('honest');
    const l = pathListing(store);
    await l.all(1000);
    assert.equal(l.problem, undefined);
    assert.deepEqual(l.backups.map((b) => b.name), BACKUPS.map((b) => b.name));
    assert.ok(l.coverage && !isProblem(l.coverage));
    assert.equal(l.coverage.oldest?.segment, '000000010000000000000002');
    assert.equal(l.coverage.newest?.segment, walSegmentName(2, 419));
    const all = await listUpTo(store, { prefix: KEY_PREFIX, maxKeys: 7 }, 10_000);
    assert.equal(all.objects.length, KEYS.length);
  });

  it('ignoring StartAfter: the WAL row says the storage ignores StartAfter, after a few requests instead of never ending', async () => {
    await serving('ignoresStartAfter');
    const l = pathListing(store);
    await l.first();
    const wal = l.coverage;
    assert.ok(isProblem(wal), 'the WAL row shows a problem');
    assert.equal(wal.code, 'StartAfterIgnored');
    assert.match(wal.message, /^The storage ignores StartAfter when listing s3:\/\/backups\/sgbackups\.stackgres\.io\/demo\/db\/16\/wal_005\/ \(asked for keys after .*, it returned .*\), so the search cannot skip ahead; stopped after \d+ requests\. /);
    assert.ok(server.requests < 10, `${server.requests} requests`);
    assert.equal(l.backups.length, 2, 'the base backups page itself needs no StartAfter and is shown');
  });

  it('repeating its continuation token: the backup listing stops with ListingLoop and keeps what it read once', async () => {
    await serving('repeatsCursor');
    const l = pathListing(store);
    await l.all(10_000);
    assert.equal(l.problem?.code, 'ListingLoop');
    assert.match(l.problem!.message, /does not page the listing of s3:\/\/backups\/.*basebackups_005\/ as S3 does \(it returned the continuation token it was given\); stopped after 2 requests instead of looping\./);
    assert.deepEqual(l.backups.map((b) => b.name), BACKUPS.slice(0, 2).map((b) => b.name), 'no backup twice');
  });

  it('empty pages that always say "more": listUpTo stops after 20 of them with ListingLoop', async () => {
    await serving('emptyPages');
    await assert.rejects(listUpTo(store, { prefix: KEY_PREFIX }, 100), (err: unknown) => {
      assert.ok(err instanceof ListingError);
      assert.equal(err.code, 'ListingLoop');
      assert.match(err.message, /\(20 empty pages in a row, each saying there was more\); stopped after 20 requests/);
      return true;
    });
    assert.equal(server.requests, 20);
  });

  it('empty pages in the tree and the recoverable window: the backup listing ends with the same message', async () => {
    await serving('emptyPages');
    const l = pathListing(store);
    await l.all(10_000);
    assert.equal(l.problem?.code, 'ListingLoop');
    assert.match(l.problem!.message, /20 empty pages in a row/);
    assert.equal(l.hasMore, true, 'nothing claims the listing was complete');
    assert.equal(l.complete, false);
  });

  it('a storage with more pages than one view may read: ListingTooLong at the cap', async () => {
    await serving('honest');
    const listing = new PagedListing(store, { maxRequests: 5 });
    await assert.rejects(listUpTo(listing, { prefix: KEY_PREFIX, maxKeys: 1 }, 10_000), (err: unknown) => {
      assert.ok(err instanceof ListingError);
      assert.equal(err.code, 'ListingTooLong');
      assert.match(err.message, /was stopped after 5 requests, the most one view makes, and the storage still said there was more/);
      return true;
    });
    assert.equal(server.requests, 5);
  });

  it('the WAL search alone, against each misbehaviour, ends', async () => {
    for (const behaviour of ['ignoresStartAfter', 'repeatsCursor'] as const) {
      await serving(behaviour);
      await assert.rejects(walCoverage(store, KEY_PREFIX), (err: unknown) => err instanceof ListingError, behaviour);
      store.destroy?.();
      await server.stop();
    }
    await serving('emptyPages');
    const coverage = await walCoverage(store, KEY_PREFIX);
    assert.equal(coverage.oldest, undefined);
    assert.equal(coverage.walRequests, 5, 'the oldest segment is looked for in five pages at most');
  });

  it('cancel (Cancel in the bucket row\'s notification) ends a load that gets no answer at once, and says so', async () => {
    await serving('silent');
    const l = pathListing(store);
    const loading = l.first();
    // Cancel once the requests are out, so the SDK's requests themselves are aborted.
    const deadline = Date.now() + DEADLINE_MS / 2;
    while (server.requests < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.equal(server.requests, 2, 'the page and the WAL search asked');
    l.cancel();
    await loading;
    assert.equal(l.cancelled, true);
    assert.deepEqual(l.problem, { kind: 'storage', message: CANCELLED_MESSAGE, code: 'Aborted' });
    assert.ok(isProblem(l.coverage) && l.coverage.code === 'Aborted');
    await l.more();
    assert.equal(server.requests, 2, 'a cancelled listing reads nothing more');
  });

  it('the caller\'s signal (the recoverable window\'s Cancel) ends all() too', async () => {
    await serving('silent');
    const l = pathListing(store);
    const controller = new AbortController();
    const loading = l.all(10_000, controller.signal);
    const deadline = Date.now() + DEADLINE_MS / 2;
    while (server.requests < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    controller.abort();
    await loading;
    assert.equal(l.problem?.message, CANCELLED_MESSAGE);
  });
});

describe('Stores do not outlive their use', function () {
  this.timeout(DEADLINE_MS);
  let server: ListingServer;

  beforeEach(async () => {
    server = await startListingServer(BUCKET, KEYS, 'honest');
  });
  afterEach(() => server.stop());

  const spec = (endpoint: string) => ({
    type: 's3Compatible',
    s3Compatible: {
      bucket: BUCKET,
      endpoint,
      region: 'k8s',
      enablePathStyleAddressing: true,
      awsCredentials: { secretKeySelectors: { accessKeyId: { name: 's3', key: 'id' }, secretAccessKey: { name: 's3', key: 'secret' } } },
    },
  });
  const reader: SecretReader = {
    secretValues: () => Promise.resolve({ id: Buffer.from('AKIATEST'), secret: Buffer.from('not-checked') }),
  };

  /** A listing as the tree makes it: the Secret read, the store opened through the lazily loaded adapter. */
  function treeListing(browser: BucketBrowser, key: string): PathListing {
    return browser.listing(key, () => new PathListing(key, async () => {
      const opened = await openStorage(spec(server.endpoint), 'demo', 'sgbackups.stackgres.io/demo/db/16', reader, { timeoutMs: 5_000, loadS3: () => Promise.resolve(s3Module) });
      return opened.ok ? { ok: true, store: opened.store, keyPrefix: opened.location.keyPrefix } : opened;
    }, { pageSize: 4 }));
  }

  it('a context or namespace switch forgets every listing and closes its S3 client\'s connections', async () => {
    const browser = new BucketBrowser();
    let fire: (state: { kind: string }) => void = () => undefined;
    const subscription = browser.forgetOnReset((listener) => {
      fire = listener;
      return { dispose: () => (fire = () => undefined) };
    });
    const l = treeListing(browser, 'ctx-a/demo/s3/path');
    await l.first();
    assert.equal(l.problem, undefined);
    assert.ok(server.openSockets > 0, 'the SDK keeps its connections open after the listing');

    fire({ kind: 'connecting' });
    assert.equal(browser.get('ctx-a/demo/s3/path'), l, 'kept while the connection is only busy');
    fire({ kind: 'idle' });
    assert.equal(browser.get('ctx-a/demo/s3/path'), undefined);
    await server.allSocketsClosed(2_000);
    subscription.dispose();
  });

  it('Refresh on one bucket row closes that row\'s store only', async () => {
    const browser = new BucketBrowser();
    const a = treeListing(browser, 'ctx/demo/s3/a');
    const b = treeListing(browser, 'ctx/demo/s3/b');
    await Promise.all([a.first(), b.first()]);
    const before = server.openSockets;
    browser.forget('ctx/demo/s3/a');
    assert.equal(browser.get('ctx/demo/s3/b'), b);
    const deadline = Date.now() + 2_000;
    while (server.openSockets >= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(server.openSockets < before && server.openSockets > 0, `${before} → ${server.openSockets} connections`);
    browser.forget();
    await server.allSocketsClosed(2_000);
  });
});
