/**
 * The two language servers under test, spoken to over stdio as an editor does, with the timing hooks the
 * benchmark needs: when each publishDiagnostics arrived, and the server's process id for its memory.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { CompletionItem, CompletionList, ConfigurationParams, Diagnostic, Hover, Position, PublishDiagnosticsParams, Range } from 'vscode-languageserver-protocol';
import { SERVER_NODE_FLAGS } from '@core/memoryLimits';
import { REPO } from '../bench';

export interface ServerSetup {
  /** Short name for tables. */
  readonly name: string;
  readonly args: readonly string[];
  readonly initializationOptions?: unknown;
  /** Answers to workspace/configuration, by section. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Milliseconds the server waits after an open or edit before validating (a fixed debounce). */
  readonly validationDebounceMs: number;
  /** A request whose answer means the server has applied its settings (sent after `initialized`). */
  readonly settingsApplied?: (client: BenchClient) => Promise<void>;
  /** Folder opened as the workspace (none: a single file). */
  readonly workspace?: string;
}

interface Published {
  readonly params: PublishDiagnosticsParams;
  /** performance.now() when the notification arrived. */
  readonly at: number;
}

export class BenchClient {
  private readonly published: Published[] = [];
  private waiters: (() => void)[] = [];
  readonly stderr: string[] = [];
  readonly logs: string[] = [];

  private constructor(readonly setup: ServerSetup, private readonly proc: ChildProcess, private readonly connection: MessageConnection) {}

