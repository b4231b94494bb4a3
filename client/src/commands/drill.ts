/**
 * Test Restore (a restore drill): a scratch SGCluster restored from one Completed backup, reviewed before
 * anything is created, followed until it runs with the restored data or fails (its pods, conditions and
 * Events, within a time limit), the result recorded on the SGBackup as an annotation, and the drill
 * cluster deleted on request: only that cluster, checked by uid and label. A drill left behind by a
 * reloaded window is found again by its label and can be followed or cleaned up (Follow Restore Drill).
 */
import * as vscode from 'vscode';
import { pointInTimeProblem } from '@core/backupActions';
import { readBackup, type BackupView } from '@core/backups';
import {
  assessDrill,
  cleanupProblem,
  DRILL_RESULT_ANNOTATION,
  DRILL_SELECTOR,
  drillCreateProblem,
  drillManifest,
  formatDrillDuration,
  formatDrillRecord,
  phaseWords,
  readDrillCluster,
  type DrillAssessment,
  type DrillCluster,
} from '@core/drill';
import { splitDocuments, parseManifest } from '@core/manifest';
import { backupPathOfBackup } from '@core/objectStore';
import { recoverableWindow } from '@core/restore';
import { gapProblem } from '@core/walVerify';
import type { ClusterModel } from '../clusterModel';
import type { ExtensionContextHolder } from '../context';
import { Cancelled, UserError } from '../errors';
import { FIELD_MANAGER, type KubeApi, type KubeObject } from '../kube/api';
import { KubeError } from '../kube/errors';
import { verificationOfPath } from '../storage/verifications';
import { ClusterNode, BackupNode } from '../tree/nodes';
import { backupObject, readyModel } from '../ui/backupSteps';
import type { CommandSpec } from '../ui/command';
import { pickCompletedBackup } from '../ui/picks';
import { withCancellableProgress, type Progress } from '../ui/progress';
import * as prompts from '../ui/prompts';
import { restoreContextProblem } from '../webviews/pageMessages';

/** What a drill ended with (for the integration suite; the user sees messages). */
export interface DrillResult {
  readonly namespace: string;
  readonly cluster: string;
  readonly backup: string;
  readonly result: 'succeeded' | 'failed' | 'cancelled';
  readonly reason?: string;
  readonly durationSeconds: number;
  /** The result annotation was written on the SGBackup. */
  readonly recorded: boolean;
  readonly deleted: boolean;
}

const TIMEOUT_SETTING = 'drill.timeoutMinutes';
/** How often the drill cluster is read while it restores. */
const POLL_MS = 1000;

export const drillCommands: CommandSpec[] = [
  { id: 'stackgres.testRestore', run: (ctx, arg) => testRestore(ctx, arg) },
  { id: 'stackgres.followDrill', run: (ctx, arg) => followDrill(ctx, arg) },
];

/** What the recoverable-window picture passes: the backup clicked, and the instant when one was. */
interface DrillRequestArg {
  readonly backup: { readonly namespace: string; readonly name: string };
  readonly pointInTime?: string;
  readonly context?: unknown;
}

function isDrillRequest(arg: unknown): arg is DrillRequestArg {
  const b = (arg as { backup?: { namespace?: unknown; name?: unknown } } | undefined)?.backup;
  return typeof b?.namespace === 'string' && typeof b.name === 'string';
}

async function chosenBackup(api: KubeApi, model: ClusterModel, arg: unknown): Promise<BackupView> {
  if (arg instanceof BackupNode) return arg.backup;
  if (isDrillRequest(arg)) {
    const obj = model.get('SGBackup', arg.backup.namespace, arg.backup.name) ?? (await api.get('SGBackup', arg.backup.namespace, arg.backup.name));
    const view = obj ? readBackup(obj) : undefined;
    if (!view) throw new UserError(vscode.l10n.t('SGBackup {0} no longer exists in namespace {1}.', arg.backup.name, arg.backup.namespace));
    return view;
  }
  return pickCompletedBackup(api, model, vscode.l10n.t('Test restore'));
}

