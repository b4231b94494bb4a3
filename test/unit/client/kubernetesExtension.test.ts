/** The Kubernetes extension's API contract: a broker whose `get(component, version)` answers `{ available, api }`. */
import * as assert from 'node:assert/strict';
import { configurationApi, hostKubeconfig, onKubernetesChange, type KubeconfigPath } from '../../../client/src/kubernetesExtension';

/** A minimal vscode.Event: listeners are called on fire, disposing unsubscribes. */
function emitter() {
  const listeners = new Set<(e: unknown) => void>();
  return {
    event: (l: (e: unknown) => void) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    fire: (e: unknown) => listeners.forEach((l) => l(e)),
  };
}

function broker(versions: Record<string, unknown>, asPromise = true) {
  const asked: string[] = [];
  return {
    asked,
    get(component: string, version: string) {
      asked.push(`${component} ${version}`);
      const api = component === 'configuration' ? versions[version] : undefined;
      const answer = api ? { available: true, api } : { available: false, reason: 'APIVersionUnknownInThisExtensionVersion' };
      return asPromise ? Promise.resolve(answer) : answer;
    },
  };
}

describe('Kubernetes extension API', () => {
  it('takes configuration v1.1 and follows kubeconfig and context changes', async () => {
    const pathChanged = emitter();
    const contextChanged = emitter();
    let path: KubeconfigPath = { pathType: 'host', hostPath: '/home/dba/.kube/prod' };
    const b = broker({ v1_1: { getKubeconfigPath: () => path, onDidChangeKubeconfigPath: pathChanged.event, onDidChangeContext: contextChanged.event } });
    const found = await configurationApi(b);
    assert.ok('api' in found);
    assert.equal(found.version, 'v1_1');
    assert.deepEqual(b.asked, ['configuration v1_1']);
    assert.deepEqual(hostKubeconfig(found.api), ['/home/dba/.kube/prod']);

    let changes = 0;
    const subscriptions = onKubernetesChange(found.api, () => changes++);
    path = { pathType: 'host', hostPath: '/home/dba/.kube/staging' };
    pathChanged.fire(path);
    contextChanged.fire('staging');
    assert.equal(changes, 2);
    assert.deepEqual(hostKubeconfig(found.api), ['/home/dba/.kube/staging']);
    subscriptions.forEach((s) => s.dispose());
    contextChanged.fire('prod');
    assert.equal(changes, 2, 'no calls after dispose');
  });

  it('falls back to configuration v1 (no context event), from a broker answering synchronously', async () => {
    const b = broker({ v1: { getKubeconfigPath: () => ({ pathType: 'host', hostPath: '/k' }), onDidChangeKubeconfigPath: emitter().event } }, false);
    const found = await configurationApi(b);
    assert.ok('api' in found);
    assert.equal(found.version, 'v1');
    assert.deepEqual(b.asked, ['configuration v1_1', 'configuration v1']);
    assert.equal(onKubernetesChange(found.api, () => undefined).length, 1);
  });

  it('says why when the exports are no broker or offer no configuration API', async () => {
    assert.deepEqual(await configurationApi(undefined), { reason: 'its exports are not an API broker (an old version of the extension?)' });
    assert.deepEqual(await configurationApi({ configuration: { v1: {} } }), { reason: 'its exports are not an API broker (an old version of the extension?)' });
    assert.deepEqual(await configurationApi(broker({})), { reason: 'it offers no configuration API v1 or v1.1' });
  });

  it('does not use a WSL kubeconfig path, which this machine cannot read', async () => {
    const found = await configurationApi(broker({ v1: { getKubeconfigPath: () => ({ pathType: 'wsl', wslPath: '/mnt/c/k' }) } }));
    assert.ok('api' in found);
    assert.equal(hostKubeconfig(found.api), undefined);
  });

  it('splits a multi-file KUBECONFIG handed over as one string, as kubectl does', async () => {
    const found = await configurationApi(broker({ v1_1: { getKubeconfigPath: () => ({ pathType: 'host', hostPath: '/home/dba/.kube/a::/home/dba/.kube/b' }) } }));
    assert.ok('api' in found);
    assert.deepEqual(hostKubeconfig(found.api, ':'), ['/home/dba/.kube/a', '/home/dba/.kube/b']);
    // Windows separates with ';' and has ':' in drive letters.
    const windows = await configurationApi(broker({ v1_1: { getKubeconfigPath: () => ({ pathType: 'host', hostPath: 'C:\\k\\a;C:\\k\\b' }) } }));
    assert.ok('api' in windows);
    assert.deepEqual(hostKubeconfig(windows.api, ';'), ['C:\\k\\a', 'C:\\k\\b']);
  });

  it('follows namespace changes (configuration API v1.1)', async () => {
    const namespaceChanged = emitter();
    const found = await configurationApi(broker({ v1_1: { getKubeconfigPath: () => ({ pathType: 'host', hostPath: '/k' }), onDidChangeNamespace: namespaceChanged.event } }));
    assert.ok('api' in found);
    const seen: string[] = [];
    const subscriptions = onKubernetesChange(found.api, (what) => seen.push(what));
    namespaceChanged.fire('staging');
    assert.deepEqual(seen, ['namespace']);
    subscriptions.forEach((d) => d.dispose());
    namespaceChanged.fire('demo');
    assert.deepEqual(seen, ['namespace']);
  });
});
