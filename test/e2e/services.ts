/**
 * What the drivers start beside the editor, and how the suite and the extension reach it: the sandbox
 * (test API server + Ceph RGW, see sandbox.ts) or a real cluster (`--kubeconfig`, see realCluster.ts) plus
 * RGW. Everything started here is stopped by the driver's cleanups, also on failure and Ctrl-C.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeRunConfig, S3RunConfig } from '../integration/runConfig';
import { onCleanup } from './processes';
import { connectRealCluster } from './realCluster';
import { startSandbox } from './sandbox';
import { startRgw } from '../s3/rgw';
import { REFERENCE_MISSING, reference, referenceRequired } from '../reference';
import { StepError } from './processes';

export interface ServiceOptions {
  /** Folder for the kubeconfig and logs (inside the driver's temporary run folder). */
  dir: string;
  /** A real cluster's kubeconfig (file, or a KUBECONFIG-style list) instead of the sandbox API server. */
  kubeconfig?: string;
  /** Start Ceph RGW (default true). */
  s3?: boolean;
}

export interface EditorServices {
  /** Absent in a plain clone: the sandbox API server serves the upstream CRDs (test/reference.ts). */
  kube?: KubeRunConfig;
  s3?: S3RunConfig;
  /** User settings for every editor profile of the run (`stackgres.kubeconfig`). */
  settings: Record<string, unknown>;
  /** Environment for code-server / VS Code. */
  env: NodeJS.ProcessEnv;
  summary: string[];
  /** The sandbox's log (failed API requests, operator and S3 mirror activity), when there is one. */
  logFile?: string;
  /** Stops what was started (also done by the driver's cleanups, on failure and Ctrl-C). */
  stop(): Promise<void>;
}

/** Registers `stop` as a cleanup and returns a stop that runs it once and unregisters it. */
function stoppable(name: string, stop: () => Promise<void>): () => Promise<void> {
  const unregister = onCleanup(name, stop);
  return async () => {
    unregister();
    await stop();
  };
}

export async function startEditorServices(options: ServiceOptions): Promise<EditorServices> {
  mkdirSync(options.dir, { recursive: true });
  const withS3 = options.s3 ?? true;
  if (!options.kubeconfig && !reference && !referenceRequired) {
    // The suite then leaves out the tests that need a cluster, and says how many (SuiteResults.notRun). An
    // empty kubeconfig keeps the extension away from whatever ~/.kube/config this machine has.
    const kubeconfig = join(options.dir, 'no-cluster.kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    return { settings: { 'stackgres.kubeconfig': kubeconfig }, env: {}, summary: [`No sandbox: ${REFERENCE_MISSING}`], stop: async () => undefined };
  }
  if (!options.kubeconfig) {
    const sandbox = await startSandbox({ dir: options.dir, s3: withS3 ? 'required' : 'off' });
    const stop = stoppable('the sandbox (Kubernetes API server, Ceph RGW)', sandbox.stop);
    return {
      stop,
      kube: sandbox.kube,
      s3: sandbox.s3,
      settings: { 'stackgres.kubeconfig': sandbox.kube.kubeconfig },
      env: {},
      summary: sandbox.summary,
      logFile: sandbox.logFile,
    };
  }
  const [cluster, rgw] = await Promise.all([
    connectRealCluster(options.kubeconfig),
    withS3
      ? startRgw().catch((err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          throw new StepError('start Ceph RGW (S3)', message.split('\n')[0], message.split('\n').slice(1).join('\n') || undefined);
        })
      : undefined,
  ]);
  const stopRgw = rgw ? stoppable('Ceph RGW', rgw.stop) : async () => undefined;
  const deleteNamespaces = stoppable(`delete the test namespaces ${cluster.kube.scratchPrefix}-*`, async () => {
    const deleted = await cluster.deleteScratchNamespaces();
    if (deleted.length) console.log(`Deleted test namespaces: ${deleted.join(', ')}`);
  });
  return {
    stop: async () => {
      await deleteNamespaces();
      await stopRgw();
    },
    kube: cluster.kube,
    s3: rgw ? { endpoint: rgw.endpoint, region: rgw.region, bucket: rgw.bucket, owner: { ...rgw.owner }, limited: { ...rgw.limited } } : undefined,
    settings: cluster.settings,
    env: cluster.env,
    summary: [cluster.summary, ...(rgw ? [`S3 ${rgw.endpoint} (Ceph RGW): bucket ${rgw.bucket}, empty`] : [])],
  };
}
