// Seed data: a small demo world (namespaces, storages, placeholder Secrets, clusters and a backup
// history with Completed and Failed backups and a cross-namespace copy), and a bulk seed for
// benchmarks. Secret values are placeholders, never real credentials.
import * as crypto from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { OPERATOR_VERSION } from './admission';
import type { ObjectApi } from './api';
import { advanceLsn, completedStatus, defaultBackupPath, jobPodName, postgresMajor, resolvePostgresVersion, scheduledBackupName } from './backupinfo';
import type { Clock } from './clock';
import { NAMESPACES, SECRETS, type KubeObject, type ResourceRegistry, type ResourceType } from './resources';

const HOUR = 3600_000;
/** Objects a person would have written are owned by kubectl, status by the operator. */
const USER_MANAGER = 'kubectl-client-side-apply';
type Rec = Record<string, unknown>;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export interface BulkOptions {
  namespaces: number;
  backupsPerNamespace: number;
  /** Namespace name prefix (default `bench-`). */
  prefix?: string;
}

export class Seeder {
  private readonly clusters: ResourceType;
  private readonly backups: ResourceType;
  private readonly storages: ResourceType;

  constructor(
    private readonly api: ObjectApi,
    registry: ResourceRegistry,
    private readonly clock: Clock,
  ) {
    this.clusters = registry.byStoreKey('stackgres.io/sgclusters') as ResourceType;
    this.backups = registry.byStoreKey('stackgres.io/sgbackups') as ResourceType;
    this.storages = registry.byStoreKey('stackgres.io/sgobjectstorages') as ResourceType;
  }

