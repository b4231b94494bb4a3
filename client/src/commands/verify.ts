/**
 * Verify Recoverability: the WAL continuity of a cluster's backup path (or of an SGObjectStorage path row),
 * read from the bucket with the storage Secret's keys, with progress and Cancel. The result goes to a
 * report document, the tree's WAL row and the recoverable-window picture; a failed or cancelled
 * verification leaves nothing behind that could look continuous.
 */
import * as vscode from 'vscode';
import { notificationText } from '@core/markdown';
import { walVerificationMarkdown } from '@core/walVerifyReport';
import type { ExtensionContextHolder } from '../context';
import { UserError } from '../errors';
import { openStorage } from '../storage/credentials';
import { showReport } from '../storage/editorFeatures';
import { isStorageError } from '../storage/objectStore';
import { rememberVerification } from '../storage/verifications';
import { verifyWalContinuity, type VerifyResult } from '../storage/walVerification';
import { ClusterNode } from '../tree/nodes';
import { BucketPathNode, listingKey, type PathTarget } from '../tree/storageNodes';
import type { CommandSpec } from '../ui/command';
import { withCancellableProgress } from '../ui/progress';
import * as prompts from '../ui/prompts';
import { pathTarget } from '../webviews/recoverableWindow';

export const verifyCommands: CommandSpec[] = [{ id: 'stackgres.verifyRecoverability', run: (ctx, arg) => verifyRecoverability(ctx, arg) }];

/** What the command returns (for the integration suite). */
export interface VerifyRecoverabilityResult {
  readonly key: string;
  readonly subject: string;
  readonly result: VerifyResult;
  readonly reportUri: string;
}

function isNamed(v: unknown): v is { namespace: string; name: string } {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { namespace?: unknown }).namespace === 'string';
}

async function target(ctx: ExtensionContextHolder, arg: unknown): Promise<{ target: PathTarget; subject: string }> {
  if (arg instanceof BucketPathNode) return { target: arg.target, subject: `SGObjectStorage ${arg.target.storageName}, path ${arg.target.backupPath}` };
  const model = await ctx.model();
  let named: { namespace: string; name: string };
  if (arg instanceof ClusterNode) named = { namespace: arg.namespace, name: arg.name };
  else if (isNamed(arg)) named = arg;
  else {
    const clusters = model.objects('SGCluster').filter((c) => typeof pathTarget(model, c) !== 'string');
    if (clusters.length === 0) throw new UserError(vscode.l10n.t('No SGCluster of context "{0}" has backups in an object storage to verify.', model.api.context.name));
    const chosen = await prompts.pick(
      clusters.map((c) => ({ label: c.metadata.name, description: c.metadata.namespace, namespace: c.metadata.namespace ?? '' })),
      { title: vscode.l10n.t('Verify Recoverability: which cluster?'), matchOnDescription: true },
    );
    named = { namespace: chosen.namespace, name: chosen.label };
  }
  const cluster = model.get('SGCluster', named.namespace, named.name);
  if (!cluster) throw new UserError(vscode.l10n.t('SGCluster {0} is not in namespace {1}.', named.name, named.namespace));
  const t = pathTarget(model, cluster);
  if (typeof t === 'string') throw new UserError(vscode.l10n.t('SGCluster {0}: {1}', named.name, t));
  return { target: t, subject: `SGCluster ${named.name} in namespace ${named.namespace}` };
}

async function verifyRecoverability(ctx: ExtensionContextHolder, arg: unknown): Promise<VerifyRecoverabilityResult> {
  const { target: t, subject } = await target(ctx, arg);
  const model = await ctx.model();
  const opened = await openStorage(t.storageSpec, t.namespace, t.backupPath, model.api);
  if (!opened.ok) throw new UserError(vscode.l10n.t('{0}: the bucket cannot be read: {1}', subject, opened.problem.message));
  const { store, location } = opened;
  let result: VerifyResult;
  try {
    result = await withCancellableProgress(vscode.l10n.t('Verifying the WAL of {0}', subject), (progress, signal) =>
      verifyWalContinuity(store, location.keyPrefix, {
        signal,
        onProgress: (p) => progress.report({ message: vscode.l10n.t('{0} WAL objects read, {1} of {2} base backups', p.walObjects.toLocaleString('en-US'), p.backupsRead, p.backups) }),
      }),
    );
  } catch (err) {
    if (isStorageError(err)) throw new UserError(vscode.l10n.t('{0}: WAL continuity could not be verified, nothing was concluded: {1}', subject, err.message));
    throw err;
  } finally {
    store.destroy?.();
  }
  const at = new Date();
  const key = listingKey(t);
  rememberVerification({ key, context: t.context, namespace: t.namespace, backupPath: t.backupPath }, result, at);
  ctx.tree?.refresh();
  const where = `${location.prefix}`;
  const markdown = walVerificationMarkdown(result, { where, subject, at, requests: result.requests, listedFrom: result.listedFrom, notes: result.notes });
  const title = `WAL continuity ${t.namespace} ${t.storageName} ${t.backupPath}`;
  const uri = await showReport(title, markdown);
  ctx.log.info(`Verify Recoverability of ${subject} (${where}): ${result.verdict} ${result.gaps.length} gap(s), ${result.objects} WAL objects, ${result.requests} requests.`);
  const show = vscode.l10n.t('Show Report');
  const message = notificationText(`${subject}: ${result.verdict}`);
  const shown = result.ok ? vscode.window.showInformationMessage(message, show) : vscode.window.showWarningMessage(message, show);
  void shown.then((choice) => (choice === show ? showReport(title, markdown) : undefined));
  return { key, subject, result, reportUri: uri.toString() };
}
