// The client's rooms import one way: no file of client/src reaches itself through its imports. The same
// check runs in `npm run lint` (scripts/circles.mjs); here it is also shown to catch a circle.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

type CirclesModule = {
  importGraph(root: string): Map<string, string[]>;
  circles(graph: Map<string, string[]>): string[][];
};

// The script is plain ESM so lint can run it with node alone; a Function keeps tsx from turning the import into a require.
const load = new Function('p', 'return import(p)') as (p: string) => Promise<CirclesModule>;
const script = path.resolve(__dirname, '../../../scripts/circles.mjs');

describe('Import circles in the client', () => {
  it('client/src has none: commands never import each other, and the context does not import the commands', async () => {
    const { importGraph, circles } = await load(script);
    const root = path.resolve(__dirname, '../../../client/src');
    const found = circles(importGraph(root)).map((group) => group.map((f) => path.relative(root, f)));
    assert.deepEqual(found, []);
  });

  it('finds a circle through a type-only import and an index file, and none once the shared part moves out', async () => {
    const { importGraph, circles } = await load(script);
    const dir = mkdtempSync(path.join(tmpdir(), 'circles-'));
    try {
      mkdirSync(path.join(dir, 'commands'));
      writeFileSync(path.join(dir, 'commands', 'index.ts'), "import { backup } from './backup';\nexport interface Spec { id: string }\nexport const all = [backup];\n");
      writeFileSync(path.join(dir, 'commands', 'backup.ts'), "import type { Spec } from './index';\nexport const backup: Spec = { id: 'b' };\n");
      writeFileSync(path.join(dir, 'context.ts'), "// import { all } from './commands';\nexport const x = 1;\n");
      const before = circles(importGraph(dir)).map((g) => g.map((f) => path.relative(dir, f)));
      assert.deepEqual(before, [[path.join('commands', 'backup.ts'), path.join('commands', 'index.ts')]]);

      writeFileSync(path.join(dir, 'spec.ts'), 'export interface Spec { id: string }\n');
      writeFileSync(path.join(dir, 'commands', 'backup.ts'), "import type { Spec } from '../spec';\nexport const backup: Spec = { id: 'b' };\n");
      assert.deepEqual(circles(importGraph(dir)), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
