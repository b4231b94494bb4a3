/**
 * Run Backup Now, Delete Backup and Copy Backup to Namespace in the real editor, against the sandbox API
 * server and its simulated operator. Each part works in scratch namespaces of its own (deleted by the driver),
 * answers the prompts through the extension's test API, and checks what the cluster and the tree then hold.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CopyBackupResult, RunBackupResult } from '../../client/src/commands/backup';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { kubeTarget, runConfig, sandboxControl, scratchNamespace, testingApi, waitFor, waitForTreeRow } from './helpers';

const STEP_DEADLINE_MS = 20_000;

async function kubeApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

async function answer(...answers: (string | boolean | undefined)[]): Promise<void> {
  (await testingApi()).prompts.answer(...answers);
}

/** A namespace with a storage Secret (placeholder values), an SGObjectStorage and SGClusters; waits for the model to see them. */
async function world(api: KubeApi, namespace: string, clusters: { name: string; storage?: string }[]): Promise<void> {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await api.createSecret(namespace, 'it-creds', { accessKeyId: new TextEncoder().encode('placeholder-id'), secretAccessKey: new TextEncoder().encode('placeholder-secret') });
  await api.create({
    apiVersion: 'stackgres.io/v1beta1',
    kind: 'SGObjectStorage',
    metadata: { name: 'it-storage', namespace },
    spec: {
      type: 's3',
      s3: {
        bucket: 'it-bucket',
        region: 'eu-west-1',
        awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'it-creds', key: 'accessKeyId' }, secretAccessKey: { name: 'it-creds', key: 'secretAccessKey' } } },
      },
    },
  });
  for (const c of clusters) {
    await api.create({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGCluster',
      metadata: { name: c.name, namespace },
      spec: {
        instances: 1,
        postgres: { version: '16.4' },
        pods: { persistentVolume: { size: '5Gi' } },
        ...(c.storage ? { configurations: { backups: [{ sgObjectStorage: c.storage, compression: 'lz4' }] } } : {}),
      },
    });
  }
  const model = await (await testingApi()).context.model();
  await waitFor(`the model to hold the clusters of ${namespace}`, () => (clusters.every((c) => model.get('SGCluster', namespace, c.name)) ? true : undefined), STEP_DEADLINE_MS);
}

/** A manual SGBackup made directly through the API, once the operator has Completed it. */
async function completedBackup(api: KubeApi, namespace: string, cluster: string, name: string): Promise<KubeObject> {
  await api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace }, spec: { sgCluster: cluster, managedLifecycle: false } });
  const model = await (await testingApi()).context.model();
  return waitFor(`SGBackup ${namespace}/${name} to be Completed`, () => {
    const obj = model.get('SGBackup', namespace, name);
    return (obj?.status as { process?: { status?: string } } | undefined)?.process?.status === 'Completed' ? obj : undefined;
  }, STEP_DEADLINE_MS);
}

function phaseOf(obj: KubeObject | undefined): string | undefined {
  return (obj?.status as { process?: { status?: string } } | undefined)?.process?.status;
}

async function backupsOf(api: KubeApi, namespace: string, cluster: string): Promise<KubeObject[]> {
  return (await api.list('SGBackup', { namespace, sgCluster: cluster })).items;
}

/** The StackGres log's entries (multi-line ones joined), oldest first. */
function logEntries(): string[] {
  const out: string[] = [];
  for (const file of filesNamed(runConfig().logsRoot, /StackGres\.log$/)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[/.test(line)) out.push(line);
      else if (out.length && line) out[out.length - 1] += `\n${line}`;
    }
  }
  return out;
}

/** Waits for a log entry matching `pattern`. */
async function waitForLog(pattern: RegExp): Promise<string> {
  return waitFor(`a StackGres log entry matching ${String(pattern)}`, () => logEntries().find((e) => pattern.test(e)), STEP_DEADLINE_MS);
}

/** What the command guard wrote for `command` (one entry per failure it showed). */
function guardEntries(command: string): string[] {
  return logEntries().filter((e) => e.includes(`] ${command}: `));
}

