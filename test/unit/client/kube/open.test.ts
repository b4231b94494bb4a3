// The Kubernetes adapter is a bundle of its own with its own KubeError class: where the client opens it,
// every failure becomes the client's KubeError, so commands check `instanceof` and never parse shapes.
import * as assert from 'node:assert/strict';
import type { CacheEvent, KubeApi, LiveCache } from '../../../../client/src/kube/api';
import { KubeError } from '../../../../client/src/kube/errors';
import { openKubeApi, type KubeModule } from '../../../../client/src/kube/open';

/** An error as the other bundle's KubeError looks from here: same name and fields, another class. */
function foreign(reason: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name: 'KubeError', reason, action: 'Check the RBAC of your user.', status: 403, kubeReason: 'Forbidden', ...extra });
}

function fakeModule(api: Partial<KubeApi>, opening?: Error): KubeModule {
  return { openKube: () => (opening ? Promise.reject(opening) : Promise.resolve(api as KubeApi)) } as unknown as KubeModule;
}

const own = (reason: string) => (e: unknown) => e instanceof KubeError && e.reason === reason && e.action === 'Check the RBAC of your user.' && e.status === 403 && e.kubeReason === 'Forbidden';

describe('Opening the Kubernetes adapter bundle', () => {
  it('turns its failures into the client\'s KubeError: calls, throws, opening', async () => {
    const api = await openKubeApi({ trusted: false }, () =>
      Promise.resolve(
        fakeModule({
          get: () => Promise.reject(foreign('forbidden', 'You may not read SGCluster db.')),
          secretValues: () => Promise.reject(foreign('notFound', 'secrets "keys" not found')),
          withContext: () => {
            throw foreign('config', 'No context "other" in the kubeconfig.');
          },
        }),
      ),
    );
    await assert.rejects(api.get('SGCluster', 'demo', 'db'), own('forbidden'));
    await assert.rejects(api.secretValues('demo', 'keys', ['a']), own('notFound'));
    assert.throws(() => api.withContext('other'), own('config'));
    await assert.rejects(openKubeApi({ trusted: false }, () => Promise.resolve(fakeModule({}, foreign('unreachable', 'The API server does not answer.')))), own('unreachable'));
  });

  it('turns the errors its live caches report into the client\'s KubeError', async () => {
    let listener: ((e: CacheEvent) => void) | undefined;
    const cache: Partial<LiveCache> = {
      state: 'failed',
      lastError: foreign('forbidden', 'You may not watch SGBackups.') as KubeError,
      onEvent: (l) => {
        listener = l;
        return { dispose: () => (listener = undefined) };
      },
      ready: () => Promise.reject(foreign('forbidden', 'You may not list SGBackups.')),
    };
    const api = await openKubeApi({ trusted: false }, () => Promise.resolve(fakeModule({ cache: () => cache as LiveCache })));
    const opened = api.cache('SGBackup');
    const seen: CacheEvent[] = [];
    opened.onEvent((e) => seen.push(e));
    listener?.({ type: 'FAILED', error: foreign('forbidden', 'You may not watch SGBackups.') as KubeError });
    assert.equal(seen.length, 1);
    assert.ok(seen[0].type === 'FAILED' && own('forbidden')(seen[0].error));
    assert.ok(own('forbidden')(opened.lastError));
    await assert.rejects(opened.ready(), own('forbidden'));
  });
});
