/**
 * An unminified bundle of our server for CPU profiles (the shipped one is minified, so its function
 * names say nothing). Same entry and resolution as scripts/build.mjs; prettier is left out as there.
 */
import { build } from 'esbuild';
import { mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { REPO } from '../bench';

/** Builds `<dir>/dist/server.js` with `<dir>/schemas` pointing at the repository's schemas; returns the bundle. */
export async function buildServerForProfiling(dir: string): Promise<string> {
  const outfile = path.join(dir, 'dist', 'server.js');
  mkdirSync(path.dirname(outfile), { recursive: true });
  symlinkSync(path.join(REPO, 'schemas'), path.join(dir, 'schemas'));
  await build({
    absWorkingDir: REPO,
    entryPoints: ['server/src/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: false,
    keepNames: true,
    logLevel: 'warning',
    mainFields: ['module', 'main'],
    plugins: [{
      name: 'no-prettier',
      setup(b) {
        b.onResolve({ filter: /^prettier(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'no-prettier' }));
        b.onLoad({ filter: /.*/, namespace: 'no-prettier' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
      },
    }],
  });
  return outfile;
}
