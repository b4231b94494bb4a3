/**
 * Backup commands: Run Backup Now (create an SGBackup and follow it to Completed or Failed), Delete Backup
 * (typed-name confirmation, then follow it out of the cache) and Copy Backup to Namespace (as the
 * StackGres restore runbook does it: the SGBackup with `spec.sgCluster = <namespace>.<cluster>` and the storage Secrets, all or nothing).
 * The steps restore.ts shares with these live in ui/ (picks, progress, following a backup, the copy).
 */
import * as vscode from 'vscode';
import {
  backupOutcome,
  clusterInText,
  deleteBackupWarning,
  runBackupProblem,
} from '@core/backupActions';
import { manualBackupManifest, MANAGED_LIFECYCLE_CHOICES, readBackup, type BackupView } from '@core/backups';
import { notificationText } from '@core/markdown';
import { errorText, type CopyBackupResult } from '../backupCopy';
import type { ClusterModel } from '../clusterModel';
import type { ExtensionContextHolder } from '../context';
import { UserError } from '../errors';
import type { KubeApi, KubeObject } from '../kube/api';
import { KubeError } from '../kube/errors';
import { BackupNode, ClusterNode } from '../tree/nodes';
import { backupObject, followBackup, readyModel, sgClusterOf } from '../ui/backupSteps';
import type { CommandSpec } from '../ui/command';
import { copyBackupTo } from '../ui/copyBackup';
import { pickAnyBackup, pickCluster, pickCompletedBackup, pickNamespace } from '../ui/picks';
import { isCancellation, withCancellableProgress } from '../ui/progress';
import * as prompts from '../ui/prompts';

export type { CopyBackupResult } from '../backupCopy';

/** What Run Backup Now returns (for the integration suite; the user sees notifications). */
export interface RunBackupResult {
  readonly namespace: string;
  readonly name: string;
  /** The last phase seen; `following: false` when the user stopped following before the end. */
  readonly phase: BackupView['phase'];
  readonly following: boolean;
}

export const backupCommands: CommandSpec[] = [
  { id: 'stackgres.runBackup', run: (ctx, arg) => runBackup(ctx, arg) },
  { id: 'stackgres.deleteBackup', run: (ctx, arg) => deleteBackup(ctx, arg) },
  { id: 'stackgres.copyBackup', run: (ctx, arg) => copyBackup(ctx, arg) },
];

// ---- Run Backup Now -----------------------------------------------------------------------------------

