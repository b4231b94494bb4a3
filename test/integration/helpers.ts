/**
 * Shared steps for the integration tests: open a fixture, find a place in it, ask the editor what the user
 * would see there, and wait for the language server with a deadline (never a fixed sleep).
 *
 * HOW THE SUITE REACHES THE CLUSTER AND S3 (started by the driver, test/e2e/sandbox.ts):
 * - The extension is already connected: the driver sets the user setting `stackgres.kubeconfig` to
 *   `runConfig().kube.kubeconfig` in the fresh profile. `testingApi()` gives `{ context, prompts }` of the
 *   extension (`context.tree`, `context.model()`, `context.connection.api()` for KubeApi calls).
 * - `kubeTarget()` = `runConfig().kube`: `target` ('sandbox' | 'cluster'), `kubeconfig`, `context`, `url`,
 *   `contexts` (sandbox: by user: admin, reader, no-backups), `tokens` (sandbox: bearer token per user),
 *   `caCert`, `namespaces` (seeded: demo, staging), `scratchPrefix` (create your own namespaces as
 *   `${scratchPrefix}-<name>`: `scratchNamespace(name)`; the driver deletes them), `operatorStepMs`,
 *   `world` (the tutorial cluster `demo/demo-db`, storages `backups-rgw` and `backups-rgw-limited` on RGW with
 *   their Secrets, Completed/Failed SGBackups and the matching wal-g objects), `control` (test server knobs:
 *   `sandboxControl('/operator/fail-next', { message })`, `/faults`, ...; sandbox only).
 * - `s3Target()` = `runConfig().s3`: `endpoint`, `region`, `bucket`, `owner` and `limited` keys
 *   ({accessKeyId, secretAccessKey}; `limited` is denied s3:DeleteObject by the bucket policy).
 *   Keys and tokens are test credentials: never put them in assertion messages or logs.
 * - Against a real cluster (`--kubeconfig`), `kube.target` is 'cluster', `world`, `control`, `tokens` are
 *   absent and `namespaces` is empty: tests tagged @cluster must create what they need in a scratch namespace.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { KubeRunConfig, readRunConfig, RunConfig, S3RunConfig } from './runConfig';
import { waitFor as poll } from '../poll';
import type { TestingApi } from '../../client/src/extension';
import type { Node } from '../../client/src/tree/node';

export const EXTENSION_ID = 'stackgres-tools.stackgres-backups';
export const DIAGNOSTIC_SOURCE = 'stackgres';
/** How long the language server may take to answer, counting its cold start. */
export const SERVER_DEADLINE_MS = 20_000;

let config: RunConfig | undefined;
/** The driver's settings for this run; each test bundle sits beside the runner's run-config.json. */
export function runConfig(): RunConfig {
  config ??= readRunConfig(__dirname);
  return config;
}

