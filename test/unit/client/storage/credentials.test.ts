import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { storageLocation, type StorageLocation } from '@core/objectStore';
import type { KubeApi, SecretData } from '../../../../client/src/kube/api';
import { KubeError } from '../../../../client/src/kube/errors';
import { ownErrors } from '../../../../client/src/kube/open';
import { openS3Store, openStorage, readS3Access, type S3Module, type SecretReader } from '../../../../client/src/storage/credentials';
import { StorageError } from '../../../../client/src/storage/objectStore';
import * as s3 from '../../../../client/src/storage/s3';

/** The extension loads the SDK bundle with import(); tests use the module itself. */
const loadS3 = (): Promise<S3Module> => Promise.resolve(s3);
import { openTarget, type Target } from '../kube/helpers';
import { describeWithReference } from '../../../reference';
import { RGW_START_TIMEOUT_MS, sharedRgw } from './fixture';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function s3Compatible(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 's3Compatible',
    s3Compatible: {
      bucket: 'backups/team-a',
      endpoint: 'http://127.0.0.1:9',
      region: 'k8s',
      enablePathStyleAddressing: true,
      awsCredentials: {
        secretKeySelectors: {
          accessKeyId: { name: 'keys', key: 'id' },
          secretAccessKey: { name: 'keys', key: 'secret' },
          ...extra,
        },
      },
    },
  };
}

function location(spec: unknown): StorageLocation {
  const r = storageLocation(spec, 'sgbackups.stackgres.io/demo/db/2025-01-01-00-00-00/16');
  assert.ok(r.ok);
  return r.value;
}

/** Secrets by name; `calls` records which keys were asked for. */
function reader(secrets: Record<string, Record<string, string>>, calls: string[] = []): SecretReader {
  return {
    async secretValues(namespace, name, keys) {
      calls.push(`${namespace}/${name}:${keys.join(',')}`);
      const s = secrets[name];
      if (!s) throw new KubeError('notFound', `secrets "${name}" not found`);
      const out: Record<string, Uint8Array> = {};
      for (const k of keys) if (s[k] !== undefined) out[k] = bytes(s[k]);
      return out as SecretData;
    },
  };
}

