import * as assert from 'node:assert/strict';
import { describeWalgBackup, type WalgBackup } from '@core/walg';
import { walVerificationMarkdown } from '@core/walVerifyReport';
import { assertInert } from '../markdownSafety';
import {
  gapProblem,
  gapSpans,
  parseLsn,
  parseTimelineHistory,
  segmentNameOf,
  TooFragmented,
  WalVerifier,
  walSegmentSizeProblem,
  type WalVerification,
} from '@core/walVerify';

const MiB = 1024 * 1024;
const SEG = 16 * MiB;
const T0 = Date.UTC(2026, 0, 1);
/** One segment archived per minute: segment n at T0 + n minutes. */
const at = (segno: number): Date => new Date(T0 + segno * 60_000);
const seg = (tli: number, segno: number, size = SEG): string => segmentNameOf(tli, segno, size);

/** A wal-g backup starting in segment `start` and finishing in segment `finish` of `tli`, finished at `at(finish)`. */
function backup(tli: number, start: number, finish: number, size = SEG): WalgBackup {
  return describeWalgBackup(`base_${seg(tli, start, size)}`, undefined, {
    ok: true,
    value: { startLsn: start * size + 40, finishLsn: finish * size + 0x100, finishTime: at(finish).toISOString(), startTime: at(start).toISOString() },
  });
}

/** Feeds `names` (file names under wal_005/) sorted, as a listing returns them. */
function verify(names: string[], backups: WalgBackup[], options: { size?: number; histories?: Record<number, string | undefined> } = {}): WalVerification {
  const v = new WalVerifier({ segmentSize: options.size });
  for (const n of [...names].sort()) {
    const m = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})/.exec(n);
    const segno = m ? parseInt(m[2], 16) * (2 ** 32 / (options.size ?? SEG)) + parseInt(m[3], 16) : 0;
    v.add(`prefix/wal_005/${n}`, at(segno));
  }
  for (const h of v.historyKeys()) {
    const text = options.histories?.[h.timeline];
    v.setHistory(h.timeline, text, text === undefined ? 'it is encrypted' : undefined);
  }
  return v.result(backups);
}

function run(tli: number, from: number, to: number, ext = 'lz4', size = SEG): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `${seg(tli, from + i, size)}.${ext}`);
}

const without = (names: string[], ...drop: string[]): string[] => names.filter((n) => !drop.some((d) => n.startsWith(d)));

