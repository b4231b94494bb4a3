/**
 * WAL continuity verification, like wal-g's `wal-verify integrity|timeline`: from a listing of `wal_005/`
 * and the base backups' LSNs, decide which backups can be restored, where WAL is missing, and which
 * instants a point-in-time restore can reach. Pure: the caller feeds keys in listing order and the text
 * of timeline history files; nothing here does I/O.
 *
 * Memory grows with the number of holes, not of segments: each timeline keeps ranges of consecutive
 * segments (with the upload times of their ends), never the list of names.
 */
import { hex8, parseWalObjectName, type WalgBackup } from './walg';

export const DEFAULT_WAL_SEGMENT_SIZE = 16 * 1024 * 1024;
const LOG_BYTES = 2 ** 32;

/** Postgres allows powers of two from 1 MiB to 1 GiB; anything else is a mistake in the input. */
export function walSegmentSizeProblem(size: number): string | undefined {
  const ok = Number.isInteger(size) && size >= 2 ** 20 && size <= 2 ** 30 && (size & (size - 1)) === 0;
  return ok ? undefined : `${size} is not a WAL segment size Postgres allows: use a power of two from 1 MiB (1048576) to 1 GiB (1073741824); the default is 16 MiB (16777216).`;
}

/** Segments in one log file (the middle 8 hex digits of a name): 256 with 16 MiB segments. */
export function segmentsPerLog(segmentSize: number): number {
  return LOG_BYTES / segmentSize;
}

/** The absolute segment number of a name's log and segment fields. */
export function segmentNumber(log: number, seg: number, segmentSize: number): number {
  return log * segmentsPerLog(segmentSize) + seg;
}

/** The 24-hex name of segment `segno` on `timeline`: after `…000000FF` comes the next log's `…00000000` with 16 MiB segments. */
export function segmentNameOf(timeline: number, segno: number, segmentSize: number): string {
  const perLog = segmentsPerLog(segmentSize);
  return `${hex8(timeline)}${hex8(Math.floor(segno / perLog))}${hex8(segno % perLog)}`;
}

/** The segment holding byte `lsn`. */
export function segmentOfLsn(lsn: number, segmentSize: number): number {
  return Math.floor(lsn / segmentSize);
}

/** `16/B374D848` → its integer value, or undefined. */
export function parseLsn(text: string): number | undefined {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  return m ? parseInt(m[1], 16) * LOG_BYTES + parseInt(m[2], 16) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Timeline history files

export interface HistoryEntry {
  /** The timeline that ran until `switchLsn`. */
  readonly parent: number;
  readonly switchLsn: number;
  readonly reason?: string;
}

/**
 * `<TLI>.history`: one line per ancestor, `parentTLI<TAB>switchLSN<TAB>reason`, oldest first; `#` comments
 * and blank lines are allowed. Undefined when the text is not such a file (compressed or encrypted).
 */
export function parseTimelineHistory(text: string): HistoryEntry[] | undefined {
  const entries: HistoryEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\d{1,10})\s+([0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8})(?:\s+(.*))?$/.exec(line);
    if (!m) return undefined;
    entries.push({ parent: Number(m[1]), switchLsn: parseLsn(m[2])!, reason: m[3]?.slice(0, 200) });
  }
  return entries.length > 0 ? entries : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Collecting a listing

interface Range {
  from: number;
  to: number;
  /** Upload times (ms) of the first and last segment of the range, when the listing gave them. */
  fromTime?: number;
  toTime?: number;
}

interface TimelineState {
  readonly ranges: Range[];
  segments: number;
  partials: number;
  /** The newest `.partial` segment: where a promotion ended this timeline and its child began. */
  partialSeg?: number;
  historyKey?: string;
  history?: readonly HistoryEntry[];
  historyProblem?: string;
}

export interface WalVerifierOptions {
  readonly segmentSize?: number;
  /** Unknown object names kept as examples (default 20); all are counted. */
  readonly unknownExamples?: number;
  /** Ranges kept before the listing is judged too fragmented to verify (default 200,000). */
  readonly maxRanges?: number;
}

/** Thrown when a listing has more holes than the verifier keeps: bounded memory, said plainly. */
export class TooFragmented extends Error {}

