/**
 * Schema checks, and the worker thread where a check against the connected cluster's schema runs. Documents
 * of kinds whose schema came from the connected cluster are checked only by the worker (`isolate`): a
 * `pattern` in an untrusted CRD can run for minutes and a regular expression cannot be interrupted, but a
 * worker can be stopped. A watchdog restarts the worker when such a batch makes no progress for `timeoutMs`;
 * its unanswered documents are reported as not checked. The worker starts when a cluster's schema is first
 * used: with our bundled schemas every document is checked on the main thread (sharing a large file's
 * documents with the worker cost more than it saved once clean documents skip yaml-language-server: README,
 * Performance).
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

/** Documents per answer of the worker: a few tens of milliseconds of work, so its progress is seen often. */
export const CHUNK = 16;

/** Gives the worker a batch; `claimed` counts the chunks it has taken. */
export interface DocumentsMessage {
  readonly type: 'documents';
  readonly id: number;
  readonly items: readonly SchemaItem[];
  readonly claimed: SharedArrayBuffer;
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
  private readonly workerFile: string | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** The worker has compiled its schemas: its start-up does not count against the time limit. */
  private workerReady = false;
  /** Milliseconds an isolated batch may go without an answer from the worker. */
  timeoutMs = DEFAULT_SCHEMA_CHECK_TIMEOUT_MS;

  constructor(private readonly yaml: YamlService, private readonly log: (msg: string) => void, workerFile?: string) {
    if (workerFile && existsSync(workerFile) && process.env.STACKGRES_SCHEMA_WORKER !== 'off') this.workerFile = workerFile;
  }

  /** Whether documents can be checked where a check can be stopped. */
  get canIsolate(): boolean {
    return this.workerFile !== undefined;
  }

  /** The whole check of one document's text (see checkDocument), on this thread. */
  check(kind: string, text: string, schemaOf: SchemaOf): Promise<CheckedDocument> {
    return checkDocument(this.yaml, kind, text, schemaOf);
  }

  /**
   * Checks the documents on the worker only, under the watchdog; undefined when there is no worker. The
   * results are partial when the worker stopped or was stopped (`timedOut`).
   */
  isolate(items: readonly SchemaItem[]): Promise<IsolatedResults> | undefined {
    if (!this.workerFile || items.length === 0) return undefined;
    if (!this.worker) this.startWorker(this.workerFile);
    const { done } = this.post(items, true);
    this.armWatchdog();
    return done;
  }

  private post(items: readonly SchemaItem[], isolated: boolean): { done: Promise<IsolatedResults> } {
    const id = ++this.nextId;
    const buffer = new SharedArrayBuffer(4);
    const chunks = Math.ceil(items.length / CHUNK);
    const done = new Promise<IsolatedResults>((resolve) => {
      this.batches.set(id, { items, isolated, timedOut: false, results: new Map(), remaining: chunks, resolve: (results, timedOut) => resolve({ results, timedOut }) });
    });
    this.worker!.postMessage({ type: 'documents', id, items, claimed: buffer } satisfies DocumentsMessage);
    return { done };
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
    if (this.worker) this.worker.postMessage({ type: 'schema', kind, schemaText });
    // Started now, so that it has compiled its schemas before the first document needs them.
    else if (schemaText !== null && this.workerFile) this.startWorker(this.workerFile);
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
    this.log('Schema worker started: checks against the connected cluster\'s CRD schemas run there, where a slow pattern can be stopped');
  }
}
