/**
 * `--kubeconfig <file>` for the drivers: the suite runs against a real cluster with StackGres installed
 * instead of the sandbox API server. The current context of that kubeconfig is used; it needs rights to
 * create and delete a namespace and StackGres objects in it. Tests put their objects in namespaces named
 * `<scratchPrefix>-...`; every such namespace is deleted when the driver ends (also on failure or Ctrl-C).
 */
import { randomBytes } from 'node:crypto';
import { delimiter, resolve } from 'node:path';
import type * as K8sTypes from '@kubernetes/client-node';
import { openKube } from '../../client/src/kube/clientNode';
import type { KubeRunConfig } from '../integration/runConfig';
import { StepError } from './processes';

export interface RealCluster {
  kube: KubeRunConfig;
  /** VS Code user settings that point the extension at the kubeconfig (one file). */
  settings: Record<string, unknown>;
  /** Environment for code-server when the kubeconfig is several files (KUBECONFIG-style list). */
  env: NodeJS.ProcessEnv;
  summary: string;
  /** Deletes the namespaces the tests created (names starting with the scratch prefix). */
  deleteScratchNamespaces(): Promise<string[]>;
}

export async function connectRealCluster(kubeconfig: string): Promise<RealCluster> {
  const step = `connect to the cluster of --kubeconfig ${kubeconfig}`;
  const files = kubeconfig.split(delimiter).filter(Boolean).map((f) => resolve(f));
  if (files.length === 0) throw new StepError(step, '--kubeconfig names no file');
  let api;
  try {
    api = await openKube({ kubeconfigPath: files, trusted: true, timeoutMs: 15_000 });
    await api.stackgresCrds({ timeoutMs: 15_000 });
  } catch (err) {
    const e = err as { message?: string; action?: string };
    throw new StepError(step, e.message ?? String(err), e.action);
  } finally {
    api?.dispose();
  }
  const context = api.context;
  const scratchPrefix = `sgvscode-it-${randomBytes(3).toString('hex')}`;
  const kube: KubeRunConfig = {
    target: 'cluster',
    kubeconfig: files.join(delimiter),
    context: context.name,
    url: context.server ?? 'in-cluster',
    contexts: {},
    tokens: {},
    namespaces: [],
    scratchPrefix,
  };
  return {
    kube,
    settings: files.length === 1 ? { 'stackgres.kubeconfig': files[0] } : {},
    env: files.length === 1 ? {} : { KUBECONFIG: files.join(delimiter) },
    summary: `Kubernetes: context ${context.name} at ${context.server ?? 'in-cluster'} (real cluster); test namespaces ${scratchPrefix}-*`,
    deleteScratchNamespaces: () => deleteNamespaces(files, context.name, `${scratchPrefix}-`),
  };
}

async function deleteNamespaces(files: string[], contextName: string, prefix: string): Promise<string[]> {
  const k8s: typeof K8sTypes = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = files.join(delimiter);
  try {
    kc.loadFromDefault();
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
  kc.setCurrentContext(contextName);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const list = await core.listNamespace();
  const names = list.items.map((n) => n.metadata?.name ?? '').filter((n) => n.startsWith(prefix));
  for (const name of names) await core.deleteNamespace({ name });
  return names;
}