export class WalVerifier {
  readonly segmentSize: number;
  private readonly timelines = new Map<number, TimelineState>();
  private rangeCount = 0;
  objects = 0;
  backupLabels = 0;
  /** Runs of consecutive segments kept, over all timelines: what the memory grows with. */
  get ranges(): number {
    return this.rangeCount;
  }
  unknownCount = 0;
  readonly unknownExamples: string[] = [];

  constructor(private readonly options: WalVerifierOptions = {}) {
    this.segmentSize = options.segmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
    const problem = walSegmentSizeProblem(this.segmentSize);
    if (problem) throw new Error(problem);
  }

  private timeline(tli: number): TimelineState {
    let t = this.timelines.get(tli);
    if (!t) this.timelines.set(tli, (t = { ranges: [], segments: 0, partials: 0 }));
    return t;
  }

  /** One listed object under `wal_005/` (the key or the file name), in listing order. */
  add(keyOrName: string, lastModified?: Date): void {
    this.objects++;
    const name = keyOrName.slice(keyOrName.lastIndexOf('/') + 1);
    const o = parseWalObjectName(name);
    const perLog = segmentsPerLog(this.segmentSize);
    if (!o || (o.seg !== undefined && o.seg >= perLog)) {
      this.unknownCount++;
      if (this.unknownExamples.length < (this.options.unknownExamples ?? 20)) this.unknownExamples.push(name.slice(0, 120));
      return;
    }
    if (o.kind === 'timeline-history') {
      this.timeline(o.timeline).historyKey ??= keyOrName;
      return;
    }
    if (o.kind === 'backup-history') {
      this.backupLabels++;
      return;
    }
    const t = this.timeline(o.timeline);
    // A .partial segment is the unfinished end of a timeline left by a promotion: never a whole segment.
    if (o.kind === 'partial') {
      t.partials++;
      t.partialSeg = Math.max(t.partialSeg ?? -1, segmentNumber(o.log!, o.seg!, this.segmentSize));
      return;
    }
    this.addSegment(t, segmentNumber(o.log!, o.seg!, this.segmentSize), lastModified?.getTime());
  }

  private addSegment(t: TimelineState, segno: number, time: number | undefined): void {
    const ranges = t.ranges;
    const last = ranges[ranges.length - 1];
    if (last && segno === last.to + 1) {
      last.to = segno;
      last.toTime = time;
      t.segments++;
      return;
    }
    if (last && segno > last.to + 1) {
      this.pushRange(ranges, ranges.length, { from: segno, to: segno, fromTime: time, toTime: time });
      t.segments++;
      return;
    }
    if (!last) {
      this.pushRange(ranges, 0, { from: segno, to: segno, fromTime: time, toTime: time });
      t.segments++;
      return;
    }
    // Out of listing order, or the same segment again with another extension: find its place.
    const i = firstRangeEndingAtOrAfter(ranges, segno);
    const r = ranges[i];
    if (r && r.from <= segno) return;
    const before = ranges[i - 1];
    t.segments++;
    if (before && before.to + 1 === segno) {
      before.to = segno;
      before.toTime = time;
      if (r && r.from === segno + 1) {
        before.to = r.to;
        before.toTime = r.toTime;
        ranges.splice(i, 1);
        this.rangeCount--;
      }
    } else if (r && r.from === segno + 1) {
      r.from = segno;
      r.fromTime = time;
    } else {
      this.pushRange(ranges, i, { from: segno, to: segno, fromTime: time, toTime: time });
    }
  }

  private pushRange(ranges: Range[], at: number, r: Range): void {
    if (++this.rangeCount > (this.options.maxRanges ?? 200_000)) {
      throw new TooFragmented(`wal_005/ has more than ${this.options.maxRanges ?? 200_000} separate runs of segments: too fragmented to verify here. Run wal-g wal-verify in the cluster's pod.`);
    }
    ranges.splice(at, 0, r);
  }

  /** Whether every segment from `from` to `to` of `timeline` was listed (one run of consecutive segments holds them). */
  covers(timeline: number, from: number, to: number): boolean {
    const ranges = this.timelines.get(timeline)?.ranges ?? [];
    const r = ranges[firstRangeEndingAtOrAfter(ranges, from)];
    return r !== undefined && r.from <= from && r.to >= to;
  }

  /** Keys of the timeline history files listed, by timeline: the caller reads them and gives their text back. */
  historyKeys(): { timeline: number; key: string }[] {
    return [...this.timelines].filter(([, t]) => t.historyKey).map(([timeline, t]) => ({ timeline, key: t.historyKey! }));
  }

