/**
 * Bundles test/integration for the extension host: index.js (the runner, mocha inside) and one bundle per
 * `*.test.ts`, with `vscode` left to the host. The output folder can live anywhere, since nothing is
 * resolved from node_modules at run time.
 */
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_CONFIG_FILE, RunConfig } from '../integration/runConfig';
import { StepError } from './processes';

export const REPO_ROOT = join(__dirname, '..', '..');
const SUITE_SOURCES = join(REPO_ROOT, 'test', 'integration');

/** Bundles the suite into `outDir` and writes the run's configuration beside it; returns index.js. */
export async function bundleSuite(outDir: string, config?: RunConfig): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const tests = readdirSync(SUITE_SOURCES).filter((f) => f.endsWith('.test.ts'));
  try {
    await esbuild.build({
      entryPoints: [join(SUITE_SOURCES, 'index.ts'), ...tests.map((f) => join(SUITE_SOURCES, f))],
      outdir: outDir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode'],
      keepNames: true,
      logLevel: 'error',
    });
  } catch (err) {
    throw new StepError('bundle the integration suite', 'esbuild failed', String(err));
  }
  if (config) writeFileSync(join(outDir, RUN_CONFIG_FILE), JSON.stringify(config, null, 2));
  return join(outDir, 'index.js');
}
