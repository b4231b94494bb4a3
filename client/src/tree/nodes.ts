/**
 * One class per kind of tree item. Each knows its TreeItem (label, description, tooltip, icon, and the
 * contextValue the menus' when-clauses test) and its children, read from the ClusterModel.
 */
import * as vscode from 'vscode';
import { lifecycleMenu } from '@core/backupJob';
import { backupDescription, type BackupView } from '@core/backups';
import type { ClusterHealth } from '@core/backupHealth';
import { describe as describeCron, checkCron } from '@core/cron';
import { drillRowText } from '@core/drill';
import { storageSummary } from '@core/describe';
import { get } from '@core/rules/types';
import type { KubeObject } from '../kube/api';
import { healthOfCluster } from '../backupHealth';
import type { ClusterModel } from '../clusterModel';
import type { BucketBrowser } from '../storage/bucketBrowser';
import { clusterBucketNodes, storageBucketNodes } from './storageNodes';
import { MessageNode, type Node } from './node';
import { backupTooltip, clusterTooltip, contextTooltip, storageTooltip } from './tooltips';

export type { Node } from './node';

export class ContextNode implements Node {
  readonly id: string;
  constructor(private readonly model: ClusterModel, private readonly buckets: BucketBrowser) {
    this.id = `context/${model.api.context.name}`;
  }

  treeItem(): vscode.TreeItem {
    const ctx = this.model.api.context;
    const item = new vscode.TreeItem(ctx.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('cloud');
    const state = this.model.state;
    item.description = state.kind === 'ready' ? (state.reconnecting ? vscode.l10n.t('reconnecting…') : state.scope === 'all namespaces' ? undefined : vscode.l10n.t('namespace {0} only', state.scope)) : state.kind === 'loading' ? vscode.l10n.t('loading…') : undefined;
    item.tooltip = new vscode.MarkdownString(contextTooltip(ctx, state.kind === 'ready' ? state.reconnecting?.message : undefined));
    item.contextValue = 'stackgres.context';
    return item;
  }

  children(): Node[] {
    const state = this.model.state;
    if (state.kind === 'failed') return errorNodes(this.id, state.error);
    const namespaces = this.model.namespaces();
    if (namespaces.length === 0) {
      return [new MessageNode(`${this.id}/empty`, vscode.l10n.t('No StackGres resources yet'), vscode.l10n.t('Create an SGObjectStorage and an SGCluster (sg- snippets), then Apply.'), 'info', { title: vscode.l10n.t('New manifest'), command: 'workbench.action.files.newUntitledFile' })];
    }
    return namespaces.map((ns) => new NamespaceNode(this.model, this.buckets, ns));
  }
}

export function errorNodes(parent: string, error: { message: string; action?: string; command?: vscode.Command; reason: string }): Node[] {
  const retry: vscode.Command = { title: vscode.l10n.t('Retry'), command: 'stackgres.refresh' };
  const icon = error.reason === 'crdsMissing' ? 'info' : 'error';
  const nodes: Node[] = [new MessageNode(`${parent}/error`, error.message, undefined, icon, retry)];
  if (error.action) nodes.push(new MessageNode(`${parent}/action`, error.action, undefined, 'lightbulb', error.command ?? retry));
  return nodes;
}

export class NamespaceNode implements Node {
  readonly id: string;
  constructor(private readonly model: ClusterModel, private readonly buckets: BucketBrowser, readonly namespace: string) {
    this.id = `${model.api.context.name}/ns/${namespace}`;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.namespace, vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('symbol-namespace');
    const clusters = this.model.inNamespace('SGCluster', this.namespace).length;
    item.description = clusters === 1 ? vscode.l10n.t('1 cluster') : vscode.l10n.t('{0} clusters', clusters);
    item.contextValue = 'stackgres.namespace';
    return item;
  }

  children(): Node[] {
    const nodes: Node[] = this.model.inNamespace('SGCluster', this.namespace).map((c) => new ClusterNode(this.model, this.buckets, c));
    const others = this.model.otherBackups(this.namespace);
    if (others.length) nodes.push(new BackupGroupNode(this.model, this.namespace, others));
    const storages = this.model.inNamespace('SGObjectStorage', this.namespace);
    nodes.push(new StoragesNode(this.model, this.buckets, this.namespace, storages));
    return nodes;
  }
}

export class ClusterNode implements Node {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  constructor(private readonly model: ClusterModel, private readonly buckets: BucketBrowser, readonly object: KubeObject) {
    this.namespace = object.metadata.namespace ?? '';
    this.name = object.metadata.name;
    this.id = `${model.api.context.name}/cluster/${this.namespace}/${this.name}`;
  }

