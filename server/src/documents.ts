/**
 * YAML files as lists of manifests. A new version of a file reuses the parse of every document whose text
 * did not change, so after an edit only the edited document is parsed again, whatever the size of the file.
 */
import { DocumentChunk, Manifest, parseManifest, splitDocuments } from '@core/manifest';

/**
 * Least-recently-used values by text, bounded by bytes rather than by count: one entry can be a 5 MB
 * document, another ten lines. `cost` is what an entry is counted as (its key and what the value holds);
 * an entry costing more than the bound is not kept.
 */
export class TextCache<V> {
  private readonly map = new Map<string, { value: V; cost: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly cost: (key: string, value: V) => number,
    private readonly evicted?: (key: string, value: V) => void,
  ) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const cost = this.cost(key, value);
    if (cost > this.maxBytes) {
      this.evicted?.(key, value);
      return;
    }
    this.map.set(key, { value, cost });
    this.total += cost;
    while (this.total > this.maxBytes) this.delete(this.map.keys().next().value as string);
  }

  delete(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.total -= e.cost;
    this.evicted?.(key, e.value);
  }

  clear(): void {
    for (const key of [...this.map.keys()]) this.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** What the entries are counted as, in bytes. */
  get bytes(): number {
    return this.total;
  }
}

/** A file split into documents; documents are parsed when first needed (hover in a huge file parses one). */
export class ParsedFile {
  private all: Manifest[] | undefined;
  private readonly parsed = new Map<number, Manifest>();

  constructor(
    readonly uri: string,
    readonly version: number,
    /** Length of the text in characters. */
    readonly size: number,
    readonly chunks: readonly DocumentChunk[],
    /** Documents of the previous version, by text: an edit parses only the documents it changed. */
    private readonly previous: ReadonlyMap<string, Manifest> = new Map(),
  ) {}

  get manifests(): readonly Manifest[] {
    this.all ??= this.chunks.map((_, i) => this.manifest(i));
    return this.all;
  }

  manifest(index: number): Manifest {
    let m = this.parsed.get(index);
    if (!m) {
      const chunk = this.chunks[index];
      const before = this.previous.get(chunk.text);
      // Ranges are relative to the document, so a parse moves with its text.
      m = before ? { ...before, chunk: { ...chunk, text: before.chunk.text } } : parseManifest(ownText(chunk));
      this.parsed.set(index, m);
    }
    return m;
  }

  /** A parse of the document made elsewhere (the schema check's), kept as if this file had made it. */
  adopt(index: number, m: Manifest): void {
    if (!this.parsed.has(index)) this.parsed.set(index, { ...m, chunk: { ...this.chunks[index], text: m.chunk.text } });
  }

  /** The documents parsed so far, by text (what the next version may reuse). */
  parsedByText(): Map<string, Manifest> {
    const out = new Map<string, Manifest>();
    for (const m of this.parsed.values()) out.set(m.chunk.text, m);
    return out;
  }
}

/**
 * The open documents, split and parsed. Only the current version of each is kept: memory follows what is
 * open, not how long the user has been typing.
 */
export class ManifestParser {
  private readonly files = new Map<string, ParsedFile>();

  /** The file's documents, reusing the last split for an unchanged version and the last parse of unchanged documents. */
  parse(uri: string, version: number, text: string): ParsedFile {
    const last = this.files.get(uri);
    if (last && last.version === version) return last;
    const file = new ParsedFile(uri, version, text.length, splitDocuments(text), last?.parsedByText());
    this.files.set(uri, file);
    return file;
  }

  forget(uri: string): void {
    this.files.delete(uri);
  }
}

/**
 * The chunk with a text of its own. A document's text is a slice of the whole file's text, and V8 keeps the
 * whole string alive for as long as any slice of it lives: every string the parse keeps (keys, values,
 * names) would hold on to the version of the file it came from, so each edit would keep one more copy of
 * the file. Parsing a copy ties what is kept to the document alone.
 */
export function ownText(chunk: DocumentChunk): DocumentChunk {
  return { ...chunk, text: JSON.parse(JSON.stringify(chunk.text)) as string };
}

/** The manifest whose lines contain `line` (file coordinates); only that document is parsed. */
export function manifestAtLine(file: ParsedFile, line: number): Manifest | undefined {
  let found = -1;
  for (const c of file.chunks) {
    if (c.startLine <= line) found = c.index;
    else break;
  }
  return found < 0 ? undefined : file.manifest(found);
}
