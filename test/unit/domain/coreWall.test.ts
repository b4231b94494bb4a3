import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const coreDir = path.join(repo, 'server/src/domain');
const coreTsconfig = path.join(coreDir, 'tsconfig.json');

// Probe files compiled together with the whole core under the core's own tsconfig. They sit in a temporary
// folder whose node_modules is the repository's, so `vscode` and `node:fs` resolve exactly as they would
// from a core file: only the core project's settings can make them fail.
const PROBES = {
  'vscodeProbe.ts': "import * as vscode from 'vscode';\nexport const show = vscode.window.showInformationMessage;\n",
  'nodeSideEffectProbe.ts': "import 'node:fs';\nexport {};\n",
  'nodeNamedProbe.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'nodeGlobalsProbe.ts': "export const bytes = Buffer.from('x');\nexport const env = process.env;\n",
  // The control: plain ECMAScript importing the core compiles, so the failures above are the imports'.
  'controlProbe.ts': "import { kindInfo } from './core/kinds';\nexport const cluster = kindInfo('SGCluster');\nexport const at = new URL('https://s3.example.com').host;\n",
};

describe('the core has a compiler wall', function () {
  this.timeout(120_000);
  let dir: string;
  let errorsByFile: Map<string, string[]>;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'core-wall-'));
    symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    // The control imports the core by a relative path from the probe folder.
    symlinkSync(coreDir, path.join(dir, 'core'), 'dir');
    for (const [name, text] of Object.entries(PROBES)) writeFileSync(path.join(dir, name), text);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: coreTsconfig, include: [`${coreDir}/**/*.ts`, ...Object.keys(PROBES)], exclude: [] }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    // tsc prints paths relative to its working directory: run it in the probe folder.
    const run = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8', timeout: 110_000 });
    assert.equal(run.error, undefined, String(run.error));
    assert.notEqual(run.status, 0, 'tsc compiled the probes without an error');
    errorsByFile = new Map();
    for (const line of run.stdout.split('\n')) {
      const m = /^(.+?)\(\d+,\d+\): error (TS\d+: .*)$/.exec(line);
      if (!m) continue;
      const file = path.relative(dir, path.resolve(dir, m[1]));
      errorsByFile.set(file, [...(errorsByFile.get(file) ?? []), m[2]]);
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses `import * as vscode from "vscode"` in a core file', () => {
    assert.match((errorsByFile.get('vscodeProbe.ts') ?? []).join('\n'), /TS2306: File '.*vscodeIsNotPartOfTheCore\.d\.ts' is not a module/);
  });

  it('refuses `import "node:fs"`, named Node imports and Node globals in a core file', () => {
    assert.match((errorsByFile.get('nodeSideEffectProbe.ts') ?? []).join('\n'), /TS2307: Cannot find module 'node:fs'/);
    assert.match((errorsByFile.get('nodeNamedProbe.ts') ?? []).join('\n'), /TS2307: Cannot find module 'node:fs'/);
    const globals = (errorsByFile.get('nodeGlobalsProbe.ts') ?? []).join('\n');
    assert.match(globals, /Cannot find name 'Buffer'/);
    assert.match(globals, /Cannot find name 'process'/);
  });

  it('compiles the core itself and plain ECMAScript that uses it', () => {
    const others = [...errorsByFile].filter(([file]) => !file.endsWith('Probe.ts') || file === 'controlProbe.ts');
    assert.deepEqual(others, []);
  });

  it('is part of `npm run typecheck`', () => {
    const scripts = (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.typecheck, /tsc -p server\/src\/domain\b/);
  });
});
