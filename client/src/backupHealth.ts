/**
 * Backup health in the editor: each cluster's health from the live model (and the bucket's WAL and the
 * last verification when this window has read them), the status bar's summary, and a notification when a
 * backup turns Failed while the extension watches. The decisions are the core's (`@core/backupHealth`);
 * this file only feeds them and shows them.
 */
import * as vscode from 'vscode';
import { readBackup } from '@core/backups';
import { clusterHealth, healthSummary, type ClusterHealth, type WalState } from '@core/backupHealth';
import { notificationText } from '@core/markdown';
import { clusterBackupPath, clusterStorageName } from '@core/objectStore';
import type { ClusterModel } from './clusterModel';
import { readHealthSettings, type HealthSettings } from './config';
import type { ClusterConnection } from './connection';
import type { KubeObject } from './kube/api';
import { isProblem, type BucketBrowser } from './storage/bucketBrowser';
import { verificationOf } from './storage/verifications';
import { listingKey, type PathTarget } from './tree/storageNodes';
import type { BackupHealthStatusBar } from './ui/statusBar';

/** Re-evaluated this often: a cluster becomes overdue with time alone, without any event. */
const TICK_MS = 60_000;
/** Notifications remembered for the integration suite. */
const MAX_NOTIFIED = 20;

/** Where a cluster's bucket is, when backups are configured and its storage is known. */
export function clusterPathTarget(model: ClusterModel, cluster: KubeObject): PathTarget | undefined {
  const storageName = clusterStorageName(cluster);
  const namespace = cluster.metadata.namespace ?? '';
  const storage = storageName ? model.get('SGObjectStorage', namespace, storageName) : undefined;
  const backupPath = clusterBackupPath(cluster);
  if (!storageName || !storage || !backupPath) return undefined;
  return { context: model.api.context.name, namespace, storageName, storageSpec: storage.spec, backupPath, pathIsCurrent: true };
}

/** What this window knows of the cluster's WAL: only a bucket listing already read (the tree's or the report's). */
function walState(buckets: BucketBrowser, target: PathTarget | undefined): WalState | undefined {
  if (!target) return undefined;
  const coverage = buckets.get(listingKey(target))?.coverage;
  if (coverage === undefined) return undefined;
  if (isProblem(coverage)) return { problem: coverage.message };
  const newest = coverage.newest ?? coverage.oldest;
  return { newestSegment: newest?.segment, newestAt: newest?.lastModified };
}

export function healthOfCluster(model: ClusterModel, buckets: BucketBrowser, cluster: KubeObject, now = new Date(), settings: HealthSettings = readHealthSettings()): ClusterHealth {
  const target = clusterPathTarget(model, cluster);
  const verified = target ? verificationOf(listingKey(target)) : undefined;
  return clusterHealth({
    cluster,
    backups: model.backupsOf(cluster.metadata.namespace ?? '', cluster.metadata.name).filter((b) => !b.copy),
    wal: walState(buckets, target),
    verification: verified ? { at: new Date(verified.check.at), ok: verified.check.ok, gapCount: verified.gapCount, verdict: verified.check.verdict } : undefined,
    now,
    options: settings,
  });
}

export function healthOfContext(model: ClusterModel, buckets: BucketBrowser, now = new Date()): ClusterHealth[] {
  const settings = readHealthSettings();
  return model.objects('SGCluster').map((c) => healthOfCluster(model, buckets, c, now, settings));
}

/** What the monitor needs from the extension's context. */
export interface HealthSource {
  model(): Promise<ClusterModel>;
  readonly onDidChangeModel: vscode.Event<void>;
  readonly buckets: BucketBrowser;
  readonly connection: ClusterConnection;
  readonly log: Pick<vscode.LogOutputChannel, 'info'>;
  /** Redraws the tree (a cluster's health changed with time alone). */
  refreshTree(): void;
}

