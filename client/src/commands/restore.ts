/**
 * Restore Backup, as code (StackGres documentation, "Restoring from a Backup"): asks the new cluster's name and an optional point in time inside
 * the backup's recoverable window, writes the new SGCluster manifest into the workspace and opens it.
 * Applying it is the Apply command. A restore reads the backup from its own namespace: restoring into
 * another one copies the backup there first (Copy Backup to Namespace).
 */
import * as vscode from 'vscode';
import { pointInTimeProblem, restoreFilePath, restoreNameProblem, suggestRestoreName, windowText } from '@core/backupActions';
import { readBackup, type BackupView } from '@core/backups';
import { clusterMajor } from '@core/describe';
import { backupPathOfBackup } from '@core/objectStore';
import { recoverableWindow, restoreManifest, type RecoverableWindow } from '@core/restore';
import { formatInstant } from '@core/timestamp';
import { gapProblem, type GapSpan } from '@core/walVerify';
import type { ClusterModel } from '../clusterModel';
import type { ExtensionContextHolder } from '../context';
import { UserError } from '../errors';
import type { KubeApi, KubeObject } from '../kube/api';
import { restoreFileTarget, writeRestoreFile } from '../restoreFile';
import { verificationOfPath } from '../storage/verifications';
import { BackupNode } from '../tree/nodes';
import * as prompts from '../ui/prompts';
import { restoreContextProblem } from '../webviews/pageMessages';
import { backupObject, readyModel } from '../ui/backupSteps';
import type { CommandSpec } from '../ui/command';
import { copyBackupTo } from '../ui/copyBackup';
import { pickCompletedBackup, pickNamespace } from '../ui/picks';

/** What Restore Backup returns (for the integration suite; the user sees the opened manifest). */
export interface RestoreResult {
  /** The manifest's document: a file under `restore/`, or an untitled document without a workspace folder. */
  readonly uri: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly backup: string;
  readonly restoreToTimestamp?: string;
}

// Labels compared with the picked one: both sides make the same l10n.t call.
export const LATEST = (): string => vscode.l10n.t('Latest state in this backup (no PITR)');
export const POINT_IN_TIME = (): string => vscode.l10n.t('A point in time (UTC)…');
const OTHER_NAMESPACE = (): string => vscode.l10n.t('Another namespace…');

export const restoreCommands: CommandSpec[] = [{ id: 'stackgres.restoreBackup', run: (ctx, arg) => restoreBackup(ctx, arg) }];

/** What the recoverable-window picture passes: the backup clicked, and the instant when one was. */
interface RestoreRequestArg {
  readonly backup: { readonly namespace: string; readonly name: string };
  readonly pointInTime?: string;
  /** `contextIdentity` the picture was drawn for (absent: the caller did not draw one). */
  readonly context?: unknown;
}

function isRestoreRequest(arg: unknown): arg is RestoreRequestArg {
  const b = (arg as { backup?: { namespace?: unknown; name?: unknown } } | undefined)?.backup;
  return typeof b?.namespace === 'string' && typeof b.name === 'string';
}

async function chosenBackup(api: KubeApi, model: ClusterModel, arg: unknown): Promise<BackupView> {
  if (arg instanceof BackupNode) return arg.backup;
  if (isRestoreRequest(arg)) {
    const obj = model.get('SGBackup', arg.backup.namespace, arg.backup.name) ?? (await api.get('SGBackup', arg.backup.namespace, arg.backup.name));
    const view = obj ? readBackup(obj) : undefined;
    if (!view) throw new UserError(vscode.l10n.t('SGBackup {0} no longer exists in namespace {1}.', arg.backup.name, arg.backup.namespace));
    return view;
  }
  return pickCompletedBackup(api, model, vscode.l10n.t('Restore backup'));
}

