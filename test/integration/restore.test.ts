/**
 * Restore Backup in the real editor, against the sandbox API server: restore as code. The command writes a
 * new SGCluster manifest under restore/ in the workspace and opens it; these tests read that file back.
 * Two backups of one cluster make a bounded recoverable window for the point-in-time cases.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { RestoreResult } from '../../client/src/commands/restore';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { contextIdentity } from '../../client/src/webviews/pageMessages';
import { fixtureUri, kubeTarget, runConfig, scratchNamespace, testingApi, waitFor, waitForTreeRow } from './helpers';

const STEP_DEADLINE_MS = 20_000;
const LATEST = 'Latest state in this backup (no PITR)';
const POINT_IN_TIME = 'A point in time (UTC)…';

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
      s3: {
        bucket: 'it-bucket',
        region: 'eu-west-1',
        awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'it-creds', key: 'accessKeyId' }, secretAccessKey: { name: 'it-creds', key: 'secretAccessKey' } } },
      },
    },
  });
  await api.create({
    apiVersion: 'stackgres.io/v1',
    kind: 'SGCluster',
    metadata: { name: cluster, namespace },
    spec: { instances: 2, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '7Gi' } }, configurations: { backups: [{ sgObjectStorage: 'it-storage' }] } },
  });
}

async function completedBackup(api: KubeApi, namespace: string, cluster: string, name: string): Promise<KubeObject> {
  await api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace }, spec: { sgCluster: cluster, managedLifecycle: false } });
  const model = await (await testingApi()).context.model();
  return waitFor(`SGBackup ${namespace}/${name} to be Completed`, () => {
    const obj = model.get('SGBackup', namespace, name);
    return (obj?.status as { process?: { status?: string } } | undefined)?.process?.status === 'Completed' ? obj : undefined;
  }, STEP_DEADLINE_MS);
}

function storedOf(obj: KubeObject): Date {
  return new Date((obj.status as { process: { timing: { stored: string } } }).process.timing.stored);
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

async function restoreFile(name: string): Promise<string | undefined> {
  return vscode.workspace.fs.readFile(fixtureUri(`restore/${name}.yaml`)).then((b) => new TextDecoder().decode(b), () => undefined);
}

type Manifest = {
  metadata: { name: string; namespace: string };
  spec: { instances: number; postgres: { version: string }; pods: { persistentVolume: { size: string } }; initialData: { restore: { fromBackup: { name: string; pointInTimeRecovery?: { restoreToTimestamp: string } } } } };
};

describe('Restore Backup', () => {
  const ns = scratchNamespace('restore');
  const target = scratchNamespace('restore-target');
  let older: KubeObject;
  let newer: KubeObject;

  before(async () => {
    const api = await kubeApi();
    await world(api, ns, 'it-src');
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: target } });
    older = await completedBackup(api, ns, 'it-src', 'it-src-older');
    newer = await completedBackup(api, ns, 'it-src', 'it-src-newer');
    assert.ok(storedOf(newer).getTime() - storedOf(older).getTime() >= 2, 'the two backups were stored apart');
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.workspace.fs.delete(fixtureUri('restore'), { recursive: true }).then(undefined, () => undefined);
    // Answers a failed test left would answer the next tests' questions (one failure became twenty).
    const left = (await testingApi()).prompts.takeUnanswered();
    if (this.currentTest?.state === 'passed') assert.deepEqual(left, [], 'every queued answer was asked for');
  });

  it('from the palette (cluster, then a Completed backup): writes restore/<name>.yaml for a new cluster from that backup, and opens it', async () => {
    const testing = await testingApi();
    const asked = testing.prompts.asked.length;
    await answer('it-src', 'it-src-newer', ns, 'it-restored', LATEST);
    const { result, failures } = await run<RestoreResult>('stackgres.restoreBackup');
    assert.deepEqual(failures, []);
    assert.ok(result, 'the command returned where it wrote the manifest');
    assert.deepEqual(testing.prompts.asked.slice(asked), [
      'Restore backup: which cluster?',
      'Restore backup: which backup of it-src? (newest first)',
      'Restore it-src-newer: namespace of the new cluster',
      `Restore it-src-newer: name of the NEW SGCluster in ${ns}`,
      'Restore it-src-newer into it-restored: up to when?',
    ]);
    assert.equal(result.uri, fixtureUri('restore/it-restored.yaml').toString());
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), result.uri, 'the manifest is open to review');
    const text = await restoreFile('it-restored');
    assert.ok(text, 'restore/it-restored.yaml was written');
    const m = parse(text) as Manifest;
    assert.deepEqual(m.metadata, { name: 'it-restored', namespace: ns });
    assert.deepEqual(m.spec.initialData.restore.fromBackup, { name: 'it-src-newer' }, 'no point in time');
    assert.equal(m.spec.postgres.version, '16', "the backup's Postgres major");
    assert.deepEqual([m.spec.instances, m.spec.pods.persistentVolume.size], [2, '7Gi'], 'sized like the source cluster');
    assert.match(text, /^# Restores SGBackup it-src-newer/m);
  });

  it('asks its questions as one multi-step input: Back returns to the previous step with its answer kept, Escape writes nothing', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-src', 'it-src-newer']);
    const { prompts } = await testingApi();
    const shown = prompts.shownSteps.length;
    // Name it, go back twice (to "up to when?", then to the namespace), come forward: the name typed is offered again.
    prompts.answer(ns, 'it-first', prompts.BACK, prompts.BACK, ns, 'it-back', LATEST);
    const { result, failures } = await run<RestoreResult>('stackgres.restoreBackup', row.node);
    assert.deepEqual(failures, []);
    assert.equal(result?.clusterName, 'it-back');
    const steps = prompts.shownSteps.slice(shown).map((s) => [s.title.replace(/:.*/, ''), `${s.step}/${s.totalSteps}`, s.value ?? s.active ?? '']);
    assert.deepEqual(steps, [
      ['Restore it-src-newer', '1/3', ''],
      ['Restore it-src-newer', '2/3', 'it-src-restore'],
      ['Restore it-src-newer into it-first', '3/3', ''],
      ['Restore it-src-newer', '2/3', 'it-first'],
      ['Restore it-src-newer', '1/3', ns],
      ['Restore it-src-newer', '2/3', 'it-first'],
      ['Restore it-src-newer into it-back', '3/3', ''],
    ]);
    assert.equal(await restoreFile('it-first'), undefined, 'only the last answers count');
    assert.ok(await restoreFile('it-back'));

    // Escape at the last step: nothing is written, nothing is reported.
    prompts.answer(ns, 'it-escaped', undefined);
    const escaped = await run('stackgres.restoreBackup', row.node);
    assert.deepEqual([escaped.result, escaped.failures], [undefined, []]);
    assert.equal(await restoreFile('it-escaped'), undefined);
  });

  it('from the backup node, with a point in time inside the window: the manifest carries the timestamp', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-src', 'it-src-older']);
    assert.match(row.item.contextValue ?? '', /^stackgres\.backup\.completed\.(kept|managed)$/);
    const at = new Date(Math.floor((storedOf(older).getTime() + storedOf(newer).getTime()) / 2)).toISOString().replace(/\.000Z$/, 'Z');
    await answer(ns, 'it-pitr', POINT_IN_TIME, at);
    const { result, failures } = await run<RestoreResult>('stackgres.restoreBackup', row.node);
    assert.deepEqual(failures, []);
    assert.ok(result, 'the command returned where it wrote the manifest');
    assert.equal(result.restoreToTimestamp, at);
    const m = parse((await restoreFile('it-pitr'))!) as Manifest;
    assert.deepEqual(m.spec.initialData.restore.fromBackup, { name: 'it-src-older', pointInTimeRecovery: { restoreToTimestamp: at } });
  });

  it('refuses a name that exists or is too long, and writes nothing', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-src', 'it-src-newer']);
    const long = `it-${'x'.repeat(42)}`;
    for (const [name, said] of [
      ['it-src', `SGCluster it-src already exists in namespace ${ns}`],
      [long, `The SGCluster name is 45 characters; the limit is 44`],
    ]) {
      await answer(ns, name);
      const { result, failures } = await run('stackgres.restoreBackup', row.node);
      assert.equal(result, undefined, `${name}: refused`);
      assert.equal(failures.length, 1);
      assert.match(failures[0], new RegExp(`"${name}".*${said}`));
      assert.equal(await restoreFile(name), undefined);
    }
  });

  it('refuses a point in time outside the recoverable window, and writes nothing', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-src', 'it-src-older']);
    const after = new Date(storedOf(newer).getTime() + 60_000).toISOString();
    await answer(ns, 'it-late', POINT_IN_TIME, after);
    const late = await run('stackgres.restoreBackup', row.node);
    assert.equal(late.result, undefined);
    assert.match(late.failures.join('\n'), new RegExp(`"${after.replace(/\./g, '\\.')}".*is after the next backup, it-src-newer,`));
    const before = new Date(storedOf(older).getTime() - 60_000).toISOString();
    await answer(ns, 'it-early', POINT_IN_TIME, before);
    const early = await run('stackgres.restoreBackup', row.node);
    assert.equal(early.result, undefined);
    assert.match(early.failures.join('\n'), new RegExp(`"${before.replace(/\./g, '\\.')}".*is before SGBackup it-src-older was stored`));
    assert.deepEqual([await restoreFile('it-late'), await restoreFile('it-early')], [undefined, undefined]);
  });

  it('never replaces an existing file without asking', async () => {
    await vscode.workspace.fs.writeFile(fixtureUri('restore/it-keep.yaml'), new TextEncoder().encode('# mine\n'));
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-src', 'it-src-newer']);
    await answer(ns, 'it-keep', LATEST, undefined);
    const dismissed = await run('stackgres.restoreBackup', row.node);
    assert.deepEqual([dismissed.result, dismissed.failures], [undefined, []], 'dismissed: stopped quietly');
    assert.equal(await restoreFile('it-keep'), '# mine\n');
    await answer(ns, 'it-keep', LATEST, true);
    const { result } = await run<RestoreResult>('stackgres.restoreBackup', row.node);
    assert.ok(result, 'confirmed: written');
    assert.match((await restoreFile('it-keep'))!, /name: it-keep/);
  });

  it('refuses a restore/ folder that is a symbolic link to outside the workspace, and writes nothing there', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'stackgres-restore-outside-'));
    const link = fixtureUri('restore').fsPath;
    rmSync(link, { recursive: true, force: true });
    symlinkSync(outside, link);
    try {
      const row = await waitForTreeRow([kubeTarget().context, ns, 'it-src', 'it-src-newer']);
      await answer(ns, 'it-linked', LATEST);
      const { result, failures } = await run<RestoreResult>('stackgres.restoreBackup', row.node);
      assert.equal(result, undefined, 'the command stopped');
      assert.equal(failures.length, 1, failures.join(' | '));
      assert.match(failures[0], /restore in the workspace folder is a symbolic link \(to .*\).*Nothing was written\./);
      assert.deepEqual(readdirSync(outside), [], 'nothing was written outside the workspace');
    } finally {
      unlinkSync(link);
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a restore the recoverable window asked for in another context is refused before any question, and writes nothing', async () => {
    const testing = await testingApi();
    const api = await kubeApi();
    const reader = api.contexts().find((c) => c.name === kubeTarget().contexts.reader);
    assert.ok(reader, 'the sandbox kubeconfig has the reader context');
    const asked = testing.prompts.asked.length;
    const { result, failures } = await run('stackgres.restoreBackup', { backup: { namespace: ns, name: 'it-src-newer' }, context: contextIdentity(reader) });
    assert.equal(result, undefined);
    assert.equal(failures.length, 1, failures.join(' | '));
    assert.ok(failures[0].includes(`The recoverable window was drawn for context "${reader.name}", but context "${api.context.name}" is connected now: no restore was written.`), failures[0]);
    assert.equal(testing.prompts.asked.length, asked, 'nothing was asked');
    assert.deepEqual(await vscode.workspace.fs.readDirectory(fixtureUri('restore')).then((e) => e, () => []), [], 'no restore manifest');
  });

  it('a restore the recoverable window asked for: a context switch during its questions stops it before anything is written', async () => {
    const testing = await testingApi();
    const connection = testing.context.connection;
    const api = await kubeApi();
    const here = contextIdentity(api.context);
    const chosen = connection.chosenContext();
    const instant = new Date((storedOf(older).getTime() + storedOf(newer).getTime()) / 2).toISOString();
    // The simulated operator's clock may be a moment ahead of this one: a restore to the future is refused.
    await waitFor('the instant to be in the past', () => (Date.now() > Date.parse(instant) + 1_000 ? true : undefined), STEP_DEADLINE_MS);
    const asked = testing.prompts.asked.length;
    // The namespace is answered; the new cluster's name is left to the real input box, which keeps the command waiting.
    await answer(ns);
    const restoring = Promise.resolve(vscode.commands.executeCommand('stackgres.restoreBackup', { backup: { namespace: ns, name: 'it-src-older' }, pointInTime: instant, context: here }));
    let settled = false;
    void restoring.finally(() => (settled = true));
    try {
      await waitFor('the namespace question', () => (testing.prompts.asked.length > asked ? true : undefined), STEP_DEADLINE_MS);
      assert.equal(settled, false, 'the command waits for the name');
      await connection.chooseContext(kubeTarget().contexts.reader);
      // Accept the suggested name as Enter would, once the input box is there.
      await waitFor('the command to end', async () => {
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return settled ? true : undefined;
      }, STEP_DEADLINE_MS);
    } finally {
      await connection.chooseContext(chosen);
    }
    assert.equal(await restoring, undefined, 'the command stopped');
    const said = guardEntries('stackgres.restoreBackup').at(-1) ?? '';
    assert.ok(said.includes(`The recoverable window was drawn for context "${api.context.name}", but `) && said.includes('no restore was written'), said);
    assert.deepEqual(await vscode.workspace.fs.readDirectory(fixtureUri('restore')).then((e) => e, () => []), [], 'no restore manifest');
  });

  it('into another namespace: copies the backup (and its Secret) there first, then restores from the copy', async () => {
    const row = await waitForTreeRow([kubeTarget().context, ns, 'it-src', 'it-src-newer']);
    // The questions first; then Copy and Continue, and the credentials confirmation.
    await answer('Another namespace…', target, 'it-moved', LATEST, true, true);
    const { result, failures } = await run<RestoreResult>('stackgres.restoreBackup', row.node);
    assert.deepEqual(failures, []);
    assert.ok(result, 'the command returned where it wrote the manifest');
    assert.equal(result.namespace, target);
    const api = await kubeApi();
    const copy = await api.get('SGBackup', target, 'it-src-newer');
    assert.equal((copy?.spec as { sgCluster?: string } | undefined)?.sgCluster, `${ns}.it-src`);
    assert.deepEqual((await api.secretKeys(target, 'it-creds'))?.sort(), ['accessKeyId', 'secretAccessKey']);
    const m = parse((await restoreFile('it-moved'))!) as Manifest;
    assert.deepEqual(m.metadata, { name: 'it-moved', namespace: target });
    assert.equal(m.spec.initialData.restore.fromBackup.name, 'it-src-newer');
  });
});
