/**
 * The checks of one listing operation, with stores in memory that answer each request as scripted: the
 * ways of paging wrongly that the loopback stand-in does not play.
 */
import * as assert from 'node:assert/strict';
import { ListingError, PagedListing, type ListOptions, type ListPage, type ObjectStore } from '../../../../client/src/storage/objectStore';
import { listOnlyStore } from './listOnlyStore';

function scripted(answer: (o: ListOptions, n: number) => ListPage): ObjectStore & { calls: number } {
  const store: ObjectStore & { calls: number } = Object.assign(listOnlyStore('b', (o) => Promise.resolve(answer(o, ++store.calls))), { calls: 0 });
  return store;
}

const page = (keys: string[], nextCursor?: string): ListPage => ({ objects: keys.map((key) => ({ key, size: 1 })), commonPrefixes: [], nextCursor });

async function stopOf(store: ObjectStore, options: ListOptions = { prefix: 'p/' }): Promise<ListingError> {
  const listing = new PagedListing(store);
  try {
    for await (const _ of listing.pages(options)) {
      // Every page is taken: the listing itself must end.
    }
  } catch (err) {
    assert.ok(err instanceof ListingError, String(err));
    return err;
  }
  assert.fail('the listing ended without a stop');
}

describe('One listing operation: what a storage that pages wrongly gets', () => {
  it('fresh tokens but the first page again (the token ignored): stopped at the second page', async () => {
    const store = scripted((_o, n) => page(['p/a', 'p/b'], `t${n}`));
    const err = await stopOf(store);
    assert.equal(err.code, 'ListingLoop');
    assert.match(err.message, /\(a page started at p\/a, which an earlier page had already passed\); stopped after 2 requests/);
    assert.equal(store.calls, 2);
  });

  it('tokens that go round in a circle: stopped when one comes back', async () => {
    const store = scripted((_o, n) => page([`p/${String(n).padStart(3, '0')}`], ['x', 'y', 'z'][n % 3]));
    const err = await stopOf(store);
    assert.match(err.message, /it returned a continuation token it had returned before/);
    assert.equal(store.calls, 4);
  });

  it('"more" without a token: stopped at once', async () => {
    const err = await stopOf(scripted(() => page(['p/a'], '')));
    assert.match(err.message, /\(it said there was more but gave no continuation token\); stopped after 1 request instead of looping/);
  });

  it('keys outside the prefix: PrefixIgnored', async () => {
    const err = await stopOf(scripted(() => page(['other/a'])));
    assert.equal(err.code, 'PrefixIgnored');
    assert.match(err.message, /\(it returned other\/a\)/);
  });

  it('an honest store with empty pages now and then is listed to its end', async () => {
    const script = [page(['p/a'], '1'), page([], '2'), page([], '3'), page(['p/b'], '4'), page(['p/c'])];
    const store = scripted((_o, n) => script[n - 1]);
    const listing = new PagedListing(store);
    const keys: string[] = [];
    for await (const p of listing.pages({ prefix: 'p/' })) keys.push(...p.objects.map((o) => o.key));
    assert.deepEqual(keys, ['p/a', 'p/b', 'p/c']);
    assert.equal(listing.requests, 5);
  });

  it('an aborted signal: no request is made', async () => {
    const store = scripted(() => page(['p/a']));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(new PagedListing(store).list({ prefix: 'p/', signal: controller.signal }), { name: 'StorageError', code: 'Aborted' });
    assert.equal(store.calls, 0);
  });
});