export function fixtureUri(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace (test/fixtures/workspace) is open');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/** Writes a manifest into a folder of the test workspace and opens it, as a user would. */
export async function writeFixture(folder: string, name: string, text: string): Promise<vscode.TextEditor> {
  const uri = fixtureUri(`${folder}/${name}`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Closes every editor and removes a folder written with writeFixture. */
export async function removeFixtureFolder(folder: string): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.workspace.fs.delete(fixtureUri(folder), { recursive: true, useTrash: false }).then(undefined, () => undefined);
}

/** The tutorial's SGObjectStorage: s3, keys from the Secret `secret` (accessKeyId, secretAccessKey). */
export function s3StorageManifest(namespace: string, name: string, secret: string): string {
  return `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  type: s3
  s3:
    bucket: ${name}-bucket
    region: eu-west-1
    awsCredentials:
      secretKeySelectors:
        accessKeyId:
          name: ${secret}
          key: accessKeyId
        secretAccessKey:
          name: ${secret}
          key: secretAccessKey
`;
}

/** Opens a file of the fixture workspace in an editor, as a user clicking it in the Explorer would. */
export async function openFixture(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(fixtureUri(relativePath));
  return vscode.window.showTextDocument(document, { preview: false });
}

export interface MarkerOptions {
  /** Which occurrence of the text, counting from 1. */
  occurrence?: number;
  /** Characters from the start of the marker text (default 0); the marker's length puts it just after. */
  offset?: number;
}

/** The position of a piece of text in a document: `positionOf(doc, 'type: s3', { offset: 8 })` is after `s3`. */
export function positionOf(document: vscode.TextDocument, marker: string, options: MarkerOptions = {}): vscode.Position {
  const text = document.getText();
  let index = -1;
  for (let n = 0; n < (options.occurrence ?? 1); n++) {
    index = text.indexOf(marker, index + 1);
    assert.notEqual(index, -1, `"${marker}" occurs ${options.occurrence ?? 1} time(s) in ${document.uri.path}`);
  }
  return document.positionAt(index + (options.offset ?? 0));
}

/** The range a piece of text covers. */
export function rangeOf(document: vscode.TextDocument, marker: string, options: MarkerOptions = {}): vscode.Range {
  const start = positionOf(document, marker, options);
  return new vscode.Range(start, start.translate(0, marker.length));
}

export function stackgresDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);
}

/**
 * A diagnostic's code as the server sent it. VS Code wraps it as `{ value, target }` when the server also
 * sends a link to its documentation, so compare with this rather than with `d.code`.
 */
export function diagnosticCode(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' ? d.code.value : d.code;
}

/**
 * Puts every edited document back to its content on disk, so no test sees another's edits (the suite's
 * root afterEach hook calls it). Falls back to writing the disk content into the buffer if the editor's
 * revert leaves the document dirty.
 */
export async function revertDirtyDocuments(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme !== 'untitled')) {
    // VS Code 1.139 may open another editor meanwhile (e.g. an extension's walkthrough) and refuse to show this one:
    // the content from disk is then written back below.
    await vscode.window
      .showTextDocument(document, { preview: false })
      .then(() => vscode.commands.executeCommand('workbench.action.files.revert'))
      .then(undefined, () => undefined);
    if (document.isDirty) {
      const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(document.uri));
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), onDisk);
      await vscode.workspace.applyEdit(edit);
      await document.save();
    }
    assert.equal(document.isDirty, false, `${document.uri.path} is back to its content on disk`);
  }
}

/** A diagnostic in one line, for assertion messages. */
export function describeDiagnostic(d: vscode.Diagnostic): string {
  const code = diagnosticCode(d);
  return `${d.range.start.line + 1}:${d.range.start.character + 1} [${d.source ?? ''}${code === undefined ? '' : ` ${code}`}] ${d.message}`;
}

/**
 * Resolves with the document's diagnostics once `predicate` holds for them, checking now and on every
 * diagnostics change; rejects at the deadline with what the document had then.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diagnostics: vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = SERVER_DEADLINE_MS,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      if (!predicate(diagnostics)) return false;
      finish();
      resolve(diagnostics);
      return true;
    };
    const timer = setTimeout(() => {
      finish();
      const now = vscode.languages.getDiagnostics(uri).map(describeDiagnostic);
      reject(new Error(`Waited ${timeoutMs} ms for ${what} on ${uri.path}; it has ${now.length ? `:\n  ${now.join('\n  ')}` : 'no diagnostics'}`));
    }, timeoutMs);
    const subscription = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const finish = () => {
      clearTimeout(timer);
      subscription.dispose();
    };
    check();
  });
}

/** test/poll.ts's `waitFor`, with the language server's deadline unless told otherwise. */
export function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = SERVER_DEADLINE_MS): Promise<T> {
  // Every 50 ms: the probes here ask the extension host (tree rows, completion), which is busy with the test.
  return poll(what, probe, timeoutMs, 50);
}

