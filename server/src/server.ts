/**
 * The StackGres language server: wires the LSP connection to the services. No StackGres knowledge here.
 */
import * as path from 'node:path';
import { Connection, DidChangeWatchedFilesNotification, FileChangeType, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { ManifestParser } from './documents';
import { SchemaChecker } from './schema/schemaChecker';
import { LiveValues } from './live';
import { SchemaStore } from './schema/schemaStore';
import { codeActions } from './services/codeActions';
import { CompletionService } from './services/completion';
import { HoverService } from './services/hover';
import { ValidationService } from './services/validation';
import { WorkspaceIndex } from './workspaceIndex';
import { YamlService } from './schema/yamlService';

export interface ServerOptions {
  /** Directory holding the bundled JSON schemas; defaults to `schemas/` beside the bundle's folder. */
  readonly schemasDir?: string;
}

interface InitOptions {
  /** Milliseconds to wait after an edit before validating (default 150). */
  readonly validationDelay?: number;
  /** Files larger than this are not validated (default 5). */
  readonly maxFileSizeMB?: number;
  /** How long a check against a cluster's CRD schema may run before it is stopped (default 10,000 ms). */
  readonly schemaCheckTimeoutMs?: number;
  /** What we answer (client/src/coexistence.ts decides, beside Red Hat YAML): all on by default. */
  readonly features?: { readonly schema?: boolean; readonly completion?: boolean; readonly hover?: boolean };
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const schemasDir = options.schemasDir ?? path.resolve(__dirname, '..', 'schemas');
  const schemas = new SchemaStore(schemasDir);
  const yaml = new YamlService(schemas);
  const parser = new ManifestParser();
  const log = (msg: string): void => connection.console.log(msg);
  const index = new WorkspaceIndex(log);
  const live = new LiveValues(index);
  const checker = new SchemaChecker(yaml, log, path.join(__dirname, 'schemaWorker.js'));
  const validation = new ValidationService(checker, schemas, () => live.workspaceLookup, () => live.view());
  const completion = new CompletionService(yaml, live.references);
  const hover = new HoverService(yaml, live.references);
  let delay = 150;
  let features = { schema: true, completion: true, hover: true };
  let folders: string[] = [];
  let watchRegistration = false;
  const timers = new Map<string, NodeJS.Timeout>();
  /** Validations running now; the workspace scan waits while any runs or is scheduled. */
  let validating = 0;
  let idleWaiters: (() => void)[] = [];
  const idle = (): Promise<void> => (timers.size === 0 && validating === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve)));
  const maybeIdle = (): void => {
    if (timers.size > 0 || validating > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const parsed = (doc: TextDocument) => parser.parse(doc.uri, doc.version, doc.getText());

  async function validateNow(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return maybeIdle();
    const version = doc.version;
    validating++;
    try {
      const diagnostics = await validation.validate(parsed(doc), (manifests) => {
        // What this document defines changed: the other open documents' references are checked again.
        if (index.documentParsed(uri, manifests)) for (const other of documents.all()) if (other.uri !== uri) schedule(other.uri);
      });
      // With schema problems left to another extension, our operator rules and live checks still report.
      const reported = features.schema ? diagnostics : diagnostics.filter((d) => !isSchemaProblem(d.code));
      // Results for an older version would flicker wrong ranges: the newer version is already scheduled.
      if (documents.get(uri)?.version === version) await connection.sendDiagnostics({ uri, version, diagnostics: reported });
      // Closed while it was being checked: what was kept of it goes.
      if (!documents.get(uri)) validation.forget(uri);
    } catch (err) {
      connection.console.error(`Validation of ${uri} failed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      validating--;
      maybeIdle();
    }
  }

  function schedule(uri: string, wait = delay): void {
    clearTimeout(timers.get(uri));
    timers.set(uri, setTimeout(() => {
      timers.delete(uri);
      void validateNow(uri);
    }, wait));
  }

  connection.onInitialize((params) => {
    const init = (params.initializationOptions ?? {}) as InitOptions;
    if (typeof init.validationDelay === 'number' && init.validationDelay >= 0) delay = init.validationDelay;
    if (typeof init.maxFileSizeMB === 'number' && init.maxFileSizeMB > 0) validation.maxFileSize = init.maxFileSizeMB * 1024 * 1024;
    if (typeof init.schemaCheckTimeoutMs === 'number' && init.schemaCheckTimeoutMs > 0) checker.timeoutMs = init.schemaCheckTimeoutMs;
    features = { schema: init.features?.schema !== false, completion: init.features?.completion !== false, hover: init.features?.hover !== false };
    folders = (params.workspaceFolders ?? []).map((f) => URI.parse(f.uri).fsPath);
    if (folders.length === 0 && params.rootUri) folders = [URI.parse(params.rootUri).fsPath];
    watchRegistration = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        ...(features.completion ? { completionProvider: { triggerCharacters: [':', ' ', '-', '\n'], resolveProvider: false } } : {}),
        hoverProvider: features.hover,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: false } },
      },
      serverInfo: { name: 'stackgres-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (watchRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] });
    }
    void index.scan(folders, idle).catch((err: unknown) => connection.console.error(`Workspace scan failed: ${String(err)}`));
  });

  // Cross-document results depend on other files: recheck open documents when the index changes.
  index.onDidChange(() => {
    for (const doc of documents.all()) schedule(doc.uri);
  });

  // The workspace index learns of an open document's text when it is validated (validateNow).
  documents.onDidOpen((e) => {
    // Line offsets are computed now, beside the first check: else the first edit's update computes them over
    // the whole text (tens of milliseconds on a 1 MB file) before that edit is checked.
    void e.document.lineCount;
    schedule(e.document.uri, 0);
  });
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    maybeIdle();
    parser.forget(e.document.uri);
    validation.forget(e.document.uri);
    index.documentClosed(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onDidChangeWatchedFiles((params) => {
    for (const change of params.changes) {
      if (change.type === FileChangeType.Deleted) index.fileDeleted(change.uri);
      else void index.fileChanged(change.uri);
    }
  });

  live.listen(connection, { schemas, yaml, checker, log }, () => {
    for (const doc of documents.all()) schedule(doc.uri, 0);
  });

  connection.onCompletion(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc && features.completion ? completion.complete(parsed(doc), params.position) : null;
  });

  connection.onHover(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc && features.hover ? hover.hover(parsed(doc), params.position) : null;
  });

  connection.onCodeAction((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc ? codeActions(parsed(doc), params) : [];
  });

  documents.listen(connection);
  connection.listen();
}

/** Problems from the CRD schema check (`schema-*`), not from our rules. Unknown fields stay (a CRD schema, hence Red Hat YAML, lets them pass), and so does the timeout note. */
function isSchemaProblem(code: unknown): boolean {
  return typeof code === 'string' && code.startsWith('schema-') && code !== 'schema-check-timeout' && code !== 'schema-unknown-field';
}