async function runBackup(ctx: ExtensionContextHolder, arg: unknown): Promise<RunBackupResult> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const cluster = await clusterToBackUp(api, model, arg);
  const namespace = cluster.metadata.namespace ?? api.context.namespace;
  const clusterName = cluster.metadata.name;
  const problem = runBackupProblem(cluster, (storage) => (model.covers(namespace) ? model.get('SGObjectStorage', namespace, storage) !== undefined : undefined));
  if (problem) throw new UserError(problem);

  const lifecycle = await prompts.pick(
    MANAGED_LIFECYCLE_CHOICES.map((c) => ({ label: c.label, detail: c.detail, managedLifecycle: c.managedLifecycle })),
    { title: vscode.l10n.t('Back up {0} now: who deletes this backup?', `${namespace}/${clusterName}`), ignoreFocusOut: true },
  );
  const started = new Date();
  const first = manualBackupManifest({ namespace, cluster: clusterName, managedLifecycle: lifecycle.managedLifecycle, now: started });
  if (first.problem) throw new UserError(first.problem);

  let name = first.name;
  let created = false;
  const outcome = await withCancellableProgress(vscode.l10n.t('Backup {0} of {1}', name, clusterName), async (progress, signal) => {
    progress.report({ message: vscode.l10n.t('creating the SGBackup…') });
    // Names are per second, like the schedule's: a backup (scheduled or not) already named for this second
    // moves this one to the next free second.
    for (let attempt = 0; ; attempt++) {
      const backup = attempt === 0 ? first : manualBackupManifest({ namespace, cluster: clusterName, managedLifecycle: lifecycle.managedLifecycle, now: new Date(started.getTime() + attempt * 1000) });
      name = backup.name;
      const taken = await api.create(backup.manifest as KubeObject, { signal }).then(
        () => false,
        (err: unknown) => {
          if (err instanceof KubeError && err.kubeReason === 'AlreadyExists' && attempt < 5) return true;
          // No answer (timeout, lost connection): the API server may still have created it.
          if (isCancellation(err) || (err instanceof KubeError && err.status !== undefined)) throw err;
          throw new UserError(vscode.l10n.t('{0} SGBackup {1} may still have been created: look for it in the tree before running another backup.', errorText(err), name));
        },
      );
      if (!taken) break;
    }
    created = true;
    ctx.log.info(`Created SGBackup ${namespace}/${name} of cluster ${clusterName} (managedLifecycle: ${lifecycle.managedLifecycle})`);
    let last: BackupView | undefined;
    const done = await followBackup(model, api, namespace, name, clusterName, signal, (obj) => {
      // Not there yet is not gone: the cache may not have seen the create.
      if (!obj) return last !== undefined;
      const view = readBackup(obj);
      if (view && view.phase !== last?.phase) progress.report({ message: phaseWords(view) });
      last = view ?? last;
      return view?.phase === 'Completed' || view?.phase === 'Failed';
    });
    return { obj: done, last };
  }).catch((err: unknown) => {
    if (created && isCancellation(err)) return 'stopped' as const;
    throw err;
  });

  if (outcome === 'stopped') {
    void vscode.window.showInformationMessage(vscode.l10n.t('Stopped following backup {0}. It goes on in the cluster and was not deleted: the tree shows its status.', name));
    return { namespace, name, phase: readBackupOf(model, namespace, name)?.phase ?? 'Pending', following: false };
  }
  if (!outcome.obj) {
    throw new UserError(outcome.last?.phase === 'Running' ? vscode.l10n.t('SGBackup {0} was deleted while it was running.', name) : vscode.l10n.t('SGBackup {0} was deleted while it waited to start.', name));
  }
  const view = readBackup(outcome.obj)!;
  const said = backupOutcome(view);
  if (said.ok) {
    ctx.log.info(said.message);
    void vscode.window.showInformationMessage(notificationText(said.message), vscode.l10n.t('Reveal')).then((choice) => choice && revealInTree(ctx, namespace, name));
  } else {
    ctx.log.warn(`${said.message}${view.failure ? `\nstatus.process.failure of ${namespace}/${name}:\n${view.failure}` : ''}`);
    // The failure is the backup Job's own words, from the cluster.
    void vscode.window.showErrorMessage(notificationText(said.message), vscode.l10n.t('Show Log')).then((choice) => choice && ctx.log.show(true));
  }
  return { namespace, name, phase: view.phase, following: true };
}

function phaseWords(b: BackupView): string {
  switch (b.phase) {
    case 'Pending':
      return vscode.l10n.t('Pending: waiting for the operator to start the backup Job…');
    case 'Running':
      return vscode.l10n.t('Running: the backup Job is copying the data to object storage…');
    default:
      return b.phase;
  }
}

/** The SGCluster to back up: the tree's node, the SGCluster manifest in the editor (if it exists), or a pick. */
async function clusterToBackUp(api: KubeApi, model: ClusterModel, arg: unknown): Promise<KubeObject> {
  if (arg instanceof ClusterNode) return model.get('SGCluster', arg.namespace, arg.name) ?? arg.object;
  const editor = vscode.window.activeTextEditor;
  const inEditor = editor && editor.document.languageId === 'yaml' ? clusterInText(editor.document.getText(), editor.document.offsetAt(editor.selection.active)) : undefined;
  if (inEditor) {
    const namespace = inEditor.namespace ?? api.context.namespace;
    const live = (model.covers(namespace) ? model.get('SGCluster', namespace, inEditor.name) : undefined) ?? (await api.get('SGCluster', namespace, inEditor.name));
    if (!live) {
      throw new UserError(vscode.l10n.t('SGCluster {0} of the editor does not exist in namespace {1} of context "{2}": apply it first, then run the backup.', inEditor.name, namespace, api.context.name), {
        title: vscode.l10n.t('Apply'),
        command: 'stackgres.applyManifest',
        args: [editor!.document.uri],
      });
    }
    return live;
  }
  return pickCluster(api, model, vscode.l10n.t('Run backup now: which cluster?'));
}

