/**
 * Seeding 100,000 objects through the SDK runs at ~300 objects/s on two cores, most of it spent signing and
 * in the SDK's middleware. The benchmark seeds its own throwaway bucket with plain HTTP PUTs instead: a
 * bucket policy lets anyone write objects there (loopback only, the bucket dies with RGW), which about
 * doubles the rate. What is measured afterwards goes through the extension's own store.
 */
import * as http from 'node:http';
import { mapLimit } from '../../../client/src/storage/baseBackups';
import { prepareBucket } from '../../../client/src/storage/s3';
import type { Rgw } from '../../s3/rgw';

/** Makes `bucket` (created for the owner) writable without signatures, for seeding only. */
export async function openForSeeding(rgw: Rgw, bucket: string): Promise<void> {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:PutObject'], Resource: [`arn:aws:s3:::${bucket}/*`] }],
  });
  await prepareBucket({ endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentials: rgw.owner }, bucket, policy);
}

/** PUTs every object with `concurrency` in flight over kept-alive connections; calls `progress` every 5,000. */
export async function putAll(rgw: Rgw, bucket: string, objects: readonly (readonly [string, string])[], concurrency: number, progress?: (done: number) => void): Promise<void> {
  const endpoint = new URL(rgw.endpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let done = 0;
  const put = (key: string, body: string, attempt = 1): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: endpoint.hostname, port: endpoint.port, method: 'PUT', path: `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`, agent, headers: { 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${key}: HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    }).catch((err: unknown) => {
      // RGW answers 503 SlowDown under bursts; a few retries keep the seed complete.
      if (attempt >= 5) throw err;
      return new Promise<void>((r) => setTimeout(r, 100 * attempt)).then(() => put(key, body, attempt + 1));
    });
  try {
    await mapLimit(objects, concurrency, async ([key, body]) => {
      await put(key, body);
      if (++done % 5000 === 0) progress?.(done);
    });
  } finally {
    agent.destroy();
  }
}
