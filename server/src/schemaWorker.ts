/**
 * Worker thread of the language server: CRD schema checks of batches of documents (see schemaChecker.ts).
 * Holds its own yaml-language-server and schemas; no StackGres rules, no LSP.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SchemaStore } from './schemaStore';
import { YamlService } from './yamlService';

const store = new SchemaStore((workerData as { schemasDir: string }).schemasDir);
const yaml = new YamlService(store);

type Message =
  | { type: 'check'; id: number; items: { kind: string; text: string }[] }
  | { type: 'schema'; kind: string; schemaText: string | null };

parentPort!.on('message', (msg: Message) => {
  if (msg.type === 'schema') {
    if (store.override(msg.kind, msg.schemaText ?? undefined)) yaml.schemaChanged(msg.kind);
    return;
  }
  void (async () => {
    try {
      const results = [];
      for (const it of msg.items) results.push(await yaml.validate(it.kind, it.text));
      parentPort!.postMessage({ id: msg.id, results });
    } catch (err) {
      parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
    }
  })();
});
