/**
 * SGBackups as a DBA reads them (StackGres SGBackup CRD reference): which cluster a backup belongs to (copies included), its
 * phase, timing, sizes and Postgres major, its age; the manifest of a manual backup; and the copy of a
 * backup into another namespace for a restore there (StackGres documentation, "Restoring from a Backup"). Pure: no I/O, no vscode.
 */
import { formatBytes, postgresMajor, storageSummary } from './describe';
import { drillRecordOf, type DrillRecord } from './drillRecord';
import { kindInfo } from './kinds';
import { isRecord } from './manifest';
import { MAX_BACKUP_NAME, nameProblem, scheduledBackupName, SCHEDULED_SUFFIX_LENGTH } from './names';
import { referencesOf } from './references';
import { get } from './rules/types';

export const BACKUP_PHASES = ['Pending', 'Running', 'Completed', 'Failed'] as const;
export type BackupPhase = (typeof BACKUP_PHASES)[number];

const SGBACKUP = kindInfo('SGBackup')!;
/** Label and annotation the operator puts on scheduled backups. */
export const SCHEDULED_BACKUP_LABEL = 'stackgres.io/scheduled-backup';
const SCHEDULED_JOB_LABEL = 'stackgres.io/scheduled-backup-job-name';

export interface ClusterRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The cluster `spec.sgCluster` points at, seen from the backup's namespace: a plain name is a cluster of
 * the same namespace; `<namespace>.<cluster>` is a copy of a backup taken in that other namespace.
 * Namespaces are DNS labels, so the first dot is the separator.
 */
export function backupClusterRef(backupNamespace: string, sgCluster: string): ClusterRef & { readonly copy: boolean } {
  const dot = sgCluster.indexOf('.');
  if (dot > 0) return { namespace: sgCluster.slice(0, dot), name: sgCluster.slice(dot + 1), copy: true };
  return { namespace: backupNamespace, name: sgCluster, copy: false };
}

/** True when the SGBackup object belongs to the cluster, as the operator finds them (copies included). */
export function isBackupOf(backup: unknown, cluster: ClusterRef): boolean {
  const ns = get(backup, ['metadata', 'namespace']);
  const sgCluster = get(backup, ['spec', 'sgCluster']);
  if (typeof ns !== 'string' || typeof sgCluster !== 'string' || sgCluster === '') return false;
  const ref = backupClusterRef(ns, sgCluster);
  return ref.namespace === cluster.namespace && ref.name === cluster.name;
}

/** One SGBackup, read defensively: servers may return objects with missing or odd status fields. */
export interface BackupView {
  readonly name: string;
  readonly namespace: string;
  /** metadata.uid: tells this backup from one made later under the same name. */
  readonly uid?: string;
  readonly cluster: ClusterRef;
  /** A copy of a backup taken in another namespace (`spec.sgCluster` is `<namespace>.<cluster>`). */
  readonly copy: boolean;
  /** `Pending` while the operator has not written a status yet. */
  readonly phase: BackupPhase;
  /** `status.process.failure` of a Failed backup, as the backup Job wrote it. */
  readonly failure?: string;
  readonly created?: Date;
  readonly started?: Date;
  readonly ended?: Date;
  /** When the backup was stored: the start of its recoverable window. */
  readonly stored?: Date;
  readonly compressedBytes?: number;
  readonly uncompressedBytes?: number;
  /** `server_version_num` of the instance the backup was taken from ("160004"). */
  readonly postgresVersion?: string;
  readonly pgMajor?: string;
  /** What the user asked for (`spec.managedLifecycle`): deleted by the retention policy when true. */
  readonly managedLifecycle: boolean;
  /** What the operator applied so far (`status.process.managedLifecycle`); differs until the next backup reconciles it. */
  readonly managedLifecycleApplied?: boolean;
  /** Created by the cluster's `cronSchedule`. */
  readonly scheduled: boolean;
  readonly internalName?: string;
  readonly backupPath?: string;
  readonly timeline?: string;
  readonly compression?: string;
  /** `type, bucket ...` of the storage the backup was written to (`status.sgBackupConfig.storage`). */
  readonly storage?: string;
  /** Taken as a CSI VolumeSnapshot: copying it needs the VolumeSnapshot too. */
  readonly volumeSnapshot: boolean;
  /** The last restore drill recorded on it (annotation `stackgres-vscode/restore-drill`). */
  readonly drill?: DrillRecord;
}

