/**
 * Speaks LSP to the bundled server over stdio, as an editor does: spawn `node dist/server.js --stdio` (with
 * the Node flags the extension starts it with),
 * initialize, open documents, wait for published diagnostics, ask for completion, hover and code actions.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import {
  CodeActionRequest,
  CompletionRequest,
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type Hover,
  type NotificationType,
  type Position,
  type PublishDiagnosticsParams,
  type Range,
} from 'vscode-languageserver-protocol';
import { pathToFileURL } from 'node:url';
import { SERVER_NODE_FLAGS } from '@core/memoryLimits';

export const SERVER = path.resolve(__dirname, '../../dist/server.js');

export class LspClient {
  readonly logs: string[] = [];
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  private waiters: (() => void)[] = [];
  private versions = new Map<string, number>();
  readonly stderr: string[] = [];

  private constructor(private readonly proc: ChildProcess, readonly connection: MessageConnection) {}

  /** `node`: the Node binary that runs the server (the real-editor driver tries several versions). */
  static async start(workspace?: string, initializationOptions: Record<string, unknown> = { validationDelay: 0 }, env: Record<string, string> = {}, node = process.execPath): Promise<LspClient> {
    const proc = spawn(node, [...SERVER_NODE_FLAGS, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const connection = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new LspClient(proc, connection);
    proc.stderr!.on('data', (d: Buffer) => client.stderr.push(d.toString()));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      client.diagnostics.set(p.uri, p);
      client.wake();
    });
    connection.onNotification(LogMessageNotification.type, (p) => {
      client.logs.push(p.message);
      client.wake();
    });
    connection.onRequest(RegistrationRequest.type, () => null);
    connection.onRequest(ConfigurationRequest.type, () => []);
    connection.listen();
    const folder = workspace ? pathToFileURL(workspace).toString() : null;
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: folder,
      workspaceFolders: folder ? [{ uri: folder, name: 'ws' }] : null,
      capabilities: {
        workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown'] }, publishDiagnostics: { versionSupport: true } },
      },
      initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    this.diagnostics.delete(uri);
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  }

  /** Replaces a range (or the whole text when no range is given). */
  change(uri: string, text: string, range?: Range): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [range ? { range, text } : { text }],
    });
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** Diagnostics published for the document's current version. */
  async diagnosticsFor(uri: string, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const want = this.version(uri);
    await this.until(() => {
      const p = this.diagnostics.get(uri);
      return p !== undefined && (p.version === undefined || p.version === want);
    }, timeoutMs, `diagnostics for ${uri} v${want}`);
    return this.diagnostics.get(uri)!.diagnostics;
  }

  /** Waits until the latest diagnostics published for the document satisfy the predicate. */
  async diagnosticsMatching(uri: string, predicate: (d: Diagnostic[]) => boolean, timeoutMs = 10_000): Promise<Diagnostic[]> {
    await this.until(() => {
      const p = this.diagnostics.get(uri);
      return p !== undefined && predicate(p.diagnostics);
    }, timeoutMs, `matching diagnostics for ${uri}`);
    return this.diagnostics.get(uri)!.diagnostics;
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const r = await this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
    return r === null ? [] : Array.isArray(r) ? r : r.items;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
    // Our server answers with code actions only (services/codeActions.ts), never bare commands.
    return (await this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics } })) as CodeAction[];
  }

  /** Sends a notification declared by LSP or by server/src/protocol.ts. */
  notify<P>(type: NotificationType<P>, params: P): void {
    void this.connection.sendNotification(type, params);
  }

  async until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.proc.exitCode !== null) throw new Error(`Timed out waiting for ${what}${this.proc.exitCode !== null ? ` (server exited ${this.proc.exitCode}: ${this.stderr.join('')})` : ''}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for a line of the server's log (window/logMessage). */
  async waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    await this.until(() => this.logs.some((l) => pattern.test(l)), timeoutMs, `a log line matching ${String(pattern)}`);
  }

  /** The server's process id (to read its memory from /proc). */
  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.proc.exitCode === null;
  }

  async stop(): Promise<void> {
    if (this.alive) {
      try {
        await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        // the process may already be gone
      }
    }
    this.connection.dispose();
    if (this.alive) this.proc.kill('SIGKILL');
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Position of the first occurrence of `marker` in `text` (optionally `offset` characters into it). */
export function positionOf(text: string, marker: string, offset = 0): Position {
  const i = text.indexOf(marker);
  if (i < 0) throw new Error(`marker ${marker} not found`);
  const before = text.slice(0, i + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
