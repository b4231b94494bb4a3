/**
 * Object storage in the real editor, against the sandbox API server and its Ceph RGW: Test Object Storage
 * Access with the keys of the storage's Secret (the owner passes, the delete-denied user fails DeleteObject
 * with the fix and the probe object reported, a wrong secret gives SignatureDoesNotMatch), typed keys when
 * the Secret is missing, Generate IAM Policy for a bucket with a sub-path, the bucket in the tree (wal-g
 * base backups marked with their SGBackup or as orphans, WAL coverage, paging), and the recoverable-window
 * picture.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { IamPolicyResult, StorageAccessResult } from '../../client/src/commands/storage';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { s3ObjectStore } from '../../client/src/storage/s3';
import type { RecoverableWindowResult } from '../../client/src/webviews/recoverableWindow';
import { backupSeeds, seedWalg } from '../s3/seed';
import { describeRows, fixtureUri, kubeTarget, markdownAsRead, s3Target, scratchNamespace, testingApi, treeRows, waitFor, waitForTreeRow, type TreeRow } from './helpers';

const TEST_ACCESS = 'stackgres.testStorageAccess';
const DEADLINE_MS = 30_000;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

async function kubeApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

function world() {
  const w = kubeTarget().world;
  assert.ok(w, 'the sandbox seeded the tutorial world (runConfig().kube.world)');
  return w;
}

/** Runs a command with queued prompt answers; returns its result and the prompts it showed. */
async function run<T>(command: string, args: unknown[], ...answers: (string | { label: string })[]): Promise<{ result: T | undefined; asked: string[] }> {
  const { prompts } = await testingApi();
  const before = prompts.asked.length;
  prompts.answer(...answers);
  const result = await vscode.commands.executeCommand<T>(command, ...args);
  return { result, asked: prompts.asked.slice(before) };
}

function summary(r: StorageAccessResult): string[] {
  return (r.report?.results ?? []).map((x) => `${x.action}: ${x.outcome}${x.code ? ` ${x.code}` : ''}`);
}

/** The RGW bucket as an s3Compatible SGObjectStorage reading `secret`. */
function rgwStorage(namespace: string, name: string, secret: string, bucket = s3Target().bucket): KubeObject {
  const s3 = s3Target();
  return {
    apiVersion: 'stackgres.io/v1beta1',
    kind: 'SGObjectStorage',
    metadata: { name, namespace },
    spec: {
      type: 's3Compatible',
      s3Compatible: {
        bucket,
        endpoint: s3.endpoint,
        region: s3.region,
        enablePathStyleAddressing: true,
        awsCredentials: { secretKeySelectors: { accessKeyId: { name: secret, key: 'accessKeyId' }, secretAccessKey: { name: secret, key: 'secretAccessKey' } } },
      },
    },
  };
}

const FOLDER = 'storage-it';

/**
 * Writes a manifest into the workspace and opens it (commands read the active editor). Files, not untitled
 * editors: a closed untitled document's name is reused at once, and the extension host may still hand out
 * the closed one's text for it.
 */
