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
  /** Objects by kind and name, built when first asked and then kept current name by name (a file's references are many lookups). */
  private byName: Map<string, KnownObject[]> | undefined;
  /** Bumped on every change of what `find` answers; `versions` by kind and name. Checks cache their findings by them. */
  private changes = 0;
  private readonly versions = new Map<string, number>();
  /** Each open document's manifests as last parsed, and the object each defines. */
  private readonly parses = new Map<string, { readonly manifests: readonly ManifestInfo[]; readonly objects: readonly (KnownObject | undefined)[] }>();

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
    this.replace(uri, () => this.onDisk.delete(uri), false);
    this.changed();
  }

  /**
   * An open document's current manifests (unsaved edits included), as validation read them. Returns whether
   * what the workspace defines changed; listeners are not told (the caller rechecks the other documents).
   */
  documentParsed(uri: string, manifests: readonly ManifestInfo[]): boolean {
    // The documents an edit did not touch are the same parses in the same order (validation reuses them): they
    // keep their objects, found by comparing references from both ends, so an edit costs what it changed.
    const last = this.parses.get(uri);
    const prev = last?.manifests ?? [];
    const objects: (KnownObject | undefined)[] = new Array(manifests.length);
    const both = Math.min(prev.length, manifests.length);
    let head = 0;
    for (; head < both && prev[head] === manifests[head]; head++) objects[head] = last!.objects[head];
    let tail = 0;
    for (; tail < both - head && prev[prev.length - 1 - tail] === manifests[manifests.length - 1 - tail]; tail++) {
      objects[manifests.length - 1 - tail] = last!.objects[prev.length - 1 - tail];
    }
    for (let i = head; i < manifests.length - tail; i++) objects[i] = objectOf(uri, manifests[i]);
    this.parses.set(uri, { manifests, objects });
    return this.replace(uri, () => this.open.set(uri, objects.filter((o): o is KnownObject => o !== undefined)));
  }

  documentClosed(uri: string): void {
    this.parses.delete(uri);
    if (!this.open.has(uri)) return;
    this.replace(uri, () => this.open.delete(uri));
    this.changed();
  }

  /** Changes whenever any answer of `find` may have changed. */
  generation(): number {
    return this.changes;
  }

  /** Changes whenever `find(kind, name, …)` may answer differently (in any namespace). */
  versionOf(kind: ReferencedKind, name: string): number {
    return this.versions.get(`${kind}\0${name}`) ?? 0;
  }

  find(kind: ReferencedKind, name: string, namespace: string | undefined): KnownObject[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const o of this.all()) {
        const key = keyOf(o);
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
    // The scan reads thousands of files: the lookup is rebuilt once when next asked rather than name by name.
    this.replace(uri, () => {
      if (text === undefined) this.onDisk.delete(uri);
      else this.onDisk.set(uri, this.extract(uri, text));
    }, false);
  }

  /**
   * Applies a change to one file's objects and keeps the name lookup and the versions current for the names
   * whose objects changed, so that an edit costs what it changed rather than the size of the workspace.
   * Returns whether any name's objects changed.
   */
  private replace(uri: string, apply: () => void, incremental = true): boolean {
    const before = this.effective(uri);
    apply();
    const after = this.effective(uri);
    if (before === after) return false;
    // Unchanged documents keep their objects (documentParsed) and their order: only the objects
    // between the first and the last difference are compared.
    let head = 0;
    const both = Math.min(before.length, after.length);
    while (head < both && before[head] === after[head]) head++;
    let tail = 0;
    while (tail < both - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
    const touched = new Set<string>();
    for (let i = head; i < before.length - tail; i++) touched.add(keyOf(before[i]));
    for (let i = head; i < after.length - tail; i++) touched.add(keyOf(after[i]));
    if (touched.size === 0) return false;
    const byKey = (list: readonly KnownObject[]) => {
      const out = new Map<string, KnownObject[]>();
      for (const o of list) {
        const key = keyOf(o);
        if (!touched.has(key)) continue;
        const list = out.get(key);
        if (list) list.push(o);
        else out.set(key, [o]);
      }
      return out;
    };
    const was = byKey(before);
    const is = byKey(after);
    const changed = [...touched].filter((key) => JSON.stringify(was.get(key) ?? []) !== JSON.stringify(is.get(key) ?? []));
    if (changed.length === 0) return false;
    this.changes++;
    for (const key of changed) this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    // Many names at once (a file read, a paste): the lookup is rebuilt once when next asked.
    if (!incremental || changed.length > 16) this.byName = undefined;
    if (!this.byName) return true;
    const all = this.all();
    for (const key of changed) {
      // In the order a full rebuild gives (open documents first), so that answers do not depend on history.
      const list = all.filter((o) => keyOf(o) === key);
      if (list.length) this.byName.set(key, list);
      else this.byName.delete(key);
    }
    return true;
  }

  /** The objects `find` sees of one file: its open version's, else its saved version's. */
  private effective(uri: string): readonly KnownObject[] {
    return this.open.get(uri) ?? this.onDisk.get(uri) ?? NONE;
  }

  private extract(uri: string, text: string): KnownObject[] {
    if (!INDEXED_TEXT.test(text)) return [];
    // Own texts: the names and keys kept would otherwise hold on to the whole file (see ownText).
    const manifests = splitDocuments(text).filter((c) => INDEXED_TEXT.test(c.text)).map((c) => this.parse(ownText(c)));
    // Only the summaries are kept: the parses go as soon as the file is done.
    return objectsOf(uri, manifests);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

const NONE: readonly KnownObject[] = [];

function keyOf(o: KnownObject): string {
  return `${o.kind}\0${o.name}`;
}

function objectsOf(uri: string, manifests: readonly ManifestInfo[]): KnownObject[] {
  const out: KnownObject[] = [];
  for (const m of manifests) {
    const o = objectOf(uri, m);
    if (o) out.push(o);
  }
  return out;
}

function objectOf(uri: string, m: ManifestInfo): KnownObject | undefined {
  if (!m.kind || !INDEXED.has(m.kind) || !m.name) return undefined;
  if (m.kind === 'Secret') {
    if (m.apiVersion !== 'v1') return undefined;
    const keys = [...keysOf(m.value, 'data'), ...keysOf(m.value, 'stringData')];
    return { kind: 'Secret', name: m.name, namespace: m.namespace, keys: [...new Set(keys)], origin: uri };
  }
  if (!m.isStackGres) return undefined;
  const spec = isRecord(m.value) ? m.value.spec : undefined;
  const detail = m.kind === 'SGObjectStorage' ? storageSummary(spec) : m.kind === 'SGBackup' ? backupSummary(m.value) : undefined;
  return { kind: m.kind as ReferencedKind, name: m.name, namespace: m.namespace, detail, origin: uri };
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
