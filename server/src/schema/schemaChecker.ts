/**
 * Schema checks, and the sharing of a large file's documents with a worker thread. The worker parses each
 * of its documents once for yaml-language-server's schema check and our rules (see schemaWorker.ts) and
 * runs the whole per-document check there. The two threads take chunks of documents through a shared
 * counter, so neither waits for the other, even while the worker is still starting: the main thread
 * begins at once and the worker joins when it is ready.
 *
 * Documents of kinds whose schema came from the connected cluster are checked only by the worker
 * (`isolate`): a `pattern` in an untrusted CRD can run for minutes and a regular expression cannot be
 * interrupted, but a worker can be stopped. A watchdog restarts the worker when such a batch makes no
 * progress for `timeoutMs`; its unanswered documents are reported as not checked.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WORKER_YOUNG_GENERATION_MB } from '@core/memoryLimits';
import { checkDocument, type CheckedDocument, type DocumentResult, type SchemaOf } from '../services/documentDiagnostics';
import type { YamlService } from './yamlService';

export interface SchemaItem {
  readonly kind: string;
  readonly text: string;
}

/** How long an isolated batch may go without an answer from the worker before it is restarted. */
export const DEFAULT_SCHEMA_CHECK_TIMEOUT_MS = 10_000;

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
  /** Checked by the worker alone, under the watchdog: it must have compiled its schemas first. */
  readonly isolated: boolean;
}

/** What the worker found for one document. */
export type WorkerResult = DocumentResult;

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

/** The worker's results for an isolated batch; `timedOut` when the worker was stopped for taking too long. */
export interface IsolatedResults {
  readonly results: ReadonlyMap<number, WorkerResult>;
  readonly timedOut: boolean;
}

interface Batch {
  readonly items: readonly SchemaItem[];
  /** Only the worker checks it (the watchdog applies). */
  readonly isolated: boolean;
  timedOut: boolean;
  readonly results: Map<number, WorkerResult>;
  /** Chunks not done yet, by either thread. */
  remaining: number;
  resolve(results: ReadonlyMap<number, WorkerResult>, timedOut: boolean): void;
}

export class SchemaChecker {
  private worker: Worker | undefined;
  private readonly batches = new Map<number, Batch>();
  private nextId = 0;
  private readonly schemaTexts = new Map<string, string | null>();
  /** Batches shared so far (the log says when the first one goes). */
  private shared = 0;
  private readonly workerFile: string | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** The worker has compiled its schemas: its start-up does not count against the time limit. */
  private workerReady = false;
  /** Milliseconds an isolated batch may go without an answer from the worker. */
  timeoutMs = DEFAULT_SCHEMA_CHECK_TIMEOUT_MS;

  constructor(private readonly yaml: YamlService, private readonly log: (msg: string) => void, workerFile?: string) {
    if (workerFile && existsSync(workerFile) && process.env.STACKGRES_SCHEMA_WORKER !== 'off') {
      this.workerFile = workerFile;
      this.startWorker(workerFile);
    }
  }

  /** Whether documents can be checked where a check can be stopped. */
  get canIsolate(): boolean {
    return this.worker !== undefined;
  }

  /** The whole check of one document's text (see checkDocument), on this thread. */
  check(kind: string, text: string, schemaOf: SchemaOf): Promise<CheckedDocument> {
    return checkDocument(this.yaml, kind, text, schemaOf);
  }

  /** Shares the documents with the worker; undefined when there is no worker or too few documents. */
  share(items: readonly SchemaItem[]): SharedBatch | undefined {
    if (!this.worker || items.length < WORKER_THRESHOLD) return undefined;
    if (this.shared++ === 0) this.log(`First batch of ${items.length} documents shared with the schema worker`);
    const { id, claimed, chunks, done } = this.post(items, false);
    this.armWatchdog();
    return {
      claim: () => {
        const k = Atomics.add(claimed, 0, 1);
        return k < chunks ? [k * CHUNK, Math.min((k + 1) * CHUNK, items.length)] : undefined;
      },
      done: () => this.chunkDone(id),
      fromWorker: done.then((r) => r.results),
    };
  }