async function openManifest(content: string): Promise<vscode.TextEditor> {
  const uri = fixtureUri(`${FOLDER}/${randomBytes(4).toString('hex')}.yaml`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  await waitFor('the manifest to be the active editor', () => (vscode.window.activeTextEditor?.document === document ? true : undefined));
  return editor;
}

/** Closes the editor of a document (the untitled one a command opened is reverted first: nothing to save). */
async function closeEditor(document: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(document);
  await vscode.commands.executeCommand(document.isUntitled ? 'workbench.action.revertAndCloseActiveEditor' : 'workbench.action.closeActiveEditor');
}

after(async () => {
  await vscode.workspace.fs.delete(fixtureUri(FOLDER), { recursive: true, useTrash: false }).then(undefined, () => undefined);
});

describe('Test Object Storage Access', function () {
  this.timeout(60_000);
  const ns = scratchNamespace('storage-access');

  before(async () => {
    const api = await kubeApi();
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await api.createSecret(ns, 'wrong-secret', { accessKeyId: bytes(s3Target().owner.accessKeyId), secretAccessKey: bytes(randomBytes(20).toString('hex')) });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('from the tree: the tutorial storage passes every action with the owner\'s keys from its Secret, the probe is gone, and a report opens', async () => {
    const w = world();
    const row = await waitForTreeRow([kubeTarget().context, w.namespace, 'Object storages', w.storage.name]);
    assert.equal(row.item.contextValue, 'stackgres.storage');
    const { result, asked } = await run<StorageAccessResult>(TEST_ACCESS, [row.node]);
    assert.ok(result, 'the command finished without an error');
    assert.deepEqual(asked, [], 'no question: the keys come from the Secret');
    assert.deepEqual(summary(result), ['ListBucket: ok', 'GetBucketLocation: ok', 'PutObject: ok', 'GetObject: ok', 'DeleteObject: ok']);
    assert.equal(result.report?.probe.state, 'removed');
    assert.equal(result.credentials, `Secret ${w.storage.secret} (keys accessKeyId, secretAccessKey)`);
    assert.equal(result.summary, 'All 5 actions work.');
    assert.equal(result.keyPrefix, w.objects ? w.objects.keyPrefix : result.keyPrefix, 'the probe goes under the cluster\'s backup path');

    const report = await waitFor('the report document', () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.reportUri));
    assert.match(markdownAsRead(report.getText()), /\*\*Result: All 5 actions work\.\*\*/);
    assert.match(markdownAsRead(report.getText()), new RegExp(`Credentials: Secret ${w.storage.secret} \\(keys accessKeyId, secretAccessKey\\)`));
    // Escaping changes a key's punctuation in the source: look in what the reader sees too.
    assert.ok(![report.getText(), markdownAsRead(report.getText())].some((t) => t.includes(s3Target().owner.secretAccessKey)), 'the report never shows a key');
    const store = s3ObjectStore(s3Target().bucket, { endpoint: s3Target().endpoint, region: s3Target().region, forcePathStyle: true, credentials: s3Target().owner, type: 's3Compatible' });
    await assert.rejects(store.head(result.report!.probe.key), (e: { code?: string }) => e.code === 'NoSuchKey', 'the probe object is gone');
  });

  it('the delete-denied user: DeleteObject fails with the one-line fix, and the probe object is reported left behind', async () => {
    const w = world();
    const { result } = await run<StorageAccessResult>(TEST_ACCESS, [{ namespace: w.namespace, name: w.limitedStorage.name }]);
    assert.ok(result);
    assert.deepEqual(summary(result), ['ListBucket: ok', 'GetBucketLocation: ok', 'PutObject: ok', 'GetObject: ok', 'DeleteObject: failed AccessDenied']);
    const del = result.report!.results[4];
    assert.equal(del.message, `The policy lacks s3:DeleteObject on arn:aws:s3:::${s3Target().bucket}/*, so retention cannot delete old backups.`);
    assert.equal(result.report!.probe.state, 'left-behind');
    assert.match(markdownAsRead(result.markdown), /\| ❌ \| DeleteObject \| .* \| `AccessDenied` \| The policy lacks s3:DeleteObject/);
    assert.match(markdownAsRead(result.markdown), /\*\*left in the bucket\.\*\* The probe object could not be deleted: remove s3:\/\//);
    assert.match(result.summary, /^DeleteObject \(AccessDenied\) failed\. The policy lacks s3:DeleteObject/);

    // What the DBA does next: remove it with a user allowed to delete.
    const owner = s3ObjectStore(s3Target().bucket, { endpoint: s3Target().endpoint, region: s3Target().region, forcePathStyle: true, credentials: s3Target().owner, type: 's3Compatible' });
    await owner.delete(result.report!.probe.key);
  });

  it('from the code lens of a manifest whose Secret holds a wrong secret key: SignatureDoesNotMatch, nothing else tried', async () => {
    const text = [
      'apiVersion: stackgres.io/v1beta1',
      'kind: SGObjectStorage',
      'metadata:',
      '  name: it-wrong',
      `  namespace: ${ns}`,
      'spec:',
      '  type: s3Compatible',
      '  s3Compatible:',
      `    bucket: ${s3Target().bucket}`,
      `    endpoint: ${s3Target().endpoint}`,
      `    region: ${s3Target().region}`,
      '    enablePathStyleAddressing: true',
      '    awsCredentials:',
      '      secretKeySelectors:',
      '        accessKeyId: { name: wrong-secret, key: accessKeyId }',
      '        secretAccessKey: { name: wrong-secret, key: secretAccessKey }',
      '',
    ].join('\n');
    const lensEditor = await openManifest(text);
    const lenses = await waitFor('the Test access code lens', async () => {
      const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', lensEditor.document.uri)) ?? [];
      const ours = all.filter((l) => l.command?.command === TEST_ACCESS);
      return ours.length ? ours : undefined;
    });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command?.title, 'Test access');
    assert.equal(lensEditor.document.lineAt(lenses[0].range.start.line).text, 'kind: SGObjectStorage');
    const { result } = await run<StorageAccessResult>(TEST_ACCESS, lenses[0].command?.arguments ?? []);
    await closeEditor(lensEditor.document);
    assert.ok(result);
    assert.deepEqual(summary(result), ['ListBucket: failed SignatureDoesNotMatch', 'GetBucketLocation: skipped', 'PutObject: skipped', 'GetObject: skipped', 'DeleteObject: skipped']);
    assert.match(result.report!.results[0].message, /^The secret access key does not match the access key ID: check the secretAccessKey value in the Secret/);
    assert.equal(result.report!.probe.state, 'not-written');
  });

  it('a Secret that does not exist: asks for the keys (the secret one as a password), uses them once, stores nothing', async () => {
    const { document } = await openManifest(
      [
        'apiVersion: stackgres.io/v1beta1',
        'kind: SGObjectStorage',
        'metadata:',
        '  name: it-no-secret',
        `  namespace: ${ns}`,
        'spec:',
        '  type: s3Compatible',
        '  s3Compatible:',
        `    bucket: ${s3Target().bucket}/typed`,
        `    endpoint: ${s3Target().endpoint}`,
        '    enablePathStyleAddressing: true',
        '    awsCredentials:',
        '      secretKeySelectors:',
        '        accessKeyId: { name: not-there, key: accessKeyId }',
        '        secretAccessKey: { name: not-there, key: secretAccessKey }',
        '',
      ].join('\n'),
    );
    const { result, asked } = await run<StorageAccessResult>(TEST_ACCESS, [], ` ${s3Target().owner.accessKeyId} `, s3Target().owner.secretAccessKey);
    await closeEditor(document);
    assert.ok(result);
    assert.deepEqual(asked, ['Test access of it-no-secret: access key ID', 'Test access of it-no-secret: secret access key'], `${result.storage}: ${result.credentials}: ${result.summary}`);
    assert.equal(result.credentials, 'typed in (not stored)');
    assert.equal(result.report?.ok, true, result.summary);
    assert.ok(result.keyPrefix.startsWith(`typed/sgbackups.stackgres.io/${ns}`), result.keyPrefix);
    assert.deepEqual(await (await kubeApi()).secretKeys(ns, 'not-there'), undefined, 'no Secret was created');
  });

  it('gcs: says plainly that only the configuration was checked', async () => {
    const { document } = await openManifest(
      `apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata:\n  name: it-gcs\n  namespace: ${ns}\nspec:\n  type: gcs\n  gcs:\n    bucket: acme-backups\n    gcpCredentials:\n      secretKeySelectors:\n        serviceAccountJSON: { name: gcs-sa, key: sa.json }\n`,
    );
    const { result } = await run<StorageAccessResult>(TEST_ACCESS, []);
    await closeEditor(document);
    assert.ok(result);
    assert.equal(result.report, undefined);
    assert.equal(result.summary, 'Only the configuration of this gcs storage was checked (this extension speaks S3 only): 1 problem found. Access to the bucket was NOT tested.');
    assert.match(result.markdown, /❌ Secret `gcs-sa` does not exist in namespace/);
  });
});

describe('Generate IAM Policy', function () {
  this.timeout(30_000);

  it('for a bucket with a sub-path: the policy scoped to it and the AWS CLI commands, in a new document', async () => {
    const manifest = await openManifest([
      'apiVersion: stackgres.io/v1beta1',
      'kind: SGObjectStorage',
      'metadata:',
      '  name: prod-backups',
      '  namespace: prod',
      'spec:',
      '  type: s3',
      '  s3:',
      '    bucket: s3://acme-backups/prod/pg',
      '    region: eu-central-1',
      '    awsCredentials:',
      '      secretKeySelectors:',
      '        accessKeyId: { name: prod-backup-keys, key: accessKeyId }',
      '        secretAccessKey: { name: prod-backup-keys, key: secretAccessKey }',
      '',
    ].join('\n'));
    const { result } = await run<IamPolicyResult>('stackgres.generateIamPolicy', []);
    assert.ok(result);
    assert.deepEqual(result.policy, {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::acme-backups'], Condition: { StringLike: { 's3:prefix': ['prod/pg/*'] } } },
        { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: ['arn:aws:s3:::acme-backups'] },
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: ['arn:aws:s3:::acme-backups/prod/pg/*'] },
      ],
    });
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.document.uri.toString(), result.documentUri);
    assert.equal(editor.document.languageId, 'shellscript');
    const text = editor.document.getText();
    assert.match(text, /^# SGObjectStorage prod-backups \(namespace prod\): an IAM user that can do only what wal-g needs,\n# limited to s3:\/\/acme-backups\/prod\/pg\//);
    assert.match(text, /reads credentials\.json into Secret prod-backup-keys \(keys accessKeyId, secretAccessKey\)/);
    for (const line of [
      'aws iam create-user --region eu-central-1 --user-name stackgres-backup-acme-backups',
      '"arn:aws:s3:::acme-backups/prod/pg/*"',
      'aws iam put-user-policy --region eu-central-1 --user-name stackgres-backup-acme-backups --policy-name stackgres-backup-acme-backups --policy-document file://stackgres-backup-policy.json',
      'aws --output json iam create-access-key --region eu-central-1 --user-name stackgres-backup-acme-backups > credentials.json',
      'aws s3 mb s3://acme-backups --region eu-central-1',
    ]) {
      assert.ok(text.includes(line), `the document has: ${line}`);
    }
    await closeEditor(editor.document);
    await closeEditor(manifest.document);
  });
});

describe('The bucket in the tree', function () {
  this.timeout(60_000);

  function byLabel(rows: TreeRow[], label: string): TreeRow {
    const r = rows.find((x) => x.label === label);
    assert.ok(r, `a row ${label} among: ${describeRows(rows)}`);
    return r;
  }

  it('under the tutorial cluster: the seeded base backups, each with its SGBackup or as an orphan, and the WAL coverage', async () => {
    const w = world();
    assert.ok(w.objects, 'the sandbox seeded wal-g objects');
    const bucket = await waitForTreeRow([kubeTarget().context, w.namespace, w.cluster.name, 'Bucket'], DEADLINE_MS);
    assert.equal(bucket.item.contextValue, 'stackgres.bucketPath');
    const rows = await treeRows(bucket.node, DEADLINE_MS);
    const wal = byLabel(rows, 'WAL archive');
    assert.ok(wal.description.startsWith(`${w.objects.wal.first} → `), wal.description);
    for (const name of w.objects.baseBackups) {
      const row = byLabel(rows, name);
      if (name === w.objects.orphan) {
        assert.equal(row.item.contextValue, 'stackgres.walgBackup.orphan');
        assert.match(row.description, /orphan: no SGBackup/);
        assert.match(row.tooltip, /No SGBackup records this backup: the next backup of the cluster deletes it\./);
      } else {
        const sg = w.completed.find((c) => c.internalName === name);
        assert.ok(sg, `${name} is a seeded SGBackup's`);
        assert.equal(row.item.contextValue, 'stackgres.walgBackup');
        assert.match(row.description, new RegExp(`· 4\\.0 MiB · PG 16 · SGBackup ${sg.name}`));
      }
    }
    assert.ok(!rows.some((r) => r.label === 'Load more…'), 'a handful of backups fit in one page');
  });

  it('under the SGObjectStorage: one row per cluster path, with the same backups', async () => {
    const w = world();
    const path = await waitForTreeRow([kubeTarget().context, w.namespace, 'Object storages', w.storage.name, w.cluster.name], DEADLINE_MS);
    assert.ok(path.description.endsWith(w.cluster.backupPath), path.description);
    const rows = await treeRows(path.node, DEADLINE_MS);
    for (const name of w.objects!.baseBackups) byLabel(rows, name);
  });

  it('the delete-denied storage lists too (listing is allowed); a storage whose Secret is missing shows a row saying so', async () => {
    const api = await kubeApi();
    const ns = scratchNamespace('storage-tree');
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await api.create(rgwStorage(ns, 'it-no-keys', 'missing-keys'));
    await api.create({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGCluster',
      metadata: { name: 'it-db', namespace: ns },
      spec: { instances: 1, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '5Gi' } }, configurations: { backups: [{ sgObjectStorage: 'it-no-keys', path: 'it/no-keys' }] } },
    });
    const bucket = await waitForTreeRow([kubeTarget().context, ns, 'it-db', 'Bucket'], DEADLINE_MS);
    const rows = await treeRows(bucket.node, DEADLINE_MS);
    const problem = byLabel(rows, 'Credentials missing');
    assert.match(problem.description, /^Secret missing-keys does not exist in namespace /);
    assert.equal(byLabel(rows, 'Test access…').item.command?.command, TEST_ACCESS);
  });

  it('pages 50 backups at a time: "Load more…" adds the rest', async () => {
    const api = await kubeApi();
    const s3 = s3Target();
    const ns = scratchNamespace('storage-paging');
    const path = `it/paging-${randomBytes(3).toString('hex')}`;
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await api.createSecret(ns, 'rgw-keys', { accessKeyId: bytes(s3.owner.accessKeyId), secretAccessKey: bytes(s3.owner.secretAccessKey) });
    await api.create(rgwStorage(ns, 'it-rgw', 'rgw-keys'));
    const store = s3ObjectStore(s3.bucket, { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.owner, type: 's3Compatible' });
    const seeds = backupSeeds(60);
    await seedWalg(store, `${path}/`, { backups: seeds, wal: [{ timeline: 1, from: 2, count: 200 }], dataObjects: false });
    await api.create({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGCluster',
      metadata: { name: 'it-paged', namespace: ns },
      spec: { instances: 1, postgres: { version: '16.4' }, pods: { persistentVolume: { size: '5Gi' } }, configurations: { backups: [{ sgObjectStorage: 'it-rgw', path }] } },
    });
    const bucket = await waitForTreeRow([kubeTarget().context, ns, 'it-paged', 'Bucket'], DEADLINE_MS);
    let rows = await treeRows(bucket.node, DEADLINE_MS);
    const base = () => rows.filter((r) => r.label.startsWith('base_'));
    assert.equal(base().length, 50);
    const more = byLabel(rows, 'Load more…');
    assert.equal(more.description, '50 shown');
    assert.equal(more.item.command?.command, 'stackgres.loadMoreBackups');
    await vscode.commands.executeCommand(more.item.command!.command, ...(more.item.command!.arguments ?? []));
    rows = await treeRows(bucket.node, DEADLINE_MS);
    assert.deepEqual(base().map((r) => r.label), seeds.map((s) => s.name));
    assert.ok(!rows.some((r) => r.label === 'Load more…'));
    assert.ok(base().every((r) => r.item.contextValue === 'stackgres.walgBackup.orphan'), 'no SGBackup records them');
  });
});

describe('The recoverable window', function () {
  this.timeout(60_000);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens a webview for the cluster with its backups, the orphan, the WAL and the retention', async () => {
    const w = world();
    const { result } = await run<RecoverableWindowResult>('stackgres.showRecoverableWindow', [{ namespace: w.namespace, name: w.cluster.name }]);
    assert.ok(result);
    const t = result.timeline;
    assert.equal(t.retention, w.cluster.retention);
    assert.equal(t.schedule, w.cluster.cronSchedule);
    for (const c of w.completed) {
      const entry = t.backups.find((b) => b.label === c.name);
      assert.ok(entry, `${c.name} is drawn`);
      assert.equal(entry.inBucket, true, `${c.name}'s files were found in the bucket`);
      assert.ok(entry.window, `${c.name} has a recoverable window`);
      assert.equal(entry.fate, c.managedLifecycle ? entry.fate : 'unmanaged');
    }
    assert.equal(t.backups.find((b) => b.label === w.failed.name)?.fate, 'failed');
    const orphan = t.backups.find((b) => b.label === w.objects!.orphan);
    assert.equal(orphan?.fate, 'orphan');
    const oldest = t.backups.filter((b) => b.sgBackup && b.window).map((b) => b.at!).sort()[0];
    assert.ok(orphan.at! < oldest, `the orphan is placed by its metadata.json (${orphan.at}), before the first backup (${oldest}), not when its objects were written`);
    assert.equal(t.wal?.oldest?.segment, w.objects!.wal.first);
    assert.ok(t.recoverable, 'a point-in-time restore is possible');
    assert.deepEqual(t.storageNotes, []);

    const tab = await waitFor('the recoverable-window tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((x) => x.input instanceof vscode.TabInputWebview && x.input.viewType.endsWith(result.viewType)));
    assert.equal(tab.label, `Recoverable window: ${w.cluster.name}`);
  });

  it('closes when the workspace switches to another Kubernetes context', async () => {
    const w = world();
    const reader = kubeTarget().contexts.reader;
    assert.ok(reader, 'the sandbox kubeconfig has a second context');
    const { context } = await testingApi();
    const chosen = context.connection.chosenContext();
    const { result } = await run<RecoverableWindowResult>('stackgres.showRecoverableWindow', [{ namespace: w.namespace, name: w.cluster.name }]);
    assert.ok(result);
    const open = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((x) => x.input instanceof vscode.TabInputWebview && x.input.viewType.endsWith(result.viewType));
    await waitFor('the recoverable-window tab', () => (open() ? true : undefined));
    try {
      await context.connection.chooseContext(reader);
      await waitFor('the recoverable-window tab to close', () => (open() ? undefined : true));
    } finally {
      await context.connection.chooseContext(chosen);
    }
  });
});
