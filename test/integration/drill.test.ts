/**
 * Test Restore (a restore drill) in the real editor, against the sandbox API server and its simulated
 * operator, which restores a new cluster from its backup (pod pending → restoring → Ready) or crash-loops
 * with wal-g's error when the backup is marked as missing WAL. The drill cluster is reviewed, created,
 * followed, its result recorded on the SGBackup, and deleted (only it) or kept.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { DrillResult } from '../../client/src/commands/drill';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { DRILL_RESULT_ANNOTATION, DRILL_SELECTOR, parseDrillRecord } from '@core/drill';
import { contextIdentity } from '../../client/src/webviews/pageMessages';
import { kubeTarget, markdownAsRead, runConfig, sandboxControl, scratchNamespace, testingApi, waitFor, waitForTreeRow } from './helpers';

const STEP_DEADLINE_MS = 20_000;
/** A drill on the sandbox takes a few seconds (6 simulated seconds plus the backup's size at 32 MiB/s). */
const DRILL_DEADLINE_MS = 60_000;

async function kubeApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

async function answer(...answers: (string | boolean | undefined)[]): Promise<void> {
  (await testingApi()).prompts.answer(...answers);
}

/** A namespace with a storage Secret, an SGObjectStorage and one SGCluster that backs up to it. */
async function world(api: KubeApi, namespace: string, cluster: string): Promise<void> {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await api.createSecret(namespace, 'it-creds', { accessKeyId: new TextEncoder().encode('placeholder-id'), secretAccessKey: new TextEncoder().encode('placeholder-secret') });
  await api.create({
    apiVersion: 'stackgres.io/v1beta1',
    kind: 'SGObjectStorage',
    metadata: { name: 'it-storage', namespace },
    spec: {
      type: 's3',
      s3: { bucket: 'it-bucket', region: 'eu-west-1', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'it-creds', key: 'accessKeyId' }, secretAccessKey: { name: 'it-creds', key: 'secretAccessKey' } } } },
    },
  });
  await api.create({
    apiVersion: 'stackgres.io/v1',
    kind: 'SGCluster',
    metadata: { name: cluster, namespace },
    spec: { instances: 1, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '5Gi' } }, configurations: { backups: [{ sgObjectStorage: 'it-storage' }] } },
  });
}

async function completedBackup(api: KubeApi, namespace: string, cluster: string, name: string, annotations?: Record<string, string>): Promise<KubeObject> {
  await api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace, annotations }, spec: { sgCluster: cluster, managedLifecycle: false } });
  const model = await (await testingApi()).context.model();
  return waitFor(`SGBackup ${namespace}/${name} to be Completed`, () => {
    const obj = model.get('SGBackup', namespace, name);
    return (obj?.status as { process?: { status?: string } } | undefined)?.process?.status === 'Completed' ? obj : undefined;
  }, STEP_DEADLINE_MS);
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

/** Runs a command as a menu would; returns its result and the failures the command guard showed. */
async function run<T>(command: string, ...args: unknown[]): Promise<{ result: T | undefined; failures: string[] }> {
  const failuresNow = () => logEntries().filter((e) => e.includes(`] ${command}: `));
  const before = failuresNow().length;
  let settled = false;
  const pending = Promise.resolve(vscode.commands.executeCommand<T | undefined>(command, ...args)).finally(() => (settled = true));
  const failures = await waitFor(`${command} to finish or to show a failure`, () => {
    const now = failuresNow().slice(before);
    return now.length || settled ? now : undefined;
  }, DRILL_DEADLINE_MS);
  if (!settled) await vscode.commands.executeCommand('notifications.clearAll');
  const result = await pending;
  return { result, failures: settled && !failures.length ? failuresNow().slice(before) : failures };
}

/** Runs a command that must fail: waits for the failure the guard logs (the log file is written a moment after the command ends). */
async function runFailing(command: string, ...args: unknown[]): Promise<string> {
  const failuresNow = () => logEntries().filter((e) => e.includes(`] ${command}: `));
  const before = failuresNow().length;
  const result = await vscode.commands.executeCommand(command, ...args);
  assert.equal(result, undefined, `${command} stopped`);
  const failures = await waitFor(`${command} to log its failure`, () => {
    const now = failuresNow().slice(before);
    return now.length ? now : undefined;
  }, STEP_DEADLINE_MS);
  assert.equal(failures.length, 1, failures.join(' | '));
  return failures[0];
}

