/**
 * Backup health of a cluster, decided from its SGCluster (`backups[0].cronSchedule`, evaluated in UTC as the
 * operator's CronJob does) and its SGBackups, plus the bucket's newest WAL segment and the last WAL
 * verification when the caller has them:
 * - overdue: no Completed backup started since the latest scheduled run that is more than the grace period
 *   ago (a backup needs time to run; the cluster must have existed at that run);
 * - failing: Failed backups since the last Completed one;
 * - WAL lag: age of the newest archived segment;
 * - window: from the oldest Completed backup to the newest WAL (or now), and the gaps of the last verification.
 * Pure: no I/O, no vscode; the clock is an argument.
 */
import { backupTime, formatAge, type BackupView } from './backups';
import { checkCron } from './cron';
import { get } from './rules/types';

export type HealthSeverity = 'ok' | 'warning' | 'error';
/** What a problem is about; the status bar counts clusters per kind. */
export type HealthFlag = 'overdue' | 'failing' | 'walLag' | 'gaps' | 'schedule';

/**
 * Default grace after a scheduled run before a missing backup counts as overdue: the CronJob may start up to
 * 5 minutes late (startingDeadlineSeconds 300) and a base backup of a large database takes a while.
 */
export const DEFAULT_GRACE_MINUTES = 60;
/** Default age of the newest archived WAL segment above which archiving looks stuck. */
export const DEFAULT_WAL_LAG_MINUTES = 60;
/** Missed runs are counted up to this many (a `* * * * *` schedule stopped for a month is 43,200 runs). */
const MAX_COUNTED_RUNS = 100;

export interface HealthOptions {
  readonly graceMinutes?: number;
  readonly walLagMinutes?: number;
}

/** The bucket's newest WAL segment, or why it could not be read. */
export type WalState = { readonly newestSegment?: string; readonly newestAt?: Date } | { readonly problem: string };

export interface VerificationState {
  readonly at: Date;
  readonly ok: boolean;
  readonly gapCount: number;
  readonly verdict: string;
}

export interface HealthInput {
  /** The SGCluster object. */
  readonly cluster: unknown;
  /** The cluster's SGBackups (copies in other namespaces are left out). */
  readonly backups: readonly BackupView[];
  readonly wal?: WalState;
  readonly verification?: VerificationState;
  readonly now: Date;
  readonly options?: HealthOptions;
}

export interface HealthProblem {
  readonly severity: Exclude<HealthSeverity, 'ok'>;
  readonly flag: HealthFlag;
  readonly text: string;
}

export interface BackupRef {
  readonly name: string;
  readonly namespace: string;
  /** ISO: when it started (or was created). */
  readonly at?: string;
  readonly failure?: string;
}

export type ScheduleState =
  | { readonly kind: 'unconfigured' }
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly expr: string; readonly problem: string }
  | { readonly kind: 'never'; readonly expr: string; readonly reason: string }
  | { readonly kind: 'cron'; readonly expr: string; readonly description: string; readonly nextRun?: string; readonly dueRun?: string };

export interface ClusterHealth {
  readonly namespace: string;
  readonly name: string;
  readonly severity: HealthSeverity;
  /** One line: the worst problems, or the state when all is well. */
  readonly reason: string;
  readonly problems: readonly HealthProblem[];
  readonly flags: readonly HealthFlag[];
  readonly schedule: ScheduleState;
  readonly graceMinutes: number;
  /** Overdue: the scheduled run (ISO) whose backup is missing, runs missed since the last Completed backup (capped). */
  readonly overdue?: { readonly since: string; readonly missedRuns: number; readonly missedMore: boolean };
  /** Failed backups since the last Completed one. */
  readonly failing: number;
  readonly lastCompleted?: BackupRef;
  readonly lastFailed?: BackupRef;
  /** A backup Pending or Running now. */
  readonly running?: BackupRef;
  readonly wal?: { readonly newestSegment?: string; readonly newestAt?: string; readonly lagMs?: number; readonly problem?: string };
  /** From the oldest Completed backup to the newest archived WAL (or now when the bucket was not read). */
  readonly window?: { readonly from: string; readonly to: string; readonly toIsNow: boolean; readonly lengthMs: number };
  readonly verification?: { readonly at: string; readonly ok: boolean; readonly gapCount: number; readonly verdict: string };
}