export function readBackup(obj: unknown): BackupView | undefined {
  const name = get(obj, ['metadata', 'name']);
  const namespace = get(obj, ['metadata', 'namespace']);
  if (typeof name !== 'string' || typeof namespace !== 'string') return undefined;
  const sgCluster = str(get(obj, ['spec', 'sgCluster'])) ?? '';
  const ref = backupClusterRef(namespace, sgCluster);
  const process = get(obj, ['status', 'process']);
  const rawPhase = get(process, ['status']);
  const phase: BackupPhase = (BACKUP_PHASES as readonly unknown[]).includes(rawPhase) ? (rawPhase as BackupPhase) : 'Pending';
  const info = get(obj, ['status', 'backupInformation']);
  const postgresVersion = str(get(info, ['postgresVersion'])) ?? num(get(info, ['postgresVersion']))?.toString();
  const labels = get(obj, ['metadata', 'labels']);
  const annotations = get(obj, ['metadata', 'annotations']);
  const managedApplied = get(process, ['managedLifecycle']);
  return {
    name,
    namespace,
    uid: str(get(obj, ['metadata', 'uid'])),
    cluster: { namespace: ref.namespace, name: ref.name },
    copy: ref.copy,
    phase,
    failure: phase === 'Failed' ? str(get(process, ['failure'])) : undefined,
    created: time(get(obj, ['metadata', 'creationTimestamp'])),
    started: time(get(process, ['timing', 'start'])),
    ended: time(get(process, ['timing', 'end'])),
    stored: time(get(process, ['timing', 'stored'])),
    compressedBytes: num(get(info, ['size', 'compressed'])),
    uncompressedBytes: num(get(info, ['size', 'uncompressed'])),
    postgresVersion,
    pgMajor: postgresMajor(postgresVersion),
    managedLifecycle: get(obj, ['spec', 'managedLifecycle']) === true,
    managedLifecycleApplied: typeof managedApplied === 'boolean' ? managedApplied : undefined,
    scheduled: get(labels, [SCHEDULED_BACKUP_LABEL]) === 'true' || get(annotations, [SCHEDULED_BACKUP_LABEL]) === 'true',
    internalName: str(get(obj, ['status', 'internalName'])),
    backupPath: str(get(obj, ['status', 'backupPath'])),
    timeline: str(get(info, ['timeline'])),
    compression: str(get(obj, ['status', 'sgBackupConfig', 'baseBackups', 'compression'])),
    storage: isRecord(get(obj, ['status', 'sgBackupConfig', 'storage'])) ? storageSummary(get(obj, ['status', 'sgBackupConfig', 'storage'])) : undefined,
    volumeSnapshot: isRecord(get(obj, ['status', 'volumeSnapshot'])),
    drill: drillRecordOf(annotations),
  };
}

/** The instant that orders backups: stored, else ended, else created. */
export function backupTime(b: BackupView): Date | undefined {
  return b.stored ?? b.ended ?? b.created;
}

/** The backups of a cluster among SGBackup objects of any namespaces, newest first. */
export function clusterBackups(objects: readonly unknown[], cluster: ClusterRef): BackupView[] {
  const out: BackupView[] = [];
  for (const o of objects) {
    if (!isBackupOf(o, cluster)) continue;
    const b = readBackup(o);
    if (b) out.push(b);
  }
  return out.sort((a, b) => (backupTime(b)?.getTime() ?? 0) - (backupTime(a)?.getTime() ?? 0) || a.name.localeCompare(b.name));
}