describe('Storage credentials from the Secret (in memory only)', () => {
  it('reads both keys from one Secret with one request, keeping a trailing newline as wal-g gets it', async () => {
    const calls: string[] = [];
    const r = await readS3Access(location(s3Compatible()), 'demo', reader({ keys: { id: 'AKIA1', secret: 's3cr3t\n', other: 'x' } }, calls));
    assert.ok(r.ok);
    assert.deepEqual(r.access.keys, { accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t\n' });
    assert.equal(r.access.source, 'Secret keys (keys id, secret)');
    assert.deepEqual(calls, ['demo/keys:id,secret']);
  });

  it('reads the CA certificate from its own Secret', async () => {
    const spec = s3Compatible({ caCertificate: { name: 'ca', key: 'ca.crt' } });
    const r = await readS3Access(location(spec), 'demo', reader({ keys: { id: 'A', secret: 'B' }, ca: { 'ca.crt': '-----BEGIN CERTIFICATE-----' } }));
    assert.ok(r.ok);
    assert.equal(r.access.caCertificate, '-----BEGIN CERTIFICATE-----');
  });

  it('a missing Secret, a missing key or an empty value: a message, and typing the keys is offered', async () => {
    const cases: [Record<string, Record<string, string>>, string, RegExp][] = [
      [{}, 'secret-missing', /^Secret keys does not exist in namespace demo: wal-g could not start either/],
      [{ keys: { id: 'A' } }, 'key-missing', /^Secret keys in namespace demo has no key secret: the operator would report "Key secret not found in Secret keys"/],
      [{ keys: { id: '', secret: 'B' } }, 'empty-value', /^The key id of Secret keys is empty\.$/],
    ];
    for (const [secrets, why, message] of cases) {
      const r = await readS3Access(location(s3Compatible()), 'demo', reader(secrets));
      assert.ok(!r.ok);
      assert.equal(r.why, why);
      assert.match(r.message, message);
      assert.equal(r.canType, true);
    }
  });

  it('a missing CA certificate key cannot be typed around', async () => {
    const r = await readS3Access(location(s3Compatible({ caCertificate: { name: 'keys', key: 'ca.crt' } })), 'demo', reader({ keys: { id: 'A', secret: 'B' } }));
    assert.ok(!r.ok);
    assert.equal(r.why, 'ca-missing');
    assert.equal(r.canType, false);
  });

  it('not connected, an IAM role, or no selectors: typing the keys is the way', async () => {
    const notConnected = await readS3Access(location(s3Compatible()), 'demo', undefined);
    assert.ok(!notConnected.ok && notConnected.why === 'not-connected' && notConnected.canType);
    const role = await readS3Access(location({ type: 's3', s3: { bucket: 'b', awsCredentials: { useIAMRole: true } } }), 'demo', reader({}));
    assert.ok(!role.ok && role.why === 'iam-role');
    assert.match(role.message, /uses the pods' IAM role/);
    const none = await readS3Access(location({ type: 's3', s3: { bucket: 'b', awsCredentials: {} } }), 'demo', reader({}));
    assert.ok(!none.ok && none.why === 'no-selectors');
  });

  it('an unreachable cluster is a message, not a crash; a forbidden read says to type the keys', async () => {
    const failing = (e: KubeError): SecretReader => ({ secretValues: () => Promise.reject(e) });
    const down = await readS3Access(location(s3Compatible()), 'demo', failing(new KubeError('unreachable', 'The API server at https://127.0.0.1:1 does not answer.')));
    assert.ok(!down.ok);
    assert.equal(down.message, 'Secret keys could not be read from the cluster: The API server at https://127.0.0.1:1 does not answer.');
    const forbidden = await readS3Access(location(s3Compatible()), 'demo', failing(new KubeError('forbidden', 'no')));
    assert.ok(!forbidden.ok && forbidden.why === 'forbidden');
  });

  it('recognises the errors of the Kubernetes and S3 bundles by their shape (their classes are other copies)', async () => {
    const foreignKube = Object.assign(new Error('secrets "keys" not found'), { name: 'KubeError', reason: 'notFound' });
    // Rebuilt once where the Kubernetes api is opened (kube/open.ts), as the S3 store is where it is opened.
    const r = await readS3Access(location(s3Compatible()), 'demo', ownErrors({ secretValues: () => Promise.reject(foreignKube) } as unknown as KubeApi));
    assert.ok(!r.ok && r.why === 'secret-missing');

    const foreignStorage = Object.assign(new Error('The policy lacks s3:DeleteObject'), { name: 'StorageError', code: 'AccessDenied', action: 'DeleteObject' });
    const fakeModule = {
      s3OptionsFor: s3.s3OptionsFor,
      s3ObjectStore: () => ({ bucket: 'b', delete: () => Promise.reject(foreignStorage) }),
    } as unknown as S3Module;
    const store = await openS3Store(location(s3Compatible()), { keys: { accessKeyId: 'A', secretAccessKey: 'B' }, source: 'test' }, undefined, () => Promise.resolve(fakeModule));
    await assert.rejects(store.delete('k'), (e: unknown) => e instanceof StorageError && e.code === 'AccessDenied' && e.action === 'DeleteObject' && e.message === 'The policy lacks s3:DeleteObject');
  });

  it('openStorage turns every problem into a row for the tree: config, unsupported type, credentials, bad endpoint', async () => {
    const path = 'sgbackups.stackgres.io/demo/db/x/16';
    const noBucket = await openStorage({ type: 's3', s3: {} }, 'demo', path, reader({}));
    assert.ok(!noBucket.ok && noBucket.problem.kind === 'config');
    const gcs = await openStorage({ type: 'gcs', gcs: { bucket: 'g' } }, 'demo', path, reader({}));
    assert.ok(!gcs.ok && gcs.problem.kind === 'unsupported');
    assert.match(gcs.problem.message, /this extension speaks S3 only \(gs:\/\/g\/sgbackups/);
    const creds = await openStorage(s3Compatible(), 'demo', path, reader({}));
    assert.ok(!creds.ok && creds.problem.kind === 'credentials' && creds.problem.code === 'secret-missing');
    const badEndpoint = s3Compatible();
    (badEndpoint.s3Compatible as Record<string, unknown>).endpoint = 'minio:9000';
    const bad = await openStorage(badEndpoint, 'demo', path, reader({ keys: { id: 'A', secret: 'B' } }), { loadS3 });
    assert.ok(!bad.ok && bad.problem.kind === 'config' && bad.problem.code === 'InvalidEndpoint');
  });
});

describeWithReference('Storage credentials through the Kubernetes layer and a real bucket', function () {
  let t: Target;

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    t = await openTarget();
  });
  after(async () => t?.close());

  it('secretValues returns only the keys asked for, and fails with notFound for a missing Secret', async () => {
    const value = randomBytes(12).toString('hex');
    await t.api.createSecret(t.namespace, 'values', { id: bytes('AKIAEXAMPLE'), secret: bytes(value), unrelated: bytes('x') });
    const got = await t.api.secretValues(t.namespace, 'values', ['id', 'secret', 'absent']);
    assert.deepEqual(Object.keys(got).sort(), ['id', 'secret']);
    assert.equal(Buffer.from(got.secret).toString('utf8'), value);
    await assert.rejects(t.api.secretValues(t.namespace, 'nope', ['id']), (e: KubeError) => e.reason === 'notFound');
    assert.ok(t.log.every((l) => !l.includes(value)), 'the value never reaches the log');
  });

  it('openStorage lists the bucket with the owner\'s keys read from the Secret', async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    const rgw = await sharedRgw();
    await t.api.createSecret(t.namespace, 'rgw', { id: bytes(rgw.owner.accessKeyId), secret: bytes(rgw.owner.secretAccessKey) });
    const spec = s3Compatible();
    Object.assign(spec.s3Compatible as Record<string, unknown>, { bucket: rgw.bucket, endpoint: rgw.endpoint });
    ((spec.s3Compatible as { awsCredentials: { secretKeySelectors: Record<string, unknown> } }).awsCredentials.secretKeySelectors) = {
      accessKeyId: { name: 'rgw', key: 'id' },
      secretAccessKey: { name: 'rgw', key: 'secret' },
    };
    const opened = await openStorage(spec, t.namespace, 'sgbackups.stackgres.io/x/y/z/16', t.api, { loadS3 });
    assert.ok(opened.ok, opened.ok ? '' : opened.problem.message);
    assert.equal(opened.access.source, 'Secret rgw (keys id, secret)');
    const page = await opened.store.list({ prefix: opened.location.keyPrefix, maxKeys: 1 });
    assert.deepEqual(page.objects, []);
  });
});
