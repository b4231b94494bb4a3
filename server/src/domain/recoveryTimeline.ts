/**
 * A cluster's recoverable window as one picture's data (create-backup.sh's retention, StackGres restore, wal-g's layout): its SGBackups on a time
 * axis with what retention will do to each, the wal-g backups in the bucket that no SGBackup records
 * (orphans the next backup deletes), the WAL the bucket holds, and from when to when a point-in-time
 * restore can land. The webview draws it and the restore command's point-in-time picker bounds its
 * choices with it. Pure: no I/O, no vscode.
 */
import { backupTime, clusterBackups, type BackupPhase, type BackupView } from './backups';
import { clusterBackupPath } from './objectStore';
import { recoverableWindow } from './restore';
import { get } from './rules/types';
import { matchBackups } from './walg';
import type { GapSpan } from './walVerify';

/** The CRD default of `backups[].retention`. */
export const DEFAULT_RETENTION = 5;

/** What retention will do to a backup. */
export type BackupFate =
  /** A managed backup among the newest `retention`: kept after the next backup too. */
  | 'kept'
  /** The oldest managed backup kept: the next scheduled backup pushes it out. */
  | 'replaced-next'
  /** Already beyond `retention` (the cleanup has not run yet): the next backup deletes it. */
  | 'over-retention'
  /** Not managed by retention: kept until its SGBackup is deleted. */
  | 'unmanaged'
  /** In the bucket without an SGBackup. */
  | 'orphan'
  | 'failed'
  | 'in-progress';

export interface TimelineBackup {
  /** SGBackup name, or the wal-g name for a backup only the bucket knows. */
  readonly label: string;
  /** ISO instant: `timing.stored` of an SGBackup, the finish time of a wal-g backup. */
  readonly at?: string;
  readonly phase?: BackupPhase;
  readonly sgBackup?: { readonly namespace: string; readonly name: string };
  readonly walgName?: string;
  readonly managed: boolean;
  readonly fate: BackupFate;
  /** Whether the bucket listing found its files; undefined when the bucket was not (fully) read. */
  readonly inBucket?: boolean;
  /** The WAL from its start was already deleted from the bucket: it cannot be restored. */
  readonly walGone?: boolean;
  /** For Completed SGBackups: the instants a point-in-time restore from it can reach. */
  readonly window?: { readonly from: string; readonly to: string; readonly toIsNow: boolean; readonly nextBackup?: string };
  /** One line: what this backup is and what will happen to it. */
  readonly note: string;
}

export interface WalEndpoint {
  readonly segment: string;
  /** When the segment was archived (its LastModified), as ISO. */
  readonly at?: string;
}

export interface RecoveryTimeline {
  readonly cluster: { readonly namespace: string; readonly name: string };
  readonly now: string;
  /** `backups[0].retention`, the CRD default when unset; undefined when the cluster has no backups configured. */
  readonly retention?: number;
  readonly schedule?: string;
  readonly backupPath?: string;
  /** Newest first. */
  readonly backups: readonly TimelineBackup[];
  /** The WAL in the bucket: oldest and newest segment. Undefined when the bucket was not read. */
  readonly wal?: { readonly oldest?: WalEndpoint; readonly newest?: WalEndpoint };
  /**
   * The span of time the archived WAL covers, for the picture: from the oldest segment (or the start of the
   * oldest backup it still covers, when the segment objects were written later, e.g. copied) to the newest.
   */
  readonly walBand?: { readonly from: string; readonly to: string };
  /** The instants a point-in-time restore can reach: from the oldest Completed SGBackup to the end of archived WAL (or now). */
  readonly recoverable?: { readonly from: string; readonly to: string; readonly toIsNow: boolean };
  /** Why the bucket part is missing or partial (credentials, access, too many backups). */
  readonly storageNotes: readonly string[];
  /** From the last "Verify Recoverability" of this path: its verdict and the gaps as spans of time. */
  readonly verification?: WalCheck;
}

export interface WalCheck {
  readonly at: string;
  readonly ok: boolean;
  readonly verdict: string;
  readonly gaps: readonly GapSpan[];
  /** Gaps whose start time is unknown (not drawn). */
  readonly undrawnGaps: number;
  /** Timeline switches placed from the listing because the history file could not be read: estimates. */
  readonly estimatedSwitches?: readonly { readonly timeline: number; readonly parent: number; readonly segment: string }[];
}

export interface BucketView {
  /** The path listed (`clusterBackupPath` when it was the cluster's). */
  readonly backupPath: string;
  /** wal-g backups found, with their finish time when known. */
  readonly backups: readonly { readonly name: string; readonly finishedAt?: string }[];
  /** False when the listing stopped before the end: nothing is then said about SGBackups missing from it. */
  readonly complete: boolean;
  readonly wal?: { readonly oldest?: WalEndpoint; readonly newest?: WalEndpoint };
}