const MINUTE = 60_000;

/** `2026-01-01 05:00 UTC`. */
export function utcMinute(d: Date): string {
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** When a backup began: its start, else when its SGBackup was created. */
function startOf(b: BackupView): Date | undefined {
  return b.started ?? b.created ?? backupTime(b);
}

function ref(b: BackupView | undefined): BackupRef | undefined {
  if (!b) return undefined;
  return { name: b.name, namespace: b.namespace, at: startOf(b)?.toISOString(), failure: b.failure };
}

function positive(n: number | undefined, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function clusterHealth(input: HealthInput): ClusterHealth {
  const now = input.now;
  const graceMinutes = positive(input.options?.graceMinutes, DEFAULT_GRACE_MINUTES);
  const walLagMinutes = positive(input.options?.walLagMinutes, DEFAULT_WAL_LAG_MINUTES);
  const namespace = String(get(input.cluster, ['metadata', 'namespace']) ?? '');
  const name = String(get(input.cluster, ['metadata', 'name']) ?? '');
  const createdRaw = get(input.cluster, ['metadata', 'creationTimestamp']);
  const created = typeof createdRaw === 'string' && !Number.isNaN(Date.parse(createdRaw)) ? new Date(createdRaw) : undefined;
  const config = get(input.cluster, ['spec', 'configurations', 'backups', 0]);
  const configured = config !== undefined && config !== null && typeof config === 'object';
  const cronRaw = get(config, ['cronSchedule']);

  const own = input.backups.filter((b) => !b.copy);
  const byStart = [...own].sort((a, b) => (startOf(b)?.getTime() ?? 0) - (startOf(a)?.getTime() ?? 0));
  const lastCompleted = byStart.find((b) => b.phase === 'Completed');
  const lastCompletedStart = lastCompleted ? startOf(lastCompleted)?.getTime() ?? 0 : undefined;
  // Attempts are ordered by creation (whole seconds on the API server); a Failed one created in the same
  // second as the last Completed one counts as after it: a failure is better reported than hidden.
  const attempt = (b: BackupView): number => (b.created ?? startOf(b))?.getTime() ?? 0;
  const failedSince = byStart.filter((b) => b.phase === 'Failed' && (!lastCompleted || attempt(b) >= attempt(lastCompleted)));
  const running = byStart.find((b) => b.phase === 'Pending' || b.phase === 'Running');
  const problems: HealthProblem[] = [];

  // ---- schedule and overdue
  let schedule: ScheduleState;
  let overdue: ClusterHealth['overdue'];
  if (!configured) schedule = { kind: 'unconfigured' };
  else if (typeof cronRaw !== 'string' || cronRaw.trim() === '') schedule = { kind: 'none' };
  else {
    const check = checkCron(cronRaw);
    if (!check.ok) {
      schedule = { kind: 'invalid', expr: cronRaw, problem: check.problem };
      problems.push({ severity: 'error', flag: 'schedule', text: `Schedule "${cronRaw}" is invalid: the operator cannot create its CronJob, so no backup runs automatically` });
    } else if (check.neverRuns) {
      schedule = { kind: 'never', expr: cronRaw, reason: check.reason };
      problems.push({ severity: 'error', flag: 'schedule', text: `Schedule "${cronRaw}" never fires: no backup runs automatically` });
    } else {
      const deadline = new Date(now.getTime() - graceMinutes * MINUTE);
      let due = check.lastRunAtOrBefore(deadline);
      if (!due && check.everyMs) due = new Date(deadline.getTime() - check.everyMs);
      // A run from before the cluster existed could not have taken a backup.
      if (due && created && due.getTime() < created.getTime()) due = undefined;
      const next = check.nextRuns(now, 1)[0];
      schedule = { kind: 'cron', expr: cronRaw, description: check.description, nextRun: next?.toISOString(), dueRun: due?.toISOString() };
      const covered = due && own.some((b) => b.phase === 'Completed' && (startOf(b)?.getTime() ?? 0) >= due.getTime());
      if (due && !covered) {
        const from = Math.max(lastCompletedStart ?? 0, created?.getTime() ?? 0);
        const missed = countRuns(check, from, deadline);
        overdue = { since: due.toISOString(), ...missed };
        const runs = missed.missedRuns > 1 ? ` (${missed.missedMore ? 'over ' : ''}${missed.missedRuns} scheduled runs missed)` : '';
        const last = lastCompleted ? `; last Completed backup ${formatAge(startOf(lastCompleted) ?? now, now)} ago` : '; no Completed backup yet';
        const runningNow = running && (startOf(running)?.getTime() ?? 0) >= due.getTime();
        if (runningNow) {
          problems.push({ severity: 'warning', flag: 'overdue', text: `Overdue: backup ${running.name} of the ${utcMinute(due)} run is still ${running.phase} after ${formatAge(due, now)}` });
        } else {
          problems.push({ severity: 'error', flag: 'overdue', text: `Overdue: no Completed backup since the ${utcMinute(due)} run${runs}${last}` });
        }
      }
    }
  }

  // ---- failing
  if (failedSince.length > 0) {
    const n = failedSince.length;
    const newest = failedSince[0];
    const why = newest.failure ? `: ${firstLine(newest.failure)}` : '';
    const what = lastCompleted ? 'since the last Completed one' : 'and none Completed yet';
    problems.push({ severity: n >= 2 ? 'error' : 'warning', flag: 'failing', text: `${n === 1 ? '1 backup' : `${n} backups`} Failed ${what} (newest ${newest.name}${why})` });
  }

  // ---- WAL
  let wal: ClusterHealth['wal'];
  if (configured && input.wal) {
    if ('problem' in input.wal) {
      wal = { problem: input.wal.problem };
    } else if (input.wal.newestAt) {
      const lagMs = Math.max(0, now.getTime() - input.wal.newestAt.getTime());
      wal = { newestSegment: input.wal.newestSegment, newestAt: input.wal.newestAt.toISOString(), lagMs };
      if (lagMs > walLagMinutes * MINUTE) {
        problems.push({ severity: 'warning', flag: 'walLag', text: `WAL archiving behind: the newest segment ${input.wal.newestSegment ?? ''} was archived ${formatAge(input.wal.newestAt, now)} ago`.replace('  ', ' ') });
      }
    } else if (input.wal.newestSegment) {
      // A segment whose upload time the listing did not give: its age is unknown, so nothing is judged.
      wal = { newestSegment: input.wal.newestSegment };
    } else {
      wal = {};
      if (lastCompleted) problems.push({ severity: 'warning', flag: 'walLag', text: 'No WAL segment in the bucket: only the base backups themselves can be restored' });
    }
  }

  // ---- window and verification
  const completed = own.filter((b) => b.phase === 'Completed' && backupTime(b));
  let window: ClusterHealth['window'];
  if (completed.length) {
    const from = new Date(Math.min(...completed.map((b) => backupTime(b)!.getTime())));
    const walAt = wal?.newestAt ? new Date(wal.newestAt) : undefined;
    const to = walAt && walAt.getTime() >= from.getTime() && walAt.getTime() < now.getTime() ? walAt : now;
    window = { from: from.toISOString(), to: to.toISOString(), toIsNow: to === now, lengthMs: to.getTime() - from.getTime() };
  }
  let verification: ClusterHealth['verification'];
  if (input.verification) {
    const v = input.verification;
    verification = { at: v.at.toISOString(), ok: v.ok, gapCount: v.gapCount, verdict: v.verdict };
    if (v.gapCount > 0) problems.push({ severity: 'error', flag: 'gaps', text: `${v.gapCount === 1 ? '1 WAL gap' : `${v.gapCount} WAL gaps`} found by the verification of ${utcMinute(v.at)}` });
    else if (!v.ok) problems.push({ severity: 'error', flag: 'gaps', text: `Verification of ${utcMinute(v.at)}: ${firstLine(v.verdict)}` });
  }

  problems.sort((a, b) => rank(b.severity) - rank(a.severity));
  const severity: HealthSeverity = problems[0]?.severity ?? 'ok';
  const reason = problems.length ? problems.slice(0, 2).map((p) => p.text).join('; ') + (problems.length > 2 ? ` (+${problems.length - 2} more)` : '') : okReason(schedule, lastCompleted, running, now);
  return {
    namespace,
    name,
    severity,
    reason,
    problems,
    flags: [...new Set(problems.map((p) => p.flag))],
    schedule,
    graceMinutes,
    overdue,
    failing: failedSince.length,
    lastCompleted: ref(lastCompleted),
    lastFailed: ref(byStart.find((b) => b.phase === 'Failed')),
    running: ref(running),
    wal,
    window,
    verification,
  };
}

function okReason(schedule: ScheduleState, lastCompleted: BackupView | undefined, running: BackupView | undefined, now: Date): string {
  if (schedule.kind === 'unconfigured') return 'Backups not configured';
  const last = lastCompleted ? `Last Completed backup ${formatAge(startOf(lastCompleted) ?? now, now)} ago` : 'No Completed backup yet';
  const run = running ? `, ${running.name} ${running.phase}` : '';
  if (schedule.kind === 'none') return `${last}${run}; no schedule: manual backups only`;
  const next = schedule.kind === 'cron' && schedule.nextRun ? `; next run ${utcMinute(new Date(schedule.nextRun))}` : '';
  return `${last}${run}${next}`;
}

/** Scheduled runs after `fromMs` up to `to`, counted up to MAX_COUNTED_RUNS. */
function countRuns(check: { nextRuns: (from: Date, count: number) => Date[] }, fromMs: number, to: Date): { missedRuns: number; missedMore: boolean } {
  const runs = check.nextRuns(new Date(fromMs), MAX_COUNTED_RUNS + 1).filter((d) => d.getTime() <= to.getTime());
  return runs.length > MAX_COUNTED_RUNS ? { missedRuns: MAX_COUNTED_RUNS, missedMore: true } : { missedRuns: Math.max(1, runs.length), missedMore: false };
}

function rank(s: HealthSeverity): number {
  return s === 'error' ? 2 : s === 'warning' ? 1 : 0;
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/[\s:.]+$/, '');
}

/** Clusters per problem kind, for the status bar ("1 overdue, 1 failing"); empty when all is well. */
export function healthSummary(all: readonly ClusterHealth[]): { counts: Record<HealthFlag, number>; text: string; severity: HealthSeverity } {
  const counts: Record<HealthFlag, number> = { overdue: 0, failing: 0, walLag: 0, gaps: 0, schedule: 0 };
  for (const h of all) for (const f of h.flags) counts[f]++;
  const words: [HealthFlag, string][] = [['overdue', 'overdue'], ['failing', 'failing'], ['schedule', 'not scheduled'], ['gaps', 'with WAL gaps'], ['walLag', 'WAL behind']];
  const text = words.filter(([f]) => counts[f] > 0).map(([f, w]) => `${counts[f]} ${w}`).join(', ');
  const severity = all.reduce<HealthSeverity>((s, h) => (rank(h.severity) > rank(s) ? h.severity : s), 'ok');
  return { counts, text, severity };
}
