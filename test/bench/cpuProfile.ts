/**
 * Reading `node --cpu-prof` output: self time per function within a time window (a benchmark phase).
 * Window times are process.hrtime in microseconds, the same monotonic clock V8 stamps its samples with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO } from './bench';

export interface Phase {
  readonly name: string;
  readonly startUs: number;
  readonly endUs: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotFunction {
  readonly functionName: string;
  readonly where: string;
  readonly selfMs: number;
  /** Share of the samples taken in the window, idle included. */
  readonly share: number;
}

/** The functions with the most self time in `phase`, from the (single) .cpuprofile in `dir`. */
export function hottestFunctions(dir: string, phase: Phase, count: number): { sampledMs: number; rows: HotFunction[] } {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i];
    t += delta;
    if (t < phase.startUs || t > phase.endUs) continue;
    const node = byId.get(profile.samples[i])!;
    const fn = node.callFrame.functionName || '(anonymous)';
    const where = node.callFrame.url ? `${path.relative(REPO, node.callFrame.url.replace(/^file:\/\//, ''))}:${node.callFrame.lineNumber + 1}` : '';
    const key = `${fn}\0${where}`;
    const entry = self.get(key) ?? { fn, where, us: 0 };
    // Each sample stands for the time until the next one.
    const us = profile.timeDeltas[i + 1] ?? delta;
    entry.us += us;
    total += us;
    self.set(key, entry);
  }
  const rows = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((e) => ({ functionName: e.fn, where: e.where, selfMs: e.us / 1000, share: total ? e.us / total : 0 }));
  return { sampledMs: total / 1000, rows };
}
