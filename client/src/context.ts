import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, RevealOutputChannelOn, ServerOptions, TransportKind } from 'vscode-languageclient/node';

/** Owns the language client, the log and everything that must be disposed when the extension stops. */
export class ExtensionContextHolder {
  readonly log: vscode.LogOutputChannel;
  private client: LanguageClient | undefined;

  constructor(private readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('StackGres', { log: true });
    extension.subscriptions.push(this.log);
  }

  async start(): Promise<void> {
    const serverModule = this.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'yaml' }],
      outputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}') },
    };
    this.client = new LanguageClient('stackgres', 'StackGres Language Server', serverOptions, clientOptions);
    // Starting the server must not hold up activation: the editor is usable while it boots.
    this.client.start().catch((err: unknown) => this.log.error(`The StackGres language server did not start: ${String(err)}`));
  }

  async dispose(): Promise<void> {
    await this.client?.stop();
    this.client = undefined;
  }
}