async function restoreBackup(ctx: ExtensionContextHolder, arg: unknown): Promise<RestoreResult> {
  const api = await ctx.connection.api();
  // A request from the recoverable window was checked in its context: it runs only while that one is connected.
  const drawnFor = isRestoreRequest(arg) ? arg.context : undefined;
  const sameContext = (connected: KubeApi | undefined): void => {
    const problem = drawnFor === undefined ? undefined : restoreContextProblem(drawnFor, connected?.context);
    if (problem) throw new UserError(problem);
  };
  sameContext(api);
  const model = await readyModel(ctx);
  const chosen = await chosenBackup(api, model, arg);
  const requestedInstant = isRestoreRequest(arg) ? arg.pointInTime : undefined;
  if (chosen.phase !== 'Completed') {
    throw new UserError(vscode.l10n.t('SGBackup {0} is {1}: only a Completed backup can be restored.', chosen.name, chosen.phase));
  }
  let backup = await backupObject(api, chosen.namespace, chosen.name);
  // The last Verify Recoverability of the backup's path: an instant inside one of its WAL gaps is refused.
  const gaps = verificationOfPath(api.context.name, chosen.namespace, backupPathOfBackup(backup) ?? '')?.check.gaps ?? [];

  // The new cluster goes where the backup is; elsewhere needs a copy of the backup there first, made (with
  // the user's agreement) only once every question is answered: Escape or a step back writes nothing.
  const allBackups = model.objects('SGBackup');
  const windowNow = (): RecoverableWindow | undefined => recoverableWindow(backup, allBackups, new Date());
  const window = windowNow();
  if (requestedInstant !== undefined) {
    // Chosen on the recoverable-window picture: checked like a typed one.
    const problem = pointInTimeProblem(backup, requestedInstant, window) ?? gapProblem(gaps, requestedInstant);
    if (problem) throw new UserError(problem);
  }
  const answers = await restoreQuestions(chosen, model, api, window, windowNow, backup, requestedInstant, gaps);
  const { namespace, clusterName } = answers;
  const restoreToTimestamp = requestedInstant ?? answers.restoreToTimestamp;
  sameContext(await ctx.connection.api().catch(() => undefined));
  // The model may not hold the namespace, or be a moment behind: ask the server too.
  if (await api.get('SGCluster', namespace, clusterName)) {
    throw new UserError(restoreNameProblem(clusterName, namespace, () => true)!);
  }
  if (namespace !== chosen.namespace) backup = await backupIn(ctx, api, model, backup, chosen, namespace);
  const view = readBackup(backup)!;

  const sourceCluster = model.get('SGCluster', view.cluster.namespace, view.cluster.name);
  const postgresVersion = view.pgMajor ? undefined : await versionForUnknownMajor(view, sourceCluster);
  const plan = restoreManifest({ backup, clusterName, namespace, restoreToTimestamp, window: restoreToTimestamp ? windowNow() : undefined, sourceCluster, postgresVersion });
  const errors = plan.checks.filter((c) => c.severity === 'error');
  if (errors.length) throw new UserError(errors.map((c) => c.message).join(' '));
  const warnings = plan.checks.filter((c) => c.severity === 'warning').map((c) => c.message);

  // The questions above take the user's time: the context may have been switched meanwhile.
  sameContext(await ctx.connection.api().catch(() => undefined));
  const document = await writeManifest(clusterName, plan.yaml);
  ctx.log.info(`Wrote the restore of SGBackup ${namespace}/${view.name} into new SGCluster ${clusterName}${restoreToTimestamp ? ` at ${restoreToTimestamp}` : ''}: ${document.uri.toString()}`);
  const shownAs = document.uri.scheme === 'untitled' ? vscode.l10n.t('an untitled file') : vscode.workspace.asRelativePath(document.uri);
  const wrote = vscode.l10n.t('Wrote the restore of {0} into a new cluster {1} to {2}. Review it, then Apply it to create the cluster.', view.name, clusterName, shownAs);
  const message = [wrote, ...warnings].join(' ');
  void vscode.window.showInformationMessage(message, vscode.l10n.t('Apply')).then((choice) => choice && vscode.commands.executeCommand('stackgres.applyManifest', document.uri));
  return { uri: document.uri.toString(), clusterName, namespace, backup: view.name, restoreToTimestamp };
}

interface RestoreAnswers {
  readonly namespace: string;
  readonly clusterName: string;
  readonly restoreToTimestamp?: string;
}

