/**
 * Diagnostics for a YAML file: for each StackGres document, the CRD schema check (yaml-language-server,
 * reworded) plus our rules, both cached per document text, plus the cross-document checks against the
 * workspace, which are cheap and recomputed every time.
 */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { RuleCode, ruleInfo, Severity } from '../domain/codes';
import { locate, pathAt } from '../domain/locate';
import { kindHint, type Manifest, type Range } from '../domain/manifest';
import { checkLiveReferences, type LiveView } from '../domain/live';
import { checkWorkspaceReferences, ReferenceLookup } from '../domain/references';
import { checkManifest, Finding, FixSpec } from '../domain/rules';
import { closestField } from '../domain/spelling';
import { displayPath, type PathSegment } from '../domain/locate';
import { isRequired } from '../domain/schemaNav';
import { TextCache, type ParsedFile } from '../documents';
import type { SchemaStore } from '../schemaStore';
import type { SchemaChecker, SchemaItem } from '../schemaChecker';

export const SOURCE = 'stackgres';

export interface DiagnosticData {
  readonly fixes?: readonly FixSpec[];
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Above this size a file is not checked as a whole (a 20 MB file would take minutes); hover and completion still work. */
export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

const STACKGRES_TEXT = /^apiVersion:[ \t]*["']?stackgres\.io\//m;
const HELM_TEXT = /\{\{/;

interface PendingSchemaChecks {
  /** Chunk index → the kind it was checked as and its slot in `results`. */
  readonly batch: Map<number, { kind: string; slot: number }>;
  readonly results: Promise<Diagnostic[][]>;
}

function cacheKey(generation: number, kind: string, text: string): string {
  return `${generation}\0${kind}\0${text}`;
}

export class ValidationService {
  private readonly cache = new TextCache<Diagnostic[]>(20_000);
  maxFileSize = DEFAULT_MAX_FILE_SIZE;

  constructor(
    private readonly checker: SchemaChecker,
    private readonly schemas: SchemaStore,
    private readonly lookup: () => ReferenceLookup | undefined,
    private readonly live: () => LiveView | undefined = () => undefined,
  ) {}

  /** Forget cached results, e.g. after the schemas changed. */
  reset(): void {
    this.cache.clear();
  }

  /** `started` runs once the schema checks are sent, before this thread parses the documents. */
  async validate(file: ParsedFile, started?: () => void): Promise<Diagnostic[]> {
    const out: Diagnostic[] = [];
    if (file.size > this.maxFileSize) {
      // Only the first documents are looked at: parsing all of them is what the limit avoids.
      const first = file.chunks.slice(0, 50).map((c) => file.manifest(c.index)).find((m) => m.isStackGres);
      if (!first) return [];
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
      return [shift(diagnostic('file-too-large', { start: { line: 0, character: 0 }, end: { line: 0, character: firstLineLength(first) } },
        `This file is ${mb(file.size)}: StackGres checks are off for files over ${mb(this.maxFileSize)} (setting stackgres.validation.maxFileSizeMB). Hover and completion still work. Split the file to check it.`), first.chunk.startLine)];
    }
    const pending = this.startSchemaChecks(file);
    started?.();
    let helmSkipped = 0;
    let firstHelm: Manifest | undefined;
    const lookup = this.lookup();
    const live = this.live();
    // First everything this thread can do while the schema checks run elsewhere: our rules and references.
    const work: { m: Manifest; key: string; cached?: Diagnostic[]; own?: Diagnostic[]; references: Diagnostic[] }[] = [];
    for (const m of file.manifests) {
      if (!m.isStackGres) continue;
      if (m.helmTemplate) {
        helmSkipped++;
        firstHelm ??= m;
        continue;
      }
      const key = cacheKey(this.schemas.generation, m.kind ?? 'unknown', m.chunk.text);
      const cached = this.cache.get(key);
      const own = cached ? undefined : checkManifest(m).map((f) => toDiagnostic(m, f));
      const fromCluster = live ? checkLiveReferences(m.kind, m.value, m.namespace, live).map((f) => toDiagnostic(m, f)) : [];
      // What the cluster says about a reference replaces what the workspace says about it.
      const refs = (lookup ? checkWorkspaceReferences(m.kind, m.value, m.namespace, lookup).map((f) => toDiagnostic(m, f)) : [])
        .filter((d) => !fromCluster.some((c) => sameRange(c.range, d.range)));
      work.push({ m, key, cached, own, references: [...refs, ...fromCluster] });
    }
    // Then the schema checks' results (a large file's come from the worker, which worked meanwhile).
    for (const w of work) {
      const document = w.cached ?? await this.withSchema(w.m, w.key, w.own!, pending);
      for (const d of [...document, ...w.references]) out.push(shift(d, w.m.chunk.startLine));
    }
    if (firstHelm) {
      out.push(shift(diagnostic('helm-template-skipped', { start: { line: 0, character: 0 }, end: { line: 0, character: firstLineLength(firstHelm) } },
        `Helm template syntax ({{ }}): ${helmSkipped === 1 ? 'this StackGres document is' : `${helmSkipped} StackGres documents in this file are`} not checked. Render the chart (helm template) and open the output to check it.`), firstHelm.chunk.startLine));
    }
    return out;
  }

  /**
   * Before anything is parsed: send the StackGres documents without cached results to the schema checker,
   * judged by their text, so a large file's schema checks start (in the worker) while this thread parses.
   */
  private startSchemaChecks(file: ParsedFile): PendingSchemaChecks {
    const batch = new Map<number, { kind: string; slot: number }>();
    const items: SchemaItem[] = [];
    for (const c of file.chunks) {
      if (!STACKGRES_TEXT.test(c.text) || HELM_TEXT.test(c.text)) continue;
      const kind = kindHint(c.text) ?? 'unknown';
      if (this.cache.get(cacheKey(this.schemas.generation, kind, c.text))) continue;
      batch.set(c.index, { kind, slot: items.length });
      items.push({ kind, text: c.text });
    }
    const results = items.length ? this.checker.check(items) : Promise.resolve([]);
    return { batch, results };
  }

  /** A document's own diagnostics merged with its schema diagnostics, remembered by its text. */
  private async withSchema(m: Manifest, key: string, own: Diagnostic[], pending: PendingSchemaChecks): Promise<Diagnostic[]> {
    const kind = m.kind ?? 'unknown';
    const sent = pending.batch.get(m.chunk.index);
    const raw = sent && sent.kind === kind ? (await pending.results)[sent.slot] : (await this.checker.check([{ kind, text: m.chunk.text }]))[0];
    const schema = raw
      .map((d) => this.reword(m, d))
      // Our rule says more than the schema about the same value; a value with no type has no enum either.
      .filter((d, _, all) => d.code === 'yaml-syntax' || !(own.some((o) => overlaps(o.range, d.range) || (isEmptyValueNote(d) && o.range.start.line === d.range.start.line))
        || (d.code === 'schema-enum' && all.some((t) => t.code === 'schema-type' && sameRange(t.range, d.range)))));
    const result = [...schema, ...own];
    this.cache.set(key, result);
    return result;
  }

  /** yaml-language-server's generic schema messages, said the way a DBA needs them. */
  private reword(m: Manifest, d: Diagnostic): Diagnostic {
    const msg = d.message;
    if (d.source === 'YAML' || !d.source?.startsWith('yaml-schema')) {
      return diagnostic('yaml-syntax', d.range, `YAML syntax: ${msg}`);
    }
    const unknown = /^Property (.+) is not allowed\.$/.exec(msg);
    if (unknown) {
      const name = unknown[1];
      const at = pathAt(m, d.range.start);
      const parent = at ? at.path.slice(0, -1) : [];
      const allowed = (d.data as { properties?: unknown } | undefined)?.properties;
      const suggestion = Array.isArray(allowed) ? closestField(allowed.map(String), name) : undefined;
      return diagnostic('schema-unknown-field', d.range,
        `Unknown field \`${name}\`${parent.length ? ` in \`${displayPath(parent)}\`` : ''}: the API server drops fields the CRD does not define, so it has no effect.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
        suggestion ? { fixes: [{ kind: 'rename-key', title: `Rename to ${suggestion}`, path: at!.path, value: suggestion }] } : undefined);
    }
    const enumMatch = /^Value is not accepted\. Valid values: (.+)\.$/.exec(msg);
    if (enumMatch) {
      return diagnostic('schema-enum', d.range, `Not an accepted value. Use one of ${enumMatch[1]}; the API server rejects anything else.`);
    }
    const type = /^Incorrect type\. Expected (.+)\.$/.exec(msg);
    if (type) {
      const expected = type[1].replace(/"/g, '');
      const empty = nullAt(m, d.range);
      if (empty) {
        // The API server prunes null values of non-nullable fields: the field is as good as absent.
        const schema = this.schemas.schema(m.kind);
        const required = schema !== undefined && isRequired(schema, empty);
        return required
          ? diagnostic('schema-required', d.range, `\`${empty[empty.length - 1]}\` is required but has no value (expected ${expected}). The API server drops empty values, then rejects the manifest for the missing field.`)
          : diagnostic('schema-type', d.range, `\`${empty[empty.length - 1]}\` has no value (expected ${expected}): the API server drops it as if it were not written.`, undefined, 'warning');
      }
      return diagnostic('schema-type', d.range, `Wrong type: expected ${expected}. The API server rejects the manifest.${/integer|number|boolean/.test(type[1]) ? ' Remove the quotes if the value is quoted.' : ''}`);
    }
    const missing = /^Missing property "(.+)"\.$/.exec(msg);
    if (missing) return diagnostic('schema-required', d.range, `Missing required field \`${missing[1]}\`. The API server rejects the manifest without it.`);
    return diagnostic('schema-constraint', d.range, `${msg} The API server rejects the manifest.`);
  }
}

function toDiagnostic(m: Manifest, f: Finding): Diagnostic {
  const { range } = locate(m, f.path, f.target ?? 'key');
  return diagnostic(f.code, range, f.message, f.fixes?.length ? { fixes: f.fixes } : undefined, f.severity);
}

function diagnostic(code: RuleCode, range: Range, message: string, data?: DiagnosticData, severity?: Severity): Diagnostic {
  const info = ruleInfo(code);
  const d: Diagnostic = { range, message, severity: SEVERITY[severity ?? info.severity], code, source: SOURCE };
  if (info.docs) d.codeDescription = { href: info.docs };
  if (data) d.data = data;
  return d;
}

function shift(d: Diagnostic, lines: number): Diagnostic {
  if (lines === 0) return d;
  return {
    ...d,
    range: {
      start: { line: d.range.start.line + lines, character: d.range.start.character },
      end: { line: d.range.end.line + lines, character: d.range.end.character },
    },
  };
}

function isEmptyValueNote(d: Diagnostic): boolean {
  return (d.code === 'schema-type' || d.code === 'schema-required') && / has no value/.test(d.message);
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return before(a.start, b.end) && before(b.start, a.end);
}

/** The path of the field at the range when its value is null (`key:` with nothing after it). */
function nullAt(m: Manifest, range: Range): PathSegment[] | undefined {
  const at = pathAt(m, range.start);
  if (!at) return undefined;
  const v = at.path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | null | undefined)?.[k], m.value);
  return v === null ? at.path : undefined;
}

function firstLineLength(m: Manifest): number {
  const nl = m.chunk.text.indexOf('\n');
  return nl === -1 ? m.chunk.text.length : nl;
}

