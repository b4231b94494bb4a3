/**
 * Which documents are StackGres manifests, for the menus' when-clauses: `stackgres.isStackGresDocument` (the
 * active editor's document) and `stackgres.manifestPaths` (paths of the workspace's YAML files and the open
 * documents that are, for `resourcePath in stackgres.manifestPaths` in the Explorer and editor titles). A
 * document is one when any of its documents has `apiVersion: stackgres.io/…` (one regex scan, no parse).
 */
import * as vscode from 'vscode';
import { mentionsStackGresApiVersion } from '@core/kinds';
import { STEP_KEYS } from '../walkthrough';

export const ACTIVE_KEY = 'stackgres.isStackGresDocument';
export const PATHS_KEY = 'stackgres.manifestPaths';

/** The workspace scan reads at most this many YAML files, each up to this size: a huge repository stays cheap. */
const MAX_FILES = 2_000;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Edits re-check the document after typing pauses this long, not on every keystroke. */
const EDIT_DELAY_MS = 300;

export class StackGresDocuments implements vscode.Disposable {
  private readonly paths = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private editTimer: NodeJS.Timeout | undefined;
  private publishTimer: NodeJS.Timeout | undefined;
  private readonly scan = new vscode.CancellationTokenSource();
  private lastActive: boolean | undefined;
  private storageSeen = false;
  private walkthroughWatch = false;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
    this.disposables.push(
      watcher,
      this.scan,
      watcher.onDidCreate((uri) => void this.checkFile(uri)),
      watcher.onDidChange((uri) => void this.checkFile(uri)),
      watcher.onDidDelete((uri) => this.mark(uri, false)),
      vscode.window.onDidChangeActiveTextEditor(() => this.checkActive()),
      vscode.workspace.onDidOpenTextDocument((d) => this.checkDocument(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!isYaml(e.document) || e.contentChanges.length === 0) return;
        clearTimeout(this.editTimer);
        this.editTimer = setTimeout(() => this.checkDocument(e.document), EDIT_DELAY_MS);
      }),
      // A file renamed to .txt, say: its language changes without an edit.
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === 'untitled') this.mark(d.uri, false);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.checkDocument(d);
    this.checkActive();
    // From now on: a document open before activation (the one that activated us) was not written during the
    // walkthrough, and VS Code does not tick a step whose key is already set when it registers the steps.
    this.storageSeen = false;
    this.walkthroughWatch = true;
    void this.scanWorkspace();
  }

  /** Whether the document is a StackGres manifest (as the context keys say). */
  has(uri: vscode.Uri): boolean {
    return this.paths.has(uri.fsPath);
  }

  private async scanWorkspace(): Promise<void> {
    if (!vscode.workspace.workspaceFolders?.length) return;
    const started = Date.now();
    const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/node_modules/**', MAX_FILES, this.scan.token);
    for (const uri of files) {
      if (this.scan.token.isCancellationRequested) return;
      await this.checkFile(uri);
    }
    this.log.info(`Found ${[...this.paths].length} StackGres manifests among ${files.length} YAML files of the workspace in ${Date.now() - started} ms${files.length >= MAX_FILES ? ` (only the first ${MAX_FILES} files were read)` : ''}`);
  }

  private async checkFile(uri: vscode.Uri): Promise<void> {
    // An open document's text may differ from the disk: the editor's version decides.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.checkDocument(open);
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_FILE_BYTES) return;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      this.mark(uri, mentionsStackGresApiVersion(text));
    } catch {
      this.mark(uri, false);
    }
  }

  private checkDocument(d: vscode.TextDocument): void {
    if (d.uri.scheme !== 'file' && d.uri.scheme !== 'untitled') return;
    this.mark(d.uri, isYaml(d) && mentionsStackGresApiVersion(d.getText()));
    if (d === vscode.window.activeTextEditor?.document) this.checkActive();
  }

  private checkActive(): void {
    const editor = vscode.window.activeTextEditor;
    // Our own read-only views (cluster YAML, reviews) are not manifests one applies.
    const active = editor !== undefined && (editor.document.uri.scheme === 'file' || editor.document.uri.scheme === 'untitled') && isYaml(editor.document) && this.paths.has(editor.document.uri.fsPath);
    // The walkthrough's "Write an SGObjectStorage" is done once one is in an editor (a key that stays set).
    if (active && this.walkthroughWatch && !this.storageSeen && /^kind:[ \t]*["']?SGObjectStorage\b/m.test(editor.document.getText())) {
      this.storageSeen = true;
      void vscode.commands.executeCommand('setContext', STEP_KEYS.storageWritten, true);
    }
    if (active === this.lastActive) return;
    this.lastActive = active;
    void vscode.commands.executeCommand('setContext', ACTIVE_KEY, active);
  }

  private mark(uri: vscode.Uri, isStackGres: boolean): void {
    const path = uri.fsPath;
    if (this.paths.has(path) === isStackGres) return;
    if (isStackGres) this.paths.add(path);
    else this.paths.delete(path);
    this.checkActive();
    // Many files at once during the scan: one update of the list for the menus.
    clearTimeout(this.publishTimer);
    this.publishTimer = setTimeout(() => void vscode.commands.executeCommand('setContext', PATHS_KEY, [...this.paths]), 50);
  }

  dispose(): void {
    this.scan.cancel();
    clearTimeout(this.editTimer);
    clearTimeout(this.publishTimer);
    for (const d of this.disposables) d.dispose();
  }
}

function isYaml(d: vscode.TextDocument): boolean {
  return d.languageId === 'yaml';
}
