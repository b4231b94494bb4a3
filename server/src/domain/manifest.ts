/**
 * A YAML file as a list of Kubernetes manifests, one per `---` document. Splitting is done on the
 * document markers first (a `---` or `...` at column 0 always ends a document in YAML), so each document
 * is parsed, cached and re-checked on its own.
 */
import { Alias, Document, isAlias, isMap, isNode, isScalar, LineCounter, parseDocument, Schema, visit, YAMLMap } from 'yaml';
import { isStackGresApiVersion } from './kinds';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

/** A range in a document's own lines moved to the file's lines, for a document whose text starts at `startLine`. */
export function toFileRange<R extends Range>(range: R, startLine: number): R {
  return {
    ...range,
    start: { line: range.start.line + startLine, character: range.start.character },
    end: { line: range.end.line + startLine, character: range.end.character },
  };
}

export interface DocumentChunk {
  /** 0-based index of the document in the file. */
  readonly index: number;
  /** File line where the chunk's text starts. */
  readonly startLine: number;
  /** Number of lines the chunk spans (excluding the marker line). */
  readonly lineCount: number;
  readonly text: string;
}

const MARKER = /^(---|\.\.\.)(\s|$)/;

export function splitDocuments(text: string): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  let start = 0;
  let startLine = 0;
  let line = 0;
  let offset = 0;
  for (;;) {
    const nl = text.indexOf('\n', offset);
    const lineEnd = nl === -1 ? text.length : nl;
    const c = text.charCodeAt(offset);
    // Only lines starting with '-' or '.' can be markers: keeps the scan cheap on large files.
    if ((c === 45 || c === 46) && MARKER.test(text.slice(offset, Math.min(lineEnd, offset + 4)))) {
      chunks.push({ index: chunks.length, startLine, lineCount: line - startLine, text: text.slice(start, offset) });
      start = nl === -1 ? text.length : nl + 1;
      startLine = line + 1;
    }
    if (nl === -1) break;
    offset = nl + 1;
    line++;
  }
  chunks.push({ index: chunks.length, startLine, lineCount: line + 1 - startLine, text: text.slice(start) });
  // A file that starts with `---` (or has only blank lines before it) has no document before the marker.
  if (chunks.length > 1 && chunks[0].text.trim() === '') chunks.shift();
  return chunks.map((c, i) => (c.index === i ? c : { ...c, index: i }));
}

/** One parsed manifest; ranges are relative to the chunk (add `startLine` for file positions). */
export interface Manifest {
  readonly chunk: DocumentChunk;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** Plain value of the document, or undefined when it could not be converted (alias bomb, recursive alias, errors). */
  readonly value: unknown;
  /**
   * Why the document cannot be read at all (a recursive alias, nesting deeper than the YAML reader follows):
   * it gets this one syntax error, and yaml-language-server, which would overflow its stack, never sees it.
   */
  readonly unreadable?: { readonly range: Range; readonly message: string };
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  /** The document holds Helm template syntax (`{{ }}`): it cannot be checked before rendering. */
  readonly helmTemplate: boolean;
  readonly isStackGres: boolean;
}

/** What the workspace index and the reference checks need of a manifest (a worker sends this back). */
export type ManifestInfo = Pick<Manifest, 'apiVersion' | 'kind' | 'name' | 'namespace' | 'value' | 'isStackGres' | 'helmTemplate'>;

const HELM = /\{\{[\s\S]*?\}\}/;

export function parseManifest(chunk: DocumentChunk): Manifest {
  if (tooDeepToRead(chunk.text)) return tooDeep(chunk);
  const doc = parseDocument(chunk.text, { merge: true, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false, logLevel: 'error' });
  return manifestFromDocument(chunk, doc);
}

/** More `- ` in a row than any manifest has: each opens a list inside the last one. */
const DEEP_SEQUENCES = /(?:- +){100}/;

/**
 * Whether a document nests so deep that reading it would take the YAML readers (ours, and
 * yaml-language-server's) seconds per edit and then overflow their stacks. Such a document is not parsed.
 */
export function tooDeepToRead(text: string): boolean {
  return text.includes('- - - -') && DEEP_SEQUENCES.test(text);
}

