/**
 * `verify` as CI runs it: a separate Node process against Ceph RGW, keys in its environment only. Each
 * layout's exit code and `--json` shape; the keys never appear in what it prints.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from '../../../client/src/storage/objectStore';
import { prepareBucket } from '../../../client/src/storage/s3';
import { startListingServer } from '../../s3/listingServer';
import type { Rgw } from '../../s3/rgw';
import { backupSeeds, HISTORY_2_STORED, seedWalg, walgObjects, walSegmentName, type BackupSeed, type WalgSeed } from '../../s3/seed';
import { RGW_START_TIMEOUT_MS, sharedRgw, storeAs, uniquePath } from '../client/storage/fixture';

const ROOT = join(__dirname, '..', '..', '..');
const HISTORY_2 = '1\t0/15000000\tno recovery target specified\n';

function backupAt(timeline: number, startSegment: number, hour: number): BackupSeed {
  return { name: `base_${walSegmentName(timeline, startSegment)}`, timeline, startSegment, finishedAt: new Date(Date.UTC(2026, 0, 1, hour)), pgVersion: 160004 };
}

const LAYOUTS: Record<string, { seed: WalgSeed; extra?: Record<string, string | Uint8Array> }> = {
  continuous: { seed: { backups: [backupAt(1, 2, 1), backupAt(1, 10, 2)], wal: [{ timeline: 1, from: 2, count: 19 }] } },
  gapNoBackupAfter: { seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 12 }, { timeline: 1, from: 16, count: 15 }] } },
  backupMissingItsOwnSegment: { seed: { backups: [backupAt(1, 2, 1), backupAt(1, 10, 2)], wal: [{ timeline: 1, from: 2, count: 9 }, { timeline: 1, from: 12, count: 9 }] } },
  timelineSwitch: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 21, count: 10 }] },
    extra: { [`${walSegmentName(1, 21)}.partial.lz4`]: 'p', '00000002.history': HISTORY_2, [`${walSegmentName(1, 2)}.00000028.backup.lz4`]: 'label' },
  },
  lz4HistoryGapAfterSwitch: { seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 24, count: 7 }] }, extra: { '00000002.history.lz4': HISTORY_2_STORED.lz4 } },
  encryptedHistory: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 21, count: 10 }] },
    extra: { '00000002.history.lz4': HISTORY_2_STORED.encrypted, [`${walSegmentName(1, 21)}.partial.lz4`]: 'p' },
  },
  mixedExtensions: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 5 }], compression: 'brotli' },
    extra: { [`${walSegmentName(1, 7)}.zst`]: 'encrypted bytes', [walSegmentName(1, 8)]: 'uncompressed', [`${walSegmentName(1, 9)}.lzma`]: 'x', 'README.txt': 'not WAL' },
  },
  gapAfterSwitch: { seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 24, count: 7 }] }, extra: { '00000002.history': HISTORY_2 } },
  logBoundary: { seed: { backups: [backupAt(1, 0xfa, 1)], wal: [{ timeline: 1, from: 0xfa, count: 12 }], compression: 'zstd' } },
  emptyWal: { seed: { backups: [backupAt(1, 2, 1)] } },
};

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runVerify(args: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    // The SDK's credential chain reads only what a test gives it: no developer's ~/.aws, no instance metadata (loopback only).
    const isolated = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'no-such-credentials'), AWS_CONFIG_FILE: join(tmpdir(), 'no-such-config') };
    execFile(process.execPath, ['--require', 'tsx/cjs', 'cli/src/main.ts', 'verify', ...args], { cwd: ROOT, env: { ...clean, ...isolated, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('verify (the command line, as a process against Ceph RGW)', function () {
  this.timeout(60_000);
  let rgw: Rgw;
  let owner: ObjectStore;
  const prefixes: Record<string, string> = {};
  let keysEnv: Record<string, string>;

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    rgw = await sharedRgw();
    owner = storeAs(rgw, rgw.owner);
    keysEnv = { AWS_ACCESS_KEY_ID: rgw.owner.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.owner.secretAccessKey };
    await Promise.all(Object.entries(LAYOUTS).map(async ([label, layout]) => {
      const prefix = uniquePath(`cli-${label}`);
      prefixes[label] = prefix;
      await seedWalg(owner, `${prefix}/`, { ...layout.seed, dataObjects: false });
      await Promise.all(Object.entries(layout.extra ?? {}).map(([name, body]) => owner.put(`${prefix}/wal_005/${name}`, body)));
    }));
  });

  const verify = async (label: string, ...more: string[]): Promise<Ran> => {
    const ran = await runVerify([`s3://${rgw.bucket}/${prefixes[label]}`, '--endpoint', rgw.endpoint, '--path-style', ...more], keysEnv);
    assert.ok(!ran.stdout.includes(rgw.owner.secretAccessKey) && !ran.stderr.includes(rgw.owner.secretAccessKey), 'the secret key is never printed');
    return ran;
  };
  const json = async (label: string): Promise<{ code: number; body: Record<string, unknown> & { backups: { name: string; restorable: boolean; missing: string[] }[]; gaps: { timeline: number; from: string; to: string }[]; continuousTo: string | null } }> => {
    const ran = await verify(label, '--json');
    return { code: ran.code, body: JSON.parse(ran.stdout) };
  };

  it('continuous: exit 0, every backup restorable, continuousTo the newest segment', async () => {
    const { code, body } = await json('continuous');
    assert.equal(code, 0);
    assert.deepEqual(body.backups.map((b) => [b.name, b.restorable, b.missing]), [[`base_${walSegmentName(1, 2)}`, true, []], [`base_${walSegmentName(1, 10)}`, true, []]]);
    assert.deepEqual(body.gaps, []);
    assert.equal(body.continuousTo, walSegmentName(1, 20));
  });

  it('continuous, the human summary: the verdict first, one line per backup', async () => {
    const ran = await verify('continuous');
    assert.equal(ran.code, 0);
    const lines = ran.stdout.split('\n');
    assert.equal(lines[0], `s3://${rgw.bucket}/${prefixes.continuous}`);
    assert.match(lines[1], /^OK Recoverable: the newest backup base_00000001000000000000000A is restorable and WAL is continuous from it to 000000010000000000000014\.$/);
    assert.ok(lines.includes('Gaps: none'));
    assert.ok(lines.includes('  ok   base_000000010000000000000002: WAL continuous to 000000010000000000000014'));
  });

  it('a gap with no backup after it: exit 1, the gap in --json and in words', async () => {
    const { code, body } = await json('gapNoBackupAfter');
    assert.equal(code, 1);
    assert.deepEqual(body.gaps.map((g) => [g.timeline, g.from, g.to]), [[1, walSegmentName(1, 14), walSegmentName(1, 15)]]);
    assert.equal(body.continuousTo, walSegmentName(1, 13));
    const human = await verify('gapNoBackupAfter');
    assert.match(human.stdout, /timeline 1: 00000001000000000000000E to 00000001000000000000000F \(2 segments missing\): instants from \S+ \(estimated\) until a new backup cannot be reached/);
  });

  it('a backup missing a segment of its own range: exit 1 and its missing segment', async () => {
    const { code, body } = await json('backupMissingItsOwnSegment');
    assert.equal(code, 1);
    assert.deepEqual(body.backups.map((b) => [b.restorable, b.missing]), [[true, []], [false, [walSegmentName(1, 11)]]]);
  });

  it('a timeline switch with its history, a .partial and a .backup file: exit 0, continuous to the new timeline; neither file counts as a segment', async () => {
    const { code, body } = await json('timelineSwitch');
    assert.equal(code, 0);
    assert.equal(body.continuousTo, walSegmentName(2, 30));
    assert.equal(body.walSegments, 29);
    assert.deepEqual((body.timelines as { timeline: number; switchFrom?: string; partials: number }[]).map((t) => [t.timeline, t.switchFrom, t.partials]), [[1, undefined, 1], [2, 'history', 0]]);
  });

  it('an lz4-compressed history file with a gap right after the switch: exit 1, the gap found from the history', async () => {
    const { code, body } = await json('lz4HistoryGapAfterSwitch');
    assert.equal(code, 1);
    assert.deepEqual(body.gaps.map((g) => [g.timeline, g.from, g.to]), [[2, walSegmentName(2, 21), walSegmentName(2, 23)]]);
    assert.deepEqual(body.notes, []);
  });

  it('an encrypted history file: exit 0, and the switch is marked as estimated in --json and in the summary', async () => {
    const { code, body } = await json('encryptedHistory');
    assert.equal(code, 0);
    assert.deepEqual((body.timelines as { timeline: number; switchFrom?: string }[]).map((t) => [t.timeline, t.switchFrom]), [[1, undefined], [2, 'listing']]);
    assert.match(String((body.notes as string[])[0]), /^The history file of timeline 2 could not be used \(it is not a valid lz4 file: encrypted/);
    const human = await verify('encryptedHistory');
    assert.equal(human.code, 0);
    assert.ok(human.stdout.split('\n').includes('Timelines: 1, 2 (from 1 at 000000020000000000000015, estimated)'), human.stdout);
    assert.match(human.stdout, /^Note: The history file of timeline 2 could not be used/m);
  });

  it('compressed, encrypted and uncompressed segment extensions all count; other objects are listed: exit 0', async () => {
    const { code, body } = await json('mixedExtensions');
    assert.equal(code, 0);
    assert.equal(body.continuousTo, walSegmentName(1, 9));
    assert.deepEqual(body.unknownObjects, { count: 1, examples: ['README.txt'] });
  });

  it('a gap right after the switch: exit 1', async () => {
    const { code, body } = await json('gapAfterSwitch');
    assert.equal(code, 1);
    assert.deepEqual(body.gaps.map((g) => [g.timeline, g.from, g.to]), [[2, walSegmentName(2, 21), walSegmentName(2, 23)]]);
  });

  it('a log boundary with zstd segments: exit 0', async () => {
    const { code, body } = await json('logBoundary');
    assert.equal(code, 0);
    assert.equal(body.continuousTo, '000000010000000100000005');
  });

  it('an empty wal_005/: exit 1', async () => {
    const { code, body } = await json('emptyWal');
    assert.equal(code, 1);
    assert.equal(body.continuousTo, null);
  });

  it('the bucket cannot be read (wrong secret key): exit 2 with the S3 error code and the fix', async () => {
    const ran = await runVerify([`s3://${rgw.bucket}/${prefixes.continuous}`, '--endpoint', rgw.endpoint, '--path-style'], { AWS_ACCESS_KEY_ID: rgw.owner.accessKeyId, AWS_SECRET_ACCESS_KEY: 'wrong-secret-value' });
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /^Cannot read s3:\/\/stackgres-tests\/.*: \[SignatureDoesNotMatch\] The secret access key does not match the access key ID/);
    assert.ok(!ran.stderr.includes('wrong-secret-value') && !ran.stdout.includes('wrong-secret-value'));
    assert.equal(ran.stdout, '');
  });

  it('credentials from AWS_PROFILE and the shared credentials file (the SDK\'s chain): exit 0, the keys never printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-profile-'));
    try {
      writeFileSync(join(dir, 'credentials'), `[default]\naws_access_key_id = AKIANOTTHISONE\naws_secret_access_key = not-this-one\n\n[backups-ci]\naws_access_key_id = ${rgw.owner.accessKeyId}\naws_secret_access_key = ${rgw.owner.secretAccessKey}\n`, { mode: 0o600 });
      const ran = await runVerify([`s3://${rgw.bucket}/${prefixes.continuous}`, '--endpoint', rgw.endpoint, '--path-style', '--json'], { AWS_PROFILE: 'backups-ci', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') });
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(JSON.parse(ran.stdout).continuousTo, walSegmentName(1, 20));
      assert.ok(!ran.stdout.includes(rgw.owner.secretAccessKey) && !ran.stderr.includes(rgw.owner.secretAccessKey));
      // The control: the default profile's keys are not the bucket's.
      const other = await runVerify([`s3://${rgw.bucket}/${prefixes.continuous}`, '--endpoint', rgw.endpoint, '--path-style'], { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') });
      assert.equal(other.code, 2);
      assert.match(other.stderr, /\[InvalidAccessKeyId\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no credentials anywhere: exit 2, saying where the keys can come from', async () => {
    const ran = await runVerify([`s3://${rgw.bucket}/${prefixes.continuous}`, '--endpoint', rgw.endpoint, '--path-style'], {});
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /^Cannot read s3:\/\/stackgres-tests\/.*: \[MissingCredentials\] No AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE/);
  });

  it('access denied on the wal_005/ listing: exit 2 with AccessDenied and the permission to grant, nothing called continuous', async function () {
    const bucket = `cli-denied-${Date.now().toString(36)}`;
    const principal = { AWS: ['arn:aws:iam:::user/limited'] };
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: principal, Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [`arn:aws:s3:::${bucket}`] },
        { Effect: 'Allow', Principal: principal, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/*`] },
        { Effect: 'Deny', Principal: principal, Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`], Condition: { StringLike: { 's3:prefix': '*wal_005/*' } } },
      ],
    });
    await prepareBucket({ endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentials: rgw.owner, checksums: 'WHEN_REQUIRED' }, bucket, policy);
    const prefix = uniquePath('cli-denied');
    await seedWalg(storeAs(rgw, rgw.owner, bucket), `${prefix}/`, { ...LAYOUTS.continuous.seed, dataObjects: false });
    const ran = await runVerify([`s3://${bucket}/${prefix}`, '--endpoint', rgw.endpoint, '--path-style', '--json'], { AWS_ACCESS_KEY_ID: rgw.limited.accessKeyId, AWS_SECRET_ACCESS_KEY: rgw.limited.secretAccessKey });
    assert.equal(ran.code, 2, ran.stderr);
    assert.match(ran.stderr, /^Cannot read s3:\/\/cli-denied-\S+: \[AccessDenied\] .*s3:ListBucket/);
    const body = JSON.parse(ran.stdout) as { error: { code: string }; continuousTo?: unknown; ok?: unknown };
    assert.equal(body.error.code, 'AccessDenied');
    assert.ok(!('ok' in body) && !('continuousTo' in body), 'no verdict at all');
  });

  it('a storage that ignores StartAfter: exit 2 with StartAfterIgnored and what to do', async () => {
    const prefix = 'sgbackups.stackgres.io/demo/db/16/';
    const keys = [...walgObjects(prefix, { backups: backupSeeds(3, { firstSegment: 40 }), wal: [{ timeline: 1, from: 2, count: 60 }], dataObjects: false }).keys()];
    const server = await startListingServer('backups', keys, 'ignoresStartAfter');
    try {
      const ran = await runVerify([`s3://backups/${prefix}`, '--endpoint', server.endpoint, '--path-style'], { AWS_ACCESS_KEY_ID: 'AKIATEST', AWS_SECRET_ACCESS_KEY: 'not-checked' });
      assert.equal(ran.code, 2);
      assert.match(ran.stderr, /^Cannot read s3:\/\/backups\/sgbackups\.stackgres\.io\/demo\/db\/16: \[StartAfterIgnored\] The storage ignores StartAfter when listing/);
      assert.equal(ran.stdout, '');
    } finally {
      await server.stop();
    }
  });

  it('wrong arguments: exit 2 with what to give', async () => {
    const noUrl = await runVerify(['https://example.com/x'], keysEnv);
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /is not an s3:\/\/ URL: give the backup path as s3:\/\/<bucket>\/<path>/);
    const halfKeys = await runVerify([`s3://${rgw.bucket}/x`], { AWS_ACCESS_KEY_ID: rgw.owner.accessKeyId });
    assert.equal(halfKeys.code, 2);
    assert.match(halfKeys.stderr, /^AWS_SECRET_ACCESS_KEY is not set: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither and AWS_PROFILE\./);
    const badSize = await runVerify([`s3://${rgw.bucket}/x`, '--wal-segment-size', '10MB'], keysEnv);
    assert.equal(badSize.code, 2);
    assert.match(badSize.stderr, /is not a WAL segment size Postgres allows/);
  });
});
