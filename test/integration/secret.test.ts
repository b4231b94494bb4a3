/**
 * Create Credentials Secret in the real editor against the driver's cluster: the code lens on an
 * SGObjectStorage, a credentials.json as `aws iam create-access-key` writes it, typed values, an existing
 * Secret changed only after confirmation (its other keys kept), bad files and failing API servers refused
 * with one message, and no value in the log.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SecretOutcome } from '../../client/src/commands/secret';
import type { KubeApi } from '../../client/src/kube/api';
import { fixtureUri, kubeTarget, removeFixtureFolder, runConfig, s3StorageManifest, sandboxControl, scratchNamespace, testingApi, waitFor, waitForTreeRow, writeFixture } from './helpers';

const CREATE = 'stackgres.createCredentialsSecret';
const FOLDER = 'secret-it';
const FROM_FILE = { label: 'From a file…' };
const TYPED = { label: 'Type the values…' };

// AWS's documented example key, and a second made-up one: test values, not credentials of anything.
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY_ID_2 = 'AKIAI44QH8DHBEXAMPLE';
const SECRET_2 = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';

type Answer = string | boolean | undefined | { label: string } | vscode.Uri[];

async function run(args: unknown[], ...answers: Answer[]): Promise<{ outcome: SecretOutcome | undefined; asked: string[]; failures: () => Promise<string[]> }> {
  return execute<SecretOutcome>(CREATE, args, answers);
}

/** Compares a written value with the expected one without ever printing either. */
async function assertValue(api: KubeApi, namespace: string, name: string, key: string, expected: string): Promise<void> {
  const data = await api.secretValues(namespace, name, [key]);
  assert.ok(data[key], `Secret ${name} has key ${key}`);
  assert.ok(new TextDecoder().decode(data[key]) === expected, `key ${key} of Secret ${name} holds the expected value`);
}