  static async start(setup: ServerSetup, nodeFlags: readonly string[] = []): Promise<BenchClient> {
    const proc = spawn(process.execPath, [...nodeFlags, ...setup.args, '--stdio'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const client = new BenchClient(setup, proc, connection);
    proc.stderr!.on('data', (d: Buffer) => client.stderr.push(d.toString()));
    proc.on('exit', () => client.wake());
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      client.published.push({ params, at: performance.now() });
      client.wake();
    });
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      client.logs.push(p.message);
      client.wake();
    });
    connection.onNotification('telemetry/event', () => undefined);
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('client/unregisterCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('workspace/configuration', (p: ConfigurationParams) => p.items.map((i) => setup.settings?.[i.section ?? ''] ?? null));
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: setup.workspace ? pathToFileURL(setup.workspace).toString() : null,
      workspaceFolders: setup.workspace ? [{ uri: pathToFileURL(setup.workspace).toString(), name: path.basename(setup.workspace) }] : null,
      capabilities: {
        workspace: { configuration: setup.settings !== undefined, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { versionSupport: true, relatedInformation: true },
        },
      },
      initializationOptions: setup.initializationOptions,
    });
    await connection.sendNotification('initialized', {});
    await setup.settingsApplied?.(client);
    return client;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  /** Sends didOpen and resolves with the first diagnostics published for the document afterwards. */
  async open(uri: string, text: string, version = 1): Promise<{ ms: number; diagnostics: Diagnostic[] }> {
    return this.timedDiagnostics(uri, version, () => this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } }));
  }

  /** Sends one incremental didChange and resolves with the diagnostics published for the new version. */
  async change(uri: string, version: number, range: Range, text: string): Promise<{ ms: number; diagnostics: Diagnostic[] }> {
    return this.timedDiagnostics(uri, version, () => this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] }));
  }

  async completion(uri: string, position: Position): Promise<{ ms: number; items: number }> {
    const t0 = performance.now();
    const r = await this.connection.sendRequest<CompletionList | CompletionItem[] | null>('textDocument/completion', { textDocument: { uri }, position });
    const elapsed = performance.now() - t0;
    return { ms: elapsed, items: r === null ? 0 : Array.isArray(r) ? r.length : r.items.length };
  }

  async hover(uri: string, position: Position): Promise<{ ms: number; found: boolean }> {
    const t0 = performance.now();
    const r = await this.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
    return { ms: performance.now() - t0, found: r !== null && r !== undefined };
  }

  /** Resolves with the first log line (window/logMessage) matching the pattern, within the deadline. */
  async waitForLog(pattern: RegExp, timeoutMs = 120_000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hit = this.logs.find((l) => pattern.test(l));
      if (hit) return hit;
      if (this.proc.exitCode !== null) throw new Error(`${this.setup.name} exited (${this.proc.exitCode})`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.setup.name}: no log line matching ${String(pattern)} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification('exit');
      } catch {
        // already gone
      }
    }
    this.connection.dispose();
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      const forced = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(forced);
    }
  }

  /**
   * Diagnostics for `version` published after `send`. A server that does not echo versions (plain
   * yaml-language-server) is taken at its first publication after `send`: the benchmark sends nothing else
   * to the document until that arrives, so it can only be for this version.
   */
  private async timedDiagnostics(uri: string, version: number, send: () => Promise<void>): Promise<{ ms: number; diagnostics: Diagnostic[] }> {
    const seen = this.published.length;
    const t0 = performance.now();
    await send();
    const deadline = t0 + 120_000;
    for (;;) {
      const hit = this.published.slice(seen).find((p) => p.params.uri === uri && (p.params.version === undefined || p.params.version === version));
      if (hit) return { ms: hit.at - t0, diagnostics: hit.params.diagnostics };
      if (this.proc.exitCode !== null) throw new Error(`${this.setup.name} exited (${this.proc.exitCode}): ${this.stderr.join('').slice(-2000)}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.setup.name}: no diagnostics for ${uri} v${version} within 120 s`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Our server, bundled (dist/server.js unless told): validates at once on open and edit. */
/** `--node-flags=<flags separated by spaces>`: start our server with these Node flags instead of the extension's. */
export function nodeFlagsOption(flags: readonly string[]): string[] | undefined {
  const value = flags.find((f) => f.startsWith('--node-flags='))?.slice('--node-flags='.length);
  if (value === undefined) return undefined;
  const nodeFlags = value.split(' ').filter(Boolean);
  console.log(`Our server's Node flags: ${nodeFlags.join(' ') || 'none'}`);
  return nodeFlags;
}

/** `nodeFlags`: as the extension starts it unless told otherwise (to measure other flags). */
export function ourServer(bundle = path.join(REPO, 'dist/server.js'), workspace?: string, nodeFlags: readonly string[] = SERVER_NODE_FLAGS): ServerSetup {
  return {
    name: 'ours',
    args: [...nodeFlags, bundle],
    workspace,
    initializationOptions: { validationDelay: 0 },
    validationDebounceMs: 0,
  };
}

/** The schema files of the StackGres kinds, by kind. */
export const KIND_SCHEMAS: Readonly<Record<string, string>> = {
  SGObjectStorage: 'sgobjectstorage.schema.json',
  SGCluster: 'sgcluster.schema.json',
  SGBackup: 'sgbackup.schema.json',
  SGDbOps: 'sgdbops.schema.json',
  SGShardedCluster: 'sgshardedcluster.schema.json',
  SGShardedBackup: 'sgshardedbackup.schema.json',
};

/**
 * Plain yaml-language-server as a user would set it up for a multi-kind file: one `yaml.schemas` entry for
 * the file, pointing at a combined schema that picks the kind's schema by `kind` (an `allOf` of
 * `if {kind: const K} then {$ref: <kind schema>}`); the kind schemas are the same files our server uses.
 * `disableAdditionalProperties` is on, as in our server, so both check unknown fields. Schema Store and
 * the Kubernetes CRD store are off: no network.
 */
export function plainYamlServer(tempDir: string, fileName: string): ServerSetup {
  const combined = path.join(tempDir, 'stackgres-combined.schema.json');
  writeFileSync(combined, JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'StackGres manifests (one schema per kind)',
    type: 'object',
    // Open, or disableAdditionalProperties would close this wrapper (it lists no properties of its own).
    additionalProperties: true,
    allOf: Object.entries(KIND_SCHEMAS).map(([kind, file]) => ({
      if: { properties: { kind: { const: kind } }, required: ['kind'], additionalProperties: true },
      then: { $ref: pathToFileURL(path.join(REPO, 'schemas', file)).toString() },
    })),
  }, null, 2));
  return {
    name: 'plain yaml-language-server',
    args: [path.join(REPO, 'node_modules/yaml-language-server/bin/yaml-language-server')],
    validationDebounceMs: 200,
    settings: {
      yaml: {
        schemas: { [pathToFileURL(combined).toString()]: [fileName] },
        validate: true,
        hover: true,
        completion: true,
        format: { enable: false },
        disableAdditionalProperties: true,
        schemaStore: { enable: false },
        kubernetesCRDStore: { enable: false },
        yamlVersion: '1.2',
      },
      http: {},
      '[yaml]': {},
      editor: {},
    },
    // Its codeLens handler waits for the settings pulled at `initialized` to be applied.
    settingsApplied: async (client) => {
      await client.request('textDocument/codeLens', { textDocument: { uri: 'file:///settings-barrier.yaml' } });
    },
  };
}
