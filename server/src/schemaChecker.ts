/**
 * CRD schema checks of many documents at once. A large file's documents are checked in a worker thread
 * while the main thread parses them and runs our rules, so the two halves of the work overlap on two
 * cores; a few documents (typing) are checked inline, where a round trip would only add latency.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from 'vscode-languageserver';
import type { YamlService } from './yamlService';

export interface SchemaItem {
  readonly kind: string;
  readonly text: string;
}

/** Below this many documents a batch is checked inline. */
const WORKER_THRESHOLD = 16;

interface Pending {
  resolve(results: Diagnostic[][]): void;
  reject(err: Error): void;
}

export class SchemaChecker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly schemaTexts = new Map<string, string | null>();
  /** Batches sent to the worker so far (the log says when the first one goes). */
  private batches = 0;

  constructor(private readonly yaml: YamlService, private readonly log: (msg: string) => void, workerFile?: string) {
    if (workerFile && existsSync(workerFile) && process.env.STACKGRES_SCHEMA_WORKER !== 'off') this.startWorker(workerFile);
  }

  async check(items: readonly SchemaItem[]): Promise<Diagnostic[][]> {
    if (!this.worker || items.length < WORKER_THRESHOLD) return this.inline(items);
    const id = ++this.nextId;
    const worker = this.worker;
    if (this.batches++ === 0) this.log(`First batch of ${items.length} documents sent to the schema worker`);
    return new Promise<Diagnostic[][]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ type: 'check', id, items });
    }).catch((err: unknown) => {
      this.log(`Schema worker failed (${String(err)}); checking inline`);
      return this.inline(items);
    });
  }

  /** A kind's schema changed (the cluster's CRD, or back to bundled): the worker must use the same. */
  schemaChanged(kind: string, schemaText: string | null): void {
    this.schemaTexts.set(kind, schemaText);
    this.worker?.postMessage({ type: 'schema', kind, schemaText });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private async inline(items: readonly SchemaItem[]): Promise<Diagnostic[][]> {
    const out: Diagnostic[][] = [];
    for (const it of items) out.push(await this.yaml.validate(it.kind, it.text));
    return out;
  }

  private startWorker(file: string): void {
    const schemasDir = path.resolve(path.dirname(file), '..', 'schemas');
    const worker = new Worker(file, { workerData: { schemasDir } });
    worker.unref();
    worker.on('message', (msg: { id: number; results?: Diagnostic[][]; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.results) p.resolve(msg.results);
      else p.reject(new Error(msg.error ?? 'no result'));
    });
    const fail = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.log(`Schema worker stopped: ${why}; checks continue inline`);
      for (const p of this.pending.values()) p.reject(new Error(why));
      this.pending.clear();
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    for (const [kind, schemaText] of this.schemaTexts) worker.postMessage({ type: 'schema', kind, schemaText });
    this.worker = worker;
    this.log('Schema checks of large files run in a worker thread');
  }
}
