import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, Server, Socket } from 'node:net';
import { accessTestPlan, storageLocation, StorageLocation } from '@core/objectStore';
import { AccessReport, testAccess } from '../../../../client/src/storage/accessTest';
import { ObjectStore, StorageError } from '../../../../client/src/storage/objectStore';
import { s3ObjectStore, s3OptionsFor } from '../../../../client/src/storage/s3';
import type { Rgw } from '../../../s3/rgw';
import { recording, RGW_START_TIMEOUT_MS, sharedRgw, storeAs, uniquePath } from './fixture';

function location(rgw: Rgw, bucket: string, backupPath: string): StorageLocation {
  const resolved = storageLocation({
    type: 's3Compatible',
    s3Compatible: {
      bucket,
      endpoint: rgw.endpoint,
      region: rgw.region,
      enablePathStyleAddressing: true,
      awsCredentials: { secretKeySelectors: { accessKeyId: { name: 's3', key: 'id' }, secretAccessKey: { name: 's3', key: 'secret' } } },
    },
  }, backupPath);
  assert.ok(resolved.ok);
  return resolved.value;
}

const probeId = (): string => randomBytes(6).toString('hex');

function summary(report: AccessReport): string[] {
  return report.results.map((r) => `${r.action}: ${r.outcome}${r.code ? ` ${r.code}` : ''}`);
}

