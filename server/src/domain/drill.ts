/**
 * Restore drills: a scratch SGCluster restored from one backup, followed until it runs with the restored
 * data or fails, then recorded on the SGBackup (drillRecord.ts) and deleted on request. Here: the drill
 * cluster's name, its manifest (restore as code, marked as a drill of this extension), what the cluster,
 * its pods and Events say about the drill's progress, the messages for the faults of creating it, and the
 * last drill per cluster for the health report. Pure: no I/O, no vscode.
 */
import { stringify } from 'yaml';
import { backupTime, formatAge, readBackup, type BackupView } from './backups';
import { formatDrillDuration, type DrillRecord } from './drillRecord';
import { MAX_CLUSTER_NAME } from './names';
import { restoreManifest, type RecoverableWindow, type RestoreCheck } from './restore';
import { get } from './rules/types';
import { commentText } from './scriptText';
import { formatInstant } from './timestamp';

export { DRILL_RESULT_ANNOTATION, formatDrillRecord, parseDrillRecord, drillRecordOf, formatDrillDuration, type DrillRecord } from './drillRecord';

/** Label on every drill cluster: how drills are found again (after a reload, for cleanup). */
export const DRILL_LABEL = 'stackgres-vscode/restore-drill';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'stackgres-vscode';
/** Annotations on a drill cluster: what it restores, so a reloaded window can finish the drill. */
export const DRILL_BACKUP_ANNOTATION = 'stackgres-vscode/drill-backup';
export const DRILL_BACKUP_UID_ANNOTATION = 'stackgres-vscode/drill-backup-uid';
export const DRILL_TARGET_ANNOTATION = 'stackgres-vscode/drill-target';
export const DRILL_STARTED_ANNOTATION = 'stackgres-vscode/drill-started';
/** Label selector of the drill clusters. */
export const DRILL_SELECTOR = `${DRILL_LABEL}=true`;

const INFIX = '-drill-';
/** `YYYYMMDD-HHMMSS` */
const STAMP_LENGTH = 15;

/**
 * `<cluster>-drill-<YYYYMMDD-HHMMSS>` (UTC). SGCluster names are at most 44 characters (CRD), so the
 * cluster part is cut to what is left and its trailing dashes dropped: the name stays a DNS-1035 label.
 */
export function drillName(cluster: string, now: Date): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const room = MAX_CLUSTER_NAME - INFIX.length - STAMP_LENGTH;
  const prefix = cluster.toLowerCase().replace(/[^-a-z0-9]/g, '-').slice(0, room).replace(/-+$/, '').replace(/^[^a-z]+/, '') || 'backup';
  return `${prefix}${INFIX}${stamp}`;
}

export interface DrillRequest {
  /** The SGBackup object to restore (Completed). */
  readonly backup: unknown;
  /** Namespace of the drill cluster: the backup's, or one where a copy of it exists (`backup` is then the copy). */
  readonly namespace?: string;
  /** Point in time to recover to, checked against `window`. */
  readonly restoreToTimestamp?: string;
  readonly window?: RecoverableWindow;
  readonly now: Date;
}

export interface DrillPlan {
  readonly name: string;
  readonly namespace: string;
  readonly manifest: Record<string, unknown>;
  /** The manifest to review, with a header saying what creating it does. */
  readonly yaml: string;
  readonly checks: readonly RestoreCheck[];
}

/** The scratch SGCluster of a drill: one instance, the backup's Postgres major, restore from the backup, marked as a drill. */
export function drillManifest(r: DrillRequest): DrillPlan {
  const b = readBackup(r.backup);
  const name = drillName(b?.cluster.name ?? 'backup', r.now);
  const namespace = r.namespace ?? b?.namespace ?? '';
  const plan = restoreManifest({ backup: r.backup, clusterName: name, namespace, restoreToTimestamp: r.restoreToTimestamp, window: r.window, instances: 1 });
  const metadata = plan.manifest.metadata as Record<string, unknown>;
  metadata.labels = { [DRILL_LABEL]: 'true', [MANAGED_BY_LABEL]: MANAGED_BY };
  metadata.annotations = {
    [DRILL_BACKUP_ANNOTATION]: b?.name ?? '',
    ...(b?.uid ? { [DRILL_BACKUP_UID_ANNOTATION]: b.uid } : {}),
    [DRILL_TARGET_ANNOTATION]: drillTarget(r.restoreToTimestamp),
    [DRILL_STARTED_ANNOTATION]: formatInstant(new Date(Math.floor(r.now.getTime() / 1000) * 1000)),
  };
  return { name, namespace, manifest: plan.manifest, yaml: `${drillHeader(b, name, namespace, r.restoreToTimestamp)}${stringify(plan.manifest)}`, checks: plan.checks };
}

