import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { listUpTo, ObjectStore, StorageError } from '../../../../client/src/storage/objectStore';
import { s3ObjectStore, S3Options } from '../../../../client/src/storage/s3';
import type { Rgw } from '../../../s3/rgw';
import { RGW_START_TIMEOUT_MS, sharedRgw, storeAs, uniquePath } from './fixture';

const keys = { accessKeyId: 'AKIATESTTESTTEST', secretAccessKey: 'not-a-real-secret-only-for-a-loopback-fake' };

function rejectsWith(promise: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof StorageError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

describe('S3 adapter (against Ceph RGW)', function () {
  let rgw: Rgw;
  let owner: ObjectStore;
  const prefix = `${uniquePath('adapter')}/`;

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    rgw = await sharedRgw();
    owner = storeAs(rgw, rgw.owner);
  });

  it('lists one level with a delimiter, page by page, keys with dots and slashes included', async () => {
    const written = ['a.b/1', 'a.b/2', 'c.json', 'd/e.tar.lz4', 'f'];
    await Promise.all(written.map((k) => owner.put(`${prefix}${k}`, k)));
    const first = await owner.list({ prefix, delimiter: '/', maxKeys: 3 });
    assert.deepEqual(first.commonPrefixes, [`${prefix}a.b/`, `${prefix}d/`]);
    assert.deepEqual(first.objects.map((o) => o.key), [`${prefix}c.json`]);
    assert.ok(first.nextCursor);
    const second = await owner.list({ prefix, delimiter: '/', maxKeys: 3, cursor: first.nextCursor });
    assert.deepEqual(second.commonPrefixes, []);
    assert.deepEqual(second.objects.map((o) => o.key), [`${prefix}f`]);
    assert.equal(second.nextCursor, undefined);
  });

  it('lists up to a limit across pages, and says where to go on', async () => {
    const some = await listUpTo(owner, { prefix, maxKeys: 2 }, 3);
    assert.deepEqual(some.objects.map((o) => o.key), [`${prefix}a.b/1`, `${prefix}a.b/2`, `${prefix}c.json`]);
    assert.ok(some.nextCursor);
    const rest = await listUpTo(owner, { prefix, cursor: some.nextCursor }, 100);
    assert.deepEqual(rest.objects.map((o) => o.key), [`${prefix}d/e.tar.lz4`, `${prefix}f`]);
    assert.equal(rest.nextCursor, undefined);
  });

  it('reads objects up to a size limit and refuses larger ones without reading them', async () => {
    await owner.put(`${prefix}big`, Buffer.alloc(300_000, 1));
    assert.equal((await owner.get(`${prefix}big`, { maxBytes: 300_000 })).length, 300_000);
    await rejectsWith(owner.get(`${prefix}big`, { maxBytes: 1000 }), 'TooLarge', `${prefix}big is larger than 1000 bytes, the most read here.`);
  });

  it('a missing key: NoSuchKey from GET and from HEAD', async () => {
    await rejectsWith(owner.get(`${prefix}missing`, { maxBytes: 10 }), 'NoSuchKey');
    await rejectsWith(owner.head(`${prefix}missing`), 'NoSuchKey');
    const head = await owner.head(`${prefix}f`);
    assert.equal(head.size, 1);
  });

  it('a request cancelled by the caller: Aborted, not Timeout', async () => {
    const controller = new AbortController();
    controller.abort();
    await rejectsWith(owner.list({ prefix, signal: controller.signal }), 'Aborted', 'Cancelled.');
  });

  it('empty credentials are refused before any request', () => {
    assert.throws(() => s3ObjectStore(rgw.bucket, { endpoint: rgw.endpoint, credentials: { accessKeyId: '', secretAccessKey: 'x' } }), (e: StorageError) => e.code === 'MissingCredentials');
  });

  it('https to a port that speaks plain http: the endpoint does not speak TLS', async () => {
    const endpoint = rgw.endpoint.replace('http:', 'https:');
    const store = s3ObjectStore(rgw.bucket, { endpoint, forcePathStyle: true, credentials: rgw.owner, type: 's3Compatible', maxAttempts: 1 });
    await rejectsWith(store.list({ prefix }), 'TlsError', `${endpoint} does not speak TLS on that port: use http:// in endpoint, or the storage's https port.`);
  });
});

/** Answers every request with one canned response, as AWS or a proxy would. */
type Canned = { status: number; headers?: Record<string, string>; body?: string };

