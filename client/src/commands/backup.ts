/**
 * Backup commands: Run Backup Now (create an SGBackup and follow it to Completed or Failed), Delete Backup
 * (typed-name confirmation, then follow it out of the cache) and Copy Backup to Namespace (DOMAIN §6:
 * the SGBackup with `spec.sgCluster = <namespace>.<cluster>` and the storage Secrets, all or nothing).
 * The shared steps (choosing a cluster or a backup, progress, following a backup) are exported for restore.ts.
 */
import * as vscode from 'vscode';
import {
  backupOutcome,
  backupChoiceDescription,
  clusterInText,
  deleteBackupWarning,
  namespaceProblem,
  runBackupProblem,
  type SecretCopyStep,
} from '../../../server/src/domain/backupActions';
import { manualBackupManifest, MANAGED_LIFECYCLE_CHOICES, readBackup, type BackupView } from '../../../server/src/domain/backups';
import { notificationText } from '../../../server/src/domain/markdown';
import type { ClusterModel } from '../clusterModel';
import type { ExtensionContextHolder } from '../context';
import { Cancelled, UserError } from '../errors';
import type { KubeApi, KubeObject, Disposable } from '../kube/api';
import { BackupNode, ClusterNode } from '../tree/nodes';
import * as prompts from '../ui/prompts';
import { rethrowKubeError } from './apply';
import { copyBackupSteps, CopyBackupFailed, errorText, type CopyBackupAsker, type CopyBackupResult } from './backupCopy';
import type { CommandSpec } from './index';

export type { CopyBackupResult } from './backupCopy';

/** What Run Backup Now returns (for the integration suite; the user sees notifications). */
export interface RunBackupResult {
  readonly namespace: string;
  readonly name: string;
  /** The last phase seen; `following: false` when the user stopped following before the end. */
  readonly phase: BackupView['phase'];
  readonly following: boolean;
}

// rethrowKubeError: a failure from the separately bundled kube layer reaches the guard as a KubeError it knows.
export const backupCommands: CommandSpec[] = [
  { id: 'stackgres.runBackup', run: (ctx, arg) => runBackup(ctx, arg).catch(rethrowKubeError) },
  { id: 'stackgres.deleteBackup', run: (ctx, arg) => deleteBackup(ctx, arg).catch(rethrowKubeError) },
  { id: 'stackgres.copyBackup', run: (ctx, arg) => copyBackup(ctx, arg).catch(rethrowKubeError) },
];

// ---- Run Backup Now -----------------------------------------------------------------------------------

