/**
 * The Microsoft Kubernetes extension's public API, typed by its `vscode-kubernetes-tools-api` package (types
 * only: nothing of it is bundled): the extension's exports are an API broker, `get(component, version)`
 * answers `{ available, api }`, and the `configuration` component (v1.1, else v1) gives the kubeconfig path
 * it uses and events when the path, the context or (v1.1) the namespace changes. No `vscode` value is
 * imported here, so the contract is unit-tested, and test/e2e/coexistence.ts checks it on the real extension.
 */
import * as path from 'node:path';
import type { Disposable } from 'vscode';
import type { API, ConfigurationV1 } from 'vscode-kubernetes-tools-api';
// 1.3.0 does not re-export v1.1 from its index.
import type { ConfigurationV1_1 } from 'vscode-kubernetes-tools-api/js/configuration/v1_1';

export const KUBERNETES_EXTENSION_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';

export type KubeconfigPath = ConfigurationV1.KubeconfigPath;

/** v1.1, or v1 (which has no events but the kubeconfig path's, and that only in v1.1's typing). */
export type KubernetesConfiguration = ConfigurationV1 & Partial<Pick<ConfigurationV1_1, 'onDidChangeKubeconfigPath' | 'onDidChangeContext' | 'onDidChangeNamespace'>>;

/** The exports' `get`; some versions answer synchronously, so both are accepted. */
interface Broker {
  get(component: string, version: string): Promise<API<unknown>> | API<unknown>;
}

function isBroker(value: unknown): value is Broker {
  return typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function';
}

/** The configuration API from the extension's exports, or why it is not usable. */
export async function configurationApi(exports: unknown): Promise<{ api: KubernetesConfiguration; version: string } | { reason: string }> {
  if (!isBroker(exports)) return { reason: 'its exports are not an API broker (an old version of the extension?)' };
  for (const version of ['v1_1', 'v1']) {
    const answer = await exports.get('configuration', version);
    const api = answer?.available ? (answer.api as unknown) : undefined;
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