/** What a drill restores to, as recorded: `latest` or the instant. */
export function drillTarget(restoreToTimestamp: string | undefined): string {
  return restoreToTimestamp ?? 'latest';
}

function drillHeader(b: BackupView | undefined, name: string, namespace: string, at: string | undefined): string {
  const lines: string[] = [];
  if (b) {
    const taken = backupTime(b);
    lines.push(`Restore drill of SGBackup ${b.name} (cluster ${b.cluster.namespace}.${b.cluster.name}${taken ? `, stored ${formatInstant(taken)}` : ''}${b.pgMajor ? `, Postgres ${b.pgMajor}` : ''}).`);
  }
  lines.push(`Creates a scratch SGCluster ${name} in namespace ${namespace} with one instance. The source cluster is not touched.`);
  lines.push(at ? `Point in time: ${at} (UTC).` : 'No point in time: the latest state in this backup.');
  lines.push('The drill is followed until the cluster runs with the restored data or fails; the result is recorded on the SGBackup');
  lines.push('(annotation stackgres-vscode/restore-drill). At the end you choose to delete the drill cluster or keep it.');
  lines.push('It uses resources of its own (a pod and a volume): check quotas and costs of the namespace.');
  // Names and versions come from the SGBackup, which another tenant may have written.
  return lines.map((l) => `# ${commentText(l)}\n`).join('');
}

/** A drill cluster found in a listing: what it restores and when it started, read from its marks. */
export interface DrillCluster {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly backup: string;
  readonly backupUid?: string;
  readonly target: string;
  readonly started?: Date;
}

/** The drill an SGCluster object is, when it carries the drill label; undefined for any other cluster. */
export function readDrillCluster(obj: unknown): DrillCluster | undefined {
  if (get(obj, ['metadata', 'labels', DRILL_LABEL]) !== 'true') return undefined;
  const name = get(obj, ['metadata', 'name']);
  const namespace = get(obj, ['metadata', 'namespace']);
  const backup = get(obj, ['metadata', 'annotations', DRILL_BACKUP_ANNOTATION]) ?? get(obj, ['spec', 'initialData', 'restore', 'fromBackup', 'name']);
  if (typeof name !== 'string' || typeof namespace !== 'string' || typeof backup !== 'string' || backup === '') return undefined;
  const started = new Date(String(get(obj, ['metadata', 'annotations', DRILL_STARTED_ANNOTATION]) ?? get(obj, ['metadata', 'creationTimestamp']) ?? ''));
  const uid = get(obj, ['metadata', 'uid']);
  const backupUid = get(obj, ['metadata', 'annotations', DRILL_BACKUP_UID_ANNOTATION]);
  const target = get(obj, ['metadata', 'annotations', DRILL_TARGET_ANNOTATION]);
  return {
    name,
    namespace,
    uid: typeof uid === 'string' ? uid : undefined,
    backup,
    backupUid: typeof backupUid === 'string' ? backupUid : undefined,
    target: typeof target === 'string' && target !== '' ? target : 'latest',
    started: Number.isNaN(started.getTime()) ? undefined : started,
  };
}

/**
 * Why deleting `live` would delete something the drill did not create, or undefined when it is the drill
 * cluster: it must still carry the drill label and have the uid the drill saw when it created it.
 */
export function cleanupProblem(live: unknown, expected: { name: string; namespace: string; uid?: string }): string | undefined {
  const where = `${expected.namespace}/${expected.name}`;
  if (!live) return undefined;
  if (get(live, ['metadata', 'labels', DRILL_LABEL]) !== 'true') return `SGCluster ${where} does not carry the drill label ${DRILL_LABEL}=true: it is not a drill cluster, so it is left alone.`;
  const uid = get(live, ['metadata', 'uid']);
  if (!expected.uid || uid !== expected.uid) return `SGCluster ${where} is not the cluster this drill created (another object of that name, uid ${String(uid)}): it is left alone.`;
  return undefined;
}

