/**
 * Resident memory of the server while the user types in a large file: after 100 one-character edits it stays
 * within 10% of what it was after the first check. (The live heap stays flat either way; what grew was
 * memory V8 held for garbage: see server/src/domain/memoryLimits.ts.) `npm run bench -- memory` measures more.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LspClient } from './client';

const rssMiB = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** One SGCluster of about 700 KB: many long annotations. */
function hugeCluster(): { text: string; firstNote: number } {
  const notes = Array.from({ length: 340 }, (_, i) => `    example.com/note-${String(i).padStart(4, '0')}: ${'abcdefghij'.repeat(200)}\n`);
  const head = 'apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: huge\n  namespace: prod\n  annotations:\n';
  return { text: `${head}${notes.join('')}spec:\n  instances: 1\n  postgres: {version: '16'}\n  pods: {persistentVolume: {size: 10Gi}}\n`, firstNote: head.split('\n').length - 1 };
}

describe('memory while typing', function () {
  this.timeout(120_000);

  it('stays within 10% of the first check after 100 edits of a 700 KB document', async () => {
    const { text, firstNote } = hugeCluster();
    const uri = 'file:///huge.yaml';
    const client = await LspClient.start();
    try {
      client.open(uri, text);
      assert.deepEqual(await client.diagnosticsFor(uri, 30_000), [], 'the document is valid');
      const first = rssMiB(client.pid);
      const last: number[] = [];
      for (let edit = 0; edit < 100; edit++) {
        client.change(uri, 'x', { start: { line: firstNote + ((edit * 3) % 340), character: 30 + (edit % 50) }, end: { line: firstNote + ((edit * 3) % 340), character: 30 + (edit % 50) } });
        await client.diagnosticsFor(uri, 30_000);
        if (edit >= 90) last.push(rssMiB(client.pid));
      }
      // The median of the last ten readings: one reading may fall just before a collection.
      const after = [...last].sort((a, b) => a - b)[5];
      assert.ok(after <= 1.1 * first, `RSS ${first.toFixed(0)} MiB after the first check, ${after.toFixed(0)} MiB after 100 edits (${(after / first).toFixed(2)}x)`);
    } finally {
      await client.stop();
    }
  });
});
