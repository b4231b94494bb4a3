/**
 * Two sandbox clusters whose bucket paths show what Verify Recoverability finds, for the demo and the suite:
 *
 *  - `demo-wal-gap`: two Completed backups; two WAL segments between them never reached the bucket, so
 *    instants between the first backup's WAL and the second backup cannot be restored (a red gap, "1 gap").
 *  - `demo-timeline`: a backup on timeline 1, a promotion (the old timeline's `.partial` segment and
 *    `00000002.history.br`, brotli-compressed as wal-g writes it with `compression: brotli`), then WAL on
 *    timeline 2: continuous across the switch, found from the history file.
 *
 * Neither has a schedule, so the simulated operator adds no backups to them (their WAL stays as written).
 */
import { brotliCompressSync } from 'node:zlib';
import { storageLocation } from '@core/objectStore';
import { formatLsn, hex8 } from '@core/walg';
import type { KubeObject, KubeServer } from '../kube-server';
import { SEGMENTS_PER_LOG, seedWalg, walSegmentName, type BackupSeed } from '../s3/seed';
import type { ObjectStore } from '../../client/src/storage/objectStore';

export const WAL_STORIES = { gap: 'demo-wal-gap', timelineSwitch: 'demo-timeline' } as const;

const SEGMENT_BYTES = 16 * 1024 * 1024;
const HOUR = 3_600_000;

export interface WalStory {
  readonly cluster: string;
  readonly keyPrefix: string;
  /** The missing segments (gap) or the first segment of timeline 2 (switch). */
  readonly segments: readonly string[];
}

function startSegment(backup: KubeObject): number {
  const name = String(((backup.status as Record<string, unknown>).internalName as string | undefined) ?? '');
  const m = /^base_([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/.exec(name);
  if (!m) throw new Error(`unexpected wal-g name ${name}`);
  return parseInt(m[2], 16) * SEGMENTS_PER_LOG + parseInt(m[3], 16);
}

/** Seeds both clusters, their SGBackups and their wal-g objects under the storage `storage` (on RGW). */
export async function seedWalStories(server: KubeServer, store: ObjectStore, namespace: string, storage: KubeObject): Promise<{ gap: WalStory; timelineSwitch: WalStory }> {
  const seed = server.seed;
  const now = server.clock.now();
  const backupsType = server.registry.byStoreKey('stackgres.io/sgbackups');
  if (!backupsType) throw new Error('the kube server serves no sgbackups');

  const story = async (name: string, compression: 'lz4' | 'brotli', backupNames: readonly string[], write: (prefix: string, backups: BackupSeed[]) => Promise<string[]>): Promise<WalStory> => {
    const cluster = seed.cluster(namespace, name, { version: '16.4', createdAt: now - 3 * 24 * HOUR, backups: { sgObjectStorage: storage.metadata.name, compression, retention: 5 } });
    // A backup a day, the newest six hours ago; each starts 12 segments after the previous one.
    const objects = backupNames.map((backup, i) => seed.backupObject(cluster, now - (6 + 24 * (backupNames.length - 1 - i)) * HOUR, { name: `${name}-${backup}`, lsn: 0x3000000 + 12 * i * SEGMENT_BYTES }));
    for (const o of objects) server.api.putInternal(backupsType, o);
    const backupPath = ((cluster.status as Record<string, unknown>).backupPaths as string[])[0];
    const location = storageLocation(storage.spec, backupPath);
    if (!location.ok) throw new Error(`the sandbox storage has no location: ${location.error}`);
    const backups = objects.map((o): BackupSeed => {
      const process = (o.status as Record<string, { timing: { end: string } }>).process;
      return { name: String((o.status as Record<string, unknown>).internalName), timeline: 1, startSegment: startSegment(o), finishedAt: new Date(Date.parse(process.timing.end)), pgVersion: 160004 };
    });
    return { cluster: name, keyPrefix: location.value.keyPrefix, segments: await write(location.value.keyPrefix, backups) };
  };

  const gap = await story(WAL_STORIES.gap, 'lz4', ['before-gap', 'after-gap'], async (prefix, [first, second]) => {
    // Archived from the first backup to past the second, but for two segments in between.
    const missingFrom = first.startSegment + 4;
    await seedWalg(store, prefix, {
      backups: [first, second],
      wal: [
        { timeline: 1, from: first.startSegment, count: missingFrom - first.startSegment },
        { timeline: 1, from: missingFrom + 2, count: second.startSegment + 4 - (missingFrom + 2) },
      ],
      compression: 'lz4',
    });
    return [walSegmentName(1, missingFrom), walSegmentName(1, missingFrom + 1)];
  });

  const timelineSwitch = await story(WAL_STORIES.timelineSwitch, 'brotli', ['before-failover'], async (prefix, [first]) => {
    // Promoted in the middle of segment `at` of timeline 1: timeline 2 begins in that same segment.
    const at = first.startSegment + 5;
    const history = `1\t${formatLsn(at * SEGMENT_BYTES + 0x28)}\tno recovery target specified\n`;
    await seedWalg(store, prefix, {
      backups: [first],
      wal: [
        { timeline: 1, from: first.startSegment, count: at - first.startSegment },
        { timeline: 2, from: at, count: 10 },
      ],
      compression: 'brotli',
    });
    await store.put(`${prefix}wal_005/${walSegmentName(1, at)}.partial.br`, brotliCompressSync('partial segment'));
    await store.put(`${prefix}wal_005/${hex8(2)}.history.br`, brotliCompressSync(history));
    return [walSegmentName(2, at)];
  });
  return { gap, timelineSwitch };
}
