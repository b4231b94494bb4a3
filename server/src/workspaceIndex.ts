/**
 * What the workspace's YAML files define: StackGres objects and Secrets (their key names only, never the
 * values), by namespace. Files on disk are scanned once and kept current from file events; open documents
 * take precedence over their saved version. Of a file on disk only what the index needs is kept, and only
 * documents whose text names `stackgres.io/` or `kind: Secret` are parsed: in a GitOps repository most YAML
 * is neither.
 */
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { backupSummary, storageSummary } from '@core/describe';
import { isRecord, parseManifest, splitDocuments, type DocumentChunk, type ManifestInfo } from '@core/manifest';
import { KnownObject, ReferencedKind, ReferenceLookup, sameNamespace } from '@core/references';
import { ownText } from './documents';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test', '.hg', '.svn', 'vendor', 'test-results']);
const MAX_FILES = 10_000;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Files read at the same time during the scan. */
const READERS = 8;
/** Text a document must contain to be parsed: the only kinds the index keeps are StackGres kinds and Secrets. */
const INDEXED_TEXT = /stackgres\.io\/|(?:^|[\s{,])["']?kind["']?[ \t]*:[ \t]*["']?Secret\b/m;
const INDEXED: ReadonlySet<string> = new Set(['SGObjectStorage', 'SGBackup', 'SGCluster', 'SGShardedBackup', 'Secret']);

export class WorkspaceIndex implements ReferenceLookup {
  private readonly onDisk = new Map<string, KnownObject[]>();
  private readonly open = new Map<string, KnownObject[]>();
  private listeners: (() => void)[] = [];
  private scanned = false;
  /** Objects by kind and name, built when first asked after a change (a file's references are many lookups). */
  private byName: Map<string, KnownObject[]> | undefined;

  constructor(private readonly log: (msg: string) => void, private readonly parse: (chunk: DocumentChunk) => ManifestInfo = parseManifest) {}

  get ready(): boolean {
    return this.scanned;
  }

  onDidChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** `idle` resolves when the server has no document to check: the scan gives way to what the user is looking at. */
  async scan(folders: readonly string[], idle: () => Promise<void> = async () => undefined): Promise<void> {
    const started = Date.now();
    const files: string[] = [];
    for (const folder of folders) await collect(folder, files);
    let next = 0;
    const reader = async () => {
      while (next < files.length) {
        await idle();
        if (next < files.length) await this.readFile(files[next++]);
      }
    };
    await Promise.all(Array.from({ length: READERS }, reader));
    this.scanned = true;
    this.log(`Indexed ${files.length} YAML file(s) in ${Date.now() - started} ms`);
    this.changed();
  }

  /** A file was created or changed on disk. */
  async fileChanged(uri: string): Promise<void> {
    const file = URI.parse(uri).fsPath;
    await this.readFile(file);
    this.changed();
  }

  fileDeleted(uri: string): void {
    this.onDisk.delete(uri);
    this.changed();
  }

  /**
   * An open document's current manifests (unsaved edits included), as validation read them. Returns whether
   * what the workspace defines changed; listeners are not told (the caller rechecks the other documents).
   */
  documentParsed(uri: string, manifests: readonly ManifestInfo[]): boolean {
    const before = JSON.stringify(this.open.get(uri) ?? this.onDisk.get(uri) ?? []);
    const objects = objectsOf(uri, manifests);
    this.open.set(uri, objects);
    this.byName = undefined;
    return JSON.stringify(objects) !== before;
  }

  documentClosed(uri: string): void {
    if (this.open.delete(uri)) this.changed();
  }

  find(kind: ReferencedKind, name: string, namespace: string | undefined): KnownObject[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const o of this.all()) {
        const key = `${o.kind}\0${o.name}`;
        const list = this.byName.get(key);
        if (list) list.push(o);
        else this.byName.set(key, [o]);
      }
    }
    return (this.byName.get(`${kind}\0${name}`) ?? []).filter((o) => sameNamespace(namespace, o.namespace));
  }

  list(kind: ReferencedKind, namespace: string | undefined): KnownObject[] {
    return this.all().filter((o) => o.kind === kind && sameNamespace(namespace, o.namespace));
  }

  /** Every object, open documents taking precedence over their saved version. */
  private all(): KnownObject[] {
    const out: KnownObject[] = [];
    const seen = new Set<string>();
    for (const source of [this.open, this.onDisk]) {
      for (const [uri, objects] of source) {
        if (seen.has(uri)) continue;
        seen.add(uri);
        out.push(...objects);
      }
    }
    return out;
  }

  private async readFile(file: string): Promise<void> {
    const uri = URI.file(file).toString();
    let text: string | undefined;
    try {
      text = await readRegularFile(file);
    } catch (err) {
      this.log(`Could not read ${file}: ${(err as Error).message}`);
    }
    if (text === undefined) this.onDisk.delete(uri);
    else this.onDisk.set(uri, this.extract(uri, text));
    this.byName = undefined;
  }

  private extract(uri: string, text: string): KnownObject[] {
    if (!INDEXED_TEXT.test(text)) return [];
    // Own texts: the names and keys kept would otherwise hold on to the whole file (see ownText).
    const manifests = splitDocuments(text).filter((c) => INDEXED_TEXT.test(c.text)).map((c) => this.parse(ownText(c)));
    // Only the summaries are kept: the parses go as soon as the file is done.
    return objectsOf(uri, manifests);
  }

  private changed(): void {
    this.byName = undefined;
    for (const l of this.listeners) l();
  }
}

function objectsOf(uri: string, manifests: readonly ManifestInfo[]): KnownObject[] {
  const out: KnownObject[] = [];
  for (const m of manifests) {
    if (!m.kind || !INDEXED.has(m.kind) || !m.name) continue;
    if (m.kind === 'Secret') {
      if (m.apiVersion !== 'v1') continue;
      const keys = [...keysOf(m.value, 'data'), ...keysOf(m.value, 'stringData')];
      out.push({ kind: 'Secret', name: m.name, namespace: m.namespace, keys: [...new Set(keys)], origin: uri });
    } else if (m.isStackGres) {
      const spec = isRecord(m.value) ? m.value.spec : undefined;
      const detail = m.kind === 'SGObjectStorage' ? storageSummary(spec) : m.kind === 'SGBackup' ? backupSummary(m.value) : undefined;
      out.push({ kind: m.kind as ReferencedKind, name: m.name, namespace: m.namespace, detail, origin: uri });
    }
  }
  return out;
}

function keysOf(value: unknown, field: string): string[] {
  const v = isRecord(value) ? value[field] : undefined;
  return isRecord(v) ? Object.keys(v) : [];
}

/**
 * The text of a regular file of at most MAX_FILE_BYTES, or undefined. Workspace files are untrusted: a
 * symbolic link (to a file outside the workspace, or to /dev/zero, which reports size 0), a FIFO or a device
 * is never read. The link is refused by the open itself (O_NOFOLLOW), the type checked on what was opened,
 * and the read stops at the cap whatever the size said, so nothing swapped in between is read either.
 */
export async function readRegularFile(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO does not wait for a writer.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOENT' || code === 'EMLINK') return undefined;
    throw err;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_FILE_BYTES) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    // It grew while being read: left out until the file event for that change reads it again.
    if (length > stat.size) return undefined;
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

async function collect(dir: string, out: string[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (out.length >= MAX_FILES) return;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await collect(full, out);
    } else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
      out.push(full);
    }
  }
}
