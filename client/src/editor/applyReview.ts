/**
 * What Apply Manifest shows in the editor: the cluster's rejections and warnings as diagnostics on the YAML
 * lines (dropped on the next edit), and the review of live objects against the dry-run result in the diff
 * editor. One per extension, owned by the extension's context.
 */
import * as vscode from 'vscode';
import type { KubeObject, WriteResult } from '../kube/api';
import type { KubeError } from '../kube/errors';
import { Change, diffSides, parseFieldPath, rangeOfCause, rangeOfPath, rejectionText, reviewable, summaryLine } from '@core/apply';
import { isRecord, Manifest, Range, toFileRange } from '@core/manifest';

export const APPLY_DIAGNOSTIC_SOURCE = 'stackgres-apply';
export const REVIEW_SCHEME = 'stackgres-apply';

/** Where a document's text came from: a file, or its selected lines from `lineOffset` on. */
export interface ReviewSource {
  readonly uri: vscode.Uri;
  /** File line of the text's first line. */
  readonly lineOffset: number;
}

/** One object of an apply run, as the diagnostics and the review need it. */
export interface ReviewItem {
  readonly source: ReviewSource;
  readonly manifest: Manifest;
  readonly label: string;
  readonly namespaceFromContext: boolean;
  readonly object: KubeObject;
  readonly live?: Record<string, unknown>;
  readonly result?: WriteResult;
  readonly unchecked?: boolean;
}

export class ApplyUi implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('StackGres apply');
  private readonly review = new ReviewDocuments();
  private run = 0;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      this.diagnostics,
      vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, this.review),
      // The cluster's verdict is about the text it saw: any edit makes it stale.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.diagnostics.has(e.document.uri)) this.diagnostics.delete(e.document.uri);
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  add(source: ReviewSource, range: Range, message: string, severity: vscode.DiagnosticSeverity): void {
    const r = toFileRange(range, source.lineOffset);
    const d = new vscode.Diagnostic(new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), message, severity);
    d.source = APPLY_DIAGNOSTIC_SOURCE;
    this.diagnostics.set(source.uri, [...(this.diagnostics.get(source.uri) ?? []), d]);
  }

  /** A rejection: one diagnostic per cause on its field, else one on the field the message names or on `kind:`. */
  addError(item: ReviewItem, e: KubeError, context: string): void {
    if (e.causes?.length) {
      for (const c of e.causes) {
        const text = c.field ? `${c.field.replace(/^\./, '')}: ${c.message}` : c.message;
        this.add(item.source, rangeOfCause(item.manifest, c.field, c.message), rejectionText(text, context), vscode.DiagnosticSeverity.Error);
      }
      return;
    }
    const range = e.reason === 'notFound' && !item.namespaceFromContext ? rangeOfPath(item.manifest, ['metadata', 'namespace']) : rangeOfCause(item.manifest, undefined, e.message);
    this.add(item.source, range, `${rejectionText(e.message, context)}${e.reason === 'notFound' && e.action ? ` ${e.action}` : ''}`, vscode.DiagnosticSeverity.Error);
  }

  addConflict(item: ReviewItem, e: KubeError, context: string): void {
    for (const c of e.causes ?? []) {
      const range = rangeOfPath(item.manifest, parseFieldPath(c.field, item.manifest.value));
      this.add(item.source, range, vscode.l10n.t('Owned by another field manager ({0}): applying changes it only with Force (from the cluster, context "{1}")', c.message, context), vscode.DiagnosticSeverity.Warning);
    }
  }

  /** Opens live vs dry-run result in the diff editor: one read-only YAML document per side, one section per object. */
  async showReview(context: string, items: readonly ReviewItem[], changes: Readonly<Record<string, Change>>): Promise<void> {
    const objects = items.map((i) => ({
      label: `${i.label}: ${changes[i.label]}`,
      note: i.manifest.kind === 'Secret' ? 'values are not shown' : i.unchecked ? 'not dry-run: its namespace does not exist yet' : undefined,
      live: i.live,
      result: i.unchecked ? reviewable(i.object) : reviewable(i.result?.object, { keepStatus: isRecord(i.manifest.value) && 'status' in i.manifest.value }),
    }));
    const sides = diffSides(objects);
    const id = ++this.run;
    const query = new URLSearchParams({ context }).toString();
    const live = vscode.Uri.from({ scheme: REVIEW_SCHEME, path: `/${id}/live.yaml`, query });
    const result = vscode.Uri.from({ scheme: REVIEW_SCHEME, path: `/${id}/after-apply.yaml`, query });
    this.review.set(live, sides.live);
    this.review.set(result, sides.result);
    const summary = summaryLine(items.map((i) => changes[i.label]));
    await vscode.commands.executeCommand('vscode.diff', live, result, vscode.l10n.t('Apply to {0}: live ↔ after apply ({1})', context, summary), { preview: true });
  }
}

/** The review's two sides, kept in memory (never on disk); only the latest run's are kept. */
class ReviewDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    const run = uri.path.split('/')[1];
    for (const key of [...this.texts.keys()]) if (!key.includes(`/${run}/`)) this.texts.delete(key);
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '# This review is gone: run Apply Manifest again.\n';
  }
}