describe('Create Credentials Secret', function () {
  this.timeout(60_000);
  let api: KubeApi;
  let ns: string;
  let dir: string;

  before(async () => {
    api = await clusterApi();
    ns = scratchNamespace('secret');
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    dir = mkdtempSync(join(tmpdir(), 'stackgres-secret-it-'));
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await removeFixtureFolder(FOLDER);
  });

  it('offers a code lens above secretKeySelectors and creates the Secret from credentials.json @cluster', async () => {
    const editor = await writeFixture(FOLDER, 'lens.yaml', s3StorageManifest(ns, 'it-lens', 'it-lens-creds'));
    const credentials = join(dir, 'credentials.json');
    writeFileSync(credentials, JSON.stringify({ AccessKey: { UserName: 'backup', AccessKeyId: KEY_ID, Status: 'Active', SecretAccessKey: SECRET, CreateDate: '2026-01-01T00:00:00Z' } }, null, 4));

    const lenses = await waitFor('the Create credentials Secret code lens', async () => {
      const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri)) ?? [];
      const ours = all.filter((l) => l.command?.command === CREATE);
      return ours.length ? ours : undefined;
    });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command?.title, 'Create credentials Secret');
    assert.equal(editor.document.lineAt(lenses[0].range.start.line).text.trim(), 'secretKeySelectors:');

    const { outcome, asked } = await run(lenses[0].command?.arguments ?? [], FROM_FILE, [vscode.Uri.file(credentials)], true);
    assert.deepEqual(asked, [
      'StackGres: the access key for Secret it-lens-creds',
      'StackGres: access key file (credentials.json or the AWS console CSV)',
      `Create Secret it-lens-creds in namespace ${ns} (context "${api.context.name}")?`,
    ]);
    assert.deepEqual(outcome && { namespace: outcome.namespace, name: outcome.name, keys: outcome.keys, replaced: outcome.replaced }, {
      namespace: ns,
      name: 'it-lens-creds',
      keys: ['accessKeyId', 'secretAccessKey'],
      replaced: false,
    });
    await assertValue(api, ns, 'it-lens-creds', 'accessKeyId', KEY_ID);
    await assertValue(api, ns, 'it-lens-creds', 'secretAccessKey', SECRET);
  });

  it('creates the Secret from typed values for the SGObjectStorage in the active editor @cluster', async () => {
    await writeFixture(FOLDER, 'typed.yaml', s3StorageManifest(ns, 'it-typed', 'it-typed-creds'));
    const { outcome, asked } = await run([], TYPED, KEY_ID, SECRET, 'Create Secret');
    assert.deepEqual(asked, ['StackGres: the access key for Secret it-typed-creds', 'StackGres: access key ID', 'StackGres: secret access key', `Create Secret it-typed-creds in namespace ${ns} (context "${api.context.name}")?`]);
    assert.deepEqual(outcome?.keys, ['accessKeyId', 'secretAccessKey']);
    assert.deepEqual(await api.secretKeys(ns, 'it-typed-creds'), ['accessKeyId', 'secretAccessKey']);
    await assertValue(api, ns, 'it-typed-creds', 'secretAccessKey', SECRET);
  });

  it('asks before creating a Secret, naming context and namespace; cancelling there creates nothing @cluster', async () => {
    await writeFixture(FOLDER, 'declined.yaml', s3StorageManifest(ns, 'it-declined', 'it-declined-creds'));
    const { outcome, asked } = await run([], TYPED, KEY_ID, SECRET, false);
    assert.equal(outcome, undefined);
    assert.equal(asked[3], `Create Secret it-declined-creds in namespace ${ns} (context "${api.context.name}")?`);
    assert.equal(await api.secretKeys(ns, 'it-declined-creds'), undefined, 'nothing was created');
  });

  it('asks before changing an existing Secret; cancelling leaves it as it was, confirming keeps its other keys @cluster', async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    await api.createSecret(ns, 'it-existing', { accessKeyId: enc(KEY_ID), secretAccessKey: enc(SECRET), note: enc('kept') });
    await writeFixture(FOLDER, 'existing.yaml', s3StorageManifest(ns, 'it-existing-storage', 'it-existing'));

    const cancelled = await run([], TYPED, KEY_ID_2, SECRET_2, undefined);
    assert.equal(cancelled.outcome, undefined);
    assert.equal(cancelled.asked[3], 'Replace the keys of Secret it-existing?');
    await assertValue(api, ns, 'it-existing', 'accessKeyId', KEY_ID);
    await assertValue(api, ns, 'it-existing', 'secretAccessKey', SECRET);

    const confirmed = await run([], TYPED, KEY_ID_2, SECRET_2, true);
    assert.equal(confirmed.outcome?.replaced, true);
    await assertValue(api, ns, 'it-existing', 'accessKeyId', KEY_ID_2);
    await assertValue(api, ns, 'it-existing', 'secretAccessKey', SECRET_2);
    await assertValue(api, ns, 'it-existing', 'note', 'kept');
  });

  it('stores a GCP service account key file as it is under the key the gcs selector names @cluster', async () => {
    const key = JSON.stringify({ type: 'service_account', project_id: 'it', private_key: 'not-a-real-key', client_email: 'backup@it.iam.gserviceaccount.com' });
    const file = join(dir, 'service-account.json');
    writeFileSync(file, key);
    await writeFixture(FOLDER, 'gcs.yaml', `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: it-gcs
  namespace: ${ns}
spec:
  type: gcs
  gcs:
    bucket: it-gcs-bucket
    gcpCredentials:
      secretKeySelectors:
        serviceAccountJSON: {name: it-gcs-creds, key: gcloud-key.json}
`);
    const { outcome, asked } = await run([], [vscode.Uri.file(file)], true);
    assert.deepEqual(asked, ['StackGres: GCP service account key (JSON)', `Create Secret it-gcs-creds in namespace ${ns} (context "${api.context.name}")?`]);
    assert.deepEqual(outcome?.keys, ['gcloud-key.json']);
    await assertValue(api, ns, 'it-gcs-creds', 'gcloud-key.json', key);
  });

  it('asks for an Azure storage account and key, and asks which Secret when the selectors name two', async () => {
    const accessKey = `${'A'.repeat(86)}==`;
    await writeFixture(FOLDER, 'azure.yaml', `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: it-azure
  namespace: ${ns}
spec:
  type: azureBlob
  azureBlob:
    bucket: it-container
    azureCredentials:
      secretKeySelectors:
        storageAccount: {name: it-azure-account, key: account}
        accessKey: {name: it-azure-key, key: key}
`);
    const { outcome, asked } = await run([], { label: 'it-azure-key' }, accessKey, true);
    assert.deepEqual(asked, ['StackGres: SGObjectStorage it-azure reads 2 Secrets. Which one to create?', 'StackGres: storage account access key', `Create Secret it-azure-key in namespace ${ns} (context "${api.context.name}")?`]);
    assert.deepEqual([outcome?.name, outcome?.keys], ['it-azure-key', ['key']]);
    await assertValue(api, ns, 'it-azure-key', 'key', accessKey);
    assert.equal(await api.secretKeys(ns, 'it-azure-account'), undefined, 'only the chosen Secret is written');
  });

  it('from the StackGres view: the storage node names the Secret; an existing one is left alone when the replace is cancelled', async () => {
    const kube = kubeTarget();
    assert.ok(kube.world, 'sandbox only: the seeded tutorial storage');
    const { namespace, storage: seeded } = { namespace: kube.world.namespace, storage: kube.world.storage };
    const row = await waitForTreeRow([kube.context, namespace, 'Object storages', seeded.name]);
    const before = await api.secretValues(namespace, seeded.secret, ['accessKeyId', 'secretAccessKey']);
    try {
      const { outcome, asked } = await run([row.node], TYPED, KEY_ID_2, SECRET_2, undefined);
      assert.equal(outcome, undefined);
      assert.deepEqual(asked, [`StackGres: the access key for Secret ${seeded.secret}`, 'StackGres: access key ID', 'StackGres: secret access key', `Replace the keys of Secret ${seeded.secret}?`]);
      const after = await api.secretValues(namespace, seeded.secret, ['accessKeyId', 'secretAccessKey']);
      for (const key of ['accessKeyId', 'secretAccessKey']) {
        assert.ok(Buffer.from(after[key]).equals(Buffer.from(before[key])), `${key} of ${seeded.secret} is unchanged`);
        after[key].fill(0);
      }
    } finally {
      for (const v of Object.values(before)) v.fill(0);
    }
  });

  it('refuses a file that is not an access key, with one message that repeats no value', async () => {
    await writeFixture(FOLDER, 'badfile.yaml', s3StorageManifest(ns, 'it-badfile', 'it-badfile-creds'));
    const listed = join(dir, 'list-access-keys.json');
    writeFileSync(listed, JSON.stringify({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }] }));
    const { outcome, failures } = await run([], FROM_FILE, [vscode.Uri.file(listed)]);
    const entries = await failures();
    assert.equal(outcome, undefined);
    assert.equal(entries.length, 1);
    assert.match(entries[0], /list-access-keys\.json: This is the output of `aws iam list-access-keys`/);
    assert.ok(!entries[0].includes(KEY_ID), 'the message repeats no value');
    assert.equal(await api.secretKeys(ns, 'it-badfile-creds'), undefined, 'nothing was created');
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
      it(`HTTP ${status} on create gives one message and creates nothing`, async () => {
        const name = `it-fault-${status}`;
        await writeFixture(FOLDER, `fault-${status}.yaml`, s3StorageManifest(ns, `${name}-storage`, name));
        await sandboxControl('/faults', { method: 'POST', pathPrefix: `/api/v1/namespaces/${ns}/secrets`, status, times: 1 });
        const { outcome, failures } = await run([], TYPED, KEY_ID, SECRET, true);
        const entries = await failures();
        assert.equal(outcome, undefined);
        assert.equal(entries.length, 1, 'one message');
        assert.match(entries[0], message);
        await sandboxControl('/faults/clear');
        assert.equal(await api.secretKeys(ns, name), undefined, 'nothing was created');
      });
    }
  });

  describe('after all of the above', () => {
    it('the extension\'s log holds none of the values', () => {
      const log = logFiles(runConfig().logsRoot).map((f) => readFileSync(f, 'utf8')).join('\n');
      assert.ok(log.includes(`${CREATE}: `), 'the log holds the failures reported above');
      for (const value of [SECRET, SECRET_2]) assert.ok(!log.includes(value), 'no secret access key in the StackGres log');
    });
  });

});

// ---- steps shared by these tests --------------------------------------------------------------------------

async function clusterApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
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