describe('WAL continuity verification (the engine)', () => {
  it('segment names: after …000000FF comes the next log; other segment sizes have other log lengths', () => {
    assert.equal(seg(1, 0xff), '0000000100000000000000FF');
    assert.equal(seg(1, 0x100), '000000010000000100000000');
    assert.equal(seg(3, 0x40, 64 * MiB), '000000030000000100000000', '64 per log with 64 MiB segments');
    assert.equal(seg(1, 4, 1024 * MiB), '000000010000000100000000', '4 per log with 1 GiB segments');
    assert.equal(parseLsn('1/A0000028'), 0x1a0000028);
    assert.equal(parseLsn('not an lsn'), undefined);
    assert.match(walSegmentSizeProblem(10 * MiB)!, /power of two from 1 MiB/);
    assert.equal(walSegmentSizeProblem(64 * MiB), undefined);
  });

  it('timeline history files: parent and switch LSN per line; anything else is not a history file', () => {
    assert.deepEqual(parseTimelineHistory('1\t0/15000000\tno recovery target specified\n\n2\t0/1A000060\tbefore 2026-01-01\n'), [
      { parent: 1, switchLsn: 0x15000000, reason: 'no recovery target specified' },
      { parent: 2, switchLsn: 0x1a000060, reason: 'before 2026-01-01' },
    ]);
    assert.equal(parseTimelineHistory('\u0004"M\u0018 lz4 bytes'), undefined);
    assert.equal(parseTimelineHistory(''), undefined);
  });

  it('continuous: every backup restorable, no gap, WAL reaches the newest segment from the newest backup', () => {
    const r = verify(run(1, 2, 20), [backup(1, 2, 3), backup(1, 10, 11)]);
    assert.deepEqual(r.gaps, []);
    assert.deepEqual(r.backups.map((b) => [b.name, b.restorable, b.missing]), [
      [`base_${seg(1, 2)}`, true, []],
      [`base_${seg(1, 10)}`, true, []],
    ]);
    assert.equal(r.continuousTo?.segment, seg(1, 20));
    assert.equal(r.newestSegment?.segment, seg(1, 20));
    assert.equal(r.ok, true);
    assert.match(r.verdict, /^Recoverable: the newest backup base_00000001000000000000000A is restorable/);
    assert.deepEqual(r.recoverable.map((x) => [x.backup, x.fromSegment, x.to.segment, x.from]), [
      [`base_${seg(1, 2)}`, seg(1, 3), seg(1, 20), at(3).toISOString()],
      [`base_${seg(1, 10)}`, seg(1, 11), seg(1, 20), at(11).toISOString()],
    ]);
    assert.equal(r.segments, 19);
  });

  it('a gap in the middle: the gap with its first and last missing segment and the time it makes unreachable', () => {
    const names = without(run(1, 2, 30), seg(1, 14), seg(1, 15));
    const r = verify(names, [backup(1, 2, 3), backup(1, 20, 21)]);
    assert.deepEqual(r.gaps, [{
      timeline: 1,
      from: seg(1, 14),
      to: seg(1, 15),
      count: 2,
      unreachableFrom: { at: at(13).toISOString(), estimated: true },
      unreachableTo: { at: at(21).toISOString(), estimated: false },
      walResumesAt: { at: at(16).toISOString(), estimated: true },
    }]);
    assert.equal(r.backups[0].continuousTo?.segment, seg(1, 13), 'the older backup reaches the segment before the gap');
    assert.equal(r.backups[1].continuousTo?.segment, seg(1, 30));
    assert.equal(r.ok, true, 'the newest backup is restorable and continuous to the newest segment');

    const noLaterBackup = verify(names, [backup(1, 2, 3)]);
    assert.equal(noLaterBackup.ok, false);
    assert.equal(noLaterBackup.continuousTo?.segment, seg(1, 13));
    assert.equal(noLaterBackup.gaps[0].unreachableTo, undefined, 'nothing after the gap is reachable until a new backup');
    assert.match(noLaterBackup.verdict, /not continuous from the newest backup .*: it reaches 00000001000000000000000D, the newest segment is 00000001000000000000001E/);
  });

  it('a base backup missing a segment of its own range cannot be restored, and says which segment', () => {
    const r = verify(without(run(1, 2, 20), seg(1, 11)), [backup(1, 2, 3), backup(1, 10, 12)]);
    const b = r.backups[1];
    assert.equal(b.restorable, false);
    assert.deepEqual(b.missing, [seg(1, 11)]);
    assert.equal(b.reason, `Cannot be restored: its own WAL is incomplete: segment ${seg(1, 11)} is missing.`);
    assert.equal(r.ok, false);
    assert.match(r.verdict, /^Not recoverable from the newest backup base_00000001000000000000000A: Cannot be restored/);
    assert.deepEqual(r.gaps.map((g) => [g.from, g.to]), [[seg(1, 11), seg(1, 11)]]);
  });

  it('a timeline switch with its history file: the run follows the switch to the new timeline', () => {
    const names = [...run(1, 2, 20), `${seg(1, 21)}.partial.lz4`, '00000002.history.lz4', ...run(2, 21, 30)];
    const r = verify(names, [backup(1, 2, 3)], { histories: { 2: '1\t0/15000000\tno recovery target specified\n' } });
    assert.deepEqual(r.gaps, []);
    assert.equal(r.continuousTo?.segment, seg(2, 30));
    assert.deepEqual(r.backups[0].timelines, [1, 2]);
    assert.equal(r.ok, true);
    assert.deepEqual(r.timelines.map((t) => [t.timeline, t.parent, t.switchSegment, t.switchFrom, t.partials]), [
      [1, undefined, undefined, undefined, 1],
      [2, 1, seg(2, 21), 'history', 0],
    ]);
  });

  it('a gap right after the switch: the first segments of the new timeline are missing', () => {
    const names = [...run(1, 2, 20), '00000002.history.lz4', ...run(2, 24, 30)];
    const r = verify(names, [backup(1, 2, 3)], { histories: { 2: '1\t0/15000000\tno recovery target specified\n' } });
    assert.deepEqual(r.gaps.map((g) => [g.timeline, g.from, g.to, g.unreachableFrom?.at]), [[2, seg(2, 21), seg(2, 23), at(20).toISOString()]]);
    assert.equal(r.continuousTo?.segment, seg(1, 20), 'the run stops at the switch');
    assert.equal(r.ok, false);
  });

  it('a switch the old timeline does not reach: the missing end of the old timeline is the gap', () => {
    const names = [...run(1, 2, 18), '00000002.history.lz4', ...run(2, 21, 30)];
    const r = verify(names, [backup(1, 2, 3)], { histories: { 2: '1\t0/15000000\tno recovery target specified\n' } });
    assert.deepEqual(r.gaps.map((g) => [g.timeline, g.from, g.to]), [[1, seg(1, 19), seg(1, 20)]]);
    assert.equal(r.ok, false);
  });

  it('an unreadable (encrypted) history file: the switch is taken from the listing and says so', () => {
    const names = [...run(1, 2, 20), '00000002.history.lz4', ...run(2, 21, 30)];
    const r = verify(names, [backup(1, 2, 3)]);
    assert.equal(r.ok, true);
    assert.deepEqual(r.timelines[1], { timeline: 2, parent: 1, switchSegment: seg(2, 21), switchFrom: 'listing', historyProblem: 'it is encrypted', segments: 10, partials: 0, first: seg(2, 21), last: seg(2, 30) });
  });

  it('an unreadable history file and a gap right after the switch: the old timeline\'s .partial marks the switch, so the gap is still found (an estimate)', () => {
    const names = [...run(1, 2, 20), `${seg(1, 21)}.partial.lz4`, '00000002.history.lz4', ...run(2, 24, 30)];
    const r = verify(names, [backup(1, 2, 3)]);
    assert.deepEqual(r.timelines.map((t) => [t.timeline, t.switchSegment, t.switchFrom]), [[1, undefined, undefined], [2, seg(2, 21), 'listing']]);
    assert.deepEqual(r.gaps.map((g) => [g.timeline, g.from, g.to]), [[2, seg(2, 21), seg(2, 23)]]);
    assert.equal(r.ok, false);
  });

  it('a backup after the switch point of its own timeline does not follow the switch', () => {
    // Timeline 1 went on after timeline 2 forked at segment 21 (an old primary still archiving).
    const names = [...run(1, 2, 40), '00000002.history.lz4', ...run(2, 21, 30)];
    const r = verify(names, [backup(1, 25, 26)], { histories: { 2: '1\t0/15000000\tno recovery target specified\n' } });
    assert.deepEqual(r.backups[0].timelines, [1]);
    assert.equal(r.backups[0].continuousTo?.segment, seg(1, 40));
  });

  it('a log boundary: …FF then the next log\'s …00 is continuous; a missing …00 is a gap named in the next log', () => {
    const names = run(1, 0xfe, 0x102);
    assert.deepEqual(names.slice(1, 3), ['0000000100000000000000FF.lz4', '000000010000000100000000.lz4']);
    const r = verify(names, [backup(1, 0xfe, 0xff)]);
    assert.deepEqual(r.gaps, []);
    assert.equal(r.continuousTo?.segment, '000000010000000100000002');
    const holed = verify(without(names, '000000010000000100000000'), [backup(1, 0xfe, 0xff)]);
    assert.deepEqual(holed.gaps.map((g) => [g.from, g.to]), [['000000010000000100000000', '000000010000000100000000']]);
    assert.equal(holed.continuousTo?.segment, '0000000100000000000000FF');
  });

  it('64 MiB segments: 64 per log, and names impossible at that size are unknown objects', () => {
    const size = 64 * MiB;
    const names = run(1, 0x3e, 0x42, 'zst', size);
    assert.equal(names[2], '000000010000000100000000.zst');
    const r = verify([...names, '000000010000000000000050.zst'], [backup(1, 0x3e, 0x3f, size)], { size });
    assert.deepEqual(r.gaps, []);
    assert.equal(r.continuousTo?.segment, '000000010000000100000002');
    assert.deepEqual(r.unknown, { count: 1, examples: ['000000010000000000000050.zst'] });
    assert.equal(r.segmentSize, size);
    // The same listing read as 16 MiB segments: segments 0x40-0xFF of log 0 are missing.
    const wrong = verify(names, [backup(1, 0x3e, 0x3f)]);
    assert.equal(wrong.gaps[0].from, '000000010000000000000040');
  });

  it('.partial and .backup files are not segments: a .partial does not fill a gap', () => {
    const names = [...without(run(1, 2, 12), seg(1, 8)), `${seg(1, 8)}.partial.lz4`, `${seg(1, 2)}.00000028.backup.lz4`];
    const r = verify(names, [backup(1, 2, 3)]);
    assert.deepEqual(r.gaps.map((g) => g.from), [seg(1, 8)]);
    assert.equal(r.backupLabels, 1);
    assert.equal(r.timelines[0].partials, 1);
    assert.equal(r.segments, 10);
  });

  it('compressed, encrypted and uncompressed objects all count; one segment under two extensions counts once', () => {
    const names = [`${seg(1, 2)}.lz4`, `${seg(1, 3)}.br`, `${seg(1, 4)}.zst`, `${seg(1, 5)}.lzma`, seg(1, 6), `${seg(1, 7)}.lz4`, `${seg(1, 7)}.zst`];
    const r = verify(names, [backup(1, 2, 3)]);
    assert.deepEqual(r.gaps, []);
    assert.equal(r.segments, 6);
    assert.equal(r.continuousTo?.segment, seg(1, 7));
  });

  it('an empty wal_005/: no backup can be restored, and the verdict says to check archiving', () => {
    const r = verify([], [backup(1, 2, 3)]);
    assert.equal(r.ok, false);
    assert.equal(r.backups[0].restorable, false);
    assert.deepEqual(r.backups[0].missing, [seg(1, 2), seg(1, 3)]);
    assert.match(r.verdict, /^No WAL segment in wal_005\/: no backup can be restored/);
    assert.equal(verify(run(1, 2, 5), []).verdict, 'No base backup in basebackups_005/: nothing can be restored. Run a backup.');
  });

  it('unknown objects are listed, not fatal', () => {
    const r = verify([...run(1, 2, 6), 'README', 'tmp-upload-1234'], [backup(1, 2, 3)]);
    assert.equal(r.ok, true);
    assert.deepEqual(r.unknown, { count: 2, examples: ['README', 'tmp-upload-1234'] });
    assert.equal(r.objects, 7);
  });

  it('a backup whose metadata gives no LSNs is not called restorable, and says why', () => {
    const broken = describeWalgBackup(`base_${seg(1, 2)}`, { ok: false, error: 'The backup stop sentinel is not JSON.' }, undefined);
    const r = verify(run(1, 2, 6), [broken]);
    assert.equal(r.backups[0].restorable, false);
    assert.equal(r.backups[0].reason, 'Cannot be checked: The backup stop sentinel is not JSON.');
  });

  it('keeps ranges, not names: 50,000 consecutive segments are one range; a listing with too many holes stops plainly', () => {
    const v = new WalVerifier();
    for (let i = 0; i < 50_000; i++) v.add(seg(1, i));
    assert.equal(v.ranges, 1);
    assert.equal(v.result([]).segments, 50_000);
    const holey = new WalVerifier({ maxRanges: 10 });
    assert.throws(() => {
      for (let i = 0; i < 40; i += 2) holey.add(seg(1, i));
    }, (e: unknown) => e instanceof TooFragmented && /more than 10 separate runs of segments/.test(e.message));
  });

  it('covers: true only when one run of listed segments holds the whole span, on that timeline', () => {
    const v = new WalVerifier();
    for (const n of [...run(1, 2, 20), ...run(1, 23, 30), ...run(2, 40, 45)]) v.add(n);
    assert.equal(v.covers(1, 2, 20), true);
    assert.equal(v.covers(1, 5, 5), true);
    assert.equal(v.covers(1, 2, 21), false, 'segment 21 is missing');
    assert.equal(v.covers(1, 19, 24), false, 'across the hole');
    assert.equal(v.covers(2, 2, 3), false, 'another timeline');
    assert.equal(v.covers(3, 40, 41), false, 'a timeline with no WAL');
  });

  it('out-of-order input still yields the right ranges', () => {
    const v = new WalVerifier();
    for (const n of [5, 2, 3, 7, 4, 6, 10]) v.add(seg(1, n));
    const r = v.result([backup(1, 2, 3)]);
    assert.deepEqual(r.gaps.map((g) => [g.from, g.to]), [[seg(1, 8), seg(1, 9)]]);
    assert.equal(v.ranges, 2);
  });
});

