import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import { ClusterModel } from './clusterModel';
import { readSettings } from './config';
import { ClusterConnection } from './connection';
import { LiveSync, type OpenManifest } from './liveSync';
import { ApplyUi } from './editor/applyReview';
import { StackGresDocuments } from './editor/stackgresDocuments';
import { registerCodeLenses } from './editor/codeLenses';
import { BucketBrowser } from './storage/bucketBrowser';
import { registerStorageEditorFeatures } from './storage/editorFeatures';
import type { Node } from './tree/node';
import { ClusterTreeProvider } from './tree/provider';
import { BackupHealthStatusBar, ConnectionStatusBar } from './ui/statusBar';
import { BackupHealthMonitor } from './backupHealth';
import { WalkthroughProgress } from './walkthrough';
import { changeNeedsRestart, RESTART_SETTINGS } from './settingEffects';
import { ObjectYamlProvider, SCHEME } from './yamlDocuments';
import { SERVER_NODE_FLAGS } from '@core/memoryLimits';
import { decideCoexistence } from './coexistence';
import { claimStackGresDocuments, redHatYamlInstalled } from './redHatYaml';

/**
 * Owns the language client, the log, the settings, the cluster connection and its model, the tree, the bucket
 * listings, Apply Manifest's diagnostics and review, and everything that must be disposed when the extension
 * stops. It composes them; what each shows is its own business.
 */
export class ExtensionContextHolder {
  readonly log: vscode.LogOutputChannel;
  readonly connection: ClusterConnection;
  private client: LanguageClient | undefined;
  private readonly status: vscode.LanguageStatusItem;
  private modelPromise: Promise<ClusterModel> | undefined;
  private readonly modelChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeModel = this.modelChanged.event;
  private liveSync: LiveSync | undefined;
  /** Whether our contributor is registered with Red Hat YAML (it has no way to unregister). */
  private claimed = false;
  private redHatYaml = redHatYamlInstalled();
  /** The tree's data, for commands that reveal nodes and for the integration suite. */
  tree: ClusterTreeProvider | undefined;
  private treeView: vscode.TreeView<Node> | undefined;
  /** Every bucket listing read in this window: the tree's rows and the recoverable-window picture share them. */
  readonly buckets = new BucketBrowser();
  /** Apply Manifest's diagnostics on the YAML lines and its live ↔ after-apply review. */
  readonly applyUi: ApplyUi;
  /** The status bar item naming this workspace's context and namespace. */
  statusBar: ConnectionStatusBar | undefined;
  /** Backup health of the context's clusters: the status bar's summary and the Failed notification. */
  health: BackupHealthMonitor | undefined;
  /** Which documents are StackGres manifests, for the menus' when-clauses. */
  stackgresDocuments: StackGresDocuments | undefined;
  /** The Getting Started walkthrough's steps, completed by what really happened. */
  walkthrough: WalkthroughProgress | undefined;

