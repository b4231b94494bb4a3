/**
 * The Backup Health Report: every cluster of a context, worst first, with what was decided and why. Names,
 * failures and verdicts come from the cluster or the bucket, so each goes through the Markdown helpers.
 * Pure: no I/O, no vscode.
 */
import { formatAge, type BackupView } from './backups';
import type { ClusterHealth } from './backupHealth';
import { utcMinute } from './backupHealth';
import type { ClusterDrill } from './drill';
import { formatDrillDuration } from './drillRecord';
import { get } from './rules/types';
import { shellWord } from './scriptText';
import { markdownCell, markdownCode, markdownCodeBlock, markdownCodeCell, markdownText } from './markdown';

export interface ReportCluster {
  readonly health: ClusterHealth;
  /** The last restore drill of this cluster, when one was recorded. */
  readonly lastDrill?: ClusterDrill;
}

export interface ReportContext {
  readonly context: string;
  readonly at: Date;
  /** What the report could not read (bucket reads cancelled or refused, clusters left out). */
  readonly notes?: readonly string[];
}

const LABEL = { ok: 'OK', warning: 'Warning', error: 'Error' } as const;
const RANK = { error: 0, warning: 1, ok: 2 } as const;

const text = markdownText;
const code = markdownCode;
/** Inside table rows: one line, pipes escaped. */
const cell = markdownCell;
const codeCell = markdownCodeCell;
const when = (iso: string | undefined): string => (iso ? utcMinute(new Date(iso)) : '?');

/** "2026-03-10 09:00 UTC: restored `b` to latest in 7m12s (drill `ns/x`)", or failed with the reason. */
function drillCell(d: ClusterDrill): string {
  const r = d.record;
  const what = `${markdownCodeCell(d.backup)} to ${r.target === 'latest' ? 'latest' : cell(r.target)} in ${formatDrillDuration(r.durationSeconds)} (drill ${markdownCodeCell(r.cluster)})`;
  return r.result === 'succeeded' ? `${when(r.time.toISOString())}: restored ${what}` : `${when(r.time.toISOString())}: **failed** ${what}${r.reason ? `: ${cell(r.reason)}` : ''}`;
}

export function backupHealthMarkdown(clusters: readonly ReportCluster[], where: ReportContext): string {
  const sorted = [...clusters].sort((a, b) => RANK[a.health.severity] - RANK[b.health.severity] || a.health.namespace.localeCompare(b.health.namespace) || a.health.name.localeCompare(b.health.name));
  const count = (s: keyof typeof LABEL) => clusters.filter((c) => c.health.severity === s).length;
  const out: string[] = [
    `# Backup health of context ${code(where.context)}`,
    '',
    `${utcMinute(where.at)}: ${clusters.length} cluster(s): ${count('error')} error, ${count('warning')} warning, ${count('ok')} OK.`,
    '',
  ];
  for (const n of where.notes ?? []) out.push(`> ${text(n)}`, '');
  if (clusters.length === 0) out.push('No SGCluster in this context.', '');
  for (const c of sorted) out.push(...section(c, where.at));
  return out.join('\n');
}

function section(c: ReportCluster, now: Date): string[] {
  const h = c.health;
  const rows: [string, string][] = [];
  rows.push(['Schedule', schedule(h)]);
  rows.push(['Overdue', h.overdue ? `yes: no Completed backup started since the ${when(h.overdue.since)} run (${h.overdue.missedMore ? 'over ' : ''}${h.overdue.missedRuns} run(s) missed; grace ${h.graceMinutes} min)` : h.schedule.kind === 'cron' ? `no (grace ${h.graceMinutes} min)` : 'not applicable']);
  rows.push(['Failing', h.failing === 0 ? 'no Failed backup since the last Completed one' : `${h.failing} Failed since the last Completed one`]);
  rows.push(['Last Completed', h.lastCompleted ? `${codeCell(h.lastCompleted.name)}, started ${when(h.lastCompleted.at)}${h.lastCompleted.at ? ` (${formatAge(new Date(h.lastCompleted.at), now)} ago)` : ''}` : 'none']);
  rows.push(['Last Failed', h.lastFailed ? `${codeCell(h.lastFailed.name)}, started ${when(h.lastFailed.at)}` : 'none']);
  if (h.running) rows.push(['In progress', `${codeCell(h.running.name)}, since ${when(h.running.at)}`]);
  rows.push(['WAL', wal(h, now)]);
  rows.push(['Recoverable window', h.window ? `${when(h.window.from)} → ${h.window.toIsNow ? 'now' : when(h.window.to)} (${formatAge(new Date(now.getTime() - h.window.lengthMs), now)}${h.window.toIsNow ? ', assuming WAL archiving works: the bucket was not read' : ''})` : 'none: no Completed backup']);
  rows.push(['WAL verification', h.verification ? `${when(h.verification.at)}: ${cell(h.verification.verdict)}${h.verification.gapCount ? ` (${h.verification.gapCount} gap(s))` : ''}` : 'not verified in this window: run **Verify Recoverability** on the cluster']);
  rows.push(['Last restore drill', c.lastDrill ? drillCell(c.lastDrill) : 'none recorded']);
  const out = [
    `## ${LABEL[h.severity]}: SGCluster ${code(h.name)} in ${code(h.namespace)}`,
    '',
    text(h.reason),
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ];
  if (h.lastFailed?.failure && h.failing > 0) out.push(`Failure of ${code(h.lastFailed.name)}:`, '', markdownCodeBlock(h.lastFailed.failure));
  if (h.problems.length > 2) out.push(...h.problems.map((p) => `- ${LABEL[p.severity]}: ${text(p.text)}`), '');
  return out;
}

