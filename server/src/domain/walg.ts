/**
 * The wal-g "005" layout under a backup prefix (wal-g's storage layout, as the operator's backup Job writes it): base backup sentinels and metadata.json, WAL
 * segment names, compression extensions, and how wal-g backups map to SGBackups. Parsing never throws:
 * a broken object becomes a per-backup problem, not a failed listing.
 */
import { COMPRESSIONS } from './enums';
import { isRecord } from './manifest';
import { postgresMajor } from './describe';
import { get } from './rules/types';

export const BASEBACKUPS_FOLDER = 'basebackups_005/';
export const WAL_FOLDER = 'wal_005/';
export const SENTINEL_SUFFIX = '_backup_stop_sentinel.json';

export type Compression = (typeof COMPRESSIONS)[number];

/** File extension wal-g uses for each compression (`zstd` is `.zst`, `brotli` is `.br`). */
export const COMPRESSION_EXTENSION: Readonly<Record<Compression, string>> = { lz4: 'lz4', lzma: 'lzma', zstd: 'zst', brotli: 'br' };
const EXTENSION_COMPRESSION: Readonly<Record<string, Compression>> = { lz4: 'lz4', lzma: 'lzma', zst: 'zstd', br: 'brotli' };

export function compressionOfExtension(ext: string): Compression | undefined {
  return EXTENSION_COMPRESSION[ext];
}

export function sentinelKey(keyPrefix: string, backupName: string): string {
  return `${keyPrefix}${BASEBACKUPS_FOLDER}${backupName}${SENTINEL_SUFFIX}`;
}

export function metadataKey(keyPrefix: string, backupName: string): string {
  return `${keyPrefix}${BASEBACKUPS_FOLDER}${backupName}/metadata.json`;
}

/** The backup name of a sentinel key listed under `<keyPrefix>basebackups_005/`, or undefined for other keys. */
export function backupNameOfSentinelKey(key: string): string | undefined {
  if (!key.endsWith(SENTINEL_SUFFIX)) return undefined;
  const file = key.slice(key.lastIndexOf('/') + 1);
  const name = file.slice(0, -SENTINEL_SUFFIX.length);
  return name === '' ? undefined : name;
}

// ---------------------------------------------------------------------------------------------------------
// Sentinel and metadata.json

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The fields of `<name>_backup_stop_sentinel.json` this extension shows; every one may be missing. */
export interface Sentinel {
  readonly startLsn?: number;
  readonly finishLsn?: number;
  readonly pgVersion?: number;
  readonly systemIdentifier?: string;
  readonly uncompressedSize?: number;
  readonly compressedSize?: number;
  readonly isPermanent?: boolean;
  readonly startTime?: string;
  readonly finishTime?: string;
  readonly hostname?: string;
  readonly userData?: unknown;
}

/** The fields of `<name>/metadata.json`; every one may be missing. */
export interface BackupMetadata {
  readonly startTime?: string;
  readonly finishTime?: string;
  readonly hostname?: string;
  readonly dataDir?: string;
  readonly pgVersion?: number;
  readonly startLsn?: number;
  readonly finishLsn?: number;
  readonly isPermanent?: boolean;
  readonly systemIdentifier?: string;
  readonly uncompressedSize?: number;
  readonly compressedSize?: number;
  readonly userData?: unknown;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
/** System identifiers exceed 2^53: keep the digits as written when JSON.parse already rounded them. */
const ident = (v: unknown): string | undefined => (typeof v === 'number' || typeof v === 'string' ? String(v) : undefined);

function parseObject(raw: string, what: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    const head = raw.slice(0, 40).replace(/\s+/g, ' ');
    return { ok: false, error: raw.trim() === '' ? `${what} is empty` : `${what} is not JSON (it starts with "${head}")` };
  }
  if (!isRecord(value)) return { ok: false, error: `${what} is JSON but not an object` };
  return { ok: true, value };
}

/** Reads the exact digits of a large integer field from the raw JSON (JSON.parse rounds past 2^53). */
function rawInteger(raw: string, field: string): string | undefined {
  return new RegExp(`"${field}"\\s*:\\s*"?(\\d+)"?`).exec(raw)?.[1];
}

