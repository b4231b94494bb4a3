// KubeApi reads and writes, against the test server or, with STACKGRES_TEST_CLUSTER=1 and KUBECONFIG, a
// real cluster in a throwaway namespace (see helpers.ts).
import * as assert from 'node:assert/strict';
import type * as K8sTypes from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../../../client/src/kube/api';
import { failOnUnhandledRejections, kubeFailure, openTarget, openTestServer, sgBackup, sgObjectStorage, type Target } from './helpers';
import { describeWithReference } from '../../../reference';

describeWithReference('Kubernetes access: reading and writing StackGres objects', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  let t: Target;
  let ns: string;

  before(async () => {
    t = await openTarget();
    ns = t.namespace;
  });
  after(() => t?.close());

  it('lists namespaces, and the contexts of the kubeconfig with the one in use', async () => {
    assert.ok((await t.api.namespaces()).includes(ns));
    assert.ok(t.api.contexts().some((c) => c.name === t.api.context.name));
    assert.ok(t.api.context.server?.startsWith('https://'));
  });

  it('creates, gets and deletes an SGBackup; a missing object is undefined, a second delete false', async () => {
    const created = await t.api.create(sgBackup(ns, 'crud-1'));
    assert.equal(created.object.metadata.name, 'crud-1');
    assert.ok(created.object.metadata.uid);
    const got = await t.api.get('SGBackup', ns, 'crud-1');
    assert.equal((got?.spec as { sgCluster: string }).sgCluster, 'orders');
    assert.equal(got?.kind, 'SGBackup');
    assert.equal(await t.api.get('SGBackup', ns, 'no-such-backup'), undefined);
    assert.equal(await t.api.delete('SGBackup', ns, 'crud-1'), true);
    assert.equal(await t.api.delete('SGBackup', ns, 'crud-1'), false);
  });

  it("filters a cluster's backups on spec.sgCluster here, in one namespace or all, copies included", async () => {
    await t.api.create(sgBackup(ns, 'mine-1', 'orders'));
    await t.api.create(sgBackup(ns, 'other-1', 'inventory'));
    await t.api.create(sgBackup(ns, 'copy-1', `${ns}-prod.orders`));
    const mine = await t.api.list('SGBackup', { namespace: ns, sgCluster: 'orders' });
    assert.deepEqual(mine.items.map((b) => b.metadata.name), ['mine-1']);
    const copies = await t.api.list('SGBackup', { sgCluster: `${ns}-prod.orders` });
    assert.deepEqual(copies.items.map((b) => `${b.metadata.namespace}/${b.metadata.name}`), [`${ns}/copy-1`]);
    assert.ok(Number(mine.resourceVersion) > 0 || mine.resourceVersion.length > 0, 'the list carries a resourceVersion to watch from');
  });

  it('selects by label', async () => {
    await t.api.create(sgBackup(ns, 'labelled', 'orders', { 'stackgres.io/scheduled-backup': 'true' }));
    const scheduled = await t.api.list('SGBackup', { namespace: ns, labelSelector: 'stackgres.io/scheduled-backup=true' });
    assert.deepEqual(scheduled.items.map((b) => b.metadata.name), ['labelled']);
  });

  it('dry-runs create and apply through validation without persisting anything', async () => {
    const dry = await t.api.create(sgObjectStorage(ns, 'dry-created'), { dryRun: true });
    assert.equal(dry.object.metadata.name, 'dry-created');
    const applied = await t.api.apply(sgObjectStorage(ns, 'dry-applied'), { dryRun: true });
    assert.equal(applied.object.metadata.name, 'dry-applied');
    assert.equal(await t.api.get('SGObjectStorage', ns, 'dry-created'), undefined);
    assert.equal(await t.api.get('SGObjectStorage', ns, 'dry-applied'), undefined);
    const invalid = await kubeFailure(() => t.api.apply({ ...sgObjectStorage(ns, 'dry-invalid'), spec: { type: 'ftp' } }, { dryRun: true }));
    assert.equal(invalid.reason, 'invalid', 'a dry run still reports what the server would reject');
  });

  it('applies server-side as stackgres-vscode and reports fields the server dropped', async () => {
    const first = await t.api.apply({ ...sgObjectStorage(ns, 'applied'), spec: { ...sgObjectStorage(ns, 'x').spec, bukket: 'typo' } });
    assert.ok(first.warnings.some((w) => /unknown field "spec\.bukket"/.test(w)), first.warnings.join());
    const managers = (first.object.metadata.managedFields as { manager: string; operation: string }[]).filter((m) => m.operation === 'Apply').map((m) => m.manager);
    assert.deepEqual(managers, [FIELD_MANAGER]);
    const again = await t.api.apply({ ...sgObjectStorage(ns, 'applied', 'other-bucket') });
    assert.equal(((again.object.spec as { s3: { bucket: string } }).s3).bucket, 'other-bucket');
    assert.deepEqual(again.warnings, []);
  });

  it('surfaces a 409 apply conflict with the fields and their manager, and forces only when asked', async () => {
    // Someone else (as kubectl would) applies the storage first and owns its fields.
    const k8s: typeof K8sTypes = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    if (t.server) kc.loadFromString(t.server.kubeconfig());
    else kc.loadFromDefault();
    kc.setCurrentContext(t.api.context.name);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const theirs = sgObjectStorage(ns, 'contested', 'their-bucket');
    await custom.patchNamespacedCustomObject(
      { group: 'stackgres.io', version: 'v1beta1', namespace: ns, plural: 'sgobjectstorages', name: 'contested', body: theirs, fieldManager: 'kubectl' },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
    );

    const conflict = await kubeFailure(() => t.api.apply(sgObjectStorage(ns, 'contested', 'our-bucket')));
    assert.equal(conflict.reason, 'conflict');
    assert.equal(conflict.status, 409);
    assert.deepEqual(conflict.causes?.map((c) => c.field), ['.spec.s3.bucket']);
    assert.match(conflict.message, /\.spec\.s3\.bucket \(managed by kubectl\)/);
    assert.match(conflict.action!, /Force/);
    const unchanged = await t.api.get('SGObjectStorage', ns, 'contested');
    assert.equal((unchanged?.spec as { s3: { bucket: string } }).s3.bucket, 'their-bucket', 'nothing applied');

    const forced = await t.api.apply(sgObjectStorage(ns, 'contested', 'our-bucket'), { force: true });
    assert.equal((forced.object.spec as { s3: { bucket: string } }).s3.bucket, 'our-bucket');
  });

  it('turns a 422 into causes per field, and an existing name into a conflict', async () => {
    const invalid = await kubeFailure(() => t.api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGCluster', metadata: { name: 'broken', namespace: ns }, spec: { instances: 'two' } }));
    assert.equal(invalid.reason, 'invalid');
    assert.equal(invalid.status, 422);
    const fields = invalid.causes?.map((c) => c.field) ?? [];
    assert.ok(fields.includes('spec.instances'), fields.join());
    assert.match(invalid.message, /^The cluster rejected SGCluster broken: /);

    await t.api.create(sgObjectStorage(ns, 'exists'));
    const dup = await kubeFailure(() => t.api.create(sgObjectStorage(ns, 'exists')));
    assert.equal(dup.reason, 'conflict');
    assert.equal(dup.kubeReason, 'AlreadyExists');
    assert.match(dup.message, /SGObjectStorage exists already exists in namespace/);
  });

  it('refuses manifests it does not write before sending anything', async () => {
    const wrongVersion = await kubeFailure(() => t.api.apply({ ...sgObjectStorage(ns, 'v'), apiVersion: 'stackgres.io/v1' }));
    assert.equal(wrongVersion.reason, 'invalid');
    assert.match(wrongVersion.message, /serves SGObjectStorage as stackgres\.io\/v1beta1/);
    const deployment = await kubeFailure(() => t.api.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }));
    assert.match(deployment.message, /Deployment is not something this extension writes/);
  });

  it('creates and replaces Secrets from bytes and reads back only key names', async () => {
    const value = `not-a-real-secret-${Date.now()}`;
    await t.api.createSecret(ns, 'aws', { accessKeyId: Buffer.from('AKIAEXAMPLE'), secretAccessKey: Buffer.from(value) }, { labels: { app: 'stackgres-backups' } });
    assert.deepEqual(await t.api.secretKeys(ns, 'aws'), ['accessKeyId', 'secretAccessKey']);
    await t.api.replaceSecret(ns, 'aws', { id: Buffer.from('AKIAEXAMPLE'), secret: Buffer.from(value) });
    assert.deepEqual(await t.api.secretKeys(ns, 'aws'), ['id', 'secret']);
    assert.equal(await t.api.secretKeys(ns, 'no-such-secret'), undefined);

    const dup = await kubeFailure(() => t.api.createSecret(ns, 'aws', { id: Buffer.from(value) }));
    assert.equal(dup.kubeReason, 'AlreadyExists', 'an existing Secret is never overwritten by create');
    const applied = await t.api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'applied-secret', namespace: ns }, stringData: { key: value } });
    assert.equal('data' in applied.object || 'stringData' in applied.object, false, 'no values come back');
    assert.equal(JSON.stringify([dup.message, dup.action, applied, t.log]).includes(value), false, 'the value is in no message, result or log line');
  });

  it('lists Secret names as Table rows without objects, page by page: no Secret data is downloaded', async () => {
    const value = `not-a-real-secret-${Date.now()}`;
    const names = ['names-a', 'names-b', 'names-c'];
    for (const name of names) await t.api.createSecret(ns, name, { password: Buffer.from(value) });
    const since = t.server?.requests.length ?? 0;
    const listed = await t.api.secretNames(ns, { limit: 2 });
    assert.deepEqual(listed.filter((n) => n.startsWith('names-')), names);
    if (t.server) {
      const reads = t.server.requests.slice(since).filter((r) => r.path === `/api/v1/namespaces/${ns}/secrets`);
      assert.ok(reads.length >= 2, 'paged');
      assert.deepEqual([...new Set(reads.map((r) => `${r.form}/${r.includeObject}`))], ['Table/None'], 'every page cells only');
    }
    assert.equal(JSON.stringify([listed, t.log]).includes(value), false);
  });

  it('reads Secret names from metadata lists when the server serves no Tables (406), and says so once in the log', async () => {
    const old = await openTestServer({ tables: false, recordBodies: true });
    try {
      const value = `not-a-real-secret-${Date.now()}`;
      for (const name of ['old-a', 'old-b', 'old-c']) await old.api.createSecret(old.namespace, name, { password: Buffer.from(value) });
      const since = old.server.requests.length;
      assert.deepEqual(await old.api.secretNames(old.namespace, { limit: 2 }), ['old-a', 'old-b', 'old-c']);
      assert.deepEqual(await old.api.secretNames(old.namespace), ['old-a', 'old-b', 'old-c']);
      const reads = old.server.requests.slice(since).map((r) => `${r.status} ${r.form ?? '-'}`);
      assert.deepEqual(reads, ['406 -', '200 PartialObjectMetadataList', '200 PartialObjectMetadataList', '200 PartialObjectMetadataList'], 'the Table is asked for once, then metadata lists only');
      assert.equal(old.log.filter((l) => /serves no Tables \(HTTP 406\)/.test(l)).length, 1, 'said once');
      assert.equal(JSON.stringify([old.log, old.server.requests.slice(since).map((r) => r.body)]).includes(Buffer.from(value).toString('base64')), false);
    } finally {
      await old.close();
    }
  });

  it("copies a Secret to another namespace (a backup copy's storage credentials) without handing out its values", async () => {
    const value = `not-a-real-secret-${Date.now()}`;
    await t.api.createSecret(ns, 'to-copy', { accessKeyId: Buffer.from('AKIAEXAMPLE'), secretAccessKey: Buffer.from(value), unrelated: Buffer.from('x') }, { labels: { team: 'dba' } });
    const target = await t.newNamespace();
    await t.api.copySecret(ns, 'to-copy', target, { keys: ['accessKeyId', 'secretAccessKey'] });
    assert.deepEqual(await t.api.secretKeys(target, 'to-copy'), ['accessKeyId', 'secretAccessKey']);

    // Only to check the bytes arrived unchanged: read the copy directly, compare without printing.
    const k8s: typeof K8sTypes = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    if (t.server) kc.loadFromString(t.server.kubeconfig());
    else kc.loadFromDefault();
    kc.setCurrentContext(t.api.context.name);
    const copied = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ namespace: target, name: 'to-copy' });
    assert.ok(Buffer.from(copied.data?.secretAccessKey ?? '', 'base64').toString() === value, 'the value is copied unchanged');
    assert.deepEqual(copied.metadata?.labels, { team: 'dba' });

    const exists = await kubeFailure(() => t.api.copySecret(ns, 'to-copy', target, { keys: ['accessKeyId'] }));
    assert.equal(exists.kubeReason, 'AlreadyExists', 'an existing Secret is kept unless replacing was confirmed');
    await t.api.copySecret(ns, 'to-copy', target, { keys: ['accessKeyId', 'unrelated'], replace: true });
    assert.deepEqual(await t.api.secretKeys(target, 'to-copy'), ['accessKeyId', 'unrelated']);
    const noKeys = await kubeFailure(() => t.api.copySecret(ns, 'to-copy', target, { keys: [], replace: true }));
    assert.equal(noKeys.reason, 'invalid', 'no keys named is an error, never "copy them all"');
    assert.deepEqual(await t.api.secretKeys(target, 'to-copy'), ['accessKeyId', 'unrelated'], 'and nothing was written');
    const missingKey = await kubeFailure(() => t.api.copySecret(ns, 'to-copy', target, { keys: ['serviceAccountJSON'], replace: true }));
    assert.equal(missingKey.message, `Secret to-copy in namespace ${ns} has no key serviceAccountJSON.`);
    assert.equal(JSON.stringify([exists.message, missingKey.message, t.log]).includes(value), false);
  });

  it('saves a Secret in memory and puts it back byte for byte (data, type, labels, annotations), also after it was deleted', async () => {
    const value = new Uint8Array([0, 255, 10, 13, 0x80, ...Buffer.from(`not-a-real-secret-${Date.now()}`)]);
    await t.api.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'saved', namespace: ns, labels: { team: 'dba' }, annotations: { note: 'kept' } }, type: 'stackgres.io/test', data: { secret: Buffer.from(value).toString('base64'), other: Buffer.from('o').toString('base64') } });
    const saved = await t.api.saveSecret(ns, 'saved');
    assert.ok(saved);
    assert.deepEqual(saved.keys, ['other', 'secret']);
    await t.api.replaceSecret(ns, 'saved', { replaced: Buffer.from('new') }, { type: 'stackgres.io/test' });
    await saved.restore();
    assert.deepEqual(await t.api.secretKeys(ns, 'saved'), ['other', 'secret']);
    assert.ok(Buffer.from((await t.api.secretValues(ns, 'saved', ['secret'])).secret).equals(Buffer.from(value)), 'the bytes are back unchanged');
    const k8s: typeof K8sTypes = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    if (t.server) kc.loadFromString(t.server.kubeconfig());
    else kc.loadFromDefault();
    kc.setCurrentContext(t.api.context.name);
    const back = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ namespace: ns, name: 'saved' });
    assert.deepEqual([back.type, back.metadata?.labels, back.metadata?.annotations], ['stackgres.io/test', { team: 'dba' }, { note: 'kept' }]);
    // Deleted meanwhile: restoring creates it again.
    await t.api.deleteSecret(ns, 'saved');
    await saved.restore();
    assert.ok(Buffer.from((await t.api.secretValues(ns, 'saved', ['secret'])).secret).equals(Buffer.from(value)));
    saved.discard();
    await assert.rejects(saved.restore(), /no longer held/);
    assert.equal(await t.api.saveSecret(ns, 'never-there'), undefined);
    assert.equal(JSON.stringify([saved, t.log]).includes(Buffer.from(value).toString('base64')), false, 'the saved values are not on the handle');
  });

  it('replaces a Secret only at the version it was saved at, and puts it back only over our own write', async () => {
    await t.api.createSecret(ns, 'to-copy-rv', { accessKeyId: Buffer.from('AKIAEXAMPLE') });
    const target = await t.newNamespace();
    await t.api.createSecret(target, 'to-copy-rv', { own: Buffer.from('own') });
    const saved = await t.api.saveSecret(target, 'to-copy-rv');
    assert.ok(saved?.resourceVersion);
    // Someone else writes it after it was saved: the replace is refused and nothing is written.
    await t.api.replaceSecret(target, 'to-copy-rv', { theirs: Buffer.from('theirs') });
    const stale = await kubeFailure(() => t.api.copySecret(ns, 'to-copy-rv', target, { keys: ['accessKeyId'], replace: true, resourceVersion: saved.resourceVersion }));
    assert.equal(stale.reason, 'conflict');
    assert.equal(stale.status, 409);
    assert.equal(stale.message, `Secret to-copy-rv in namespace ${target} changed after the copy read it (someone else wrote it meanwhile). Nothing of it was changed.`);
    assert.deepEqual(await t.api.secretKeys(target, 'to-copy-rv'), ['theirs']);
    saved.discard();

    // Replaced at the saved version; someone writes after us: the put-back leaves their change alone.
    const again = (await t.api.saveSecret(target, 'to-copy-rv'))!;
    const copied = await t.api.copySecret(ns, 'to-copy-rv', target, { keys: ['accessKeyId'], replace: true, resourceVersion: again.resourceVersion });
    assert.ok(copied.resourceVersion && copied.resourceVersion !== again.resourceVersion);
    await t.api.replaceSecret(target, 'to-copy-rv', { later: Buffer.from('later') });
    assert.equal(await again.restore({ ifResourceVersion: copied.resourceVersion }), 'changedSince');
    assert.deepEqual(await t.api.secretKeys(target, 'to-copy-rv'), ['later'], 'their later change stays');
    // Over our own write it is put back.
    const ours = await t.api.copySecret(ns, 'to-copy-rv', target, { keys: ['accessKeyId'], replace: true, resourceVersion: (await t.api.saveSecret(target, 'to-copy-rv'))!.resourceVersion });
    assert.equal(await again.restore({ ifResourceVersion: ours.resourceVersion }), 'restored');
    assert.deepEqual(await t.api.secretKeys(target, 'to-copy-rv'), ['theirs']);
    // Deleted after the save: not created in its place.
    const last = (await t.api.saveSecret(target, 'to-copy-rv'))!;
    await t.api.deleteSecret(target, 'to-copy-rv');
    const gone = await kubeFailure(() => t.api.copySecret(ns, 'to-copy-rv', target, { keys: ['accessKeyId'], replace: true, resourceVersion: last.resourceVersion }));
    assert.equal(gone.reason, 'notFound');
    assert.equal(await t.api.secretKeys(target, 'to-copy-rv'), undefined);
    again.discard();
    last.discard();
  });

  it('deletes only the object the user chose: a uid precondition refuses one made again under the same name (409, nothing deleted)', async () => {
    const first = await t.api.create(sgBackup(ns, 'recreated'));
    await t.api.delete('SGBackup', ns, 'recreated');
    const second = await t.api.create(sgBackup(ns, 'recreated'));
    assert.notEqual(first.object.metadata.uid, second.object.metadata.uid);
    const stale = await kubeFailure(() => t.api.delete('SGBackup', ns, 'recreated', { preconditions: { uid: first.object.metadata.uid } }));
    assert.equal(stale.reason, 'conflict');
    assert.equal(stale.status, 409);
    assert.match(stale.message, /SGBackup recreated .*is not the one chosen: it was deleted and created again under the same name/);
    assert.ok(await t.api.get('SGBackup', ns, 'recreated'), 'the new backup is still there');
    assert.equal(await t.api.delete('SGBackup', ns, 'recreated', { preconditions: { uid: second.object.metadata.uid } }), true);
  });

  it('reads the served schemas of the StackGres CRDs', async () => {
    const crds = await t.api.stackgresCrds();
    const backup = crds.find((c) => c.kind === 'SGBackup');
    assert.equal(backup?.plural, 'sgbackups');
    const v1 = backup?.versions.find((v) => v.name === 'v1');
    assert.equal(v1?.served, true);
    assert.equal((v1?.schema as { properties: { spec: { properties: Record<string, unknown> } } }).properties.spec.properties.sgCluster !== undefined, true);
    assert.deepEqual(crds.find((c) => c.kind === 'SGObjectStorage')?.versions.map((v) => v.name), ['v1beta1']);
  });

  it('uses another context of the same kubeconfig without changing it', async () => {
    if (t.server) {
      const reader = t.api.withContext('stackgres-test-reader');
      assert.equal(reader.context.user, 'reader');
      await t.api.create(sgObjectStorage(ns, 'readable'));
      assert.deepEqual((await reader.list('SGObjectStorage', { namespace: ns })).items.some((o) => o.metadata.name === 'readable'), true);
      const denied = await kubeFailure(() => reader.create(sgObjectStorage(ns, 'by-reader')));
      assert.equal(denied.reason, 'forbidden');
      assert.equal(t.api.context.name, 'stackgres-test', 'the first api keeps its context');
    }
    assert.equal(t.api.withContext(t.api.context.name).context.name, t.api.context.name);
    const unknown = (() => {
      try {
        t.api.withContext('no-such-context');
      } catch (e) {
        return e as { reason?: string; message?: string };
      }
      return undefined;
    })();
    assert.equal(unknown?.reason, 'config');
    assert.match(unknown?.message ?? '', /Context "no-such-context" is not in the kubeconfig/);
  });
});
