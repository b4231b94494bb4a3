/**
 * The diagnostics of one StackGres document on its own: our rules, and yaml-language-server's schema
 * findings said the way a DBA needs them. Used on the main thread and in the worker alike, so a document
 * gets the same diagnostics wherever it is checked. Ranges are relative to the document.
 */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { RuleCode, ruleInfo, Severity } from '@core/codes';
import { displayPath, locate, pathAt, type PathSegment } from '@core/locate';
import { manifestFromDocument, parseManifest, toFileRange, tooDeepToRead, type DocumentChunk, type Manifest, type ManifestInfo, type Range } from '@core/manifest';
import { checkManifest, Finding, FixSpec } from '@core/rules';
import { get } from '@core/rules/types';
import { isRequired } from '@core/schemaNav';
import { closestField } from '@core/spelling';
import { provenClean } from '../schema/cleanProof';
import type { YamlService } from '../schema/yamlService';

export const SOURCE = 'stackgres';

export interface DiagnosticData {
  readonly fixes?: readonly FixSpec[];
}

/** The JSON schema of a kind, for telling a required field from an optional one. */
export type SchemaOf = (kind: string | undefined) => Parameters<typeof isRequired>[0] | undefined;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What the check of one document found, and what the index and references read of it. */
export interface DocumentResult {
  readonly diagnostics: Diagnostic[];
  readonly info: ManifestInfo;
}

/** A check and the parse it read (the main thread keeps it for hover and completion). */
export interface CheckedDocument extends DocumentResult {
  readonly manifest: Manifest;
}

/**
 * The whole check of one document's text: one parse, shared by yaml-language-server's schema check and our
 * rules (on a large document each parse is tens of megabytes of garbage per edit). `text` must not be a slice
 * of a file's text: what is returned keeps strings of it, which would keep the whole file's version alive.
 */
export async function checkDocument(yaml: YamlService, kind: string, text: string, schemaOf: SchemaOf): Promise<CheckedDocument> {
  // Positions are relative to the document; the caller shifts them into the file.
  const chunk: DocumentChunk = { index: 0, startLine: 0, lineCount: 0, text };
  // Most documents are clean: our parse proves that yaml-language-server would report nothing, and its own parse
  // and schema walk (most of a clean document's check) are skipped. Anything not proven goes to it as before.
  // A document with an anchor, a tag or a merge key is never proven: it goes to yaml-language-server unparsed.
  const ours = tooDeepToRead(text) || UNPROVABLE.test(text) ? undefined : parseManifest(chunk);
  if (ours && !ours.unreadable && provenClean(text, ours.doc, schemaOf(ours.kind))) return checked(ours, [], schemaOf);
  return checkWithYamlLanguageServer(yaml, kind, chunk, schemaOf, ours);
}

/**
 * The check with yaml-language-server's schema findings (what `checkDocument` does for a document not proven
 * clean). `parsed` is our parse of the chunk when already made.
 */
export async function checkWithYamlLanguageServer(yaml: YamlService, kind: string, chunk: DocumentChunk, schemaOf: SchemaOf, parsed?: Manifest): Promise<CheckedDocument> {
  const { text } = chunk;
  // Documents yaml-language-server's reader cannot take are read with ours alone, which says why: one nested too
  // deep (seconds, then a stack overflow) and, among the few with both anchors and aliases, one whose alias sits
  // inside the node it names (its reader recurses until the stack overflows, which takes seconds).
  const ours = tooDeepToRead(text) || mayHoldAliases(text) ? (parsed ?? parseManifest(chunk)) : undefined;
  const shared = ours?.unreadable || tooDeepToRead(text) ? undefined : yaml.parseShared(kind, text);
  try {
    const m = ours?.unreadable ? ours : shared?.document ? manifestFromDocument(chunk, shared.document) : (ours ?? parseManifest(chunk));
    // The schema is the kind's the document declares (the text's first `kind:` line is a guess); yaml-language-server
    // cannot read an unreadable document either (documentDiagnostics says why).
    const raw = m.unreadable ? [] : shared?.document && m.kind === kind ? await shared.validate() : await yaml.validate(m.kind ?? 'unknown', text);
    return checked(m, raw, schemaOf);
  } finally {
    shared?.done();
  }
}

