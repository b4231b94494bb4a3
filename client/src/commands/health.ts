/**
 * Backup Health Report (every cluster of the context: overdue, failing, WAL, window, verification) and Show
 * Backup Failure (what the backup Job wrote when an SGBackup failed). Both open read-only Markdown documents
 * whose cluster-supplied words are escaped by the core's report builders.
 */
import * as vscode from 'vscode';
import { readBackup } from '@core/backups';
import type { ClusterHealth } from '@core/backupHealth';
import { backupHealthMarkdown, backupFailureMarkdown, type ReportCluster } from '@core/backupHealthReport';
import { lastDrillPerCluster } from '@core/drill';
import { clusterPathTarget, healthOfContext } from '../backupHealth';
import type { ExtensionContextHolder } from '../context';
import { UserError } from '../errors';
import { showReport } from '../storage/editorFeatures';
import { BackupNode } from '../tree/nodes';
import { listingFor } from '../tree/storageNodes';
import type { CommandSpec } from '../ui/command';

/** Buckets the report reads for the WAL's age: a context with more clusters gets the rest from what the tree read. */
const MAX_BUCKET_READS = 20;

export const healthCommands: CommandSpec[] = [
  { id: 'stackgres.showBackupHealthReport', run: (ctx, arg) => showBackupHealthReport(ctx, arg) },
  { id: 'stackgres.showBackupFailure', run: (ctx, arg) => showBackupFailure(ctx, arg) },
];

/** What the report command returns (for the integration suite). */
export interface HealthReportResult {
  readonly uri: string;
  readonly markdown: string;
  readonly clusters: readonly ClusterHealth[];
}

async function showBackupHealthReport(ctx: ExtensionContextHolder, arg: unknown): Promise<HealthReportResult> {
  const model = (await ctx.model()).usable();
  const context = model.api.context.name;
  const notes: string[] = [];
  const readBuckets = !(typeof arg === 'object' && arg !== null && (arg as { readBuckets?: unknown }).readBuckets === false);
  const targets = readBuckets ? model.objects('SGCluster').flatMap((c) => clusterPathTarget(model, c) ?? []) : [];
  if (targets.length > MAX_BUCKET_READS) notes.push(vscode.l10n.t('The WAL of {0} of {1} clusters was read; the others show what the StackGres view has read.', MAX_BUCKET_READS, targets.length));
  if (targets.length) {
    let cancelled = false;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Backup health: reading the WAL in the buckets'), cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => {
        cancelled = true;
        controller.abort();
      });
      try {
        for (const [i, t] of targets.slice(0, MAX_BUCKET_READS).entries()) {
          if (controller.signal.aborted) break;
          progress.report({ message: vscode.l10n.t('{0} of {1}: {2}', i + 1, Math.min(targets.length, MAX_BUCKET_READS), `${t.namespace}/${t.storageName}`) });
          // Shared with the tree: a path the tree has read is not read again; problems stay on the listing.
          await listingFor(ctx.buckets, model, t).first(controller.signal);
        }
      } finally {
        sub.dispose();
      }
    });
    if (cancelled) notes.push(vscode.l10n.t('Reading the buckets was cancelled: WAL ages are shown only where they were read.'));
  }
  const at = new Date();
  const clusters = healthOfContext(model, ctx.buckets, at);
  const drills = lastDrillPerCluster(model.objects('SGBackup'));
  const report: ReportCluster[] = clusters.map((health) => ({ health, lastDrill: drills.get(`${health.namespace}/${health.name}`) }));
  const markdown = backupHealthMarkdown(report, { context, at, notes });
  const uri = await showReport(`Backup health ${context}`, markdown);
  ctx.tree?.refresh();
  void ctx.health?.update();
  ctx.log.info(`Backup Health Report of ${context}: ${clusters.length} cluster(s), ${clusters.filter((c) => c.severity !== 'ok').length} needing attention`);
  return { uri: uri.toString(), markdown, clusters };
}

function isNamed(v: unknown): v is { namespace: string; name: string } {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { namespace?: unknown }).namespace === 'string';
}

/** Opens what the backup Job wrote for a Failed SGBackup, and shows its row in the StackGres view. */
async function showBackupFailure(ctx: ExtensionContextHolder, arg: unknown): Promise<{ uri: string; markdown: string }> {
  const ref = arg instanceof BackupNode ? { namespace: arg.backup.namespace, name: arg.backup.name } : isNamed(arg) ? arg : undefined;
  if (!ref) throw new UserError(vscode.l10n.t('Show Backup Failure works on a Failed backup: use it from its row in the StackGres view or its notification.'));
  const model = (await ctx.model()).usable();
  const object = model.get('SGBackup', ref.namespace, ref.name) ?? (await model.api.get('SGBackup', ref.namespace, ref.name).catch(() => undefined));
  const backup = object ? readBackup(object) : undefined;
  if (!backup) throw new UserError(vscode.l10n.t('SGBackup {0} is not in namespace {1} any more.', ref.name, ref.namespace));
  const markdown = backupFailureMarkdown(object, backup);
  const uri = await showReport(`Backup failure ${ref.namespace} ${ref.name}`, markdown);
  void ctx.reveal('SGBackup', ref.namespace, ref.name).catch(() => false);
  return { uri: uri.toString(), markdown };
}
