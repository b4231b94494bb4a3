/**
 * A backup's everyday actions beside Run and Delete: Keep This Backup / Let Retention Manage This Backup
 * (a server-side apply of `spec.managedLifecycle` after a confirmation that says what the retention
 * policy will do) and Show Backup Logs (the backup Job's log and Events in a read-only page, ui/backupLogs.ts).
 */
import * as vscode from 'vscode';
import { clusterRetention, lifecycleOwners, lifecyclePlan, MANAGED_LIFECYCLE_FIELD } from '@core/backupJob';
import { readBackup, type BackupView } from '@core/backups';
import type { ExtensionContextHolder } from '../context';
import { UserError } from '../errors';
import { FIELD_MANAGER } from '../kube/api';
import { BackupNode } from '../tree/nodes';
import { backupObject, followBackup, readyModel, sgClusterOf } from '../ui/backupSteps';
import { BackupLogPages, type BackupLogsResult } from '../ui/backupLogs';
import type { CommandSpec } from '../ui/command';
import { pickAnyBackup } from '../ui/picks';
import { isCancellation, withCancellableProgress } from '../ui/progress';
import * as prompts from '../ui/prompts';

export type { BackupLogsResult } from '../ui/backupLogs';

/** What the lifecycle commands return (for the integration suite; the user sees notifications). */
export interface LifecycleResult {
  readonly changed: boolean;
  readonly managedLifecycle: boolean;
  readonly forced?: boolean;
}

export const backupJobCommands: CommandSpec[] = [
  { id: 'stackgres.keepBackup', run: (ctx, arg) => setLifecycle(ctx, arg, false) },
  { id: 'stackgres.letRetentionManageBackup', run: (ctx, arg) => setLifecycle(ctx, arg, true) },
  { id: 'stackgres.showBackupLogs', run: (ctx, arg) => showBackupLogs(ctx, arg) },
];

// ---- Keep / Let Retention Manage -----------------------------------------------------------------------

async function setLifecycle(ctx: ExtensionContextHolder, arg: unknown, managed: boolean): Promise<LifecycleResult> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const chosen =
    arg instanceof BackupNode
      ? arg.backup
      : await pickAnyBackup(api, model, managed ? vscode.l10n.t('Let the retention policy manage which backup?') : vscode.l10n.t('Keep which backup until you delete it?'));
  // The whole object: the model's copy has no managedFields, and the row may be stale.
  const live = await backupObject(api, chosen.namespace, chosen.name);
  const backup = readBackup(live)!;
  if (chosen.uid && live.metadata.uid !== chosen.uid) {
    throw new UserError(vscode.l10n.t('SGBackup {0} in namespace {1} is not the one chosen: it was deleted and created again under the same name meanwhile. Nothing was changed.', backup.name, backup.namespace));
  }
  const cluster = model.covers(backup.cluster.namespace) ? model.get('SGCluster', backup.cluster.namespace, backup.cluster.name) : await api.get('SGCluster', backup.cluster.namespace, backup.cluster.name).catch(() => undefined);
  const plan = lifecyclePlan({
    backup,
    managed,
    retention: cluster ? clusterRetention(cluster) : undefined,
    others: model.backupsOf(backup.cluster.namespace, backup.cluster.name),
    owners: lifecycleOwners(live.metadata.managedFields, FIELD_MANAGER),
  });
  if (plan.problem !== undefined) {
    if ('unchanged' in plan && plan.unchanged) {
      void vscode.window.showInformationMessage(plan.problem);
      return { changed: false, managedLifecycle: backup.managedLifecycle };
    }
    throw new UserError(plan.problem);
  }
  await prompts.confirm(plan.message, plan.detail, plan.button);
  await withCancellableProgress(vscode.l10n.t('Updating SGBackup {0}', backup.name), async (progress, signal) => {
    // Only this field, and only on this very object (the uid): never a new SGBackup if it was deleted meanwhile.
    await api.apply(
      {
        apiVersion: live.apiVersion,
        kind: 'SGBackup',
        metadata: { name: backup.name, namespace: backup.namespace, uid: live.metadata.uid },
        spec: { [MANAGED_LIFECYCLE_FIELD[1]]: managed },
      },
      { force: plan.force, signal },
    );
    ctx.log.info(`Set spec.managedLifecycle: ${managed} on SGBackup ${backup.namespace}/${backup.name}${plan.force ? ' (took the field over from another field manager)' : ''}`);
    progress.report({ message: vscode.l10n.t('waiting for the cluster to confirm…') });
    // The row's marker changes when the watch brings the change: wait for it, so what the user sees next is true.
    await followBackup(model, api, backup.namespace, backup.name, sgClusterOf(backup), AbortSignal.any([signal, AbortSignal.timeout(20_000)]), (o) => !o || readBackup(o)?.managedLifecycle === managed).catch((err: unknown) => {
      if (!isCancellation(err) || signal.aborted) throw err;
    });
  });
  void vscode.window.showInformationMessage(
    managed
      ? plan.deletedByNextBackup
        ? vscode.l10n.t('Backup {0} is managed by the retention policy again: the next backup of the cluster deletes it.', backup.name)
        : vscode.l10n.t('Backup {0} is managed by the retention policy again.', backup.name)
      : vscode.l10n.t('Backup {0} is kept until someone deletes it.', backup.name),
  );
  return { changed: true, managedLifecycle: managed, forced: plan.force };
}

// ---- Show Backup Logs ---------------------------------------------------------------------------------

let pages: BackupLogPages | undefined;

async function showBackupLogs(ctx: ExtensionContextHolder, arg: unknown): Promise<BackupLogsResult> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const chosen: BackupView = arg instanceof BackupNode ? arg.backup : await pickAnyBackup(api, model, vscode.l10n.t('Show the backup Job logs of which backup?'));
  const obj = await backupObject(api, chosen.namespace, chosen.name);
  if (!pages) {
    pages = new BackupLogPages(ctx.log);
    ctx.subscribe(pages);
  }
  return pages.show(api, model, readBackup(obj)!, obj);
}
