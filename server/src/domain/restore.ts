/**
 * Restore as code (StackGres documentation, "Restoring from a Backup"): a restore is a new SGCluster with `spec.initialData.restore.fromBackup`,
 * in the backup's namespace, with the backup's Postgres major. A point-in-time restore must land inside
 * the backup's recoverable window, which the operator does not check: PostgreSQL fails during recovery
 * instead. Pure: no I/O, no vscode. Whether the new name is taken is the caller's check.
 */
import { stringify } from 'yaml';
import { backupTime, readBackup, isBackupOf, backupStorageSecrets, type BackupView } from './backups';
import { clusterMajor } from './describe';
import { kindInfo } from './kinds';
import { MAX_CLUSTER_NAME, nameProblem } from './names';
import { get } from './rules/types';
import { commentText } from './scriptText';
import { checkInstant, formatInstant } from './timestamp';

const SGCLUSTER = kindInfo('SGCluster')!;

/** The instants a point-in-time restore from one backup can reach. */
export interface RecoverableWindow {
  /** The backup's `timing.stored`. */
  readonly from: Date;
  /** The next Completed backup's `timing.stored`, or now when this is the latest. */
  readonly to: Date;
  readonly toIsNow: boolean;
  /** Name of the next Completed backup, when there is one. */
  readonly nextBackup?: string;
}

/**
 * From this backup's `timing.stored` to the next Completed backup's of the same cluster, or `now` when it
 * is the latest (as the StackGres admin UI bounds its date picker). Undefined when the backup is not
 * Completed or has no stored time. `clusterBackups` are SGBackup objects; others are ignored.
 */
export function recoverableWindow(backup: unknown, clusterBackups: readonly unknown[], now: Date): RecoverableWindow | undefined {
  const b = readBackup(backup);
  if (!b || b.phase !== 'Completed' || !b.stored) return undefined;
  const from = b.stored;
  let next: BackupView | undefined;
  for (const o of clusterBackups) {
    if (!isBackupOf(o, b.cluster)) continue;
    const other = readBackup(o);
    // Copies share the original's stored time, so only strictly later backups end the window.
    if (!other || other.phase !== 'Completed' || !other.stored || other.stored.getTime() <= from.getTime()) continue;
    if (!next || other.stored.getTime() < next.stored!.getTime()) next = other;
  }
  if (next) return { from, to: next.stored!, toIsNow: false, nextBackup: next.name };
  return { from, to: now.getTime() > from.getTime() ? now : from, toIsNow: true };
}

export type RestoreCheckCode =
  | 'restore-name-invalid'
  | 'restore-backup-not-completed'
  | 'restore-backup-other-namespace'
  | 'restore-major-mismatch'
  | 'restore-major-unknown'
  | 'restore-timestamp-invalid'
  | 'restore-timestamp-before-window'
  | 'restore-timestamp-after-window';

