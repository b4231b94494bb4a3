/**
 * The bucket in the tree: under each cluster with backups, and under each SGObjectStorage (one row per
 * backup path that clusters or SGBackups use there), the wal-g base backups a page at a time, each marked
 * with its SGBackup or as an orphan, and the WAL the bucket holds. Listings are kept until refreshed, so
 * a tree refresh makes no request. Problems (no credentials, AccessDenied, unreachable) are rows.
 */
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { formatBytes } from '@core/describe';
import { markdownText } from '@core/markdown';
import { clusterBackupPath, clusterStorageName } from '@core/objectStore';
import { get } from '@core/rules/types';
import { matchBackups, type MatchedBackup, type WalgBackup } from '@core/walg';
import type { ClusterModel } from '../clusterModel';
import type { KubeObject } from '../kube/api';
import { isProblem, type BucketBrowser, PathListing, type BrowserProblem, type ListingOptions } from '../storage/bucketBrowser';
import { openStorage } from '../storage/credentials';
import { verificationOf } from '../storage/verifications';
import { MessageNode, type Node } from './node';
import { bucketPathTooltip, walCoverageTooltip, walgBackupTooltip, when } from './tooltips';

/** Per-request limit for tree listings: a silent endpoint must not leave a spinner for long. */
const TREE_TIMEOUT_MS = 15_000;
/** A bucket read that takes longer than this gets a notification with Cancel (quick reads stay quiet). */
const CANCEL_OFFER_AFTER_MS = 2_000;

/** What one bucket row needs to know about where it looks. */
export interface PathTarget {
  readonly context: string;
  readonly namespace: string;
  readonly storageName: string;
  readonly storageSpec: unknown;
  readonly backupPath: string;
  /** A cluster writes here now: its orphans are deleted by its next backup. */
  readonly pathIsCurrent: boolean;
}

function specHash(spec: unknown): string {
  return createHash('sha256').update(JSON.stringify(spec ?? null)).digest('hex').slice(0, 12);
}

export function listingKey(t: PathTarget): string {
  return `${t.context}/${t.namespace}/${t.storageName}/${specHash(t.storageSpec)}/${t.backupPath}`;
}

/**
 * The listing of a path in `buckets` (the context's, shared by the tree and the recoverable-window picture),
 * created on first use with the model's Kubernetes access for the Secret.
 */
export function listingFor(buckets: BucketBrowser, model: ClusterModel, t: PathTarget, options: ListingOptions = {}): PathListing {
  const key = `${listingKey(t)}${options.namesOnly ? '#names' : ''}`;
  return buckets.listing(key, () => new PathListing(key, async () => {
    const opened = await openStorage(t.storageSpec, t.namespace, t.backupPath, model.api, { timeoutMs: TREE_TIMEOUT_MS });
    return opened.ok ? { ok: true, store: opened.store, keyPrefix: opened.location.keyPrefix } : opened;
  }, { timeoutMs: TREE_TIMEOUT_MS, ...options }));
}

export class BucketPathNode implements Node {
  readonly id: string;
  readonly key: string;
  constructor(
    private readonly model: ClusterModel,
    private readonly buckets: BucketBrowser,
    readonly target: PathTarget,
    private readonly label: string,
    private readonly kind: 'cluster' | 'path',
  ) {
    this.key = listingKey(target);
    this.id = `${target.context}/bucket/${kind}/${target.namespace}/${target.storageName}/${target.backupPath}`;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('cloud');
    const listing = this.buckets.get(this.key);
    const count = listing?.loaded && !listing.problem ? `${listing.backups.length}${listing.hasMore ? '+' : ''} base backup${listing.backups.length === 1 ? '' : 's'}` : undefined;
    item.description = [count, this.kind === 'cluster' ? vscode.l10n.t('SGObjectStorage {0}', this.target.storageName) : this.target.backupPath].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(bucketPathTooltip(this.target.storageName, this.target.backupPath, this.target.pathIsCurrent));
    item.contextValue = 'stackgres.bucketPath';
    return item;
  }

