/**
 * The recoverable-window picture of a cluster, one webview panel per cluster: its SGBackups from the live
 * model, the wal-g backups and WAL in its bucket (names-only listings and the bounded WAL search), redrawn
 * when the model changes. A click on a backup or an instant runs Restore Backup with that backup and
 * instant. `loadRecoveryTimeline` is the same data for the restore command's point-in-time picker.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { backupPathOfBackup, clusterBackupPath, clusterStorageName } from '@core/objectStore';
import { get } from '@core/rules/types';
import { pointInTimeRange, recoveryTimeline, type BucketView, type PointInTimeRange, type RecoveryTimeline } from '@core/recoveryTimeline';
import type { ClusterModel } from '../clusterModel';
import type { ExtensionContextHolder } from '../context';
import { UserError } from '../errors';
import type { KubeObject } from '../kube/api';
import { isProblem } from '../storage/bucketBrowser';
import { onDidChangeVerifications, verificationOf } from '../storage/verifications';
import { ClusterNode } from '../tree/nodes';
import { listingFor, listingKey, type PathTarget } from '../tree/storageNodes';
import * as prompts from '../ui/prompts';
import { checkPageMessage, contextIdentity, type PageMessage } from './pageMessages';
import { recoverableWindowHtml } from './recoverableWindowHtml';

export const VIEW_TYPE = 'stackgres.recoverableWindow';
/** The most wal-g backups read for the picture (names only: about 500 per request). */
const MAX_BUCKET_BACKUPS = 10_000;
/** metadata.json reads for backups without an SGBackup (their listing time may be a copy's). */
const MAX_ORPHAN_READS = 50;

export interface LoadOptions {
  readonly signal?: AbortSignal;
  /** Read the bucket (default true); false uses the SGBackups alone. */
  readonly readBucket?: boolean;
  /** Forget what was read from the bucket before. */
  readonly reload?: boolean;
}

export function pathTarget(model: ClusterModel, cluster: KubeObject): PathTarget | string {
  const namespace = cluster.metadata.namespace ?? '';
  const storageName = clusterStorageName(cluster);
  if (!storageName) return 'No backups are configured for this cluster.';
  const storage = model.get('SGObjectStorage', namespace, storageName);
  if (!storage) return `SGObjectStorage ${storageName} is not in namespace ${namespace}: the bucket was not read.`;
  const backupPath = clusterBackupPath(cluster);
  if (!backupPath) return 'The cluster has no backup path yet: the bucket was not read.';
  return { context: model.api.context.name, namespace, storageName, storageSpec: storage.spec, backupPath, pathIsCurrent: true };
}

/**
 * The cluster's recoverable window from the live SGBackups, plus its bucket when it can be read (with the
 * storage Secret's keys). Bucket problems become notes; the SGBackups are always there.
 */
export async function loadRecoveryTimeline(ctx: ExtensionContextHolder, namespace: string, clusterName: string, options: LoadOptions = {}): Promise<RecoveryTimeline> {
  const model = await ctx.model();
  const cluster = model.get('SGCluster', namespace, clusterName);
  if (!cluster) throw new UserError(vscode.l10n.t('SGCluster {0} is not in namespace {1} of context "{2}".', clusterName, namespace, model.api.context.name));
  const notes: string[] = [];
  let bucket: BucketView | undefined;
  const target = options.readBucket === false ? undefined : pathTarget(model, cluster);
  if (typeof target === 'string') {
    notes.push(target);
  } else if (target) {
    if (options.reload) ctx.buckets.forget(listingKey(target));
    const listing = listingFor(ctx.buckets, model, target, { namesOnly: true, pageSize: 1000 });
    await listing.all(MAX_BUCKET_BACKUPS, options.signal);
    if (listing.problem && listing.backups.length === 0) {
      notes.push(`The bucket was not read: ${listing.problem.message}`);
    } else {
      if (listing.problem) notes.push(`The bucket listing stopped early: ${listing.problem.message}`);
      if (listing.hasMore) notes.push(`Only the first ${listing.backups.length} base backups in the bucket were read.`);
      const coverage = listing.coverage;
      if (isProblem(coverage)) notes.push(`The WAL in the bucket could not be read: ${coverage.message}`);
      // Backups no SGBackup records are placed by their metadata.json (the others by their SGBackup).
      const recorded = new Set(model.objects('SGBackup').filter((b) => backupPathOfBackup(b) === target.backupPath).map((b) => get(b, ['status', 'internalName'])));
      const finished = await listing.finishTimes(listing.backups.map((b) => b.name).filter((n) => !recorded.has(n)), MAX_ORPHAN_READS, options.signal);
      bucket = {
        backupPath: target.backupPath,
        backups: listing.backups.map((b) => ({ name: b.name, finishedAt: finished.get(b.name) ?? b.listedAt })),
        complete: listing.complete,
        wal: coverage && !isProblem(coverage)
          ? {
              oldest: coverage.oldest?.segment ? { segment: coverage.oldest.segment, at: coverage.oldest.lastModified?.toISOString() } : undefined,
              newest: coverage.newest?.segment ? { segment: coverage.newest.segment, at: coverage.newest.lastModified?.toISOString() } : undefined,
            }
          : undefined,
      };
    }
  }
  const verification = target && typeof target !== 'string' ? verificationOf(listingKey(target))?.check : undefined;
  return recoveryTimeline({ cluster, sgBackups: model.objects('SGBackup'), bucket, storageNotes: notes, verification, now: new Date() });
}