  namespace(name: string): KubeObject {
    return this.api.putInternal(NAMESPACES, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    }, USER_MANAGER);
  }

  secret(ns: string, name: string, keys: string[]): KubeObject {
    return this.api.putInternal(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns },
      type: 'Opaque',
      data: Object.fromEntries(keys.map((k) => [k, b64(`placeholder-${k}`)])),
    }, USER_MANAGER);
  }

  objectStorage(ns: string, name: string, spec: Rec): KubeObject {
    return this.api.putInternal(this.storages, {
      apiVersion: this.storages.apiVersion,
      kind: this.storages.kind,
      metadata: { name, namespace: ns, annotations: { 'stackgres.io/operatorVersion': OPERATOR_VERSION } },
      spec,
    }, USER_MANAGER);
  }

  cluster(ns: string, name: string, opts: { version: string; instances?: number; backups?: Rec; createdAt?: number }): KubeObject {
    const createdAt = opts.createdAt ?? this.clock.now();
    const version = resolvePostgresVersion(opts.version);
    const spec: Rec = {
      instances: opts.instances ?? 1,
      postgres: { version: opts.version, flavor: 'vanilla' },
      pods: { persistentVolume: { size: '10Gi' } },
      sgInstanceProfile: 'size-s',
    };
    if (opts.backups) {
      spec.configurations = { backups: [{ compression: 'lz4', retention: 5, ...opts.backups }] };
    }
    const created = this.api.putInternal(
      this.clusters,
      {
        apiVersion: this.clusters.apiVersion,
        kind: this.clusters.kind,
        metadata: { name, namespace: ns, creationTimestamp: this.clock.timestamp(createdAt), annotations: { 'stackgres.io/operatorVersion': OPERATOR_VERSION } },
        spec,
      },
      USER_MANAGER,
    );
    return this.api.putInternal(this.clusters, {
      ...created,
      status: opts.backups ? { backupPaths: [defaultBackupPath(ns, name, createdAt, postgresMajor(version))], postgresVersion: version } : { postgresVersion: version },
    });
  }

  /** A finished backup of `cluster` taken at `atMs`; scheduled ones get the CronJob's names and labels. */
  backupObject(cluster: KubeObject, atMs: number, opts: { scheduled?: boolean; name?: string; failure?: string; lsn: number }): KubeObject {
    const ns = cluster.metadata.namespace as string;
    const clusterName = cluster.metadata.name as string;
    const conf = ((((cluster.spec as Rec).configurations as Rec | undefined)?.backups as Rec[] | undefined) ?? [])[0] ?? {};
    const storage = this.api.store.get(this.storages.storeKey, ns, String(conf.sgObjectStorage));
    const scheduled = opts.scheduled ?? false;
    const name = opts.name ?? (scheduled ? scheduledBackupName(clusterName, atMs) : `${clusterName}-manual-${crypto.randomBytes(3).toString('hex')}`);
    const job = scheduled ? `${clusterName}-backup-${Math.floor(atMs / 60000)}` : `${name}-backup`;
    const backupPath = ((cluster.status as Rec | undefined)?.backupPaths as string[] | undefined)?.[0] ?? '';
    const metadata: Rec = {
      name,
      namespace: ns,
      uid: crypto.randomUUID(),
      creationTimestamp: this.clock.timestamp(atMs),
      generation: 1,
      annotations: { 'stackgres.io/operatorVersion': OPERATOR_VERSION, ...(scheduled ? { 'stackgres.io/scheduled-backup': 'true' } : {}) },
    };
    if (scheduled) {
      metadata.labels = { 'stackgres.io/scheduled-backup': 'true', 'stackgres.io/scheduled-backup-job-name': job };
    }
    const compression = String(conf.compression ?? 'lz4');
    const status = opts.failure
      ? {
          backupPath,
          process: { status: 'Failed', failure: opts.failure, jobPod: jobPodName(job) },
          sgBackupConfig: { baseBackups: { compression }, storage: storage?.spec },
        }
      : completedStatus({
          clusterName,
          clusterUid: cluster.metadata.uid as string,
          postgresVersion: ((cluster.spec as Rec).postgres as Rec).version,
          backupPath,
          storage: storage?.spec,
          compression,
          managedLifecycle: scheduled,
          jobPod: jobPodName(job),
          startMs: atMs + 5_000,
          endMs: atMs + 5_000 + 60_000 + Math.floor(Math.random() * 600_000),
          lsn: opts.lsn,
        });
    return {
      apiVersion: this.backups.apiVersion,
      kind: this.backups.kind,
      metadata: metadata as KubeObject['metadata'],
      spec: { sgCluster: clusterName, managedLifecycle: scheduled },
      status,
    };
  }

  /**
   * Namespaces `demo` and `staging` with storages, Secrets, clusters and a backup history. Two clusters need
   * attention: `billing`, whose schedule stopped four days ago (its CronJob suspended: overdue), and
   * `payments`, whose last scheduled backups failed (and keep failing); the caller tells the operator.
   */
  demo(): DemoSeed {
    const now = this.clock.now();
    for (const ns of ['demo', 'staging']) {
      this.namespace(ns);
    }
    this.secret('demo', 's3-backup-credentials', ['accessKeyId', 'secretAccessKey']);
    this.secret('demo', 'minio-credentials', ['accesskey', 'secretkey']);
    this.secret('staging', 'gcs-backup-credentials', ['service-account.json']);
    this.secret('staging', 's3-backup-credentials', ['accessKeyId', 'secretAccessKey']);
    this.objectStorage('demo', 's3-backups', {
      type: 's3',
      s3: {
        bucket: 'acme-postgres-backups/demo',
        region: 'eu-west-1',
        storageClass: 'STANDARD_IA',
        awsCredentials: {
          secretKeySelectors: {
            accessKeyId: { name: 's3-backup-credentials', key: 'accessKeyId' },
            secretAccessKey: { name: 's3-backup-credentials', key: 'secretAccessKey' },
          },
        },
      },
    });
    this.objectStorage('demo', 'minio-local', {
      type: 's3Compatible',
      s3Compatible: {
        bucket: 'stackgres',
        endpoint: 'http://127.0.0.1:9000',
        region: 'k8s',
        enablePathStyleAddressing: true,
        awsCredentials: {
          secretKeySelectors: {
            accessKeyId: { name: 'minio-credentials', key: 'accesskey' },
            secretAccessKey: { name: 'minio-credentials', key: 'secretkey' },
          },
        },
      },
    });
    this.objectStorage('staging', 'gcs-backups', {
      type: 'gcs',
      gcs: {
        bucket: 'acme-staging-backups',
        gcpCredentials: { secretKeySelectors: { serviceAccountJSON: { name: 'gcs-backup-credentials', key: 'service-account.json' } } },
      },
    });

    const orders = this.cluster('demo', 'orders', {
      version: '16.4',
      instances: 2,
      createdAt: now - 40 * 24 * HOUR,
      backups: { sgObjectStorage: 's3-backups', cronSchedule: '0 */6 * * *', retention: 5 },
    });
    const inventory = this.cluster('demo', 'inventory', {
      version: '15.8',
      createdAt: now - 20 * 24 * HOUR,
      backups: { sgObjectStorage: 'minio-local', cronSchedule: '30 2 * * *', retention: 3, compression: 'zstd' },
    });
    this.cluster('demo', 'analytics', { version: '17', createdAt: now - 2 * 24 * HOUR });
    const stagingOrders = this.cluster('staging', 'orders-staging', {
      version: '17.2',
      createdAt: now - 10 * 24 * HOUR,
      backups: { sgObjectStorage: 'gcs-backups', cronSchedule: '0 3 * * *', retention: 7, compression: 'brotli' },
    });

    const history: KubeObject[] = [];
    let lsn = 0x5000000;
    const sixHours = Math.floor(now / (6 * HOUR)) * 6 * HOUR;
    for (let i = 5; i >= 1; i--) {
      lsn = advanceLsn(lsn);
      history.push(this.backupObject(orders, sixHours - i * 6 * HOUR, { scheduled: true, lsn }));
    }
    lsn = advanceLsn(lsn);
    history.push(this.backupObject(orders, now - 30 * 60_000, { name: 'orders-before-migration', lsn }));
    history.push(
      this.backupObject(orders, now - 3 * HOUR, {
        name: 'orders-manual-failed',
        failure: 'Backup failed while perfroming backup-push:\nERROR: 2025/01/01 00:00:00.000000 failed to upload: connection reset by peer',
        lsn,
      }),
    );
    // The last scheduled runs that finished (15 minutes leave room for the backup to run): healthy clusters.
    let ilsn = 0x2000000;
    for (const at of lastRuns('30 2 * * *', now - 15 * 60_000, 3)) {
      ilsn = advanceLsn(ilsn);
      history.push(this.backupObject(inventory, at, { scheduled: true, lsn: ilsn }));
    }
    let slsn = 0x1000000;
    for (const at of lastRuns('0 3 * * *', now - 15 * 60_000, 2)) {
      slsn = advanceLsn(slsn);
      history.push(this.backupObject(stagingOrders, at, { scheduled: true, lsn: slsn }));
    }
    // billing: daily at 04:00 until four days ago, then nothing (its CronJob was suspended).
    const billing = this.cluster('demo', 'billing', {
      version: '16.4',
      createdAt: now - 30 * 24 * HOUR,
      backups: { sgObjectStorage: 's3-backups', cronSchedule: '0 4 * * *', retention: 5 },
    });
    let blsn = 0x4000000;
    for (const at of lastRuns('0 4 * * *', now - 4 * 24 * HOUR, 3)) {
      blsn = advanceLsn(blsn);
      history.push(this.backupObject(billing, at, { scheduled: true, lsn: blsn }));
    }
    // payments: every 6 hours; Completed until a day ago, the runs since Failed (the bucket refuses the keys).
    const payments = this.cluster('demo', 'payments', {
      version: '16.4',
      createdAt: now - 30 * 24 * HOUR,
      backups: { sgObjectStorage: 's3-backups', cronSchedule: '0 */6 * * *', retention: 5 },
    });
    let plsn = 0x6000000;
    for (const at of lastRuns('0 */6 * * *', now - 15 * 60_000, 6)) {
      plsn = advanceLsn(plsn);
      const failed = at > now - 24 * HOUR;
      history.push(this.backupObject(payments, at, { scheduled: true, lsn: plsn, ...(failed ? { failure: PAYMENTS_FAILURE } : {}) }));
    }
    for (const b of history) {
      this.api.putInternal(this.backups, b);
    }
    // A copy of a demo backup in staging, as made for a cross-namespace restore (spec.sgCluster = <ns>.<cluster>).
    const source = history[3];
    this.api.putInternal(this.backups, {
      ...structuredClone(source),
      metadata: { name: `${source.metadata.name}-copy`, namespace: 'staging', annotations: { 'stackgres.io/operatorVersion': OPERATOR_VERSION } },
      spec: { sgCluster: 'demo.orders', managedLifecycle: false },
    });
    return { suspendedSchedules: [{ namespace: 'demo', cluster: 'billing' }], failingClusters: [{ namespace: 'demo', cluster: 'payments', failure: PAYMENTS_FAILURE }] };
  }

  /**
   * Many namespaces, each with one SGObjectStorage, one SGCluster and `backupsPerNamespace`
   * Completed SGBackups, inserted in one go (no watch events; older watches must re-list).
   */
  bulk(opts: BulkOptions): { namespaces: string[]; backups: number } {
    const prefix = opts.prefix ?? 'bench-';
    const now = this.clock.now();
    const names: string[] = [];
    const backups: KubeObject[] = [];
    const width = String(opts.namespaces - 1).length;
    for (let n = 0; n < opts.namespaces; n++) {
      const ns = `${prefix}${String(n).padStart(width, '0')}`;
      names.push(ns);
      this.namespace(ns);
      this.objectStorage(ns, 'backups', OBJECT_STORAGE_SPEC);
      const cluster = this.cluster(ns, 'db', { version: '16.4', backups: { sgObjectStorage: 'backups', retention: opts.backupsPerNamespace }, createdAt: now - 400 * 24 * HOUR });
      let lsn = 0x1000000;
      for (let i = opts.backupsPerNamespace; i >= 1; i--) {
        lsn = advanceLsn(lsn);
        backups.push(this.backupObject(cluster, now - i * HOUR, { scheduled: true, lsn }));
      }
    }
    this.api.store.bulkInsert(this.backups.storeKey, backups);
    return { namespaces: names, backups: backups.length };
  }
}

