/**
 * Reading `node --cpu-prof` output: self and inclusive time per function and self time per source module
 * within a time window (a benchmark phase). Window times are process.hrtime in microseconds, the same
 * monotonic clock V8 stamps its samples with. Functions in an unminified esbuild bundle are attributed to
 * the module they came from through the `// path/to/module.ts` comments esbuild writes before each module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './bench';

export interface Phase {
  readonly name: string;
  readonly startUs: number;
  readonly endUs: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Hot {
  readonly name: string;
  readonly ms: number;
  /** Share of the samples taken in the window, idle included. */
  readonly share: number;
}

export interface PhaseProfile {
  readonly sampledMs: number;
  readonly selfByFunction: Hot[];
  readonly inclusiveByFunction: Hot[];
  readonly selfByModule: Hot[];
}

export class ProfileReader {
  private readonly profile: CpuProfile;
  private readonly byId: Map<number, ProfileNode>;
  private readonly parent = new Map<number, number>();
  private readonly modules = new Map<string, { line: number; module: string }[]>();

  constructor(dir: string) {
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile in ${dir}`);
    this.profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    this.byId = new Map(this.profile.nodes.map((n) => [n.id, n]));
    for (const n of this.profile.nodes) for (const c of n.children ?? []) this.parent.set(c, n.id);
  }

  phase(phase: Phase, count: number): PhaseProfile {
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const modules = new Map<string, number>();
    const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
    let t = this.profile.startTime;
    let total = 0;
    const { samples, timeDeltas } = this.profile;
    for (let i = 0; i < samples.length; i++) {
      t += timeDeltas[i];
      if (t < phase.startUs || t > phase.endUs) continue;
      // A sample stands for the time until the next one.
      const us = timeDeltas[i + 1] ?? timeDeltas[i];
      total += us;
      const node = this.byId.get(samples[i])!;
      add(self, this.label(node), us);
      add(modules, this.module(node), us);
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = this.parent.get(id)) {
        const label = this.label(this.byId.get(id)!);
        if (!seen.has(label)) {
          seen.add(label);
          add(inclusive, label, us);
        }
      }
    }
    const top = (m: Map<string, number>, skip: (k: string) => boolean = () => false): Hot[] => [...m]
      .filter(([k]) => !skip(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }));
    // Inclusive time is shown for the code that decides what to do: ours and yaml-language-server's services.
    const plumbing = (k: string) => !/ (server\/src\/|yaml-language-server\/out\/server\/src\/languageservice\/(services|parser\/yaml))/.test(k) || /^node_modules\//.test(k);
    return { sampledMs: total / 1000, selfByFunction: top(self), inclusiveByFunction: top(inclusive, plumbing), selfByModule: top(modules) };
  }

  private label(node: ProfileNode): string {
    const fn = node.callFrame.functionName || '(anonymous)';
    return node.callFrame.url ? `${fn} ${this.module(node)}` : fn;
  }

  /** The source module of a frame: the esbuild module comment above it in a bundle, else the file. */
  private module(node: ProfileNode): string {
    const url = node.callFrame.url;
    if (!url) return '(V8: GC, idle, natives)';
    if (!url.startsWith('file://')) return url;
    const file = fileURLToPath(url);
    let marks = this.modules.get(file);
    if (!marks) {
      marks = [];
      try {
        readFileSync(file, 'utf8').split('\n').forEach((text, line) => {
          const m = /^\/\/ ((?:node_modules|server|client|test)\/\S+\.[cm]?[jt]s)$/.exec(text);
          if (m) marks!.push({ line, module: m[1] });
        });
      } catch {
        // a file that is gone: use its name
      }
      this.modules.set(file, marks);
    }
    let found: string | undefined;
    for (const mark of marks) {
      if (mark.line > node.callFrame.lineNumber) break;
      found = mark.module;
    }
    return (found ?? path.relative(REPO, file)).replace(/^node_modules\//, '');
  }
}