// ---- Delete Backup --------------------------------------------------------------------------------------

async function deleteBackup(ctx: ExtensionContextHolder, arg: unknown): Promise<{ deleted: boolean }> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const b = arg instanceof BackupNode ? arg.backup : await pickAnyBackup(api, model, vscode.l10n.t('Delete backup: which one?'));
  const clusterKnown = model.covers(b.cluster.namespace) ? model.get('SGCluster', b.cluster.namespace, b.cluster.name) !== undefined : true;
  const warning = deleteBackupWarning(b, model.backupsOf(b.cluster.namespace, b.cluster.name), clusterKnown);
  const typed = await prompts.input({
    title: vscode.l10n.t('Delete SGBackup {0} in {1}?', b.name, b.namespace),
    prompt: vscode.l10n.t('{0} Type the backup name to delete it.', warning),
    placeHolder: b.name,
    ignoreFocusOut: true,
  });
  if (typed.trim() !== b.name) {
    void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" is not {1}: nothing was deleted.', typed, b.name));
    return { deleted: false };
  }
  await withCancellableProgress(vscode.l10n.t('Deleting SGBackup {0}', b.name), async (progress, signal) => {
    // The uid the user was shown: a backup made again under the same name since then is not deleted.
    const existed = await api.delete('SGBackup', b.namespace, b.name, { signal, preconditions: b.uid ? { uid: b.uid } : undefined });
    ctx.log.info(existed ? `Deleted SGBackup ${b.namespace}/${b.name}` : `SGBackup ${b.namespace}/${b.name} was already gone`);
    progress.report({ message: vscode.l10n.t('waiting for the cluster to confirm…') });
    const left = await followBackup(model, api, b.namespace, b.name, sgClusterOf(b), AbortSignal.any([signal, AbortSignal.timeout(60_000)]), (obj) => obj === undefined).catch((err: unknown) => {
      if (isCancellation(err) && !signal.aborted) return 'slow' as const;
      throw err;
    });
    if (left === 'slow') void vscode.window.showWarningMessage(vscode.l10n.t('The cluster accepted deleting SGBackup {0}, but still lists it after a minute (a finalizer?). Refresh later.', b.name));
  });
  void vscode.window.showInformationMessage(b.phase === 'Failed' ? vscode.l10n.t('Deleted SGBackup {0}.', b.name) : vscode.l10n.t('Deleted SGBackup {0}. Its files go at the next backup of the cluster, once no copy names them.', b.name));
  return { deleted: true };
}

// ---- Copy Backup to Namespace ---------------------------------------------------------------------------

async function copyBackup(ctx: ExtensionContextHolder, arg: unknown): Promise<CopyBackupResult> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const b = arg instanceof BackupNode ? arg.backup : await pickCompletedBackup(api, model, vscode.l10n.t('Copy backup to another namespace'));
  const source = await backupObject(api, b.namespace, b.name);
  const target = await pickNamespace(api, model.namespaces(), vscode.l10n.t('Copy {0} to which namespace?', b.name), { except: b.namespace });
  return copyBackupTo(ctx, api, source, target);
}

// ---- Shared steps ---------------------------------------------------------------------------------------

function readBackupOf(model: ClusterModel, namespace: string, name: string): BackupView | undefined {
  const obj = model.get('SGBackup', namespace, name);
  return obj ? readBackup(obj) : undefined;
}

/** Focuses the StackGres view, where the backup is listed under its cluster. */
function revealInTree(ctx: ExtensionContextHolder, namespace: string, name: string): void {
  void ctx.reveal('SGBackup', namespace, name).then(
    async (found) => {
      if (!found) await vscode.commands.executeCommand('stackgres.clusters.focus');
    },
    (err: unknown) => ctx.log.warn(`Cannot show ${namespace}/${name} in the StackGres view: ${String(err)}`),
  );
}
