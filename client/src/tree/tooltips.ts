/**
 * The Markdown of the tree's tooltips. Names, phases, messages and bucket metadata come from the cluster
 * or the bucket, so each goes through the domain's Markdown helpers: a tooltip shows them as text and
 * never as a link, image or HTML. The nodes wrap these in a `MarkdownString` that is neither trusted nor
 * allowed HTML. No vscode import, so the tests read exactly what the user would hover.
 */
import type { ClusterHealth } from '@core/backupHealth';
import { backupTime, type BackupView } from '@core/backups';
import { formatBytes } from '@core/describe';
import { formatDrillDuration } from '@core/drill';
import { markdownCode, markdownCodeBlock, markdownText } from '@core/markdown';
import type { MatchedBackup, WalgBackup } from '@core/walg';
import type { KubeContext } from '../kube/api';
import type { WalCoverage } from '../storage/walCoverage';

const code = markdownCode;
const text = markdownText;

/** `2026-01-01 03:00 UTC`; a value that is not a time as it came. */
export function when(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString().replace(/:\d{2}(\.\d+)?Z$/, ' UTC').replace('T', ' ');
}

/** A row that only says something (an error, a hint): its label and detail as paragraphs. */
export function messageTooltip(label: string, detail?: string): string {
  return [label, detail].filter((s): s is string => Boolean(s)).map((s) => text(s)).join('\n\n');
}

export function contextTooltip(ctx: KubeContext, reconnecting?: string): string {
  return `**Context** ${code(ctx.name)}\n\nCluster ${code(ctx.cluster)} at ${text(ctx.server ?? 'in-cluster')}, user ${code(ctx.user)}${reconnecting ? `\n\nReconnecting: ${text(reconnecting)}` : ''}`;
}

export interface ClusterSummary {
  readonly name: string;
  readonly namespace: string;
  readonly version: unknown;
  readonly instances: unknown;
  readonly storageName: unknown;
  readonly cron: unknown;
  /** The schedule in words. */
  readonly schedule: string;
  readonly retention: unknown;
  readonly backups: readonly BackupView[];
  /** Backup health (overdue, failing, WAL), when judged. */
  readonly health?: ClusterHealth;
}

export function clusterTooltip(c: ClusterSummary): string {
  const backups = typeof c.storageName === 'string' ? `SGObjectStorage ${code(c.storageName)}` : 'none configured';
  const cron = typeof c.cron === 'string' ? `, ${code(c.cron)} (${text(c.schedule)})` : '';
  const keeps = typeof c.retention === 'number' ? `, keeps ${c.retention}` : '';
  return [
    `**SGCluster** ${code(c.name)} in ${code(c.namespace)}\n\n`,
    `- Postgres ${text(String(c.version ?? '?'))}, ${text(String(c.instances ?? '?'))} instance(s)\n`,
    `- Backups: ${backups}${cron}${keeps}\n`,
    `- ${c.backups.length} backup(s), ${c.backups.filter((b) => b.phase === 'Completed').length} Completed`,
    c.health ? `\n\n**Backup health: ${HEALTH_WORDS[c.health.severity]}** ${text(c.health.reason)}` : '',
  ].join('');
}

const HEALTH_WORDS = { ok: 'OK', warning: 'warning', error: 'error' } as const;

export function backupTooltip(b: BackupView): string {
  const t = backupTime(b);
  const lines = [
    t ? `Stored ${t.toISOString().replace('.000Z', 'Z')}` : undefined,
    b.compressedBytes !== undefined ? `Size ${formatBytes(b.compressedBytes)} compressed${b.uncompressedBytes ? `, ${formatBytes(b.uncompressedBytes)} uncompressed` : ''}` : undefined,
    b.pgMajor ? `Postgres ${text(b.pgMajor)}` : undefined,
    b.managedLifecycle ? 'Managed: deleted by the retention policy' : 'Kept until deleted (not managed by retention)',
    b.scheduled ? 'Taken by the schedule' : 'Taken on demand',
    b.copy ? `Copy of a backup of ${text(`${b.cluster.namespace}.${b.cluster.name}`)}` : undefined,
    b.storage ? `Storage: ${text(b.storage)}` : undefined,
    b.internalName ? `wal-g name ${code(b.internalName)}` : undefined,
    drillLine(b),
  ].filter(Boolean);
  const drillFailure = b.drill?.result === 'failed' && b.drill.reason ? `\n\nRestore test failed:\n\n${markdownCodeBlock(b.drill.reason)}` : '';
  return `**SGBackup** ${code(b.name)} — **${text(b.phase)}**\n\n${b.failure ? markdownCodeBlock(b.failure) : ''}${lines.map((l) => `- ${l}`).join('\n')}${drillFailure}`;
}

