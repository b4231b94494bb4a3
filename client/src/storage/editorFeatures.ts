/**
 * What object storage adds to the editor: the SGObjectStorage documents of a file (the code lenses in
 * editor/codeLenses.ts and the storage commands find them here), and read-only report documents (the access
 * test's result, shown as a Markdown preview) that are never saved and leave nothing to close unsaved.
 */
import * as vscode from 'vscode';
import { parseManifest, splitDocuments, type Manifest } from '@core/manifest';

export const REPORT_SCHEME = 'stackgres-report';

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

/** The SGObjectStorage manifests of a document, parsed (Helm templates left out). */
export function storageManifests(document: vscode.TextDocument): { manifest: Manifest }[] {
  const text = document.getText();
  if (!/^kind:\s*["']?SGObjectStorage/m.test(text)) return [];
  return splitDocuments(text)
    .map((chunk) => ({ manifest: parseManifest(chunk) }))
    .filter((s) => s.manifest.kind === 'SGObjectStorage' && !s.manifest.helmTemplate);
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
  return [reports, vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports)];
}
