/**
 * Which cluster the extension talks to: the kubeconfig (the file chosen for this workspace, else the user's
 * setting, else the Microsoft Kubernetes extension's, else KUBECONFIG / ~/.kube/config / in-cluster) and the
 * context chosen for this workspace (choices kept in workspace state, never in the workspace's settings or the
 * kubeconfig). Opens the `KubeApi` lazily and again whenever any of that, or workspace trust, changes. Every
 * way to the cluster comes through here, so this is where workspace trust is checked.
 */
import * as vscode from 'vscode';
import type { KubeApi } from './kube/api';
import { isKubeError, KubeError, untrustedWorkspace } from './kube/errors';
import { openKubeApi } from './kube/open';
import { configurationApi, hostKubeconfig, KUBERNETES_EXTENSION_ID, onKubernetesChange, type KubernetesConfiguration } from './kubernetesExtension';
import { KUBECONFIG_SETTING, kubeconfigSetting, setsKubeconfig } from './workspaceSettings';

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

  /** `globalStorageUri`: where the User settings file is found when it is on this machine (see userSettingsKubeconfig). */
  constructor(private readonly workspaceState: vscode.Memento, private readonly log: vscode.LogOutputChannel, private readonly globalStorageUri?: vscode.Uri) {
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
      // Before anything is read: a kubeconfig can name token files and credential plugins, and the tree,
      // commands, live values, code lenses and stackgres: documents all open the connection here.
      if (!vscode.workspace.isTrusted) throw untrustedWorkspace();
      await this.noteWorkspaceKubeconfigSetting();
      const { path: kubeconfigPath, from } = this.kubeconfig();
      // Loaded on first use: the Kubernetes client is a bundle of its own (dist/kube.js), its errors made ours.
      const api = await openKubeApi({
        kubeconfigPath,
        context: this.chosenContext(),
        namespace: this.chosenNamespace(),
        trusted: vscode.workspace.isTrusted,
        // The Kubernetes bundle has no vscode import; its kubeconfig messages are translated with this.
        l10n: vscode.l10n,
        log: (line) => this.log.info(line),
      });
      this.log.info(`Connected to context ${api.context.name} (${api.context.server ?? 'in-cluster'}) from ${typeof kubeconfigPath === 'object' ? kubeconfigPath.join(', ') : (kubeconfigPath ?? 'the default kubeconfig')} (${from})`);
      this.setState({ kind: 'connected', api });
      return api;
    } catch (caught) {
      if (!isKubeError(caught)) throw caught;
      const err = caught.reason === 'config' ? await this.explainRemoteWindow(caught) : caught;
      // Restricted Mode refuses every attempt the same way: once in the log is enough.
      if (err.reason !== 'untrusted' || !this.refusalLogged) this.log.warn(`Cannot connect: ${err.describe()}`);
      this.refusalLogged ||= err.reason === 'untrusted';
      this.setState({ kind: 'failed', error: err });
      throw err;
    }
  }

  private kubeconfig(): { path: string | readonly string[] | undefined; from: string } {
    const chosen = this.chosenKubeconfig();
    if (chosen) return { path: chosen, from: 'chosen for this workspace' };
    const setting = userKubeconfigSetting();
    if (setting) return { path: setting.replace(/^~(?=\/)/, process.env.HOME ?? '~'), from: 'your settings' };
    // Several files (its KUBECONFIG) are merged, as kubectl does.
    const fromExtension = this.kubernetesApi ? hostKubeconfig(this.kubernetesApi) : undefined;
    return { path: fromExtension, from: fromExtension ? 'the Kubernetes extension' : 'KUBECONFIG or ~/.kube/config' };
  }

  /**
   * In a remote window (code-server, Remote-SSH, WSL, dev containers, Codespaces) VS Code takes a setting of
   * machine scope from the Remote settings only: a `stackgres.kubeconfig` in User settings is silently not
   * applied. When the kubeconfig cannot be found there, the error says so (naming the unapplied value when the
   * User settings file is readable from here) and offers to open the Remote settings.
   */
  private async explainRemoteWindow(err: KubeError): Promise<KubeError> {
    const remote = vscode.env.remoteName;
    if (!remote || this.chosenKubeconfig() || userKubeconfigSetting()) return err;
    const unapplied = await this.userSettingsKubeconfig();
    const why = unapplied !== undefined
      ? vscode.l10n.t(
          'Your User settings set stackgres.kubeconfig to {0}, but this window runs on a remote machine ({1}), where VS Code takes that setting from the Remote settings only.',
          unapplied,
          remote,
        )
      : vscode.l10n.t('This window runs on a remote machine ({0}): there VS Code takes stackgres.kubeconfig from the Remote settings, not from User settings.', remote);
    if (unapplied !== undefined) this.log.warn(`stackgres.kubeconfig in the User settings (${unapplied}) is not applied in this remote window (${remote}); set it in the Remote settings.`);
    return new KubeError(err.reason, `${err.message} ${why}`, {
      action: vscode.l10n.t('Set stackgres.kubeconfig in the Remote settings (Preferences: Open Remote Settings), or run "StackGres: Choose Kubeconfig File" for this workspace.'),
      command: { title: vscode.l10n.t('Open Remote Settings'), command: 'workbench.action.openRemoteSettings' },
    });
  }

  /**
   * The `stackgres.kubeconfig` value of the User settings file, when that file is on this machine (code-server
   * keeps it beside the extension's global storage, `<user-data>/User/settings.json`); undefined when it is
   * not readable or sets none. Read only to explain a value VS Code did not apply; never used to connect.
   */
  private async userSettingsKubeconfig(): Promise<string | undefined> {
    if (!this.globalStorageUri) return undefined;
    const file = vscode.Uri.joinPath(this.globalStorageUri, '..', '..', 'settings.json');
    const text = await vscode.workspace.fs.readFile(file).then(
      (bytes) => new TextDecoder().decode(bytes),
      () => undefined,
    );
    return text === undefined ? undefined : kubeconfigSetting(text);
  }

  private workspaceSettingNoted = false;
  private refusalLogged = false;

  /**
   * VS Code ignores a workspace's own `stackgres.kubeconfig` (the setting is machine-scoped, so a cloned
   * repository cannot choose where your credentials go); the log says so once, naming the file.
   */
  private async noteWorkspaceKubeconfigSetting(): Promise<void> {
    if (this.workspaceSettingNoted) return;
    const files = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ uri: vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'), kind: 'folder' as 'folder' | 'workspaceFile' }));
    const workspaceFile = vscode.workspace.workspaceFile;
    if (workspaceFile && workspaceFile.scheme !== 'untitled') files.push({ uri: workspaceFile, kind: 'workspaceFile' });
    for (const file of files) {
      const text = await vscode.workspace.fs.readFile(file.uri).then(
        (bytes) => new TextDecoder().decode(bytes),
        () => undefined,
      );
      if (text === undefined || !setsKubeconfig(text, file.kind)) continue;
      this.workspaceSettingNoted = true;
      this.log.warn(
        `${KUBECONFIG_SETTING} in ${vscode.workspace.asRelativePath(file.uri)} is ignored: a workspace's settings cannot choose your cluster. ` +
          'Set it in your User settings, or run "StackGres: Choose Kubeconfig File" for this workspace.',
      );
      return;
    }
  }

  private kubernetesApi: KubernetesConfiguration | undefined;

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
      this.disposables.push(...onKubernetesChange(found.api, (what) => {
        // A namespace chosen for this workspace wins over the one chosen in its Clusters view.
        if (what === 'namespace' && this.chosenNamespace()) return;
        if (!this.chosenKubeconfig() && !userKubeconfigSetting()) this.reset(`the Kubernetes extension switched ${what}`);
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

/** The setting from User or Remote settings only: it is machine-scoped, so VS Code drops workspace values. */
function userKubeconfigSetting(): string {
  return vscode.workspace.getConfiguration('stackgres').get<string>('kubeconfig', '').trim();
}
