// Copy Backup to Namespace, step by step against the test API server: what the user is asked before any
// write, and what the cluster holds after each way it can fail (fault injection) or be cancelled.
import * as assert from 'node:assert/strict';
import type * as K8sTypes from '@kubernetes/client-node';
import { copyBackupSteps, CopyBackupFailed, type CopyBackupAsker } from '../../../client/src/backupCopy';
import { Cancelled, UserError } from '../../../client/src/errors';
import type { KubeObject } from '../../../client/src/kube/api';
import { failOnUnhandledRejections, openTestServer, type Target } from './kube/helpers';
import { describeWithReference } from '../../reference';

const ID = 'AKIA-not-a-real-id';
const SECRET = `not-a-real-secret-${process.pid}`;
const SODIUM = `not-a-real-sodium-key-${process.pid}`;
const TARGET_VALUE = `target-own-value-${process.pid}`;

const STORAGE = {
  type: 's3',
  s3: {
    bucket: 'acme-backups',
    region: 'eu-west-1',
    awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'aws-creds', key: 'id' }, secretAccessKey: { name: 'aws-creds', key: 'secret' } } },
  },
  encryption: { method: 'sodium', sodium: { key: { name: 'backup-key', key: 'sodium' } } },
};

function completedBackup(namespace: string, name: string): KubeObject {
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name, namespace },
    spec: { sgCluster: 'orders', managedLifecycle: false },
    status: {
      internalName: 'base_000000010000000000000005',
      backupPath: `sgbackups.stackgres.io/${namespace}/orders/2025-01-01-00-00-00/16`,
      process: { status: 'Completed', timing: { start: '2025-03-01T10:00:05Z', end: '2025-03-01T10:00:59Z', stored: '2025-03-01T10:01:00Z' } },
      backupInformation: { postgresVersion: '160004' },
      sgBackupConfig: { baseBackups: { compression: 'lz4' }, storage: STORAGE },
    },
  };
}

/** Answers like a user: replace or keep each existing Secret, confirm or cancel; records what was asked. */
class FakeAsker implements CopyBackupAsker {
  readonly asked: { message: string; detail: string; button: string }[] = [];
  readonly replaceAsked: string[] = [];
  readonly lines: string[] = [];
  /** Aborts the writes when a progress message matches (Cancel pressed at that moment). */
  cancelAt?: RegExp;

  constructor(
    private readonly answers: { replace?: Record<string, boolean>; confirm?: boolean } = {},
  ) {}