describe('S3 adapter: answers RGW cannot give (loopback fake of AWS responses)', () => {
  let server: Server;
  let endpoint: string;
  let canned: Canned;

  before(async () => {
    server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(canned.status, { 'content-type': 'application/xml', ...canned.headers });
        res.end(req.method === 'HEAD' ? undefined : canned.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const aws = (o: Partial<S3Options> = {}): ObjectStore =>
    s3ObjectStore('backups', { endpoint, region: 'us-east-1', forcePathStyle: true, credentials: keys, type: 's3', maxAttempts: 1, ...o });

  const error = (code: string, message: string, extra = ''): string =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>R</RequestId></Error>`;

  it('PermanentRedirect: names the bucket\'s region from x-amz-bucket-region', async () => {
    canned = { status: 301, headers: { 'x-amz-bucket-region': 'eu-west-1' }, body: error('PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', '<Endpoint>backups.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>backups</Bucket>') };
    await rejectsWith(aws().list({ prefix: 'p/' }), 'PermanentRedirect', 'The bucket backups is in region eu-west-1, not us-east-1: set s3.region: eu-west-1.');
  });

  it('a redirect to a HEAD request (no body): still a wrong region', async () => {
    canned = { status: 301, headers: { 'x-amz-bucket-region': 'ap-south-1' } };
    await rejectsWith(aws().head('p/x'), 'PermanentRedirect', 'The bucket backups is in region ap-south-1, not us-east-1: set s3.region: ap-south-1.');
  });

  it('AuthorizationHeaderMalformed: names the region the error body expects', async () => {
    canned = { status: 400, body: error('AuthorizationHeaderMalformed', "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'", '<Region>eu-central-1</Region>') };
    await rejectsWith(aws({ region: 'us-east-1', type: 's3Compatible' }).getBucketLocation(), 'AuthorizationHeaderMalformed', 'The bucket backups is in region eu-central-1, not us-east-1: set s3Compatible.region: eu-central-1.');
  });

  it('RequestTimeTooSkewed: the clock', async () => {
    canned = { status: 403, body: error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.') };
    await rejectsWith(aws().put('p/x', 'x'), 'RequestTimeTooSkewed', "This computer's clock is more than 15 minutes off the storage's: synchronise the clock (NTP) and test again.");
  });

  it('AccessDenied on an object action names the permission, the sub-path ARN and the consequence', async () => {
    canned = { status: 403, body: error('AccessDenied', 'Access Denied') };
    await rejectsWith(aws({ subPath: 'sub/dir' }).put('sub/dir/p/x', 'x'), 'AccessDenied', 'The policy lacks s3:PutObject on arn:aws:s3:::backups/sub/dir/*, so backups and WAL archiving fail, and WAL piles up on the database disk.');
    await rejectsWith(aws().get('p/x', { maxBytes: 10 }), 'AccessDenied', 'The policy lacks s3:GetObject on arn:aws:s3:::backups/*, so restores and replicas created from backups fail.');
    await rejectsWith(aws().list({ prefix: 'p/' }), 'AccessDenied', 'The policy lacks s3:ListBucket on arn:aws:s3:::backups, so wal-g cannot list backups or WAL: backup listing, retention and restores fail.');
  });

  it('a proxy answering an HTML page: the code, the HTTP status and one short line, never the page', async () => {
    canned = { status: 502, headers: { 'content-type': 'text/html' }, body: `<html><body>${'Bad gateway '.repeat(100)}</body></html>` };
    await assert.rejects(aws().list({ prefix: 'p/' }), (e: StorageError) => {
      assert.match(e.message, /^http:\/\/127\.0\.0\.1:\d+ answered .+ \(HTTP 502\)/);
      assert.ok(e.message.length < 400, e.message);
      assert.equal(e.httpStatus, 502);
      return true;
    });
  });

  it('no secret in any message or error property', async () => {
    canned = { status: 403, body: error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.') };
    await assert.rejects(aws().list({ prefix: 'p/' }), (e: StorageError) => {
      assert.equal(e.code, 'SignatureDoesNotMatch');
      const everything = JSON.stringify({ ...e, message: e.message, stack: e.stack });
      assert.ok(!everything.includes(keys.secretAccessKey));
      return true;
    });
  });
});

describe('S3 adapter: TLS with a private CA (loopback https server)', () => {
  let server: Server;
  let endpoint: string;
  let certificate: string;

  before(async function () {
    this.timeout(20_000);
    // A throwaway self-signed certificate, kept in memory.
    const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '-', '-out', '-',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(pem)![0];
    certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(pem)![0];
    server = createHttpsServer({ key, cert: certificate }, (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>backups</Name><Prefix>p/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>p/x</Key><Size>3</Size></Contents></ListBucketResult>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('without the CA: the certificate is not trusted, with the setting that fixes it', async () => {
    const store = s3ObjectStore('backups', { endpoint, forcePathStyle: true, credentials: keys, type: 's3Compatible', maxAttempts: 1 });
    await rejectsWith(store.list({ prefix: 'p/' }), 'TlsError', `The TLS certificate of ${endpoint} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): set caCertificate in the SGObjectStorage's secretKeySelectors to the CA that signed it.`);
  });

  it('with the CA passed in memory: the listing works', async () => {
    const store = s3ObjectStore('backups', { endpoint, forcePathStyle: true, credentials: keys, type: 's3Compatible', caCertificate: certificate });
    const page = await store.list({ prefix: 'p/' });
    assert.deepEqual(page.objects.map((o) => o.key), ['p/x']);
  });
});