  treeItem(): vscode.TreeItem {
    const o = this.object;
    const backups = this.model.backupsOf(this.namespace, this.name);
    const storage = (get(o, ['spec', 'configurations', 'backups']) as unknown[] | undefined)?.[0];
    const expandable = backups.length > 0 || typeof get(storage, ['sgObjectStorage']) === 'string';
    const item = new vscode.TreeItem(this.name, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const health = healthOfCluster(this.model, this.buckets, o);
    item.iconPath = HEALTH_ICONS[health.severity];
    const instances = get(o, ['spec', 'instances']);
    const version = get(o, ['spec', 'postgres', 'version']);
    const cron = get(storage, ['cronSchedule']);
    const storageName = get(storage, ['sgObjectStorage']);
    const schedule = typeof cron === 'string' ? scheduleWords(cron) : vscode.l10n.t('no schedule');
    item.description = [
      typeof instances === 'number' ? (instances === 1 ? vscode.l10n.t('1 instance') : vscode.l10n.t('{0} instances', instances)) : undefined,
      version !== undefined ? vscode.l10n.t('PG {0}', String(version)) : undefined,
      schedule,
      health.severity !== 'ok' ? health.reason : undefined,
    ].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(clusterTooltip({ name: this.name, namespace: this.namespace, version, instances, storageName, cron, schedule, retention: get(storage, ['retention']), backups, health }));
    item.contextValue = typeof storageName === 'string' ? 'stackgres.cluster.backups' : 'stackgres.cluster';
    return item;
  }

  children(): Node[] {
    return [...this.model.backupsOf(this.namespace, this.name).map((b) => new BackupNode(this.model.api.context.name, b)), ...clusterBucketNodes(this.model, this.buckets, this.object)];
  }
}

/** The cluster row's icon says its backup health: a coloured warning or error, else the plain database. */
const HEALTH_ICONS: Record<ClusterHealth['severity'], vscode.ThemeIcon> = {
  ok: new vscode.ThemeIcon('database'),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
};

function scheduleWords(cron: string): string {
  const check = checkCron(cron);
  return check.ok ? describeCron(cron).replace(/ \(UTC\)$/, ' UTC') : `invalid schedule ${cron}`;
}

const PHASE_ICONS: Record<BackupView['phase'], [string, string | undefined]> = {
  Pending: ['clock', 'charts.yellow'],
  Running: ['sync~spin', 'charts.blue'],
  Completed: ['pass', 'testing.iconPassed'],
  Failed: ['error', 'testing.iconFailed'],
};

export class BackupNode implements Node {
  readonly id: string;
  constructor(context: string, readonly backup: BackupView, private readonly now: () => Date = () => new Date()) {
    this.id = `${context}/backup/${backup.namespace}/${backup.name}`;
  }

  treeItem(): vscode.TreeItem {
    const b = this.backup;
    const item = new vscode.TreeItem(b.name, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const [icon, color] = PHASE_ICONS[b.phase];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const drill = b.drill ? drillRowText(b.drill, this.now()) : undefined;
    item.description = [backupDescription(b, this.now()).replace(/^\w+ · /, ''), drill].filter(Boolean).join(' · ');
    // The suffix picks the lifecycle command that applies (Keep / Let Retention Manage); none on a Failed backup.
    const lifecycle = lifecycleMenu(b);
    item.contextValue = `stackgres.backup.${b.phase.toLowerCase()}${lifecycle ? (lifecycle === 'keep' ? '.managed' : '.kept') : ''}`;
    return item;
  }

  /** On hover only: a cluster may have thousands of backups. */
  hoverTooltip(): vscode.MarkdownString {
    return new vscode.MarkdownString(backupTooltip(this.backup));
  }

  children(): Node[] {
    return [];
  }
}

/** Backups in a namespace whose cluster is not there: copies from other namespaces, or of deleted clusters. */
export class BackupGroupNode implements Node {
  readonly id: string;
  constructor(private readonly model: ClusterModel, private readonly namespace: string, private readonly backups: BackupView[]) {
    this.id = `${model.api.context.name}/other-backups/${namespace}`;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Other backups'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('archive');
    item.description = vscode.l10n.t('{0} · copies and backups of clusters not in this namespace', this.backups.length);
    item.contextValue = 'stackgres.backups.other';
    return item;
  }

  children(): Node[] {
    return this.backups.map((b) => new BackupNode(this.model.api.context.name, b));
  }
}

export class StoragesNode implements Node {
  readonly id: string;
  constructor(private readonly model: ClusterModel, private readonly buckets: BucketBrowser, private readonly namespace: string, private readonly storages: KubeObject[]) {
    this.id = `${model.api.context.name}/storages/${namespace}`;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.l10n.t('Object storages'), this.storages.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('folder-library');
    item.description = this.storages.length ? String(this.storages.length) : vscode.l10n.t('none: backups need one');
    item.contextValue = 'stackgres.storages';
    return item;
  }

  children(): Node[] {
    return this.storages.map((s) => new StorageNode(this.model, this.buckets, s));
  }
}

export class StorageNode implements Node {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  constructor(private readonly model: ClusterModel, private readonly buckets: BucketBrowser, readonly object: KubeObject) {
    this.namespace = object.metadata.namespace ?? '';
    this.name = object.metadata.name;
    this.id = `${model.api.context.name}/storage/${this.namespace}/${this.name}`;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('package');
    item.description = storageSummary(this.object.spec);
    item.tooltip = new vscode.MarkdownString(storageTooltip(this.name, this.namespace, storageSummary(this.object.spec)));
    item.contextValue = 'stackgres.storage';
    return item;
  }

  children(): Node[] {
    return storageBucketNodes(this.model, this.buckets, this.object);
  }
}