  async work<T>(_title: string, task: (say: (message: string) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    return task((message) => {
      if (this.cancelAt?.test(message)) controller.abort();
    }, controller.signal);
  }

  async replaceOrKeep(step: { name: string }): Promise<boolean> {
    this.replaceAsked.push(step.name);
    const answer = this.answers.replace?.[step.name];
    if (answer === undefined) throw new Cancelled();
    return answer;
  }

  async confirm(message: string, detail: string, button: string): Promise<void> {
    this.asked.push({ message, detail, button });
    if (this.answers.confirm === false) throw new Cancelled();
  }

  log(line: string): void {
    this.lines.push(line);
  }

  warn(line: string): void {
    this.lines.push(line);
  }
}

describeWithReference('Copy Backup to Namespace: confirmation, only the named keys, and a complete undo', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  let t: Target & { server: NonNullable<Target['server']> };
  let source: string;
  let core: K8sTypes.CoreV1Api;

  before(async () => {
    t = await openTestServer();
    source = t.namespace;
    await t.api.createSecret(source, 'aws-creds', { id: Buffer.from(ID), secret: Buffer.from(SECRET), unrelated: Buffer.from('not-for-the-copy') });
    await t.api.createSecret(source, 'backup-key', { sodium: Buffer.from(SODIUM) });
    await t.api.create(completedBackup(source, 'orders-1'));
    const k8s: typeof K8sTypes = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromString(t.server.kubeconfig());
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(() => t?.close());
  afterEach(() => t.server.faults.clear());

  async function sourceBackup(): Promise<KubeObject> {
    return (await t.api.get('SGBackup', source, 'orders-1'))!;
  }

  /** Everything in the target namespace: SGBackups and Secrets with their raw data. */
  async function contents(namespace: string): Promise<{ backups: string[]; secrets: Record<string, { data?: Record<string, string>; type?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }> {
    const backups = (await t.api.list('SGBackup', { namespace })).items.map((b) => b.metadata.name);
    const secrets: Record<string, { data?: Record<string, string>; type?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> = {};
    for (const s of (await core.listNamespacedSecret({ namespace })).items) {
      secrets[s.metadata!.name!] = { data: s.data, type: s.type, labels: s.metadata?.labels, annotations: s.metadata?.annotations };
    }
    return { backups, secrets };
  }

  function writesTo(namespace: string, from: number): string[] {
    return t.server.requests.slice(from).filter((r) => r.method !== 'GET' && r.path.includes(`/namespaces/${namespace}/`)).map((r) => `${r.method} ${r.path}`);
  }

  async function failure(run: Promise<unknown>): Promise<CopyBackupFailed> {
    try {
      await run;
    } catch (e) {
      if (e instanceof CopyBackupFailed) return e;
      throw e;
    }
    throw new Error('expected the copy to fail');
  }

  function assertNoValues(...texts: unknown[]): void {
    const all = JSON.stringify(texts);
    for (const v of [ID, SECRET, SODIUM, TARGET_VALUE, Buffer.from(SECRET).toString('base64')]) assert.equal(all.includes(v), false, 'no Secret value in what the user sees or the log');
  }

  it('asks once, naming context, namespaces, Secrets and keys; then copies the backup and only the keys the storage names', async () => {
    const target = await t.newNamespace();
    const asker = new FakeAsker({ confirm: true });
    const result = await copyBackupSteps(t.api, await sourceBackup(), target, asker);

    assert.equal(asker.asked.length, 1);
    const q = asker.asked[0];
    assert.equal(q.message, `Copy 2 credentials Secrets from namespace ${source} to namespace ${target} (context "${t.api.context.name}")?`);
    assert.match(q.detail, /• Secret aws-creds: keys id, secret\n/);
    assert.match(q.detail, /• Secret backup-key: key sodium\n/);
    assertNoValues(asker.asked, asker.lines, result);

    assert.deepEqual([result.secretsCopied, result.secretsReplaced, result.secretsKept], [['aws-creds', 'backup-key'], [], []]);
    const now = await contents(target);
    assert.deepEqual(now.backups, ['orders-1']);
    assert.deepEqual(Object.keys(now.secrets['aws-creds'].data ?? {}).sort(), ['id', 'secret'], 'the key the storage does not name stays behind');
    assert.equal(Buffer.from(now.secrets['aws-creds'].data!.secret, 'base64').toString(), SECRET);
  });

  it('cancelled at the confirmation: nothing is written to the target', async () => {
    const target = await t.newNamespace();
    const from = t.server.requests.length;
    const asker = new FakeAsker({ confirm: false });
    await assert.rejects(copyBackupSteps(t.api, await sourceBackup(), target, asker), Cancelled);
    assert.equal(asker.asked.length, 1, 'the question was asked');
    assert.deepEqual(writesTo(target, from), []);
    assert.deepEqual(await contents(target), { backups: [], secrets: {} });
  });

  it('fails after the SGBackup copy (first Secret refused): the SGBackup copy is deleted, and the message says so', async () => {
    const target = await t.newNamespace();
    t.server.faults.inject({ method: 'POST', pathPrefix: `/api/v1/namespaces/${target}/secrets`, status: 500, times: 1 });
    const failed = await failure(copyBackupSteps(t.api, await sourceBackup(), target, new FakeAsker({ confirm: true })));
    assert.deepEqual(failed.undo, { removed: ['SGBackup orders-1'], restored: [], left: [] });
    assert.equal(failed.undoText, `It removed SGBackup orders-1: nothing was left behind in ${target}.`);
    assert.deepEqual(await contents(target), { backups: [], secrets: {} });
  });

  it('fails after a Secret was created (the second one refused): the created Secret and the SGBackup are deleted', async () => {
    const target = await t.newNamespace();
    t.server.faults.inject({ method: 'POST', pathPrefix: `/api/v1/namespaces/${target}/secrets`, status: 500, skip: 1, times: 1 });
    const failed = await failure(copyBackupSteps(t.api, await sourceBackup(), target, new FakeAsker({ confirm: true })));
    assert.deepEqual(failed.undo, { removed: ['SGBackup orders-1', 'Secret aws-creds'], restored: [], left: [] });
    assert.deepEqual(await contents(target), { backups: [], secrets: {} });
  });

  it('fails after a Secret was replaced: the replaced Secret is put back byte for byte (data, type, labels, annotations)', async () => {
    const target = await t.newNamespace();
    await t.api.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'aws-creds', namespace: target, labels: { team: 'staging' }, annotations: { owner: 'dba' } },
      type: 'stackgres.io/credentials',
      data: { id: Buffer.from(TARGET_VALUE).toString('base64'), own: Buffer.from([0, 1, 254, 255]).toString('base64') },
    });
    const before = await contents(target);
    // aws-creds: a PUT on the saved resourceVersion; backup-key: its POST fails.
    t.server.faults.inject({ method: 'POST', pathPrefix: `/api/v1/namespaces/${target}/secrets`, status: 500, times: 1 });
    const asker = new FakeAsker({ replace: { 'aws-creds': true }, confirm: true });
    const failed = await failure(copyBackupSteps(t.api, await sourceBackup(), target, asker));

    assert.deepEqual(asker.replaceAsked, ['aws-creds']);
    assert.match(asker.asked[0].detail, new RegExp(`• Secret aws-creds: keys id, secret, replacing the existing ${target}/aws-creds \\(its other keys own are removed\\)`));
    assert.deepEqual(failed.undo, { removed: ['SGBackup orders-1'], restored: ['Secret aws-creds'], left: [] });
    assert.equal(failed.undoText, `It removed SGBackup orders-1 and put back the former Secret aws-creds: nothing was left behind in ${target}.`);
    assert.deepEqual(await contents(target), before, 'the target is as it was: the replaced Secret restored exactly, nothing created');
    assertNoValues(asker.asked, asker.lines, failed.message);
  });

  /** Writes the target's aws-creds as someone else would (kubectl, another engineer), keeping its labels. */
  async function someoneWrites(target: string, value: string): Promise<void> {
    const current = await core.readNamespacedSecret({ namespace: target, name: 'aws-creds' });
    await core.replaceNamespacedSecret({ namespace: target, name: 'aws-creds', body: { ...current, data: { id: Buffer.from(value).toString('base64') } } });
  }

  /** The api, with `before`/`after` run around each copySecret: where someone else's write lands. */
  function racing(around: { before?: (name: string) => Promise<void>; after?: (name: string) => Promise<void> }): typeof t.api {
    const api = Object.create(t.api) as typeof t.api;
    api.copySecret = async (from, name, to, options) => {
      await around.before?.(name);
      const copied = await t.api.copySecret(from, name, to, options);
      await around.after?.(name);
      return copied;
    };
    return api;
  }

  async function targetWithOwnSecret(): Promise<string> {
    const target = await t.newNamespace();
    await t.api.createSecret(target, 'aws-creds', { id: Buffer.from(TARGET_VALUE), own: Buffer.from('own') }, { labels: { team: 'staging' } });
    return target;
  }

  it('a Secret changed between the save and the replace is not replaced: the copy stops, their change stays, and the user is told', async () => {
    const target = await targetWithOwnSecret();
    const theirs = `their-change-${process.pid}`;
    const from = t.server.requests.length;
    const asker = new FakeAsker({ replace: { 'aws-creds': true }, confirm: true });
    const failed = await failure(copyBackupSteps(racing({ before: (name) => (name === 'aws-creds' ? someoneWrites(target, theirs) : Promise.resolve()) }), await sourceBackup(), target, asker));

    assert.match(failed.message, new RegExp(`Secret aws-creds in namespace ${target} changed after the copy read it`));
    assert.match(failed.message, /Nothing of it was changed/);
    assert.deepEqual(failed.undo, { removed: ['SGBackup orders-1'], restored: [], left: [] });
    const now = await contents(target);
    assert.deepEqual(now.backups, []);
    assert.deepEqual(Object.keys(now.secrets), ['aws-creds'], 'backup-key was never created');
    assert.equal(Buffer.from(now.secrets['aws-creds'].data!.id, 'base64').toString(), theirs, 'their change stays');
    assert.deepEqual(
      writesTo(target, from).filter((w) => w.includes('/secrets')),
      [`PUT /api/v1/namespaces/${target}/secrets/aws-creds`, `PUT /api/v1/namespaces/${target}/secrets/aws-creds`],
      'their PUT, then ours refused on the saved resourceVersion; no create, no put-back',
    );
    assert.equal(t.server.requests.slice(from).filter((r) => r.method === 'PUT' && r.path.endsWith('/aws-creds')).at(-1)?.status, 409);
    assertNoValues(asker.asked, asker.lines, failed.message);
  });

  it('a replaced Secret changed again before the put-back is not overwritten: the final message says so', async () => {
    const target = await targetWithOwnSecret();
    const theirs = `their-later-change-${process.pid}`;
    // backup-key's create fails after aws-creds was replaced and then changed by someone else.
    t.server.faults.inject({ method: 'POST', pathPrefix: `/api/v1/namespaces/${target}/secrets`, status: 500, times: 1 });
    const asker = new FakeAsker({ replace: { 'aws-creds': true }, confirm: true });
    const failed = await failure(copyBackupSteps(racing({ after: (name) => (name === 'aws-creds' ? someoneWrites(target, theirs) : Promise.resolve()) }), await sourceBackup(), target, asker));

    assert.deepEqual(failed.undo.removed, ['SGBackup orders-1']);
    assert.deepEqual(failed.undo.restored, []);
    assert.equal(failed.undo.left.length, 1);
    assert.match(failed.undo.left[0], /^Secret aws-creds, changed by someone else after the copy replaced it, was not put back over that change/);
    assert.match(failed.undoText, new RegExp(`^Left behind in ${target}: Secret aws-creds, changed by someone else`));
    const now = await contents(target);
    assert.equal(Buffer.from(now.secrets['aws-creds'].data!.id, 'base64').toString(), theirs, 'their change stays');
    assertNoValues(asker.asked, asker.lines, failed.message);
  });

  it('cancelled while writing: what was written is undone', async () => {
    const target = await t.newNamespace();
    const asker = new FakeAsker({ confirm: true });
    asker.cancelAt = /copying Secret backup-key/;
    const failed = await failure(copyBackupSteps(t.api, await sourceBackup(), target, asker));
    assert.equal((failed.error as { reason?: string }).reason, 'cancelled');
    assert.deepEqual(failed.undo, { removed: ['SGBackup orders-1', 'Secret aws-creds'], restored: [], left: [] });
    assert.deepEqual(await contents(target), { backups: [], secrets: {} });
  });

  it('when undoing fails too, the message names what is left and how to remove it', async () => {
    const target = await t.newNamespace();
    t.server.faults.inject({ method: 'POST', pathPrefix: `/api/v1/namespaces/${target}/secrets`, status: 500, skip: 1, times: 1 });
    t.server.faults.inject({ method: 'DELETE', pathPrefix: `/api/v1/namespaces/${target}/secrets`, status: 500 });
    const failed = await failure(copyBackupSteps(t.api, await sourceBackup(), target, new FakeAsker({ confirm: true })));
    assert.deepEqual(failed.undo, { removed: ['SGBackup orders-1'], restored: [], left: [`Secret aws-creds (kubectl delete secret aws-creds -n ${target})`] });
    assert.equal(failed.undoText, `Left behind in ${target}: Secret aws-creds (kubectl delete secret aws-creds -n ${target}). It removed SGBackup orders-1.`);
    t.server.faults.clear();
    assert.deepEqual(Object.keys((await contents(target)).secrets), ['aws-creds'], 'the message tells the truth');
  });

  it('keeping an existing Secret copies no credentials: no confirmation, the backup copy only', async () => {
    const target = await t.newNamespace();
    await t.api.createSecret(target, 'aws-creds', { id: Buffer.from(TARGET_VALUE), secret: Buffer.from(TARGET_VALUE) });
    await t.api.createSecret(target, 'backup-key', { sodium: Buffer.from(TARGET_VALUE) });
    const asker = new FakeAsker({ replace: { 'aws-creds': false, 'backup-key': false } });
    const result = await copyBackupSteps(t.api, await sourceBackup(), target, asker);
    assert.deepEqual([asker.asked, result.secretsCopied, result.secretsKept], [[], [], ['aws-creds', 'backup-key']]);
  });

  it('refuses a storage whose selector names no key before anything is written', async () => {
    const target = await t.newNamespace();
    const keyless = structuredClone(await sourceBackup());
    (keyless.status as { sgBackupConfig: { storage: typeof STORAGE } }).sgBackupConfig.storage.encryption.sodium.key = { name: 'backup-key' } as typeof STORAGE.encryption.sodium.key;
    const from = t.server.requests.length;
    await assert.rejects(copyBackupSteps(t.api, keyless, target, new FakeAsker({ confirm: true })), (e: unknown) => e instanceof UserError && /names Secret backup-key without a key/.test(e.message));
    assert.deepEqual(writesTo(target, from), []);
  });
});
