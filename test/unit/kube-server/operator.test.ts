import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, SG_BETA, clients, clusterManifest, waitFor, s3Storage, watchUntil, type Clients, type WatchEvent } from './helpers';
import { describeWithReference } from '../../reference';

const BACKUPS = '/apis/stackgres.io/v1/namespaces/demo/sgbackups';

function backup(name: string, sgCluster: string): Record<string, unknown> {
  return { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name }, spec: { sgCluster } };
}

const statusOf = (e: WatchEvent): string | undefined => ((e.object.status as Record<string, any> | undefined)?.process?.status as string | undefined);

describeWithReference('kube-server: simulated StackGres operator', function () {
  this.timeout(20000);

  describe('manual backups and cluster status', () => {
    let server: KubeServer;
    let c: Clients;

    before(async () => {
      server = await startKubeServer({ operator: { stepMs: 50 } });
      c = await clients(server);
      await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
      await c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body: s3Storage('store') });
      await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body: clusterManifest('pg', { sgObjectStorage: 'store', compression: 'zstd' }) });
      await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body: clusterManifest('nobackups') });
    });
    after(() => server.stop());

    it('gives a cluster with backups a default backup path, a Bootstrapped condition and its instances', async () => {
      const cluster = await waitFor('cluster status', async () => {
        const cl = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'pg' });
        return cl.status?.backupPaths ? cl : undefined;
      });
      assert.match(cluster.status.backupPaths[0], /^sgbackups\.stackgres\.io\/demo\/pg\/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\/16$/);
      assert.equal(cluster.status.instances, 1);
      assert.ok(cluster.status.conditions.some((x: { type: string; status: string }) => x.type === 'Bootstrapped' && x.status === 'True'));
    });

    it('runs a user-created SGBackup through Pending and Running to Completed, visible on a watch', async () => {
      const list = await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });
      const events = await watchUntil(
        c.watch,
        BACKUPS,
        { resourceVersion: list.metadata.resourceVersion },
        (ev) => ev.some((e) => statusOf(e) === 'Completed'),
        5000,
        () => c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: backup('manual', 'pg') }),
      );
      assert.deepEqual(events.map((e) => `${e.type} ${statusOf(e) ?? '-'}`), ['ADDED -', 'MODIFIED Pending', 'MODIFIED Running', 'MODIFIED Completed']);
      const done = events[3].object as Record<string, any>;
      const cluster = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'pg' });
      const storage = await c.custom.getNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'store' });
      assert.match(done.status.internalName, /^base_[0-9A-F]{24}$/);
      assert.equal(done.status.internalName, `base_${done.status.backupInformation.startWalFile}`);
      assert.equal(done.status.backupPath, cluster.status.backupPaths[0]);
      assert.equal(done.status.backupInformation.postgresVersion, '160004');
      assert.match(done.status.backupInformation.lsn.start, /^\d+$/);
      assert.ok(Number(done.status.backupInformation.lsn.end) > Number(done.status.backupInformation.lsn.start));
      assert.equal(done.status.backupInformation.timeline, '1');
      assert.ok(done.status.backupInformation.size.compressed < done.status.backupInformation.size.uncompressed);
      assert.ok(Date.parse(done.status.process.timing.start) <= Date.parse(done.status.process.timing.end));
      assert.equal(done.status.process.managedLifecycle, false);
      assert.deepEqual(done.status.sgBackupConfig, { baseBackups: { compression: 'zstd' }, storage: storage.spec });
    });

    it('lets users label a completed backup (defaults never count as a status change)', async () => {
      const m = await import('@kubernetes/client-node');
      const labeled = await c.custom.patchNamespacedCustomObject(
        { ...SG, namespace: 'demo', plural: 'sgbackups', name: 'manual', body: { metadata: { labels: { keep: 'forever' } }, spec: { managedLifecycle: false } } },
        m.setHeaderOptions('Content-Type', m.PatchStrategy.MergePatch),
      );
      assert.equal(labeled.metadata.labels.keep, 'forever');
      assert.equal(labeled.status.process.status, 'Completed');
    });

    it('fails the next backup with a configured failure message', async () => {
      server.operator.failNext('Backup failed while perfroming backup-push:\nconnection reset');
      await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: backup('will-fail', 'pg') });
      const failed = await waitFor('the backup to fail', async () => {
        const b = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'will-fail' });
        return b.status?.process?.status === 'Failed' ? b : undefined;
      });
      assert.equal(failed.status.process.failure, 'Backup failed while perfroming backup-push:\nconnection reset');
      assert.equal(failed.status.internalName, undefined);
    });

    it('fails a backup of a cluster without backups configured, with a BackupConfigFailed event', async () => {
      await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: backup('orphan', 'nobackups') });
      const failed = await waitFor('the backup to fail', async () => {
        const b = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'orphan' });
        return b.status?.process?.status === 'Failed' ? b : undefined;
      });
      assert.equal(failed.status.process.failure, 'SGCluster nobackups has no backup configured');
      const events = await c.core.listNamespacedEvent({ namespace: 'demo', fieldSelector: 'involvedObject.name=orphan' });
      assert.equal(events.items.length, 1);
      assert.equal(events.items[0].type, 'Warning');
      assert.equal(events.items[0].reason, 'BackupConfigFailed');
      assert.equal(events.items[0].message, 'SGBackup reconciliation cycle failed: SGCluster nobackups has no backup configured');
    });

    it('leaves copied backups (sgCluster "<ns>.<cluster>") with the status they were created with', async () => {
      const copy = await c.custom.createNamespacedCustomObject({
        ...SG,
        namespace: 'demo',
        plural: 'sgbackups',
        body: { ...backup('copied', 'prod.orders'), status: { process: { status: 'Completed' }, backupPath: 'sgbackups.stackgres.io/prod/orders/x/16' } },
      });
      // Another backup runs to completion meanwhile; the copy must not have changed.
      await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: backup('meanwhile', 'pg') });
      await waitFor('the other backup to complete', async () => {
        const b = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'meanwhile' });
        return b.status?.process?.status === 'Completed';
      });
      const after = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'copied' });
      assert.equal(after.metadata.resourceVersion, copy.metadata.resourceVersion);
    });
  });

  describe('scheduled backups', () => {
    let server: KubeServer;
    let c: Clients;
    before(async () => {
      // One real second is one simulated hour: a */10 schedule fires every ~167 ms.
      server = await startKubeServer({ timeScale: 3600, operator: { stepMs: 20 } });
      c = await clients(server);
      await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
      await c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body: s3Storage('store') });
    });
    after(() => server.stop());

    it('creates backups named <cluster>-YYYY-MM-DD-HH-MM-SS on the cron schedule and applies retention', async () => {
      const list = await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });
      const events = await watchUntil(
        c.watch,
        BACKUPS,
        { resourceVersion: list.metadata.resourceVersion },
        (ev) => ev.filter((e) => e.type === 'DELETED').length >= 2,
        8000,
        () => c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body: clusterManifest('pg', { sgObjectStorage: 'store', cronSchedule: '*/10 * * * *', retention: 2 }) }),
      );
      const added = events.filter((e) => e.type === 'ADDED').map((e) => e.object as Record<string, any>);
      assert.ok(added.length >= 4);
      for (const b of added) {
        assert.match(b.metadata.name, /^pg-\d{4}-\d\d-\d\d-\d\d-\d0-00$/);
        assert.deepEqual(b.metadata.labels['stackgres.io/scheduled-backup'], 'true');
        assert.match(b.metadata.labels['stackgres.io/scheduled-backup-job-name'], /^pg-backup-\d+$/);
        assert.equal(b.metadata.annotations['stackgres.io/scheduled-backup'], 'true');
        assert.equal(b.spec.sgCluster, 'pg');
        assert.equal(b.spec.managedLifecycle, true);
      }
      const names = added.map((b) => b.metadata.name as string);
      assert.deepEqual([...names].sort(), names, 'backups are created in schedule order');
      // Retention keeps the two newest Completed managed backups; the oldest went first.
      const deleted = events.filter((e) => e.type === 'DELETED').map((e) => e.object.metadata?.name);
      assert.deepEqual(deleted, names.slice(0, deleted.length));
      const remaining = await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });
      const completed = remaining.items.filter((b: Record<string, any>) => b.status?.process?.status === 'Completed');
      assert.ok(completed.length <= 2);
    });

    it('a suspended schedule creates nothing, and a cluster set to fail gets Failed scheduled backups (the demo\'s billing and payments)', async () => {
      server.operator.suspendSchedule('demo', 'stopped');
      server.operator.failBackupsOf('demo', 'broken', 'Backup failed while perfroming backup-push:\nERROR: AccessDenied');
      for (const name of ['stopped', 'broken']) {
        await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body: clusterManifest(name, { sgObjectStorage: 'store', cronSchedule: '*/10 * * * *' }) });
      }
      const of = async (cluster: string) =>
        ((await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' })).items as Record<string, any>[]).filter((b) => b.spec.sgCluster === cluster);
      // Two runs of the schedule have come and gone once `broken` has two Failed backups.
      const failed = await waitFor('two Failed scheduled backups of broken', async () => {
        const f = (await of('broken')).filter((b) => b.status?.process?.status === 'Failed');
        return f.length >= 2 ? f : undefined;
      });
      assert.equal(failed[0].status.process.failure, 'Backup failed while perfroming backup-push:\nERROR: AccessDenied');
      assert.ok((await of('broken')).every((b) => b.status?.process?.status !== 'Completed'));
      assert.deepEqual(await of('stopped'), []);
    });
  });
});
