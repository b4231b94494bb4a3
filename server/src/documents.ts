/**
 * YAML files as lists of manifests. Parsing is cached per document text, so after an edit only the edited
 * document is parsed again, whatever the size of the file.
 */
import { DocumentChunk, Manifest, parseManifest, splitDocuments } from './domain/manifest';

export class TextCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
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
    private readonly parse: (chunk: DocumentChunk) => Manifest,
  ) {}

  get manifests(): readonly Manifest[] {
    this.all ??= this.chunks.map((_, i) => this.manifest(i));
    return this.all;
  }

  manifest(index: number): Manifest {
    let m = this.parsed.get(index);
    if (!m) {
      m = this.parse(this.chunks[index]);
      this.parsed.set(index, m);
    }
    return m;
  }
}

export class ManifestParser {
  private readonly cache = new TextCache<Manifest>(20_000);
  private readonly files = new Map<string, ParsedFile>();

  /** The file's documents, reusing the last split for an unchanged version and the last parse of unchanged documents. */
  parse(uri: string, version: number, text: string): ParsedFile {
    const last = this.files.get(uri);
    if (last && last.version === version) return last;
    const file = new ParsedFile(uri, version, text.length, splitDocuments(text), (chunk) => this.manifest(chunk));
    this.files.set(uri, file);
    return file;
  }

  /** Manifests of a text without remembering it as a file (used for files that are not open). */
  manifestsOf(text: string): Manifest[] {
    return splitDocuments(text).map((chunk) => this.manifest(chunk));
  }

  forget(uri: string): void {
    this.files.delete(uri);
  }

  private manifest(chunk: DocumentChunk): Manifest {
    const cached = this.cache.get(chunk.text);
    if (cached) return cached.chunk === chunk ? cached : { ...cached, chunk };
    const m = parseManifest(chunk);
    this.cache.set(chunk.text, m);
    return m;
  }
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
