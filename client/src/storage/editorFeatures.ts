/**
 * What object storage adds to the editor: "Test access" and "IAM policy" code lenses above each
 * SGObjectStorage manifest, and read-only report documents (the access test's result, shown as a Markdown
 * preview) that are never saved and leave nothing to close unsaved.
 */
import * as vscode from 'vscode';
import { parseManifest, splitDocuments } from '@core/manifest';

export const REPORT_SCHEME = 'stackgres-report';
const LENS_SETTING = 'stackgres.codeLens.objectStorage';

/** The argument a code lens passes to the storage commands: the document and the manifest's index in it. */
export interface ManifestArgument {
  readonly uri: string;
  readonly index: number;
}

export function isManifestArgument(v: unknown): v is ManifestArgument {
  return typeof v === 'object' && v !== null && typeof (v as ManifestArgument).uri === 'string' && typeof (v as ManifestArgument).index === 'number';
}

export interface StorageDocument {
  /** Index of the document in the file. */
  readonly index: number;
  /** First line of the document. */
  readonly startLine: number;
  /** Line of its `kind:` (where the code lenses go). */
  readonly line: number;
  readonly name?: string;
  readonly namespace?: string;
  readonly value: unknown;
}

/** The SGObjectStorage documents of a YAML text. */
export function objectStorageDocuments(text: string): StorageDocument[] {
  if (!/^kind:\s*["']?SGObjectStorage\b/m.test(text)) return [];
  const out: StorageDocument[] = [];
  for (const chunk of splitDocuments(text)) {
    if (!/^kind:\s*["']?SGObjectStorage\b/m.test(chunk.text)) continue;
    const m = parseManifest(chunk);
    if (m.kind !== 'SGObjectStorage') continue;
    const kindLine = chunk.text.split('\n').findIndex((l) => /^kind:/.test(l));
    out.push({ index: chunk.index, startLine: chunk.startLine, line: chunk.startLine + Math.max(0, kindLine), name: m.name, namespace: m.namespace, value: m.value });
  }
  return out;
}

class StorageLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(subscriptions: vscode.Disposable[]) {
    subscriptions.push(this.changed, vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(LENS_SETTING)) this.changed.fire();
    }));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration().get<boolean>(LENS_SETTING, true)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const d of objectStorageDocuments(document.getText())) {
      const range = new vscode.Range(d.line, 0, d.line, 0);
      const arg: ManifestArgument = { uri: document.uri.toString(), index: d.index };
      lenses.push(
        new vscode.CodeLens(range, { title: 'Test access', tooltip: 'Run each S3 action wal-g needs against the bucket, with the keys of the storage\'s Secret', command: 'stackgres.testStorageAccess', arguments: [arg] }),
        new vscode.CodeLens(range, { title: 'IAM policy', tooltip: 'The least-privilege IAM policy and AWS CLI commands for this bucket', command: 'stackgres.generateIamPolicy', arguments: [arg] }),
      );
    }
    return lenses;
  }
}

/** Read-only Markdown documents the commands write reports into, by URI. */
class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, content: string): void {
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '# This report is gone\n\nRun the command again.\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

const reports = new ReportDocuments();

/** Shows a report as a Markdown preview (the document itself when the preview is not available). */
export async function showReport(fileName: string, markdown: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${fileName.replace(/[\\/]/g, '-')}.md` });
  reports.set(uri, markdown);
  const doc = await vscode.workspace.openTextDocument(uri);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(doc, { preview: true });
  }
  return uri;
}

/** Registered once at activation. */
export function registerStorageEditorFeatures(): vscode.Disposable[] {
  const subscriptions: vscode.Disposable[] = [reports];
  subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.languages.registerCodeLensProvider([{ language: 'yaml', scheme: 'file' }, { language: 'yaml', scheme: 'untitled' }], new StorageLenses(subscriptions)),
  );
  return subscriptions;
}