async function runBackup(ctx: ExtensionContextHolder, arg: unknown): Promise<RunBackupResult> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const cluster = await clusterToBackUp(api, model, arg);
  const namespace = cluster.metadata.namespace ?? api.context.namespace;
  const clusterName = cluster.metadata.name;
  const problem = runBackupProblem(cluster, (storage) => (covers(model, namespace) ? model.get('SGObjectStorage', namespace, storage) !== undefined : undefined));
  if (problem) throw new UserError(problem);

  const lifecycle = await prompts.pick(
    MANAGED_LIFECYCLE_CHOICES.map((c) => ({ label: c.label, detail: c.detail, managedLifecycle: c.managedLifecycle })),
    { title: `Back up ${namespace}/${clusterName} now: who deletes this backup?`, ignoreFocusOut: true },
  );
  const started = new Date();
  const first = manualBackupManifest({ namespace, cluster: clusterName, managedLifecycle: lifecycle.managedLifecycle, now: started });
  if (first.problem) throw new UserError(first.problem);

  let name = first.name;
  let created = false;
  const outcome = await withCancellableProgress(`Backup ${name} of ${clusterName}`, async (progress, signal) => {
    progress.report({ message: 'creating the SGBackup…' });
    // Names are per second, like the schedule's: a backup (scheduled or not) already named for this second
    // moves this one to the next free second.
    for (let attempt = 0; ; attempt++) {
      const backup = attempt === 0 ? first : manualBackupManifest({ namespace, cluster: clusterName, managedLifecycle: lifecycle.managedLifecycle, now: new Date(started.getTime() + attempt * 1000) });
      name = backup.name;
      const taken = await api.create(backup.manifest as KubeObject, { signal }).then(
        () => false,
        (err: unknown) => {
          if ((err as { kubeReason?: unknown }).kubeReason === 'AlreadyExists' && attempt < 5) return true;
          // No answer (timeout, lost connection): the API server may still have created it.
          if (isCancellation(err) || (err as { status?: unknown }).status !== undefined) throw err;
          throw new UserError(`${errorText(err)} SGBackup ${name} may still have been created: look for it in the tree before running another backup.`);
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
    void vscode.window.showInformationMessage(`Stopped following backup ${name}. It goes on in the cluster and was not deleted: the tree shows its status.`);
    return { namespace, name, phase: readBackupOf(model, namespace, name)?.phase ?? 'Pending', following: false };
  }
  if (!outcome.obj) {
    throw new UserError(`SGBackup ${name} was deleted while it ${outcome.last?.phase === 'Running' ? 'was running' : 'waited to start'}.`);
  }
  const view = readBackup(outcome.obj)!;
  const said = backupOutcome(view);
  if (said.ok) {
    ctx.log.info(said.message);
    void vscode.window.showInformationMessage(notificationText(said.message), 'Reveal').then((choice) => choice && revealInTree(ctx, namespace, name));
  } else {
    ctx.log.warn(`${said.message}${view.failure ? `\nstatus.process.failure of ${namespace}/${name}:\n${view.failure}` : ''}`);
    // The failure is the backup Job's own words, from the cluster.
    void vscode.window.showErrorMessage(notificationText(said.message), 'Show Log').then((choice) => choice && ctx.log.show(true));
  }
  return { namespace, name, phase: view.phase, following: true };
}

function phaseWords(b: BackupView): string {
  switch (b.phase) {
    case 'Pending':
      return 'Pending: waiting for the operator to start the backup Job…';
    case 'Running':
      return 'Running: the backup Job is copying the data to object storage…';
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
    const live = (covers(model, namespace) ? model.get('SGCluster', namespace, inEditor.name) : undefined) ?? (await api.get('SGCluster', namespace, inEditor.name));
    if (!live) {
      throw new UserError(`SGCluster ${inEditor.name} of the editor does not exist in namespace ${namespace} of context "${api.context.name}": apply it first, then run the backup.`, {
        title: 'Apply',
        command: 'stackgres.applyManifest',
        args: [editor!.document.uri],
      });
    }
    return live;
  }
  return pickCluster(api, model, 'Run backup now: which cluster?');
}

// ---- Delete Backup --------------------------------------------------------------------------------------

async function deleteBackup(ctx: ExtensionContextHolder, arg: unknown): Promise<{ deleted: boolean }> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const b = arg instanceof BackupNode ? arg.backup : await pickAnyBackup(api, model, 'Delete backup: which one?');
  const clusterKnown = covers(model, b.cluster.namespace) ? model.get('SGCluster', b.cluster.namespace, b.cluster.name) !== undefined : true;
  const warning = deleteBackupWarning(b, model.backupsOf(b.cluster.namespace, b.cluster.name), clusterKnown);
  const typed = await prompts.input({
    title: `Delete SGBackup ${b.name} in ${b.namespace}?`,
    prompt: `${warning} Type the backup name to delete it.`,
    placeHolder: b.name,
    ignoreFocusOut: true,
  });
  if (typed.trim() !== b.name) {
    void vscode.window.showInformationMessage(`"${typed}" is not ${b.name}: nothing was deleted.`);
    return { deleted: false };
  }
  await withCancellableProgress(`Deleting SGBackup ${b.name}`, async (progress, signal) => {
    // The uid the user was shown: a backup made again under the same name since then is not deleted.
    const existed = await api.delete('SGBackup', b.namespace, b.name, { signal, preconditions: b.uid ? { uid: b.uid } : undefined });
    ctx.log.info(existed ? `Deleted SGBackup ${b.namespace}/${b.name}` : `SGBackup ${b.namespace}/${b.name} was already gone`);
    progress.report({ message: 'waiting for the cluster to confirm…' });
    const left = await followBackup(model, api, b.namespace, b.name, sgClusterOf(b), AbortSignal.any([signal, AbortSignal.timeout(60_000)]), (obj) => obj === undefined).catch((err: unknown) => {
      if (isCancellation(err) && !signal.aborted) return 'slow' as const;
      throw err;
    });
    if (left === 'slow') void vscode.window.showWarningMessage(`The cluster accepted deleting SGBackup ${b.name}, but still lists it after a minute (a finalizer?). Refresh later.`);
  });
  void vscode.window.showInformationMessage(`Deleted SGBackup ${b.name}. ${b.phase === 'Failed' ? '' : 'Its files go at the next backup of the cluster, once no copy names them.'}`.trim());
  return { deleted: true };
}

// ---- Copy Backup to Namespace ---------------------------------------------------------------------------

async function copyBackup(ctx: ExtensionContextHolder, arg: unknown): Promise<CopyBackupResult> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const b = arg instanceof BackupNode ? arg.backup : await pickCompletedBackup(api, model, 'Copy backup to another namespace');
  const source = await backupObject(api, b.namespace, b.name);
  const target = await pickNamespace(api, model.namespaces(), `Copy ${b.name} to which namespace?`, { except: b.namespace });
  return copyBackupTo(ctx, api, source, target);
}

/** DOMAIN §6: the SGBackup copy and the storage Secrets it reads, in `target` (steps in backupCopy.ts). */
export async function copyBackupTo(ctx: ExtensionContextHolder, api: KubeApi, source: KubeObject, target: string): Promise<CopyBackupResult> {
  const asker: CopyBackupAsker = {
    work: (title, task) => withCancellableProgress(title, (progress, signal) => task((message) => progress.report({ message }), signal)),
    replaceOrKeep: askReplace,
    confirm: (message, detail, button) => prompts.confirm(message, detail, button),
    log: (line) => ctx.log.info(line),
    warn: (line) => ctx.log.warn(line),
  };
  const name = source.metadata.name;
  let result: CopyBackupResult;
  try {
    result = await copyBackupSteps(api, source, target, asker);
  } catch (err) {
    if (!(err instanceof CopyBackupFailed)) throw err;
    if (err.undo.removed.length || err.undo.restored.length || err.undo.left.length) ctx.secretsChanged();
    if (isCancellation(err.error)) {
      void vscode.window.showInformationMessage(`Copy of ${name} to ${target} cancelled. ${err.undoText}`);
      throw new Cancelled();
    }
    throw new UserError(`Copying SGBackup ${name} to ${target} failed: ${errorText(err.error)} ${err.undoText}`);
  }
  if (result.secretsCopied.length || result.secretsReplaced.length) ctx.secretsChanged();
  const { secretsCopied, secretsReplaced, secretsKept: kept } = result;
  const secretWords = [
    secretsCopied.length ? `copied Secret${secretsCopied.length > 1 ? 's' : ''} ${secretsCopied.join(', ')}` : undefined,
    secretsReplaced.length ? `replaced ${secretsReplaced.join(', ')}` : undefined,
    kept.length ? `kept the existing ${kept.join(', ')}` : undefined,
  ].filter(Boolean);
  const message = `Copied SGBackup ${name} to namespace ${target} (spec.sgCluster: ${result.sgCluster})${secretWords.length ? `; ${secretWords.join('; ')}` : ''}. A cluster in ${target} can now restore from it.`;
  if (result.warnings.length) void vscode.window.showWarningMessage(`${message} ${result.warnings.join(' ')}`);
  else void vscode.window.showInformationMessage(message);
  return result;
}

async function askReplace(step: SecretCopyStep, from: string, target: string): Promise<boolean> {
  const keep = step.missingKeys.length
    ? `lacks key(s) ${step.missingKeys.join(', ')} that the storage reads: a restore would fail`
    : `has the key(s) ${step.keys.join(', ')} the storage reads; its values are not checked`;
  const dropped = step.droppedKeys.length ? ` Its other keys (${step.droppedKeys.join(', ')}) are removed.` : '';
  const choice = await prompts.pick(
    [
      { label: `Replace Secret ${step.name}`, detail: `Overwrites ${target}/${step.name} with the keys ${step.keys.join(', ')} of ${from}/${step.name}.${dropped} It is put back as it was if the copy fails.`, replace: true },
      { label: `Keep Secret ${step.name}`, detail: `Leaves ${target}/${step.name} as it is: it ${keep}.`, replace: false },
    ],
    { title: `Secret ${step.name} already exists in ${target}`, ignoreFocusOut: true },
  );
  return choice.replace;
}

// ---- Shared steps ---------------------------------------------------------------------------------------

/** The model, or its error when it could not load (the guard shows it). */
export async function readyModel(ctx: ExtensionContextHolder): Promise<ClusterModel> {
  const model = await ctx.model();
  if (model.state.kind === 'failed') throw model.state.error;
  return model;
}

/** Whether the model's caches hold every object of this namespace. */
export function covers(model: ClusterModel, namespace: string): boolean {
  return model.state.kind === 'ready' && (model.state.scope === 'all namespaces' || model.state.scope === namespace);
}

/** `spec.sgCluster` as written on the backup. */
export function sgClusterOf(b: BackupView): string {
  return b.copy ? `${b.cluster.namespace}.${b.cluster.name}` : b.cluster.name;
}

/** The SGBackup object, from the model or the API server. */
/** The whole SGBackup as the server has it (the model holds a slimmed copy): copies and restores carry it. */
export async function backupObject(api: KubeApi, namespace: string, name: string): Promise<KubeObject> {
  const obj = await api.get('SGBackup', namespace, name);
  if (!obj) throw new UserError(`SGBackup ${name} no longer exists in namespace ${namespace}.`);
  return obj;
}

function readBackupOf(model: ClusterModel, namespace: string, name: string): BackupView | undefined {
  const obj = model.get('SGBackup', namespace, name);
  return obj ? readBackup(obj) : undefined;
}

export async function pickCluster(api: KubeApi, model: ClusterModel, title: string, usable: (c: KubeObject) => boolean = () => true): Promise<KubeObject> {
  const clusters = model.objects('SGCluster').filter(usable);
  if (!clusters.length) throw new UserError(`No suitable SGCluster in context "${api.context.name}".`);
  const items = clusters
    .map((c) => {
      const backups = (c.spec as { configurations?: { backups?: { sgObjectStorage?: string }[] } } | undefined)?.configurations?.backups?.[0]?.sgObjectStorage;
      const version = (c.spec as { postgres?: { version?: unknown } } | undefined)?.postgres?.version;
      return {
        label: c.metadata.name,
        description: [c.metadata.namespace, version !== undefined ? `PG ${String(version)}` : undefined, backups ? `backups to ${backups}` : 'no backups configured'].filter(Boolean).join(' · '),
        cluster: c,
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label) || a.description.localeCompare(b.description));
  return (await prompts.pick(items, { title, matchOnDescription: true, ignoreFocusOut: true })).cluster;
}

/** Palette: a cluster with Completed backups, then one of them (date, size, PG major). */
export async function pickCompletedBackup(api: KubeApi, model: ClusterModel, title: string): Promise<BackupView> {
  const completed = (c: KubeObject) => model.backupsOf(c.metadata.namespace ?? '', c.metadata.name).filter((b) => b.phase === 'Completed');
  const cluster = await pickCluster(api, model, `${title}: which cluster?`, (c) => completed(c).length > 0);
  const ns = cluster.metadata.namespace ?? '';
  const items = completed(cluster).map((b) => ({ label: b.name, description: backupChoiceDescription(b, ns), detail: b.managedLifecycle ? 'managed by the retention policy' : 'kept until deleted', backup: b }));
  return (await prompts.pick(items, { title: `${title}: which backup of ${cluster.metadata.name}? (newest first)`, matchOnDescription: true, ignoreFocusOut: true })).backup;
}

async function pickAnyBackup(api: KubeApi, model: ClusterModel, title: string): Promise<BackupView> {
  const views = model.objects('SGBackup').map((o) => readBackup(o)).filter((b): b is BackupView => b !== undefined);
  if (!views.length) throw new UserError(`No SGBackup in context "${api.context.name}".`);
  const t = (b: BackupView) => (b.stored ?? b.ended ?? b.created)?.getTime() ?? 0;
  const items = views
    .sort((a, b) => t(b) - t(a))
    .map((b) => ({ label: b.name, description: [b.namespace, `cluster ${b.cluster.name}`, backupChoiceDescription(b)].join(' · '), backup: b }));
  return (await prompts.pick(items, { title, matchOnDescription: true, ignoreFocusOut: true })).backup;
}

const OTHER_NAMESPACE = 'Other namespace…';

/**
 * A namespace of the cluster: those it lists (when RBAC does not let us, those the view shows and the
 * context's), or one typed in. `shown` are the namespaces with StackGres objects; `except` is left out,
 * `inUse` marked, and `first` is offered before the namespaces (its label is returned when chosen).
 */
export async function pickNamespace(
  api: KubeApi,
  shown: readonly string[],
  title: string,
  options: { except?: string; inUse?: string; first?: vscode.QuickPickItem } = {},
): Promise<string> {
  const listed = await api.namespaces().catch(() => [...new Set([...shown, api.context.namespace])]);
  const items = [
    ...(options.first ? [options.first] : []),
    ...listed.filter((n) => n !== options.except).map((n) => ({
      label: n,
      description: [shown.includes(n) ? 'has StackGres objects' : undefined, n === options.inUse ? '(in use)' : undefined].filter(Boolean).join(' · ') || undefined,
    })),
    { label: OTHER_NAMESPACE, description: 'type a name' },
  ];
  const chosen = await prompts.pick(items, { title, ignoreFocusOut: true });
  if (chosen.label !== OTHER_NAMESPACE) return chosen.label;
  const typed = await prompts.input({
    title,
    prompt: 'Name of an existing namespace',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === options.except ? `The backup is already in ${options.except}.` : namespaceProblem(v.trim())),
  });
  return typed.trim();
}

type Progress = vscode.Progress<{ message?: string; increment?: number }>;

/** A cancellable progress notification; cancelling aborts the kube calls through the signal. */
export function withCancellableProgress<T>(title: string, task: (progress: Progress, signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `StackGres: ${title}`, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        return await task(progress, controller.signal);
      } catch (err) {
        // However the kube layer reports an aborted call, the guard sees one quiet Cancelled.
        if (controller.signal.aborted && isCancellation(err)) throw new Cancelled();
        throw err;
      } finally {
        subscription.dispose();
      }
    }),
  );
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

    if (covers(model, namespace)) {
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

/** Focuses the StackGres view, where the backup is listed under its cluster. */
function revealInTree(ctx: ExtensionContextHolder, namespace: string, name: string): void {
  void ctx.reveal('SGBackup', namespace, name).then(
    async (found) => {
      if (!found) await vscode.commands.executeCommand('stackgres.clusters.focus');
    },
    (err: unknown) => ctx.log.warn(`Cannot show ${namespace}/${name} in the StackGres view: ${String(err)}`),
  );
}

export function isCancellation(err: unknown): boolean {
  return err instanceof Cancelled || err instanceof vscode.CancellationError || (err as { reason?: unknown } | undefined)?.reason === 'cancelled';
}