/** Age as kubectl prints it (`45s`, `5m30s`, `3h`, `2d4h`, `400d`). */
export function formatAge(from: Date, now: Date): string {
  const ms = Math.max(0, now.getTime() - from.getTime());
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (y < 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

/** One line for a tree item's description: phase, age, size and PG major. */
export function backupDescription(b: BackupView, now: Date): string {
  const t = backupTime(b);
  return [
    b.phase,
    t ? formatAge(t, now) : undefined,
    b.compressedBytes !== undefined ? formatBytes(b.compressedBytes) : undefined,
    b.pgMajor ? `PG ${b.pgMajor}` : undefined,
    b.managedLifecycle ? 'managed' : undefined,
    b.copy ? `copy of ${b.cluster.namespace}.${b.cluster.name}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

// ---- Run backup now -------------------------------------------------------------------------------

/** The two answers to "who deletes this backup?", worded for a quick pick. */
export const MANAGED_LIFECYCLE_CHOICES = [
  { managedLifecycle: false, label: 'Keep until I delete it', detail: 'Not counted by the retention policy; its files stay in storage until the SGBackup is deleted.' },
  { managedLifecycle: true, label: 'Managed by the retention policy', detail: "Counted with the scheduled backups: deleted once newer backups exceed the cluster's `retention`." },
] as const;

/**
 * A manual backup's name: `<cluster>-YYYY-MM-DD-HH-MM-SS` (UTC), as the operator names scheduled ones;
 * the cluster part is shortened when the whole would exceed the SGBackup name limit.
 */
export function manualBackupName(cluster: string, now: Date): string {
  const room = MAX_BACKUP_NAME - SCHEDULED_SUFFIX_LENGTH;
  const prefix = cluster.length > room ? cluster.slice(0, room).replace(/-+$/, '') : cluster;
  return scheduledBackupName(prefix, now);
}

export interface ManualBackup {
  readonly name: string;
  readonly manifest: Record<string, unknown>;
  /** Why the name cannot be used (too long, bad characters), if so. */
  readonly problem?: string;
}

export function manualBackupManifest(o: { namespace: string; cluster: string; managedLifecycle: boolean; now: Date; name?: string }): ManualBackup {
  const name = o.name ?? manualBackupName(o.cluster, o.now);
  return {
    name,
    manifest: {
      apiVersion: SGBACKUP.apiVersion,
      kind: SGBACKUP.kind,
      metadata: { name, namespace: o.namespace },
      spec: { sgCluster: o.cluster, managedLifecycle: o.managedLifecycle },
    },
    problem: nameProblem(name, MAX_BACKUP_NAME, 'SGBackup'),
  };
}

// ---- Copy a backup to another namespace -----------------------------------------------------------

export interface SecretNeeded {
  readonly name: string;
  /** The keys the storage reads from it. */
  readonly keys: readonly string[];
}

/** Secrets (and keys) that the storage recorded in `status.sgBackupConfig.storage` reads. */
export function backupStorageSecrets(backup: unknown): SecretNeeded[] {
  const storage = get(backup, ['status', 'sgBackupConfig', 'storage']);
  if (!isRecord(storage)) return [];
  const keys = new Map<string, Set<string>>();
  // Walk the storage as if it were an SGObjectStorage spec: the selectors are found by their shape.
  for (const ref of referencesOf('SGObjectStorage', { spec: storage })) {
    if (ref.kind !== 'Secret') continue;
    const set = keys.get(ref.name) ?? new Set<string>();
    if (ref.key) set.add(ref.key);
    keys.set(ref.name, set);
  }
  return [...keys].map(([name, k]) => ({ name, keys: [...k].sort() })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Secret selectors of the recorded storage that name no key: where they are and the Secret they name. */
export function keylessStorageSelectors(backup: unknown): { path: string; secret: string }[] {
  const storage = get(backup, ['status', 'sgBackupConfig', 'storage']);
  if (!isRecord(storage)) return [];
  return referencesOf('SGObjectStorage', { spec: storage })
    .filter((ref) => ref.kind === 'Secret' && !ref.key)
    .map((ref) => ({ path: ref.path.slice(1, -1).join('.'), secret: ref.name }));
}

export interface BackupCopy {
  /** The SGBackup to create in the target namespace. */
  readonly manifest: Record<string, unknown>;
  /** Secrets that must exist in the target namespace for a restore from the copy to read the storage. */
  readonly secrets: readonly SecretNeeded[];
  /** Reasons not to copy (the copy would be useless or wrong). */
  readonly problems: readonly string[];
  /** Things the user should know; the copy is still made. */
  readonly warnings: readonly string[];
}

/** Metadata the API server or controllers set; a new object must not carry them. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers', 'generateName'];

/**
 * As the StackGres restore runbook does it: the same SGBackup in another namespace, `spec.sgCluster` prefixed with the source namespace,
 * status carried over (there is no status subresource, so it is created as is). Owner references (the
 * CronJob of a scheduled backup) point into the source namespace and would get the copy garbage-collected,
 * so they go with the rest of the server-set metadata, as do the scheduled-backup marks.
 */
export function copyBackupManifest(backup: unknown, targetNamespace: string): BackupCopy {
  const problems: string[] = [];
  const warnings: string[] = [];
  const view = readBackup(backup);
  const source = structuredClone(backup) as Record<string, unknown>;
  if (!view || !isRecord(source)) {
    return { manifest: {}, secrets: [], problems: ['This is not an SGBackup with a name and namespace.'], warnings };
  }
  if (targetNamespace === view.namespace) problems.push(`SGBackup ${view.name} is already in namespace ${targetNamespace}.`);
  if (view.phase !== 'Completed') {
    problems.push(`SGBackup ${view.name} is ${view.phase}; only a Completed backup can be restored, so a copy of it would be of no use.`);
  }
  const sgCluster = get(backup, ['spec', 'sgCluster']);
  if (typeof sgCluster !== 'string' || sgCluster === '') problems.push(`SGBackup ${view.name} has no spec.sgCluster.`);
  if (view.volumeSnapshot) {
    warnings.push(`SGBackup ${view.name} was taken as a VolumeSnapshot: copy its VolumeSnapshot and VolumeSnapshotContent to ${targetNamespace} too and set status.volumeSnapshot.name, or the restore cannot find the data.`);
  }
  if (!isRecord(get(backup, ['status', 'sgBackupConfig', 'storage']))) {
    problems.push(`SGBackup ${view.name} has no status.sgBackupConfig.storage: a restore from the copy would not know where the files are.`);
  }
  // Copying "every key" of such a Secret would move credentials nobody asked for.
  for (const k of keylessStorageSelectors(backup)) {
    problems.push(
      `The storage recorded in SGBackup ${view.name} (status.sgBackupConfig.storage.${k.path}) names Secret ${k.secret} without a key, so which of its keys a restore reads is unknown. Nothing was copied. Give the selector its key in the SGObjectStorage and take a new backup, or copy the keys the restore needs to ${targetNamespace} yourself.`,
    );
  }

  const metadata = { ...(source.metadata as Record<string, unknown>) };
  for (const k of SERVER_METADATA) delete metadata[k];
  metadata.namespace = targetNamespace;
  const labels = withoutScheduledMarks(metadata.labels);
  const annotations = withoutScheduledMarks(metadata.annotations);
  if (labels) metadata.labels = labels;
  else delete metadata.labels;
  if (annotations) metadata.annotations = annotations;
  else delete metadata.annotations;

  const spec = { ...(isRecord(source.spec) ? source.spec : {}) };
  // A copy of a copy still points at the namespace where the backup was taken.
  spec.sgCluster = view.copy ? sgCluster : `${view.namespace}.${String(sgCluster ?? '')}`;
  const manifest: Record<string, unknown> = { apiVersion: source.apiVersion ?? SGBACKUP.apiVersion, kind: source.kind ?? SGBACKUP.kind, metadata, spec };
  if (source.status !== undefined) manifest.status = source.status;
  return { manifest, secrets: backupStorageSecrets(backup), problems, warnings };
}

function withoutScheduledMarks(map: unknown): Record<string, unknown> | undefined {
  if (!isRecord(map)) return undefined;
  const out = { ...map };
  delete out[SCHEDULED_BACKUP_LABEL];
  delete out[SCHEDULED_JOB_LABEL];
  return Object.keys(out).length ? out : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function time(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