async function testRestore(ctx: ExtensionContextHolder, arg: unknown): Promise<DrillResult> {
  const api = await ctx.connection.api();
  if (isDrillRequest(arg) && arg.context !== undefined) {
    const problem = restoreContextProblem(arg.context, api.context);
    if (problem) throw new UserError(problem);
  }
  const model = await readyModel(ctx);
  const chosen = await chosenBackup(api, model, arg);
  if (chosen.phase !== 'Completed') {
    throw new UserError(vscode.l10n.t('SGBackup {0} is {1}: only a Completed backup can be restore-tested.', chosen.name, chosen.phase));
  }
  const backup = await backupObject(api, chosen.namespace, chosen.name);
  const instant = isDrillRequest(arg) ? arg.pointInTime : undefined;
  const window = recoverableWindow(backup, model.objects('SGBackup'), new Date());
  if (instant !== undefined) {
    // Like Restore Backup: an instant outside the window, or inside a WAL gap the last Verify Recoverability found, is refused.
    const gaps = verificationOfPath(api.context.name, chosen.namespace, backupPathOfBackup(backup) ?? '')?.check.gaps ?? [];
    const problem = pointInTimeProblem(backup, instant, window) ?? gapProblem(gaps, instant);
    if (problem) throw new UserError(problem);
  }

  const namespace = await drillNamespace(model, chosen);
  const source = namespace === chosen.namespace ? backup : await backupObject(api, namespace, chosen.name);
  const plan = drillManifest({ backup: source, namespace, restoreToTimestamp: instant, window: instant ? window : undefined, now: new Date() });
  const errors = plan.checks.filter((c) => c.severity === 'error');
  if (errors.length) throw new UserError(errors.map((c) => c.message).join(' '));
  const object = plan.manifest as KubeObject;
  const where = `${namespace}/${plan.name}`;

  // The review: the cluster's dry run first (permission, quota, a taken name are said before anything exists).
  const dry = await createDrill(api, object, plan.name, namespace, true);
  const [chunk] = splitDocuments(plan.yaml);
  await ctx.applyUi.showReview(api.context.name, [{ source: { uri: vscode.Uri.parse(`untitled:${plan.name}.yaml`), lineOffset: 0 }, manifest: parseManifest(chunk), label: `SGCluster ${where}`, namespaceFromContext: false, object, result: dry }], { [`SGCluster ${where}`]: 'created' });
  await prompts.confirm(
    vscode.l10n.t('Create restore drill cluster {0} in context "{1}"?', where, api.context.name),
    vscode.l10n.t(
      'A scratch SGCluster with one instance restores SGBackup {0} ({1}). It is followed until it runs or fails (time limit {2} min, setting stackgres.{3}); the result is recorded on the SGBackup. At the end you choose to delete it or keep it. Created as field manager {4}.',
      chosen.name,
      instant ?? vscode.l10n.t('latest state'),
      timeoutMinutes(),
      TIMEOUT_SETTING,
      FIELD_MANAGER,
    ),
    vscode.l10n.t('Create and Follow'),
  );
  const created = await createDrill(api, object, plan.name, namespace, false);
  ctx.log.info(`Test Restore: created drill cluster ${where} (uid ${String(created.object.metadata.uid)}) from SGBackup ${chosen.namespace}/${chosen.name}${instant ? ` at ${instant}` : ''}`);
  const drill = readDrillCluster(created.object);
  if (!drill) throw new UserError(vscode.l10n.t('The API server returned drill cluster {0} without its drill label: nothing more is done with it. Delete it by hand when you no longer need it.', where));
  return runDrill(ctx, api, drill, chosen, new Date());
}

