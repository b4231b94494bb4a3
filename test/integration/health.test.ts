/**
 * Backup health in the real editor, on the sandbox: the seeded `billing` (schedule stopped: overdue) and
 * `payments` (its last scheduled backups Failed) against the healthy `orders`; the cluster rows, the status
 * bar item and the Backup Health Report it opens; and the notification when a backup turns Failed while the
 * extension watches (never for backups that had failed before), with Show Backup Failure, and off with
 * `stackgres.notifications.backupFailed: false`.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HealthReportResult } from '../../client/src/commands/health';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { kubeTarget, markdownAsRead, runConfig, sandboxControl, scratchNamespace, testingApi, treeRows, waitFor, waitForTreeRow, type TreeRow } from './helpers';

const DEADLINE_MS = 20_000;
const iconId = (row: TreeRow): string | undefined => (row.item.iconPath instanceof vscode.ThemeIcon ? row.item.iconPath.id : undefined);

async function kubeApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

async function monitor() {
  const health = (await testingApi()).context.health;
  assert.ok(health, 'the extension watches backup health');
  return health;
}

describe('Backup health', function () {
  this.timeout(90_000);

  describe('of the seeded clusters', () => {
    it('cluster rows: the overdue and the failing one show an error icon and why; a healthy one stays plain', async () => {
      const context = kubeTarget().context;
      const billing = await waitForTreeRow([context, 'demo', 'billing'], DEADLINE_MS);
      assert.equal(iconId(billing), 'error');
      assert.match(billing.description, /· Overdue: no Completed backup since the \d{4}-\d\d-\d\d 04:00 UTC run \(4 scheduled runs missed\); last Completed backup 4d\d*h? ago$/);
      assert.match(billing.tooltip, /Backup health: error\*\* Overdue: no Completed backup since/);
      const payments = await waitForTreeRow([context, 'demo', 'payments'], DEADLINE_MS);
      assert.equal(iconId(payments), 'error');
      assert.match(payments.description, /\d backups Failed since the last Completed one \(newest payments-[\d-]+: Backup failed while perfroming backup-push\)/);
      const orders = await waitForTreeRow([context, 'demo', 'orders'], DEADLINE_MS);
      assert.equal(iconId(orders), 'database', `a healthy cluster is not decorated: ${orders.description}`);
      assert.doesNotMatch(orders.description, /Overdue|Failed/);
    });

    it('the status bar item counts them, and its click opens the Backup Health Report with the WAL the tree read', async () => {
      const health = await monitor();
      const shown = await waitFor('the backup health item', () => health.statusBar.shown, DEADLINE_MS);
      const m = /^\$\(error\) StackGres: (\d+) overdue, (\d+) failing/.exec(shown.text);
      assert.ok(m, shown.text);
      assert.ok(Number(m[1]) >= 2 && Number(m[2]) >= 2, `billing and payments overdue, payments and the tutorial cluster failing: ${shown.text}`);
      assert.equal(shown.command, 'stackgres.showBackupHealthReport');
      assert.match(shown.tooltip, new RegExp(`Backups of context ${kubeTarget().context}: .*Click to open the Backup Health Report`));

      // The tutorial cluster's WAL, as the tree reads it from the sandbox's bucket.
      const w = runConfig().kube?.world;
      assert.ok(w?.objects, 'the sandbox seeded wal-g objects');
      const bucket = await waitForTreeRow([kubeTarget().context, w.namespace, w.cluster.name, 'Bucket'], DEADLINE_MS);
      await treeRows(bucket.node, DEADLINE_MS);

      // The item's own command; `readBuckets: false` keeps the report off the seeded AWS storages (no network in tests).
      const report = await vscode.commands.executeCommand<HealthReportResult | undefined>(shown.command, { readBuckets: false });
      assert.ok(report, 'the report command returned its document');
      assert.ok(vscode.workspace.textDocuments.some((d) => d.uri.toString() === report.uri), 'the report is open');
      const md = markdownAsRead(report.markdown);
      assert.match(md, new RegExp(`^# Backup health of context \`${kubeTarget().context}\``));
      assert.match(md, /## Error: SGCluster `billing` in `demo`\n\nOverdue: no Completed backup since/);
      assert.match(md, /## Error: SGCluster `payments` in `demo`/);
      assert.match(md, /## OK: SGCluster `orders` in `demo`/);
      assert.ok(md.indexOf('`billing`') < md.indexOf('`orders`'), 'worst first');
      const tutorial = md.slice(md.indexOf(`SGCluster \`${w.cluster.name}\``));
      assert.match(tutorial, new RegExp(`\\| WAL \\| newest segment \`${w.objects.wal.last}\` archived `));
      assert.match(tutorial, /\| Last restore drill \| none recorded \|/);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
  });

  describe('a backup that turns Failed while watching', () => {
    const ns = scratchNamespace('health');
    const cluster = 'it-health-db';

    before(async () => {
      const api = await kubeApi();
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      await api.createSecret(ns, 'it-creds', { accessKeyId: new TextEncoder().encode('placeholder-id'), secretAccessKey: new TextEncoder().encode('placeholder-secret') });
      await api.create({
        apiVersion: 'stackgres.io/v1beta1',
        kind: 'SGObjectStorage',
        metadata: { name: 'it-storage', namespace: ns },
        spec: { type: 's3', s3: { bucket: 'it-bucket', region: 'eu-west-1', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'it-creds', key: 'accessKeyId' }, secretAccessKey: { name: 'it-creds', key: 'secretAccessKey' } } } } },
      });
      await api.create({
        apiVersion: 'stackgres.io/v1',
        kind: 'SGCluster',
        metadata: { name: cluster, namespace: ns },
        spec: { instances: 1, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '5Gi' } }, configurations: { backups: [{ sgObjectStorage: 'it-storage' }] } },
      });
      const model = await (await testingApi()).context.model();
      await waitFor('the model to hold the cluster', () => model.get('SGCluster', ns, cluster), DEADLINE_MS);
    });

    after(async () => {
      await vscode.workspace.getConfiguration('stackgres').update('notifications.backupFailed', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('notifications.clearAll');
    });

    /** Creates a manual SGBackup and waits until the model holds it in `phase`. */
    async function backup(name: string, phase: 'Completed' | 'Failed'): Promise<KubeObject> {
      await (await kubeApi()).create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace: ns }, spec: { sgCluster: cluster, managedLifecycle: false } });
      const model = await (await testingApi()).context.model();
      return waitFor(`SGBackup ${name} to be ${phase}`, () => {
        const o = model.get('SGBackup', ns, name);
        return (o?.status as { process?: { status?: string } } | undefined)?.process?.status === phase ? o : undefined;
      }, DEADLINE_MS);
    }

    it('notifies once with the failure, not for backups that had failed before it connected, nor for a Completed one', async () => {
      const health = await monitor();
      const failure = 'Backup failed while perfroming backup-push:\nERROR: it-health upload refused: SignatureDoesNotMatch';
      const before = health.notified.length;
      await backup('it-health-ok', 'Completed');
      await sandboxControl('/operator/fail-next', { message: failure });
      await backup('it-health-failed', 'Failed');
      const notice = await waitFor('the Failed notification', () => health.notified.slice(before).find((n) => n.name === 'it-health-failed'), DEADLINE_MS);
      assert.equal(notice.message, `StackGres: backup it-health-failed of cluster ${cluster} (namespace ${ns}) failed: Backup failed while perfroming backup-push`);
      await health.update();
      assert.deepEqual(health.notified.slice(before).map((n) => n.name), ['it-health-failed'], 'one notification, none for the Completed backup');
      // The seeded Failed backups were Failed when the extension connected.
      const w = runConfig().kube?.world;
      assert.ok(!health.notified.some((n) => n.namespace === 'demo' || (w && n.name === w.failed.name)), `no notification for old failures: ${health.notified.map((n) => n.name).join(', ')}`);
    });

    it("Show Backup Failure opens what the backup Job wrote", async () => {
      const shown = await vscode.commands.executeCommand<{ uri: string; markdown: string } | undefined>('stackgres.showBackupFailure', { namespace: ns, name: 'it-health-failed' });
      assert.ok(shown, 'the command returned its document');
      assert.ok(vscode.workspace.textDocuments.some((d) => d.uri.toString() === shown.uri), 'the failure is open');
      assert.match(shown.markdown, /```text\nBackup failed while perfroming backup-push:\nERROR: it-health upload refused: SignatureDoesNotMatch\n```/);
      assert.match(markdownAsRead(shown.markdown), new RegExp(`# SGBackup \`it-health-failed\` in \`${ns}\`: Failed`));
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('stackgres.notifications.backupFailed: false turns the notification off', async () => {
      const health = await monitor();
      await vscode.workspace.getConfiguration('stackgres').update('notifications.backupFailed', false, vscode.ConfigurationTarget.Global);
      const before = health.notified.length;
      await sandboxControl('/operator/fail-next', { message: 'Backup failed while perfroming backup-push:\nERROR: quiet' });
      await backup('it-health-quiet', 'Failed');
      // The model holds it Failed: one more look decides, as the model's own change event would.
      await health.update();
      assert.deepEqual(health.notified.slice(before).map((n) => n.name), []);
      // And the cluster row now says it is failing.
      const row = await waitForTreeRow([kubeTarget().context, ns, (r) => r.label === cluster && /2 backups Failed/.test(r.description)], DEADLINE_MS);
      assert.equal(iconId(row), 'error');
    });
  });
});