  async children(): Promise<Node[]> {
    const listing = listingFor(this.buckets, this.model, this.target);
    await firstWithCancel(listing, `Reading the backups of SGObjectStorage ${this.target.storageName} (${this.target.backupPath}) in the bucket`);
    if (listing.cancelled) {
      const again: vscode.Command = { title: vscode.l10n.t('Refresh'), command: 'stackgres.refreshBucket', arguments: [this] };
      return [new MessageNode(`${this.id}/cancelled`, vscode.l10n.t('Cancelled'), vscode.l10n.t('click to read the bucket again'), 'debug-pause', again, listing.problem?.message)];
    }
    return bucketRows(this.id, listing, this.target, this.model.objects('SGBackup'));
  }
}

/**
 * The first page and the WAL of a row. The tree itself cannot cancel a row that is loading, so a read that
 * takes more than a moment gets a notification with Cancel; Refresh and a context or namespace switch
 * cancel it too (they forget the listing).
 */
function firstWithCancel(listing: PathListing, title: string): Promise<void> {
  const loading = listing.first();
  if (listing.loaded) return loading;
  const offer = setTimeout(() => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
      const sub = token.onCancellationRequested(() => listing.cancel());
      // The row shows what went wrong; the notification only has to go away.
      return loading.then(() => sub.dispose(), () => sub.dispose());
    });
  }, CANCEL_OFFER_AFTER_MS);
  return loading.finally(() => clearTimeout(offer));
}

function problemRows(parent: string, problem: BrowserProblem, target: PathTarget): Node[] {
  const test: vscode.Command = { title: vscode.l10n.t('Test Object Storage Access'), command: 'stackgres.testStorageAccess', arguments: [{ namespace: target.namespace, name: target.storageName }] };
  const icon = problem.kind === 'unsupported' ? 'info' : 'error';
  const label = problem.kind === 'credentials' ? vscode.l10n.t('Credentials missing') : problem.kind === 'unsupported' ? vscode.l10n.t('Not an S3 bucket') : problem.code ? `${problem.code}` : vscode.l10n.t('The bucket cannot be listed');
  const rows: Node[] = [new MessageNode(`${parent}/problem`, label, problem.message, icon, problem.kind === 'unsupported' ? undefined : test, problem.message)];
  if (problem.kind !== 'unsupported') rows.push(new MessageNode(`${parent}/test`, vscode.l10n.t('Test access…'), vscode.l10n.t('runs each action wal-g needs and shows the fix'), 'beaker', test));
  return rows;
}

/** The rows under a bucket path: WAL coverage, base backups, "Load more…", unfinished and missing ones. */
export function bucketRows(parent: string, listing: PathListing, target: PathTarget, sgBackups: readonly KubeObject[]): Node[] {
  if (listing.problem && listing.backups.length === 0) return problemRows(parent, listing.problem, target);
  const rows: Node[] = [];
  rows.push(new WalCoverageNode(`${parent}/wal`, listing, listingKey(target)));
  const match = matchBackups(listing.backups.map((b) => b.name), target.backupPath, sgBackups, target.pathIsCurrent);
  const byName = new Map(match.backups.map((m) => [m.name, m]));
  for (const b of listing.backups) rows.push(new WalgBackupNode(`${parent}/walg/${b.name}`, b, byName.get(b.name)!));
  if (listing.backups.length === 0 && !listing.hasMore) {
    rows.push(new MessageNode(`${parent}/empty`, vscode.l10n.t('No base backup in the bucket yet'), vscode.l10n.t('{0}basebackups_005/ is empty', listing.keyPrefix), 'info'));
  }
  for (const name of listing.unfinished) {
    rows.push(new MessageNode(`${parent}/unfinished/${name}`, name, vscode.l10n.t('unfinished: no stop sentinel (running, or failed before finishing)'), 'loading~spin'));
  }
  if (listing.problem) rows.push(...problemRows(`${parent}/more`, listing.problem, target));
  if (listing.hasMore) {
    rows.push(new MessageNode(`${parent}/more`, vscode.l10n.t('Load more…'), vscode.l10n.t('{0} shown', listing.backups.length), 'ellipsis', { title: vscode.l10n.t('Load more'), command: 'stackgres.loadMoreBackups', arguments: [listing.key] }));
  } else if (listing.complete && match.missing.length) {
    for (const m of match.missing) {
      rows.push(new MessageNode(`${parent}/missing/${m.name}`, m.name, vscode.l10n.t('SGBackup Completed, but its files are not in the bucket: a restore from it fails'), 'warning'));
    }
  }
  return rows;
}

