/** The picks the commands share: a cluster, a backup of one, a namespace. */
import * as vscode from 'vscode';
import { backupChoiceDescription, namespaceProblem } from '@core/backupActions';
import { readBackup, type BackupView } from '@core/backups';
import type { ClusterModel } from '../clusterModel';
import { UserError } from '../errors';
import type { KubeApi, KubeObject } from '../kube/api';
import * as prompts from './prompts';

export async function pickCluster(api: KubeApi, model: ClusterModel, title: string, usable: (c: KubeObject) => boolean = () => true): Promise<KubeObject> {
  const clusters = model.objects('SGCluster').filter(usable);
  if (!clusters.length) throw new UserError(vscode.l10n.t('No suitable SGCluster in context "{0}".', api.context.name));
  const items = clusters
    .map((c) => {
      const backups = (c.spec as { configurations?: { backups?: { sgObjectStorage?: string }[] } } | undefined)?.configurations?.backups?.[0]?.sgObjectStorage;
      const version = (c.spec as { postgres?: { version?: unknown } } | undefined)?.postgres?.version;
      return {
        label: c.metadata.name,
        description: [c.metadata.namespace, version !== undefined ? vscode.l10n.t('PG {0}', String(version)) : undefined, backups ? vscode.l10n.t('backups to {0}', backups) : vscode.l10n.t('no backups configured')].filter(Boolean).join(' · '),
        cluster: c,
      };
    })
    .sort((a, b) => a.label.localeCompare(b.label) || a.description.localeCompare(b.description));
  return (await prompts.pick(items, { title, matchOnDescription: true, ignoreFocusOut: true })).cluster;
}

/** Palette: a cluster with Completed backups, then one of them (date, size, PG major). */
export async function pickCompletedBackup(api: KubeApi, model: ClusterModel, title: string): Promise<BackupView> {
  const completed = (c: KubeObject) => model.backupsOf(c.metadata.namespace ?? '', c.metadata.name).filter((b) => b.phase === 'Completed');
  const cluster = await pickCluster(api, model, vscode.l10n.t('{0}: which cluster?', title), (c) => completed(c).length > 0);
  const ns = cluster.metadata.namespace ?? '';
  const items = completed(cluster).map((b) => ({ label: b.name, description: backupChoiceDescription(b, ns), detail: b.managedLifecycle ? vscode.l10n.t('managed by the retention policy') : vscode.l10n.t('kept until deleted'), backup: b }));
  return (await prompts.pick(items, { title: vscode.l10n.t('{0}: which backup of {1}? (newest first)', title, cluster.metadata.name), matchOnDescription: true, ignoreFocusOut: true })).backup;
}

export async function pickAnyBackup(api: KubeApi, model: ClusterModel, title: string): Promise<BackupView> {
  const views = model.objects('SGBackup').map((o) => readBackup(o)).filter((b): b is BackupView => b !== undefined);
  if (!views.length) throw new UserError(vscode.l10n.t('No SGBackup in context "{0}".', api.context.name));
  const t = (b: BackupView) => (b.stored ?? b.ended ?? b.created)?.getTime() ?? 0;
  const items = views
    .sort((a, b) => t(b) - t(a))
    .map((b) => ({ label: b.name, description: [b.namespace, vscode.l10n.t('cluster {0}', b.cluster.name), backupChoiceDescription(b)].join(' · '), backup: b }));
  return (await prompts.pick(items, { title, matchOnDescription: true, ignoreFocusOut: true })).backup;
}

const OTHER_NAMESPACE = (): string => vscode.l10n.t('Other namespace…');

/**
 * A namespace of the cluster: those it lists (when RBAC does not let us, those the view shows and the
 * context's), or one typed in. `shown` are the namespaces with StackGres objects; `except` is left out,
 * `inUse` marked, and `first` is offered before the namespaces (its label is returned when chosen).
 */
export async function pickNamespace(
  api: KubeApi,
  shown: readonly string[],
  title: string,
  options: { except?: string; inUse?: string; first?: vscode.QuickPickItem; step?: prompts.Step; active?: string } = {},
): Promise<string> {
  const listed = await api.namespaces().catch(() => [...new Set([...shown, api.context.namespace])]);
  const items = [
    ...(options.first ? [options.first] : []),
    ...listed.filter((n) => n !== options.except).map((n) => ({
      label: n,
      description: [shown.includes(n) ? vscode.l10n.t('has StackGres objects') : undefined, n === options.inUse ? vscode.l10n.t('(in use)') : undefined].filter(Boolean).join(' · ') || undefined,
    })),
    { label: OTHER_NAMESPACE(), description: vscode.l10n.t('type a name') },
  ];
  const typedBefore = options.active !== undefined && !items.some((i) => i.label === options.active);
  const chosen = await prompts.pick(items, { title, ignoreFocusOut: true, step: options.step, active: typedBefore ? OTHER_NAMESPACE() : options.active });
  if (chosen.label !== OTHER_NAMESPACE()) return chosen.label;
  const typed = await prompts.input({
    title,
    step: options.step,
    value: typedBefore ? options.active : undefined,
    prompt: vscode.l10n.t('Name of an existing namespace'),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === options.except ? vscode.l10n.t('The backup is already in {0}.', options.except) : namespaceProblem(v.trim())),
  });
  return typed.trim();
}
