import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, SG_BETA, clients, clusterManifest, failure, k8s, s3Storage, type Clients } from './helpers';
import { describeWithReference } from '../../reference';

describeWithReference('kube-server: schema validation and StackGres admission', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;

  before(async () => {
    server = await startKubeServer({ operator: { enabled: false } });
    c = await clients(server);
    await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
  });
  after(() => server.stop());

  const createStorage = (body: Record<string, unknown>): Promise<any> => c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body });
  const createCluster = (body: Record<string, unknown>): Promise<any> => c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', body });

  describe('CRD openAPIV3Schema (422 Invalid)', () => {
    it('rejects an unsupported enum value with kube\'s message and cause', async () => {
      const body = s3Storage('bad-type');
      (body.spec as Record<string, unknown>).type = 'foo';
      const r = await failure(() => createStorage(body));
      assert.equal(r.code, 422);
      assert.equal(r.status?.reason, 'Invalid');
      assert.equal(r.status?.message, 'SGObjectStorage.stackgres.io "bad-type" is invalid: spec.type: Unsupported value: "foo": supported values: "s3", "s3Compatible", "gcs", "azureBlob"');
      assert.deepEqual(r.status?.details, {
        name: 'bad-type',
        group: 'stackgres.io',
        kind: 'SGObjectStorage',
        causes: [{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "foo": supported values: "s3", "s3Compatible", "gcs", "azureBlob"', field: 'spec.type' }],
      });
    });

    it('reports required fields, minimums, types, patterns and name length together', async () => {
      const body = clusterManifest('x'.repeat(45));
      const spec = body.spec as Record<string, any>;
      spec.instances = 'two';
      spec.configurations = { backups: [{ sgObjectStorage: 'store', retention: 0 }] };
      delete spec.pods;
      const r = await failure(() => createCluster(body));
      assert.equal(r.code, 422);
      const causes = r.status?.details?.causes ?? [];
      const byField = Object.fromEntries(causes.map((x) => [x.field, x]));
      assert.deepEqual(byField['spec.instances'], { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": spec.instances in body must be of type integer: "string"', field: 'spec.instances' });
      assert.equal(byField['spec.configurations.backups[0].retention'].message, 'Invalid value: 0: spec.configurations.backups[0].retention in body should be greater than or equal to 1');
      assert.deepEqual(byField['spec.pods'], { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.pods' });
      assert.deepEqual(byField['metadata.name'], { reason: 'FieldValueTooLong', message: 'Too long: may not be longer than 44', field: 'metadata.name' });
      assert.match(r.status?.message ?? '', /^SGCluster\.stackgres\.io "x{45}" is invalid: \[/);
    });

    it('checks bucket patterns', async () => {
      const body = s3Storage('bad-bucket');
      (body.spec as Record<string, any>).s3.bucket = '/backups';
      const r = await failure(() => createStorage(body));
      assert.equal(r.status?.details?.causes?.[0].message, `Invalid value: "/backups": spec.s3.bucket in body should match '^((s3|https?)://)?[^/]+(/[^/]*)*$'`);
    });

    it('prunes unknown fields with a Warning header, or rejects them with fieldValidation=Strict', async () => {
      const body = s3Storage('pruned');
      (body.spec as Record<string, any>).foo = 'bar';
      (body.spec as Record<string, any>).s3.path = '/old';
      const res = await c.custom.createNamespacedCustomObjectWithHttpInfo({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body });
      assert.equal(res.data.spec.foo, undefined);
      assert.equal(res.data.spec.s3.path, undefined);
      assert.equal(res.headers.warning, '299 - "unknown field \\"spec.foo\\"", 299 - "unknown field \\"spec.s3.path\\""');
      (body.metadata as Record<string, string>).name = 'strict';
      const r = await failure(() => c.custom.createNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', body, fieldValidation: 'Strict' }));
      assert.equal(r.code, 400);
      assert.equal(r.status?.message, 'SGObjectStorage in version "v1beta1" cannot be handled as a SGObjectStorage: strict decoding error: unknown field "spec.foo", unknown field "spec.s3.path"');
    });
  });

  describe('SGObjectStorage webhooks', () => {
    it('fills the MinIO defaults on CREATE when the type is missing', async () => {
      const created = await createStorage({ apiVersion: 'stackgres.io/v1beta1', kind: 'SGObjectStorage', metadata: { name: 'empty' }, spec: {} });
      assert.deepEqual(created.spec, {
        type: 's3Compatible',
        s3Compatible: {
          bucket: 'stackgres',
          region: 'k8s',
          endpoint: 'http://minio:9000',
          enablePathStyleAddressing: true,
          awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'minio', key: 'accesskey' }, secretAccessKey: { name: 'minio', key: 'secretkey' } } },
        },
      });
    });

    it('keeps user values over the defaults for s3Compatible and does not default on UPDATE', async () => {
      const created = await createStorage({
        apiVersion: 'stackgres.io/v1beta1',
        kind: 'SGObjectStorage',
        metadata: { name: 'do-spaces' },
        spec: { type: 's3Compatible', s3Compatible: { bucket: 'mine', endpoint: 'https://fra1.digitaloceanspaces.com', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'do', key: 'id' }, secretAccessKey: { name: 'do', key: 'secret' } } } } },
      });
      assert.equal(created.spec.s3Compatible.bucket, 'mine');
      assert.equal(created.spec.s3Compatible.region, 'k8s');
      assert.equal(created.spec.s3Compatible.enablePathStyleAddressing, true);
      delete created.spec.s3Compatible.region;
      const updated = await c.custom.replaceNamespacedCustomObject({ ...SG_BETA, namespace: 'demo', plural: 'sgobjectstorages', name: 'do-spaces', body: created });
      assert.equal(updated.spec.s3Compatible.region, undefined);
    });

    it('turns a missing type with an s3 section into a rejected s3Compatible storage (400)', async () => {
      const body = s3Storage('no-type');
      delete (body.spec as Record<string, unknown>).type;
      const r = await failure(() => createStorage(body));
      assert.equal(r.code, 400);
      assert.equal(r.status?.message, 'admission webhook "sgobjectstorage.validating-webhook.stackgres.io" denied the request: Invalid object storage. If storage type is s3Compatible, neither s3, gcs or azureBlob must be set');
      assert.equal(r.status?.reason, 'https://stackgres.io/doc/1.18/api/responses/error/#constraint-violation');
    });

    it('rejects a type without its section, and s3 without credentials', async () => {
      const gcs = await failure(() => createStorage({ apiVersion: 'stackgres.io/v1beta1', kind: 'SGObjectStorage', metadata: { name: 'g' }, spec: { type: 'gcs' } }));
      assert.match(gcs.status?.message ?? '', /denied the request: Invalid object storage. If storage type is gcs, the gcs property must be set$/);
      const s3 = await failure(() => createStorage({ apiVersion: 'stackgres.io/v1beta1', kind: 'SGObjectStorage', metadata: { name: 's' }, spec: { type: 's3', s3: { bucket: 'b', awsCredentials: {} } } }));
      assert.match(s3.status?.message ?? '', /If storage type is s3, you must set useIamRole or secretKeySelectors under awsCredentials$/);
    });

    it('reports constraint violations with 422 and "<Kind> has invalid properties."', async () => {
      const body = s3Storage('class');
      (body.spec as Record<string, any>).s3.storageClass = 'GLACIER';
      const r = await failure(() => createStorage(body));
      assert.equal(r.code, 422);
      assert.equal(r.status?.message, 'admission webhook "sgobjectstorage.validating-webhook.stackgres.io" denied the request: SGObjectStorage has invalid properties. storageClass must be one of STANDARD, STANDARD_IA or REDUCED_REDUNDANCY.');
      assert.equal(r.status?.details?.causes?.[0].field, 'spec.s3.storageClass');
    });
  });

  describe('SGCluster and SGBackup webhooks', () => {
    it('rejects fromBackup.uid', async () => {
      const body = clusterManifest('restored');
      (body.spec as Record<string, unknown>).initialData = { restore: { fromBackup: { uid: '0b7e-...' } } };
      const r = await failure(() => createCluster(body));
      assert.equal(r.code, 422);
      assert.equal(r.status?.message, 'admission webhook "sgcluster.validating-webhook.stackgres.io" denied the request: SGCluster has invalid properties. uid is deprecated, use name instead!');
    });

    it('rejects changing or removing the restore section of an existing cluster', async () => {
      const body = clusterManifest('restored');
      (body.spec as Record<string, unknown>).initialData = { restore: { fromBackup: { name: 'orders-2025-01-01-00-00-00' } } };
      const created = await createCluster(body);
      created.spec.initialData.restore.fromBackup.name = 'another';
      const r = await failure(() => c.custom.replaceNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'restored', body: created }));
      assert.equal(r.code, 400);
      assert.equal(r.status?.message, 'admission webhook "sgcluster.validating-webhook.stackgres.io" denied the request: Cannot update SGCluster\'s restore configuration');
      const removed = await failure(() => c.custom.patchNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'restored', body: [{ op: 'remove', path: '/spec/initialData' }] }));
      assert.equal(removed.code, 400);
    });

    it('rejects a PITR timestamp without seconds', async () => {
      const body = clusterManifest('pitr');
      (body.spec as Record<string, unknown>).initialData = { restore: { fromBackup: { name: 'b', pointInTimeRecovery: { restoreToTimestamp: '2024-01-15T10:30Z' } } } };
      const r = await failure(() => createCluster(body));
      assert.match(r.status?.message ?? '', /restoreToTimestamp must be in ISO 8601 date format: `YYYY-MM-DDThh:mm:ss.ddZ`.$/);
    });

    it('rejects changing an SGBackup\'s sgCluster', async () => {
      await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'b1' }, spec: { sgCluster: 'pg' } } });
      const m = await k8s();
      const r = await failure(() =>
        c.custom.patchNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'b1', body: { spec: { sgCluster: 'other' } } }, m.setHeaderOptions('Content-Type', m.PatchStrategy.MergePatch)),
      );
      assert.equal(r.code, 400);
      assert.equal(r.status?.message, 'admission webhook "sgbackup.validating-webhook.stackgres.io" denied the request: SGBackup sgCluster can not be updated.');
    });

    it('accepts a copied backup (sgCluster "<ns>.<cluster>") with its status, as for a cross-namespace restore', async () => {
      const status = { process: { status: 'Completed' }, backupPath: 'p', internalName: 'base_000000010000000000000003', sgBackupConfig: { baseBackups: { compression: 'lz4' }, storage: (s3Storage('x').spec as object) } };
      const copy = await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'copy' }, spec: { sgCluster: 'prod.orders' }, status } });
      assert.equal(copy.status.process.status, 'Completed');
      copy.status.internalName = 'base_000000010000000000000004';
      const r = await failure(() => c.custom.replaceNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'copy', body: copy }));
      assert.match(r.status?.message ?? '', /Update of backups name is forbidden$/);
    });
  });
});
