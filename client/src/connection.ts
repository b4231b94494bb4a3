/**
 * Which cluster the extension talks to: the kubeconfig (the user's setting, else the Microsoft Kubernetes
 * extension's, else KUBECONFIG / ~/.kube/config / in-cluster) and the context chosen for this workspace
 * (kept in workspace state, never written to the kubeconfig). Opens the `KubeApi` lazily and again whenever
 * any of that, or workspace trust, changes.
 */
import * as vscode from 'vscode';
import type { KubeApi } from './kube/api';
import type { KubeError } from './kube/errors';
import { isKubeError } from './kube/errors';
import { configurationApi, hostKubeconfig, KUBERNETES_EXTENSION_ID, onKubernetesChange, type KubernetesConfiguration } from './kubernetesExtension';

const CONTEXT_KEY = 'stackgres.context';
const NAMESPACE_KEY = 'stackgres.namespace';
const KUBECONFIG_KEY = 'stackgres.kubeconfig';

export type ConnectionState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'connected'; readonly api: KubeApi }
  | { readonly kind: 'failed'; readonly error: KubeError };

export class ClusterConnection implements vscode.Disposable {
  private state: ConnectionState = { kind: 'idle' };
  private opening: Promise<KubeApi> | undefined;
  private readonly changed = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly workspaceState: vscode.Memento, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('stackgres.kubeconfig')) this.reset('the kubeconfig setting changed');
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reset('the workspace is now trusted')),
    );
    void this.followKubernetesExtension();
  }

  get current(): ConnectionState {
    return this.state;
  }

  /** The api for the chosen context, opening it on first use. Fails with a KubeError. */
  api(): Promise<KubeApi> {
    if (this.state.kind === 'connected') return Promise.resolve(this.state.api);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** The api if already connected, without connecting. */
  connected(): KubeApi | undefined {
    return this.state.kind === 'connected' ? this.state.api : undefined;
  }

  chosenContext(): string | undefined {
    return this.workspaceState.get<string>(CONTEXT_KEY);
  }

  /** The namespace chosen for this workspace; undefined: all namespaces, the context's for new objects. */
  chosenNamespace(): string | undefined {
    return this.workspaceState.get<string>(NAMESPACE_KEY);
  }

  /** The kubeconfig file chosen for this workspace (Choose Kubeconfig File); undefined: the user's. */
  chosenKubeconfig(): string | undefined {
    return this.workspaceState.get<string>(KUBECONFIG_KEY);
  }

  async chooseKubeconfig(file: string | undefined): Promise<void> {
    await this.workspaceState.update(KUBECONFIG_KEY, file);
    this.reset(file ? `kubeconfig ${file} chosen for this workspace` : 'back to the kubeconfig of the user settings');
  }

  async chooseNamespace(name: string | undefined): Promise<void> {
    await this.workspaceState.update(NAMESPACE_KEY, name);
    this.reset(name ? `namespace ${name} chosen for this workspace` : 'back to all namespaces');
  }

  async chooseContext(name: string | undefined): Promise<void> {
    await this.workspaceState.update(CONTEXT_KEY, name);
    this.reset(name ? `context ${name} chosen for this workspace` : 'back to the kubeconfig current context');
  }

  /** Forget the api; the next use opens it again (refresh, settings or trust changes). */
  reset(why: string): void {
    if (this.state.kind === 'connected') this.state.api.dispose();
    this.log.info(`Cluster connection reset: ${why}`);
    this.setState({ kind: 'idle' });
  }

  private async open(): Promise<KubeApi> {
    this.setState({ kind: 'connecting' });
    try {
      const kubeconfigPath = this.kubeconfigPath();
      // Loaded on first use: the Kubernetes client is a bundle of its own (dist/kube.js).
      const { openKube } = await import('./kube/clientNode');
      const api = await openKube({
        kubeconfigPath,
        context: this.chosenContext(),
        namespace: this.chosenNamespace(),
        trusted: vscode.workspace.isTrusted,
        log: (line) => this.log.info(line),
      });
      this.log.info(`Connected to context ${api.context.name} (${api.context.server ?? 'in-cluster'}) from ${kubeconfigPath ?? 'the default kubeconfig'}`);
      this.setState({ kind: 'connected', api });
      return api;
    } catch (err) {
      if (!isKubeError(err)) throw err;
      this.log.warn(`Cannot connect: ${err.describe()}`);
      this.setState({ kind: 'failed', error: err });
      throw err;
    }
  }

  private kubeconfigPath(): string | undefined {
    const chosen = this.chosenKubeconfig();
    if (chosen) return chosen;
    const setting = vscode.workspace.getConfiguration('stackgres').get<string>('kubeconfig', '').trim();
    if (setting) return setting.replace(/^~(?=\/)/, process.env.HOME ?? '~');
    return this.kubernetesExtensionKubeconfig();
  }

  private kubernetesApi: KubernetesConfiguration | undefined;

  private kubernetesExtensionKubeconfig(): string | undefined {
    return this.kubernetesApi ? hostKubeconfig(this.kubernetesApi) : undefined;
  }

  /** With the Microsoft Kubernetes extension installed, use its kubeconfig and follow its changes. */
  private async followKubernetesExtension(): Promise<void> {
    const ext = vscode.extensions.getExtension(KUBERNETES_EXTENSION_ID);
    if (!ext) return;
    try {
      const found = await configurationApi(ext.isActive ? ext.exports : await ext.activate());
      if ('reason' in found) {
        this.log.warn(`Not following the Kubernetes extension: ${found.reason}`);
        return;
      }
      this.kubernetesApi = found.api;
      this.log.info(`Following the Kubernetes extension's kubeconfig (configuration API ${found.version}; set stackgres.kubeconfig to use another)`);
      this.disposables.push(...onKubernetesChange(found.api, () => {
        if (!vscode.workspace.getConfiguration('stackgres').get<string>('kubeconfig')) this.reset('the Kubernetes extension switched kubeconfig or context');
      }));
      this.reset('using the Kubernetes extension\'s kubeconfig');
    } catch (err) {
      this.log.warn(`The Kubernetes extension's API is not usable: ${String(err)}`);
    }
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    this.changed.fire(s);
  }

  dispose(): void {
    if (this.state.kind === 'connected') this.state.api.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
