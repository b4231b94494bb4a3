/**
 * Worker thread of the language server (see schemaChecker.ts): the whole per-document check of the chunks
 * of a large file it claims, with one parse per document shared by yaml-language-server's schema check and
 * our rules. Holds its own yaml-language-server and schemas; no LSP, no workspace.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KINDS } from '@core/kinds';
import { CHUNK, type ChunkMessage, type DocumentsMessage, type WorkerResult } from './schemaChecker';
import { SchemaStore } from './schemaStore';
import { checkDocument } from '../services/documentDiagnostics';
import { YamlService } from './yamlService';

const store = new SchemaStore((workerData as { schemasDir: string }).schemasDir);
const yaml = new YamlService(store);
const schemaOf = (kind: string | undefined) => store.schema(kind);

type Message = DocumentsMessage | { type: 'schema'; kind: string; schemaText: string | null };

// Batches are worked through one at a time, in the order they came. The schemas of the backup kinds are
// compiled as soon as the worker starts (a check of an empty document of each); then the main thread is told
// it is ready. (The sharded kinds' schemas are large and rarely needed: they are compiled on first use.)
const WARM = new Set(['SGObjectStorage', 'SGCluster', 'SGBackup']);
let queue: Promise<void> = Promise.all(KINDS.filter((k) => WARM.has(k.kind)).map((k) => yaml.validate(k.kind, `apiVersion: ${k.apiVersion}\nkind: ${k.kind}\n`)))
  .then(() => parentPort!.postMessage({ type: 'ready' }), () => undefined);

parentPort!.on('message', (msg: Message) => {
  if (msg.type === 'schema') {
    if (store.override(msg.kind, msg.schemaText ?? undefined)) yaml.schemaChanged(msg.kind);
    return;
  }
  queue = queue.then(() => checkBatch(msg));
});

// For the fault test: the worker stops after answering this many chunks, holding the next one it claimed.
const STOP_AFTER = Number(process.env.STACKGRES_SCHEMA_WORKER_TEST_STOP_AFTER ?? 'NaN');
let answered = 0;

async function checkBatch(msg: DocumentsMessage): Promise<void> {
  const claimed = new Int32Array(msg.claimed);
  for (let k = Atomics.add(claimed, 0, 1); k * CHUNK < msg.items.length; k = Atomics.add(claimed, 0, 1)) {
    if (answered++ === STOP_AFTER) process.exit(70);
    const start = k * CHUNK;
    try {
      const results: WorkerResult[] = [];
      for (let i = start; i < Math.min(start + CHUNK, msg.items.length); i++) {
        // The parse stays here: only what the main thread reads is posted.
        const { diagnostics, info } = await checkDocument(yaml, msg.items[i].kind, msg.items[i].text, schemaOf);
        results.push({ diagnostics, info });
      }
      parentPort!.postMessage({ id: msg.id, start, results } satisfies ChunkMessage);
    } catch (err) {
      parentPort!.postMessage({ id: msg.id, start, error: err instanceof Error ? err.message : String(err) } satisfies ChunkMessage);
    }
  }
}