  /** Shows and selects an SGBackup (or SGCluster / SGObjectStorage) in the StackGres view. */
  async reveal(kind: 'SGBackup' | 'SGCluster' | 'SGObjectStorage', namespace: string, name: string): Promise<boolean> {
    const tree = this.tree;
    const view = this.treeView;
    if (!tree || !view) return false;
    const node = await tree.findObject(kind, namespace, name);
    if (!node) return false;
    await view.reveal(node, { select: true, focus: true, expand: true });
    return true;
  }

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('StackGres', { log: true });
    this.status = vscode.languages.createLanguageStatusItem('stackgres.server', { language: 'yaml' });
    this.status.name = 'StackGres';
    this.status.command = { title: vscode.l10n.t('Show Log'), command: 'stackgres.showLog' };
    this.setStatus('starting');
    this.connection = new ClusterConnection(extension.workspaceState, this.log, extension.globalStorageUri);
    this.applyUi = new ApplyUi();
    extension.subscriptions.push(this.log, this.status, this.connection, this.modelChanged, this.applyUi);
    extension.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => this.settingsChanged(e)));
    // Red Hat YAML installed or removed while we run: who answers on StackGres documents changes.
    extension.subscriptions.push(
      vscode.extensions.onDidChange(() => {
        if (redHatYamlInstalled() === this.redHatYaml) return;
        this.redHatYaml = !this.redHatYaml;
        void this.restart();
      }),
    );
  }

  /** Disposed with the extension: what a command sets up on first use (e.g. the backup logs pages). */
  subscribe(disposable: vscode.Disposable): void {
    this.extension.subscriptions.push(disposable);
  }

  /** The line above the StackGres view (the connection's error while the view shows its welcome content). */
  showMessage(message: string | undefined): void {
    if (this.treeView) this.treeView.message = message;
  }

  /** Registers the views, commands and providers; the language server starts without waiting for them. */
  async start(): Promise<void> {
    const tree = new ClusterTreeProvider(this);
    this.tree = tree;
    this.treeView = vscode.window.createTreeView('stackgres.clusters', { treeDataProvider: tree, showCollapseAll: true });
    this.stackgresDocuments = new StackGresDocuments(this.log);
    this.walkthrough = new WalkthroughProgress(this.connection);
    this.statusBar = new ConnectionStatusBar(this.connection);
    const healthBar = new BackupHealthStatusBar();
    this.health = new BackupHealthMonitor(
      { model: () => this.model(), onDidChangeModel: this.onDidChangeModel, buckets: this.buckets, connection: this.connection, log: this.log, refreshTree: () => tree.refresh() },
      healthBar,
      (ref) => vscode.commands.executeCommand('stackgres.showBackupFailure', ref),
    );
    this.extension.subscriptions.push(
      healthBar,
      this.health,
      tree,
      this.treeView,
      this.stackgresDocuments,
      this.walkthrough,
      this.statusBar,
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, new ObjectYamlProvider(this.connection)),
      ...registerStorageEditorFeatures(),
      ...registerCodeLenses(),
      this.connection.onDidChange((s) => {
        if (s.kind === 'idle') this.dropModel();
      }),
      // Bucket stores hold the Secret's keys of the context they were opened in: closed on any switch.
      this.buckets.forgetOnReset(this.connection.onDidChange),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (isManifest(d)) this.liveSync?.manifestsChanged();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isManifest(e.document)) this.liveSync?.manifestsChanged();
      }),
    );
    this.startLanguageClient();
  }

  /** The live model of the connected cluster, opening the connection on first use. */
  model(): Promise<ClusterModel> {
    this.modelPromise ??= this.connection.api().then(async (api) => {
      const model = await ClusterModel.open(api, this.log);
      model.onDidChange(() => this.modelChanged.fire());
      this.liveSync?.attach(model);
      return model;
    });
    this.modelPromise.catch(() => (this.modelPromise = undefined));
    return this.modelPromise;
  }

  /** After our own writes to Secrets: the language server's live values re-read them. */
  secretsChanged(): void {
    void this.refreshLiveSecrets();
  }

  /** Reads the Secret names and keys again for the language server; resolves when read (the suite waits on it). */
  refreshLiveSecrets(): Promise<void> {
    return this.liveSync?.refreshSecrets() ?? Promise.resolve();
  }

  /** The language client, to send notifications (undefined while restarting). */
  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  /** Reconnects and reloads everything (the Refresh button). */
  refresh(why: string): void {
    this.connection.reset(why);
    this.modelChanged.fire();
  }

  private dropModel(): void {
    const old = this.modelPromise;
    this.modelPromise = undefined;
    this.liveSync?.detach();
    void old?.then((m) => m.dispose(), () => undefined);
    this.modelChanged.fire();
  }

  private startLanguageClient(): void {
    const serverModule = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] } },
    };
    const settings = readSettings();
    const coexistence = decideCoexistence(settings.features, this.redHatYaml);
    this.applyCoexistence(coexistence.claimStackGresDocuments);
    const clientOptions: LanguageClientOptions = {
      // Files and unsaved files only: not our read-only views (cluster YAML, apply reviews, reports).
      documentSelector: [{ language: 'yaml', scheme: 'file' }, { language: 'yaml', scheme: 'untitled' }],
      outputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: { maxFileSizeMB: settings.maxFileSizeMB, features: coexistence.ours },
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}') },
    };
    const client = new LanguageClient('stackgres', 'StackGres Language Server', serverOptions, clientOptions);
    this.client = client;
    this.liveSync = new LiveSync(client, this.log, settings.secretsRefreshMs, openManifests);
    client.onDidChangeState((e) => {
      this.setStatus(e.newState === State.Running ? 'ready' : e.newState === State.Starting ? 'starting' : 'stopped');
      if (e.newState === State.Running) this.liveSync?.resend();
    });
    // Starting the server must not hold up activation: the editor is usable while it boots.
    this.clientStarting = client.start().catch((err: unknown) => {
      this.setStatus('stopped');
      this.log.error(`The StackGres language server did not start: ${String(err)}`);
    });
  }

  /** Restarts the language server only for the settings it reads when it starts (settingEffects.ts). */
  private settingsChanged(e: vscode.ConfigurationChangeEvent): void {
    if (changeNeedsRestart((section) => e.affectsConfiguration(section))) {
      const which = RESTART_SETTINGS.filter((k) => e.affectsConfiguration(k));
      this.log.info(`Restarting the language server: ${which.length ? which.join(', ') : 'a StackGres setting'} changed`);
      void this.restart();
      return;
    }
    if (e.affectsConfiguration('stackgres.live.secretsRefreshSeconds')) this.liveSync?.setSecretsRefreshMs(readSettings().secretsRefreshMs);
  }

  private clientStarting: Promise<void> | undefined;

  /**
   * Stops the language client. One still starting cannot be stopped (vscode-languageclient throws "Client is
   * not running", and the server's exit then logs to a closed channel): it may finish starting first, for at
   * most a few seconds.
   */
  private async stopClient(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (client.state === State.Starting && this.clientStarting) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.clientStarting, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
    }
    await client.stop().catch((err: unknown) => this.log.info(`The language server did not stop cleanly: ${String(err)}`));
  }

  /** Registers with Red Hat YAML when StackGres documents should get no other schema there. */
  private applyCoexistence(claim: boolean): void {
    if (claim && !this.claimed) {
      this.claimed = true;
      void claimStackGresDocuments().then((what) => this.log.info(what));
    } else if (!claim && this.claimed) {
      // vscode-yaml's contributor API cannot unregister: only a new window hands StackGres documents back.
      void vscode.window
        .showInformationMessage(vscode.l10n.t('Red Hat YAML keeps answering nothing on StackGres documents until the window is reloaded.'), vscode.l10n.t('Reload Window'))
        .then((choice) => choice && vscode.commands.executeCommand('workbench.action.reloadWindow'));
    }
  }

  private async restart(): Promise<void> {
    this.liveSync?.detach();
    await this.stopClient();
    this.startLanguageClient();
    if (this.modelPromise) void this.modelPromise.then((m) => this.liveSync?.attach(m), () => undefined);
  }

  private setStatus(state: 'starting' | 'ready' | 'stopped'): void {
    this.status.text = state === 'ready' ? 'StackGres' : state === 'starting' ? vscode.l10n.t('StackGres: starting') : vscode.l10n.t('StackGres: stopped');
    this.status.severity = state === 'stopped' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.status.busy = state === 'starting';
    this.status.detail = state === 'ready' ? vscode.l10n.t('Checks SGObjectStorage, SGCluster and SGBackup manifests') : state === 'stopped' ? vscode.l10n.t('The language server is not running: see the log') : undefined;
  }

  async dispose(): Promise<void> {
    this.liveSync?.detach();
    await this.stopClient();
    this.client = undefined;
    this.dropModel();
    this.buckets.forget();
  }
}

/** The YAML files the language server checks (not our read-only views). */
function isManifest(d: vscode.TextDocument): boolean {
  return d.languageId === 'yaml' && (d.uri.scheme === 'file' || d.uri.scheme === 'untitled');
}

function openManifests(): OpenManifest[] {
  return vscode.workspace.textDocuments.filter(isManifest).map((d) => ({ key: `${d.uri.toString()}@${d.version}`, text: () => d.getText() }));
}
