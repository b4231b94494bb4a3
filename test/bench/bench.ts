/**
 * What every benchmark shares: the shape the runner (`index.ts`) expects, statistics, the side-by-side
 * table, and where results are written. Benchmarks measure and print; they do not fail on a missed target.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const RESULTS_DIR = path.join(REPO, 'test-results');

export interface BenchOptions {
  /** Extra command-line words after `npm run bench --` that are not benchmark names (e.g. `--cpu-prof`). */
  readonly flags: readonly string[];
}

/** One benchmark file (`<name>.bench.ts`) default-exports one of these. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(options: BenchOptions): Promise<void>;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
}

export function summarize(runs: readonly number[]): Summary {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

export interface Latencies {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export function latencies(values: readonly number[]): Latencies {
  return { count: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values) };
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : '—';
}

/** `median (min–max)` of a summary, formatted by `unit`. */
export function spread(s: Summary | undefined, unit: (n: number) => string = ms): string {
  if (!s) return '—';
  return s.min === s.max ? unit(s.median) : `${unit(s.median)} (${unit(s.min)}–${unit(s.max)})`;
}

/** A plain-text table: the first row is the header; columns are padded, numbers read left to right. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (cell ?? '').padEnd(widths[c])).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n');
}

export function writeResults(file: string, value: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const target = path.join(RESULTS_DIR, file);
  writeFileSync(target, `${JSON.stringify(value, null, 2)}\n`);
  return target;
}

/** Resident and peak resident memory of a process, from /proc (Linux), in bytes. */
export function processMemory(pid: number): { rss: number; peakRss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

/**
 * CPU time a process has used so far, all its threads (GC helpers included), in milliseconds, from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU). Unlike wall time it does not grow while other
 * programs on the machine hold the CPU. Threads that already exited are not counted.
 */
export function processCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}
