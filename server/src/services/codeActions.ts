/** Quick fixes for our diagnostics: each carries its fixes as data; the edits are computed on the current text. */
import { CodeAction, CodeActionKind, CodeActionParams, Diagnostic, TextEdit } from 'vscode-languageserver';
import { fixEdits } from '@core/fixes';
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
      actions.push(action(fix.title, d, edits.map((e) => {
        const start = file.manifests[e.chunkIndex].chunk.startLine;
        return TextEdit.replace({
          start: { line: e.range.start.line + start, character: e.range.start.character },
          end: { line: e.range.end.line + start, character: e.range.end.character },
        }, e.newText);
      }), params.textDocument.uri, fixes.length === 1));
    }
  }
  return actions;
}

function action(title: string, d: Diagnostic, edits: TextEdit[], uri: string, preferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred, edit: { changes: { [uri]: edits } } };
}
