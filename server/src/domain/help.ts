/**
 * Hover texts for the fields where a DBA needs more than the schema's one-liner: what the value does,
 * what the operator does with it, and, for schedules and retention, what it means for this manifest.
 * Markdown; written in our own words from the StackGres documentation and the operator's source.
 */
import { COMPRESSIONS, STORAGE_CLASSES, STORAGE_TYPES } from './enums';
import { checkCron } from './cron';
import type { PathSegment } from './locate';
import { markdownCode, markdownText } from './markdown';
import { get } from './rules/types';

export function schemaPath(path: readonly PathSegment[]): string {
  return path.map((s) => (typeof s === 'number' ? '[]' : s)).join('.').replace(/\.\[\]/g, '[]');
}

export interface HoverContext {
  readonly kind: string;
  readonly path: readonly PathSegment[];
  /** The whole manifest's value, for texts that depend on sibling fields. */
  readonly manifest: unknown;
  /** "Now", injectable for tests. */
  readonly now: Date;
}

const BACKUPS = /^spec\.configurations\.backups\[\]\.(\w+)$/;

export function fieldHelp(ctx: HoverContext): string | undefined {
  const p = schemaPath(ctx.path);
  if (ctx.kind === 'SGCluster' || ctx.kind === 'SGShardedCluster') {
    const m = BACKUPS.exec(p);
    if (m) {
      const entry = get(ctx.manifest, ctx.path.slice(0, -1));
      const index = ctx.path[ctx.path.length - 2];
      const ignored = typeof index === 'number' && index > 0 ? '\n\n_This entry is not the first one: the operator ignores it._' : '';
      switch (m[1]) {
        case 'cronSchedule':
          return cronHelp(get(entry, ['cronSchedule']), ctx.now) + ignored;
        case 'retention':
          return retentionHelp(get(entry, ['retention']), get(entry, ['cronSchedule']), ctx.now) + ignored;
        case 'compression':
          return compressionHelp(get(entry, ['compression'])) + ignored;
        default:
          return undefined;
      }
    }
  }
  if (ctx.kind === 'SGObjectStorage' || ctx.kind === 'SGBackup') {
    const base = ctx.kind === 'SGObjectStorage' ? 'spec' : 'status.sgBackupConfig.storage';
    if (p === `${base}.type`) return storageTypeHelp(get(ctx.manifest, ctx.path));
    if (p === `${base}.s3.storageClass` || p === `${base}.s3Compatible.storageClass`) return storageClassHelp(get(ctx.manifest, ctx.path));
  }
  return undefined;
}

function fmt(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/:00\.000Z$/, ' UTC').replace(/\.000Z$/, ' UTC');
}

export function cronHelp(value: unknown, now: Date): string {
  const head = '**cronSchedule**: when the operator starts a new base backup (a Kubernetes CronJob, 5 fields `minute hour day-of-month month day-of-week`, always in **UTC**). Without it there are no scheduled base backups; WAL is still archived and manual SGBackups still work.';
  if (typeof value !== 'string') return head;
  const check = checkCron(value);
  // The value is the manifest's: shown as code. Problems quote parts of it, so they are text; a description
  // is written by the cron library about a schedule that parsed.
  if (!check.ok) return `${head}\n\n${markdownCode(value)}: ${markdownText(check.problem)}`;
  if (check.neverRuns) return `${head}\n\n${markdownCode(value)}: ${check.description}. ${markdownText(check.reason)}`;
  const runs = check.nextRuns(now, 3);
  const next = runs.length ? `\n\nNext runs (UTC):\n${runs.map((d) => `- ${fmt(d)}`).join('\n')}` : '';
  return `${head}\n\n${markdownCode(value)}: **${check.description}**${next}`;
}

export function retentionHelp(value: unknown, cron: unknown, now: Date): string {
  const n = typeof value === 'number' ? value : 5;
  const lines = [
    `**retention**: how many backups with a managed lifecycle are kept (default 5, at least 1).`,
    `After each successful backup the operator keeps the newest ${n} managed backups (scheduled ones, and manual SGBackups with \`managedLifecycle: true\`) and deletes older ones from the bucket, together with the WAL older than the oldest kept backup. Backups with \`managedLifecycle: false\` are never deleted by retention.`,
  ];
  if (typeof cron === 'string') {
    const check = checkCron(cron);
    if (check.ok && !check.neverRuns) {
      const runs = check.nextRuns(now, n + 1);
      if (runs.length > 1) {
        const span = runs[runs.length - 1].getTime() - runs[0].getTime();
        lines.push(`With ${markdownCode(cron)} that is about **${humanDuration(span)}** of history: point-in-time recovery reaches back to the oldest kept backup.`);
      }
    }
  }
  return lines.join('\n\n');
}

export function humanDuration(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 48) return `${Math.round(hours)} hours`;
  const days = hours / 24;
  if (days < 60) return `${Math.round(days)} days`;
  return `${Math.round(days / 30)} months`;
}

const COMPRESSION_TEXT: Record<string, string> = {
  lz4: 'fastest and lightest on CPU, largest files (the default)',
  lzma: 'much slower, files several times smaller than lz4',
  zstd: 'a good balance: close to lzma in size at a fraction of its CPU time',
  brotli: 'small files, slower than zstd',
};

export function compressionHelp(value: unknown): string {
  const list = COMPRESSIONS.map((c) => `- \`${c}\`: ${COMPRESSION_TEXT[c]}${c === value ? ' ← this one' : ''}`).join('\n');
  return `**compression**: how wal-g compresses base backups and WAL segments before upload (default \`lz4\`). Changing it affects new files only; old ones stay readable.\n\n${list}`;
}

const TYPE_TEXT: Record<string, string> = {
  s3: 'Amazon S3. Needs `s3.bucket` and credentials: `useIAMRole: true` (IRSA / pod identity) or access keys from a Secret.',
  s3Compatible: 'Any S3 API: MinIO, Ceph, DigitalOcean Spaces, OCI, Cloudflare R2, Wasabi. Needs `s3Compatible.bucket`, `endpoint` and access keys from a Secret.',
  gcs: 'Google Cloud Storage. Needs `gcs.bucket` and a service-account JSON key from a Secret, or Workload Identity (`fetchCredentialsFromMetadataService: true`).',
  azureBlob: 'Azure Blob Storage. Needs `azureBlob.bucket` (the container) and the storage account name and access key from a Secret.',
};

export function storageTypeHelp(value: unknown): string {
  const list = STORAGE_TYPES.map((t) => `- \`${t}\`: ${TYPE_TEXT[t]}${t === value ? ' ← this one' : ''}`).join('\n');
  return `**type**: which object store holds the backups; exactly the section of the same name must be set.\n\n${list}\n\nWithout \`type\` the operator assumes \`s3Compatible\` and fills MinIO defaults (endpoint \`http://minio:9000\`, bucket \`stackgres\`).`;
}

const CLASS_TEXT: Record<string, string> = {
  STANDARD: 'frequent access, no retrieval fee (the default)',
  STANDARD_IA: 'cheaper storage for data read rarely; retrieval fees and a 30-day minimum per object. Restores cost more',
  REDUCED_REDUNDANCY: 'legacy AWS class, no longer cheaper than STANDARD; not recommended',
};

export function storageClassHelp(value: unknown): string {
  const list = STORAGE_CLASSES.map((c) => `- \`${c}\`: ${CLASS_TEXT[c]}${c === value ? ' ← this one' : ''}`).join('\n');
  return `**storageClass**: the S3 storage class wal-g sets on every object it uploads. The operator accepts exactly these values (upper case):\n\n${list}`;
}
