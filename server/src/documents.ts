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

export interface ParsedFile {
  readonly uri: string;
  readonly version: number;
  readonly manifests: readonly Manifest[];
}

export class ManifestParser {
  private readonly parsed = new TextCache<Manifest>(20_000);
  private readonly files = new Map<string, ParsedFile>();

  /** The file's manifests, reusing the last parse for an unchanged version and unchanged documents. */
  parse(uri: string, version: number, text: string): ParsedFile {
    const last = this.files.get(uri);
    if (last && last.version === version) return last;
    const manifests = splitDocuments(text).map((chunk) => this.manifest(chunk));
    const file = { uri, version, manifests };
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
    const cached = this.parsed.get(chunk.text);
    if (cached) return cached.chunk === chunk ? cached : { ...cached, chunk };
    const m = parseManifest(chunk);
    this.parsed.set(chunk.text, m);
    return m;
  }
}

/** The manifest whose lines contain `line` (file coordinates). */
export function manifestAtLine(file: ParsedFile, line: number): Manifest | undefined {
  let found: Manifest | undefined;
  for (const m of file.manifests) {
    if (m.chunk.startLine <= line) found = m;
    else break;
  }
  return found;
}