export interface TimelineInput {
  readonly cluster: unknown;
  /** SGBackup objects (any namespaces: the cluster's are picked, copies left out). */
  readonly sgBackups: readonly unknown[];
  readonly bucket?: BucketView;
  readonly storageNotes?: readonly string[];
  readonly verification?: WalCheck;
  readonly now: Date;
}

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

export function recoveryTimeline(input: TimelineInput): RecoveryTimeline {
  const namespace = String(get(input.cluster, ['metadata', 'namespace']) ?? '');
  const name = String(get(input.cluster, ['metadata', 'name']) ?? '');
  const config = get(input.cluster, ['spec', 'configurations', 'backups', 0]);
  const configured = config !== undefined && config !== null;
  const rawRetention = get(config, ['retention']);
  const retention = configured ? (typeof rawRetention === 'number' && rawRetention >= 1 ? rawRetention : DEFAULT_RETENTION) : undefined;
  const schedule = typeof get(config, ['cronSchedule']) === 'string' ? String(get(config, ['cronSchedule'])) : undefined;
  const backupPath = clusterBackupPath(input.cluster);
  const ref = { namespace, name };

  const objects = input.sgBackups.filter((o) => get(o, ['metadata', 'namespace']) === namespace);
  const views = clusterBackups(objects, ref).filter((b) => !b.copy);
  const objectOf = new Map(objects.map((o) => [String(get(o, ['metadata', 'name'])), o]));

  // Retention counts Completed managed backups, newest first.
  const managedCompleted = views.filter((b) => b.managedLifecycle && b.phase === 'Completed');
  const rank = new Map(managedCompleted.map((b, i) => [b.name, i]));

  const bucket = input.bucket;
  const inBucketPath = (b: BackupView): boolean | undefined => {
    if (!bucket || !bucket.complete || !b.internalName || b.backupPath !== bucket.backupPath) return undefined;
    return bucket.backups.some((w) => w.name === b.internalName);
  };

  const entries: TimelineBackup[] = views.map((b) => {
    const at = iso(backupTime(b));
    const base = { label: b.name, at, phase: b.phase, sgBackup: { namespace: b.namespace, name: b.name }, walgName: b.internalName, managed: b.managedLifecycle, inBucket: inBucketPath(b) };
    if (b.phase === 'Failed') return { ...base, fate: 'failed' as const, note: `Failed: ${firstLine(b.failure ?? 'no reason recorded')}. Failed SGBackups are never deleted automatically.` };
    if (b.phase !== 'Completed') return { ...base, fate: 'in-progress' as const, note: `${b.phase}: not restorable yet.` };
    const w = recoverableWindow(objectOf.get(b.name), objects, input.now);
    const window = w ? { from: w.from.toISOString(), to: w.to.toISOString(), toIsNow: w.toIsNow, nextBackup: w.nextBackup } : undefined;
    let fate: BackupFate;
    let note: string;
    if (!b.managedLifecycle) {
      fate = 'unmanaged';
      note = 'Not managed by retention: kept until its SGBackup is deleted.';
    } else {
      const i = rank.get(b.name) ?? 0;
      const n = retention ?? DEFAULT_RETENTION;
      if (i >= n) {
        fate = 'over-retention';
        note = `Managed, beyond the retention of ${n}: the next backup deletes it${schedule ? '' : ' (no schedule: at the next manual managed backup)'}.`;
      } else if (i === n - 1) {
        fate = 'replaced-next';
        note = `Managed, the oldest of the ${n} kept: the next backup deletes it, and the recoverable window then starts at the next one.`;
      } else {
        fate = 'kept';
        note = `Managed: kept (${i + 1} of ${n} by age).`;
      }
    }
    const walGone = b.backupPath === bucket?.backupPath && startsBefore(b.internalName, bucket?.wal?.oldest?.segment);
    const missing = base.inBucket === false ? ' Its files are not in the bucket: a restore from it would fail.' : '';
    const gone = walGone ? ` The WAL from its start (${startSegment(b.internalName)}) is no longer in the bucket: it cannot be restored.` : '';
    return { ...base, fate, window, walGone: walGone || undefined, note: `${note}${missing}${gone}` };
  });

  if (bucket) {
    const match = matchBackups(bucket.backups.map((w) => w.name), bucket.backupPath, input.sgBackups, bucket.backupPath === backupPath);
    for (const m of match.backups) {
      if (!m.orphan) continue;
      const w = bucket.backups.find((x) => x.name === m.name);
      entries.push({ label: m.name, at: w?.finishedAt, walgName: m.name, managed: false, fate: 'orphan', inBucket: true, note: m.note ?? 'No SGBackup records this backup.' });
    }
  }
  entries.sort((a, b) => (b.at ?? '').localeCompare(a.at ?? '') || a.label.localeCompare(b.label));

  const restorable = entries.filter(isRestorable);
  const nowIso = input.now.toISOString();
  let recoverable: RecoveryTimeline['recoverable'];
  if (restorable.length) {
    const from = restorable.map((e) => e.window!.from).sort()[0];
    const newestWal = bucket?.wal?.newest?.at;
    const to = newestWal && newestWal >= from && newestWal < nowIso ? newestWal : nowIso;
    recoverable = { from, to, toIsNow: to === nowIso };
  }
  let walBand: RecoveryTimeline['walBand'];
  const oldest = bucket?.wal?.oldest;
  const newest = bucket?.wal?.newest ?? oldest;
  if (oldest?.at && newest?.at) {
    // The oldest backup whose start WAL is still there: the WAL reaches back at least to its start.
    const covered = entries.filter((e) => e.at && e.walgName && !e.walGone && startSegment(e.walgName) !== undefined && startSegment(e.walgName)! >= oldest.segment).map((e) => e.at!).sort()[0];
    const from = covered && covered < oldest.at ? covered : oldest.at;
    walBand = { from, to: newest.at > from ? newest.at : from };
  }
  return {
    cluster: ref,
    now: input.now.toISOString(),
    retention,
    schedule,
    backupPath,
    backups: entries,
    wal: bucket?.wal,
    walBand,
    recoverable,
    storageNotes: input.storageNotes ?? [],
    verification: input.verification,
  };
}

