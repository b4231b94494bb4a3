/**
 * Language-server memory: resident memory after the first validation of a ~700 KB file against after 100
 * one-character edits (two shapes: one huge document; many small ones), and the workspace scan of a
 * GitOps-like folder of 5,000 YAML files (200 SGClusters, 19,200 Deployments, ~20 MB) against a one-file
 * workspace: server CPU until the index is built, settled memory, and the first diagnostics of a file opened
 * while the scan runs. Prints the anchors side by side with their ratios; writes test-results/bench-memory.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Benchmark, mib, ms, processCpuMs, processMemory, REPO, table, writeResults } from './bench';
import { generateStackGresFile } from './lsp/manifests';
import { BenchClient, nodeFlagsOption, ourServer } from './lsp/servers';
import { gitOpsWorkspace, hugeDocument, OPENED_CLUSTER } from './memory/workspace';

const EDITS = 100;
const TARGETS = { editsRss: 1.1, scanCpuMs: 2000, scanRssAboveMiB: 50 };

interface EditResult {
  readonly shape: string;
  readonly bytes: number;
  readonly documents: number;
  readonly rssFirst: number;
  readonly rssAfterEdits: number;
  /** After as many edits again: a leak keeps growing, warm-up (compiled code, allocator pools) does not. */
  readonly rssAfterTwice: number;
  readonly peakRss: number;
  readonly firstMs: number;
  readonly editMsMedian: number;
}

interface WorkspaceResult {
  readonly name: string;
  readonly files: number;
  readonly bytes: number;
  /** Server CPU (all threads) from start until the index log line. */
  readonly cpuAtIndexMs: number;
  /** didOpen (sent right after `initialized`, while the scan runs) → first diagnostics. */
  readonly firstDiagnosticsMs: number;
  readonly rssSettled: number;
  readonly indexLog: string;
}

