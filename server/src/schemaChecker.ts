/**
 * Schema checks, and the sharing of a large file's documents with a worker thread. The worker parses each
 * of its documents once for yaml-language-server's schema check and our rules (see schemaWorker.ts) and
 * runs the whole per-document check there. The two threads take chunks of documents through a shared
 * counter, so neither waits for the other, even while the worker is still starting: the main thread
 * begins at once and the worker joins when it is ready.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from 'vscode-languageserver';
import type { ManifestInfo } from './domain/manifest';
import type { YamlService } from './yamlService';

export interface SchemaItem {
  readonly kind: string;
  readonly text: string;
}

/** Below this many documents a file's documents are all checked on the main thread. */
const WORKER_THRESHOLD = 16;
/** Documents per chunk: a few tens of milliseconds of work, so neither thread waits long for the other's last one. */
export const CHUNK = 16;

/** Gives the worker a batch; `claimed` counts the chunks taken by either thread. */
export interface DocumentsMessage {
  readonly type: 'documents';
  readonly id: number;
  readonly items: readonly SchemaItem[];
  readonly claimed: SharedArrayBuffer;
}

/** What the worker found for one document. */
export interface WorkerResult {
  readonly diagnostics: Diagnostic[];
  readonly info: ManifestInfo;
}

/** The worker's answer for one chunk. */
export interface ChunkMessage {
  readonly id: number;
  readonly start: number;
  readonly results?: WorkerResult[];
  readonly error?: string;
}

/** A batch shared with the worker: the caller claims chunks and says when it has done each one. */
export interface SharedBatch {
  /** The next chunk for the caller, [start, end) in the items, or undefined when every chunk is taken. */
  claim(): readonly [number, number] | undefined;
  /** The caller finished a chunk it claimed. */
  done(): void;
  /** The worker's results by item index, once every chunk is done (partial if the worker stopped). */
  readonly fromWorker: Promise<ReadonlyMap<number, WorkerResult>>;
}

interface Batch {
  readonly items: readonly SchemaItem[];
  readonly results: Map<number, WorkerResult>;
  /** Chunks not done yet, by either thread. */
  remaining: number;
  resolve(results: ReadonlyMap<number, WorkerResult>): void;
}

export class SchemaChecker {
  private worker: Worker | undefined;
  private readonly batches = new Map<number, Batch>();
  private nextId = 0;
  private readonly schemaTexts = new Map<string, string | null>();
  /** Batches shared so far (the log says when the first one goes). */
  private shared = 0;

  constructor(private readonly yaml: YamlService, private readonly log: (msg: string) => void, workerFile?: string) {
    if (workerFile && existsSync(workerFile) && process.env.STACKGRES_SCHEMA_WORKER !== 'off') this.startWorker(workerFile);
  }

  /** Schema diagnostics of one document, checked on this thread. */
  check(kind: string, text: string): Promise<Diagnostic[]> {
    return this.yaml.validate(kind, text);
  }

  /** Shares the documents with the worker; undefined when there is no worker or too few documents. */
  share(items: readonly SchemaItem[]): SharedBatch | undefined {
    const worker = this.worker;
    if (!worker || items.length < WORKER_THRESHOLD) return undefined;
    if (this.shared++ === 0) this.log(`First batch of ${items.length} documents shared with the schema worker`);
    const id = ++this.nextId;
    const buffer = new SharedArrayBuffer(4);
    const claimed = new Int32Array(buffer);
    const chunks = Math.ceil(items.length / CHUNK);
    const fromWorker = new Promise<ReadonlyMap<number, WorkerResult>>((resolve) => {
      this.batches.set(id, { items, results: new Map(), remaining: chunks, resolve });
    });
    worker.postMessage({ type: 'documents', id, items, claimed: buffer } satisfies DocumentsMessage);
    return {
      claim: () => {
        const k = Atomics.add(claimed, 0, 1);
        return k < chunks ? [k * CHUNK, Math.min((k + 1) * CHUNK, items.length)] : undefined;
      },
      done: () => this.chunkDone(id),
      fromWorker,
    };
  }

  /** A kind's schema changed (the cluster's CRD, or back to bundled): the worker must use the same. */
  schemaChanged(kind: string, schemaText: string | null): void {
    this.schemaTexts.set(kind, schemaText);
    this.worker?.postMessage({ type: 'schema', kind, schemaText });
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const id of [...this.batches.keys()]) this.finish(id);
  }

  private chunkDone(id: number): void {
    const batch = this.batches.get(id);
    if (batch && --batch.remaining === 0) this.finish(id);
  }

  /** Hands the worker's results to the caller: when every chunk is done, or the worker stopped. */
  private finish(id: number): void {
    const batch = this.batches.get(id);
    if (!batch) return;
    this.batches.delete(id);
    this.log(`Schema worker checked ${batch.results.size} of ${batch.items.length} documents`);
    batch.resolve(batch.results);
  }

  private startWorker(file: string): void {
    const schemasDir = path.resolve(path.dirname(file), '..', 'schemas');
    const worker = new Worker(file, { workerData: { schemasDir } });
    worker.unref();
    worker.on('message', (msg: ChunkMessage | { type: 'ready' }) => {
      if ('type' in msg) {
        this.log('Schema worker ready');
        return;
      }
      const batch = this.batches.get(msg.id);
      if (!batch) return;
      // A chunk the worker could not check is left out of the results: the main thread checks it.
      if (msg.results) msg.results.forEach((r, i) => batch.results.set(msg.start + i, r));
      else this.log(`Schema worker could not check documents ${msg.start + 1}–${Math.min(msg.start + CHUNK, batch.items.length)}: ${msg.error ?? 'no result'}; checking them here`);
      this.chunkDone(msg.id);
    });
    const stopped = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.log(`Schema worker stopped: ${why}; checks continue on the main thread`);
      // What the worker held is checked by the main thread once it sees the results are missing.
      for (const id of [...this.batches.keys()]) this.finish(id);
    };
    worker.on('error', (err) => stopped(err.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    for (const [kind, schemaText] of this.schemaTexts) worker.postMessage({ type: 'schema', kind, schemaText });
    this.worker = worker;
    this.log('Schema checks of large files are shared with a worker thread');
  }
}