// ---- following a drill --------------------------------------------------------------------------------

export type DrillPhase = 'creating' | 'pending' | 'restoring' | 'ready' | 'failed' | 'timedOut' | 'gone';

export interface DrillObservation {
  /** The drill SGCluster as read now; undefined when it no longer exists. */
  readonly cluster: unknown;
  /** The cluster's pods. */
  readonly pods: readonly unknown[];
  /** Events about the cluster and its pods. */
  readonly events: readonly unknown[];
  readonly startedAt: Date;
  readonly now: Date;
  readonly timeoutMs: number;
}

export interface DrillAssessment {
  readonly phase: DrillPhase;
  /** The drill has an outcome: stop following. */
  readonly done: boolean;
  readonly success: boolean;
  /** Why the drill failed or is not done yet (a pod's message, a Warning Event), in the cluster's words. */
  readonly reason?: string;
  readonly elapsedMs: number;
}

/** Container waiting reasons that do not go away by waiting. */
const STUCK_CONTAINER = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName']);
/** Warning Events that end a restore, whatever the pods say. */
const FATAL_EVENTS = new Set(['RestoreFailed', 'BootstrapFailed']);

/**
 * Where a drill stands, from what the cluster says: a Failed condition, a stuck container or a fatal
 * Warning Event fail it; every pod Ready (at least the cluster's instances) makes it a success; past the
 * time limit it has timed out, with the last Warning as the reason; otherwise it is still on its way.
 */
export function assessDrill(o: DrillObservation): DrillAssessment {
  const elapsedMs = Math.max(0, o.now.getTime() - o.startedAt.getTime());
  const end = (phase: DrillPhase, success: boolean, reason?: string): DrillAssessment => ({ phase, done: phase === 'ready' || phase === 'failed' || phase === 'timedOut' || phase === 'gone', success, reason, elapsedMs });
  if (!o.cluster) return end('gone', false, 'The drill cluster was deleted before the restore finished.');
  const failed = conditions(o.cluster).find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) return end('failed', false, failed.message || failed.reason || 'The operator marked the cluster Failed.');
  for (const pod of o.pods) {
    const stuck = stuckContainer(pod);
    if (stuck) return end('failed', false, stuck);
    if (get(pod, ['status', 'phase']) === 'Failed') return end('failed', false, `Pod ${String(get(pod, ['metadata', 'name']))} failed: ${String(get(pod, ['status', 'message']) ?? get(pod, ['status', 'reason']) ?? 'no message')}`);
  }
  const warnings = o.events.filter((e) => get(e, ['type']) === 'Warning').sort((a, b) => eventTime(b) - eventTime(a));
  const fatal = warnings.find((e) => FATAL_EVENTS.has(String(get(e, ['reason']))));
  if (fatal) return end('failed', false, String(get(fatal, ['message']) ?? get(fatal, ['reason'])));
  const instances = Number(get(o.cluster, ['spec', 'instances']) ?? 1) || 1;
  if (o.pods.length >= instances && o.pods.every(podReady)) return end('ready', true);
  const phase: DrillPhase = o.pods.length === 0 ? 'creating' : o.pods.some((p) => get(p, ['status', 'phase']) === 'Pending' || get(p, ['status', 'phase']) === undefined) ? 'pending' : 'restoring';
  const lastWarning = warnings[0] ? `${String(get(warnings[0], ['reason']))}: ${String(get(warnings[0], ['message']) ?? '')}` : undefined;
  if (elapsedMs > o.timeoutMs) {
    return end('timedOut', false, `Not ready within ${formatDrillDuration(o.timeoutMs / 1000)} (the time limit, setting stackgres.drill.timeoutMinutes); it was ${phaseWords(phase)}.${lastWarning ? ` Last warning: ${lastWarning}` : ''}`);
  }
  return { phase, done: false, success: false, reason: lastWarning, elapsedMs };
}