function checked(m: Manifest, raw: readonly Diagnostic[], schemaOf: SchemaOf): CheckedDocument {
  const diagnostics = documentDiagnostics(m, raw, schemaOf);
  const info: ManifestInfo = { apiVersion: m.apiVersion, kind: m.kind, name: m.name, namespace: m.namespace, value: m.value, isStackGres: m.isStackGres, helmTemplate: m.helmTemplate };
  return { diagnostics, info, manifest: m };
}

/** An anchor (`&name`) and an alias (`*name`) as YAML writes them; a cron field such as `*` followed by a slash or a space is neither. */
const ANCHOR = /(?:^|[\s[{,:-])&[^\s[\]{},]/m;
const ALIAS = /(?:^|[\s[{,:-])\*[^\s[\]{},/]/m;

/** What the clean proof rejects, seen in the text (a false match only costs the proof's speed). */
const UNPROVABLE = /(?:^|[\s[{,:-])[&!][^\s[\]{},=]|<<\s*:/m;

function mayHoldAliases(text: string): boolean {
  return ANCHOR.test(text) && ALIAS.test(text);
}

/** Our rules' findings and the schema check's (`raw`, from yaml-language-server) of one document. */
export function documentDiagnostics(m: Manifest, raw: readonly Diagnostic[], schemaOf: SchemaOf): Diagnostic[] {
  // Nothing else can be said of a document that cannot be read; the schema check did not see it either.
  if (m.unreadable) return [diagnostic('yaml-syntax', m.unreadable.range, m.unreadable.message)];
  const own = checkManifest(m).map((f) => toDiagnostic(m, f));
  const schema = raw
    .map((d) => reword(m, d, schemaOf))
    // Our rule says more than the schema about the same value; a value with no type has no enum either.
    .filter((d, _, all) => d.code === 'yaml-syntax' || !(own.some((o) => overlaps(o.range, d.range) || (isEmptyValueNote(d) && o.range.start.line === d.range.start.line))
      || (d.code === 'schema-enum' && all.some((t) => t.code === 'schema-type' && sameRange(t.range, d.range)))));
  return [...schema, ...own];
}

/** yaml-language-server's generic schema messages, said the way a DBA needs them. */
function reword(m: Manifest, d: Diagnostic, schemaOf: SchemaOf): Diagnostic {
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
      const schema = schemaOf(m.kind);
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

export function toDiagnostic(m: Manifest, f: Finding): Diagnostic {
  const { range } = locate(m, f.path, f.target ?? 'key');
  return diagnostic(f.code, range, f.message, f.fixes?.length ? { fixes: f.fixes } : undefined, f.severity);
}

export function diagnostic(code: RuleCode, range: Range, message: string, data?: DiagnosticData, severity?: Severity): Diagnostic {
  const info = ruleInfo(code);
  const d: Diagnostic = { range, message, severity: SEVERITY[severity ?? info.severity], code, source: SOURCE };
  if (info.docs) d.codeDescription = { href: info.docs };
  if (data) d.data = data;
  return d;
}

export function shift(d: Diagnostic, lines: number): Diagnostic {
  if (lines === 0) return d;
  return { ...d, range: toFileRange(d.range, lines) };
}

function isEmptyValueNote(d: Diagnostic): boolean {
  return (d.code === 'schema-type' || d.code === 'schema-required') && / has no value/.test(d.message);
}

export function sameRange(a: Range, b: Range): boolean {
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
  const v = get(m.value, at.path);
  return v === null ? at.path : undefined;
}

export function firstLineLength(m: Manifest): number {
  const nl = m.chunk.text.indexOf('\n');
  return nl === -1 ? m.chunk.text.length : nl;
}

