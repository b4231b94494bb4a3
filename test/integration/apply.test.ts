/**
 * Apply Manifest in the real editor against the driver's cluster: a multi-document file goes through a dry
 * run, a live-vs-result diff and a confirmation before anything is written; the cluster's rejections land
 * on the YAML lines with nothing created; a field another manager owns is taken over only on Force; and a
 * failing API server gives one message with nothing written.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as https from 'node:https';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { ApplyOutcome } from '../../client/src/commands/apply';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { fixtureUri, kubeTarget, removeFixtureFolder, writeFixture, positionOf, runConfig, sandboxControl, scratchNamespace, testingApi, waitFor, waitForDiagnostics } from './helpers';

const APPLY = 'stackgres.applyManifest';
const APPLY_SOURCE = 'stackgres-apply';
const FOLDER = 'apply-it';

function storage(namespace: string, name: string, region = 'eu-1'): string {
  return `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  type: s3Compatible
  s3Compatible:
    bucket: ${name}-bucket
    endpoint: https://s3.example.test
    region: ${region}
    enablePathStyleAddressing: true
    awsCredentials:
      secretKeySelectors:
        accessKeyId: {name: ${name}-creds, key: accessKeyId}
        secretAccessKey: {name: ${name}-creds, key: secretAccessKey}
`;
}

function cluster(namespace: string, name: string, storageName: string, retention = 7): string {
  return `apiVersion: stackgres.io/v1
kind: SGCluster
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  instances: 1
  postgres:
    version: '16'
  pods:
    persistentVolume:
      size: 1Gi
  configurations:
    backups:
      - sgObjectStorage: ${storageName}
        cronSchedule: '0 5 * * *'
        retention: ${retention}
`;
}

function applyDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === APPLY_SOURCE);
}

type Answer = string | boolean | undefined;

/** Apply Manifest on the editor's file, as from the palette. */
async function run(editor: vscode.TextEditor, ...answers: Answer[]): Promise<{ outcome: ApplyOutcome | undefined; asked: string[]; failures: () => Promise<string[]> }> {
  await vscode.window.showTextDocument(editor.document, { preview: false });
  return execute<ApplyOutcome>(APPLY, [], answers);
}