  /** The text of `<timeline>.history`, or why it could not be read (encrypted, compressed, denied). */
  setHistory(timeline: number, text: string | undefined, problem?: string): void {
    const t = this.timeline(timeline);
    const parsed = text !== undefined ? parseTimelineHistory(text) : undefined;
    if (parsed) t.history = parsed;
    else t.historyProblem = problem ?? 'its text is not a timeline history (encrypted or damaged)';
  }

  /** The decisions, given the base backups read from `basebackups_005/`. */
  result(backups: readonly WalgBackup[]): WalVerification {
    return decide(this, this.timelines, backups);
  }
}

function firstRangeEndingAtOrAfter(ranges: readonly Range[], segno: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].to < segno) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------------------
// Decisions

export interface SegmentRef {
  readonly timeline: number;
  /** 24-hex segment name. */
  readonly segment: string;
  /** Upload time of the segment (ISO): an estimate of when its WAL was written. */
  readonly at?: string;
}

export interface VerifiedBackup {
  readonly name: string;
  readonly timeline?: number;
  readonly startSegment?: string;
  readonly finishSegment?: string;
  readonly finishTime?: string;
  readonly restorable: boolean;
  /** Missing segments of its own range (first ones only when many; see missingCount). */
  readonly missing: readonly string[];
  readonly missingCount: number;
  /** Why it is not restorable, in one sentence. */
  readonly reason?: string;
  /** For a restorable backup: the newest segment reached from it without a gap. */
  readonly continuousTo?: SegmentRef;
  /** The timelines its continuous run passes through, in order. */
  readonly timelines?: readonly number[];
}

export interface TimeBound {
  readonly at: string;
  /** From the objects' upload times rather than a backup's own times. */
  readonly estimated: boolean;
}

export interface WalGap {
  readonly timeline: number;
  /** First and last missing segment. */
  readonly from: string;
  readonly to: string;
  readonly count: number;
  /** Instants from here on cannot be reached from the backups before the gap. */
  readonly unreachableFrom?: TimeBound;
  /** Reachable again from this instant (the finish of the first restorable backup after the gap); absent: not before a new backup. */
  readonly unreachableTo?: TimeBound;
  /** When the WAL after the gap begins (the first segment's upload time). */
  readonly walResumesAt?: TimeBound;
}

export interface RecoverableRange {
  readonly backup: string;
  /** The backup's finish: the earliest instant a restore from it can reach. */
  readonly from?: string;
  readonly fromSegment: string;
  /** The newest segment reached without a gap, and its upload time (an estimate of the last reachable instant). */
  readonly to: SegmentRef;
  readonly timelines: readonly number[];
}

export interface TimelineSummary {
  readonly timeline: number;
  readonly parent?: number;
  /** The first segment of this timeline after the switch. */
  readonly switchSegment?: string;
  /** Where the switch point comes from: the history file, or the first segment listed (an estimate). */
  readonly switchFrom?: 'history' | 'listing';
  readonly historyProblem?: string;
  readonly segments: number;
  readonly partials: number;
  readonly first?: string;
  readonly last?: string;
}

export interface WalVerification {
  readonly segmentSize: number;
  readonly objects: number;
  readonly segments: number;
  readonly backupLabels: number;
  readonly unknown: { readonly count: number; readonly examples: readonly string[] };
  readonly timelines: readonly TimelineSummary[];
  readonly backups: readonly VerifiedBackup[];
  readonly gaps: readonly WalGap[];
  readonly recoverable: readonly RecoverableRange[];
  /** The newest whole segment in the bucket (on the newest timeline with WAL). */
  readonly newestSegment?: SegmentRef;
  /** The newest segment reached without a gap from the newest restorable backup. */
  readonly continuousTo?: SegmentRef;
  /** The newest base backup is restorable and WAL is continuous from it to the newest segment. */
  readonly ok: boolean;
  /** One sentence: the verdict, for a summary line and the tree. */
  readonly verdict: string;
}

const MAX_MISSING_NAMES = 1000;
const MAX_GAPS = 10_000;