  /**
   * Checks the documents on the worker only, under the watchdog; undefined when there is no worker. The
   * results are partial when the worker stopped or was stopped (`timedOut`).
   */
  isolate(items: readonly SchemaItem[]): Promise<IsolatedResults> | undefined {
    if (!this.worker || items.length === 0) return undefined;
    const { done } = this.post(items, true);
    this.armWatchdog();
    return done;
  }

  private post(items: readonly SchemaItem[], isolated: boolean): { id: number; claimed: Int32Array; chunks: number; done: Promise<IsolatedResults> } {
    const id = ++this.nextId;
    const buffer = new SharedArrayBuffer(4);
    const chunks = Math.ceil(items.length / CHUNK);
    const done = new Promise<IsolatedResults>((resolve) => {
      this.batches.set(id, { items, isolated, timedOut: false, results: new Map(), remaining: chunks, resolve: (results, timedOut) => resolve({ results, timedOut }) });
    });
    this.worker!.postMessage({ type: 'documents', id, items, claimed: buffer, isolated } satisfies DocumentsMessage);
    return { id, claimed: new Int32Array(buffer), chunks, done };
  }

  /** (Re)starts the limit on the worker's silence while a batch that may meet a cluster's pattern waits; stops it when none does. */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    // With a cluster's schema in use any batch may meet its patterns (a document's kind is guessed from its text).
    const clusterSchemas = [...this.schemaTexts.values()].some((t) => t !== null);
    if (!this.workerReady || ![...this.batches.values()].some((b) => b.isolated || clusterSchemas)) return;
    const armed = this.watchdog = setTimeout(() => {
      // Answers that came while this thread was busy are read first (they are handled before setImmediate
      // callbacks run), so a busy main thread does not pass for a stuck worker.
      setImmediate(() => {
        if (this.watchdog === armed) this.restartWorker();
      });
    }, this.timeoutMs);
    armed.unref();
  }

  /** The worker is stuck in a check (a cluster's pattern): stop it, hand back what it answered, start a new one. */
  private restartWorker(): void {
    const worker = this.worker;
    this.watchdog = undefined;
    if (!worker || !this.workerFile) return;
    this.worker = undefined;
    void worker.terminate();
    this.log(`Schema worker stopped: no answer for ${this.timeoutMs} ms (a pattern in the cluster's CRD schema?); starting a new one`);
    for (const [id, batch] of [...this.batches]) {
      batch.timedOut = batch.isolated;
      this.finish(id);
    }
    this.startWorker(this.workerFile);
  }

  /** A kind's schema changed (the cluster's CRD, or back to bundled): the worker must use the same. */
  schemaChanged(kind: string, schemaText: string | null): void {
    this.schemaTexts.set(kind, schemaText);
    this.worker?.postMessage({ type: 'schema', kind, schemaText });
  }

  dispose(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
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
    batch.resolve(batch.results, batch.timedOut);
  }

  private startWorker(file: string): void {
    const schemasDir = path.resolve(path.dirname(file), '..', 'schemas');
    const worker = new Worker(file, { workerData: { schemasDir }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    this.workerReady = false;
    worker.unref();
    worker.on('message', (msg: ChunkMessage | { type: 'ready' }) => {
      if ('type' in msg) {
        this.log('Schema worker ready');
        if (this.worker === worker) this.workerReady = true;
        this.armWatchdog();
        return;
      }
      const batch = this.batches.get(msg.id);
      if (!batch) return;
      // A chunk the worker could not check is left out of the results: the main thread checks it.
      if (msg.results) msg.results.forEach((r, i) => batch.results.set(msg.start + i, r));
      else this.log(`Schema worker could not check documents ${msg.start + 1}–${Math.min(msg.start + CHUNK, batch.items.length)}: ${msg.error ?? 'no result'}; checking them here`);
      this.chunkDone(msg.id);
      this.armWatchdog();
    });
    const stopped = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.log(`Schema worker stopped: ${why}; checks continue on the main thread`);
      // What the worker held is checked by the main thread once it sees the results are missing.
      for (const id of [...this.batches.keys()]) this.finish(id);
      clearTimeout(this.watchdog);
      this.watchdog = undefined;
    };
    worker.on('error', (err) => stopped(err.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    for (const [kind, schemaText] of this.schemaTexts) worker.postMessage({ type: 'schema', kind, schemaText });
    this.worker = worker;
    this.log('Schema checks of large files are shared with a worker thread');
  }
}