/** Completion items the editor would list at a position (runs every completion provider, ours included). */
export async function completionsAt(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
  return list?.items ?? [];
}

export function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

/** The text of every hover at a position, joined, as markdown source. */
export async function hoverTextAt(document: vscode.TextDocument, position: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position)) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

/** Code actions (quick fixes and refactorings) offered for a range, with their edits resolved. */
export async function codeActionsAt(document: vscode.TextDocument, range: vscode.Range, kind?: vscode.CodeActionKind): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    document.uri,
    range,
    kind?.value,
    // Resolve up to this many actions so their `edit` is filled in.
    100,
  );
  return (actions ?? []).filter((a): a is vscode.CodeAction => !('command' in a && typeof a.command === 'string'));
}

/** Applies a code action's edit as the editor would when the user picks it. */
export async function applyCodeAction(action: vscode.CodeAction): Promise<void> {
  assert.ok(action.edit, `the code action "${action.title}" carries an edit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit), `the edit of "${action.title}" applied`);
}

/**
 * The activation time the extension logged ("StackGres extension activated in N ms") in its "StackGres"
 * log channel, read from the channel's file under the editor's logs folder.
 */
export async function loggedActivationMs(): Promise<number> {
  const pattern = /StackGres extension activated in (\d+) ms/;
  const logsRoot = runConfig().logsRoot;
  return waitFor(`"StackGres extension activated in N ms" in a StackGres.log under ${logsRoot}`, () => {
    for (const file of filesNamed(logsRoot, /StackGres\.log$/)) {
      const match = pattern.exec(readFileSync(file, 'utf8'));
      if (match) return Number(match[1]);
    }
    return undefined;
  });
}

/**
 * This session's StackGres log with everything logged so far on disk: a marker line goes through the
 * extension's log, and the file holding it is read once the marker is there (lines are written in order).
 */
export async function extensionLog(): Promise<string> {
  const { context } = await testingApi();
  const marker = `integration suite marker ${Date.now()}-${Math.random().toString(36).slice(2)}`;
  context.log.info(marker);
  const logsRoot = runConfig().logsRoot;
  return waitFor(`the marker line in a StackGres.log under ${logsRoot}`, () => {
    for (const file of filesNamed(logsRoot, /StackGres\.log$/)) {
      const text = readFileSync(file, 'utf8');
      if (text.includes(marker)) return text;
    }
    return undefined;
  });
}

function filesNamed(dir: string, name: RegExp): string[] {
  const found: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...filesNamed(path, name));
    else if (name.test(entry)) found.push(path);
  }
  return found;
}

// ---- Cluster, S3 and the extension's test API ------------------------------------------------------------

/** The cluster the driver connected the extension to; fails clearly when it started none. */
export function kubeTarget(): KubeRunConfig {
  const kube = runConfig().kube;
  assert.ok(kube, 'the driver started a Kubernetes API (runConfig().kube): run the suite with npm run test:vscode');
  return kube;
}

/** The sandbox's S3 (Ceph RGW); fails clearly when the driver started none (--no-s3). */
export function s3Target(): S3RunConfig {
  const s3 = runConfig().s3;
  assert.ok(s3, 'the driver started Ceph RGW (runConfig().s3): run without --no-s3');
  return s3;
}

/** A namespace name of this run's own (create it first; the driver deletes it after the run). */
export function scratchNamespace(name: string): string {
  return `${kubeTarget().scratchPrefix}-${name}`;
}

/** The extension's test API (activating the extension when needed). */
export async function testingApi(): Promise<TestingApi> {
  const extension = vscode.extensions.getExtension<{ testing?: TestingApi }>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const exports = extension.isActive ? extension.exports : await extension.activate();
  assert.ok(exports.testing, 'the extension runs in test mode and exports its test API');
  return exports.testing;
}

/** Calls one of the sandbox API server's knobs (see KubeRunConfig.control); sandbox only. */
export async function sandboxControl(path: string, body: Record<string, unknown> = {}): Promise<void> {
  const control = kubeTarget().control;
  assert.ok(control, 'the sandbox API server has controls (not on a real cluster)');
  const res = await fetch(`${control.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `sandbox control ${path}: ${await res.text()}`);
}

export interface TreeRow {
  node: Node;
  item: vscode.TreeItem;
  label: string;
  description: string;
  tooltip: string;
}

/** Untrusted values in our Markdown are backslash-escaped: compare what the reader sees. */
export function markdownAsRead(md: string): string {
  return md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

function textOf(value: string | vscode.MarkdownString | vscode.TreeItemLabel | boolean | undefined): string {
  if (value === undefined || typeof value === 'boolean') return '';
  if (typeof value === 'string') return value;
  if (value instanceof vscode.MarkdownString) return markdownAsRead(value.value);
  if ('label' in value) return value.label;
  return (value as { value?: string }).value ?? '';
}

/**
 * The children of a tree node (the roots without one) as the StackGres view would show them. Fails when the
 * tree does not answer within `timeoutMs` (the view would show its progress bar for as long).
 */
export async function treeRows(node?: Node, timeoutMs = SERVER_DEADLINE_MS): Promise<TreeRow[]> {
  const tree = (await testingApi()).context.tree;
  assert.ok(tree, 'the StackGres tree is registered');
  let timer: NodeJS.Timeout | undefined;
  const nodes = await Promise.race([
    Promise.resolve(tree.getChildren(node)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the tree did not answer getChildren(${node ? node.id : 'root'}) within ${timeoutMs} ms (the view would show its progress bar)`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  return nodes.map((n) => {
    // As the view does on hover: some rows build their tooltip only then.
    const item = tree.resolveTreeItem(tree.getTreeItem(n), n);
    return { node: n, item, label: textOf(item.label), description: textOf(item.description), tooltip: textOf(item.tooltip) };
  });
}

/** One line per row, for assertion messages. */
export function describeRows(rows: TreeRow[]): string {
  return rows.length ? rows.map((r) => `${r.label}${r.description ? ` — ${r.description}` : ''}`).join('; ') : '(no rows)';
}

/**
 * Walks the tree from the roots, picking at each level the row whose label matches the next entry, and
 * retries from the top until the whole path is there (the tree fills in as the live caches load and change).
 */
export async function waitForTreeRow(path: (string | RegExp | ((row: TreeRow) => boolean))[], timeoutMs = SERVER_DEADLINE_MS): Promise<TreeRow> {
  let seen = '';
  const deadline = Date.now() + timeoutMs;
  const matches = (want: (typeof path)[number], row: TreeRow) =>
    typeof want === 'string' ? row.label === want : want instanceof RegExp ? want.test(row.label) : want(row);
  try {
    return await waitFor(
      `the tree row ${path.map(String).join(' > ')}`,
      async () => {
        let parent: Node | undefined;
        let found: TreeRow | undefined;
        for (const [depth, want] of path.entries()) {
          const left = deadline - Date.now();
          const rows = await treeRows(parent, Math.max(left, 1_000)).catch((err: Error) => {
            seen = `at level ${depth + 1}: ${err.message}`;
            throw err;
          });
          found = rows.find((r) => matches(want, r));
          if (!found) {
            seen = `at level ${depth + 1} (${String(want)}): ${describeRows(rows)}`;
            return undefined;
          }
          parent = found.node;
        }
        return found;
      },
      timeoutMs,
    );
  } catch (err) {
    const why = (err as Error).message;
    throw new Error(`Waited ${timeoutMs} ms for the tree row ${path.map(String).join(' > ')}; the tree showed ${seen || 'nothing'}${why.startsWith('Waited') || seen.includes(why) ? '' : ` (${why})`}`);
  }
}