describe('Apply Manifest', function () {
  // The timeout case waits for the Kubernetes client's own 30 s deadline.
  this.timeout(90_000);
  let api: KubeApi;
  let ns: string;

  before(async () => {
    api = await clusterApi();
    ns = scratchNamespace('apply');
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  after(async () => {
    await removeFixtureFolder(FOLDER);
  });

  it('applies a multi-document file after a dry run, a diff and a confirmation, Namespace first @cluster', async () => {
    const fresh = scratchNamespace('apply-new');
    const editor = await writeFixture(FOLDER, 'multi.yaml', `${cluster(fresh, 'it-db', 'it-storage')}---\n${storage(fresh, 'it-storage')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${fresh}\n`);
    const context = kubeTarget().context;

    const first = await run(editor, true);
    assert.deepEqual(first.asked, [`Apply 3 objects to context "${context}"?`]);
    assert.ok(first.outcome, 'the apply went through');
    assert.deepEqual(first.outcome.applied, [`Namespace ${fresh}`, `SGObjectStorage ${fresh}/it-storage`, `SGCluster ${fresh}/it-db`]);
    assert.deepEqual(Object.values(first.outcome.changes), ['created', 'created', 'created']);

    const written = await api.get('SGCluster', fresh, 'it-db');
    assert.ok(written, 'the SGCluster exists');
    assert.ok((written.metadata.managedFields as { manager?: string }[] | undefined)?.some((m) => m.manager === 'stackgres-vscode'), 'written by field manager stackgres-vscode');
    assert.ok(await api.get('SGObjectStorage', fresh, 'it-storage'), 'the SGObjectStorage exists');

    const diff = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.original.scheme === 'stackgres-apply');
    assert.ok(diff, 'the diff editor shows live vs after apply');
    const input = diff.input as vscode.TabInputTextDiff;
    const live = (await vscode.workspace.openTextDocument(input.original)).getText();
    const after = (await vscode.workspace.openTextDocument(input.modified)).getText();
    assert.match(live, new RegExp(`# SGCluster ${fresh}/it-db: created[^\\n]*\\n# does not exist yet`));
    assert.match(after, /kind: SGObjectStorage/);
    assert.doesNotMatch(after, /managedFields|resourceVersion|creationTimestamp|uid:/);

    const again = await run(editor);
    assert.deepEqual(again.asked, [], 'nothing is asked when nothing would change');
    assert.deepEqual(Object.values(again.outcome?.changes ?? {}), ['unchanged', 'unchanged', 'unchanged']);
    assert.deepEqual(again.outcome?.applied, []);
  });

  it('puts the cluster\'s rejections on the YAML lines and writes nothing @cluster', async () => {
    const mixed = `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: it-mixed
  namespace: ${ns}
spec:
  type: s3
  s3:
    bucket: mixed
    awsCredentials:
      useIAMRole: true
  gcs:
    bucket: other
    gcpCredentials:
      fetchCredentialsFromMetadataService: true
`;
    const editor = await writeFixture(FOLDER, 'rejected.yaml', `${storage(ns, 'it-ok')}---\n${mixed}---\n${cluster(ns, 'it-bad', 'it-ok', 0)}`);
    const document = editor.document;
    // Our own checks see these problems too: the command asks before sending documents with errors.
    await waitForDiagnostics(document.uri, (ds) => ds.some((d) => d.source === 'stackgres' && d.severity === vscode.DiagnosticSeverity.Error), 'the StackGres errors');

    const { outcome, asked, failures: logged } = await run(editor, true);
    const failures = await logged();
    assert.equal(outcome, undefined, 'the command stopped');
    assert.equal(failures.length, 1);
    assert.match(failures[0], /rejected SGObjectStorage .*it-mixed, SGCluster .*it-bad in a dry run; nothing was applied/);
    assert.equal(asked.length, 1);
    assert.match(asked[0], /have StackGres errors\. Apply anyway\?$/);

    const diagnostics = await waitForDiagnostics(document.uri, (ds) => ds.filter((d) => d.source === APPLY_SOURCE).length >= 2, 'the dry-run rejections');
    const fromCluster = diagnostics.filter((d) => d.source === APPLY_SOURCE);
    const context = kubeTarget().context;
    const onGcs = fromCluster.find((d) => d.range.start.line === positionOf(document, '  gcs:').line);
    assert.ok(onGcs, `a rejection on the gcs line; got ${fromCluster.map((d) => `${d.range.start.line + 1}: ${d.message}`).join(' | ')}`);
    assert.match(onGcs.message, /neither s3Compatible, gcs or azureBlob must be set/);
    assert.ok(onGcs.message.includes(`context "${context}"`), 'the message says it comes from the cluster');
    const onRetention = fromCluster.find((d) => d.range.start.line === positionOf(document, 'retention: 0').line);
    assert.ok(onRetention, 'a rejection on the retention line');
    assert.match(onRetention.message, /retention/);
    assert.equal(document.getText(onRetention.range), 'retention');

    assert.equal(await api.get('SGObjectStorage', ns, 'it-ok'), undefined, 'the valid document was not applied either');
    assert.equal(await api.get('SGCluster', ns, 'it-bad'), undefined);

    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(0, 0), '# edited\n');
    await vscode.workspace.applyEdit(edit);
    await waitFor('the apply diagnostics to clear after an edit', () => (applyDiagnostics(document.uri).length === 0 ? true : undefined));
  });

  it('asks before applying documents with StackGres errors, and declining sends nothing', async () => {
    const editor = await writeFixture(FOLDER, 'declined.yaml', cluster(ns, 'it-declined', 'it-ok', 0));
    await waitForDiagnostics(editor.document.uri, (ds) => ds.some((d) => d.source === 'stackgres' && d.severity === vscode.DiagnosticSeverity.Error), 'the StackGres errors');
    const { outcome, asked } = await run(editor, undefined);
    assert.equal(outcome, undefined);
    assert.match(asked[0], /has StackGres errors\. Apply anyway\?$/);
    assert.equal(await api.get('SGCluster', ns, 'it-declined'), undefined);
  });

  it('shows a field another manager owns and takes it over only on Force', async () => {
    const target = kubeTarget();
    assert.ok(target.control, 'sandbox only: another field manager writes through the raw API');
    const path = `/apis/stackgres.io/v1beta1/namespaces/${ns}/sgobjectstorages/it-shared`;
    const gitops = parse(storage(ns, 'it-shared', 'eu-1')) as KubeObject;
    const res = await kubeRequest('PATCH', `${path}?fieldManager=gitops`, gitops, 'application/apply-patch+yaml');
    assert.equal(res.status, 201, `the other manager created it: ${res.body.slice(0, 200)}`);

    const editor = await writeFixture(FOLDER, 'conflict.yaml', storage(ns, 'it-shared', 'eu-2'));
    const declined = await run(editor, undefined);
    assert.equal(declined.asked.length, 1);
    assert.match(declined.asked[0], /has fields another field manager owns\. Take them over with Force\?$/);
    assert.equal(declined.outcome, undefined);
    assert.equal(((await api.get('SGObjectStorage', ns, 'it-shared'))?.spec as { s3Compatible: { region: string } }).s3Compatible.region, 'eu-1', 'declining changed nothing');
    const warning = applyDiagnostics(editor.document.uri).find((d) => d.range.start.line === positionOf(editor.document, 'region:').line);
    assert.ok(warning, 'the conflict is shown on the region line');
    assert.match(warning.message, /gitops/);

    const forced = await run(editor, true, true);
    assert.equal(forced.asked.length, 2);
    assert.match(forced.asked[1], /^Apply 1 object to context/);
    assert.deepEqual(forced.outcome?.changes, { [`SGObjectStorage ${ns}/it-shared`]: 'changed' });
    const now = await api.get('SGObjectStorage', ns, 'it-shared');
    assert.equal((now?.spec as { s3Compatible: { region: string } }).s3Compatible.region, 'eu-2');
    assert.deepEqual(applyDiagnostics(editor.document.uri), [], 'a successful apply clears its diagnostics');
  });

  it('applies only the selected document of a file', async () => {
    const editor = await writeFixture(FOLDER, 'selection.yaml', `${storage(ns, 'it-unselected')}---\n${storage(ns, 'it-selected')}`);
    const start = positionOf(editor.document, 'apiVersion', { occurrence: 2 });
    editor.selection = new vscode.Selection(start, editor.document.lineAt(editor.document.lineCount - 1).range.end);
    const { outcome, asked } = await run(editor, true);
    assert.deepEqual(asked, [`Apply 1 object to context "${kubeTarget().context}"?`]);
    assert.deepEqual(outcome?.applied, [`SGObjectStorage ${ns}/it-selected`]);
    assert.ok(await api.get('SGObjectStorage', ns, 'it-selected'));
    assert.equal(await api.get('SGObjectStorage', ns, 'it-unselected'), undefined);
  });

  it('applies the file chosen in the Explorer, whatever the active editor, and reports dropped fields', async () => {
    const other = await writeFixture(FOLDER, 'other.yaml', storage(ns, 'it-other'));
    const chosen = await writeFixture(FOLDER, 'explorer.yaml', storage(ns, 'it-explorer').replace('    region: eu-1\n', '    region: eu-1\n    bucketName: typo\n'));
    await vscode.window.showTextDocument(other.document, { preview: false });
    const { outcome, asked } = await execute<ApplyOutcome>(APPLY, [chosen.document.uri, [chosen.document.uri]], [true]);
    assert.deepEqual(asked, [`Apply 1 object to context "${kubeTarget().context}"?`]);
    assert.deepEqual(outcome?.applied, [`SGObjectStorage ${ns}/it-explorer`]);
    assert.equal(outcome?.warnings.length, 1);
    assert.match(outcome?.warnings[0] ?? '', /unknown field "spec\.s3Compatible\.bucketName"/);
    assert.equal(await api.get('SGObjectStorage', ns, 'it-other'), undefined, 'the active editor\'s file was not applied');
  });

  it('refuses kinds it does not apply, naming the document, and sends nothing', async () => {
    const editor = await writeFixture(FOLDER, 'deployment.yaml', `${storage(ns, 'it-with-deployment')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n`);
    const { outcome, asked, failures: logged } = await run(editor);
    const failures = await logged();
    assert.equal(outcome, undefined);
    assert.deepEqual(asked, []);
    assert.equal(failures.length, 1);
    assert.match(failures[0], /Nothing was applied: the document at deployment\.yaml line 18 is a Deployment/);
    assert.equal(applyDiagnostics(editor.document.uri)[0]?.range.start.line, 18);
    assert.equal(await api.get('SGObjectStorage', ns, 'it-with-deployment'), undefined);
  });

  describe('when the API server fails', () => {
    afterEach(async () => {
      await sandboxControl('/faults/clear');
    });

    const cases: [number, RegExp][] = [
      [401, /rejected the credentials of context/],
      [403, /forbidden|not allowed/i],
      [500, /failed/],
    ];
    for (const [status, message] of cases) {
      it(`HTTP ${status} during the dry run gives one message and writes nothing`, async () => {
        const editor = await writeFixture(FOLDER, `fault-${status}.yaml`, `${storage(ns, `it-fault-${status}-a`)}---\n${storage(ns, `it-fault-${status}-b`)}`);
        await sandboxControl('/faults', { method: 'PATCH', pathPrefix: `/apis/stackgres.io/v1beta1/namespaces/${ns}/sgobjectstorages/it-fault-${status}-b`, status, times: 1 });
        const { outcome, asked, failures: logged } = await run(editor);
        const failures = await logged();
        assert.equal(outcome, undefined);
        assert.deepEqual(asked, [], 'no confirmation after a failed dry run');
        assert.equal(failures.length, 1, 'one message');
        assert.match(failures[0], message);
        assert.equal(await api.get('SGObjectStorage', ns, `it-fault-${status}-a`), undefined, 'the first document was not applied');
      });
    }

    it('a write that fails after the dry run passed says what was applied and what was not', async () => {
      const editor = await writeFixture(FOLDER, 'fault-partial.yaml', `${storage(ns, 'it-partial-a')}---\n${storage(ns, 'it-partial-b')}`);
      // The dry run of b passes; its real write fails.
      await sandboxControl('/faults', { method: 'PATCH', pathPrefix: `/apis/stackgres.io/v1beta1/namespaces/${ns}/sgobjectstorages/it-partial-b`, status: 500, skip: 1, times: 1 });
      const { outcome, asked, failures: logged } = await run(editor, true);
      const failures = await logged();
      assert.equal(outcome, undefined);
      assert.deepEqual(asked, [`Apply 2 objects to context "${kubeTarget().context}"?`]);
      assert.equal(failures.length, 1, 'one message');
      assert.match(failures[0], new RegExp(`Applied before that: SGObjectStorage ${ns}/it-partial-a; not applied: SGObjectStorage ${ns}/it-partial-b\\.`));
      assert.ok(await api.get('SGObjectStorage', ns, 'it-partial-a'), 'the first document was applied');
      assert.equal(await api.get('SGObjectStorage', ns, 'it-partial-b'), undefined, 'the second was not');
    });

    it('a dry run that does not answer times out with one message and writes nothing', async () => {
      const editor = await writeFixture(FOLDER, 'fault-timeout.yaml', storage(ns, 'it-fault-timeout'));
      await sandboxControl('/faults/delay', { ms: 45_000, method: 'PATCH', pathPrefix: `/apis/stackgres.io/v1beta1/namespaces/${ns}/sgobjectstorages/it-fault-timeout`, times: 1 });
      const { outcome, failures: logged } = await run(editor);
      const failures = await logged();
      assert.equal(outcome, undefined);
      assert.equal(failures.length, 1);
      assert.match(failures[0], /did not answer within/);
      assert.equal(await api.get('SGObjectStorage', ns, 'it-fault-timeout'), undefined);
    });
  });
});