/**
 * Runs a command as the palette or a menu would, and returns its result and the failures the guard showed.
 * The guard waits until its error message is closed: once it has logged one, the notifications are cleared,
 * as a user closing the message would.
 */
async function run<T>(command: string, ...args: unknown[]): Promise<{ result: T | undefined; failures: string[] }> {
  const before = guardEntries(command).length;
  let settled = false;
  const pending = Promise.resolve(vscode.commands.executeCommand<T | undefined>(command, ...args)).finally(() => (settled = true));
  const failures = await waitFor(`${command} to finish or to show a failure`, () => {
    const now = guardEntries(command).slice(before);
    return now.length || settled ? now : undefined;
  }, STEP_DEADLINE_MS * 2);
  if (!settled) await vscode.commands.executeCommand('notifications.clearAll');
  const result = await pending;
  // A failure logged just as the command ended is still this command's.
  return { result, failures: settled && !failures.length ? guardEntries(command).slice(before) : failures };
}

function filesNamed(dir: string, name: RegExp): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesNamed(path, name) : name.test(entry) ? [path] : [];
  });
}

async function clusterRow(namespace: string, cluster: string) {
  return waitForTreeRow([kubeTarget().context, namespace, cluster]);
}

/** Every failure entry is one message a user can act on, not a stack trace or a generic "failed". */
function assertClearMessages(failures: string[], what: string): void {
  assert.equal(failures.length, 1, `${what}: one message (${failures.join(' | ')})`);
  // A stack here means the guard took a KubeError for an unexpected error and showed "<command> failed: …"
  // without the error's action (e.g. a KubeError thrown by the separately bundled dist/kube.js).
  assert.doesNotMatch(failures[0], /\n\s+at |: (Error|KubeError): /, `${what}: a message with what to do, not an unexpected-error report: ${failures[0].split('\n')[0]}`);
}

