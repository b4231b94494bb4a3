/**
 * Kubernetes benchmark: 10,000 SGBackups in 100 namespaces (one SGCluster and one SGObjectStorage each) on
 * the test API server (its own process, TLS, bulk seed). In the same run, alternating, each in a fresh
 * process, wall time from spawn to done:
 *
 *  - kubectl:  `kubectl get sgbackups -A -o json` (the anchor; discovery cache warmed once, output read
 *              and discarded), when kubectl is on PATH;
 *  - bare:     a plain @kubernetes/client-node paged list of the same (the anchor where kubectl is missing);
 *  - ours:     the extension's path to the first full tree render (kube/worker.ts): the shipped
 *              dist/kube.js, the live caches of the three kinds, and the TreeItem of every node.
 *
 * Why outside VS Code: the connection (ClusterConnection) is tied to the editor, but everything below it is
 * plain code; the tree nodes and the model only need a few value classes from `vscode`, stubbed in
 * kube/vscodeStub.ts (no rendering is simulated). A fresh Node process counts Node's own start (~40 ms),
 * which the extension host does not pay again, so the ratio errs against us. The machine is shared: CPU time
 * (user + system, all threads; kubectl's through bash's `times`) is printed beside wall time, and does not
 * grow while other programs hold the CPU. Memory is that worker's: peak resident (the target is judged on it),
 * resident at the end with everything alive, and after two full GCs (what it keeps holding).
 *
 * Targets (issue 14): ours ≤ 0.25 × the anchor; the process holding the caches peaks at ≤ 150 MiB. Writes
 * test-results/bench-kube.json.
 * Options: `--runs=N` (default 5).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';
import { Benchmark, mib, ms, REPO, spread, summarize, table, writeResults, type Summary } from './bench';
import type { WorkerResult } from './kube/worker';

const NAMESPACES = 100;
const BACKUPS_PER_NAMESPACE = 100;
const DEFAULT_RUNS = 5;
const TARGET_RATIO = 0.25;
const TARGET_MEMORY = 150 * 1024 * 1024;

/** kubectl on PATH (it is at /usr/bin/kubectl on some machines, absent on fresh ones). */
function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

interface Server {
  kubeconfig: string;
  pid: number;
  stop(): Promise<void>;
}

/** The test API server in a process of its own, so its 10,000 objects are not counted in ours. */
async function startServer(dir: string): Promise<Server> {
  const kubeconfig = path.join(dir, 'kubeconfig.yaml');
  const child = spawn(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(REPO, 'test/kube-server/cli.ts'), '--tls', '--seed', 'none', '--bulk', `${NAMESPACES}:${BACKUPS_PER_NAMESPACE}`, '--kubeconfig-out', kubeconfig, '--quiet'],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the test API server did not start within 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the test API server exited (${code}):\n${output}`));
    });
  });
  const pid = child.pid as number;
  return {
    kubeconfig,
    pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Bundles the worker like the extension is built: minified, `vscode` resolved to the stub, the Kubernetes
 * and S3 layers left to the shipped dist/kube.js and dist/s3.js (as the client bundle loads them).
 */
async function bundleWorker(dir: string, mode: 'ours' | 'bare'): Promise<string> {
  const outfile = path.join(dir, `worker-${mode}.js`);
  const shipped: Record<string, string> = { 'kube/clientNode': path.join(REPO, 'dist/kube.js'), 'storage/s3': path.join(REPO, 'dist/s3.js') };
  for (const file of Object.values(shipped)) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build (npm run bench does)`);
  }
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'kube', 'worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'error',
    alias: { vscode: path.join(__dirname, 'kube', 'vscodeStub.ts') },
    plugins: [
      {
        name: 'shipped-bundles',
        setup(build) {
          build.onResolve({ filter: /\/(kube\/clientNode|storage\/s3)$/ }, (args) => {
            const key = Object.keys(shipped).find((k) => args.path.endsWith(k));
            return key ? { path: shipped[key], external: true } : undefined;
          });
          // The `ours` worker must not carry a second client-node; the `bare` one bundles it.
          if (mode === 'ours') build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: '@kubernetes/client-node', external: true }));
        },
      },
    ],
  });
  return outfile;
}

interface Timed {
  wallMs: number;
  /** CPU time of the measured process (user + system, all threads). */
  cpuMs?: number;
  result?: WorkerResult;
}

/**
 * kubectl under bash, whose `times` prints the CPU its children used: the wall time then includes a bash
 * start (a few ms), and kubectl writes to /dev/null instead of a pipe.
 */
async function timedKubectl(kubectl: string, args: string[]): Promise<Timed> {
  if (!existsSync('/bin/bash')) return timed(kubectl, args, 'bytes');
  const out = await timed('/bin/bash', ['-c', '"$0" "$@" > /dev/null && times', kubectl, ...args], 'text');
  const children = (out.text ?? '').trim().split('\n')[1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wallMs: out.wallMs, cpuMs: seconds.length === 2 ? (seconds[0] + seconds[1]) * 1000 : undefined };
}

