/** Hover: our field help where it says more than the schema (schedules, retention, storage), else the schema's text. */
import { Hover, MarkupKind, Position } from 'vscode-languageserver';
import { fieldHelp } from '@core/help';
import { locate, pathAt } from '@core/locate';
import { markdownCode, markdownText } from '@core/markdown';
import { toFileRange } from '@core/manifest';
import { referenceKindAt } from '@core/references';
import { get } from '@core/rules/types';
import { manifestAtLine, type ParsedFile } from '../documents';
import type { ReferenceProvider } from '../references';
import type { YamlService } from '../schema/yamlService';

export class HoverService {
  constructor(
    private readonly yaml: YamlService,
    private readonly references: ReferenceProvider,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async hover(file: ParsedFile, position: Position): Promise<Hover | null> {
    const m = manifestAtLine(file, position.line);
    if (!m || !m.isStackGres || m.helmTemplate) return null;
    const local = { line: position.line - m.chunk.startLine, character: position.character };
    const at = pathAt(m, local);
    const shift = (r: Hover['range']): Hover['range'] => r && toFileRange(r, m.chunk.startLine);
    if (at && m.kind) {
      const help = fieldHelp({ kind: m.kind, path: at.path, manifest: m.value, now: this.now() });
      if (help) return { contents: { kind: MarkupKind.Markdown, value: help }, range: shift(locate(m, at.path, at.onKey ? 'key' : 'value').range) };
      const refKind = !at.onKey ? referenceKindAt(m.kind, at.path) : undefined;
      if (refKind && refKind !== 'Secret') {
        const name = get(m.value, at.path);
        if (typeof name === 'string') {
          const found = (await this.references.list(refKind, m.namespace)).filter((o) => o.name === name);
          const where = found.length
            ? found.map((o) => `- ${o.source === 'cluster' ? 'in the cluster' : `in ${markdownText(o.origin ?? 'the workspace')}`}${o.detail ? `: ${markdownText(o.detail)}` : ''}`).join('\n')
            : '_Not found in the workspace' + ' (nor in the cluster, when connected)._';
          return { contents: { kind: MarkupKind.Markdown, value: `**${refKind}** ${markdownCode(name)}, same namespace as this ${m.kind}.\n\n${where}` }, range: shift(at.valueRange) };
        }
      }
    }
    // yaml-language-server would overflow its stack on it (a recursive alias, thousands of levels).
    if (m.unreadable) return null;
    const schemaHover = await this.yaml.hover(m.kind ?? 'unknown', m.chunk.text, local, m.doc);
    if (!schemaHover) return null;
    return { ...schemaHover, range: shift(schemaHover.range) };
  }
}
