// Realistic SGBackup status contents, shaped like StackGres 1.18 writes them (wal-g names, decimal
// LSNs, server_version_num, sizes), shared by the simulated operator and the seeds.
import * as crypto from 'node:crypto';

const LATEST_MINOR: Record<string, string> = { '17': '17.6', '16': '16.10', '15': '15.14', '14': '14.19', '13': '13.22', '12': '12.22' };

/** `16.4` → `16.4`; `16` → latest 16 minor; `latest` → latest 17. */
export function resolvePostgresVersion(version: unknown): string {
  const v = String(version ?? 'latest');
  if (v === 'latest') {
    return LATEST_MINOR['17'];
  }
  if (/^\d+$/.test(v)) {
    return LATEST_MINOR[v] ?? `${v}.0`;
  }
  return v;
}

export function postgresMajor(version: unknown): string {
  return resolvePostgresVersion(version).split('.')[0];
}

/** server_version_num: `16.4` → `160004`. */
export function serverVersionNum(version: unknown): string {
  const [major, minor] = resolvePostgresVersion(version).split('.').map(Number);
  return String(major * 10000 + (minor || 0));
}

const SEGMENT = 16 * 1024 * 1024;

export function walFileName(timeline: number, lsn: number): string {
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
  const logId = Math.floor(lsn / 2 ** 32);
  const seg = Math.floor((lsn % 2 ** 32) / SEGMENT);
  return hex(timeline) + hex(logId) + hex(seg);
}

/** A stable 19-digit system identifier for a cluster. */
export function systemIdentifier(seed: string): string {
  const h = crypto.createHash('sha256').update(seed).digest();
  return '7' + (h.readBigUInt64BE(0) % 10n ** 18n).toString().padStart(18, '0');
}

/** Default backup path (StackGres >= 1.10): sgbackups.stackgres.io/<ns>/<cluster>/<yyyy-MM-dd-HH-mm-ss>/<major>. */
export function defaultBackupPath(namespace: string, cluster: string, atMs: number, major: string): string {
  const ts = new Date(atMs).toISOString().slice(0, 19).replace('T', '-').replace(/:/g, '-');
  return `sgbackups.stackgres.io/${namespace}/${cluster}/${ts}/${major}`;
}

/** `<cluster>-YYYY-MM-DD-HH-MM-SS` (UTC), the name a scheduled backup gets. */
export function scheduledBackupName(cluster: string, atMs: number): string {
  return `${cluster}-${new Date(atMs).toISOString().slice(0, 19).replace('T', '-').replace(/:/g, '-')}`;
}

export function jobPodName(job: string): string {
  return `${job}-${crypto.randomBytes(4).toString('hex').slice(0, 5)}`;
}

function micro(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, `${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}Z`);
}

export interface CompletedInput {
  clusterName: string;
  clusterUid: string;
  postgresVersion: unknown;
  backupPath: string;
  storage: unknown;
  compression: string;
  managedLifecycle: boolean;
  jobPod: string;
  startMs: number;
  endMs: number;
  /** WAL position (bytes) where the backup starts. */
  lsn: number;
  timeline?: number;
}

export function completedStatus(i: CompletedInput): Record<string, unknown> {
  const timeline = i.timeline ?? 1;
  const startLsn = i.lsn + 40;
  const endLsn = startLsn + 208 + Math.floor(Math.random() * 65536);
  const startWalFile = walFileName(timeline, startLsn);
  const uncompressed = 20_000_000 + Math.floor(Math.random() * 180_000_000);
  const sysid = systemIdentifier(i.clusterUid);
  return {
    internalName: `base_${startWalFile}`,
    backupPath: i.backupPath,
    process: {
      status: 'Completed',
      jobPod: i.jobPod,
      managedLifecycle: i.managedLifecycle,
      timing: { start: micro(i.startMs), end: micro(i.endMs), stored: new Date(i.endMs + 37).toISOString() },
    },
    backupInformation: {
      hostname: `${i.clusterName}-0`,
      sourcePod: `${i.clusterName}-0`,
      systemIdentifier: sysid,
      postgresVersion: serverVersionNum(i.postgresVersion),
      pgData: '/var/lib/postgresql/data',
      size: { uncompressed, compressed: Math.floor(uncompressed * (0.18 + Math.random() * 0.2)) },
      lsn: { start: String(startLsn), end: String(endLsn) },
      startWalFile,
      timeline: String(timeline),
      controlData: {
        'pg_control version number': '1300',
        'Database system identifier': sysid,
        'Database cluster state': 'in production',
        "Latest checkpoint's TimeLineID": String(timeline),
        'Data page checksum version': '1',
      },
    },
    sgBackupConfig: { baseBackups: { compression: i.compression }, storage: i.storage },
  };
}

/** Advance a WAL position by a few segments, as a busy database between backups. */
export function advanceLsn(lsn: number): number {
  return (Math.floor(lsn / SEGMENT) + 2 + Math.floor(Math.random() * 6)) * SEGMENT;
}
