/** The one progress notification with Cancel that the commands use while they wait on the cluster. */
import * as vscode from 'vscode';
import { Cancelled } from '../errors';
import { KubeError } from '../kube/errors';
import { isStorageError } from '../storage/objectStore';

export type Progress = vscode.Progress<{ message?: string; increment?: number }>;

/** A cancellable progress notification titled `StackGres: <title>`; cancelling aborts the kube and storage calls through the signal. */
export function withCancellableProgress<T>(title: string, task: (progress: Progress, signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('StackGres: {0}', title), cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await task(progress, controller.signal);
      } catch (err) {
        // However the kube or storage layer reports an aborted call, the guard sees one quiet Cancelled.
        if (controller.signal.aborted && isCancellation(err)) throw new Cancelled();
        throw err;
      } finally {
        subscription.dispose();
      }
    }),
  );
}

export function isCancellation(err: unknown): boolean {
  return err instanceof Cancelled || err instanceof vscode.CancellationError || (err instanceof KubeError && err.reason === 'cancelled') || (isStorageError(err) && err.code === 'Aborted');
}