function tooDeep(chunk: DocumentChunk): Manifest {
  const run = DEEP_SEQUENCES.exec(chunk.text)!;
  const before = chunk.text.slice(0, run.index);
  const start = { line: before.split('\n').length - 1, character: run.index - before.lastIndexOf('\n') - 1 };
  const apiVersion = /^apiVersion:[ \t]*["']?([^\s"'#]+)/m.exec(chunk.text)?.[1];
  return {
    chunk,
    doc: parseDocument(''),
    lineCounter: new LineCounter(),
    value: undefined,
    unreadable: {
      range: { start, end: { line: start.line, character: start.character + run[0].length } },
      message: 'YAML syntax: this document nests a hundred lists or more in one line (a long run of `- `), too deep to read. No manifest needs that: remove the run.',
    },
    apiVersion,
    kind: kindHint(chunk.text),
    helmTemplate: false,
    isStackGres: isStackGresApiVersion(apiVersion),
  };
}

/** Kubernetes reads `<<` merge keys; a document parsed without them (YAML 1.2 core) is read with this schema. */
const MERGING = new Schema({ schema: 'core', merge: true });

/** The kind a document declares, read from its text before parsing (for choosing a schema early). */
export function kindHint(text: string): string | undefined {
  return /^kind:[ \t]*["']?([A-Za-z0-9]+)/m.exec(text)?.[1];
}

/** A manifest from a parsed document of the chunk. */
export function manifestFromDocument(chunk: DocumentChunk, doc: Document.Parsed): Manifest {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let i = chunk.text.indexOf('\n'); i !== -1; i = chunk.text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  const helmTemplate = HELM.test(stripComments(chunk.text));
  let value: unknown;
  const schema = doc.schema;
  const badAlias = unreadableAlias(doc, chunk.text);
  try {
    doc.schema = MERGING;
    // A recursive alias would make a cyclic value, and every walk over it endless; a deep one, seconds.
    value = badAlias ? undefined : doc.toJS({ maxAliasCount: 1000 });
  } catch {
    value = undefined;
  } finally {
    doc.schema = schema;
  }
  const top = isRecord(value) ? value : undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const metadata = isRecord(top?.metadata) ? top.metadata : undefined;
  const apiVersion = str(top?.apiVersion) ?? scalarAt(doc, 'apiVersion');
  return {
    chunk,
    doc,
    lineCounter,
    value,
    unreadable: badAlias && {
      range: rangeOf(lineCounter, badAlias.alias.range ?? [0, 0]),
      message:
        badAlias.why === 'recursive'
          ? `YAML syntax: the alias \`*${badAlias.alias.source}\` is inside the node \`&${badAlias.alias.source}\` names, so it contains itself and the document never ends. kubectl refuses it ("anchor '${badAlias.alias.source}' value contains itself"): write the values out, or anchor a node that does not hold the alias.`
          : `YAML syntax: this document nests more than 64 levels deep and uses aliases such as \`*${badAlias.alias.source}\`; resolving them costs seconds on every edit, so it is not checked. No manifest needs that: write the values out, or remove the deep nesting.`,
    },
    apiVersion,
    kind: str(top?.kind) ?? scalarAt(doc, 'kind'),
    name: str(metadata?.name),
    namespace: str(metadata?.namespace),
    helmTemplate,
    // A Helm template often is not YAML at all until rendered: recognise StackGres ones by their text.
    isStackGres: isStackGresApiVersion(apiVersion) || (helmTemplate && /^\s*apiVersion:\s*["']?stackgres\.io\//m.test(chunk.text)),
  };
}

/** Nesting (collections and pairs above a node) beyond which a document with aliases is not read: about 64 levels. */
const MAX_ALIAS_DEPTH = 128;

/**
 * An alias that makes the document unreadable: one inside the node it names (the value would contain itself),
 * or any alias in a document nested deeper than MAX_ALIAS_DEPTH (every YAML reader resolves an alias by walking
 * the whole document, copying the path at each level: with deep nesting that is seconds per edit).
 */
function unreadableAlias(doc: Document.Parsed, text: string): { alias: Alias; why: 'recursive' | 'deep' } | undefined {
  if (!text.includes('*')) return undefined;
  // One walk in document order, keeping the latest node of each anchor name: the node an alias there refers to.
  const anchors = new Map<string, unknown>();
  let found: { alias: Alias; why: 'recursive' | 'deep' } | undefined;
  let firstAlias: Alias | undefined;
  let deep = false;
  visit(doc, (_, node, ancestors) => {
    if (ancestors.length > MAX_ALIAS_DEPTH) deep = true;
    if (isAlias(node)) {
      firstAlias ??= node;
      const source = anchors.get(node.source);
      if (source !== undefined && ancestors.includes(source as never)) {
        found = { alias: node, why: 'recursive' };
        return visit.BREAK;
      }
    } else if (isNode(node) && node.anchor) anchors.set(node.anchor, node);
    return undefined;
  });
  return found ?? (deep && firstAlias ? { alias: firstAlias, why: 'deep' } : undefined);
}

function rangeOf(lineCounter: LineCounter, [start, end]: readonly number[]): Range {
  const at = (offset: number): Position => {
    const lp = lineCounter.linePos(offset);
    return { line: lp.line - 1, character: lp.col - 1 };
  };
  return { start: at(start), end: at(Math.max(start, end)) };
}

function scalarAt(doc: Document.Parsed, key: string): string | undefined {
  if (!isMap(doc.contents)) return undefined;
  const node = (doc.contents as YAMLMap).get(key, true);
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function stripComments(text: string): string {
  return text.replace(/(^|\s)#.*$/gm, '$1');
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
