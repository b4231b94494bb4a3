/**
 * WAL continuity verification against Ceph RGW: layouts written by the test, listed through the SDK
 * adapter, decided by the core. The faults (access denied on wal_005/, a storage that ignores StartAfter,
 * a cancelled verification) end with a message and no result at all: nothing half-read is called continuous.
 */
import * as assert from 'node:assert/strict';
import { hex8 } from '@core/walg';
import { ListingError, StorageError, type ObjectStore } from '../../../../client/src/storage/objectStore';
import { prepareBucket, s3ObjectStore } from '../../../../client/src/storage/s3';
import { verifyWalContinuity, type VerifyProgress } from '../../../../client/src/storage/walVerification';
import { startListingServer } from '../../../s3/listingServer';
import type { Rgw } from '../../../s3/rgw';
import { backupSeeds, HISTORY_2_STORED, seedWalg, walgObjects, walSegmentName, type BackupSeed, type WalgSeed } from '../../../s3/seed';
import { recording, RGW_START_TIMEOUT_MS, sharedRgw, storeAs, uniquePath } from './fixture';

const HISTORY_2 = '1\t0/15000000\tno recovery target specified\n';

function backupAt(timeline: number, startSegment: number, hour: number): BackupSeed {
  return { name: `base_${walSegmentName(timeline, startSegment)}`, timeline, startSegment, finishedAt: new Date(Date.UTC(2026, 0, 1, hour)), pgVersion: 160004 };
}

interface Layout {
  readonly seed: WalgSeed;
  /** Extra objects under wal_005/: file name → body. */
  readonly extra?: Record<string, string | Uint8Array>;
}

const LAYOUTS = {
  continuous: { seed: { backups: [backupAt(1, 2, 1), backupAt(1, 10, 2)], wal: [{ timeline: 1, from: 0, count: 21 }] } },
  gapInTheMiddle: { seed: { backups: [backupAt(1, 2, 1), backupAt(1, 20, 2)], wal: [{ timeline: 1, from: 2, count: 12 }, { timeline: 1, from: 16, count: 15 }] } },
  backupMissingItsOwnSegment: { seed: { backups: [backupAt(1, 2, 1), backupAt(1, 10, 2)], wal: [{ timeline: 1, from: 2, count: 9 }, { timeline: 1, from: 12, count: 9 }] } },
  timelineSwitch: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 21, count: 10 }] },
    extra: { [`${walSegmentName(1, 21)}.partial.lz4`]: 'p', '00000002.history': HISTORY_2, [`${walSegmentName(1, 2)}.00000028.backup.lz4`]: 'label' },
  },
  gapAfterSwitch: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 24, count: 7 }] },
    extra: { '00000002.history': HISTORY_2 },
  },
  // History files as wal-g really stores them: compressed with the backup's compression, or encrypted.
  lz4HistoryGapAfterSwitch: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 24, count: 7 }] },
    extra: { '00000002.history.lz4': HISTORY_2_STORED.lz4 },
  },
  brotliHistory: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 21, count: 10 }], compression: 'brotli' },
    extra: { '00000002.history.br': HISTORY_2_STORED.br },
  },
  zstdHistory: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 21, count: 10 }], compression: 'zstd' },
    extra: { '00000002.history.zst': HISTORY_2_STORED.zst },
  },
  encryptedHistory: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 21, count: 10 }] },
    extra: { '00000002.history.lz4': HISTORY_2_STORED.encrypted, [`${walSegmentName(1, 21)}.partial.lz4`]: 'p' },
  },
  encryptedHistoryGapAfterSwitch: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 19 }, { timeline: 2, from: 24, count: 7 }] },
    extra: { '00000002.history.lz4': HISTORY_2_STORED.encrypted, [`${walSegmentName(1, 21)}.partial.lz4`]: 'p' },
  },
  // A longer history: four backups with WAL continuous between them, and three with a hole inside the middle one's own WAL.
  fourBackupsContinuous: { seed: { backups: [backupAt(1, 2, 1), backupAt(1, 6, 2), backupAt(1, 10, 3), backupAt(1, 14, 4)], wal: [{ timeline: 1, from: 2, count: 19 }] } },
  middleBackupMissingItsOwnSegment: { seed: { backups: [backupAt(1, 2, 1), backupAt(1, 6, 2), backupAt(1, 10, 3)], wal: [{ timeline: 1, from: 2, count: 5 }, { timeline: 1, from: 8, count: 13 }] } },
  logBoundary: { seed: { backups: [backupAt(1, 0xfa, 1)], wal: [{ timeline: 1, from: 0xfa, count: 12 }] } },
  compressedAndEncrypted: {
    seed: { backups: [backupAt(1, 2, 1)], wal: [{ timeline: 1, from: 2, count: 5 }], compression: 'brotli' },
    extra: { [`${walSegmentName(1, 7)}.zst`]: 'encrypted bytes', [walSegmentName(1, 8)]: 'uncompressed', 'README.txt': 'not WAL' },
  },
  emptyWal: { seed: { backups: [backupAt(1, 2, 1)] } },
} satisfies Record<string, Layout>;