function schedule(h: ClusterHealth): string {
  const s = h.schedule;
  switch (s.kind) {
    case 'unconfigured':
      return 'backups not configured (`spec.configurations.backups`)';
    case 'none':
      return 'none: no `cronSchedule`, only manual backups are taken';
    case 'invalid':
      return `${codeCell(s.expr)}: ${cell(s.problem)}`;
    case 'never':
      return `${codeCell(s.expr)}: ${cell(s.reason)}`;
    case 'cron':
      return `${codeCell(s.expr)} (${cell(s.description)})${s.nextRun ? `, next run ${when(s.nextRun)}` : ''}`;
  }
}

function wal(h: ClusterHealth, now: Date): string {
  if (!h.wal) return h.schedule.kind === 'unconfigured' ? 'not applicable' : 'bucket not read';
  if (h.wal.problem) return `bucket not read: ${cell(h.wal.problem)}`;
  if (!h.wal.newestAt) return h.wal.newestSegment ? `newest segment ${codeCell(h.wal.newestSegment)} (when it was archived is unknown)` : 'no WAL segment in the bucket';
  return `newest segment ${codeCell(h.wal.newestSegment ?? '?')} archived ${when(h.wal.newestAt)} (${formatAge(new Date(h.wal.newestAt), now)} ago)`;
}

/**
 * What the backup Job wrote for a Failed SGBackup (`status.process.failure`, DOMAIN §5.4), with its pod and
 * what to do next; for another phase, says so.
 */
export function backupFailureMarkdown(object: unknown, b: BackupView): string {
  const pod = get(object, ['status', 'process', 'jobPod']);
  const out = [
    `# SGBackup ${code(b.name)} in ${code(b.namespace)}: ${text(b.phase)}`,
    '',
    `- Cluster ${code(b.copy ? `${b.cluster.namespace}.${b.cluster.name}` : b.cluster.name)}`,
    b.started || b.created ? `- Started ${when((b.started ?? b.created)!.toISOString())}` : undefined,
    typeof pod === 'string' && pod ? `- Backup Job pod ${code(pod)}` : undefined,
    b.scheduled ? '- Taken by the schedule (`cronSchedule`)' : '- Taken on demand',
    '',
  ].filter((l): l is string => l !== undefined);
  if (b.phase !== 'Failed') {
    out.push(`This backup is ${text(b.phase)}, not Failed.`, '');
    return out.join('\n');
  }
  out.push('## Failure', '');
  out.push(b.failure ? markdownCodeBlock(b.failure) : 'The operator recorded no failure message (`status.process.failure` is empty): the backup Job\'s pod log says why.\n');
  out.push(
    '## Next steps',
    '',
    typeof pod === 'string' && pod ? `- Read the backup Job's log: ${code(`kubectl logs -n ${shellWord(b.namespace)} ${shellWord(pod)}`)} (the pod is kept only while the Job is).` : "- Read the backup Job's pod log.",
    '- Fix the cause (credentials and bucket access: **Test Object Storage Access** on the cluster\'s SGObjectStorage), then **Run Backup Now** on the cluster.',
    '- Failed SGBackups are never deleted automatically: delete this one when you no longer need its message.',
    '',
  );
  return out.join('\n');
}