/** The last restore drill recorded on the backup; its texts were written by whoever can edit the SGBackup. */
function drillLine(b: BackupView): string | undefined {
  const d = b.drill;
  if (!d) return undefined;
  const at = d.time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const target = d.target === 'latest' ? 'latest state' : text(d.target);
  return `Restore test ${d.result === 'succeeded' ? 'passed' : '**failed**'} ${at} in ${formatDrillDuration(d.durationSeconds)} (to ${target}, drill cluster ${code(d.cluster)})`;
}

export function storageTooltip(name: string, namespace: string, summary: string): string {
  return `**SGObjectStorage** ${code(name)} in ${code(namespace)}\n\n${text(summary)}`;
}

export function bucketPathTooltip(storageName: string, backupPath: string, pathIsCurrent: boolean): string {
  return `**Backups in the bucket** of SGObjectStorage ${code(storageName)}\n\n` +
    `Path ${code(backupPath)}${pathIsCurrent ? ' (a cluster backs up here now)' : ' (no cluster backs up here any more)'}\n\n` +
    'Read from the bucket with the storage\'s Secret; kept until you refresh this row.';
}

/** A wal-g base backup: everything but its name comes from its files in the bucket. */
export function walgBackupTooltip(b: WalgBackup, m: MatchedBackup): string {
  const lines = [
    m.sgBackup ? `Recorded by SGBackup ${code(m.sgBackup.name)}${m.sgBackup.namespace ? ` in ${code(m.sgBackup.namespace)}` : ''}` : `**Orphan:** ${text(m.note ?? 'no SGBackup records it.')}`,
    b.startTime || b.finishTime ? `From ${text(when(b.startTime) ?? '?')} to ${text(when(b.finishTime) ?? '?')}` : b.listedAt ? `Finished about ${text(when(b.listedAt) ?? '?')}` : undefined,
    b.compressedSize !== undefined ? `Size ${formatBytes(b.compressedSize)} compressed${b.uncompressedSize !== undefined ? `, ${formatBytes(b.uncompressedSize)} uncompressed` : ''}` : undefined,
    b.pgVersion !== undefined ? `Postgres ${text(b.pgMajor ?? '')} (${text(String(b.pgVersion))})` : undefined,
    b.startLsn ? `LSN ${text(b.startLsn)} → ${text(b.finishLsn ?? '?')}${b.timeline !== undefined ? `, timeline ${text(String(b.timeline))}` : ''}` : undefined,
    b.isPermanent ? 'Permanent: wal-g retention skips it' : b.isPermanent === false ? 'Not permanent' : undefined,
    b.hostname ? `Taken on ${text(b.hostname)}` : undefined,
    b.volumeSnapshot ? 'VolumeSnapshot backup: the data is in a Kubernetes VolumeSnapshot' : undefined,
    ...b.problems.map((p) => `Problem: ${text(p)}`),
  ].filter(Boolean);
  return `**wal-g base backup** ${code(b.name)}\n\n${lines.map((l) => `- ${l}`).join('\n')}`;
}

/** The WAL the bucket holds, when its oldest segment was found. */
export function walCoverageTooltip(c: WalCoverage & { readonly oldest: NonNullable<WalCoverage['oldest']> }): string {
  const newest = c.newest ?? c.oldest;
  const end = (label: string, e: NonNullable<WalCoverage['oldest']>): string =>
    `- ${label} segment ${code(e.segment ?? '?')} (timeline ${text(String(e.timeline))}), archived ${text(when(e.lastModified?.toISOString()) ?? 'at an unknown time')}\n`;
  return '**WAL in the bucket** (bounds the recoverable window)\n\n' +
    end('Oldest', c.oldest) +
    end('Newest', newest) +
    `- Found with ${c.walRequests} small listings, without listing the whole folder\n` +
    c.problems.map((p) => `- ${text(p)}\n`).join('');
}