export interface RestoreCheck {
  readonly code: RestoreCheckCode;
  /** Errors stop the restore; warnings are shown and the user decides. */
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface RestoreRequest {
  /** The SGBackup object to restore. */
  readonly backup: unknown;
  /** Name of the new SGCluster. */
  readonly clusterName: string;
  /** Namespace of the new SGCluster; the backup's namespace when omitted (it must be the same). */
  readonly namespace?: string;
  /** `spec.postgres.version` of the new cluster; the backup's major when omitted. */
  readonly postgresVersion?: string;
  /** Point in time to recover to: a Date, or text the operator's `Instant.parse` would accept. */
  readonly restoreToTimestamp?: Date | string;
  /** The backup's recoverable window (see `recoverableWindow`); the timestamp is checked against it. */
  readonly window?: RecoverableWindow;
  /** The cluster the backup was taken from, when known: instances and volume size are taken from it. */
  readonly sourceCluster?: unknown;
  readonly instances?: number;
  /** `pods.persistentVolume.size`; from the source cluster, else estimated from the backup size. */
  readonly volumeSize?: string;
}

/** Everything that is wrong or risky about a restore request, with what to do. */
export function checkRestore(r: RestoreRequest): RestoreCheck[] {
  const out: RestoreCheck[] = [];
  const b = readBackup(r.backup);
  const nameIssue = nameProblem(r.clusterName, MAX_CLUSTER_NAME, 'SGCluster');
  if (nameIssue) out.push({ code: 'restore-name-invalid', severity: 'error', message: nameIssue });
  if (!b) {
    out.push({ code: 'restore-backup-not-completed', severity: 'error', message: 'This is not an SGBackup with a name and namespace.' });
    return out;
  }
  if (b.phase !== 'Completed') {
    const why = b.phase === 'Failed' ? `Failed${b.failure ? ` (${firstLine(b.failure)})` : ''}` : `${b.phase}; wait until it is Completed`;
    out.push({ code: 'restore-backup-not-completed', severity: 'error', message: `SGBackup ${b.name} is ${why}. Only a Completed backup can be restored; the operator would refuse it.` });
  }
  if (r.namespace !== undefined && r.namespace !== b.namespace) {
    out.push({
      code: 'restore-backup-other-namespace',
      severity: 'error',
      message: `SGBackup ${b.name} is in namespace ${b.namespace}, but the new cluster would be in ${r.namespace}. A restore reads the backup from its own namespace: copy the backup to ${r.namespace} first (with its storage Secrets).`,
    });
  }
  if (!b.pgMajor) {
    out.push({ code: 'restore-major-unknown', severity: 'warning', message: `SGBackup ${b.name} does not record its Postgres version; make sure spec.postgres.version has the major of the cluster it was taken from.` });
  } else if (r.postgresVersion !== undefined) {
    const major = clusterMajor(r.postgresVersion);
    if (major !== b.pgMajor) {
      out.push({
        code: 'restore-major-mismatch',
        severity: 'error',
        message: `SGBackup ${b.name} was taken from Postgres ${b.pgMajor}, but the new cluster would run ${r.postgresVersion}. A backup restores only into the same major version (minor versions may differ); use ${b.pgMajor}.`,
      });
    }
  }
  if (r.restoreToTimestamp !== undefined) out.push(...checkPointInTime(r.restoreToTimestamp, r.window, b.name));
  return out;
}

function checkPointInTime(value: Date | string, window: RecoverableWindow | undefined, backup: string): RestoreCheck[] {
  const at = toInstant(value);
  if (!at.date) return [{ code: 'restore-timestamp-invalid', severity: 'error', message: at.problem ?? 'The point in time is not a valid timestamp.' }];
  if (!window) return [];
  const t = at.date.getTime();
  if (t < window.from.getTime()) {
    return [{
      code: 'restore-timestamp-before-window',
      severity: 'error',
      message: `${formatInstant(at.date)} is before SGBackup ${backup} was stored (${formatInstant(window.from)}). A backup can only roll forward: choose a later time, or an older backup. PostgreSQL would stop with "requested recovery stop point is before consistent recovery point".`,
    }];
  }
  if (t > window.to.getTime()) {
    const end = window.toIsNow
      ? `now (${formatInstant(window.to)}): a point in the future cannot be reached`
      : `the next backup${window.nextBackup ? `, ${window.nextBackup},` : ''} was stored (${formatInstant(window.to)}): restore from that backup instead`;
    return [{
      code: 'restore-timestamp-after-window',
      severity: 'error',
      message: `${formatInstant(at.date)} is after ${end}. PostgreSQL would stop with "recovery ended before configured recovery target was reached".`,
    }];
  }
  return [];
}

function toInstant(value: Date | string): { date?: Date; problem?: string } {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? { problem: 'The point in time is not a valid date.' } : { date: value };
  const check = checkInstant(value);
  return check.ok ? { date: check.date } : { problem: check.problem };
}

export interface RestorePlan {
  /** The new SGCluster. */
  readonly manifest: Record<string, unknown>;
  /** The manifest as a YAML file to review, with a comment header saying what applying it does. */
  readonly yaml: string;
  readonly checks: readonly RestoreCheck[];
}

/** The SGCluster that restores `backup`, ready to review and apply. */
export function restoreManifest(r: RestoreRequest): RestorePlan {
  const checks = checkRestore(r);
  const b = readBackup(r.backup);
  const namespace = r.namespace ?? b?.namespace;
  const version = r.postgresVersion ?? b?.pgMajor ?? '';
  const source = r.sourceCluster;
  const instances = r.instances ?? positiveInt(get(source, ['spec', 'instances'])) ?? 1;
  const size = r.volumeSize ?? stringOf(get(source, ['spec', 'pods', 'persistentVolume', 'size'])) ?? estimateVolume(b);
  const at = r.restoreToTimestamp !== undefined ? toInstant(r.restoreToTimestamp).date : undefined;
  const fromBackup: Record<string, unknown> = { name: b?.name ?? '' };
  if (at) fromBackup.pointInTimeRecovery = { restoreToTimestamp: formatInstant(at) };
  const manifest: Record<string, unknown> = {
    apiVersion: SGCLUSTER.apiVersion,
    kind: SGCLUSTER.kind,
    metadata: { name: r.clusterName, ...(namespace ? { namespace } : {}) },
    spec: {
      instances,
      postgres: { version },
      pods: { persistentVolume: { size } },
      initialData: { restore: { fromBackup } },
    },
  };
  return { manifest, yaml: `${header(r, b, at, size)}${stringify(manifest)}`, checks };
}

function header(r: RestoreRequest, b: BackupView | undefined, at: Date | undefined, size: string): string {
  const lines: string[] = [];
  if (b) {
    const taken = backupTime(b);
    lines.push(`Restores SGBackup ${b.name} (cluster ${b.cluster.namespace}.${b.cluster.name}${taken ? `, stored ${formatInstant(taken)}` : ''}${b.pgMajor ? `, Postgres ${b.pgMajor}` : ''})`);
    lines.push(`into a NEW SGCluster ${r.clusterName} in namespace ${r.namespace ?? b.namespace}. The source cluster is not touched.`);
  }
  lines.push(at
    ? `Point in time: ${formatInstant(at)} (UTC). Postgres replays the archived WAL from the backup up to that instant.`
    : 'No point in time: the cluster starts from the backup as it was stored.');
  lines.push('Applying creates the cluster. The restore section cannot be changed afterwards: to retry, delete the cluster and apply again.');
  const secrets = backupStorageSecrets(r.backup).map((s) => s.name);
  if (secrets.length) lines.push(`The backup's storage Secrets (${secrets.join(', ')}) must exist in this namespace.`);
  if (r.volumeSize === undefined && get(r.sourceCluster, ['spec', 'pods', 'persistentVolume', 'size']) === undefined) {
    lines.push(`Volume size ${size} is an estimate from the backup's size: check it.`);
  }
  lines.push('No backups are configured for the new cluster: add spec.configurations.backups to schedule them.');
  // Names, versions and Secret names come from the SGBackup, which the cluster or another tenant wrote.
  return lines.map((l) => `# ${commentText(l)}\n`).join('');
}

const GI = 1024 ** 3;

/** Twice the uncompressed data, at least 1Gi: room for the data and WAL replayed during recovery. */
function estimateVolume(b: BackupView | undefined): string {
  const bytes = b?.uncompressedBytes;
  return `${bytes ? Math.max(1, Math.ceil((bytes * 2) / GI)) : 1}Gi`;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