describe('Run Backup Now', () => {
  const ns = scratchNamespace('run-backup');

  before(async () => {
    await world(await kubeApi(), ns, [{ name: 'it-run-db', storage: 'it-storage' }, { name: 'it-no-backups' }, { name: 'it-lost-storage', storage: 'it-missing-storage' }]);
  });

  beforeEach(async () => {
    // The palette and editor cases read the active editor: start from none.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  afterEach(async () => {
    await sandboxControl('/faults/clear');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('from the cluster node: asks who deletes it, follows it to Completed, and the tree shows it Completed', async () => {
    const row = await clusterRow(ns, 'it-run-db');
    assert.equal(row.item.contextValue, 'stackgres.cluster.backups');
    const testing = await testingApi();
    const asked = testing.prompts.asked.length;
    await answer('Keep until I delete it');
    const { result, failures } = await run<RunBackupResult>('stackgres.runBackup', row.node);
    assert.deepEqual(failures, []);
    assert.ok(result, 'the command returned the backup');
    assert.deepEqual(testing.prompts.asked.slice(asked), [`Back up ${ns}/it-run-db now: who deletes this backup?`]);
    assert.equal(result.phase, 'Completed');
    assert.equal(result.following, true);
    assert.match(result.name, /^it-run-db-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/, 'named as the operator names scheduled backups');
    const obj = await (await kubeApi()).get('SGBackup', ns, result.name);
    assert.equal(phaseOf(obj), 'Completed');
    const spec = obj?.spec as { sgCluster?: string; managedLifecycle?: boolean } | undefined;
    assert.deepEqual([spec?.sgCluster, spec?.managedLifecycle], ['it-run-db', false]);
    const backupRow = await waitForTreeRow([kubeTarget().context, ns, 'it-run-db', result.name]);
    assert.equal(backupRow.item.contextValue, 'stackgres.backup.completed.kept', 'Completed, and kept: the menu offers Let Retention Manage');
    await waitForLog(new RegExp(`Backup ${result.name} of it-run-db Completed: .* compressed .* in \\d`));
  });

  it('from the SGCluster manifest in the editor, managed by the retention policy', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'yaml',
      content: `apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: it-run-db\n  namespace: ${ns}\nspec:\n  instances: 1\n`,
    });
    await vscode.window.showTextDocument(document);
    await answer('Managed by the retention policy');
    const { result, failures } = await run<RunBackupResult>('stackgres.runBackup');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    assert.deepEqual(failures, []);
    assert.ok(result, 'the command returned the backup');
    assert.equal(result.namespace, ns);
    assert.equal(result.phase, 'Completed');
    assert.equal(((await (await kubeApi()).get('SGBackup', ns, result.name))?.spec as { managedLifecycle?: boolean }).managedLifecycle, true);
  });

  it("from the palette, a backup that fails: the operator's failure in the message, all of it in the log", async () => {
    const failure = 'Backup failed while perfroming backup-push:\nERROR: it-run-backup upload refused\nline three of the log\nline four of the log';
    await sandboxControl('/operator/fail-next', { message: failure });
    await answer('it-run-db', 'Keep until I delete it');
    const { result } = await run<RunBackupResult>('stackgres.runBackup');
    assert.ok(result, 'the command returned the backup');
    assert.deepEqual([result.namespace, result.phase], [ns, 'Failed']);
    assert.equal(((await (await kubeApi()).get('SGBackup', ns, result.name))?.status as { process: { failure: string } }).process.failure, failure);
    const logged = await waitForLog(new RegExp(`Backup ${result.name} of it-run-db Failed: Backup failed while perfroming backup-push: — ERROR: it-run-backup upload refused …`));
    assert.match(logged, /line four of the log/, 'the whole failure is in the log');
    await waitForTreeRow([kubeTarget().context, ns, 'it-run-db', (r) => r.label === result.name && r.item.contextValue === 'stackgres.backup.failed']);
  });

  it('a cluster without backups configured, or whose storage is missing: says so and creates nothing', async () => {
    const api = await kubeApi();
    for (const [cluster, said] of [
      ['it-no-backups', 'SGCluster it-no-backups has no backups configured'],
      ['it-lost-storage', 'SGObjectStorage it-missing-storage, which does not exist'],
    ]) {
      const row = await clusterRow(ns, cluster);
      assert.equal(row.item.contextValue, cluster === 'it-no-backups' ? 'stackgres.cluster' : 'stackgres.cluster.backups', 'the menu offers it only with backups configured');
      const { result, failures } = await run('stackgres.runBackup', row.node);
      assert.equal(result, undefined, 'the command stopped');
      assertClearMessages(failures, cluster);
      assert.match(failures[0], new RegExp(said));
      assert.deepEqual(await backupsOf(api, ns, cluster), [], `no SGBackup for ${cluster}`);
    }
  });

  it('a create the API server refuses (401, 403, 500): one clear message each, and no backup', async () => {
    const api = await kubeApi();
    const before = (await backupsOf(api, ns, 'it-run-db')).length;
    const row = await clusterRow(ns, 'it-run-db');
    for (const [status, said] of [
      [401, /rejected the credentials/],
      [403, /forbidden|not allowed/i],
      [500, /HTTP 500|internal|server/i],
    ] as const) {
      await sandboxControl('/faults', { method: 'POST', pathPrefix: `/apis/stackgres.io/v1/namespaces/${ns}/sgbackups`, status, times: 1 });
      await answer('Keep until I delete it');
      const { result, failures } = await run('stackgres.runBackup', row.node);
      assert.equal(result, undefined, `HTTP ${status}: the command stopped`);
      assertClearMessages(failures, `HTTP ${status}`);
      assert.match(failures[0], said);
    }
    assert.equal((await backupsOf(api, ns, 'it-run-db')).length, before, 'no SGBackup was created');
  });

  it('a create that gets no answer: times out with one message that says the backup may still appear', async () => {
    const row = await clusterRow(ns, 'it-run-db');
    // Longer than the Kubernetes layer's 30 s call timeout.
    await sandboxControl('/faults/delay', { ms: 45_000, method: 'POST', pathPrefix: `/apis/stackgres.io/v1/namespaces/${ns}/sgbackups`, times: 1 });
    await answer('Keep until I delete it');
    const { result, failures } = await run('stackgres.runBackup', row.node);
    assert.equal(result, undefined, 'the command stopped');
    assertClearMessages(failures, 'timeout');
    assert.match(failures[0], /did not answer within 30 s.* may still have been created: look for it in the tree/);
  });
});

