/**
 * Keep This Backup / Let Retention Manage This Backup and Show Backup Logs in the real editor, against the
 * sandbox API server and its simulated operator (which runs each backup in a Job pod that writes a wal-g
 * log and Events). Each part works in a scratch namespace of its own.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BackupLogsResult, LifecycleResult } from '../../client/src/commands/backupJob';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { extensionLog, kubeTarget, sandboxControl, scratchNamespace, testingApi, waitFor, waitForTreeRow, type TreeRow } from './helpers';

const STEP_DEADLINE_MS = 20_000;

async function kubeApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

type Phase = 'Pending' | 'Running' | 'Completed' | 'Failed';

function phaseOf(obj: KubeObject | undefined): string | undefined {
  return (obj?.status as { process?: { status?: string } } | undefined)?.process?.status;
}

/** A namespace with an SGObjectStorage and an SGCluster keeping `retention` managed backups. */
async function world(api: KubeApi, namespace: string, cluster: string, retention: number): Promise<void> {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await api.createSecret(namespace, 'it-creds', { accessKeyId: new TextEncoder().encode('placeholder-id'), secretAccessKey: new TextEncoder().encode('placeholder-secret') });
  await api.create({
    apiVersion: 'stackgres.io/v1beta1',
    kind: 'SGObjectStorage',
    metadata: { name: 'it-storage', namespace },
    spec: { type: 's3', s3: { bucket: 'it-bucket', region: 'eu-west-1', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'it-creds', key: 'accessKeyId' }, secretAccessKey: { name: 'it-creds', key: 'secretAccessKey' } } } } },
  });
  await api.create({
    apiVersion: 'stackgres.io/v1',
    kind: 'SGCluster',
    metadata: { name: cluster, namespace },
    spec: { instances: 1, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '5Gi' } }, configurations: { backups: [{ sgObjectStorage: 'it-storage', retention }] } },
  });
  const model = await (await testingApi()).context.model();
  await waitFor(`the model to hold ${namespace}/${cluster}`, () => model.get('SGCluster', namespace, cluster), STEP_DEADLINE_MS);
}

/** Creates an SGBackup through the API (as the extension: field manager stackgres-vscode) and waits for `phase`. */
async function backupIn(namespace: string, cluster: string, name: string, managedLifecycle: boolean, phase: Phase): Promise<KubeObject> {
  const api = await kubeApi();
  await api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace }, spec: { sgCluster: cluster, managedLifecycle } });
  const model = await (await testingApi()).context.model();
  return waitFor(`SGBackup ${namespace}/${name} to be ${phase}`, () => {
    const obj = model.get('SGBackup', namespace, name);
    return phaseOf(obj) === phase ? obj : undefined;
  }, STEP_DEADLINE_MS);
}

/** The guard's failure entries for a command since a point in the log. */
async function failuresOf(command: string, since: number): Promise<string[]> {
  return (await extensionLog()).slice(since).split('\n').filter((l) => l.includes(`] ${command}: `));
}

/** Runs a command as a menu would; returns its result and the failure messages the guard logged meanwhile. */
async function run<T>(command: string, ...args: unknown[]): Promise<{ result: T | undefined; failures: string[] }> {
  const since = (await extensionLog()).length;
  const result = await vscode.commands.executeCommand<T | undefined>(command, ...args);
  return { result, failures: await failuresOf(command, since) };
}

function managedFieldOwners(obj: KubeObject | undefined): string[] {
  const fields = (obj?.metadata.managedFields ?? []) as { manager: string; operation: string; fieldsV1?: { 'f:spec'?: Record<string, unknown> } }[];
  return fields.filter((f) => f.fieldsV1?.['f:spec']?.['f:managedLifecycle'] !== undefined).map((f) => `${f.manager}/${f.operation}`);
}

async function row(namespace: string, cluster: string, name: string, contextValue?: string): Promise<TreeRow> {
  return waitForTreeRow([kubeTarget().context, namespace, cluster, (r) => r.label === name && (contextValue === undefined || r.item.contextValue === contextValue)], STEP_DEADLINE_MS);
}