export class WalgBackupNode implements Node {
  constructor(
    readonly id: string,
    readonly backup: WalgBackup,
    readonly match: MatchedBackup,
  ) {}

  treeItem(): vscode.TreeItem {
    const b = this.backup;
    const m = this.match;
    const item = new vscode.TreeItem(b.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const problem = b.problems.length > 0;
    item.iconPath = new vscode.ThemeIcon(
      m.orphan ? 'warning' : problem ? 'error' : 'archive',
      m.orphan ? new vscode.ThemeColor('charts.yellow') : problem ? new vscode.ThemeColor('testing.iconFailed') : undefined,
    );
    item.description = [
      when(b.finishTime ?? b.listedAt),
      b.compressedSize !== undefined ? formatBytes(b.compressedSize) : undefined,
      b.pgMajor ? vscode.l10n.t('PG {0}', b.pgMajor) : undefined,
      m.sgBackup ? vscode.l10n.t('SGBackup {0}', m.sgBackup.name) : vscode.l10n.t('orphan: no SGBackup'),
      b.isPermanent ? vscode.l10n.t('permanent') : undefined,
      problem ? vscode.l10n.t('unreadable') : undefined,
    ].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(walgBackupTooltip(b, m));
    item.contextValue = m.orphan ? 'stackgres.walgBackup.orphan' : 'stackgres.walgBackup';
    return item;
  }

  children(): Node[] {
    return [];
  }
}

export class WalCoverageNode implements Node {
  constructor(
    readonly id: string,
    private readonly listing: PathListing,
    /** `listingKey` of the path: its last "Verify Recoverability" says continuous or how many gaps. */
    private readonly key?: string,
  ) {}

  treeItem(): vscode.TreeItem {
    const item = this.coverageItem();
    const verified = this.key !== undefined ? verificationOf(this.key) : undefined;
    if (verified) {
      // Only a finished verification is remembered: "continuous" never comes from a partial read.
      const gaps = verified.gapCount;
      const words = gaps === 0 ? vscode.l10n.t('continuous') : gaps === 1 ? vscode.l10n.t('1 gap') : vscode.l10n.t('{0} gaps', gaps);
      item.description = `${words} · ${typeof item.description === 'string' ? item.description : ''}`;
      if (gaps > 0 || !verified.check.ok) item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
      else item.iconPath = new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
      const md = item.tooltip instanceof vscode.MarkdownString ? item.tooltip : new vscode.MarkdownString(typeof item.tooltip === 'string' ? markdownText(item.tooltip) : '');
      md.appendMarkdown(`\n\n**${markdownText(vscode.l10n.t('Verified {0}', verified.check.at))}:** ${markdownText(verified.check.verdict)}`);
      item.tooltip = md;
    }
    return item;
  }

  private coverageItem(): vscode.TreeItem {
    const c = this.listing.coverage;
    const item = new vscode.TreeItem('WAL archive', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.contextValue = 'stackgres.walCoverage';
    if (c === undefined) {
      item.iconPath = new vscode.ThemeIcon('loading~spin');
      item.description = vscode.l10n.t('reading…');
      return item;
    }
    if (isProblem(c)) {
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
      item.description = c.message;
      item.tooltip = c.message;
      return item;
    }
    if (!c.oldest) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.yellow'));
      item.description = vscode.l10n.t('no WAL segment in the bucket: only the base backups themselves can be restored');
      item.tooltip = [item.description, ...c.problems].join('\n\n');
      return item;
    }
    item.iconPath = new vscode.ThemeIcon('pulse');
    const newest = c.newest ?? c.oldest;
    item.description = `${c.oldest.segment} → ${newest.segment} · ${when(c.oldest.lastModified?.toISOString()) ?? '?'} → ${when(newest.lastModified?.toISOString()) ?? '?'}`;
    item.tooltip = new vscode.MarkdownString(walCoverageTooltip({ ...c, oldest: c.oldest }));
    return item;
  }