describe('Delete Backup', () => {
  const ns = scratchNamespace('delete-backup');

  before(async () => {
    const api = await kubeApi();
    await world(api, ns, [{ name: 'it-db', storage: 'it-storage' }]);
    await completedBackup(api, ns, 'it-db', 'it-db-to-delete');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('a wrong typed name deletes nothing', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'it-db-to-delete']);
    await answer('it-db-to-delet');
    const { result, failures } = await run<{ deleted: boolean }>('stackgres.deleteBackup', row.node);
    assert.deepEqual([result, failures], [{ deleted: false }, []]);
    assert.ok(await (await kubeApi()).get('SGBackup', ns, 'it-db-to-delete'), 'the backup is still there');
  });

  it('a stale row (the backup was deleted and made again under the same name since) deletes nothing and says why', async () => {
    const api = await kubeApi();
    await completedBackup(api, ns, 'it-db', 'it-db-again');
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'it-db-again']);
    await api.delete('SGBackup', ns, 'it-db-again');
    const again = await api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'it-db-again', namespace: ns }, spec: { sgCluster: 'it-db', managedLifecycle: false } });
    await answer('it-db-again');
    const { result, failures } = await run<{ deleted: boolean }>('stackgres.deleteBackup', row.node);
    assert.equal(result, undefined, 'the command stopped');
    assertClearMessages(failures, 'stale row');
    assert.match(failures[0], new RegExp(`SGBackup it-db-again in namespace ${ns} is not the one chosen: it was deleted and created again under the same name meanwhile\\. Nothing was deleted\\.`));
    assert.equal((await api.get('SGBackup', ns, 'it-db-again'))?.metadata.uid, again.object.metadata.uid, 'the new backup is still there');
  });

  it('the right typed name deletes it, and it leaves the tree', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'it-db-to-delete']);
    const testing = await testingApi();
    const asked = testing.prompts.asked.length;
    await answer('it-db-to-delete');
    const { result, failures } = await run<{ deleted: boolean }>('stackgres.deleteBackup', row.node);
    assert.deepEqual([result, failures], [{ deleted: true }, []]);
    assert.deepEqual(testing.prompts.asked.slice(asked), [`Delete SGBackup it-db-to-delete in ${ns}?`]);
    assert.equal(await (await kubeApi()).get('SGBackup', ns, 'it-db-to-delete'), undefined);
    const model = await testing.context.model();
    assert.equal(model.get('SGBackup', ns, 'it-db-to-delete'), undefined, 'the command waited until the cache saw it go');
    const cluster = await clusterRow(ns, 'it-db');
    assert.equal((await testing.context.tree!.getChildren(cluster.node)).some((n) => n.id.endsWith(`/backup/${ns}/it-db-to-delete`)), false);
  });
});