// ---- steps shared by these tests --------------------------------------------------------------------------

/** The extension's own Kubernetes access, to look at what a command wrote. */
async function clusterApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

/** A raw request to the sandbox API server as its admin (to act as another field manager). */
function kubeRequest(method: string, path: string, body: unknown, contentType: string): Promise<{ status: number; body: string }> {
  const kube = kubeTarget();
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, kube.url),
      { method, ca: kube.caCert, headers: { authorization: `Bearer ${kube.tokens.admin}`, 'content-type': contentType } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Entries the command guard writes to the StackGres log for one command (one per failure it shows), from now on. */
function logEntries(command: string): { now(): string[] } {
  const entries = (): string[] => {
    const out: string[] = [];
    for (const file of logFiles(runConfig().logsRoot)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[/.test(line)) out.push(line);
        else if (out.length && line) out[out.length - 1] += `\n${line}`;
      }
    }
    return out.filter((e) => e.includes(`] ${command}: `));
  };
  const before = entries().length;
  return { now: () => entries().slice(before) };
}

/**
 * Runs the command with answers queued for its prompts. `failures()` waits for what the command guard
 * logged (one entry per failure it showed); the error notification itself is dismissed, as a user would.
 */
async function execute<T>(command: string, args: unknown[], answers: Answer[]): Promise<{ outcome: T | undefined; asked: string[]; failures: () => Promise<string[]> }> {
  const { prompts } = await testingApi();
  const before = prompts.asked.length;
  const logged = logEntries(command);
  prompts.answer(...answers);
  const outcome = await vscode.commands.executeCommand<T | undefined>(command, ...args);
  const failures = async (): Promise<string[]> => {
    const entries = await waitFor(`a "${command}" failure in the StackGres log`, () => {
      const now = logged.now();
      return now.length ? now : undefined;
    });
    await vscode.commands.executeCommand('notifications.clearAll');
    return entries;
  };
  return { outcome, asked: prompts.asked.slice(before), failures };
}

function logFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...logFiles(path));
    else if (/StackGres\.log$/.test(entry)) found.push(path);
  }
  return found;
}
