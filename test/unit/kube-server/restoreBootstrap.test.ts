/**
 * The simulated operator's restore bootstrap, read back through the API as a restore drill reads it (pods
 * by label, Events) and judged by the drill's own decision logic: a backup restores to a Ready pod, one
 * whose WAL is missing or whose storage is unreachable crash-loops with wal-g's error.
 */
import * as assert from 'node:assert/strict';
import { assessDrill, drillManifest, type DrillAssessment } from '@core/drill';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { RESTORE_FAULT_ANNOTATION } from '../../kube-server/operator';
import { describeWithReference } from '../../reference';
import { SG, SG_BETA, clients, clusterManifest, s3Storage, waitFor, type Clients } from './helpers';

describeWithReference('kube-server: restore bootstrap of the simulated operator', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;

  async function completedBackup(name: string, annotations?: Record<string, string>): Promise<Record<string, unknown>> {
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, annotations }, spec: { sgCluster: 'pg' } } });
    return waitFor(`${name} Completed`, async () => {
      const b = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name });
      return b.status?.process?.status === 'Completed' ? (b as Record<string, unknown>) : undefined;
    });
  }

  /** Creates a drill cluster from the backup and follows it until the drill logic says it is done. */
  let drills = 0;
  async function drill(backup: Record<string, unknown>): Promise<{ phases: string[]; outcome: DrillAssessment; elapsedMs: number }> {
    // Drill names have a one-second stamp: each drill of this suite gets its own second.
    const plan = drillManifest({ backup, now: new Date(Date.now() + 1000 * drills++) });
    const startedAt = new Date();
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body: plan.manifest });
    const phases: string[] = [];
    const outcome = await waitFor(`drill ${plan.name} done`, async () => {
      const cluster = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: plan.name });
      const pods = (await c.core.listNamespacedPod({ namespace: 'demo', labelSelector: `stackgres.io/cluster-name=${plan.name}` })).items;
      const events = (await c.core.listNamespacedEvent({ namespace: 'demo' })).items.filter((e) => [cluster.metadata.uid, ...pods.map((p) => p.metadata?.uid)].includes(e.involvedObject.uid));
      const a = assessDrill({ cluster, pods, events, startedAt, now: new Date(), timeoutMs: 15000 });
      if (phases.at(-1) !== a.phase) phases.push(a.phase);
      return a.done ? a : undefined;
    }, 15000);
    return { phases, outcome, elapsedMs: Date.now() - startedAt.getTime() };
  }

  before(async () => {
    // 1 simulated second plus 1 s per 8 MiB, at 4× real time: the seeded sizes take a few hundred ms.
    server = await startKubeServer({ operator: { stepMs: 50, restore: { baseSeconds: 1, bytesPerSecond: 8 * 1024 * 1024 } }, timeScale: 4 });
    c = await clients(server);
    await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
    await c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body: s3Storage('store') });
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body: clusterManifest('pg', { sgObjectStorage: 'store' }) });
  });
  after(() => server.stop());

  it('restores a backup: pod pending, then restoring, then Ready, with the bootstrap Events; the cluster becomes Bootstrapped', async () => {
    const backup = await completedBackup('good');
    const { phases, outcome } = await drill(backup);
    assert.deepEqual([outcome.phase, outcome.success], ['ready', true]);
    assert.ok(phases.includes('restoring'), phases.join(' → '));
    const clusters = (await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', labelSelector: 'stackgres-vscode/restore-drill=true' })).items as Record<string, any>[];
    assert.equal(clusters.length, 1);
    assert.ok(clusters[0].status.conditions.some((x: { type: string; status: string }) => x.type === 'Bootstrapped' && x.status === 'True'));
    const reasons = (await c.core.listNamespacedEvent({ namespace: 'demo' })).items.map((e) => e.reason);
    for (const r of ['BootstrapRestore', 'Started', 'ClusterBootstrapped']) assert.ok(reasons.includes(r), `${r} in ${reasons.join(', ')}`);
  });

  it('takes longer for a bigger backup', async () => {
    const small = (await completedBackup('small')) as Record<string, any>;
    const first = await drill(small);
    // A copy of the same backup (copies keep the status they are created with), 16 MiB bigger on record.
    const big: Record<string, any> = { ...structuredClone(small), metadata: { name: 'big' }, spec: { sgCluster: 'demo.pg' } };
    big.status.backupInformation.size.compressed += 16 * 1024 * 1024;
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: big });
    const second = await drill(await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'big' }));
    assert.deepEqual([first.outcome.success, second.outcome.success], [true, true]);
    assert.ok(second.elapsedMs > first.elapsedMs + 200, `16 MiB more took ${second.elapsedMs} ms against ${first.elapsedMs} ms`);
  });

  for (const [fault, said] of [
    ['wal-missing', /CrashLoopBackOff: ERROR: .*Archive '[0-9A-F]{24}' does not exist\.\nFATAL: could not locate required checkpoint record/],
    ['storage-unreachable', /CrashLoopBackOff: ERROR: .*failed to list s3 folder.*no such host/s],
  ] as const) {
    it(`fails a restore whose backup is marked ${fault}, with wal-g's error from the crash-looping pod`, async () => {
      const backup = await completedBackup(`bad-${fault}`, { [RESTORE_FAULT_ANNOTATION]: fault });
      const { outcome } = await drill(backup);
      assert.deepEqual([outcome.phase, outcome.success], ['failed', false]);
      assert.match(outcome.reason ?? '', said);
    });
  }

  it("deletes a deleted cluster's pods", async () => {
    const pods = (await c.core.listNamespacedPod({ namespace: 'demo' })).items;
    assert.ok(pods.length > 0);
    const name = pods[0].metadata!.labels!['stackgres.io/cluster-name'];
    await c.custom.deleteNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name });
    await waitFor('pods gone', async () => ((await c.core.listNamespacedPod({ namespace: 'demo', labelSelector: `stackgres.io/cluster-name=${name}` })).items.length === 0 ? true : undefined));
  });
});