/** For the restore command's point-in-time picker: the reachable instants from one SGBackup of a cluster. */
export async function pointInTimeChoices(ctx: ExtensionContextHolder, namespace: string, clusterName: string, backupName: string, signal?: AbortSignal): Promise<PointInTimeRange | undefined> {
  return pointInTimeRange(await loadRecoveryTimeline(ctx, namespace, clusterName, { signal }), backupName);
}

// ---- The panel ------------------------------------------------------------------------------------------

/** What the command returns (for the integration suite). */
export interface RecoverableWindowResult {
  readonly namespace: string;
  readonly name: string;
  readonly viewType: string;
  readonly title: string;
  readonly timeline: RecoveryTimeline;
  /** The page as drawn. */
  readonly html: string;
}

export type { PageMessage };

/** The argument Restore Backup takes from here. */
export interface RestoreRequestArgument {
  readonly backup: { readonly namespace: string; readonly name: string };
  readonly pointInTime?: string;
  /** `contextIdentity` the panel was drawn for: Restore Backup refuses to run in another context. */
  readonly context: string;
}

const panels = new Map<string, WindowPanel>();

class WindowPanel {
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Closing the panel cancels the bucket read it started. */
  private readonly closing = new AbortController();
  private closed = false;
  timeline: RecoveryTimeline | undefined;