describe('Keep This Backup / Let Retention Manage This Backup', () => {
  const ns = scratchNamespace('lifecycle');
  const cluster = 'it-life-db';

  before(async () => {
    await world(await kubeApi(), ns, cluster, 2);
    // Oldest first: one kept backup, then two managed ones (the cluster's retention is 2).
    await backupIn(ns, cluster, 'it-life-old', false, 'Completed');
    await backupIn(ns, cluster, 'it-life-a', true, 'Completed');
    await backupIn(ns, cluster, 'it-life-b', true, 'Completed');
  });

  afterEach(async () => {
    await sandboxControl('/faults/clear');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('handing an old kept backup to retention: the confirmation says the next backup deletes it, the field is applied and the row turns managed', async () => {
    const kept = await row(ns, cluster, 'it-life-old', 'stackgres.backup.completed.kept');
    const testing = await testingApi();
    const asked = testing.prompts.asked.length;
    testing.prompts.answer(true);
    const { result, failures } = await run<LifecycleResult>('stackgres.letRetentionManageBackup', kept.node);
    assert.deepEqual(failures, []);
    assert.deepEqual(result, { changed: true, managedLifecycle: true, forced: true }, 'our own create owned the field through an Update: the apply takes it over');
    assert.deepEqual(testing.prompts.asked.slice(asked), ['Let the retention policy manage backup it-life-old? The next backup deletes it.']);
    const obj = await (await kubeApi()).get('SGBackup', ns, 'it-life-old');
    assert.equal((obj?.spec as { managedLifecycle?: boolean }).managedLifecycle, true);
    assert.deepEqual(managedFieldOwners(obj), ['stackgres-vscode/Apply'], 'the field is ours through server-side apply');
    await row(ns, cluster, 'it-life-old', 'stackgres.backup.completed.managed');
  });

  it('and back: Keep This Backup, applied without force now that the field is ours, and the row turns kept', async () => {
    const managed = await row(ns, cluster, 'it-life-old', 'stackgres.backup.completed.managed');
    const testing = await testingApi();
    const asked = testing.prompts.asked.length;
    testing.prompts.answer(true);
    const { result, failures } = await run<LifecycleResult>('stackgres.keepBackup', managed.node);
    assert.deepEqual(failures, []);
    assert.deepEqual(result, { changed: true, managedLifecycle: false, forced: false });
    assert.deepEqual(testing.prompts.asked.slice(asked), ['Keep backup it-life-old until someone deletes it?']);
    assert.equal(((await (await kubeApi()).get('SGBackup', ns, 'it-life-old'))?.spec as { managedLifecycle?: boolean }).managedLifecycle, false);
    const kept = await row(ns, cluster, 'it-life-old', 'stackgres.backup.completed.kept');
    assert.doesNotMatch(kept.description, /managed/);
  });

  it('a No at the confirmation changes nothing', async () => {
    const managed = await row(ns, cluster, 'it-life-a', 'stackgres.backup.completed.managed');
    (await testingApi()).prompts.answer(false);
    const { result, failures } = await run<LifecycleResult>('stackgres.keepBackup', managed.node);
    assert.deepEqual([result, failures], [undefined, []]);
    assert.equal(((await (await kubeApi()).get('SGBackup', ns, 'it-life-a'))?.spec as { managedLifecycle?: boolean }).managedLifecycle, true);
  });

  it('refused on a Failed backup: one clear message, and the backup is left as it was', async () => {
    await sandboxControl('/operator/fail-next', { message: 'Backup failed while perfroming backup-push:\nERROR: it-life upload refused' });
    await backupIn(ns, cluster, 'it-life-failed', true, 'Failed');
    const failed = await row(ns, cluster, 'it-life-failed', 'stackgres.backup.failed');
    const { result, failures } = await run<LifecycleResult>('stackgres.keepBackup', failed.node);
    assert.equal(result, undefined, 'the command stopped');
    assert.equal(failures.length, 1, failures.join(' | '));
    assert.match(failures[0], /SGBackup it-life-failed in namespace .* Failed: it holds no usable backup, so there is nothing to keep .* Delete it when you no longer need its failure message\./);
    assert.equal(((await (await kubeApi()).get('SGBackup', ns, 'it-life-failed'))?.spec as { managedLifecycle?: boolean }).managedLifecycle, true);
  });
});

describe('Show Backup Logs', () => {
  const ns = scratchNamespace('backup-logs');
  const cluster = 'it-logs-db';

  before(async () => {
    await world(await kubeApi(), ns, cluster, 5);
  });

  afterEach(async () => {
    await sandboxControl('/operator/release');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  function page(result: BackupLogsResult): vscode.TextDocument {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.uri);
    assert.ok(doc, `the page ${result.uri} is open`);
    return doc;
  }

  it('a running backup: the page follows the log (a new line appears), lists the Job Events, and says when the backup ended', async () => {
    await sandboxControl('/operator/hold-next');
    const obj = await backupIn(ns, cluster, 'it-logs-running', false, 'Running');
    const pod = (obj.status as { process: { jobPod: string } }).process.jobPod;
    const running = await row(ns, cluster, 'it-logs-running');
    const { result, failures } = await run<BackupLogsResult>('stackgres.showBackupLogs', running.node);
    assert.deepEqual(failures, []);
    assert.ok(result);
    assert.deepEqual([result.state, result.pod], ['following', pod]);
    const doc = page(result);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), result.uri, 'shown in the editor');
    assert.equal(doc.languageId, 'log');
    const parts = (): number => (doc.getText().match(/Finished writing part \d+\./g) ?? []).length;
    const seen = await waitFor('the first wal-g lines', () => (/Calling pg_start_backup\(\)/.test(doc.getText()) ? parts() : undefined), STEP_DEADLINE_MS);
    await waitFor('a line the Job wrote after the page opened', () => (parts() > seen ? true : undefined), STEP_DEADLINE_MS);
    const text = doc.getText();
    assert.match(text, /Following the log while the backup runs/);
    assert.match(text, new RegExp(`Job it-logs-running-backup · pod ${pod} \\(Running\\)`));
    assert.match(text, /Events of Job it-logs-running-backup ─+\n.*Normal +SuccessfulCreate +Created pod: /);
    await sandboxControl('/operator/release');
    const ended = await waitFor('the page to say the backup ended', () => (/The Job has ended: the log below is complete\./.test(doc.getText()) ? doc.getText() : undefined), STEP_DEADLINE_MS);
    assert.match(ended, /Phase: Completed/);
    assert.match(ended, /Wrote backup with name base_[0-9A-F]{24}\nBackup completed\n/);
    assert.match(ended, /Job completed/);
  });

  it('a failed backup: the failure lines without terminal escapes, the exit code and the Job Warning', async () => {
    await sandboxControl('/operator/fail-next', { message: 'Backup failed while perfroming backup-push:\n\u001b[31mERROR: it-logs upload refused\u001b[0m\u0007' });
    await backupIn(ns, cluster, 'it-logs-failed', false, 'Failed');
    const failed = await row(ns, cluster, 'it-logs-failed', 'stackgres.backup.failed');
    const { result, failures } = await run<BackupLogsResult>('stackgres.showBackupLogs', failed.node);
    assert.deepEqual(failures, []);
    assert.ok(result);
    assert.equal(result.state, 'ended');
    const text = await waitFor('the log on the page', () => (/ERROR: it-logs upload refused/.test(page(result).getText()) ? page(result).getText() : undefined), STEP_DEADLINE_MS);
    assert.doesNotMatch(text, /[\u0000-\u0008\u001b\u007f]/, 'no escape or control character from the log reaches the page');
    assert.match(text, /\(Failed, exited 1 \(Error\)\)/);
    assert.match(text, /Failure \(status\.process\.failure\):\n {2}Backup failed while perfroming backup-push:/);
    assert.match(text, /Warning +BackoffLimitExceeded +Job has reached the specified backoff limit/);
  });

  it("a backup whose Job pod is gone: says so, and shows the failure and timing the SGBackup's status holds", async () => {
    const w = kubeTarget().world;
    assert.ok(w, 'the sandbox seeded the tutorial cluster');
    const gone = await waitForTreeRow([kubeTarget().context, w.namespace, w.cluster.name, w.failed.name], STEP_DEADLINE_MS);
    const { result, failures } = await run<BackupLogsResult>('stackgres.showBackupLogs', gone.node);
    assert.deepEqual(failures, []);
    assert.ok(result);
    assert.equal(result.state, 'gone');
    const text = await waitFor('the page', () => (/no longer exists/.test(page(result).getText()) ? page(result).getText() : undefined), STEP_DEADLINE_MS);
    assert.match(text, new RegExp(`The backup Job's pod ${result.pod ?? ''} no longer exists \\(Kubernetes removes finished Job pods\\), so its log is gone\\.`));
    assert.ok(text.includes(w.failed.failure.split('\n')[0]), 'the failure the status holds');
    assert.match(text, /Timing \(status\.process\.timing\): start /);
  });
});
