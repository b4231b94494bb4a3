/** Connection and tree commands: refresh, choose context or kubeconfig, open an object's YAML, copy a name. */
import * as vscode from 'vscode';
import { Cancelled } from '../errors';
import type { Node } from '../tree/node';
import { BackupNode, ClusterNode, StorageNode } from '../tree/nodes';
import { objectUri } from '../yamlDocuments';
import type { CommandSpec } from '../ui/command';
import { pickNamespace } from '../ui/picks';
import * as prompts from '../ui/prompts';

const CHOOSE_FILE = 'Choose a kubeconfig file…';
const USE_USER_SETTINGS = 'Use the kubeconfig of your settings';

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
          { label: 'Use the kubeconfig\'s current context', name: undefined as string | undefined, description: chosen === undefined ? '(in use)' : undefined },
          ...contexts.map((c) => ({ label: c.name, name: c.name as string | undefined, description: [c.server, c.namespace !== 'default' ? `namespace ${c.namespace}` : undefined, c.name === api?.context.name ? '(in use)' : undefined].filter(Boolean).join(' · ') })),
        ],
        { title: 'StackGres: context for this workspace (your kubeconfig is not changed)' },
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
      const ALL = 'All namespaces';
      const pick = await pickNamespace(api, await ctx.model().then((m) => m.namespaces(), () => []), `StackGres: namespace for this workspace in context "${api.context.name}" (your kubeconfig is not changed)`, {
        inUse: chosen,
        first: { label: ALL, description: chosen === undefined ? '(in use)' : undefined, detail: 'The view lists every namespace with StackGres objects; new objects without a namespace go to the context\'s.' },
      });
      // A namespace name has no spaces: the label of the first item cannot be one.
      const name = pick === ALL ? undefined : pick;
      await ctx.connection.chooseNamespace(name);
    },
  },
  {
    id: 'stackgres.chooseKubeconfig',
    run: async (ctx) => {
      if (ctx.connection.chosenKubeconfig()) {
        const pick = await prompts.pick([{ label: CHOOSE_FILE }, { label: USE_USER_SETTINGS, detail: 'stackgres.kubeconfig of your User (or Remote) settings, else KUBECONFIG or ~/.kube/config' }], {
          title: `StackGres: kubeconfig for this workspace (now ${ctx.connection.chosenKubeconfig()})`,
        });
        if (pick.label === USE_USER_SETTINGS) return ctx.connection.chooseKubeconfig(undefined);
      }
      const file = await prompts.openFile({ title: 'StackGres: kubeconfig file for this workspace', canSelectMany: false, openLabel: 'Use this kubeconfig' });
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
      void vscode.window.setStatusBarMessage(`Copied ${target.name}`, 3000);
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