/** What the operator must keep doing for the demo world to stay as seeded. */
export interface DemoSeed {
  readonly suspendedSchedules: readonly { namespace: string; cluster: string }[];
  readonly failingClusters: readonly { namespace: string; cluster: string; failure: string }[];
}

const PAYMENTS_FAILURE = 'Backup failed while perfroming backup-push:\nERROR: 2025/01/01 00:00:00.000000 failed to upload: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.\n\tstatus code: 403';

/** The `count` latest runs of a UTC cron schedule at or before `beforeMs`, oldest first. */
function lastRuns(expr: string, beforeMs: number, count: number): number[] {
  const it = CronExpressionParser.parse(expr, { tz: 'UTC', currentDate: new Date(beforeMs + 1) });
  return it.take(-count).map((d) => d.getTime()).reverse();
}

const OBJECT_STORAGE_SPEC: Rec = {
  type: 's3Compatible',
  s3Compatible: {
    bucket: 'bench',
    endpoint: 'http://127.0.0.1:9000',
    region: 'k8s',
    enablePathStyleAddressing: true,
    awsCredentials: {
      secretKeySelectors: {
        accessKeyId: { name: 'bench-credentials', key: 'accesskey' },
        secretAccessKey: { name: 'bench-credentials', key: 'secretkey' },
      },
    },
  },
};