/** The backup's namespace, or one holding a Completed copy of the same backup (a restore reads the backup from its own namespace). */
async function drillNamespace(model: ClusterModel, chosen: BackupView): Promise<string> {
  const copies = model
    .objects('SGBackup')
    .map((o) => readBackup(o))
    .filter((b): b is BackupView => !!b && b.namespace !== chosen.namespace && b.name === chosen.name && b.phase === 'Completed' && b.internalName === chosen.internalName && b.storage === chosen.storage);
  const other = vscode.l10n.t('Another namespace…');
  const picked = await prompts.pick(
    [
      { label: chosen.namespace, description: vscode.l10n.t("the backup's namespace") },
      ...copies.map((b) => ({ label: b.namespace, description: vscode.l10n.t('holds a copy of this backup') })),
      { label: other, description: vscode.l10n.t('copy the backup there first') },
    ],
    { title: vscode.l10n.t('Test restore {0}: namespace of the drill cluster', chosen.name), ignoreFocusOut: true },
  );
  if (picked.label === other) {
    throw new UserError(vscode.l10n.t('A restore reads the backup from its own namespace. Copy {0} to the namespace first (Copy Backup to Namespace), then run Test Restore again and choose it. Nothing was created.', chosen.name));
  }
  return picked.label;
}

async function createDrill(api: KubeApi, object: KubeObject, name: string, namespace: string, dryRun: boolean): Promise<{ object: KubeObject; warnings: string[] }> {
  try {
    return await api.create(object, { dryRun });
  } catch (e) {
    if (e instanceof KubeError && (e.status === 403 || e.status === 409)) throw new UserError(drillCreateProblem({ status: e.status, message: e.message }, name, namespace));
    throw e;
  }
}

function timeoutMinutes(): number {
  const v = vscode.workspace.getConfiguration('stackgres').get<number>(TIMEOUT_SETTING, 30);
  return Number.isFinite(v) && v >= 0.1 ? Math.min(v, 24 * 60) : 30;
}

/** Follows the drill to its end, records it on the backup, and offers to delete the drill cluster. */
async function runDrill(ctx: ExtensionContextHolder, api: KubeApi, drill: DrillCluster, backup: BackupView, startedAt: Date): Promise<DrillResult> {
  const where = `${drill.namespace}/${drill.name}`;
  let outcome: DrillAssessment;
  try {
    outcome = await withCancellableProgress(vscode.l10n.t('restore drill {0} of SGBackup {1}', drill.name, backup.name), (progress, signal) => follow(api, drill, startedAt, progress, signal));
  } catch (err) {
    if (!(err instanceof Cancelled)) {
      void vscode.window.showWarningMessage(vscode.l10n.t('The restore drill {0} could not be followed; the drill cluster is still there. Run Follow Restore Drill to go on, or delete it.', where));
      throw err;
    }
    // Cancelled while following: nothing is recorded; the cluster stays only if the user says so.
    const deleted = await offerCleanup(ctx, api, drill, vscode.l10n.t('Restore drill {0} cancelled: nothing was recorded on SGBackup {1}.', where, backup.name));
    return { namespace: drill.namespace, cluster: drill.name, backup: backup.name, result: 'cancelled', durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000), recorded: false, deleted };
  }
  const durationSeconds = Math.round(outcome.elapsedMs / 1000);
  const result = outcome.success ? 'succeeded' : 'failed';
  const recorded = await record(ctx, api, backup, { time: new Date(), result, durationSeconds, target: drill.target, cluster: where, reason: outcome.reason });
  const said = outcome.success
    ? vscode.l10n.t('Restore drill of SGBackup {0} succeeded in {1}: {2} runs with the restored data.', backup.name, formatDrillDuration(durationSeconds), where)
    : vscode.l10n.t('Restore drill of SGBackup {0} FAILED after {1}: {2}', backup.name, formatDrillDuration(durationSeconds), outcome.reason ?? phaseWords(outcome.phase));
  const recordWords = recorded ? vscode.l10n.t('The result is recorded on the SGBackup.') : vscode.l10n.t('The result could not be recorded on the SGBackup (see the log).');
  ctx.log.info(`Test Restore: ${said} ${recordWords}`);
  const deleted = outcome.phase === 'gone' ? false : await offerCleanup(ctx, api, drill, `${said} ${recordWords}`, !outcome.success);
  return { namespace: drill.namespace, cluster: drill.name, backup: backup.name, result, reason: outcome.reason, durationSeconds, recorded, deleted };
}