type RestoreStep = 'where' | 'namespace' | 'name' | 'pitr' | 'instant';

/**
 * Restore's questions as one multi-step input: where the new cluster goes (another namespace: which), its
 * name, and up to when (a point in time: which instant). Each prompt shows its step and a Back button that
 * returns to the previous question with the answer given there; Escape cancels, and nothing is written.
 * Steps the answers make unnecessary drop out (the count follows); a point in time from the recoverable
 * window skips the last two.
 */
async function restoreQuestions(
  chosen: BackupView,
  model: ClusterModel,
  api: KubeApi,
  window: RecoverableWindow | undefined,
  windowNow: () => RecoverableWindow | undefined,
  backup: KubeObject,
  requestedInstant: string | undefined,
  gaps: readonly GapSpan[],
): Promise<RestoreAnswers> {
  const a: { where?: string; namespace?: string; name?: string; namedFor?: string; pitr?: string; instant?: string } = {};
  const steps = (): RestoreStep[] => [
    'where',
    ...(a.where === OTHER_NAMESPACE() ? (['namespace'] as const) : []),
    'name',
    ...(requestedInstant === undefined ? (['pitr'] as const) : []),
    ...(requestedInstant === undefined && a.pitr === POINT_IN_TIME() && window ? (['instant'] as const) : []),
  ];
  const namespaceTitle = (): string => vscode.l10n.t('Restore {0}: namespace of the new cluster', chosen.name);
  const target = () => (a.where === OTHER_NAMESPACE() && a.namespace ? a.namespace : chosen.namespace);
  for (let i = 0; i < steps().length; ) {
    const all = steps();
    const step = { step: i + 1, totalSteps: all.length };
    try {
      await ask(all[i], step);
      i++;
    } catch (err) {
      if (!(err instanceof prompts.GoBack)) throw err;
      i = Math.max(0, i - 1);
    }
  }
  return { namespace: target(), clusterName: a.name!, restoreToTimestamp: a.pitr === POINT_IN_TIME() && window ? a.instant : undefined };

  async function ask(id: RestoreStep, step: prompts.Step): Promise<void> {
    switch (id) {
      case 'where':
        a.where = (
          await prompts.pick(
            [
              { label: chosen.namespace, description: vscode.l10n.t("the backup's namespace") },
              { label: OTHER_NAMESPACE(), description: vscode.l10n.t('copies the backup (and its storage Secrets) there first, once you have answered every question') },
            ],
            { title: namespaceTitle(), ignoreFocusOut: true, step, active: a.where },
          )
        ).label;
        return;
      case 'namespace':
        a.namespace = await pickNamespace(api, model.namespaces(), namespaceTitle(), { except: chosen.namespace, step, active: a.namespace });
        return;
      case 'name': {
        const namespace = target();
        const taken = (name: string) => model.covers(namespace) && model.get('SGCluster', namespace, name) !== undefined;
        // A name typed earlier is kept when the user comes back, unless the namespace changed under it.
        const value = a.name !== undefined && a.namedFor === namespace ? a.name : suggestRestoreName(chosen.cluster.name, taken);
        a.name = (
          await prompts.input({
            title: vscode.l10n.t('Restore {0}: name of the NEW SGCluster in {1}', chosen.name, namespace),
            prompt: vscode.l10n.t('A restore always creates a new cluster: at most 44 characters, lower-case letters, digits and -.'),
            value,
            ignoreFocusOut: true,
            step,
            validateInput: (v) => restoreNameProblem(v.trim(), namespace, taken),
          })
        ).trim();
        a.namedFor = namespace;
        return;
      }
      case 'pitr':
        a.pitr = (
          await prompts.pick(
            [
              {
                label: LATEST(),
                detail: chosen.stored
                  ? vscode.l10n.t('The cluster starts from the backup as it was stored ({0}).', formatInstant(chosen.stored))
                  : vscode.l10n.t('The cluster starts from the backup as it was stored.'),
              },
              ...(window ? [{ label: POINT_IN_TIME(), detail: vscode.l10n.t('Replays the archived WAL up to an instant {0}.', windowText(window)) }] : []),
            ],
            { title: vscode.l10n.t('Restore {0} into {1}: up to when?', chosen.name, a.name ?? ''), ignoreFocusOut: true, step, active: a.pitr },
          )
        ).label;
        return;
      case 'instant':
        a.instant = (
          await prompts.input({
            title: vscode.l10n.t('Restore {0}: point in time (UTC)', chosen.name),
            prompt: vscode.l10n.t('YYYY-MM-DDThh:mm:ssZ, {0}.', windowText(window!)),
            value: a.instant ?? formatInstant(window!.toIsNow ? new Date(Math.floor(window!.to.getTime() / 1000) * 1000) : window!.from),
            ignoreFocusOut: true,
            step,
            // "now" moves on while the user types: the window is recomputed for each check.
            validateInput: (v) => pointInTimeProblem(backup, v, windowNow()) ?? gapProblem(gaps, v.trim()),
          })
        ).trim();
        return;
    }
  }
}

