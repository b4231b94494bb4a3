/**
 * One measured run of the Kubernetes benchmark, in a fresh Node process (bundled by kube.bench.ts; argv:
 * `<mode> <kubeconfig>`), printing one JSON line of `WorkerResult` on stdout.
 *
 *  - `ours`: the extension's own code path to the first full tree: the shipped Kubernetes bundle
 *    (dist/kube.js: `openKube`), the ClusterModel's live caches of SGCluster, SGBackup and SGObjectStorage
 *    (paged list, then watch), then the TreeItem (label, description, tooltip, icon) of every node under the
 *    context: namespaces, clusters, every backup, the storages. Bucket rows are built but not expanded
 *    (their children are S3 listings, not part of the cluster tree). `vscode` is the stub in vscodeStub.ts.
 *  - `bare`: the floor without kubectl: a plain @kubernetes/client-node paged list of SGBackups in all
 *    namespaces (500 a page, as kubectl's default chunk size), nothing kept.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface WorkerResult {
  mode: 'ours' | 'bare';
  /** Milliseconds since the process started (performance.now()) at each step. */
  marks: Record<string, number>;
  /** Resident memory at each step, in bytes. */
  rssAt: Record<string, number>;
  counts: Record<string, number>;
  /** Resident memory at the end and its peak (VmHWM), and the JS heap in use, in bytes. */
  rss: number;
  peakRss: number;
  heapUsed: number;
  /** Resident memory right after start, before anything of ours was loaded. */
  baselineRss: number;
  /** After two full garbage collections, everything still alive: what the process keeps holding. */
  afterGc: { rss: number; heapUsed: number };
  /** CPU time of the whole process (all threads), user + system, at the end of the measured work. */
  cpuMs: number;
}

function peakRss(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

interface Snapshot extends NodeJS.MemoryUsage {
  peakRss: number;
  cpuMs: number;
  afterGc: { rss: number; heapUsed: number };
}
let snapshot: Snapshot | undefined;
const marks: Record<string, number> = { start: performance.now() };
const rssAt: Record<string, number> = { start: process.memoryUsage().rss };
function mark(step: string): void {
  marks[step] = performance.now();
  rssAt[step] = process.memoryUsage().rss;
}

/** Memory and CPU now, then again after full collections (the worker runs with --expose-gc). */
function takeSnapshot(): Snapshot {
  const cpu = process.cpuUsage();
  const now = { ...process.memoryUsage(), peakRss: peakRss(), cpuMs: (cpu.user + cpu.system) / 1000 };
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the worker with --expose-gc');
  gc();
  gc();
  const after = process.memoryUsage();
  return { ...now, afterGc: { rss: after.rss, heapUsed: after.heapUsed } };
}

async function ours(kubeconfig: string): Promise<Record<string, number>> {
  const { openKube } = await import('../../../client/src/kube/clientNode');
  const { ClusterModel } = await import('../../../client/src/clusterModel');
  const { ContextNode } = await import('../../../client/src/tree/nodes');
  const { BucketBrowser } = await import('../../../client/src/storage/bucketBrowser');
  mark('loaded');
  const api = await openKube({ kubeconfigPath: kubeconfig, trusted: false });
  const quiet = () => undefined;
  const log = { info: quiet, warn: quiet, error: quiet, debug: quiet, trace: quiet } as unknown as Parameters<typeof ClusterModel.open>[1];
  const model = await ClusterModel.open(api, log);
  if (model.state.kind !== 'ready') throw new Error(`the model did not load: ${JSON.stringify(model.state)}`);
  mark('cachesReady');

  // Every row of the first full render, kept until measured (the workbench holds what it renders).
  const items: unknown[] = [];
  const counts: Record<string, number> = { namespaces: 0, clusters: 0, backups: 0, storages: 0, rows: 0 };
  const expand = /^stackgres\.(context|namespace|cluster|cluster\.backups|backups\.other|storages)$/;
  const walk = async (node: InstanceType<typeof ContextNode> | { treeItem(): unknown; children(): unknown }): Promise<void> => {
    const item = node.treeItem() as { contextValue?: string; label?: string; description?: unknown; tooltip?: unknown };
    items.push(item);
    counts.rows++;
    const kind = item.contextValue ?? '';
    if (kind === 'stackgres.namespace') counts.namespaces++;
    else if (kind.startsWith('stackgres.cluster')) counts.clusters++;
    else if (kind.startsWith('stackgres.backup.')) counts.backups++;
    else if (kind === 'stackgres.storage') counts.storages++;
    if (!expand.test(kind)) return;
    for (const child of (await node.children()) as { treeItem(): unknown; children(): unknown }[]) await walk(child);
  };
  await walk(new ContextNode(model, new BucketBrowser()));
  mark('rendered');
  counts.keptItems = items.length;
  // Measured while the caches, the model's index and the rendered rows are all alive.
  snapshot = takeSnapshot();
  model.dispose();
  api.dispose();
  return counts;
}

async function bare(kubeconfig: string): Promise<Record<string, number>> {
  const k8s = await import('@kubernetes/client-node');
  mark('loaded');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  let items = 0;
  let pages = 0;
  let next: string | undefined;
  do {
    const page = (await api.listClusterCustomObject({ group: 'stackgres.io', version: 'v1', plural: 'sgbackups', limit: 500, _continue: next })) as {
      items: unknown[];
      metadata?: { continue?: string };
    };
    items += page.items.length;
    pages++;
    next = page.metadata?.continue || undefined;
  } while (next);
  mark('listed');
  snapshot = takeSnapshot();
  return { backups: items, pages };
}

async function main(): Promise<void> {
  const [mode, kubeconfig] = process.argv.slice(2);
  const baselineRss = rssAt.start;
  if (mode !== 'ours' && mode !== 'bare') throw new Error(`unknown mode ${mode}`);
  const counts = mode === 'ours' ? await ours(kubeconfig) : await bare(kubeconfig);
  if (!snapshot) throw new Error('nothing was measured');
  const { rss, peakRss: peak, heapUsed, afterGc, cpuMs } = snapshot;
  const result: WorkerResult = { mode, marks, rssAt, counts, rss, peakRss: peak, heapUsed, baselineRss, afterGc, cpuMs };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