/** Spawns a command and measures spawn → exit; `worker`: parses the result line, `bytes`: checks kubectl wrote its list. */
function timed(command: string, args: string[], output: 'worker' | 'bytes' | 'text'): Promise<Timed & { text?: string }> {
  const parse = output !== 'bytes';
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => {
      bytes += c.length;
      if (parse) out += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code}: ${err.slice(-2000)}`));
      if (output === 'bytes') {
        if (bytes < 1_000_000) return reject(new Error(`kubectl wrote only ${bytes} bytes`));
        return resolve({ wallMs });
      }
      if (output === 'text') return resolve({ wallMs, text: out });
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as WorkerResult;
      resolve({ wallMs, cpuMs: result.cpuMs, result });
    });
  });
}

function runsOption(flags: readonly string[]): number {
  const flag = flags.find((f) => f.startsWith('--runs='));
  const n = flag ? Number(flag.slice('--runs='.length)) : DEFAULT_RUNS;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--runs takes a positive number, not ${flag}`);
  return n;
}

const bench: Benchmark = {
  name: 'kube',
  description: `${(NAMESPACES * BACKUPS_PER_NAMESPACE).toLocaleString('en-US')} SGBackups in ${NAMESPACES} namespaces: first full tree render vs kubectl get -A -o json`,
  async run(options) {
    const runs = runsOption(options.flags);
    const dir = mkdtempSync(path.join(tmpdir(), 'stackgres-bench-kube-'));
    let server: Server | undefined;
    try {
      const [oursWorker, bareWorker] = await Promise.all([bundleWorker(dir, 'ours'), bundleWorker(dir, 'bare')]);
      const t = performance.now();
      server = await startServer(dir);
      console.log(`Test API server (pid ${server.pid}) seeded in ${ms(performance.now() - t)} ms`);
      const kubectl = findKubectl();
      const cacheDir = path.join(dir, 'kubectl-cache');
      const kubectlArgs = ['--kubeconfig', server.kubeconfig, '--cache-dir', cacheDir, 'get', 'sgbackups', '-A', '-o', 'json'];
      console.log(kubectl ? `Anchor: ${kubectl} get sgbackups -A -o json` : 'Anchor: kubectl is not on PATH; a bare client-node paged list stands in');

      // One unmeasured round: kubectl's discovery cache, the OS file cache for node and the bundles.
      const worker = (file: string, mode: string) => timed(process.execPath, ['--expose-gc', file, mode, (server as Server).kubeconfig], 'worker');
      if (kubectl) await timedKubectl(kubectl, kubectlArgs);
      await worker(bareWorker, 'bare');
      await worker(oursWorker, 'ours');

      const walls: Record<'kubectl' | 'bare' | 'ours', number[]> = { kubectl: [], bare: [], ours: [] };
      const cpus: Record<'kubectl' | 'bare' | 'ours', number[]> = { kubectl: [], bare: [], ours: [] };
      const results: WorkerResult[] = [];
      const bareResults: WorkerResult[] = [];
      for (let i = 0; i < runs; i++) {
        if (kubectl) {
          const k = await timedKubectl(kubectl, kubectlArgs);
          walls.kubectl.push(k.wallMs);
          if (k.cpuMs !== undefined) cpus.kubectl.push(k.cpuMs);
        }
        const b = await worker(bareWorker, 'bare');
        walls.bare.push(b.wallMs);
        cpus.bare.push(b.cpuMs as number);
        bareResults.push(b.result as WorkerResult);
        const o = await worker(oursWorker, 'ours');
        walls.ours.push(o.wallMs);
        cpus.ours.push(o.cpuMs as number);
        results.push(o.result as WorkerResult);
        process.stdout.write(`  run ${i + 1}/${runs}: ${kubectl ? `kubectl ${ms(walls.kubectl[i])} ms, ` : ''}bare ${ms(walls.bare[i])} ms, ours ${ms(walls.ours[i])} ms\n`);
      }

      const expected = NAMESPACES * BACKUPS_PER_NAMESPACE;
      const counts = results[results.length - 1].counts;
      if (counts.backups !== expected) throw new Error(`the tree showed ${counts.backups} backups, expected ${expected}`);
      if (bareResults[0].counts.backups !== expected) throw new Error(`the bare list saw ${bareResults[0].counts.backups} backups, expected ${expected}`);

      const s = {
        kubectl: walls.kubectl.length ? summarize(walls.kubectl) : undefined,
        bare: summarize(walls.bare),
        ours: summarize(walls.ours),
        oursLoad: summarize(results.map((r) => r.marks.loaded - r.marks.start)),
        oursCaches: summarize(results.map((r) => r.marks.cachesReady - r.marks.loaded)),
        oursRender: summarize(results.map((r) => r.marks.rendered - r.marks.cachesReady)),
        rss: summarize(results.map((r) => r.rss)),
        peak: summarize(results.map((r) => r.peakRss)),
        added: summarize(results.map((r) => r.rss - r.baselineRss)),
        heap: summarize(results.map((r) => r.heapUsed)),
        gcRss: summarize(results.map((r) => r.afterGc.rss)),
        rssLoaded: summarize(results.map((r) => r.rssAt.loaded)),
        rssCaches: summarize(results.map((r) => r.rssAt.cachesReady)),
        rssStart: summarize(results.map((r) => r.rssAt.start)),
        gcHeap: summarize(results.map((r) => r.afterGc.heapUsed)),
        cpuKubectl: cpus.kubectl.length ? summarize(cpus.kubectl) : undefined,
        cpuBare: summarize(cpus.bare),
        cpuOurs: summarize(cpus.ours),
        bareRss: summarize(bareResults.map((r) => r.rss)),
      };
      const anchorName = s.kubectl ? 'kubectl' : 'bare client-node list';
      const anchor = (s.kubectl ?? s.bare) as Summary;
      const ratio = s.ours.median / anchor.median;
      const cpuAnchor = s.cpuKubectl ?? s.cpuBare;
      const cpuRatio = s.cpuOurs.median / cpuAnchor.median;
      // The peak: what the process needed at its worst, garbage included (the conservative reading).
      const memory = s.peak.median;
      const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
      const mb = (n: number) => mib(n);
      console.log(
        `\n${table([
          ['measure', 'median (min–max)', 'what'],
          ...(s.kubectl ? [['kubectl get sgbackups -A -o json', `${spread(s.kubectl)} ms`, 'wall, spawn → exit (anchor)']] : []),
          ['bare client-node paged list', `${spread(s.bare)} ms`, `wall, spawn → listed${s.kubectl ? '' : ' (anchor)'}`],
          ['ours: first full tree render', `${spread(s.ours)} ms`, 'wall, spawn → every TreeItem built'],
          ['  load dist/kube.js + tree code', `${spread(s.oursLoad)} ms`, 'in the worker'],
          ['  live caches (3 kinds) ready', `${spread(s.oursCaches)} ms`, 'list + watch started'],
          ['  TreeItems built', `${spread(s.oursRender)} ms`, `${counts.rows.toLocaleString('en-US')} rows`],
          ...(s.cpuKubectl ? [['kubectl CPU time', `${spread(s.cpuKubectl)} ms`, 'user + system, all threads']] : []),
          ['bare list CPU time', `${spread(s.cpuBare)} ms`, 'user + system, all threads'],
          ['ours CPU time', `${spread(s.cpuOurs)} ms`, 'user + system, all threads'],
          ['ours: resident memory (peak)', spread(s.peak, mb), `at the end ${spread(s.rss, mb)}, ${spread(s.added, mb)} over the bare Node start; JS heap ${spread(s.heap, mb)}`],
          ['ours: resident by step', `${mb(s.rssStart.median)} → ${mb(s.rssLoaded.median)} → ${mb(s.rssCaches.median)}`, 'Node started → code loaded → caches ready'],
          ['ours: after full GC', spread(s.gcRss, mb), `resident; JS heap kept: ${spread(s.gcHeap, mb)} (caches, index, rows)`],
          ['bare list: resident memory', spread(s.bareRss, mb), 'for comparison'],
        ])}`,
      );
      console.log(`\nours / ${anchorName}: ${ratio.toFixed(2)}× wall (target ≤ ${TARGET_RATIO}×: ${verdict(ratio <= TARGET_RATIO)}), ${cpuRatio.toFixed(2)}× CPU time`);
      console.log(`memory of the process holding the caches: peak ${mb(memory)} (target ≤ ${mb(TARGET_MEMORY)}: ${verdict(memory <= TARGET_MEMORY)}); ${mb(s.gcRss.median)} after a full GC`);
      const file = writeResults('bench-kube.json', {
        objects: { namespaces: NAMESPACES, backups: expected, clusters: NAMESPACES, storages: NAMESPACES },
        runs,
        anchor: anchorName,
        kubectl: kubectl ?? null,
        wallMs: { kubectl: s.kubectl ?? null, bare: s.bare, ours: s.ours },
        oursPhasesMs: { load: s.oursLoad, caches: s.oursCaches, render: s.oursRender },
        cpuMs: { kubectl: s.cpuKubectl ?? null, bare: s.cpuBare, ours: s.cpuOurs },
        cpuRatio,
        memoryBytes: { byStep: { start: s.rssStart, loaded: s.rssLoaded, cachesReady: s.rssCaches, rendered: s.rss }, rss: s.rss, peakRss: s.peak, addedOverNode: s.added, heapUsed: s.heap, afterGc: { rss: s.gcRss, heapUsed: s.gcHeap }, bareListRss: s.bareRss },
        rows: counts,
        ratio,
        targets: { ratio: TARGET_RATIO, ratioMet: ratio <= TARGET_RATIO, memoryBytes: TARGET_MEMORY, memoryMet: memory <= TARGET_MEMORY },
      });
      console.log(`Results: ${path.relative(process.cwd(), file)}`);
    } finally {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
