/**
 * Connection and tree commands: refresh, choose context, namespace or kubeconfig (the status bar's click offers
 * all three), open an object's YAML, copy a name; and the first-run helpers: a new SGObjectStorage from the
 * tutorial's snippet, the walkthrough.
 */
import * as vscode from 'vscode';
import { Cancelled } from '../errors';
import type { Node } from '../tree/node';
import { BackupNode, ClusterNode, StorageNode } from '../tree/nodes';
import { objectUri } from '../yamlDocuments';
import type { CommandSpec } from '../ui/command';
import { pickNamespace } from '../ui/picks';
import * as prompts from '../ui/prompts';

const CHOOSE_FILE = (): string => vscode.l10n.t('Choose a kubeconfig file…');
const USE_USER_SETTINGS = (): string => vscode.l10n.t('Use the kubeconfig of your settings');
const IN_USE = (): string => vscode.l10n.t('(in use)');
/** The walkthrough's id as VS Code names it: `<publisher>.<name>#<walkthrough id>` (package.json). */
export const WALKTHROUGH_ID = 'stackgres-tools.stackgres-backups#stackgres.gettingStarted';
/** The tutorial's storage: S3 with keys from a Secret (snippets/stackgres.code-snippets). */
const OBJECT_STORAGE_SNIPPET = 'SGObjectStorage: S3 with access keys';

export const clusterCommands: CommandSpec[] = [
  { id: 'stackgres.refresh', run: (ctx) => ctx.refresh('refresh requested') },
  {
    id: 'stackgres.selectContext',
    run: async (ctx) => {
      const api = await ctx.connection.api().catch(() => undefined);
      const contexts = api?.contexts() ?? [];
      if (!contexts.length) {
        // In a remote window the setting takes effect only in the Remote settings (it is machine-scoped).
        if (vscode.env.remoteName) await vscode.commands.executeCommand('workbench.action.openRemoteSettings');
        else await vscode.commands.executeCommand('workbench.action.openSettings', 'stackgres.kubeconfig');
        return;
      }
      const chosen = ctx.connection.chosenContext();
      const pick = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t("Use the kubeconfig's current context"), name: undefined as string | undefined, description: chosen === undefined ? IN_USE() : undefined },
          ...contexts.map((c) => ({ label: c.name, name: c.name as string | undefined, description: [c.server, c.namespace !== 'default' ? vscode.l10n.t('namespace {0}', c.namespace) : undefined, c.name === api?.context.name ? IN_USE() : undefined].filter(Boolean).join(' · ') })),
        ],
        { title: vscode.l10n.t('StackGres: context for this workspace (your kubeconfig is not changed)') },
      );
      if (!pick) throw new Cancelled();
      await ctx.connection.chooseContext(pick.name);
    },
  },
  {
    id: 'stackgres.selectNamespace',
    run: async (ctx) => {
      const api = await ctx.connection.api();
      const chosen = ctx.connection.chosenNamespace();
      const ALL = vscode.l10n.t('All namespaces');
      const pick = await pickNamespace(api, await ctx.model().then((m) => m.namespaces(), () => []), vscode.l10n.t('StackGres: namespace for this workspace in context "{0}" (your kubeconfig is not changed)', api.context.name), {
        inUse: chosen,
        first: { label: ALL, description: chosen === undefined ? IN_USE() : undefined, detail: vscode.l10n.t("The view lists every namespace with StackGres objects; new objects without a namespace go to the context's.") },
      });
      // A namespace name has no spaces: the label of the first item cannot be one.
      const name = pick === ALL ? undefined : pick;
      await ctx.connection.chooseNamespace(name);
    },
  },
  {
    id: 'stackgres.chooseConnection',
    run: async (ctx) => {
      const api = ctx.connection.connected();
      const context = api?.context.name ?? ctx.connection.chosenContext() ?? vscode.l10n.t("the kubeconfig's current context");
      const namespace = ctx.connection.chosenNamespace() ?? vscode.l10n.t('all namespaces');
      const items = [
        { label: `$(plug) ${vscode.l10n.t('Choose Kubernetes Context…')}`, description: vscode.l10n.t('now: {0}', context), command: 'stackgres.selectContext' },
        { label: `$(symbol-namespace) ${vscode.l10n.t('Choose Namespace…')}`, description: vscode.l10n.t('now: {0}', namespace), command: 'stackgres.selectNamespace' },
        { label: `$(file) ${vscode.l10n.t('Choose Kubeconfig File…')}`, description: ctx.connection.chosenKubeconfig() ?? vscode.l10n.t('now: the one of your settings'), command: 'stackgres.chooseKubeconfig' },
      ];
      const pick = await prompts.pick(items, { title: vscode.l10n.t('StackGres: where this workspace connects (your kubeconfig is not changed)') });
      await vscode.commands.executeCommand(pick.command);
    },
  },
  {
    id: 'stackgres.newObjectStorage',
    run: async () => {
      const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: '' });
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('editor.action.insertSnippet', { langId: 'yaml', name: OBJECT_STORAGE_SNIPPET });
    },
  },
  { id: 'stackgres.openWalkthrough', run: () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false) },
  {
    id: 'stackgres.chooseKubeconfig',
    run: async (ctx) => {
      if (ctx.connection.chosenKubeconfig()) {
        const pick = await prompts.pick([{ label: CHOOSE_FILE() }, { label: USE_USER_SETTINGS(), detail: vscode.l10n.t('stackgres.kubeconfig of your User (or Remote) settings, else KUBECONFIG or ~/.kube/config') }], {
          title: vscode.l10n.t('StackGres: kubeconfig for this workspace (now {0})', ctx.connection.chosenKubeconfig() ?? ''),
        });
        if (pick.label === USE_USER_SETTINGS()) return ctx.connection.chooseKubeconfig(undefined);
      }
      const file = await prompts.openFile({ title: vscode.l10n.t('StackGres: kubeconfig file for this workspace'), canSelectMany: false, openLabel: vscode.l10n.t('Use this kubeconfig') });
      // Kept in VS Code's workspace storage: never in .vscode/settings.json, where it would be committed.
      await ctx.connection.chooseKubeconfig(file.fsPath);
    },
  },
  {
    id: 'stackgres.openYaml',
    run: async (ctx, node) => {
      const target = objectOf(node);
      if (!target) return;
      const api = await ctx.connection.api();
      const doc = await vscode.workspace.openTextDocument(objectUri(api.context.name, target.kind, target.namespace, target.name));
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { preview: true });
    },
  },
  {
    id: 'stackgres.copyName',
    run: async (_ctx, node) => {
      const target = objectOf(node);
      if (!target) return;
      await vscode.env.clipboard.writeText(target.name);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', target.name), 3000);
    },
  },
];

function objectOf(node: unknown): { kind: 'SGCluster' | 'SGBackup' | 'SGObjectStorage'; namespace: string; name: string } | undefined {
  const n = node as Node | undefined;
  if (n instanceof ClusterNode) return { kind: 'SGCluster', namespace: n.namespace, name: n.name };
  if (n instanceof BackupNode) return { kind: 'SGBackup', namespace: n.backup.namespace, name: n.backup.name };
  if (n instanceof StorageNode) return { kind: 'SGObjectStorage', namespace: n.namespace, name: n.name };
  return undefined;
}