async function follow(api: KubeApi, drill: DrillCluster, startedAt: Date, progress: Progress, signal: AbortSignal): Promise<DrillAssessment> {
  const timeoutMs = timeoutMinutes() * 60_000;
  for (;;) {
    const cluster = await api.get('SGCluster', drill.namespace, drill.name, { signal });
    // Another object made under the drill's name is not the drill.
    const ours = cluster && (!drill.uid || cluster.metadata.uid === drill.uid) ? cluster : undefined;
    const pods = ours ? await api.pods(drill.namespace, `stackgres.io/cluster-name=${drill.name}`, { signal, limit: 20 }) : [];
    const events = ours ? (await Promise.all([{ kind: 'SGCluster', name: drill.name, uid: drill.uid }, ...pods.map((p) => ({ kind: 'Pod', name: p.metadata.name, uid: p.metadata.uid }))].map((inv) => api.events(drill.namespace, inv, { signal, limit: 100 })))).flat() : [];
    const a = assessDrill({ cluster: ours, pods, events, startedAt, now: new Date(), timeoutMs });
    if (a.done) return a;
    progress.report({ message: `${phaseWords(a.phase)} · ${formatDrillDuration(a.elapsedMs / 1000)}` });
    await pause(POLL_MS, signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The result annotation on the SGBackup, by server-side apply of that one annotation as `stackgres-vscode`. */
async function record(ctx: ExtensionContextHolder, api: KubeApi, backup: BackupView, r: Parameters<typeof formatDrillRecord>[0]): Promise<boolean> {
  try {
    await api.apply({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: backup.name, namespace: backup.namespace, annotations: { [DRILL_RESULT_ANNOTATION]: formatDrillRecord(r) } } });
    return true;
  } catch (e) {
    ctx.log.warn(`Test Restore: could not record the drill on SGBackup ${backup.namespace}/${backup.name}: ${e instanceof KubeError ? e.describe() : String(e)}`);
    return false;
  }
}

/**
 * Asks whether to delete the drill cluster; deletes it only while it still carries the drill label and the
 * uid the drill created (a delete precondition on the uid too). Keeping it is said with how to find it.
 */
async function offerCleanup(ctx: ExtensionContextHolder, api: KubeApi, drill: DrillCluster, said: string, failed = false): Promise<boolean> {
  const where = `${drill.namespace}/${drill.name}`;
  const keep = vscode.l10n.t('Kept drill cluster {0}: it uses a pod and a volume until you delete it (label {1}; Follow Restore Drill offers to delete it).', where, DRILL_SELECTOR);
  try {
    await prompts.confirm(
      failed ? said : vscode.l10n.t('{0} Delete the drill cluster?', said),
      vscode.l10n.t('Deletes SGCluster {0} (uid {1}) and nothing else. Cancel keeps it, to look at the restored data or the failure.', where, drill.uid ?? '?'),
      vscode.l10n.t('Delete Drill Cluster'),
    );
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    void vscode.window.showInformationMessage(keep);
    ctx.log.info(`Test Restore: ${keep}`);
    return false;
  }
  const live = await api.get('SGCluster', drill.namespace, drill.name);
  const problem = live ? cleanupProblem(live, drill) : undefined;
  if (problem) throw new UserError(problem);
  if (!live) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Drill cluster {0} was already gone.', where));
    return false;
  }
  await api.delete('SGCluster', drill.namespace, drill.name, { preconditions: { uid: drill.uid } });
  ctx.log.info(`Test Restore: deleted drill cluster ${where} (uid ${drill.uid ?? '?'})`);
  void vscode.window.showInformationMessage(vscode.l10n.t('Deleted drill cluster {0}. {1}', where, said));
  return true;
}

// ---- drills left behind ----------------------------------------------------------------------------

/** The drill clusters of the model (found by label), oldest first. */
export function leftDrills(model: ClusterModel): DrillCluster[] {
  return model
    .objects('SGCluster')
    .map((o) => readDrillCluster(o))
    .filter((d): d is DrillCluster => d !== undefined)
    .sort((a, b) => (a.started?.getTime() ?? 0) - (b.started?.getTime() ?? 0));
}

/** Follow Restore Drill: a drill cluster left by a reloaded window (or kept), followed to its end or cleaned up. */
async function followDrill(ctx: ExtensionContextHolder, arg: unknown): Promise<DrillResult | undefined> {
  const api = await ctx.connection.api();
  const model = await readyModel(ctx);
  const drills = leftDrills(model);
  const named = arg instanceof ClusterNode ? { namespace: arg.namespace, name: arg.name } : (arg as { namespace?: unknown; name?: unknown } | undefined);
  let drill = drills.find((d) => d.namespace === named?.namespace && d.name === named?.name);
  if (!drill) {
    if (named?.name !== undefined) throw new UserError(vscode.l10n.t('SGCluster {0}/{1} is not a restore drill made by Test Restore (those carry the label {2} and the backup they restore in their annotations): it is left alone.', String(named.namespace), String(named.name), DRILL_SELECTOR));
    if (!drills.length) throw new UserError(vscode.l10n.t('No restore drill cluster in context "{0}" (label {1}).', api.context.name, DRILL_SELECTOR));
    drill = (await prompts.pick(drills.map((d) => ({ label: d.name, description: vscode.l10n.t('{0} · from SGBackup {1}', d.namespace, d.backup), drill: d })), { title: vscode.l10n.t('Follow restore drill: which one?'), ignoreFocusOut: true })).drill;
  }
  const obj = model.get('SGBackup', drill.namespace, drill.backup) ?? (await api.get('SGBackup', drill.namespace, drill.backup));
  const backup = obj ? readBackup(obj) : undefined;
  if (!backup || (drill.backupUid && backup.uid !== drill.backupUid)) {
    const deleted = await offerCleanup(ctx, api, drill, vscode.l10n.t('SGBackup {0} that drill {1} restores is gone (or was made again): no result can be recorded.', drill.backup, drill.name), true);
    return { namespace: drill.namespace, cluster: drill.name, backup: drill.backup, result: 'cancelled', durationSeconds: 0, recorded: false, deleted };
  }
  return runDrill(ctx, api, drill, backup, drill.started ?? new Date());
}

/** Offers the unfinished drills once per model (each connection, each Refresh), when it has loaded. */
export function watchForLeftDrills(ctx: ExtensionContextHolder): vscode.Disposable {
  const offered = new WeakSet<ClusterModel>();
  return ctx.onDidChangeModel(() => {
    void ctx.model().then(
      (model) => {
        if (model.state.kind !== 'ready' || offered.has(model)) return;
        offered.add(model);
        offerLeftDrills(ctx, model);
      },
      () => undefined,
    );
  });
}

/**
 * After the model loads: drill clusters that are there, and whose result is not on their backup yet,
 * were left by a window that closed or reloaded mid-drill. Said once per connection, with Follow.
 */
export function offerLeftDrills(ctx: ExtensionContextHolder, model: ClusterModel): void {
  const open = leftDrills(model).filter((d) => {
    const b = model.get('SGBackup', d.namespace, d.backup);
    return readBackup(b)?.drill?.cluster !== `${d.namespace}/${d.name}`;
  });
  if (!open.length) return;
  const followIt = vscode.l10n.t('Follow Restore Drill');
  const names = open.map((d) => `${d.namespace}/${d.name}`).join(', ');
  ctx.log.info(`Test Restore: unfinished drill clusters found by label ${DRILL_SELECTOR}: ${names}`);
  void vscode.window
    .showInformationMessage(vscode.l10n.t('Unfinished restore drill: {0}. Follow it to record its result, or delete it.', names), followIt)
    .then((choice) => choice === followIt && vscode.commands.executeCommand('stackgres.followDrill', open.length === 1 ? { namespace: open[0].namespace, name: open[0].name } : undefined));
}