  constructor(
    private readonly ctx: ExtensionContextHolder,
    readonly key: string,
    /** `contextIdentity` of the context the panel shows: it closes when another one is connected. */
    readonly context: string,
    readonly namespace: string,
    readonly name: string,
    readonly panel: vscode.WebviewPanel,
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m).catch((err: unknown) => ctx.log.warn(`Recoverable window of ${namespace}/${name}: ${String(err)}`))),
      ctx.connection.onDidChange((s) => {
        if (s.kind === 'connected' && contextIdentity(s.api.context) !== context) this.close(`context ${s.api.context.name} is connected now`);
      }),
      // SGBackups come and go: redraw from the live model, without reading the bucket again.
      ctx.onDidChangeModel(() => this.redrawSoon()),
      // A verification of this path (from the tree, the palette or the button) draws its gaps.
      onDidChangeVerifications(() => this.redrawSoon()),
    );
  }

  private redrawSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.load(false).catch((err: unknown) => this.ctx.log.warn(`Recoverable window of ${this.namespace}/${this.name}: ${String(err)}`)), 500);
  }

  /** Draws the cluster again; undefined when the panel was closed because another context is connected. */
  async load(reload: boolean, signal?: AbortSignal): Promise<RecoveryTimeline | undefined> {
    if (!this.sameContext(await this.ctx.model())) return undefined;
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    const timeline = await loadRecoveryTimeline(this.ctx, this.namespace, this.name, { reload, signal: stop });
    if (this.closed || !this.sameContext(await this.ctx.model())) return undefined;
    this.timeline = timeline;
    this.panel.webview.html = recoverableWindowHtml(timeline, { cspSource: this.panel.webview.cspSource, nonce: randomBytes(16).toString('base64') });
    return timeline;
  }

  /** Closes the panel (saying why in the log) when the model is another context's. */
  private sameContext(model: ClusterModel): boolean {
    if (contextIdentity(model.api.context) === this.context) return true;
    this.close(`context ${model.api.context.name} is connected now`);
    return false;
  }

  private close(why: string): void {
    if (this.closed) return;
    this.ctx.log.info(`Recoverable window of ${this.namespace}/${this.name} closed: ${why}.`);
    this.panel.dispose();
  }

  /** What the page posted: checked, then done. */
  async onMessage(raw: unknown): Promise<void> {
    const model = await this.ctx.model().catch(() => undefined);
    const checked = checkPageMessage(raw, this, model && contextIdentity(model.api.context));
    if (!checked.ok) {
      // One line, nothing done: the page is untrusted input like any other.
      this.ctx.log.warn(`Recoverable window of ${this.namespace}/${this.name}: a request from the page was refused (${checked.reason}); nothing was done.`);
      if (checked.closePanel) this.close('the context changed');
      return;
    }
    const m = checked.message;
    if (m.type === 'refresh') {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading the bucket of {0}', this.name), cancellable: true }, async (_progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        try {
          await this.load(true, controller.signal);
        } finally {
          sub.dispose();
        }
      });
      return;
    }
    if (m.type === 'verify') {
      await vscode.commands.executeCommand('stackgres.verifyRecoverability', { namespace: this.namespace, name: this.name });
      await this.load(false);
      return;
    }
    if (m.type === 'restore') await requestRestore(this.ctx, { backup: m.backup, pointInTime: m.pointInTime, context: this.context });
    // A drill checks itself against the connected context (the request carries the panel's).
    if (m.type === 'testRestore') await vscode.commands.executeCommand('stackgres.testRestore', { backup: m.backup, pointInTime: m.pointInTime, context: this.context });
  }

  dispose(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.closing.abort();
    panels.delete(this.key);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Test mode only: hands `raw` to the open panel of a cluster as if its page had posted it (the page's
 * buttons are out of the integration suite's reach). False when no such panel is open.
 */
export async function postAsPage(namespace: string, name: string, raw: unknown): Promise<boolean> {
  const view = [...panels.values()].find((p) => p.namespace === namespace && p.name === name);
  if (!view) return false;
  await view.onMessage(raw);
  return true;
}

/** Runs Restore Backup with the chosen backup and instant. */
export async function requestRestore(ctx: ExtensionContextHolder, arg: RestoreRequestArgument): Promise<void> {
  ctx.log.info(`Recoverable window: restore ${arg.backup.namespace}/${arg.backup.name}${arg.pointInTime ? ` to ${arg.pointInTime}` : ''}`);
  const commands = await vscode.commands.getCommands(true);
  if (!commands.includes('stackgres.restoreBackup')) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Restore Backup is not available in this version of the extension.'));
    return;
  }
  await vscode.commands.executeCommand('stackgres.restoreBackup', arg);
}

function isNamed(v: unknown): v is { namespace: string; name: string } {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { namespace?: unknown }).namespace === 'string';
}

async function clusterTarget(ctx: ExtensionContextHolder, arg: unknown): Promise<{ namespace: string; name: string }> {
  if (arg instanceof ClusterNode) return { namespace: arg.namespace, name: arg.name };
  if (isNamed(arg)) return { namespace: arg.namespace, name: arg.name };
  const model = await ctx.model();
  const clusters = model.objects('SGCluster');
  if (!clusters.length) throw new UserError(vscode.l10n.t('Context "{0}" has no SGCluster.', model.api.context.name));
  const withBackups = clusters.filter((c) => clusterStorageName(c));
  const chosen = await prompts.pick(
    (withBackups.length ? withBackups : clusters).map((c) => ({ label: c.metadata.name, description: c.metadata.namespace, namespace: c.metadata.namespace ?? '' })),
    { title: vscode.l10n.t('Recoverable window: which cluster?'), matchOnDescription: true },
  );
  return { namespace: chosen.namespace, name: chosen.label };
}

export async function showRecoverableWindow(ctx: ExtensionContextHolder, arg: unknown): Promise<RecoverableWindowResult> {
  const { namespace, name } = await clusterTarget(ctx, arg);
  const model = await ctx.model();
  const context = contextIdentity(model.api.context);
  const key = `${context}/${namespace}/${name}`;
  const title = vscode.l10n.t('Recoverable window: {0}', name);
  let view = panels.get(key);
  if (view) {
    view.panel.reveal();
  } else {
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: false });
    view = new WindowPanel(ctx, key, context, namespace, name, panel);
    panels.set(key, view);
  }
  const current = view;
  const timeline = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading the backups of {0}', `${namespace}/${name}`), cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      try {
        return await current.load(false, controller.signal);
      } finally {
        sub.dispose();
      }
    },
  );
  if (!timeline) throw new UserError(vscode.l10n.t('Another Kubernetes context was connected while the recoverable window of {0}/{1} opened: open it again.', namespace, name));
  return { namespace, name, viewType: VIEW_TYPE, title, timeline, html: current.panel.webview.html };
}
