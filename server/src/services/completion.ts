/**
 * Completion: yaml-language-server's schema completion inside StackGres documents (field names with their
 * descriptions, enum values), plus what only we know: apiVersion/kind pairs for a new document, and names
 * of referenced objects (storages, backups, clusters, Secrets and their keys) from the reference providers.
 */
import { CompletionItem, CompletionItemKind, CompletionList, InsertTextFormat, MarkupKind, Position, TextEdit } from 'vscode-languageserver';
import { kindInfo, KINDS } from '@core/kinds';
import { pathAt } from '@core/locate';
import { markdownCode } from '@core/markdown';
import { toFileRange, type Manifest, type Range } from '@core/manifest';
import { referenceKindAt, secretKeySelectorAt } from '@core/references';
import { manifestAtLine, type ParsedFile } from '../documents';
import type { ReferenceProvider } from '../references';
import type { YamlService } from '../schema/yamlService';

export class CompletionService {
  constructor(private readonly yaml: YamlService, private readonly references: ReferenceProvider) {}

  async complete(file: ParsedFile, position: Position): Promise<CompletionList> {
    const m = manifestAtLine(file, position.line);
    if (!m) return empty();
    const local = { line: position.line - m.chunk.startLine, character: position.character };
    if (isBlankDocument(m) || (!m.apiVersion && !m.kind && local.character === 0 && lineIsBlankOrKeyStart(m, local.line))) {
      return { isIncomplete: false, items: kindPairs(local, m).map((i) => shiftItem(i, m.chunk.startLine)) };
    }
    if (!m.isStackGres || m.helmTemplate) return empty();
    const items: CompletionItem[] = [];
    items.push(...(await this.referenceItems(m, local)));
    items.push(...apiVersionItems(m, local));
    // yaml-language-server would overflow its stack on it (a recursive alias, thousands of levels).
    if (m.unreadable) return { isIncomplete: false, items: items.map((i) => shiftItem(i, m.chunk.startLine)) };
    const schema = await this.yaml.complete(m.kind ?? 'unknown', m.chunk.text, local, m.doc);
    for (const item of schema.items) items.push(item);
    return { isIncomplete: schema.isIncomplete, items: items.map((i) => shiftItem(i, m.chunk.startLine)) };
  }

  private async referenceItems(m: Manifest, position: Position): Promise<CompletionItem[]> {
    const at = pathAt(m, position);
    if (!at || at.onKey) return [];
    const range = at.valueRange ?? { start: position, end: position };
    const secretForKey = secretKeySelectorAt(m.value, at.path);
    if (secretForKey !== undefined) {
      const secrets = (await this.references.list('Secret', m.namespace)).filter((s) => s.name === secretForKey);
      const keys = [...new Set(secrets.flatMap((s) => s.keys ?? []))];
      return keys.map((k, i) => ({
        label: k,
        kind: CompletionItemKind.Value,
        detail: `key of Secret ${secretForKey}`,
        sortText: `0${String(i).padStart(4, '0')}`,
        textEdit: TextEdit.replace(range, k),
      }));
    }
    const kind = referenceKindAt(m.kind, at.path);
    if (!kind) return [];
    const found = await this.references.list(kind, m.namespace);
    return found.map((o, i) => ({
      label: o.name,
      kind: CompletionItemKind.Reference,
      detail: [o.detail, o.source === 'cluster' ? 'from the cluster' : 'from the workspace'].filter(Boolean).join(' · '),
      // Names and keys come from the workspace or the cluster: code spans that no value can end.
      documentation: { kind: MarkupKind.Markdown, value: `${kind} ${markdownCode(o.name)}${o.namespace ? ` in namespace ${markdownCode(o.namespace)}` : ''}${o.keys ? `\n\nKeys: ${o.keys.map((k) => markdownCode(k)).join(', ') || 'none'}` : ''}` },
      sortText: `0${String(i).padStart(4, '0')}`,
      textEdit: TextEdit.replace(range, o.name),
    }));
  }
}

function kindPairs(position: Position, m: Manifest): CompletionItem[] {
  const line = m.chunk.text.split('\n')[position.line] ?? '';
  const range = { start: { line: position.line, character: 0 }, end: { line: position.line, character: line.length } };
  return KINDS.map((k, i) => ({
    label: `${k.kind}`,
    labelDetails: { description: k.apiVersion },
    kind: CompletionItemKind.Module,
    detail: `StackGres ${k.kind} (${k.apiVersion})`,
    documentation: { kind: MarkupKind.Markdown, value: k.summary },
    filterText: `${line.trim()} ${k.kind} apiVersion kind`,
    sortText: `0${i}`,
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: TextEdit.replace(range, `apiVersion: ${k.apiVersion}\nkind: ${k.kind}\nmetadata:\n  name: \${1:name}\nspec:\n  $0`),
  }));
}

function apiVersionItems(m: Manifest, position: Position): CompletionItem[] {
  const info = kindInfo(m.kind);
  const at = pathAt(m, position);
  if (!info || !at || at.onKey || at.path.length !== 1 || at.path[0] !== 'apiVersion') return [];
  const range = at.valueRange ?? { start: position, end: position };
  return [{ label: info.apiVersion, kind: CompletionItemKind.Value, detail: `served version of ${info.kind}`, sortText: '00', textEdit: TextEdit.replace(range, info.apiVersion) }];
}

function isBlankDocument(m: Manifest): boolean {
  return m.chunk.text.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#'));
}

function lineIsBlankOrKeyStart(m: Manifest, line: number): boolean {
  const text = m.chunk.text.split('\n')[line] ?? '';
  return /^[A-Za-z]*$/.test(text);
}

function shiftItem(item: CompletionItem, lines: number): CompletionItem {
  if (lines === 0) return item;
  const shiftRange = <R extends Range>(r: R): R => toFileRange(r, lines);
  const out: CompletionItem = { ...item };
  if (item.textEdit) {
    out.textEdit = 'range' in item.textEdit
      ? { ...item.textEdit, range: shiftRange(item.textEdit.range) }
      : { ...item.textEdit, insert: shiftRange(item.textEdit.insert), replace: shiftRange(item.textEdit.replace) };
  }
  if (item.additionalTextEdits) out.additionalTextEdits = item.additionalTextEdits.map((e) => ({ ...e, range: shiftRange(e.range) }));
  return out;
}

function empty(): CompletionList {
  return { isIncomplete: false, items: [] };
}