/** What the progress notification says about a phase. */
export function phaseWords(phase: DrillPhase): string {
  switch (phase) {
    case 'creating':
      return 'waiting for the operator to create the pod';
    case 'pending':
      return 'pod pending (scheduling, volume)';
    case 'restoring':
      return 'restoring the backup (wal-g backup-fetch, WAL replay)';
    case 'ready':
      return 'running with the restored data';
    case 'failed':
      return 'failed';
    case 'timedOut':
      return 'over the time limit';
    case 'gone':
      return 'deleted';
  }
}

interface Condition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

function conditions(obj: unknown): Condition[] {
  const c = get(obj, ['status', 'conditions']);
  return Array.isArray(c) ? c.filter((x): x is Condition => typeof x === 'object' && x !== null) : [];
}

function podReady(pod: unknown): boolean {
  return get(pod, ['status', 'phase']) === 'Running' && conditions(pod).some((c) => c.type === 'Ready' && c.status === 'True');
}

function stuckContainer(pod: unknown): string | undefined {
  const statuses = get(pod, ['status', 'containerStatuses']);
  if (!Array.isArray(statuses)) return undefined;
  for (const s of statuses) {
    const waiting = get(s, ['state', 'waiting', 'reason']);
    if (typeof waiting !== 'string' || !STUCK_CONTAINER.has(waiting)) continue;
    const container = String(get(s, ['name']) ?? 'container');
    const last = get(s, ['lastState', 'terminated', 'message']) ?? get(s, ['state', 'waiting', 'message']);
    return `Container ${container} of pod ${String(get(pod, ['metadata', 'name']))} is in ${waiting}${typeof last === 'string' && last ? `: ${last.trim()}` : ''}`;
  }
  return undefined;
}

function eventTime(e: unknown): number {
  const t = get(e, ['last']) ?? get(e, ['lastTimestamp']) ?? get(e, ['eventTime']) ?? get(e, ['firstTimestamp']) ?? get(e, ['metadata', 'creationTimestamp']);
  const ms = typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

// ---- faults ---------------------------------------------------------------------------------------------

/** What creating the drill cluster's refusal means for the DBA, by HTTP status and the server's message. */
export function drillCreateProblem(e: { status?: number; message: string }, name: string, namespace: string): string {
  if (e.status === 403 && /quota/i.test(e.message)) {
    return `The namespace ${namespace} has no room for the drill cluster under its ResourceQuota (${e.message.trim()}). Nothing was created. Free some quota, ask for more, or run the drill in another namespace.`;
  }
  if (e.status === 403) {
    return `You may not create SGClusters in namespace ${namespace} (403 Forbidden). Nothing was created. Ask for "create" on sgclusters.stackgres.io there, or run the drill in a namespace where you have it.`;
  }
  if (e.status === 409) {
    return `An SGCluster named ${name} already exists in ${namespace}: nothing was created and the existing cluster is not touched. Run Test Restore again: it picks a new name.`;
  }
  return `The drill cluster ${namespace}/${name} was not created: ${e.message}`;
}

// ---- what the view and the report show --------------------------------------------------------------

/** The backup row's words: `restore-tested 2d ago · 7m12s` or `restore test failed`. */
export function drillRowText(r: DrillRecord, now: Date): string {
  return r.result === 'succeeded' ? `restore-tested ${formatAge(r.time, now)} ago · ${formatDrillDuration(r.durationSeconds)}` : 'restore test failed';
}

export interface ClusterDrill {
  /** `<namespace>/<cluster>` of the cluster the backup belongs to. */
  readonly cluster: string;
  readonly backup: string;
  readonly backupNamespace: string;
  readonly record: DrillRecord;
}

/**
 * The last drill of each cluster, from the SGBackups' drill annotations (copies count for the cluster
 * they were taken from). For the Backup Health Report: a cluster missing here was never restore-tested.
 */
export function lastDrillPerCluster(backups: readonly unknown[]): Map<string, ClusterDrill> {
  const out = new Map<string, ClusterDrill>();
  for (const o of backups) {
    const b = readBackup(o);
    if (!b?.drill) continue;
    const key = `${b.cluster.namespace}/${b.cluster.name}`;
    const seen = out.get(key);
    if (!seen || seen.record.time.getTime() < b.drill.time.getTime()) out.set(key, { cluster: key, backup: b.name, backupNamespace: b.namespace, record: b.drill });
  }
  return out;
}
