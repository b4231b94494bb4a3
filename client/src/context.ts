import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import { onSettingsChanged, readSettings } from './config';

/** Owns the language client, the log, the settings and everything that must be disposed when the extension stops. */
export class ExtensionContextHolder {
  readonly log: vscode.LogOutputChannel;
  private client: LanguageClient | undefined;
  private readonly status: vscode.LanguageStatusItem;

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('StackGres', { log: true });
    this.status = vscode.languages.createLanguageStatusItem('stackgres.server', { language: 'yaml' });
    this.status.name = 'StackGres';
    this.status.command = { title: 'Show Log', command: 'stackgres.showLog' };
    this.setStatus('starting');
    extension.subscriptions.push(this.log, this.status);
    extension.subscriptions.push(vscode.commands.registerCommand('stackgres.showLog', () => this.log.show(true)));
    extension.subscriptions.push(onSettingsChanged(() => void this.restart()));
  }

  async start(): Promise<void> {
    const serverModule = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const settings = readSettings();
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'yaml' }],
      outputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: { maxFileSizeMB: settings.maxFileSizeMB },
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}') },
    };
    const client = new LanguageClient('stackgres', 'StackGres Language Server', serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => this.setStatus(e.newState === State.Running ? 'ready' : e.newState === State.Starting ? 'starting' : 'stopped'));
    // Starting the server must not hold up activation: the editor is usable while it boots.
    client.start().catch((err: unknown) => {
      this.setStatus('stopped');
      this.log.error(`The StackGres language server did not start: ${String(err)}`);
    });
  }

  private async restart(): Promise<void> {
    await this.client?.stop().catch(() => undefined);
    await this.start();
  }

  private setStatus(state: 'starting' | 'ready' | 'stopped'): void {
    this.status.text = state === 'ready' ? 'StackGres' : state === 'starting' ? 'StackGres: starting' : 'StackGres: stopped';
    this.status.severity = state === 'stopped' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.status.busy = state === 'starting';
    this.status.detail = state === 'ready' ? 'Checks SGObjectStorage, SGCluster and SGBackup manifests' : state === 'stopped' ? 'The language server is not running: see the log' : undefined;
  }

  async dispose(): Promise<void> {
    await this.client?.stop();
    this.client = undefined;
  }
}