export interface FailedNotice {
  readonly namespace: string;
  readonly name: string;
  readonly cluster: string;
  readonly message: string;
}

export class BackupHealthMonitor implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timer: NodeJS.Timeout;
  /** Phase of each SGBackup (by uid) at the last look, for the model seen then. */
  private phases = new Map<string, string>();
  private watched: ClusterModel | undefined;
  private signature = '';
  /** The health of every cluster at the last evaluation. */
  current: readonly ClusterHealth[] = [];
  /** Failed notifications shown (newest last), for the integration suite. */
  readonly notified: FailedNotice[] = [];

  constructor(
    private readonly source: HealthSource,
    readonly statusBar: BackupHealthStatusBar,
    private readonly showFailure: (ref: { namespace: string; name: string }) => Thenable<unknown>,
  ) {
    this.disposables.push(
      source.onDidChangeModel(() => void this.update()),
      source.connection.onDidChange(() => void this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('stackgres.health') || e.affectsConfiguration('stackgres.statusBar.show')) void this.update();
      }),
    );
    this.timer = setInterval(() => void this.update(), TICK_MS);
    this.timer.unref();
    void this.update();
  }

  /** Evaluates again now (after a bucket read or a verification, say); resolves when done. */
  async update(): Promise<void> {
    if (this.source.connection.current.kind !== 'connected') {
      this.show(undefined, []);
      return;
    }
    let model: ClusterModel;
    try {
      model = await this.source.model();
    } catch {
      this.show(undefined, []);
      return;
    }
    if (model.state.kind !== 'ready') {
      this.show(undefined, []);
      return;
    }
    this.watchTransitions(model);
    const all = healthOfContext(model, this.source.buckets);
    this.show(model, all);
  }

  private show(model: ClusterModel | undefined, all: readonly ClusterHealth[]): void {
    this.current = all;
    this.statusBar.set(model ? { context: model.api.context.name, summary: healthSummary(all) } : undefined);
    const signature = all.map((h) => `${h.namespace}/${h.name}:${h.severity}:${h.flags.join(',')}`).join(';');
    if (signature !== this.signature) {
      this.signature = signature;
      this.source.refreshTree();
    }
  }

  /** Notifies of backups that turned Failed since the last look; the first look at a model only records. */
  private watchTransitions(model: ClusterModel): void {
    const first = this.watched !== model;
    this.watched = model;
    const seen = new Map<string, string>();
    const notify = readHealthSettings().notifyBackupFailed;
    for (const o of model.objects('SGBackup')) {
      const b = readBackup(o);
      if (!b) continue;
      const key = b.uid ?? `${b.namespace}/${b.name}`;
      seen.set(key, b.phase);
      if (first || b.phase !== 'Failed' || b.copy) continue;
      if (this.phases.get(key) === 'Failed') continue;
      if (notify) this.notifyFailed(b.namespace, b.name, b.cluster.name, b.failure);
      else this.source.log.info(`SGBackup ${b.name} in ${b.namespace} failed (notification off: stackgres.notifications.backupFailed)`);
    }
    this.phases = seen;
  }

  private notifyFailed(namespace: string, name: string, cluster: string, failure: string | undefined): void {
    const reason = failure ? failure.split('\n')[0].replace(/[\s:.]+$/, '') : vscode.l10n.t('no reason recorded');
    const message = vscode.l10n.t('StackGres: backup {0} of cluster {1} (namespace {2}) failed: {3}', name, cluster, namespace, reason);
    this.notified.push({ namespace, name, cluster, message });
    if (this.notified.length > MAX_NOTIFIED) this.notified.shift();
    this.source.log.info(`SGBackup ${name} in ${namespace} failed: ${reason}`);
    const show = vscode.l10n.t('Show Failure');
    void vscode.window.showWarningMessage(notificationText(message), show).then((choice) => (choice === show ? this.showFailure({ namespace, name }) : undefined));
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