interface Link {
  parent: number;
  /** First segment of the child timeline. */
  switchSeg: number;
  switchLsn?: number;
  from: 'history' | 'listing';
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function timeMs(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function decide(v: WalVerifier, timelines: ReadonlyMap<number, TimelineState>, walgBackups: readonly WalgBackup[]): WalVerification {
  const size = v.segmentSize;
  const name = (tli: number, segno: number): string => segmentNameOf(tli, segno, size);
  const rangesOf = (tli: number): readonly Range[] => timelines.get(tli)?.ranges ?? [];
  const rangeAt = (tli: number, segno: number): Range | undefined => {
    const ranges = rangesOf(tli);
    const r = ranges[firstRangeEndingAtOrAfter(ranges, segno)];
    return r && r.from <= segno ? r : undefined;
  };
  const ref = (tli: number, segno: number, time?: number): SegmentRef => ({ timeline: tli, segment: name(tli, segno), at: iso(time) });

  // How each timeline began: its history file's last line, else its first listed segment after the
  // newest older timeline with WAL (an estimate).
  const sorted = [...timelines.keys()].sort((a, b) => a - b);
  const links = new Map<number, Link>();
  for (const tli of sorted) {
    const t = timelines.get(tli)!;
    const last = t.history?.[t.history.length - 1];
    if (last && last.parent < tli) {
      links.set(tli, { parent: last.parent, switchSeg: segmentOfLsn(last.switchLsn, size), switchLsn: last.switchLsn, from: 'history' });
      continue;
    }
    const parent = [...sorted].reverse().find((p) => p < tli && rangesOf(p).length > 0);
    const first = t.ranges[0];
    // The parent's .partial segment is where the promotion happened: the new timeline starts in that
    // segment, so segments missing between it and the first listed one are a gap, not the switch.
    const partial = parent !== undefined ? timelines.get(parent)!.partialSeg : undefined;
    if (parent !== undefined && first) links.set(tli, { parent, switchSeg: partial !== undefined && partial <= first.from ? partial : first.from, from: 'listing' });
  }
  const children = (tli: number): [number, Link][] => [...links].filter(([, l]) => l.parent === tli);

  // Continuous run from a present segment: to the end of its range, then into the latest child timeline
  // whose switch the run reaches.
  const run = (tli: number, segno: number, afterLsn?: number): { end: SegmentRef; path: number[] } => {
    const path = [tli];
    let t = tli;
    let pos = segno;
    for (let hop = 0; hop <= sorted.length; hop++) {
      const r = rangeAt(t, pos)!;
      // From the backup itself, only a switch after its finish can be followed; later, any switch after the entry.
      const after = (l: Link): boolean =>
        hop > 0 ? l.switchSeg >= pos : afterLsn !== undefined && l.switchLsn !== undefined ? l.switchLsn >= afterLsn : l.switchSeg > pos;
      const next = children(t)
        .filter(([c, l]) => l.switchSeg <= r.to + 1 && after(l) && rangeAt(c, l.switchSeg) !== undefined)
        .sort(([a], [b]) => b - a)[0];
      if (!next) return { end: ref(t, r.to, r.toTime), path };
      t = next[0];
      pos = next[1].switchSeg;
      path.push(t);
    }
    throw new Error('timeline history loops');
  };

  // Base backups.
  const backups: (VerifiedBackup & { startSeg?: number; finishMs?: number })[] = walgBackups.map((b) => {
    const startLsn = b.startLsn !== undefined ? parseLsn(b.startLsn) : undefined;
    const finishLsn = b.finishLsn !== undefined ? parseLsn(b.finishLsn) : undefined;
    const tli = b.timeline;
    const finishMs = timeMs(b.finishTime);
    const base = { name: b.name, timeline: tli, finishTime: iso(finishMs) ?? b.finishTime, finishMs, missing: [] as string[], missingCount: 0 };
    if (tli === undefined || startLsn === undefined || finishLsn === undefined) {
      const why = b.problems.length > 0 ? b.problems.join(' ') : 'its sentinel and metadata.json give no start and finish LSN.';
      return { ...base, restorable: false, reason: `Cannot be checked: ${why}` };
    }
    const startSeg = segmentOfLsn(startLsn, size);
    // The finish LSN is the end of the backup's WAL: a finish exactly on a boundary needs nothing of the next segment.
    const finishSeg = Math.max(startSeg, segmentOfLsn(finishLsn > startLsn ? finishLsn - 1 : finishLsn, size));
    const missing: string[] = [];
    let missingCount = 0;
    for (const hole of holes(rangesOf(tli), startSeg, finishSeg)) {
      for (let s = hole.from; s <= hole.to && missing.length < MAX_MISSING_NAMES; s++) missing.push(name(tli, s));
      missingCount += hole.to - hole.from + 1;
    }
    const common = { ...base, startSeg, startSegment: name(tli, startSeg), finishSegment: name(tli, finishSeg) };
    if (missingCount > 0) {
      const shown = missingCount === 1 ? `segment ${missing[0]} is missing` : `${missingCount} segments are missing (${missing[0]} to ${missing[missing.length - 1]}${missingCount > missing.length ? ', first ones listed' : ''})`;
      return { ...common, restorable: false, missing, missingCount, reason: `Cannot be restored: its own WAL is incomplete: ${shown}.` };
    }
    const { end, path } = run(tli, finishSeg, finishLsn);
    return { ...common, restorable: true, continuousTo: end, timelines: path };
  });

  // Gaps: holes in each timeline between where it begins (its switch, or the oldest backup on it) and
  // where it ends (its first child's switch, or its newest segment).
  const gaps: WalGap[] = [];
  const restorable = backups.filter((b) => b.restorable);
  for (const tli of sorted) {
    const t = timelines.get(tli)!;
    const link = links.get(tli);
    const starts = backups.filter((b) => b.timeline === tli && b.startSeg !== undefined).map((b) => b.startSeg!);
    const lo = link ? link.switchSeg : Math.min(...starts, t.ranges[0]?.from ?? Infinity);
    const childSwitches = children(tli).map(([, l]) => l.switchSeg);
    const hi = childSwitches.length > 0 ? Math.min(...childSwitches) - 1 : t.ranges[t.ranges.length - 1]?.to ?? -Infinity;
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) continue;
    for (const hole of holes(t.ranges, lo, hi)) {
      if (gaps.length >= MAX_GAPS) break;
      const i = firstRangeEndingAtOrAfter(t.ranges, hole.from);
      const before = t.ranges[i - 1];
      const after = t.ranges[i];
      // Before the gap's first segment: the previous range on this timeline, else the parent's WAL up to the switch.
      const beforeTime = before?.toTime ?? (link && hole.from === lo ? rangeAt(link.parent, link.switchSeg - 1)?.toTime : undefined);
      const next = restorable
        .filter((b) => (b.timeline === tli ? b.startSeg! > hole.to : (b.timeline ?? 0) > tli) && b.finishMs !== undefined)
        .sort((a, b) => a.finishMs! - b.finishMs!)[0];
      gaps.push({
        timeline: tli,
        from: name(tli, hole.from),
        to: name(tli, hole.to),
        count: hole.to - hole.from + 1,
        unreachableFrom: beforeTime !== undefined ? { at: iso(beforeTime)!, estimated: true } : undefined,
        unreachableTo: next ? { at: iso(next.finishMs)!, estimated: false } : undefined,
        walResumesAt: after?.fromTime !== undefined ? { at: iso(after.fromTime)!, estimated: true } : undefined,
      });
    }
  }

  // The newest whole segment: on the newest timeline that has WAL.
  const newestTli = [...sorted].reverse().find((tli) => rangesOf(tli).length > 0);
  const newestRange = newestTli !== undefined ? rangesOf(newestTli)[rangesOf(newestTli).length - 1] : undefined;
  const newestSegment = newestTli !== undefined && newestRange ? ref(newestTli, newestRange.to, newestRange.toTime) : undefined;

  const byPosition = (a: (typeof backups)[number], b: (typeof backups)[number]): number =>
    (a.timeline ?? 0) - (b.timeline ?? 0) || (a.startSeg ?? -1) - (b.startSeg ?? -1) || (a.finishMs ?? 0) - (b.finishMs ?? 0);
  const newestBackup = [...backups].sort(byPosition).pop();
  const newestRestorable = [...restorable].sort(byPosition).pop();
  const continuousTo = newestRestorable?.continuousTo;
  const reachesNewest = !!continuousTo && !!newestSegment && continuousTo.segment === newestSegment.segment;
  const ok = !!newestBackup?.restorable && reachesNewest && newestBackup === newestRestorable;

  let verdict: string;
  if (backups.length === 0) verdict = 'No base backup in basebackups_005/: nothing can be restored. Run a backup.';
  else if (!newestSegment) verdict = 'No WAL segment in wal_005/: no backup can be restored. Check that WAL archiving works (the cluster\'s backup configuration and its pod\'s log).';
  else if (ok) verdict = `Recoverable: the newest backup ${newestBackup!.name} is restorable and WAL is continuous from it to ${newestSegment.segment}.`;
  else if (!newestBackup!.restorable) verdict = `Not recoverable from the newest backup ${newestBackup!.name}: ${newestBackup!.reason ?? ''}`.trim();
  else verdict = `WAL is not continuous from the newest backup ${newestBackup!.name}: it reaches ${continuousTo?.segment ?? 'nothing'}, the newest segment is ${newestSegment.segment}.`;

  const recoverable: RecoverableRange[] = restorable.map((b) => ({ backup: b.name, from: b.finishTime, fromSegment: b.finishSegment!, to: b.continuousTo!, timelines: b.timelines ?? [] }));
  let segments = 0;
  const summaries: TimelineSummary[] = sorted.map((tli) => {
    const t = timelines.get(tli)!;
    segments += t.segments;
    const link = links.get(tli);
    return {
      timeline: tli,
      parent: link?.parent,
      switchSegment: link ? name(tli, link.switchSeg) : undefined,
      switchFrom: link?.from,
      historyProblem: t.historyProblem,
      segments: t.segments,
      partials: t.partials,
      first: t.ranges[0] ? name(tli, t.ranges[0].from) : undefined,
      last: t.ranges.length > 0 ? name(tli, t.ranges[t.ranges.length - 1].to) : undefined,
    };
  });
  return {
    segmentSize: size,
    objects: v.objects,
    segments,
    backupLabels: v.backupLabels,
    unknown: { count: v.unknownCount, examples: [...v.unknownExamples] },
    timelines: summaries,
    backups: backups.map(({ startSeg: _s, finishMs: _f, ...b }) => b),
    gaps,
    recoverable,
    newestSegment,
    continuousTo,
    ok,
    verdict,
  };
}

/** The missing stretches of [lo, hi] given sorted, disjoint ranges. */
function* holes(ranges: readonly Range[], lo: number, hi: number): Generator<{ from: number; to: number }> {
  let pos = lo;
  for (let i = firstRangeEndingAtOrAfter(ranges, lo); i < ranges.length && pos <= hi; i++) {
    const r = ranges[i];
    if (r.from > pos) yield { from: pos, to: Math.min(r.from - 1, hi) };
    pos = Math.max(pos, r.to + 1);
  }
  if (pos <= hi) yield { from: pos, to: hi };
}

// ---------------------------------------------------------------------------------------------------------
// Instants inside a gap

/** A gap as a span of time: what the picture draws in red and the point-in-time picker refuses. */
export interface GapSpan {
  readonly timeline: number;
  readonly fromSegment: string;
  readonly toSegment: string;
  /** ISO instants; `to` is absent when no restorable backup follows the gap. */
  readonly from: string;
  readonly to?: string;
  readonly fromEstimated: boolean;
}

/** The gaps whose start time is known, as spans of time. */
export function gapSpans(gaps: readonly WalGap[]): GapSpan[] {
  return gaps
    .filter((g) => g.unreachableFrom !== undefined)
    .map((g) => ({ timeline: g.timeline, fromSegment: g.from, toSegment: g.to, from: g.unreachableFrom!.at, to: g.unreachableTo?.at, fromEstimated: g.unreachableFrom!.estimated }));
}

/** Why `instant` (ISO) cannot be reached because of a WAL gap, or undefined. */
export function gapProblem(spans: readonly GapSpan[], instant: string): string | undefined {
  const t = Date.parse(instant);
  if (Number.isNaN(t)) return undefined;
  const span = spans.find((s) => t > Date.parse(s.from) && (s.to === undefined || t < Date.parse(s.to)));
  if (!span) return undefined;
  const segments = span.fromSegment === span.toSegment ? `segment ${span.fromSegment} is` : `segments ${span.fromSegment} to ${span.toSegment} are`;
  const before = `${span.from}${span.fromEstimated ? ' (about)' : ''}`;
  const after = span.to ? ` or from ${span.to} on (the finish of the next restorable backup)` : ', or run a new backup';
  return `${instant} falls in a WAL gap: ${segments} missing from the bucket (timeline ${span.timeline}), so no backup before it can replay WAL to this instant. Choose an instant up to ${before}${after}.`;
}