export function parseSentinel(raw: string): Parsed<Sentinel> {
  const parsed = parseObject(raw, 'The backup stop sentinel');
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  return {
    ok: true,
    value: {
      startLsn: num(o.LSN),
      finishLsn: num(o.FinishLSN),
      pgVersion: num(o.PgVersion),
      systemIdentifier: rawInteger(raw, 'SystemIdentifier') ?? ident(o.SystemIdentifier),
      uncompressedSize: num(o.UncompressedSize),
      compressedSize: num(o.CompressedSize),
      isPermanent: bool(o.IsPermanent),
      startTime: text(o.StartTime),
      finishTime: text(o.FinishTime),
      hostname: text(o.Hostname),
      userData: o.UserData,
    },
  };
}

export function parseBackupMetadata(raw: string): Parsed<BackupMetadata> {
  const parsed = parseObject(raw, 'metadata.json');
  if (!parsed.ok) return parsed;
  const o = parsed.value;
  return {
    ok: true,
    value: {
      startTime: text(o.start_time),
      finishTime: text(o.finish_time),
      hostname: text(o.hostname),
      dataDir: text(o.data_dir),
      pgVersion: num(o.pg_version),
      startLsn: num(o.start_lsn),
      finishLsn: num(o.finish_lsn),
      isPermanent: bool(o.is_permanent),
      systemIdentifier: rawInteger(raw, 'system_identifier') ?? ident(o.system_identifier),
      uncompressedSize: num(o.uncompressed_size),
      compressedSize: num(o.compressed_size),
      userData: o.user_data,
    },
  };
}

/** One base backup as the bucket describes it; `problems` says what could not be read. */
export interface WalgBackup {
  readonly name: string;
  /** The sentinel's LastModified from the listing: when the backup finished, available without reading it. */
  readonly listedAt?: string;
  readonly startTime?: string;
  readonly finishTime?: string;
  readonly pgVersion?: number;
  readonly pgMajor?: string;
  readonly startLsn?: string;
  readonly finishLsn?: string;
  readonly startWalFile?: string;
  readonly timeline?: number;
  readonly uncompressedSize?: number;
  readonly compressedSize?: number;
  readonly isPermanent?: boolean;
  readonly hostname?: string;
  readonly systemIdentifier?: string;
  /** A StackGres VolumeSnapshot backup: the data is in a Kubernetes VolumeSnapshot, not in the bucket. */
  readonly volumeSnapshot: boolean;
  readonly problems: readonly string[];
}

/** Combines what the sentinel and metadata.json say; metadata.json wins where both speak. */
export function describeWalgBackup(
  name: string,
  sentinel: Parsed<Sentinel> | undefined,
  metadata: Parsed<BackupMetadata> | undefined,
  listedAt?: Date,
): WalgBackup {
  const s = sentinel?.ok ? sentinel.value : {};
  const m = metadata?.ok ? metadata.value : {};
  const problems: string[] = [];
  if (sentinel && !sentinel.ok) problems.push(sentinel.error);
  if (metadata && !metadata.ok) problems.push(metadata.error);
  const pgVersion = m.pgVersion ?? s.pgVersion;
  const startLsn = m.startLsn ?? s.startLsn;
  const finishLsn = m.finishLsn ?? s.finishLsn;
  const walFile = /^base_([0-9A-F]{24})/.exec(name)?.[1];
  const userData = m.userData ?? s.userData;
  return {
    name,
    listedAt: listedAt?.toISOString(),
    startTime: m.startTime ?? s.startTime,
    finishTime: m.finishTime ?? s.finishTime,
    pgVersion,
    pgMajor: pgVersion !== undefined ? postgresMajor(pgVersion) : undefined,
    startLsn: startLsn !== undefined ? formatLsn(startLsn) : undefined,
    finishLsn: finishLsn !== undefined ? formatLsn(finishLsn) : undefined,
    startWalFile: walFile,
    timeline: walFile ? parseInt(walFile.slice(0, 8), 16) : undefined,
    uncompressedSize: m.uncompressedSize ?? s.uncompressedSize,
    compressedSize: m.compressedSize ?? s.compressedSize,
    isPermanent: m.isPermanent ?? s.isPermanent,
    hostname: m.hostname ?? s.hostname,
    systemIdentifier: m.systemIdentifier ?? s.systemIdentifier,
    volumeSnapshot: userData === 'volume-snapshot',
    problems,
  };
}

