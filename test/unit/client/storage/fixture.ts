/**
 * One Ceph RGW shared by every storage test file of a mocha run: started by the first `before` that asks
 * for it, stopped by a root `after` hook registered here.
 */
import { randomBytes } from 'node:crypto';
import { ObjectStore } from '../../../../client/src/storage/objectStore';
import { S3Keys, s3ObjectStore } from '../../../../client/src/storage/s3';
import { Rgw, startRgw } from '../../../s3/rgw';

// The SDK warns once per process that releases after January 2027 need Node 22; it is pinned below that.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let starting: Promise<Rgw> | undefined;

/** Starts RGW on first use (installing Ceph if needed: allow minutes for that). */
export function sharedRgw(): Promise<Rgw> {
  starting ??= startRgw({ bucket: 'stackgres-tests' });
  return starting;
}

after(async function stopSharedRgw() {
  this.timeout(30_000);
  if (starting) await (await starting.catch(() => undefined))?.stop();
});

/** The installation of Ceph can take a minute or two on a fresh machine; RGW itself starts in ~3 s. */
export const RGW_START_TIMEOUT_MS = 10 * 60_000;

export function storeAs(rgw: Rgw, keys: S3Keys, bucket = rgw.bucket, timeoutMs?: number): ObjectStore {
  return s3ObjectStore(bucket, { endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentials: keys, type: 's3Compatible', timeoutMs });
}

/** A fresh key prefix per test, so tests never see each other's objects. */
export function uniquePath(label: string): string {
  return `sgbackups.stackgres.io/tests/${label}-${randomBytes(4).toString('hex')}`;
}

/** Wraps a store, recording each request: which method, which key or prefix, and keys returned. */
export interface RecordedRequest {
  readonly method: 'list' | 'head' | 'get' | 'put' | 'delete' | 'getBucketLocation';
  readonly key: string;
  readonly maxKeys?: number;
  readonly returned?: number;
}

export function recording(store: ObjectStore): { store: ObjectStore; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const wrapped: ObjectStore = {
    bucket: store.bucket,
    async list(o) {
      const page = await store.list(o);
      requests.push({ method: 'list', key: o.prefix, maxKeys: o.maxKeys, returned: page.objects.length + page.commonPrefixes.length });
      return page;
    },
    head: (key, o) => (requests.push({ method: 'head', key }), store.head(key, o)),
    get: (key, o) => (requests.push({ method: 'get', key }), store.get(key, o)),
    put: (key, body, o) => (requests.push({ method: 'put', key }), store.put(key, body, o)),
    delete: (key, o) => (requests.push({ method: 'delete', key }), store.delete(key, o)),
    getBucketLocation: (o) => (requests.push({ method: 'getBucketLocation', key: '' }), store.getBucketLocation(o)),
  };
  return { store: wrapped, requests };
}