/** The backup as seen from `namespace`: an existing copy there, or one made now with the user's agreement. */
async function backupIn(ctx: ExtensionContextHolder, api: KubeApi, model: ClusterModel, backup: KubeObject, chosen: BackupView, namespace: string): Promise<KubeObject> {
  const existing = await api.get('SGBackup', namespace, chosen.name);
  const existingView = existing ? readBackup(existing) : undefined;
  if (existingView && existingView.internalName === chosen.internalName && existingView.storage === chosen.storage && existingView.phase === 'Completed') return existing!;
  if (existing) throw new UserError(vscode.l10n.t('Namespace {0} already has another SGBackup named {1}: a copy cannot be made there.', namespace, chosen.name));
  const sgCluster = `${chosen.copy ? chosen.cluster.namespace : chosen.namespace}.${chosen.cluster.name}`;
  await prompts.confirm(
    vscode.l10n.t('Copy {0} to {1} first?', chosen.name, namespace),
    vscode.l10n.t(
      "A restore reads the backup from the new cluster's namespace (StackGres documentation: Restoring from a Backup). The copy is an SGBackup in {0} with spec.sgCluster {1}, plus the storage Secrets it reads.",
      namespace,
      sgCluster,
    ),
    vscode.l10n.t('Copy and Continue'),
  );
  const copy = await copyBackupTo(ctx, api, backup, namespace);
  return backupObject(api, copy.namespace, copy.name);
}

/** A backup that does not record its Postgres version: the source cluster's, or asked. */
async function versionForUnknownMajor(view: BackupView, sourceCluster: KubeObject | undefined): Promise<string> {
  const fromCluster = (sourceCluster?.spec as { postgres?: { version?: unknown } } | undefined)?.postgres?.version;
  const value = await prompts.input({
    title: vscode.l10n.t('Restore {0}: Postgres major version', view.name),
    prompt: vscode.l10n.t('The backup does not record its Postgres version: give the major of the cluster it was taken from (a backup restores only into the same major).'),
    value: clusterMajor(fromCluster) ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => (clusterMajor(v.trim()) ? undefined : vscode.l10n.t('A Postgres version such as 16 or 16.4.')),
  });
  return value.trim();
}

/**
 * `restore/<name>.yaml` in the workspace folder (asking before replacing a file; links refused, see
 * restoreFile.ts), or an untitled document when there is no folder on disk.
 */
async function writeManifest(clusterName: string, yaml: string): Promise<vscode.TextDocument> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  let document: vscode.TextDocument;
  if (!folder || folder.uri.scheme !== 'file') {
    document = await vscode.workspace.openTextDocument({ language: 'yaml', content: yaml });
  } else {
    const relative = restoreFilePath(clusterName);
    const { exists } = await restoreFileTarget(folder.uri.fsPath, relative);
    if (exists) await prompts.confirm(vscode.l10n.t('{0} already exists. Replace it?', relative), vscode.l10n.t('The restore manifest for this cluster name would overwrite the file.'), vscode.l10n.t('Replace'));
    await writeRestoreFile(folder.uri.fsPath, relative, new TextEncoder().encode(yaml), { replace: exists });
    document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, relative));
  }
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}
