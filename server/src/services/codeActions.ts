/** Quick fixes for our diagnostics: each carries its fixes as data; the edits are computed on the current text. */
import { CodeAction, CodeActionKind, CodeActionParams, Diagnostic, TextEdit } from 'vscode-languageserver';
import { fixEdits } from '@core/fixes';
import { toFileRange } from '@core/manifest';
import type { FixSpec } from '@core/rules';
import { manifestAtLine, type ParsedFile } from '../documents';
import { SOURCE, type DiagnosticData } from './validation';

export function codeActions(file: ParsedFile, params: CodeActionParams): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    if (d.source !== SOURCE) continue;
    const fixes = (d.data as DiagnosticData | undefined)?.fixes ?? [];
    const m = manifestAtLine(file, d.range.start.line);
    if (!m) continue;
    for (const fix of fixes as FixSpec[]) {
      const edits = fixEdits(fix, m, file.manifests);
      if (edits.length === 0) continue;
      const fileEdits = edits.map((e) => TextEdit.replace(toFileRange(e.range, file.manifests[e.chunkIndex].chunk.startLine), e.newText));
      actions.push(action(fix.title, d, fileEdits, params.textDocument.uri, fixes.length === 1));
    }
  }
  return actions;
}

function action(title: string, d: Diagnostic, edits: TextEdit[], uri: string, preferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred, edit: { changes: { [uri]: edits } } };
}