/** `0/3000028` style, as Postgres prints LSNs (wal-g stores them as integers). */
export function formatLsn(lsn: number): string {
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn % 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------------------
// WAL object names

export type WalObjectKind = 'segment' | 'partial' | 'backup-history' | 'timeline-history';

export interface WalObject {
  readonly kind: WalObjectKind;
  readonly timeline: number;
  /** Segment fields (absent for timeline history files). */
  readonly log?: number;
  readonly seg?: number;
  /** The 24-hex segment name (absent for timeline history files). */
  readonly segment?: string;
  readonly compression?: Compression;
  /** Encrypted objects carry no extension wal-g knows (or an unknown one). */
  readonly extension?: string;
}

const WAL_NAME = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})(\.partial|\.[0-9A-F]{8}\.backup)?(?:\.([a-z0-9]+))?$/;
const HISTORY_NAME = /^([0-9A-F]{8})\.history(?:\.([a-z0-9]+))?$/;

/** Parses a file name from `wal_005/` (with or without its folder), or undefined for anything else. */
export function parseWalObjectName(keyOrName: string): WalObject | undefined {
  const name = keyOrName.slice(keyOrName.lastIndexOf('/') + 1);
  const h = HISTORY_NAME.exec(name);
  if (h) return { kind: 'timeline-history', timeline: parseInt(h[1], 16), extension: h[2], compression: h[2] ? compressionOfExtension(h[2]) : undefined };
  const m = WAL_NAME.exec(name);
  if (!m) return undefined;
  const kind: WalObjectKind = m[4] === '.partial' ? 'partial' : m[4] ? 'backup-history' : 'segment';
  return {
    kind,
    timeline: parseInt(m[1], 16),
    log: parseInt(m[2], 16),
    seg: parseInt(m[3], 16),
    segment: `${m[1]}${m[2]}${m[3]}`,
    extension: m[5],
    compression: m[5] ? compressionOfExtension(m[5]) : undefined,
  };
}

export function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

export function segmentName(timeline: number, log: number, seg: number): string {
  return `${hex8(timeline)}${hex8(log)}${hex8(seg)}`;
}

// ---------------------------------------------------------------------------------------------------------
// wal-g backups and SGBackups (the operator's create-backup.sh)

export interface SGBackupRef {
  readonly name: string;
  readonly namespace?: string;
}

export interface MatchedBackup {
  readonly name: string;
  /** The SGBackup recording this backup (same `status.internalName` and `status.backupPath`). */
  readonly sgBackup?: SGBackupRef;
  readonly orphan: boolean;
  /** What happens to an orphan: deleted by the next backup when the path is the cluster's current one. */
  readonly note?: string;
}

export interface BackupMatch {
  readonly backups: readonly MatchedBackup[];
  /** Completed SGBackups of this path whose files are not in the bucket. */
  readonly missing: readonly SGBackupRef[];
}

/**
 * Marks each wal-g backup under `backupPath` with its SGBackup, or as an orphan. The operator's backup Job
 * deletes orphans at the next backup of the cluster that writes to this path; in an old path (after a
 * major upgrade or a storage change) nothing deletes them.
 */
export function matchBackups(walgNames: readonly string[], backupPath: string, sgBackups: readonly unknown[], pathIsCurrent: boolean): BackupMatch {
  const byName = new Map<string, SGBackupRef>();
  const inPath: { ref: SGBackupRef; internalName?: string; completed: boolean }[] = [];
  for (const b of sgBackups) {
    if (get(b, ['status', 'backupPath']) !== backupPath) continue;
    const name = get(b, ['metadata', 'name']);
    if (typeof name !== 'string') continue;
    const ns = get(b, ['metadata', 'namespace']);
    const ref: SGBackupRef = typeof ns === 'string' ? { name, namespace: ns } : { name };
    const internalName = get(b, ['status', 'internalName']);
    const entry = { ref, internalName: typeof internalName === 'string' ? internalName : undefined, completed: get(b, ['status', 'process', 'status']) === 'Completed' };
    inPath.push(entry);
    if (entry.internalName && !byName.has(entry.internalName)) byName.set(entry.internalName, ref);
  }
  const present = new Set(walgNames);
  const orphanNote = pathIsCurrent
    ? 'No SGBackup records this backup: the next backup of the cluster deletes it.'
    : 'No SGBackup records this backup, and no cluster backs up to this path any more: nothing will delete it.';
  return {
    backups: walgNames.map((name) => {
      const sgBackup = byName.get(name);
      return sgBackup ? { name, sgBackup, orphan: false } : { name, orphan: true, note: orphanNote };
    }),
    missing: inPath.filter((e) => e.completed && e.internalName && !present.has(e.internalName)).map((e) => e.ref),
  };
}
