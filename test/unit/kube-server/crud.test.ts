import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, SG_BETA, clients, clusterManifest, failure, k8s, s3Storage, type Clients } from './helpers';
import { describeWithReference } from '../../reference';

describeWithReference('kube-server: discovery and CRUD through client-node', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;

  before(async () => {
    server = await startKubeServer({ operator: { enabled: false } });
    c = await clients(server);
    await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
  });
  after(() => server.stop());

  it('serves discovery documents for core, stackgres.io (v1 and v1beta1) and apiextensions', async () => {
    const api = await c.core.getAPIResources();
    assert.deepEqual(
      api.resources.map((r) => r.name),
      ['namespaces', 'secrets', 'events', 'pods'],
    );
    const sg = await c.custom.getAPIResources({ group: 'stackgres.io', version: 'v1' });
    const backups = sg.resources.find((r) => r.name === 'sgbackups');
    assert.equal(backups?.kind, 'SGBackup');
    assert.equal(backups?.namespaced, true);
    assert.deepEqual(backups?.shortNames, ['sgbkp']);
    const beta = await c.custom.getAPIResources({ group: 'stackgres.io', version: 'v1beta1' });
    assert.deepEqual(beta.resources.map((r) => r.name), ['sgobjectstorages']);
    const m = await k8s();
    const groups = await c.kc.makeApiClient(m.ApisApi).getAPIVersions();
    const stackgres = groups.groups.find((g) => g.name === 'stackgres.io');
    assert.equal(stackgres?.preferredVersion?.version, 'v1');
    const version = await c.kc.makeApiClient(m.VersionApi).getCode();
    assert.equal(version.major, '1');
  });

  it('serves the StackGres CRDs with their schemas from the shared reference folder', async () => {
    const m = await k8s();
    const ext = c.kc.makeApiClient(m.ApiextensionsV1Api);
    const crd = await ext.readCustomResourceDefinition({ name: 'sgobjectstorages.stackgres.io' });
    const spec = crd.spec.versions[0].schema?.openAPIV3Schema?.properties?.spec;
    assert.deepEqual(spec?.properties?.type._enum, ['s3', 's3Compatible', 'gcs', 'azureBlob']);
    const list = await ext.listCustomResourceDefinition();
    assert.ok(list.items.some((i) => i.metadata?.name === 'sgbackups.stackgres.io'));
  });

  it('creates, reads, replaces, patches and deletes an SGObjectStorage with server metadata', async () => {
    const created = await c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body: s3Storage('store') });
    assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(created.metadata.resourceVersion, /^\d+$/);
    assert.equal(created.metadata.generation, 1);
    assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(created.metadata.annotations['stackgres.io/operatorVersion'], '1.18.6');

    const read = await c.custom.getNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'store' });
    assert.deepEqual(read.spec, created.spec);

    read.spec.s3.region = 'us-east-1';
    const replaced = await c.custom.replaceNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'store', body: read });
    assert.equal(replaced.spec.s3.region, 'us-east-1');
    assert.equal(replaced.metadata.generation, 2);
    assert.ok(Number(replaced.metadata.resourceVersion) > Number(created.metadata.resourceVersion));

    const m = await k8s();
    const merge = m.setHeaderOptions('Content-Type', m.PatchStrategy.MergePatch);
    const merged = await c.custom.patchNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'store', body: { spec: { s3: { storageClass: 'STANDARD' } } } }, merge);
    assert.equal(merged.spec.s3.storageClass, 'STANDARD');
    assert.equal(merged.spec.s3.region, 'us-east-1');

    const json = await c.custom.patchNamespacedCustomObject({
      ...SG_BETA,
      namespace: 'demo',
      plural: 'sgobjectstorages',
      name: 'store',
      body: [
        { op: 'test', path: '/spec/s3/region', value: 'us-east-1' },
        { op: 'replace', path: '/spec/s3/region', value: 'eu-central-1' },
      ],
    });
    assert.equal(json.spec.s3.region, 'eu-central-1');

    const strategic = m.setHeaderOptions('Content-Type', m.PatchStrategy.StrategicMergePatch);
    const s = await c.custom.patchNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'store', body: { metadata: { labels: { tier: 'gold' } } } }, strategic);
    assert.equal(s.metadata.labels.tier, 'gold');
    assert.equal(s.metadata.generation, json.metadata.generation, 'metadata-only changes keep the generation');

    await c.custom.deleteNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'store' });
    const gone = await failure(() => c.custom.getNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'store' }));
    assert.equal(gone.code, 404);
    assert.equal(gone.status?.message, 'sgobjectstorages.stackgres.io "store" not found');
    assert.deepEqual(gone.status?.details, { name: 'store', group: 'stackgres.io', kind: 'sgobjectstorages' });
  });

  it('answers errors as Status objects: AlreadyExists, Conflict on a stale resourceVersion, missing namespace', async () => {
    const body = clusterManifest('pg');
    const first = await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body });
    const again = await failure(() => c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body }));
    assert.equal(again.code, 409);
    assert.deepEqual(
      { kind: again.status?.kind, apiVersion: again.status?.apiVersion, status: again.status?.status, reason: again.status?.reason, message: again.status?.message },
      { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', message: 'sgclusters.stackgres.io "pg" already exists' },
    );

    await c.custom.patchNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'pg', body: [{ op: 'replace', path: '/spec/instances', value: 2 }] });
    const stale = await failure(() => c.custom.replaceNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'pg', body: first }));
    assert.equal(stale.code, 409);
    assert.equal(stale.status?.reason, 'Conflict');
    assert.equal(stale.status?.message, 'Operation cannot be fulfilled on sgclusters.stackgres.io "pg": the object has been modified; please apply your changes to the latest version and try again');

    const noRv = structuredClone(first);
    delete noRv.metadata.resourceVersion;
    const unconditional = await failure(() => c.custom.replaceNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'pg', body: noRv }));
    assert.equal(unconditional.code, 422);
    assert.match(unconditional.status?.message ?? '', /metadata.resourceVersion: Invalid value: 0x0: must be specified for an update/);

    const missingNs = await failure(() => c.custom.createNamespacedCustomObject({ ...SG, namespace: 'nowhere', plural: 'sgclusters', body }));
    assert.equal(missingNs.code, 404);
    assert.equal(missingNs.status?.message, 'namespaces "nowhere" not found');
  });

  it('honours delete preconditions as kube-apiserver does: a stale uid or resourceVersion is 409 Conflict and deletes nothing', async () => {
    const sgbackups = { ...SG, namespace: 'demo', plural: 'sgbackups' };
    const body = { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'pre' }, spec: { sgCluster: 'pg' } };
    const old = await c.custom.createNamespacedCustomObject({ ...sgbackups, body });
    await c.custom.deleteNamespacedCustomObject({ ...sgbackups, name: 'pre' });
    const now = await c.custom.createNamespacedCustomObject({ ...sgbackups, body });
    const byUid = await failure(() => c.custom.deleteNamespacedCustomObject({ ...sgbackups, name: 'pre', body: { preconditions: { uid: old.metadata.uid } } }));
    assert.equal(byUid.code, 409);
    assert.equal(byUid.status?.reason, 'Conflict');
    assert.equal(byUid.status?.message, `Operation cannot be fulfilled on sgbackups.stackgres.io "pre": Precondition failed: UID in precondition: ${old.metadata.uid}, UID in object meta: ${now.metadata.uid}`);
    const byRv = await failure(() => c.custom.deleteNamespacedCustomObject({ ...sgbackups, name: 'pre', body: { preconditions: { uid: now.metadata.uid, resourceVersion: old.metadata.resourceVersion } } }));
    assert.equal(byRv.status?.message, `Operation cannot be fulfilled on sgbackups.stackgres.io "pre": Precondition failed: ResourceVersion in precondition: ${old.metadata.resourceVersion}, ResourceVersion in object meta: ${now.metadata.resourceVersion}`);
    assert.equal((await c.custom.getNamespacedCustomObject({ ...sgbackups, name: 'pre' })).metadata.uid, now.metadata.uid, 'nothing was deleted');
    await c.custom.deleteNamespacedCustomObject({ ...sgbackups, name: 'pre', body: { preconditions: { uid: now.metadata.uid, resourceVersion: now.metadata.resourceVersion } } });
    await assert.rejects(c.custom.getNamespacedCustomObject({ ...sgbackups, name: 'pre' }));
  });

  it('stores Secrets: stringData becomes base64 data and type defaults to Opaque', async () => {
    const created = await c.core.createNamespacedSecret({ namespace: 'demo', body: { metadata: { name: 'aws' }, stringData: { id: 'placeholder-id' } } });
    assert.equal(created.type, 'Opaque');
    assert.equal(Buffer.from(created.data?.id ?? '', 'base64').toString(), 'placeholder-id');
    const list = await c.core.listNamespacedSecret({ namespace: 'demo' });
    assert.deepEqual(list.items.map((s) => s.metadata?.name), ['aws']);
    await c.core.deleteNamespacedSecret({ namespace: 'demo', name: 'aws' });
    assert.equal((await c.core.listNamespacedSecret({ namespace: 'demo' })).items.length, 0);
  });

  it('does not persist anything on dryRun=All create, update, patch or delete', async () => {
    const body = s3Storage('dry');
    const created = await c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body, dryRun: 'All' });
    assert.equal(created.spec.type, 's3');
    assert.equal((await failure(() => c.custom.getNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'dry' }))).code, 404);

    const real = await c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body });
    const rv = real.metadata.resourceVersion;
    const patched = await c.custom.patchNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'dry', dryRun: 'All', body: [{ op: 'replace', path: '/spec/s3/region', value: 'ap-south-1' }] });
    assert.equal(patched.spec.s3.region, 'ap-south-1');
    real.spec.s3.region = 'sa-east-1';
    await c.custom.replaceNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'dry', body: real, dryRun: 'All' });
    await c.custom.deleteNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'dry', dryRun: 'All' });
    const after = await c.custom.getNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'dry' });
    assert.equal(after.metadata.resourceVersion, rv);
    assert.equal(after.spec.s3.region, 'eu-west-1');
  });

  it('offers simple CRUD for SGDbOps', async () => {
    const body = { apiVersion: 'stackgres.io/v1', kind: 'SGDbOps', metadata: { name: 'restart-pg' }, spec: { sgCluster: 'pg', op: 'restart' } };
    const created = await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgdbops', body });
    assert.equal(created.spec.op, 'restart');
    const missingOp = await failure(() => c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgdbops', body: { ...body, metadata: { name: 'x' }, spec: { sgCluster: 'pg' } } }));
    assert.equal(missingOp.code, 422);
    assert.equal(missingOp.status?.details?.causes?.[0].field, 'spec.op');
    await c.custom.deleteNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgdbops', name: 'restart-pg' });
  });

  it('keeps resourceVersion a global, increasing counter across kinds', async () => {
    const a = await c.core.createNamespacedSecret({ namespace: 'demo', body: { metadata: { name: 'rv-a' } } });
    const b = await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'rv-b' }, spec: { sgCluster: 'pg' } } });
    assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata?.resourceVersion));
    const list = await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });
    assert.ok(Number(list.metadata.resourceVersion) >= Number(b.metadata.resourceVersion));
  });

  it('deletes a namespace together with everything in it', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'scratch' } } });
    await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'scratch', plural: 'sgclusters', body: clusterManifest('tmp') });
    const ns = await c.core.deleteNamespace({ name: 'scratch' });
    assert.equal((ns as unknown as { status?: { phase?: string } }).status?.phase, 'Terminating');
    const left = await c.custom.listNamespacedCustomObject({ ...SG, namespace: 'scratch', plural: 'sgclusters' });
    assert.equal(left.items.length, 0);
    assert.equal((await failure(() => c.core.readNamespace({ name: 'scratch' }))).code, 404);
  });
});
