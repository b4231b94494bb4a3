import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, SG_BETA, clients, clusterManifest, failure, k8s, s3Storage, waitFor, type Clients } from './helpers';
import { describeWithReference } from '../../reference';

type Rec = Record<string, any>;

describeWithReference('kube-server: backup Job pods, their logs and Events', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;

  async function backupNamed(name: string): Promise<Rec> {
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name }, spec: { sgCluster: 'pg' } } });
    return waitFor(`${name} running`, async () => {
      const b = (await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name })) as Rec;
      return b.status?.process?.status === 'Running' ? b : undefined;
    });
  }

  async function phaseOf(name: string, phase: string): Promise<Rec> {
    return waitFor(`${name} ${phase}`, async () => {
      const b = (await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name })) as Rec;
      return b.status?.process?.status === phase ? b : undefined;
    });
  }

  const log = (pod: string, o: Rec = {}): Promise<string> => c.core.readNamespacedPodLog({ namespace: 'demo', name: pod, ...o });

  before(async () => {
    server = await startKubeServer({ operator: { stepMs: 50 } });
    c = await clients(server);
    await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
    await c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body: s3Storage('store') });
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body: clusterManifest('pg', { sgObjectStorage: 'store' }) });
  });
  after(() => server.stop());
  afterEach(() => server.operator.release());

  it('a running backup has a Job pod named in status.process.jobPod, with a wal-g log and the Events of its Job and pod', async () => {
    server.operator.holdNext();
    const b = await backupNamed('held');
    const pod: string = b.status.process.jobPod;
    assert.match(pod, /^held-backup-[a-z0-9]{5}$/);
    const podObj = await c.core.readNamespacedPod({ namespace: 'demo', name: pod });
    assert.equal(podObj.status?.phase, 'Running');
    const job = podObj.metadata?.ownerReferences?.find((o) => o.kind === 'Job')?.name;
    assert.equal(job, 'held-backup');
    const text = await log(pod);
    assert.match(text, /^Retrieving primary and replicas\nPrimary is pg-0\n/);
    assert.match(text, /INFO: \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} Calling pg_start_backup\(\)\n/);
    const events = await c.core.listNamespacedEvent({ namespace: 'demo', fieldSelector: `involvedObject.kind=Job,involvedObject.name=${job}` });
    assert.deepEqual(events.items.map((e) => [e.reason, e.message, e.source?.component]), [['SuccessfulCreate', `Created pod: ${pod}`, 'job-controller']]);
    const podEvents = await c.core.listNamespacedEvent({ namespace: 'demo', fieldSelector: `involvedObject.name=${pod}` });
    assert.deepEqual(podEvents.items.map((e) => e.reason).sort(), ['Scheduled', 'Started']);
  });

  it('tailLines, sinceSeconds, limitBytes and timestamps shape the answer', async () => {
    server.operator.holdNext();
    const pod: string = (await backupNamed('params')).status.process.jobPod;
    await waitFor('a few progress lines', async () => ((await log(pod)).split('\n').length > 14 ? true : undefined));
    const tail = (await log(pod, { tailLines: 2 })).split('\n').filter(Boolean);
    const all = (await log(pod)).split('\n').filter(Boolean);
    assert.equal(tail.length, 2);
    // The Job may have written more since: the two lines are consecutive lines of the whole log, not its first.
    const at = all.indexOf(tail[0]);
    assert.ok(at > 10, `${tail[0]} is late in the log`);
    assert.deepEqual(all.slice(at, at + 2), tail);
    assert.equal(await log(pod, { tailLines: 0 }), '');
    assert.equal((await log(pod, { limitBytes: 10 })).length, 10);
    assert.match((await log(pod, { timestamps: true, tailLines: 1 })), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z INFO: /);
    assert.ok((await log(pod, { sinceSeconds: 3600 })).split('\n').filter(Boolean).length >= all.length);
  });

  it('bad parameters get the API server answers: 400 for an unknown container, 422 for invalid options, 404 for a missing pod', async () => {
    server.operator.holdNext();
    const pod: string = (await backupNamed('bad')).status.process.jobPod;
    const unknown = await failure(() => log(pod, { container: 'postgres' }));
    assert.deepEqual([unknown.code, unknown.status?.reason, unknown.status?.message], [400, 'BadRequest', `container postgres is not valid for pod ${pod}`]);
    const since = await failure(() => log(pod, { sinceSeconds: 0 }));
    assert.deepEqual([since.code, since.status?.reason, since.status?.message], [422, 'Invalid', `PodLogOptions "${pod}" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0`]);
    const tail = await failure(() => log(pod, { tailLines: -1 }));
    assert.equal(tail.code, 422);
    const missing = await failure(() => log('no-such-pod'));
    assert.deepEqual([missing.code, missing.status?.message], [404, 'pods "no-such-pod" not found']);
  });

  it('follow streams new lines as the Job writes them and ends when the backup ends', async () => {
    server.operator.holdNext();
    const pod: string = (await backupNamed('followed')).status.process.jobPod;
    const { Log } = await k8s();
    let text = '';
    let ended = false;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString('utf8');
        cb();
      },
      final(cb) {
        ended = true;
        cb();
      },
    });
    const controller = await new Log(c.kc).log('demo', pod, 'create-backup', sink, { follow: true, tailLines: 100 });
    try {
      const firstParts = await waitFor('the first lines', () => (/Starting part 1/.test(text) ? text.length : undefined));
      await waitFor('a progress line written after the request', () => (text.length > firstParts && /Finished writing part \d+\./.test(text) ? true : undefined));
      assert.equal(ended, false, 'still following while the backup runs');
      server.operator.release();
      await waitFor('the stream to end', () => (ended ? true : undefined));
      assert.match(text, /Wrote backup with name base_[0-9A-F]{24}\nBackup completed\nReconciling backups\.\.\.\n$/);
      assert.equal((await c.core.readNamespacedPod({ namespace: 'demo', name: pod })).status?.phase, 'Succeeded');
      const events = await c.core.listNamespacedEvent({ namespace: 'demo', fieldSelector: 'involvedObject.kind=Job,involvedObject.name=followed-backup' });
      assert.ok(events.items.some((e) => e.reason === 'Completed'));
    } finally {
      controller.abort();
    }
  });

  it('a failed backup logs its failure, and its pod and Job say so', async () => {
    server.operator.failNext('Backup failed while perfroming backup-push:\nERROR: upload refused');
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'fails' }, spec: { sgCluster: 'pg' } } });
    const b = await phaseOf('fails', 'Failed');
    const pod: string = b.status.process.jobPod;
    assert.match(await log(pod), /ERROR: .* backup-push failed\nBackup failed while perfroming backup-push:\nERROR: upload refused\n$/);
    const podObj = await c.core.readNamespacedPod({ namespace: 'demo', name: pod });
    assert.deepEqual([podObj.status?.phase, podObj.status?.containerStatuses?.[0].state?.terminated?.exitCode], ['Failed', 1]);
    const events = await c.core.listNamespacedEvent({ namespace: 'demo', fieldSelector: 'involvedObject.name=fails-backup' });
    assert.ok(events.items.some((e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded'));
  });

  it('a deleted pod takes its log with it (404)', async () => {
    const b = await phaseOf('followed', 'Completed');
    const pod: string = b.status.process.jobPod;
    await c.core.deleteNamespacedPod({ namespace: 'demo', name: pod });
    assert.equal((await failure(() => log(pod))).code, 404);
  });
});