const bench: Benchmark = {
  name: 'memory',
  description: 'language server memory while typing in a ~700 KB file, and the 5,000-file workspace scan',
  async run(options) {
    // `--server=<dist/server.js>`: measure another build (e.g. of the commit before a change).
    const bundle = options.flags.find((f) => f.startsWith('--server='))?.slice('--server='.length);
    if (bundle) console.log(`Server: ${bundle}`);
    const nodeFlags = nodeFlagsOption(options.flags);
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-memory-bench-'));
    try {
      const edits: EditResult[] = [];
      const huge = hugeDocument(700 * 1024);
      edits.push(await measureEdits(bundle, nodeFlags, 'one huge document', dir, huge.text, huge.editLines));
      const many = generateStackGresFile(600, 7);
      const valueSites = many.sites.filter((s) => s.on === 'value');
      const step = Math.floor(valueSites.length / EDITS);
      edits.push(await measureEdits(bundle, nodeFlags, 'many small documents', dir, many.text, Array.from({ length: EDITS }, (_, i) => valueSites[i * step]).map((s) => ({ line: s.line, character: s.character }))));

      // `--typing`: the typing part alone (about a minute), for comparing candidates.
      const workspaces = options.flags.includes('--typing') ? [] : await measureWorkspaces(bundle, nodeFlags, dir);
      console.log(`\nTyping: RSS after the first validation vs after ${EDITS} one-character edits (each waited for), and after ${EDITS} more`);
      console.log(table([
        ['shape', 'size', 'documents', 'first validation', `RSS first`, `after ${EDITS} edits`, 'ratio', 'target', `after ${2 * EDITS}`, `${2 * EDITS} vs ${EDITS}`, 'peak RSS', 'edit (median)'],
        ...edits.map((e) => {
          const ratio = e.rssAfterEdits / e.rssFirst;
          return [e.shape, `${(e.bytes / 1024).toFixed(0)} KiB`, String(e.documents), `${ms(e.firstMs)} ms`, mib(e.rssFirst), mib(e.rssAfterEdits), `${ratio.toFixed(2)}x`,
            `≤ ${TARGETS.editsRss}x ${mark(ratio <= TARGETS.editsRss)}`, mib(e.rssAfterTwice), `${(e.rssAfterTwice / e.rssAfterEdits).toFixed(2)}x`, mib(e.peakRss), `${ms(e.editMsMedian)} ms`];
        }),
      ]));
      const json = writeResults('bench-memory.json', { targets: TARGETS, edits, ...(workspaces.length ? { workspaces } : {}) });
      console.log(`\nResults: ${path.relative(REPO, json)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default bench;

const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

async function measureWorkspaces(bundle: string | undefined, nodeFlags: readonly string[] | undefined, dir: string): Promise<WorkspaceResult[]> {
  const one = path.join(dir, 'one-file');
  mkdirSync(one);
  writeFileSync(path.join(one, 'cluster.yaml'), OPENED_CLUSTER);
  const gitops = path.join(dir, 'gitops');
  const generated = gitOpsWorkspace(gitops);
  const workspaces = [
    await measureWorkspace(bundle, nodeFlags, 'one file', one, { files: 1, bytes: OPENED_CLUSTER.length }),
    await measureWorkspace(bundle, nodeFlags, `${generated.files.toLocaleString('en-US')} files`, gitops, generated),
  ];
  console.log(`\nWorkspace: ${generated.files} files, ${(generated.bytes / 1024 / 1024).toFixed(1)} MB (${generated.clusters} SGClusters, ${generated.secrets} Secrets, ${generated.deployments.toLocaleString('en-US')} Deployments)`);
  const [base, big] = workspaces;
  const scanCpu = big.cpuAtIndexMs - base.cpuAtIndexMs;
  const rssAbove = (big.rssSettled - base.rssSettled) / 1024 / 1024;
  console.log(table([
    ['', base.name, big.name, 'difference', 'target'],
    ['server CPU until indexed', `${ms(base.cpuAtIndexMs)} ms`, `${ms(big.cpuAtIndexMs)} ms`, `${ms(scanCpu)} ms`, `≤ ${TARGETS.scanCpuMs} ms ${mark(scanCpu <= TARGETS.scanCpuMs)}`],
    ['settled RSS', mib(base.rssSettled), mib(big.rssSettled), `${rssAbove.toFixed(0)} MiB`, `≤ ${TARGETS.scanRssAboveMiB} MiB ${mark(rssAbove <= TARGETS.scanRssAboveMiB)}`],
    ['first diagnostics during the scan', `${ms(base.firstDiagnosticsMs)} ms`, `${ms(big.firstDiagnosticsMs)} ms`, `${(big.firstDiagnosticsMs / base.firstDiagnosticsMs).toFixed(2)}x`, 'unaffected'],
  ]));
  for (const w of workspaces) console.log(`  ${w.name}: ${w.indexLog}`);
  return workspaces;
}

async function measureEdits(bundle: string | undefined, nodeFlags: readonly string[] | undefined, shape: string, dir: string, text: string, sites: readonly { line: number; character: number }[]): Promise<EditResult> {
  const file = path.join(dir, `${shape.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).toString();
  const client = await BenchClient.start(ourServer(bundle, undefined, nodeFlags));
  try {
    const first = await client.open(uri, text);
    const rssFirst = processMemory(client.pid).rss;
    const editMs: number[] = [];
    let rssAfterEdits = NaN;
    for (let i = 0; i < 2 * EDITS; i++) {
      const at = sites[i % sites.length];
      const r = await client.change(uri, i + 2, { start: at, end: at }, 'x');
      editMs.push(r.ms);
      if (i === EDITS - 1) rssAfterEdits = processMemory(client.pid).rss;
    }
    const mem = processMemory(client.pid);
    process.stdout.write('.');
    return {
      shape, bytes: Buffer.byteLength(text), documents: text.split(/^---$/m).length, rssFirst, rssAfterEdits, rssAfterTwice: mem.rss, peakRss: mem.peakRss,
      firstMs: first.ms, editMsMedian: [...editMs].sort((a, b) => a - b)[Math.floor(editMs.length / 2)],
    };
  } finally {
    await client.stop();
  }
}

async function measureWorkspace(bundle: string | undefined, nodeFlags: readonly string[] | undefined, name: string, folder: string, size: { files: number; bytes: number }): Promise<WorkspaceResult> {
  const client = await BenchClient.start(ourServer(bundle, folder, nodeFlags));
  try {
    // Opened at once, as when VS Code restores an editor: its diagnostics must not wait for the scan.
    const opened = await client.open(pathToFileURL(path.join(folder, 'cluster.yaml')).toString(), OPENED_CLUSTER);
    const indexLog = await client.waitForLog(/Indexed \d+ YAML file/);
    const cpuAtIndexMs = processCpuMs(client.pid);
    const rssSettled = await settledRss(client.pid);
    process.stdout.write('.');
    return { name, files: size.files, bytes: size.bytes, cpuAtIndexMs, firstDiagnosticsMs: opened.ms, rssSettled, indexLog };
  } finally {
    await client.stop();
  }
}

/** RSS once it stops moving: three readings 500 ms apart within 1 MiB of each other (at most 20 s). */
async function settledRss(pid: number): Promise<number> {
  const readings: number[] = [];
  const deadline = performance.now() + 20_000;
  for (;;) {
    readings.push(processMemory(pid).rss);
    const last = readings.slice(-3);
    if (last.length === 3 && Math.max(...last) - Math.min(...last) < 1024 * 1024) return last[2];
    if (performance.now() > deadline) return readings[readings.length - 1];
    await new Promise((r) => setTimeout(r, 500));
  }
}
