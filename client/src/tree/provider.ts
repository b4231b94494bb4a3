/** The StackGres tree: context → namespaces → clusters → backups, and object storages; live through the model. */
import * as vscode from 'vscode';
import type { ClusterModel } from '../clusterModel';
import { isKubeError } from '../kube/errors';
import type { BucketBrowser } from '../storage/bucketBrowser';
import { MessageNode, type Node } from './node';
import { BackupGroupNode, BackupNode, ClusterNode, ContextNode, errorNodes, NamespaceNode, StorageNode, StoragesNode } from './nodes';

/** What the tree reads: the live model, when it changes, and the bucket listings its rows share (the extension's context gives all three). */
export interface ModelSource {
  model(): Promise<ClusterModel>;
  readonly onDidChangeModel: vscode.Event<void>;
  readonly buckets: BucketBrowser;
  /** The line above the view's rows or welcome content (the connection's error); undefined clears it. */
  showMessage?(message: string | undefined): void;
}

/** `stackgres.tree`: which welcome content (package.json viewsWelcome) the empty view shows. */
export const TREE_STATE_KEY = 'stackgres.tree';
export type TreeState = 'connecting' | 'noConnection' | 'remoteSettings' | 'empty' | 'rows';

/** The command a kubeconfig error carries when stackgres.kubeconfig sits unapplied in User settings of a remote window. */
const OPEN_REMOTE_SETTINGS = 'workbench.action.openRemoteSettings';

export class ClusterTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];

  constructor(private readonly ctx: ModelSource) {
    this.subscriptions.push(ctx.onDidChangeModel(() => this.changed.fire(undefined)));
  }

  /** Redraws the tree from what is loaded (after a bucket page was added, say). */
  refresh(): void {
    this.changed.fire(undefined);
  }

  private readonly parents = new WeakMap<Node, Node>();

  getTreeItem(node: Node): vscode.TreeItem {
    return node.treeItem();
  }

  /** The tooltip of a row whose tooltip waits for the hover (`Node.hoverTooltip`). */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (item.tooltip === undefined && node.hoverTooltip) item.tooltip = node.hoverTooltip();
    return item;
  }

  getParent(node: Node): Node | undefined {
    return this.parents.get(node);
  }

  /** The node of an SGBackup, SGCluster or SGObjectStorage, for the view to reveal it (undefined when not shown). */
  findObject(kind: 'SGBackup' | 'SGCluster' | 'SGObjectStorage', namespace: string, name: string): Promise<Node | undefined> {
    return this.find((n) => {
      if (n instanceof ContextNode || (n instanceof NamespaceNode && n.namespace === namespace)) return 'descend';
      if (kind === 'SGBackup' && n instanceof BackupNode) return n.backup.namespace === namespace && n.backup.name === name ? 'found' : 'skip';
      if (kind === 'SGBackup' && (n instanceof ClusterNode || n instanceof BackupGroupNode)) return 'descend';
      if (kind === 'SGCluster' && n instanceof ClusterNode) return n.namespace === namespace && n.name === name ? 'found' : 'skip';
      if (kind === 'SGObjectStorage' && n instanceof StoragesNode) return 'descend';
      if (kind === 'SGObjectStorage' && n instanceof StorageNode) return n.namespace === namespace && n.name === name ? 'found' : 'skip';
      return 'skip';
    });
  }

  /**
   * The first node `matches` finds, walking the tree as the view would (children loaded the same way):
   * `matches` says of each node whether it is the one, whether to look below it, or to pass it by.
   */
  async find(matches: (node: Node) => 'found' | 'descend' | 'skip'): Promise<Node | undefined> {
    const walk = async (nodes: Node[]): Promise<Node | undefined> => {
      for (const n of nodes) {
        const m = matches(n);
        if (m === 'found') return n;
        if (m === 'descend') {
          const hit = await walk(await this.getChildren(n));
          if (hit) return hit;
        }
      }
      return undefined;
    };
    return walk(await this.getChildren());
  }

  /** The node instance last handed to the view for each id. */
  private readonly known = new Map<string, Node>();

  /**
   * The view keys its items by id and by the element object it was given: across refreshes an item keeps its
   * first object, updated with the new state, so expansions and reveals in flight stay valid.
   */
  private keep(fresh: Node[]): Node[] {
    return fresh.map((n) => {
      const prev = this.known.get(n.id);
      if (prev && prev.constructor === n.constructor) {
        Object.assign(prev, n);
        return prev;
      }
      this.known.set(n.id, n);
      return n;
    });
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node) {
      const children = this.keep(await node.children());
      for (const c of children) this.parents.set(c, node);
      return children;
    }
    return this.keep(await this.roots());
  }

  /** Which welcome content the view shows (`stackgres.tree`), for the integration suite. */
  treeState: TreeState | undefined;

  private setTreeState(state: TreeState, message?: string): void {
    this.ctx.showMessage?.(message);
    if (state === this.treeState) return;
    this.treeState = state;
    void vscode.commands.executeCommand('setContext', TREE_STATE_KEY, state);
  }

  private async roots(): Promise<Node[]> {
    if (this.treeState === undefined) this.setTreeState('connecting');
    try {
      const model = await this.ctx.model();
      // Nothing of StackGres in the cluster (or the chosen namespace): the welcome content says what to do.
      if (model.state.kind === 'ready' && model.namespaces().length === 0) {
        this.setTreeState('empty');
        return [];
      }
      this.setTreeState('rows');
      return [new ContextNode(model, this.ctx.buckets)];
    } catch (err) {
      // Connection failures arrive as KubeErrors (translated where the Kubernetes bundle is opened).
      const e = isKubeError(err) ? err : undefined;
      // Restricted Mode: the connection refused to open, nothing was read.
      if (e?.reason === 'untrusted') {
        this.setTreeState('rows');
        return [new MessageNode('untrusted', vscode.l10n.t('Trust this workspace to see your clusters'), vscode.l10n.t('Reading a kubeconfig can run credential plugins.'), 'shield', { title: vscode.l10n.t('Manage Workspace Trust'), command: 'workbench.trust.manage' })];
      }
      // No kubeconfig, a broken one, or a context it lacks: the welcome content offers the ways out.
      if (e?.reason === 'config') {
        // In a remote window, a value left in User settings: its welcome content opens the Remote settings first.
        this.setTreeState(e.command?.command === OPEN_REMOTE_SETTINGS ? 'remoteSettings' : 'noConnection', e.action ? `${e.message} ${e.action}` : e.message);
        return [];
      }
      this.setTreeState('rows');
      return [
        ...errorNodes('connection', { message: e?.message ?? String((err as Error)?.message ?? err), action: e?.action, command: e?.command, reason: e?.reason ?? 'config' }),
        new MessageNode('connection/kubeconfig', vscode.l10n.t('Choose a kubeconfig file…'), undefined, 'file', { title: vscode.l10n.t('Choose kubeconfig'), command: 'stackgres.chooseKubeconfig' }),
      ];
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
