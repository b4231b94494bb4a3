// The list-then-watch loop on its own, with a scripted transport: what reaches the consumer for each
// kind of watch ending, and how long it waits before trying again.
import * as assert from 'node:assert/strict';
import type { CacheEvent, KubeObject, ObjectList } from '../../../../client/src/kube/api';
import { KubeError } from '../../../../client/src/kube/errors';
import { WatchedCache, backoffDelay, type WatchTransport } from '../../../../client/src/kube/liveCache';
import { waitFor, failOnUnhandledRejections } from './helpers';

function obj(name: string, rv: string): KubeObject {
  return { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace: 'demo', resourceVersion: rv } };
}

interface OpenWatch {
  rv: string;
  send(type: string, object: unknown): void;
  end(error?: KubeError): void;
}

/** A transport whose lists and watches the test drives by hand. */
class ScriptedTransport implements WatchTransport {
  readonly errorContext = { context: 'test', resource: 'sgbackups.stackgres.io', group: 'stackgres.io' };
  lists: (ObjectList | KubeError)[] = [];
  listCalls = 0;
  watches: OpenWatch[] = [];
  failWatchWith?: KubeError;

  async list(): Promise<ObjectList> {
    this.listCalls++;
    const next = this.lists.shift() ?? { items: [], resourceVersion: '1' };
    if (next instanceof KubeError) throw next;
    return next;
  }

  async watch(rv: string, onEvent: (type: string, object: unknown) => void, onEnd: (error?: KubeError) => void): Promise<{ stop(): void }> {
    if (this.failWatchWith) throw this.failWatchWith;
    let open = true;
    this.watches.push({ rv, send: (t, o) => open && onEvent(t, o), end: (e) => open && ((open = false), onEnd(e)) });
    return { stop: () => (open = false) };
  }
}