describe('WAL gaps as time, and the report', () => {
  const names = without(run(1, 2, 30), seg(1, 14), seg(1, 15));

  it('the point-in-time picker refuses an instant inside a gap and says which segments and what to choose', () => {
    const spans = gapSpans(verify(names, [backup(1, 2, 3), backup(1, 20, 21)]).gaps);
    assert.deepEqual(spans, [{ timeline: 1, fromSegment: seg(1, 14), toSegment: seg(1, 15), from: at(13).toISOString(), to: at(21).toISOString(), fromEstimated: true }]);
    const inside = at(17).toISOString();
    assert.equal(
      gapProblem(spans, inside),
      `${inside} falls in a WAL gap: segments ${seg(1, 14)} to ${seg(1, 15)} are missing from the bucket (timeline 1), so no backup before it can replay WAL to this instant. Choose an instant up to ${at(13).toISOString()} (about) or from ${at(21).toISOString()} on (the finish of the next restorable backup).`,
    );
    assert.equal(gapProblem(spans, at(12).toISOString()), undefined, 'before the gap');
    assert.equal(gapProblem(spans, at(22).toISOString()), undefined, 'after the next backup');
    const open = gapSpans(verify(names, [backup(1, 2, 3)]).gaps);
    assert.match(gapProblem(open, at(400).toISOString())!, /, or run a new backup\.$/);
  });

  it('the report lists backups, timelines, gaps and ranges, with names from the bucket escaped', () => {
    const evil = describeWalgBackup(`base_${seg(1, 2)}_[x](https://evil.example)<img src=x>`, undefined, {
      ok: true,
      value: { startLsn: 2 * SEG, finishLsn: 3 * SEG + 1, finishTime: at(3).toISOString() },
    });
    const r = verify([...names, 'a](javascript:alert(1))'], [evil, backup(1, 5, 6)]);
    const md = walVerificationMarkdown(r, { where: 's3://bucket/path/', subject: 'SGCluster db in namespace prod', at: new Date(T0), requests: 3 });
    assertInert(md);
    assert.match(md, /^# WAL continuity: SGCluster db in namespace prod\n/);
    assert.match(md, /\| 1 \| `00000001000000000000000E` to `00000001000000000000000F` \| 2 \| 2026-01-01T00:13:00\.000Z \(estimated from upload times\) \| a new backup \|/);
    assert.match(md, /- Timeline 1: 27 segments, `000000010000000000000002` to `00000001000000000000001E`\./);
    assert.match(md, /- From `base_000000010000000000000005` \(finished 2026\\-01\\-01T00\\:06\\:00\\\.000Z\) to `00000001000000000000000D`/);
  });
});