async function drillClusters(api: KubeApi, namespace: string): Promise<KubeObject[]> {
  return (await api.list('SGCluster', { namespace, labelSelector: DRILL_SELECTOR })).items;
}

function recordOn(backup: KubeObject | undefined): ReturnType<typeof parseDrillRecord> {
  return parseDrillRecord(backup?.metadata.annotations?.[DRILL_RESULT_ANNOTATION]);
}

describe('Test Restore (restore drill)', function () {
  this.timeout(DRILL_DEADLINE_MS * 2);
  const ns = scratchNamespace('drill');

  before(async () => {
    const api = await kubeApi();
    await world(api, ns, 'it-dsrc');
    await completedBackup(api, ns, 'it-dsrc', 'it-dsrc-good');
    // The simulated operator's restore of this one crash-loops: its WAL is "missing in the bucket".
    await completedBackup(api, ns, 'it-dsrc', 'it-dsrc-nowal', { 'stackgres-test/restore-fault': 'wal-missing' });
    // And of this one the pod is never scheduled: only the time limit (or Cancel) ends its drill.
    await completedBackup(api, ns, 'it-dsrc', 'it-dsrc-stuck', { 'stackgres-test/restore-fault': 'never-ready' });
    // Carries the drill label but is no drill of ours: cleanup must leave it alone.
    await api.create({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGCluster',
      metadata: { name: 'it-bystander', namespace: ns, labels: { 'stackgres-vscode/restore-drill': 'true' } },
      spec: { instances: 1, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '5Gi' } } },
    });
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    await sandboxControl('/faults/clear');
    // Answers no question took would answer the next suite's questions.
    const left = (await testingApi()).prompts.takeUnanswered();
    if (this.currentTest?.state === 'passed') assert.deepEqual(left, [], 'every queued answer was asked for');
  });

  it('succeeds on a good backup: review, create, follow to Ready, record the result on the SGBackup, delete only the drill cluster; the row says restore-tested', async () => {
    const api = await kubeApi();
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-dsrc', 'it-dsrc-good']);
    const testing = await testingApi();
    const asked = testing.prompts.asked.length;
    // Namespace, create after the review, delete the drill cluster at the end.
    await answer(ns, true, true);
    const { result, failures } = await run<DrillResult>('stackgres.testRestore', row.node);
    assert.deepEqual(failures, []);
    assert.ok(result, 'the drill ran to its end');
    const [question, create, cleanup] = testing.prompts.asked.slice(asked);
    assert.equal(question, 'Test restore it-dsrc-good: namespace of the drill cluster');
    assert.match(create, new RegExp(`^Create restore drill cluster ${ns}/it-dsrc-drill-\\d{8}-\\d{6} in context`));
    assert.match(cleanup, /^Restore drill of SGBackup it-dsrc-good succeeded in \d+s: .* runs with the restored data\. The result is recorded on the SGBackup\. Delete the drill cluster\?$/);
    assert.deepEqual([result.result, result.recorded, result.deleted], ['succeeded', true, true]);

    const record = recordOn(await api.get('SGBackup', ns, 'it-dsrc-good'));
    assert.ok(record, 'the SGBackup carries the drill annotation');
    assert.deepEqual([record.result, record.cluster, record.target, record.durationSeconds], ['succeeded', `${ns}/${result.cluster}`, 'latest', result.durationSeconds]);
    assert.equal(await api.get('SGCluster', ns, result.cluster), undefined, 'the drill cluster is deleted');
    assert.ok(await api.get('SGCluster', ns, 'it-dsrc'), 'the source cluster is untouched');
    assert.ok(await api.get('SGCluster', ns, 'it-bystander'), 'another cluster with the drill label is untouched');

    const tested = await waitForTreeRow([kubeTarget().context, ns, 'it-dsrc', (r) => r.item.label === 'it-dsrc-good' && /restore-tested \d+s ago · \d+s$/.test(String(r.item.description))]);
    assert.match(markdownAsRead((tested.item.tooltip as vscode.MarkdownString).value), /Restore test passed \S+ in \d+s \(to latest state, drill cluster `[^`]+`\)/);

    // The Backup Health Report names this drill as the cluster's last one.
    const report = await vscode.commands.executeCommand<{ markdown: string } | undefined>('stackgres.showBackupHealthReport', { readBuckets: false });
    const section = report?.markdown.split('\n## ').find((s) => s.includes(`SGCluster \`it-dsrc\` in \`${ns}\``));
    assert.ok(section, 'the report has a section for the drilled cluster');
    assert.match(section, new RegExp(`\\| Last restore drill \\| \\S+ \\S+ UTC: restored \`it-dsrc-good\` to latest in \\d+s \\(drill \`${ns}/${result.cluster}\`\\) \\|`));
  });

  it('fails on a backup whose WAL is missing, with wal-g\'s reason on the row; kept, then found again by its label and cleaned up', async () => {
    const api = await kubeApi();
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-dsrc', 'it-dsrc-nowal']);
    // Namespace, create, then keep the failed drill cluster (Cancel on the delete question).
    await answer(ns, true, false);
    const { result, failures } = await run<DrillResult>('stackgres.testRestore', row.node);
    assert.deepEqual(failures, []);
    assert.ok(result);
    assert.deepEqual([result.result, result.recorded, result.deleted], ['failed', true, false]);
    assert.match(result.reason ?? '', /CrashLoopBackOff: ERROR: .*Archive '[0-9A-F]{24}' does not exist/);
    const record = recordOn(await api.get('SGBackup', ns, 'it-dsrc-nowal'));
    assert.equal(record?.result, 'failed');
    assert.match(record?.reason ?? '', /does not exist/);

    const failedRow = await waitForTreeRow([kubeTarget().context, ns, 'it-dsrc', (r) => r.item.label === 'it-dsrc-nowal' && String(r.item.description).endsWith('restore test failed')]);
    const tip = markdownAsRead((failedRow.item.tooltip as vscode.MarkdownString).value);
    assert.match(tip, /Restore test failed:[\s\S]*Archive '[0-9A-F]{24}' does not exist/);

    // Kept: it is still there, and Follow Restore Drill (what a reloaded window offers) finds it by label and cleans it up.
    const kept = (await drillClusters(api, ns)).map((c) => c.metadata.name).sort();
    assert.deepEqual(kept, ['it-bystander', result.cluster].sort());
    await answer(true);
    const followed = await run<DrillResult>('stackgres.followDrill', { namespace: ns, name: result.cluster });
    assert.deepEqual(followed.failures, []);
    assert.deepEqual([followed.result?.result, followed.result?.deleted], ['failed', true]);
    assert.deepEqual((await drillClusters(api, ns)).map((c) => c.metadata.name), ['it-bystander'], 'only the drill cluster was deleted');

    // A cluster that carries the label but is not a drill the extension made is refused, not deleted.
    assert.match(await runFailing('stackgres.followDrill', { namespace: ns, name: 'it-bystander' }), /it-bystander is not a restore drill made by Test Restore/);
    assert.ok(await api.get('SGCluster', ns, 'it-bystander'));
  });

  it('from the recoverable window, to an instant inside the backup\'s window: a point-in-time drill; an instant past the window is refused and creates nothing', async () => {
    const api = await kubeApi();
    const good = await api.get('SGBackup', ns, 'it-dsrc-good');
    const next = await api.get('SGBackup', ns, 'it-dsrc-nowal');
    const stored = (o: KubeObject | undefined) => Date.parse((o?.status as { process: { timing: { stored: string } } }).process.timing.stored);
    // The exact midpoint, with milliseconds: the two backups may be stored within the same second.
    const instant = new Date(Math.floor((stored(good) + stored(next)) / 2)).toISOString();
    assert.ok(stored(good) < Date.parse(instant) && Date.parse(instant) < stored(next), 'the backups were stored apart');
    const context = contextIdentity(api.context);

    const before = (await drillClusters(api, ns)).length;
    const late = new Date(stored(next) + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    assert.match(await runFailing('stackgres.testRestore', { backup: { namespace: ns, name: 'it-dsrc-good' }, pointInTime: late, context }), /is after the next backup, it-dsrc-nowal,/);
    assert.equal((await drillClusters(api, ns)).length, before, 'nothing was created');

    await answer(ns, true, true);
    const { result, failures } = await run<DrillResult>('stackgres.testRestore', { backup: { namespace: ns, name: 'it-dsrc-good' }, pointInTime: instant, context });
    assert.deepEqual(failures, []);
    assert.deepEqual([result?.result, result?.deleted], ['succeeded', true]);
    const record = recordOn(await api.get('SGBackup', ns, 'it-dsrc-good'));
    assert.equal(record?.target, instant, 'the record says which instant was restored to');
  });

  it('never ready: fails at the time limit, with where it was and the last warning', async () => {
    const api = await kubeApi();
    const settings = vscode.workspace.getConfiguration('stackgres');
    await settings.update('drill.timeoutMinutes', 0.1, vscode.ConfigurationTarget.Global);
    try {
      const row = await waitForTreeRow([kubeTarget().context, ns, 'it-dsrc', 'it-dsrc-stuck']);
      await answer(ns, true, true);
      const { result, failures } = await run<DrillResult>('stackgres.testRestore', row.node);
      assert.deepEqual(failures, []);
      assert.deepEqual([result?.result, result?.recorded, result?.deleted], ['failed', true, true]);
      assert.equal(result?.reason, 'Not ready within 6s (the time limit, setting stackgres.drill.timeoutMinutes); it was pod pending (scheduling, volume). Last warning: FailedScheduling: 0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
      assert.equal(recordOn(await api.get('SGBackup', ns, 'it-dsrc-stuck'))?.result, 'failed');
    } finally {
      await settings.update('drill.timeoutMinutes', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('cancelled while it follows the drill: records nothing, and deletes the drill cluster when asked', async () => {
    const api = await kubeApi();
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-dsrc', 'it-dsrc-stuck']);
    const recordBefore = (await api.get('SGBackup', ns, 'it-dsrc-stuck'))?.metadata.annotations?.[DRILL_RESULT_ANNOTATION];
    const before = (await drillClusters(api, ns)).length;
    // Namespace, create, and (after Cancel) delete the drill cluster.
    await answer(ns, true, true);
    let settled = false;
    const drilling = Promise.resolve(vscode.commands.executeCommand<DrillResult | undefined>('stackgres.testRestore', row.node)).finally(() => (settled = true));
    await waitFor('the drill cluster to be created', async () => ((await drillClusters(api, ns)).length > before ? true : undefined), STEP_DEADLINE_MS);
    // The progress notification's Cancel (its primary action).
    await waitFor('Cancel to end the drill', async () => {
      if (!settled) await vscode.commands.executeCommand('notification.acceptPrimaryAction');
      return settled ? true : undefined;
    }, STEP_DEADLINE_MS);
    const result = await drilling;
    assert.deepEqual([result?.result, result?.recorded, result?.deleted], ['cancelled', false, true]);
    assert.equal((await api.get('SGBackup', ns, 'it-dsrc-stuck'))?.metadata.annotations?.[DRILL_RESULT_ANNOTATION], recordBefore, 'nothing recorded');
    assert.equal((await drillClusters(api, ns)).length, before, 'the drill cluster is gone');
  });

  it('over quota: says the ResourceQuota has no room and creates nothing', async () => {
    const api = await kubeApi();
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-dsrc', 'it-dsrc-good']);
    await sandboxControl('/faults', {
      method: 'POST',
      pathPrefix: `/apis/stackgres.io/v1/namespaces/${ns}/sgclusters`,
      status: 403,
      times: 1,
      message: 'sgclusters.stackgres.io "it-dsrc-drill" is forbidden: exceeded quota: drills, requested: count/sgclusters.stackgres.io=1, used: count/sgclusters.stackgres.io=2, limited: count/sgclusters.stackgres.io=2',
    });
    const before = (await drillClusters(api, ns)).length;
    await answer(ns);
    assert.match(await runFailing('stackgres.testRestore', row.node), new RegExp(`The namespace ${ns} has no room for the drill cluster under its ResourceQuota \\(.*exceeded quota: drills.*\\)\\. Nothing was created\\.`));
    assert.equal((await drillClusters(api, ns)).length, before);
  });

  it('without permission to create SGClusters: says so and creates nothing; cancelled at the review: creates nothing', async () => {
    const api = await kubeApi();
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-dsrc', 'it-dsrc-good']);
    await sandboxControl('/faults', { method: 'POST', pathPrefix: `/apis/stackgres.io/v1/namespaces/${ns}/sgclusters`, status: 403, times: 1 });
    const before = (await drillClusters(api, ns)).length;
    await answer(ns);
    assert.match(await runFailing('stackgres.testRestore', row.node), new RegExp(`You may not create SGClusters in namespace ${ns} \\(403 Forbidden\\)\\. Nothing was created\\.`));

    await answer(ns, false);
    const cancelled = await run<DrillResult>('stackgres.testRestore', row.node);
    assert.deepEqual([cancelled.result, cancelled.failures], [undefined, []], 'cancelled quietly');
    assert.equal((await drillClusters(api, ns)).length, before, 'no drill cluster was created');
  });
});
