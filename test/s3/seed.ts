/**
 * Writes wal-g-shaped objects into a bucket through an `ObjectStore`: base backups (sentinel,
 * metadata.json, files_metadata.json, tar partitions as tiny dummy objects) and WAL segments across
 * timelines with their history files. Used by the storage tests, the demo and the benchmark.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync } from 'node:zlib';
import { Compression, COMPRESSION_EXTENSION, hex8, segmentName, BASEBACKUPS_FOLDER, WAL_FOLDER, SENTINEL_SUFFIX } from '@core/walg';
import { mapLimit } from '../../client/src/storage/baseBackups';
import type { ObjectStore } from '../../client/src/storage/objectStore';

/** 16 MiB segments: 256 per log file. */
export const SEGMENTS_PER_LOG = 0x100;

export interface BackupSeed {
  readonly name: string;
  readonly timeline: number;
  readonly startSegment: number;
  readonly finishedAt: Date;
  /** `not-json` writes a sentinel wal-g could never have written; `missing` leaves the backup unfinished. */
  readonly sentinel?: 'json' | 'not-json' | 'missing';
  readonly permanent?: boolean;
  readonly pgVersion?: number;
}

export interface WalRun {
  readonly timeline: number;
  /** Absolute segment number (log * 256 + seg) of the first segment. */
  readonly from: number;
  readonly count: number;
}

export interface WalgSeed {
  readonly backups?: readonly BackupSeed[];
  readonly wal?: readonly WalRun[];
  /** Timelines that get a `<TLI>.history` file (timeline 1 never has one). */
  readonly histories?: readonly number[];
  readonly compression?: Compression;
  /** Write files_metadata.json and the tar partitions too (default true); listings only need the rest. */
  readonly dataObjects?: boolean;
  readonly concurrency?: number;
}

export function walSegmentName(timeline: number, absolute: number): string {
  return segmentName(timeline, Math.floor(absolute / SEGMENTS_PER_LOG), absolute % SEGMENTS_PER_LOG);
}

/** `count` finished backups on one timeline, one every `everySegments` segments, an hour apart. */
export function backupSeeds(count: number, options: { timeline?: number; firstSegment?: number; everySegments?: number; from?: Date } = {}): BackupSeed[] {
  const timeline = options.timeline ?? 1;
  const first = options.firstSegment ?? 2;
  const every = options.everySegments ?? 3;
  const from = options.from?.getTime() ?? Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => ({
    name: `base_${walSegmentName(timeline, first + i * every)}`,
    timeline,
    startSegment: first + i * every,
    finishedAt: new Date(from + i * 3_600_000),
    pgVersion: 160004,
  }));
}

const LSN_PER_SEGMENT = 16 * 1024 * 1024;
/** Larger than 2^53, as real ones are: written as a bare JSON number like wal-g does. */
export const SYSTEM_IDENTIFIER = '7301234567890123457';

function walgTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Every object of `seed` as key → body, in a stable order. */
export function walgObjects(keyPrefix: string, seed: WalgSeed): Map<string, string> {
  const ext = COMPRESSION_EXTENSION[seed.compression ?? 'lz4'];
  const out = new Map<string, string>();
  const base = `${keyPrefix}${BASEBACKUPS_FOLDER}`;
  for (const b of seed.backups ?? []) {
    const startLsn = b.startSegment * LSN_PER_SEGMENT + 40;
    const finishLsn = startLsn + LSN_PER_SEGMENT;
    const start = new Date(b.finishedAt.getTime() - 90_000);
    const metadata = {
      start_time: walgTime(start),
      finish_time: walgTime(b.finishedAt),
      date_fmt: '%Y-%m-%dT%H:%M:%S.%fZ',
      hostname: 'cluster-0',
      data_dir: '/var/lib/postgresql/data',
      pg_version: b.pgVersion ?? 160004,
      start_lsn: startLsn,
      finish_lsn: finishLsn,
      is_permanent: b.permanent ?? false,
      system_identifier: '__SYSTEM_IDENTIFIER__',
      uncompressed_size: 31_457_280,
      compressed_size: 4_194_304,
      user_data: null,
    };
    out.set(`${base}${b.name}/metadata.json`, JSON.stringify(metadata).replace('"__SYSTEM_IDENTIFIER__"', SYSTEM_IDENTIFIER));
    if (seed.dataObjects !== false) {
      out.set(`${base}${b.name}/files_metadata.json`, '{"Files":{},"TarFileSets":{}}');
      out.set(`${base}${b.name}/tar_partitions/part_001.tar.${ext}`, 'dummy partition');
      out.set(`${base}${b.name}/tar_partitions/pg_control.tar.${ext}`, 'dummy pg_control');
    }
    if (b.sentinel === 'missing') continue;
    const sentinel = b.sentinel === 'not-json'
      ? '<?xml version="1.0"?><Error>not what wal-g writes</Error>'
      : `{"LSN":${startLsn},"FinishLSN":${finishLsn},"PgVersion":${b.pgVersion ?? 160004},"SystemIdentifier":${SYSTEM_IDENTIFIER},"UncompressedSize":31457280,"CompressedSize":4194304,"IsPermanent":${b.permanent ?? false},"UserData":null,"Spec":null}`;
    out.set(`${base}${b.name}${SENTINEL_SUFFIX}`, sentinel);
  }
  const wal = `${keyPrefix}${WAL_FOLDER}`;
  for (const tli of seed.histories ?? []) out.set(`${wal}${hex8(tli)}.history.${ext}`, `${tli - 1}\t0/${(tli * 0x1000000).toString(16).toUpperCase()}\tno recovery target specified\n`);
  for (const run of seed.wal ?? []) {
    for (let i = 0; i < run.count; i++) out.set(`${wal}${walSegmentName(run.timeline, run.from + i)}.${ext}`, 'w');
  }
  return out;
}

/** Writes the objects of `seed` under `keyPrefix`; returns their keys. */
export async function seedWalg(store: ObjectStore, keyPrefix: string, seed: WalgSeed): Promise<string[]> {
  const objects = [...walgObjects(keyPrefix, seed)];
  await mapLimit(objects, seed.concurrency ?? 32, ([key, body]) => store.put(key, body));
  return objects.map(([key]) => key);
}

/** `00000002.history` after a promotion at 0/15000000 (segment 21 of timeline 1). */
export const HISTORY_2 = '1\t0/15000000\tno recovery target specified\n';

/**
 * HISTORY_2 as wal-g stores it, by file extension: lz4 and zstd frames made by the reference tools
 * (`lz4` 1.9.4 and `zstd` 1.5.4 on the text above), brotli by Node's zlib (the reference library), and an
 * encrypted one: bytes that look random (fixed, so every run sees the same), as libsodium's secretstream
 * output looks to anyone without the key.
 */
export const HISTORY_2_STORED: Readonly<Record<'lz4' | 'zst' | 'br' | 'encrypted', Uint8Array>> = {
  lz4: Buffer.from('BCJNGGRApyoAAIAxCTAvMTUwMDAwMDAJbm8gcmVjb3ZlcnkgdGFyZ2V0IHNwZWNpZmllZAoAAAAA7udDUA==', 'base64'),
  zst: Buffer.from('KLUv/SQqUQEAMQkwLzE1MDAwMDAwCW5vIHJlY292ZXJ5IHRhcmdldCBzcGVjaWZpZWQKFOLmEA==', 'base64'),
  br: brotliCompressSync(HISTORY_2),
  encrypted: Buffer.concat([1, 2].map((i) => createHash('sha512').update(`secretstream stand-in ${i}`).digest())).subarray(0, 24 + 17 + HISTORY_2.length),
};