/** A Completed SGBackup whose files and WAL are in the bucket (as far as the bucket was read). */
export function isRestorable(b: TimelineBackup): boolean {
  return b.window !== undefined && b.sgBackup !== undefined && b.inBucket !== false && !b.walGone;
}

/** The SGBackup to restore for an instant: the newest restorable one stored at or before it. */
export function backupForInstant(timeline: RecoveryTimeline, at: Date): TimelineBackup | undefined {
  const t = at.toISOString();
  return timeline.backups.find((b) => isRestorable(b) && b.window!.from <= t);
}

/** The WAL segment a base backup starts at, from its wal-g name (`base_<24 hex>`). */
function startSegment(walgName: string | undefined): string | undefined {
  return walgName ? /^base_([0-9A-F]{24})/.exec(walgName)?.[1] : undefined;
}

/** The backup needs WAL from before the oldest segment in the bucket. */
function startsBefore(walgName: string | undefined, oldestSegment: string | undefined): boolean {
  const start = startSegment(walgName);
  return start !== undefined && oldestSegment !== undefined && start < oldestSegment;
}

export interface PointInTimeRange {
  readonly from: Date;
  readonly to: Date;
  /** The end is "now": a later instant cannot be reached yet. */
  readonly toIsNow: boolean;
  readonly nextBackup?: string;
  /** When archived WAL ends before the window does (the latest segment's time): instants after it are not recoverable yet. */
  readonly walUntil?: Date;
  /** A warning to show beside the range (WAL missing or behind). */
  readonly warning?: string;
  /** WAL gaps found by the last verification: instants inside them cannot be reached (see `gapProblem`). */
  readonly gaps: readonly GapSpan[];
}

/**
 * What a point-in-time restore from this SGBackup can reach: its recoverable window, cut at the end of
 * the archived WAL when the bucket was read. Undefined when the backup is not a restorable one.
 */
export function pointInTimeRange(timeline: RecoveryTimeline, backupName: string): PointInTimeRange | undefined {
  const b = timeline.backups.find((x) => x.sgBackup?.name === backupName && x.window);
  if (!b?.window) return undefined;
  const from = new Date(b.window.from);
  let to = new Date(b.window.to);
  const newest = timeline.wal?.newest?.at ? new Date(timeline.wal.newest.at) : undefined;
  let walUntil: Date | undefined;
  let warning: string | undefined;
  if (timeline.wal && !timeline.wal.newest) {
    warning = 'The bucket holds no WAL for this path: only the backup itself can be restored, not a later instant.';
  } else if (newest && newest.getTime() < to.getTime()) {
    walUntil = newest;
    if (newest.getTime() < from.getTime()) {
      warning = `The newest archived WAL segment (${timeline.wal!.newest!.segment}) is older than this backup: WAL archiving may be failing.`;
    } else if (b.window.toIsNow) {
      to = newest;
      warning = `WAL is archived up to ${newest.toISOString()} (segment ${timeline.wal!.newest!.segment}); later instants are not in the bucket yet.`;
    }
  }
  return { from, to, toIsNow: b.window.toIsNow && walUntil === undefined, nextBackup: b.window.nextBackup, walUntil, warning, gaps: timeline.verification?.gaps ?? [] };
}

/** The first line of a failure, without the colon that introduces the next line. */
function firstLine(s: string): string {
  return s.split('\n')[0].replace(/[\s:.]+$/, '');
}