describe('Test object storage access (against Ceph RGW)', function () {
  let rgw: Rgw;

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    rgw = await sharedRgw();
  });

  it('the bucket owner passes every action and the probe object is gone afterwards', async () => {
    const loc = location(rgw, rgw.bucket, uniquePath('owner'));
    const plan = accessTestPlan(loc, probeId());
    const owner = storeAs(rgw, rgw.owner);
    const report = await testAccess(owner, plan);
    assert.deepEqual(summary(report), ['ListBucket: ok', 'GetBucketLocation: ok', 'PutObject: ok', 'GetObject: ok', 'DeleteObject: ok']);
    assert.equal(report.ok, true);
    assert.equal(report.probe.state, 'removed');
    assert.match(report.results[1].message, /region is default/);
    assert.ok(report.results.every((r) => r.durationMs >= 0 && r.durationMs < 10_000));
    await assert.rejects(owner.head(plan.probeKey), (e: StorageError) => e.code === 'NoSuchKey');
  });

  it('a user whose policy denies s3:DeleteObject: DeleteObject fails with the fix, and the probe object is reported as left behind', async () => {
    const loc = location(rgw, rgw.bucket, uniquePath('limited'));
    const plan = accessTestPlan(loc, probeId());
    const report = await testAccess(storeAs(rgw, rgw.limited), plan);
    assert.deepEqual(summary(report), ['ListBucket: ok', 'GetBucketLocation: ok', 'PutObject: ok', 'GetObject: ok', 'DeleteObject: failed AccessDenied']);
    assert.equal(report.ok, false);
    assert.equal(report.results[4].message, `The policy lacks s3:DeleteObject on arn:aws:s3:::${rgw.bucket}/*, so retention cannot delete old backups.`);
    assert.equal(report.probe.state, 'left-behind');
    assert.equal(report.probe.message, `The probe object could not be deleted: remove s3://${rgw.bucket}/${plan.probeKey} with a user allowed to delete (aws s3 rm s3://${rgw.bucket}/${plan.probeKey}).`);

    // What the DBA then does: the owner removes it.
    const owner = storeAs(rgw, rgw.owner);
    await owner.delete(plan.probeKey);
    await assert.rejects(owner.head(plan.probeKey), (e: StorageError) => e.code === 'NoSuchKey');
  });

  it('a wrong secret: SignatureDoesNotMatch at the first action, nothing else tried, nothing written', async () => {
    const plan = accessTestPlan(location(rgw, rgw.bucket, uniquePath('secret')), probeId());
    const wrongSecret = storeAs(rgw, { accessKeyId: rgw.owner.accessKeyId, secretAccessKey: randomBytes(20).toString('hex') });
    const report = await testAccess(wrongSecret, plan);
    assert.deepEqual(summary(report), ['ListBucket: failed SignatureDoesNotMatch', 'GetBucketLocation: skipped', 'PutObject: skipped', 'GetObject: skipped', 'DeleteObject: skipped']);
    assert.match(report.results[0].message, /^The secret access key does not match the access key ID: check the secretAccessKey value in the Secret/);
    assert.equal(report.results[2].message, 'Not tried: ListBucket already failed (SignatureDoesNotMatch).');
    assert.equal(report.probe.state, 'not-written');
  });

  it('an access key the storage does not know: InvalidAccessKeyId', async () => {
    const plan = accessTestPlan(location(rgw, rgw.bucket, uniquePath('key')), probeId());
    const report = await testAccess(storeAs(rgw, { accessKeyId: 'AKIA' + randomBytes(8).toString('hex').toUpperCase(), secretAccessKey: randomBytes(20).toString('hex') }), plan);
    assert.equal(report.results[0].code, 'InvalidAccessKeyId');
    assert.equal(report.results[0].message, `${rgw.endpoint} does not know this access key ID: check the accessKeyId value in the Secret (a deleted key, another account, or a stray newline).`);
  });

  it('a bucket that does not exist: NoSuchBucket with the command that creates it', async () => {
    const plan = accessTestPlan(location(rgw, 'no-such-bucket-here', uniquePath('nobucket')), probeId());
    const report = await testAccess(storeAs(rgw, rgw.owner, 'no-such-bucket-here'), plan);
    assert.equal(report.results[0].code, 'NoSuchBucket');
    assert.equal(report.results[0].message, `The bucket no-such-bucket-here does not exist at ${rgw.endpoint}: create it (aws s3 mb s3://no-such-bucket-here) or correct the bucket name.`);
    assert.equal(report.ok, false);
  });

  it('a sub-path in the bucket (bucket/sub/dir): every request stays under sub/dir/<backup path>/', async () => {
    const path = uniquePath('subdir');
    const loc = location(rgw, `${rgw.bucket}/sub/dir`, path);
    assert.equal(loc.bucket, rgw.bucket);
    assert.equal(loc.keyPrefix, `sub/dir/${path}/`);
    const plan = accessTestPlan(loc, probeId());
    const { store, requests } = recording(storeAs(rgw, rgw.owner));
    const report = await testAccess(store, plan);
    assert.equal(report.ok, true);
    assert.equal(report.probe.state, 'removed');
    assert.deepEqual(requests.map((r) => r.method), ['list', 'getBucketLocation', 'put', 'get', 'delete']);
    for (const r of requests.filter((r) => r.method !== 'getBucketLocation')) assert.ok(r.key.startsWith(`sub/dir/${path}/`), r.key);
  });

  it('a bucket written with its scheme (s3://bucket/sub): the same bucket and key prefix', async () => {
    const path = uniquePath('scheme');
    const loc = location(rgw, `s3://${rgw.bucket}/sub`, path);
    assert.equal(loc.prefix, `s3://${rgw.bucket}/sub/${path}`);
    assert.equal(loc.keyPrefix, `sub/${path}/`);
    const owner = storeAs(rgw, rgw.owner);
    const plan = accessTestPlan(loc, probeId());
    const { store, requests } = recording(owner);
    const report = await testAccess(store, plan);
    assert.equal(report.ok, true);
    assert.ok(requests.find((r) => r.method === 'put')!.key.startsWith(`sub/${path}/stackgres-access-test-`));
  });

  it('a storage class the storage does not offer: PutObject fails with the fix, deleting is still checked', async () => {
    const loc = { ...location(rgw, rgw.bucket, uniquePath('class')), storageClass: 'STANDARD_IA' };
    const plan = accessTestPlan(loc, probeId());
    const report = await testAccess(s3ObjectStore(loc.bucket, s3OptionsFor(loc, rgw.owner)), plan);
    assert.deepEqual(summary(report), ['ListBucket: ok', 'GetBucketLocation: ok', 'PutObject: failed InvalidArgument', 'GetObject: skipped', 'DeleteObject: ok']);
    assert.equal(report.results[2].message, 'The storage refused the write with storage class STANDARD_IA (InvalidArgument): it probably does not offer that class; remove storageClass or use STANDARD.');
    assert.equal(report.results[4].message, 'Deleting is allowed (there was no probe object to delete).');
    assert.equal(report.probe.state, 'not-written');
  });

  it('a write whose answer is lost (it landed, then the connection dropped): the probe object is still deleted', async () => {
    const plan = accessTestPlan(location(rgw, rgw.bucket, uniquePath('lost')), probeId());
    const owner = storeAs(rgw, rgw.owner);
    const lossy: ObjectStore = {
      bucket: owner.bucket,
      list: (o) => owner.list(o),
      head: (k, o) => owner.head(k, o),
      get: (k, o) => owner.get(k, o),
      delete: (k, o) => owner.delete(k, o),
      getBucketLocation: (o) => owner.getBucketLocation(o),
      put: async (k, body, o) => {
        await owner.put(k, body, o);
        throw new StorageError('EndpointUnreachable', 'connection reset', 'PutObject');
      },
    };
    const report = await testAccess(lossy, plan);
    assert.deepEqual(summary(report), ['ListBucket: ok', 'GetBucketLocation: ok', 'PutObject: failed EndpointUnreachable', 'GetObject: skipped', 'DeleteObject: ok']);
    assert.equal(report.probe.state, 'removed');
    await assert.rejects(owner.head(plan.probeKey), (e: StorageError) => e.code === 'NoSuchKey');

    // The same with a user that cannot delete: the report says the object may be there.
    const limited = storeAs(rgw, rgw.limited);
    const report2 = await testAccess({ ...lossy, delete: (k, o) => limited.delete(k, o) }, plan);
    assert.equal(report2.probe.state, 'unknown');
    assert.equal(report2.probe.message, `The probe object may have been written and could not be deleted: remove s3://${rgw.bucket}/${plan.probeKey} with a user allowed to delete (aws s3 rm s3://${rgw.bucket}/${plan.probeKey}).`);
    await owner.delete(plan.probeKey);
  });

  it('an endpoint that is not a URL is refused before any request, with the fix', () => {
    const loc = location(rgw, rgw.bucket, uniquePath('url'));
    assert.throws(
      () => s3ObjectStore(loc.bucket, { ...s3OptionsFor(loc, rgw.owner), endpoint: 'minio.storage:9000' }),
      (e: StorageError) => e.code === 'InvalidEndpoint' && e.message === 'The endpoint "minio.storage:9000" is not a URL: write it as http://host:port or https://host (the operator rejects it too: "s3Compatible.endpoint must be a valid URL").',
    );
  });

  describe('network failures (loopback servers of the test)', () => {
    let closedPort: number;
    let silent: Server;
    let silentPort: number;
    const sockets = new Set<Socket>();

    before(async () => {
      // A port that was just free and is closed again: connections are refused.
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      closedPort = (probe.address() as { port: number }).port;
      await new Promise<void>((r) => probe.close(() => r()));
      // A server that accepts connections and never answers: requests time out.
      silent = createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      silentPort = (silent.address() as { port: number }).port;
    });

    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });

    it('an endpoint where nothing listens: EndpointUnreachable, quickly, nothing written', async () => {
      const endpoint = `http://127.0.0.1:${closedPort}`;
      const loc = location(rgw, rgw.bucket, uniquePath('closed'));
      const plan = accessTestPlan(loc, probeId());
      const started = Date.now();
      const report = await testAccess(s3ObjectStore(loc.bucket, { ...s3OptionsFor(loc, rgw.owner), endpoint, timeoutMs: 3000 }), plan);
      assert.ok(Date.now() - started < 3000);
      assert.equal(report.results[0].code, 'EndpointUnreachable');
      assert.equal(report.results[0].message, `Nothing accepts connections at ${endpoint}: check the endpoint's host and port, and that the storage is running.`);
      assert.equal(report.probe.state, 'not-written');
    });

    it('an endpoint that never answers: Timeout after the time limit', async () => {
      const endpoint = `http://127.0.0.1:${silentPort}`;
      const loc = location(rgw, rgw.bucket, uniquePath('silent'));
      const started = Date.now();
      const report = await testAccess(s3ObjectStore(loc.bucket, { ...s3OptionsFor(loc, rgw.owner), endpoint, timeoutMs: 400, maxAttempts: 1 }), accessTestPlan(loc, probeId()));
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 400 && elapsed < 3000, `${elapsed} ms`);
      assert.equal(report.results[0].code, 'Timeout');
      assert.equal(report.results[0].message, `${endpoint} did not answer within 0.4 s: check the endpoint, firewalls and proxies, or try again.`);
      assert.deepEqual(report.results.slice(1).map((r) => r.outcome), ['skipped', 'skipped', 'skipped', 'skipped']);
    });
  });
});