  children(): Node[] {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Where bucket rows hang in the tree

/** Under a cluster: its current backup path in its SGObjectStorage (nothing when backups are not configured). */
export function clusterBucketNodes(model: ClusterModel, buckets: BucketBrowser, cluster: KubeObject): Node[] {
  const storageName = clusterStorageName(cluster);
  if (!storageName) return [];
  const namespace = cluster.metadata.namespace ?? '';
  const context = model.api.context.name;
  const parent = `${context}/bucket/cluster/${namespace}/${cluster.metadata.name}`;
  const storage = model.get('SGObjectStorage', namespace, storageName);
  if (!storage) return [new MessageNode(`${parent}/no-storage`, vscode.l10n.t('Bucket'), vscode.l10n.t('SGObjectStorage {0} is not in namespace {1}', storageName, namespace), 'warning')];
  const backupPath = clusterBackupPath(cluster);
  if (!backupPath) return [new MessageNode(`${parent}/no-path`, vscode.l10n.t('Bucket'), vscode.l10n.t('no backup path yet: the operator sets status.backupPaths when it reconciles the cluster'), 'info')];
  return [new BucketPathNode(model, buckets, { context, namespace, storageName, storageSpec: storage.spec, backupPath, pathIsCurrent: true }, 'Bucket', 'cluster')];
}

/**
 * Under an SGObjectStorage: one row per backup path known to use it: the current path of each cluster
 * backing up to it, then older paths its SGBackups were written to (after a major upgrade or a path change).
 */
export function storageBucketNodes(model: ClusterModel, buckets: BucketBrowser, storage: KubeObject): Node[] {
  const namespace = storage.metadata.namespace ?? '';
  const name = storage.metadata.name;
  const context = model.api.context.name;
  const rows: Node[] = [];
  const current = new Set<string>();
  for (const cluster of model.inNamespace('SGCluster', namespace)) {
    if (clusterStorageName(cluster) !== name) continue;
    const backupPath = clusterBackupPath(cluster);
    if (!backupPath || current.has(backupPath)) continue;
    current.add(backupPath);
    rows.push(new BucketPathNode(model, buckets, { context, namespace, storageName: name, storageSpec: storage.spec, backupPath, pathIsCurrent: true }, cluster.metadata.name, 'path'));
  }
  const bucket = sectionBucket(storage.spec);
  const older = new Map<string, number>();
  for (const b of model.inNamespace('SGBackup', namespace)) {
    const path = get(b, ['status', 'backupPath']);
    if (typeof path !== 'string' || current.has(path)) continue;
    if (sectionBucket(get(b, ['status', 'sgBackupConfig', 'storage'])) !== bucket) continue;
    older.set(path, (older.get(path) ?? 0) + 1);
  }
  for (const path of [...older.keys()].sort()) {
    rows.push(new BucketPathNode(model, buckets, { context, namespace, storageName: name, storageSpec: storage.spec, backupPath: path, pathIsCurrent: false }, `${path.split('/').slice(-3).join('/')} (older path)`, 'path'));
  }
  if (rows.length === 0) {
    rows.push(new MessageNode(`${context}/bucket/storage/${namespace}/${name}/unused`, vscode.l10n.t('No cluster backs up here'), vscode.l10n.t('add it to a cluster\'s spec.configurations.backups'), 'info'));
  }
  return rows;
}

/** `type` and bucket of a storage spec, to tell SGBackups written to the same bucket. */
function sectionBucket(spec: unknown): string | undefined {
  const type = get(spec, ['type']);
  const t = typeof type === 'string' ? type : 's3Compatible';
  const bucket = get(spec, [t, 'bucket']);
  return typeof bucket === 'string' ? `${t}:${bucket}` : undefined;
}
