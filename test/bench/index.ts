/**
 * `npm run bench [-- <name>...] [-- --cpu-prof]`: runs every `test/bench/<name>.bench.ts` (or only the
 * named ones), one after the other. A benchmark default-exports a `Benchmark` (see bench.ts); to add one,
 * drop a new `<name>.bench.ts` here. Missed targets are printed, not failed: the exit code is non-zero only
 * when a benchmark could not run.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Benchmark } from './bench';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flags = args.filter((a) => a.startsWith('--'));
  const names = args.filter((a) => !a.startsWith('--'));
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort();
  const available = files.map((f) => f.replace(/\.bench\.ts$/, ''));
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length) {
    console.error(`Unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const bench = (require(path.join(__dirname, file)) as { default: Benchmark }).default;
    if (names.length && !names.includes(bench.name)) continue;
    console.log(`\n=== ${bench.name}: ${bench.description}`);
    try {
      await bench.run({ flags });
    } catch (err) {
      failed++;
      console.error(`Benchmark ${bench.name} could not run: ${(err as Error).stack ?? String(err)}`);
    }
  }
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