describe('Copy Backup to Namespace', () => {
  const ns = scratchNamespace('copy-source');
  const target = scratchNamespace('copy-target');
  const failing = scratchNamespace('copy-fail');

  before(async () => {
    const api = await kubeApi();
    await world(api, ns, [{ name: 'it-db', storage: 'it-storage' }]);
    await completedBackup(api, ns, 'it-db', 'it-db-to-copy');
    for (const n of [target, failing]) await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } });
  });

  afterEach(async () => {
    await sandboxControl('/faults/clear');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('creates the copy with spec.sgCluster = <namespace>.<cluster> and the storage Secret, and the tree shows it', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'it-db-to-copy']);
    const testing = await testingApi();
    const asked = testing.prompts.asked.length;
    await answer(target, true);
    const { result, failures } = await run<CopyBackupResult>('stackgres.copyBackup', row.node);
    assert.deepEqual(failures, []);
    assert.ok(result, 'the command returned the copy');
    assert.deepEqual(result.secretsCopied, ['it-creds']);
    const context = (await kubeApi()).context.name;
    assert.deepEqual(testing.prompts.asked.slice(asked), [`Copy it-db-to-copy to which namespace?`, `Copy credentials Secret it-creds from namespace ${ns} to namespace ${target} (context "${context}")?`]);
    const api = await kubeApi();
    const copy = await api.get('SGBackup', target, 'it-db-to-copy');
    assert.equal((copy?.spec as { sgCluster?: string }).sgCluster, `${ns}.it-db`);
    assert.equal(phaseOf(copy), 'Completed', 'the status came along');
    assert.deepEqual((await api.secretKeys(target, 'it-creds'))?.sort(), ['accessKeyId', 'secretAccessKey']);
    await waitForTreeRow([kubeTarget().context, target, 'Other backups', 'it-db-to-copy']);
  });

  it('asks before replacing a Secret of the same name in the target, and keeps it when told', async () => {
    const api = await kubeApi();
    const keepNs = scratchNamespace('copy-keep');
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: keepNs } });
    await api.createSecret(keepNs, 'it-creds', { accessKeyId: new TextEncoder().encode('other-id'), secretAccessKey: new TextEncoder().encode('other-secret'), note: new TextEncoder().encode('kept') });
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'it-db-to-copy']);
    const testing = await testingApi();
    const asked = testing.prompts.asked.length;
    await answer(keepNs, 'Keep Secret it-creds');
    const { result, failures } = await run<CopyBackupResult>('stackgres.copyBackup', row.node);
    assert.deepEqual(failures, []);
    assert.ok(result, 'the command returned the copy');
    assert.deepEqual(testing.prompts.asked.slice(asked), [`Copy it-db-to-copy to which namespace?`, `Secret it-creds already exists in ${keepNs}`]);
    assert.deepEqual([result.secretsCopied, result.secretsReplaced], [[], []]);
    assert.deepEqual((await api.secretKeys(keepNs, 'it-creds'))?.sort(), ['accessKeyId', 'note', 'secretAccessKey'], 'the existing Secret was left as it was');
    assert.ok(await api.get('SGBackup', keepNs, 'it-db-to-copy'));
  });

  it('cancelled at the credentials confirmation: nothing is written to the target', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'it-db-to-copy']);
    await answer(failing, false);
    const { result, failures } = await run('stackgres.copyBackup', row.node);
    assert.deepEqual([result, failures], [undefined, []], 'a quiet stop');
    const api = await kubeApi();
    assert.equal(await api.get('SGBackup', failing, 'it-db-to-copy'), undefined);
    assert.equal(await api.secretKeys(failing, 'it-creds'), undefined);
  });

  it('a failure midway (the Secret write refused) removes the SGBackup copy it had made: nothing is left behind', async () => {
    await sandboxControl('/faults', { method: 'POST', pathPrefix: `/api/v1/namespaces/${failing}/secrets`, status: 500, times: 1 });
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'it-db-to-copy']);
    await answer(failing, true);
    const { result, failures } = await run('stackgres.copyBackup', row.node);
    assert.equal(result, undefined, 'the command stopped');
    assertClearMessages(failures, 'Secret refused');
    assert.match(failures[0], new RegExp(`Copying SGBackup it-db-to-copy to ${failing} failed: .*It removed SGBackup it-db-to-copy: nothing was left behind in ${failing}\\.`));
    const api = await kubeApi();
    assert.equal(await api.get('SGBackup', failing, 'it-db-to-copy'), undefined);
    assert.equal(await api.secretKeys(failing, 'it-creds'), undefined);
  });

  it('a namespace that does not exist: one clear message, nothing created', async () => {
    const missing = scratchNamespace('copy-nowhere');
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'it-db-to-copy']);
    await answer('Other namespace…', missing, true);
    const { result, failures } = await run('stackgres.copyBackup', row.node);
    assert.equal(result, undefined, 'the command stopped');
    assertClearMessages(failures, 'missing namespace');
    assert.match(failures[0], new RegExp(`Copying SGBackup it-db-to-copy to ${missing} failed: Namespace ${missing} does not exist.*Nothing was created or changed in ${missing}\\.`));
  });
});
