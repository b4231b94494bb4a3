// Reading a backup Job's pod, its log (once and followed) and the Events through KubeApi, against the test
// server's simulated operator (only it runs backup Jobs on demand).
import * as assert from 'node:assert/strict';
import type { KubeObject } from '../../../../client/src/kube/api';
import { failOnUnhandledRejections, kubeFailure, openTestServer, sgObjectStorage, waitFor, type Target } from './helpers';
import type { KubeServer } from '../../../kube-server';
import { describeWithReference } from '../../../reference';

describeWithReference('Kubernetes access: backup Job pods, logs and Events', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  let t: Target & { server: KubeServer };
  let ns: string;

  async function running(name: string): Promise<string> {
    await t.api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace: ns }, spec: { sgCluster: 'orders' } });
    return waitFor(`${name} Running`, async () => {
      const p = ((await t.api.get('SGBackup', ns, name))?.status as { process?: { status?: string; jobPod?: string } } | undefined)?.process;
      return p?.status === 'Running' ? p.jobPod : undefined;
    }, 10_000);
  }

  before(async () => {
    t = await openTestServer({ operator: { stepMs: 50 } });
    ns = t.namespace;
    await t.api.create(sgObjectStorage(ns, 'store'));
    await t.api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGCluster', metadata: { name: 'orders', namespace: ns }, spec: { instances: 1, postgres: { version: '16' }, pods: { persistentVolume: { size: '1Gi' } }, configurations: { backups: [{ sgObjectStorage: 'store' }] } } } as KubeObject);
  });
  after(() => t?.close());
  afterEach(() => t.server.operator.release());

  it('reads the pod, its log with a tail, and the Events of its Job, oldest first', async () => {
    t.server.operator.holdNext();
    const podName = await running('read');
    const pod = await t.api.pod(ns, podName);
    assert.deepEqual([pod?.phase, pod?.containers, pod?.job], ['Running', ['create-backup'], 'read-backup']);
    assert.match(await t.api.podLog(ns, podName), /Calling pg_start_backup\(\)/);
    assert.equal((await t.api.podLog(ns, podName, { tailLines: 1 })).split('\n').filter(Boolean).length, 1);
    const events = await t.api.events(ns, { kind: 'Job', name: 'read-backup' });
    assert.deepEqual(events.map((e) => [e.type, e.reason, e.source]), [['Normal', 'SuccessfulCreate', 'job-controller']]);
    assert.deepEqual(await t.api.events(ns, { kind: 'Job', name: 'read-backup', uid: 'not-its-uid' }), [], 'the uid narrows to that very object');
  });

  it('a gone pod is undefined, its log a notFound; an unknown container the server message', async () => {
    assert.equal(await t.api.pod(ns, 'no-such-pod'), undefined);
    assert.equal((await kubeFailure(() => t.api.podLog(ns, 'no-such-pod'))).reason, 'notFound');
    t.server.operator.holdNext();
    const podName = await running('container');
    const err = await kubeFailure(() => t.api.podLog(ns, podName, { container: 'postgres' }));
    assert.equal(err.status, 400);
    assert.match(err.message, new RegExp(`container postgres is not valid for pod ${podName}`));
  });

  it('follows the log: new lines arrive while the backup runs, and the promise ends with the backup', async () => {
    t.server.operator.holdNext();
    const podName = await running('follow');
    let text = '';
    const followed = t.api.followPodLog(ns, podName, (s) => (text += s), { tailLines: 1000 });
    const first = await waitFor('the first lines', () => (/Starting part 1 \.\.\./.test(text) ? text.length : undefined), 10_000);
    await waitFor('a line written while following', () => (text.length > first && /Finished writing part/.test(text) ? true : undefined), 10_000);
    t.server.operator.release();
    await followed;
    assert.match(text, /Backup completed\nReconciling backups\.\.\.\n$/);
  });

  it('cancel ends a follow at once with `cancelled`', async () => {
    t.server.operator.holdNext();
    const podName = await running('cancel');
    const controller = new AbortController();
    let text = '';
    const followed = t.api.followPodLog(ns, podName, (s) => (text += s), { signal: controller.signal });
    await waitFor('the first lines', () => (text ? true : undefined), 10_000);
    controller.abort();
    assert.equal((await kubeFailure(() => followed)).reason, 'cancelled');
  });
});