describe('Live cache loop', () => {
  failOnUnhandledRejections();
  const FAST = { initialMs: 1, maxMs: 8, minHealthyMs: 0 };
  let cache: WatchedCache | undefined;
  afterEach(() => cache?.stop());

  it('spreads retries: capped exponential delays with full jitter', () => {
    const o = { initialMs: 500, maxMs: 30_000 };
    assert.equal(backoffDelay(0, { ...o, random: () => 0 }), 250);
    assert.equal(backoffDelay(0, { ...o, random: () => 0.999999 }), 500);
    assert.equal(backoffDelay(3, { ...o, random: () => 0 }), 2000);
    assert.equal(backoffDelay(20, { ...o, random: () => 0.999999 }), 30_000, 'capped');
    assert.equal(backoffDelay(1000, { ...o, random: () => 0 }), 15_000, 'no overflow');
  });

  it('lists, then watches from the list resourceVersion, following events and bookmarks', async () => {
    const t = new ScriptedTransport();
    t.lists = [{ items: [obj('a', '5')], resourceVersion: '7' }];
    cache = new WatchedCache(t, { backoff: FAST });
    const events: CacheEvent[] = [];
    cache.onEvent((e) => events.push(e));
    await cache.ready();
    await waitFor('a watch', () => t.watches.length === 1);
    assert.equal(t.watches[0].rv, '7');
    t.watches[0].send('ADDED', obj('b', '8'));
    t.watches[0].send('MODIFIED', obj('a', '9'));
    t.watches[0].send('BOOKMARK', { kind: 'SGBackup', metadata: { resourceVersion: '12' } });
    t.watches[0].send('DELETED', obj('b', '13'));
    assert.deepEqual(events.map((e) => `${e.type}${'object' in e ? ` ${e.object.metadata.name}` : ''}`), ['ADDED a', 'SYNCED', 'ADDED b', 'MODIFIED a', 'DELETED b']);
    assert.equal(cache.resourceVersion, '13');
    t.watches[0].end();
    await waitFor('the watch resumed', () => t.watches.length === 2);
    assert.equal(t.watches[1].rv, '13', 'a normal close resumes from the last resourceVersion');
    assert.equal(t.listCalls, 1);
  });

  it('on 410 re-lists and reports the difference as ADDED, MODIFIED and DELETED', async () => {
    const t = new ScriptedTransport();
    t.lists = [
      { items: [obj('kept', '1'), obj('changed', '2'), obj('gone', '3')], resourceVersion: '3' },
      { items: [obj('kept', '1'), obj('changed', '20'), obj('new', '21')], resourceVersion: '21' },
    ];
    cache = new WatchedCache(t, { backoff: FAST });
    const events: CacheEvent[] = [];
    await cache.ready();
    cache.onEvent((e) => events.push(e));
    await waitFor('a watch', () => t.watches.length === 1);
    t.watches[0].send('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
    await waitFor('the re-list', () => events.some((e) => e.type === 'SYNCED'));
    assert.deepEqual(events.map((e) => `${e.type}${'object' in e ? ` ${e.object.metadata.name}` : ''}`), ['DELETED gone', 'MODIFIED changed', 'ADDED new', 'SYNCED']);
    await waitFor('a watch from the new list', () => t.watches.length === 2);
    assert.equal(t.watches[1].rv, '21');
  });

  it('retries transient failures with growing delays, then says RECONNECTED', async () => {
    const t = new ScriptedTransport();
    cache = new WatchedCache(t, { backoff: { initialMs: 4, maxMs: 1000, minHealthyMs: 60_000, random: () => 0 } });
    const events: CacheEvent[] = [];
    cache.onEvent((e) => events.push(e));
    await cache.ready();
    for (let i = 1; i <= 3; i++) {
      await waitFor(`watch ${i}`, () => t.watches.length === i);
      t.watches[i - 1].end(new KubeError('unreachable', 'reset'));
    }
    await waitFor('watch 4', () => t.watches.length === 4);
    const delays = events.flatMap((e) => (e.type === 'DISCONNECTED' ? [e.retryInMs] : []));
    assert.deepEqual(delays, [2, 4, 8]);
    assert.equal(cache.state, 'synced');
    assert.equal(events.at(-1)?.type, 'RECONNECTED');
  });

  it('waits at least what Retry-After asks', async () => {
    const t = new ScriptedTransport();
    t.lists = [new KubeError('tooManyRequests', 'busy', { retryAfterSeconds: 0.05 }), { items: [], resourceVersion: '1' }];
    cache = new WatchedCache(t, { backoff: FAST });
    const events: CacheEvent[] = [];
    cache.onEvent((e) => events.push(e));
    await cache.ready();
    const drop = events.find((e) => e.type === 'DISCONNECTED') as Extract<CacheEvent, { type: 'DISCONNECTED' }>;
    assert.equal(drop.retryInMs, 50);
  });

  it('stops for good with FAILED when retrying cannot help, and ready() rejects', async () => {
    const t = new ScriptedTransport();
    t.failWatchWith = new KubeError('forbidden', 'no watch for you');
    cache = new WatchedCache(t, { backoff: { initialMs: 0, maxMs: 0 } });
    const events: CacheEvent[] = [];
    cache.onEvent((e) => events.push(e));
    await cache.ready();
    await waitFor('FAILED', () => cache!.state === 'failed');
    assert.deepEqual(events.map((e) => e.type), ['SYNCED', 'FAILED']);
    // With zero delays a loop that kept going would have listed or watched again by now.
    await new Promise((r) => setImmediate(r));
    assert.equal(t.listCalls, 1);

    const t2 = new ScriptedTransport();
    t2.lists = [new KubeError('crdsMissing', 'StackGres is not installed')];
    const failing = new WatchedCache(t2, { backoff: FAST });
    await assert.rejects(failing.ready(), (e: KubeError) => e.reason === 'crdsMissing');
  });

  it('stop() ends the watch and the loop; nobody is told anything after', async () => {
    const t = new ScriptedTransport();
    cache = new WatchedCache(t, { backoff: FAST });
    const events: CacheEvent[] = [];
    cache.onEvent((e) => events.push(e));
    await cache.ready();
    await waitFor('a watch', () => t.watches.length === 1);
    cache.stop();
    t.watches[0].send('ADDED', obj('late', '99'));
    assert.equal(cache.state, 'stopped');
    assert.deepEqual(events.map((e) => e.type), ['SYNCED']);
  });
});