describe('WAL continuity verification (against Ceph RGW)', function () {
  let rgw: Rgw;
  let owner: ObjectStore;
  const prefixes: Record<string, string> = {};

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    rgw = await sharedRgw();
    owner = storeAs(rgw, rgw.owner);
    await Promise.all(Object.entries(LAYOUTS).map(async ([label, layout]: [string, Layout]) => {
      const prefix = `${uniquePath(`verify-${label}`)}/`;
      prefixes[label] = prefix;
      await seedWalg(owner, prefix, { ...layout.seed, dataObjects: false });
      await Promise.all(Object.entries(layout.extra ?? {}).map(([name, body]) => owner.put(`${prefix}wal_005/${name}`, body)));
    }));
  });

  const verify = (label: keyof typeof LAYOUTS) => verifyWalContinuity(owner, prefixes[label]);

  it('continuous: both backups restorable, WAL continuous to the newest segment; WAL older than the oldest backup is not read', async () => {
    const progress: VerifyProgress[] = [];
    const r = await verifyWalContinuity(owner, prefixes.continuous, { onProgress: (p) => progress.push(p) });
    assert.equal(r.ok, true, r.verdict);
    assert.deepEqual(r.backups.map((b) => [b.name, b.restorable]), [[`base_${walSegmentName(1, 2)}`, true], [`base_${walSegmentName(1, 10)}`, true]]);
    assert.deepEqual(r.gaps, []);
    assert.equal(r.continuousTo?.segment, walSegmentName(1, 20));
    assert.equal(r.listedFrom, walSegmentName(1, 2));
    assert.equal(r.objects, 19, 'segments 0 and 1 come before the oldest backup and are skipped with StartAfter');
    assert.ok(r.continuousTo?.at && !Number.isNaN(Date.parse(r.continuousTo.at)), 'the upload time of the newest segment');
    assert.equal(r.backups[1].finishTime, '2026-01-01T02:00:00.000Z', 'read from metadata.json');
    assert.ok(progress.length > 0 && progress[progress.length - 1].walObjects === 19, 'progress counts the objects read');
  });

  it('a gap in the middle: reported with its segments and times; the newest backup after it still recovers', async () => {
    const r = await verify('gapInTheMiddle');
    assert.deepEqual(r.gaps.map((g) => [g.timeline, g.from, g.to, g.count, g.unreachableTo]), [[1, walSegmentName(1, 14), walSegmentName(1, 15), 2, { at: '2026-01-01T02:00:00.000Z', estimated: false }]]);
    assert.ok(r.gaps[0].unreachableFrom?.estimated, 'the start of the gap comes from upload times: an estimate');
    assert.equal(r.backups[0].continuousTo?.segment, walSegmentName(1, 13));
    assert.equal(r.ok, true);
  });

  it('a base backup missing a segment inside its own range cannot be restored, and names the segment', async () => {
    const r = await verify('backupMissingItsOwnSegment');
    assert.deepEqual(r.backups.map((b) => [b.restorable, b.missing]), [[true, []], [false, [walSegmentName(1, 11)]]]);
    assert.equal(r.ok, false);
    assert.match(r.verdict, /^Not recoverable from the newest backup base_00000001000000000000000A: Cannot be restored: its own WAL is incomplete: segment 00000001000000000000000B is missing\.$/);
  });

  it('a timeline switch with its history file: the run follows the switch; .partial and .backup files are not segments', async () => {
    const r = await verify('timelineSwitch');
    assert.equal(r.ok, true, r.verdict);
    assert.deepEqual(r.backups[0].timelines, [1, 2]);
    assert.equal(r.continuousTo?.segment, walSegmentName(2, 30));
    assert.deepEqual(r.timelines.map((t) => [t.timeline, t.parent, t.switchFrom, t.partials]), [[1, undefined, undefined, 1], [2, 1, 'history', 0]]);
    assert.equal(r.backupLabels, 1);
    assert.deepEqual(r.notes, []);
  });

  it('a gap right after the switch: the new timeline\'s first segments are missing', async () => {
    const r = await verify('gapAfterSwitch');
    assert.deepEqual(r.gaps.map((g) => [g.timeline, g.from, g.to]), [[2, walSegmentName(2, 21), walSegmentName(2, 23)]]);
    assert.equal(r.continuousTo?.segment, walSegmentName(1, 20));
    assert.equal(r.ok, false);
  });

  it('an lz4-compressed history file (wal-g\'s default) is read: a gap right after the switch is found from it', async () => {
    const r = await verify('lz4HistoryGapAfterSwitch');
    assert.deepEqual(r.timelines.map((t) => [t.timeline, t.parent, t.switchSegment, t.switchFrom, t.historyProblem]), [[1, undefined, undefined, undefined, undefined], [2, 1, walSegmentName(2, 21), 'history', undefined]]);
    assert.deepEqual(r.gaps.map((g) => [g.timeline, g.from, g.to]), [[2, walSegmentName(2, 21), walSegmentName(2, 23)]]);
    assert.deepEqual(r.notes, []);
    assert.equal(r.ok, false);
  });

  it('brotli- and zstd-compressed history files are read: the run follows the switch', async () => {
    for (const label of ['brotliHistory', 'zstdHistory'] as const) {
      const r = await verify(label);
      assert.equal(r.ok, true, `${label}: ${r.verdict}`);
      assert.deepEqual(r.timelines.map((t) => [t.timeline, t.switchFrom, t.historyProblem]), [[1, undefined, undefined], [2, 'history', undefined]], label);
      assert.equal(r.continuousTo?.segment, walSegmentName(2, 30), label);
    }
  });

  it('an encrypted history file does not fail the verification: the switch is estimated from the listing, and the notes say so', async () => {
    const r = await verify('encryptedHistory');
    assert.equal(r.ok, true, r.verdict);
    assert.equal(r.continuousTo?.segment, walSegmentName(2, 30));
    assert.deepEqual(r.timelines.map((t) => [t.timeline, t.switchSegment, t.switchFrom]), [[1, undefined, undefined], [2, walSegmentName(2, 21), 'listing']]);
    assert.match(r.timelines[1].historyProblem ?? '', /^it is not a valid lz4 file: encrypted \(wal-g libsodium or OpenPGP/);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0], /^The history file of timeline 2 could not be used \(.*\): its switch point is estimated from its first segment in the listing\.$/);
  });

  it('an encrypted history file and a gap right after the switch: the old timeline\'s .partial still places the switch, so the gap is found', async () => {
    const r = await verify('encryptedHistoryGapAfterSwitch');
    assert.deepEqual(r.gaps.map((g) => [g.timeline, g.from, g.to]), [[2, walSegmentName(2, 21), walSegmentName(2, 23)]]);
    assert.equal(r.timelines[1].switchFrom, 'listing');
    assert.equal(r.ok, false);
  });

  it('backups with WAL continuous to the next one\'s start are not read one by one: one metadata.json read for four backups, and the notes say so', async () => {
    const { store, requests } = recording(owner);
    const r = await verifyWalContinuity(store, prefixes.fourBackupsContinuous);
    assert.equal(r.ok, true, r.verdict);
    assert.deepEqual(r.backups.map((b) => [b.restorable, b.continuousTo?.segment]), Array.from({ length: 4 }, () => [true, walSegmentName(1, 20)]));
    assert.deepEqual(requests.filter((q) => q.method === 'get').map((q) => q.key.slice(q.key.lastIndexOf('basebackups_005/'))), [`basebackups_005/base_${walSegmentName(1, 14)}/metadata.json`]);
    assert.equal(r.backups[3].finishTime, '2026-01-01T04:00:00.000Z', 'the newest backup\'s finish is read from metadata.json');
    assert.match(r.notes[0], /^3 of 4 base backups were not read one by one: WAL is continuous from each of them to the next backup's start/);
  });

  it('a hole between a backup and the next one: that backup is read, and a segment missing from its own WAL still makes it unrestorable', async () => {
    const r = await verify('middleBackupMissingItsOwnSegment');
    assert.deepEqual(r.backups.map((b) => [b.restorable, b.missing]), [[true, []], [false, [walSegmentName(1, 7)]], [true, []]]);
    assert.equal(r.backups[1].finishTime, '2026-01-01T02:00:00.000Z', 'read from metadata.json');
  });

  it('a log boundary: …FF is followed by the next log\'s …00', async () => {
    const r = await verify('logBoundary');
    assert.deepEqual(r.gaps, []);
    assert.equal(r.continuousTo?.segment, '000000010000000100000005');
    assert.equal(r.ok, true);
  });

  it('compressed, encrypted and uncompressed segments all count; other objects are listed, not fatal', async () => {
    const r = await verify('compressedAndEncrypted');
    assert.equal(r.ok, true, r.verdict);
    assert.equal(r.continuousTo?.segment, walSegmentName(1, 8));
    assert.deepEqual(r.unknown, { count: 1, examples: ['README.txt'] });
  });

  it('an empty wal_005/: no backup can be restored', async () => {
    const r = await verify('emptyWal');
    assert.equal(r.ok, false);
    assert.deepEqual(r.backups[0].missing, [walSegmentName(1, 2), walSegmentName(1, 3)]);
    assert.match(r.verdict, /^No WAL segment in wal_005\//);
  });

  it('cancelled: rejects with Aborted and returns nothing', async () => {
    const controller = new AbortController();
    const run = verifyWalContinuity(owner, prefixes.continuous, { signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(run, (e: unknown) => e instanceof StorageError && e.code === 'Aborted');
  });

  it('access denied on the wal_005/ listing: AccessDenied with the fix, no result', async function () {
    this.timeout(20_000);
    const bucket = `walverify-denied-${hex8(Date.now() % 2 ** 32).toLowerCase()}`;
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
    const prefix = `${uniquePath('denied')}/`;
    await seedWalg(storeAs(rgw, rgw.owner, bucket), prefix, { ...LAYOUTS.continuous.seed, dataObjects: false });
    const limited = storeAs(rgw, rgw.limited, bucket);
    // The control: the same user lists basebackups_005/.
    assert.equal((await limited.list({ prefix: `${prefix}basebackups_005/`, delimiter: '/' })).objects.length, 2);
    await assert.rejects(verifyWalContinuity(limited, prefix), (e: unknown) => {
      assert.ok(e instanceof StorageError);
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /s3:ListBucket/);
      return true;
    });
  });
});

describe('WAL continuity verification against a storage that ignores StartAfter (loopback stand-in, SDK adapter)', function () {
  this.timeout(10_000);

  it('stops with StartAfterIgnored instead of verifying what it was not asked for', async () => {
    const prefix = 'sgbackups.stackgres.io/demo/db/16/';
    // WAL kept from before the oldest backup (retainWalsForUnmanagedLifecycle): what StartAfter skips.
    const keys = [...walgObjects(prefix, { backups: backupSeeds(3, { firstSegment: 40 }), wal: [{ timeline: 1, from: 2, count: 60 }], dataObjects: false }).keys()];
    const server = await startListingServer('backups', keys, 'ignoresStartAfter');
    const store = s3ObjectStore('backups', { endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'not-checked' }, type: 's3Compatible', timeoutMs: 5_000, maxAttempts: 1 });
    try {
      await assert.rejects(verifyWalContinuity(store, prefix), (e: unknown) => {
        assert.ok(e instanceof ListingError, String(e));
        assert.equal(e.code, 'StartAfterIgnored');
        assert.match(e.message, /^The storage ignores StartAfter when listing s3:\/\/backups\/sgbackups\.stackgres\.io\/demo\/db\/16\/wal_005\//);
        return true;
      });
      // The control: served honestly, the same listing is read from the oldest backup on (the stand-in
      // answers listings only, so the backups themselves cannot be read here).
      server.behaviour = 'honest';
      const r = await verifyWalContinuity(store, prefix);
      assert.equal(r.objects, 22);
      assert.equal(r.listedFrom, walSegmentName(1, 40));
    } finally {
      store.destroy?.();
      await server.stop();
    }
  });
});
