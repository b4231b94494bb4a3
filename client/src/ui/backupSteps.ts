/** Steps the backup commands share: the ready model, the whole SGBackup, following one to its end. */
import type { BackupView } from '@core/backups';
import type { ClusterModel } from '../clusterModel';
import type { ExtensionContextHolder } from '../context';
import { Cancelled, UserError } from '../errors';
import type { Disposable, KubeApi, KubeObject } from '../kube/api';
import { t } from '../localize';

/** The model, or its error when it could not load (the guard shows it). */
export async function readyModel(ctx: ExtensionContextHolder): Promise<ClusterModel> {
  return (await ctx.model()).usable();
}

/** `spec.sgCluster` as written on the backup. */
export function sgClusterOf(b: BackupView): string {
  return b.copy ? `${b.cluster.namespace}.${b.cluster.name}` : b.cluster.name;
}

/** The whole SGBackup as the server has it (the model holds a slimmed copy): copies and restores carry it. */
export async function backupObject(api: KubeApi, namespace: string, name: string): Promise<KubeObject> {
  const obj = await api.get('SGBackup', namespace, name);
  if (!obj) throw new UserError(t('SGBackup {0} no longer exists in namespace {1}.', name, namespace));
  return obj;
}

/**
 * Follows one SGBackup until `done(object)` (object undefined = gone) holds: through the model when it
 * holds the namespace (what the tree shows), else through a live cache of the cluster's backups.
 * Rejects with the cache's error if it fails, or with Cancelled when the signal aborts.
 */
export function followBackup(model: ClusterModel, api: KubeApi, namespace: string, name: string, sgCluster: string, signal: AbortSignal, done: (obj: KubeObject | undefined) => boolean): Promise<KubeObject | undefined> {
  return new Promise<KubeObject | undefined>((resolve, reject) => {
    const subscriptions: Disposable[] = [];
    let finished = false;
    const finish = (fn: () => void) => {
      if (finished) return;
      finished = true;
      for (const s of subscriptions) s.dispose();
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => finish(() => reject(new Cancelled()));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);

    if (model.covers(namespace)) {
      const check = () => {
        if (model.state.kind === 'failed') {
          const error = model.state.error;
          return finish(() => reject(error));
        }
        const obj = model.get('SGBackup', namespace, name);
        if (done(obj)) finish(() => resolve(obj));
      };
      subscriptions.push(model.onDidChange(check));
      check();
      return;
    }
    const cache = api.cache('SGBackup', { namespace, sgCluster });
    subscriptions.push({ dispose: () => cache.stop() });
    const check = () => {
      const obj = cache.get(namespace, name);
      if (done(obj)) finish(() => resolve(obj));
    };
    subscriptions.push(
      cache.onEvent((e) => {
        if (e.type === 'FAILED') finish(() => reject(e.error));
        else if (e.type !== 'DISCONNECTED') check();
      }),
    );
    cache.ready().then(check, (err: unknown) => finish(() => reject(err)));
  });
}
