/**
 * The Microsoft Kubernetes extension's public API, as its `vscode-kubernetes-tools-api` package defines it:
 * the extension's exports are an API broker, `get(component, version)` answers `{ available, api }`, and
 * the `configuration` component (v1.1, else v1) gives the kubeconfig path it uses and events when the path
 * or the context changes. No `vscode` value is imported here, so the contract is unit-tested.
 */
import * as path from 'node:path';
import type { Disposable, Event } from 'vscode';

export const KUBERNETES_EXTENSION_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';

export type KubeconfigPath = { readonly pathType: 'host'; readonly hostPath: string } | { readonly pathType: 'wsl'; readonly wslPath: string };

export interface KubernetesConfiguration {
  getKubeconfigPath(): KubeconfigPath;
  readonly onDidChangeKubeconfigPath?: Event<unknown>;
  /** Only in v1.1. */
  readonly onDidChangeContext?: Event<unknown>;
  /** Only in v1.1: the namespace chosen in its Clusters view. */
  readonly onDidChangeNamespace?: Event<unknown>;
}

interface Broker {
  get(component: string, version: string): Promise<{ available: boolean; api?: unknown }> | { available: boolean; api?: unknown };
}

function isBroker(value: unknown): value is Broker {
  return typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function';
}

/** The configuration API from the extension's exports, or why it is not usable. */
export async function configurationApi(exports: unknown): Promise<{ api: KubernetesConfiguration; version: string } | { reason: string }> {
  if (!isBroker(exports)) return { reason: 'its exports are not an API broker (an old version of the extension?)' };
  for (const version of ['v1_1', 'v1']) {
    const answer = await exports.get('configuration', version);
    const api = answer?.available ? answer.api : undefined;
    if (api && typeof (api as { getKubeconfigPath?: unknown }).getKubeconfigPath === 'function') return { api: api as KubernetesConfiguration, version };
  }
  return { reason: 'it offers no configuration API v1 or v1.1' };
}

/**
 * The kubeconfig files on this machine the extension uses; a WSL path is not one we can read. It hands a
 * multi-file KUBECONFIG over as one string (`a:b`): split as kubectl does, to be merged.
 */
export function hostKubeconfig(api: KubernetesConfiguration, delimiter = path.delimiter): string[] | undefined {
  const p = api.getKubeconfigPath();
  const files = p.pathType === 'host' && p.hostPath ? p.hostPath.split(delimiter).filter(Boolean) : [];
  return files.length ? files : undefined;
}

/** Subscribes to the changes of kubeconfig, context and namespace the API reports. */
export function onKubernetesChange(api: KubernetesConfiguration, listener: (what: 'kubeconfig' | 'context' | 'namespace') => void): Disposable[] {
  const out: Disposable[] = [];
  if (api.onDidChangeKubeconfigPath) out.push(api.onDidChangeKubeconfigPath(() => listener('kubeconfig')));
  if (api.onDidChangeContext) out.push(api.onDidChangeContext(() => listener('context')));
  if (api.onDidChangeNamespace) out.push(api.onDidChangeNamespace(() => listener('namespace')));
  return out;
}
