// Bundles the extension client and the language server with esbuild.
// Usage: node scripts/build.mjs [--watch] [--dev]
import * as esbuild from 'esbuild';
import { chmodSync, cpSync, mkdirSync } from 'node:fs';
import { clientNodeConfigOnly } from './clientNodeConfigOnly.mjs';

const watch = process.argv.includes('--watch');
const dev = process.argv.includes('--dev') || watch;

// yaml-language-server requires prettier for formatting, which we never expose; leave it out of the bundle.
const noPrettier = {
  name: 'no-prettier',
  setup(build) {
    build.onResolve({ filter: /^prettier(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'no-prettier' }));
    build.onLoad({ filter: /.*/, namespace: 'no-prettier' }, () => ({
      contents: 'module.exports = { format: async () => { throw new Error("formatting is not part of the StackGres server"); } };',
      loader: 'js',
    }));
  },
};

// The Kubernetes and S3 SDKs are large: they get bundles of their own, loaded on first use, so
// activation only parses the small client bundle. In the client bundle the import becomes a require of
// the sibling file.
const lazyModules = [
  { module: /\/kube\/clientNode$/, entry: 'client/src/kube/clientNode.ts', outfile: 'dist/kube.js' },
  { module: /\/storage\/s3$/, entry: 'client/src/storage/s3.ts', outfile: 'dist/s3.js' },
];
const lazy = {
  name: 'lazy-modules',
  setup(build) {
    build.onResolve({ filter: /\/(kube\/clientNode|storage\/s3)$/ }, (args) => {
      const m = lazyModules.find((l) => l.module.test(args.path));
      if (!m || args.importer.endsWith(m.entry)) return undefined;
      return { path: `./${m.outfile.slice('dist/'.length)}`, external: true };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: dev ? 'linked' : false,
  minify: !dev,
  logLevel: 'warning',
  metafile: true,
};

// Bundles that run in VS Code's extension host. From VS Code 1.139 (Node 24) reading the `navigator` global
// there logs a "PendingMigrationError" deprecation warning. oauth4webapi and openid-client (OIDC auth of
// @kubernetes/client-node) read it once at load, only to choose their User-Agent; as on Node 20, which has
// no `navigator`, they then send their own name.
const extensionHost = { ...common, external: ['vscode'], define: { navigator: 'undefined' } };

const targets = [
  { ...extensionHost, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', plugins: [lazy] },
  ...lazyModules.map((m) => ({ ...extensionHost, entryPoints: [m.entry], outfile: m.outfile, plugins: [clientNodeConfigOnly] })),
  // mainFields: jsonc-parser's UMD build requires its modules dynamically; its ESM build bundles cleanly.
  { ...common, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js', plugins: [noPrettier], mainFields: ['module', 'main'] },
  { ...common, entryPoints: ['server/src/schema/schemaWorker.ts'], outfile: 'dist/schemaWorker.js', plugins: [noPrettier], mainFields: ['module', 'main'] },
  // The command line (package.json `bin`): the server's checks without LSP, run by npx, CI and Git hooks.
  { ...common, entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js', plugins: [noPrettier], mainFields: ['module', 'main'], banner: { js: '#!/usr/bin/env node' } },
];

mkdirSync('dist', { recursive: true });
if (watch) {
  for (const t of targets) (await esbuild.context(t)).watch();
} else {
  for (const t of targets) {
    const result = await esbuild.build(t);
    const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
    console.log(`${t.outfile}: ${(bytes / 1024).toFixed(0)} KiB`);
  }
  // Runnable as ./dist/cli.js too, not only through npm's bin link.
  chmodSync('dist/cli.js', 0o755);
}
