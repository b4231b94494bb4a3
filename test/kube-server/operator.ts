// A simulated StackGres operator: cluster status (backupPaths, conditions, instances), the manual
// backup lifecycle Pending → Running → Completed/Failed, scheduled backups from each cluster's
// backups[0].cronSchedule on the (possibly time-compressed) server clock, retention of managed
// backups, and the restore bootstrap of clusters with spec.initialData.restore (a pod that goes
// Pending → restoring → Ready, or crash-loops when the backup's WAL is missing or its storage is
// unreachable). Reconciliation errors become Warning Events, as in StackGres.
import * as crypto from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { OPERATOR_VERSION } from './admission';
import type { ObjectApi } from './api';
import {
  advanceLsn,
  completedStatus,
  defaultBackupPath,
  jobPodName,
  postgresMajor,
  resolvePostgresVersion,
  scheduledBackupName,
  systemIdentifier,
} from './backupinfo';
import { BackupJobs } from './backupjob';
import type { Clock } from './clock';
import { PodLogs } from './podlogs';
import { EVENTS, PODS, type KubeObject, type ResourceRegistry, type ResourceType } from './resources';
import type { StoreEvent } from './store';

export interface OperatorOptions {
  /** Run the operator at all (default true). */
  enabled?: boolean;
  /** Real milliseconds between backup phases (default 200). */
  stepMs?: number;
  /**
   * A manual backup of a cluster that is missing, has no backups configured or whose SGObjectStorage
   * is missing: `fail` (default) marks it Failed with the reconciliation message; `pending` leaves it
   * Pending as StackGres does. Both emit a BackupConfigFailed Warning event.
   */
  missingConfig?: 'fail' | 'pending';
  /** Create scheduled backups from cronSchedule (default true). */
  scheduling?: boolean;
  /**
   * How long a restore bootstrap takes, in simulated seconds (the server clock's time scale turns them
   * into real time): `baseSeconds` plus the backup's compressed size at `bytesPerSecond` (wal-g
   * backup-fetch). Defaults 20 s and 20 MiB/s.
   */
  restore?: { baseSeconds?: number; bytesPerSecond?: number };
  /**
   * Why restoring this SGBackup fails (a wal-g error line), or undefined when it restores. The sandbox
   * sets it to look for the backup and its WAL in its real bucket. Either way the backup's annotation
   * `stackgres-test/restore-fault` (`wal-missing` | `storage-unreachable`) makes it fail, and
   * `never-ready` leaves its pod Pending (unschedulable) for good.
   */
  restoreFault?: (backup: KubeObject) => Promise<string | undefined>;
}

/** Annotation on a seeded SGBackup that makes restoring it fail (see OperatorOptions.restoreFault). */
export const RESTORE_FAULT_ANNOTATION = 'stackgres-test/restore-fault';

function markedRestoreFault(backup: KubeObject): string | undefined {
  const fault = backup.metadata.annotations?.[RESTORE_FAULT_ANNOTATION];
  const internal = String((statusOf(backup) as Rec).internalName ?? 'base_000000010000000000000002');
  if (fault === 'wal-missing') {
    const segment = `${internal.replace(/^base_/, '').slice(0, 16)}${(parseInt(internal.slice(-8), 16) + 1).toString(16).toUpperCase().padStart(8, '0')}`;
    return `ERROR: 2026/01/01 00:00:00.000000 Archive '${segment}' does not exist.\nFATAL: could not locate required checkpoint record (WAL segment ${segment} is missing in the bucket)`;
  }
  if (fault === 'storage-unreachable') {
    return 'ERROR: 2026/01/01 00:00:00.000000 failed to list s3 folder: RequestError: send request failed\ncaused by: dial tcp: lookup storage.invalid: no such host';
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

type Rec = Record<string, unknown>;

function backupsConfig(cluster: KubeObject): Rec | undefined {
  const spec = (cluster.spec ?? {}) as Rec;
  const conf = (spec.configurations ?? {}) as Rec;
  const backups = conf.backups;
  return Array.isArray(backups) && isPlainObject(backups[0]) ? backups[0] : undefined;
}

function statusOf(obj: KubeObject): Rec {
  return isPlainObject(obj.status) ? obj.status : {};
}

function processStatus(obj: KubeObject): string | undefined {
  const p = statusOf(obj).process;
  return isPlainObject(p) && typeof p.status === 'string' ? p.status : undefined;
}

function restoreBackupName(cluster: KubeObject): string | undefined {
  const name = ((((cluster.spec as Rec | undefined)?.initialData as Rec | undefined)?.restore as Rec | undefined)?.fromBackup as Rec | undefined)?.name;
  return typeof name === 'string' && name ? name : undefined;
}

export class Operator {
  stepMs: number;
  missingConfig: 'fail' | 'pending';
  private readonly enabled: boolean;
  private readonly scheduling: boolean;
  private readonly failures: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly schedules = new Map<string, { expr: string; timer?: NodeJS.Timeout }>();
  private readonly driving = new Set<string>();
  private readonly wal = new Map<string, number>();
  private readonly restoring = new Set<string>();
  private readonly restoreTiming: { baseSeconds: number; bytesPerSecond: number };
  /** See OperatorOptions.restoreFault; the sandbox sets it once its bucket is up. */
  restoreFault?: (backup: KubeObject) => Promise<string | undefined>;
  private unsubscribe?: () => void;
  private readonly clusters: ResourceType;
  private readonly backups: ResourceType;
  private readonly storages: ResourceType;
  /** The backup Jobs' pods, logs and Events. */
  readonly jobs: BackupJobs;
  /** Backups to keep Running (writing progress lines) until `release()`: how many more to hold, and those held. */
  private holdCount = 0;
  private readonly held = new Map<string, () => void>();

  constructor(
    private readonly api: ObjectApi,
    registry: ResourceRegistry,
    private readonly clock: Clock,
    options: OperatorOptions,
    podLogs: PodLogs = new PodLogs(clock),
  ) {
    this.jobs = new BackupJobs(api, clock, podLogs);
    this.enabled = options.enabled ?? true;
    this.stepMs = options.stepMs ?? 200;
    this.missingConfig = options.missingConfig ?? 'fail';
    this.scheduling = options.scheduling ?? true;
    this.restoreTiming = { baseSeconds: options.restore?.baseSeconds ?? 20, bytesPerSecond: options.restore?.bytesPerSecond ?? 20 * 1024 * 1024 };
    this.restoreFault = options.restoreFault;
    const need = (plural: string): ResourceType => {
      const t = registry.byStoreKey(`stackgres.io/${plural}`);
      if (!t) {
        throw new Error(`CRD for ${plural} not loaded`);
      }
      return t;
    };
    this.clusters = need('sgclusters');
    this.backups = need('sgbackups');
    this.storages = need('sgobjectstorages');
  }

  /** The next backup that finishes fails with this `status.process.failure` message. */
  failNext(message: string): void {
    this.failures.push(message);
  }

  /** Clusters (`ns/name`) whose CronJob is suspended: their schedule creates no backup (a schedule that silently stopped). */
  private readonly suspended = new Set<string>();
  /** Clusters (`ns/name`) every backup of which fails with this message (broken credentials, say). */
  private readonly failingClusters = new Map<string, string>();

  suspendSchedule(namespace: string, cluster: string): void {
    this.suspended.add(`${namespace}/${cluster}`);
  }

  failBackupsOf(namespace: string, cluster: string, message: string): void {
    this.failingClusters.set(`${namespace}/${cluster}`, message);
  }

  /** The next backup that starts running stays Running, its Job writing a line each step, until `release()`. */
  holdNext(): void {
    this.holdCount++;
  }

  /** Lets every held backup finish. */
  release(): void {
    const finishing = [...this.held.values()];
    this.held.clear();
    for (const f of finishing) {
      f();
    }
  }

  start(): void {
    if (!this.enabled || this.unsubscribe) {
      return;
    }
    this.unsubscribe = this.api.store.subscribe((e) => this.onEvent(e));
    for (const c of this.api.store.list(this.clusters.storeKey)) {
      this.later(0, () => this.reconcileCluster(c.metadata.namespace as string, c.metadata.name as string));
    }
    for (const b of this.api.store.list(this.backups.storeKey)) {
      this.maybeDrive(b);
    }
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of this.timers) {
      clearTimeout(t);
    }
    this.timers.clear();
    for (const s of this.schedules.values()) {
      if (s.timer) {
        clearTimeout(s.timer);
      }
    }
    this.schedules.clear();
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private onEvent(e: StoreEvent): void {
    const ns = e.object.metadata.namespace as string;
    const name = e.object.metadata.name as string;
    if (e.storeKey === this.clusters.storeKey) {
      if (e.type === 'DELETED') {
        this.unschedule(`${ns}/${name}`);
        this.removePods(e.object);
      } else {
        this.later(0, () => this.reconcileCluster(ns, name));
      }
    } else if (e.storeKey === this.backups.storeKey && e.type === 'ADDED') {
      this.maybeDrive(e.object);
    }
  }

  // ---- events -------------------------------------------------------------------------------

  /** Records a core/v1 Event about an object; repeats of the same event bump its count. */
  emitEvent(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const ns = involved.metadata.namespace as string;
    const existing = this.api.store
      .list(EVENTS.storeKey, ns)
      .find((ev) => (ev.involvedObject as Rec)?.uid === involved.metadata.uid && ev.reason === reason && ev.message === message);
    const now = this.clock.timestamp();
    if (existing) {
      this.api.putInternal(EVENTS, { ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: now }, 'stackgres-operator');
      return;
    }
    this.api.putInternal(
      EVENTS,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${involved.metadata.name}.${crypto.randomBytes(8).toString('hex')}`, namespace: ns },
        involvedObject: {
          apiVersion: involved.apiVersion,
          kind: involved.kind,
          name: involved.metadata.name,
          namespace: ns,
          uid: involved.metadata.uid,
          resourceVersion: involved.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: 'stackgres-operator' },
        reportingComponent: 'stackgres-operator',
        reportingInstance: 'stackgres-operator-0',
      },
      'stackgres-operator',
    );
  }

  // ---- clusters -----------------------------------------------------------------------------

  private reconcileCluster(ns: string, name: string): void {
    const cluster = this.api.store.get(this.clusters.storeKey, ns, name);
    if (!cluster) {
      return;
    }
    const spec = (cluster.spec ?? {}) as Rec;
    const status = { ...statusOf(cluster) };
    const version = resolvePostgresVersion((spec.postgres as Rec | undefined)?.version);
    const backup = backupsConfig(cluster);
    if (backup) {
      const existing = Array.isArray(status.backupPaths) ? (status.backupPaths as string[]) : [];
      const path = (backup.path as string | undefined) ?? existing[0] ?? defaultBackupPath(ns, name, this.clock.now(), postgresMajor(version));
      status.backupPaths = [path, ...existing.slice(1)];
      const storageName = backup.sgObjectStorage as string | undefined;
      if (storageName && !this.api.store.get(this.storages.storeKey, ns, storageName)) {
        this.emitEvent(cluster, 'Warning', 'ClusterConfigFailed', `SGCluster reconciliation cycle failed: SGObjectStorage ${storageName} not found`);
      }
    }
    const instances = Number(spec.instances ?? 1);
    status.postgresVersion = status.postgresVersion ?? version;
    status.instances = instances;
    status.labelSelector = `app=StackGresCluster,stackgres.io/cluster-name=${name},stackgres.io/cluster=true`;
    status.arch = status.arch ?? 'x86_64';
    status.os = status.os ?? 'linux';
    status.podStatuses = Array.from({ length: instances }, (_, i) => ({ name: `${name}-${i}`, primary: i === 0, pendingRestart: false }));
    const restoreFrom = restoreBackupName(cluster);
    if (restoreFrom && !Array.isArray(status.conditions)) {
      const now = this.clock.timestamp();
      status.conditions = [
        { type: 'PendingRestart', status: 'False', reason: 'FalsePendingRestart', lastTransitionTime: now },
        { type: 'PendingUpgrade', status: 'False', reason: 'FalsePendingUpgrade', lastTransitionTime: now },
        { type: 'Failed', status: 'False', reason: 'FalseFailed', lastTransitionTime: now },
        { type: 'Bootstrapped', status: 'False', reason: 'FalseBootstrapped', lastTransitionTime: now },
      ];
    }
    if (!Array.isArray(status.conditions)) {
      const now = this.clock.timestamp();
      status.conditions = [
        { type: 'PendingRestart', status: 'False', reason: 'FalsePendingRestart', lastTransitionTime: now },
        { type: 'PendingUpgrade', status: 'False', reason: 'FalsePendingUpgrade', lastTransitionTime: now },
        { type: 'Failed', status: 'False', reason: 'FalseFailed', lastTransitionTime: now },
        { type: 'Bootstrapped', status: 'True', reason: 'ClusterBootstrapped', lastTransitionTime: now },
      ];
    }
    if (JSON.stringify(status) !== JSON.stringify(statusOf(cluster))) {
      this.api.putInternal(this.clusters, { ...cluster, status }, 'stackgres-operator');
    }
    this.schedule(cluster);
    if (restoreFrom) this.startRestore(ns, name);
  }

  // ---- restore bootstrap --------------------------------------------------------------------

  /** The restore of a new cluster from its backup, once per cluster uid (a failed one is not retried): pod Pending → Running (restoring) → Ready, or crash-looping. */
  private startRestore(ns: string, name: string): void {
    const cluster = this.api.store.get(this.clusters.storeKey, ns, name);
    const uid = cluster?.metadata.uid as string | undefined;
    if (!cluster || !uid || this.restoring.has(uid)) return;
    const bootstrapped = ((statusOf(cluster).conditions ?? []) as Rec[]).some((c) => c.type === 'Bootstrapped' && c.status === 'True');
    if (bootstrapped) return;
    this.restoring.add(uid);
    const pod = this.putPod(cluster, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] });
    this.emitEvent(cluster, 'Normal', 'ClusterCreated', `SGCluster ${name} created: bootstrapping from SGBackup ${restoreBackupName(cluster)}`);
    const backup = this.api.store.get(this.backups.storeKey, ns, restoreBackupName(cluster)!);
    if (backup?.metadata.annotations?.[RESTORE_FAULT_ANNOTATION] === 'never-ready') {
      // The pod is never scheduled: only the drill's time limit ends it.
      this.emitEvent(pod, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
      return;
    }
    this.later(this.stepMs, () => void this.restoreRunning(ns, name, uid, pod.metadata.name as string));
  }

  private liveCluster(ns: string, name: string, uid: string): KubeObject | undefined {
    const c = this.api.store.get(this.clusters.storeKey, ns, name);
    if (!c || c.metadata.uid !== uid) {
      this.restoring.delete(uid);
      return undefined;
    }
    return c;
  }

  private async restoreRunning(ns: string, name: string, uid: string, podName: string): Promise<void> {
    const cluster = this.liveCluster(ns, name, uid);
    if (!cluster) return;
    const backupName = restoreBackupName(cluster)!;
    const backup = this.api.store.get(this.backups.storeKey, ns, backupName);
    const now = this.clock.timestamp();
    this.putPod(cluster, {
      phase: 'Running',
      startTime: now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: now },
      ],
      containerStatuses: [{ name: 'patroni', ready: false, restartCount: 0, started: true, state: { running: { startedAt: now } } }],
    });
    const pod = this.api.store.get(PODS.storeKey, ns, podName);
    if (pod) this.emitEvent(pod, 'Normal', 'Started', 'Started container patroni');
    if (!backup) {
      this.emitEvent(cluster, 'Warning', 'ClusterConfigFailed', `SGCluster reconciliation cycle failed: SGBackup ${backupName} not found in namespace ${ns}`);
      return this.restoreFailed(ns, name, uid, podName, `ERROR: SGBackup ${backupName} was not found in namespace ${ns}`);
    }
    this.emitEvent(cluster, 'Normal', 'BootstrapRestore', `Restoring SGBackup ${backupName} (wal-g backup-fetch ${String(statusOf(backup).internalName ?? '')})`);
    const info = (statusOf(backup).backupInformation ?? {}) as Rec;
    const bytes = Number(((info.size ?? {}) as Rec).compressed ?? 0) || 0;
    const simSeconds = this.restoreTiming.baseSeconds + bytes / this.restoreTiming.bytesPerSecond;
    const realMs = Math.max(this.stepMs, (simSeconds * 1000) / this.clock.timeScale);
    const fault = markedRestoreFault(backup) ?? (await this.restoreFault?.(backup).catch((e: unknown) => `ERROR: ${String(e)}`));
    this.later(realMs, () => (fault ? this.restoreFailed(ns, name, uid, podName, fault) : this.restoreReady(ns, name, uid, podName)));
  }

  private restoreReady(ns: string, name: string, uid: string, podName: string): void {
    const cluster = this.liveCluster(ns, name, uid);
    if (!cluster) return;
    const now = this.clock.timestamp();
    const pod = this.putPod(cluster, {
      phase: 'Running',
      startTime: (this.api.store.get(PODS.storeKey, ns, podName)?.status as Rec | undefined)?.startTime ?? now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastTransitionTime: now },
      ],
      containerStatuses: [{ name: 'patroni', ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } }],
    });
    const status = { ...statusOf(cluster) };
    status.conditions = ((status.conditions ?? []) as Rec[]).map((c) => (c.type === 'Bootstrapped' ? { type: 'Bootstrapped', status: 'True', reason: 'ClusterBootstrapped', lastTransitionTime: now } : c));
    this.api.putInternal(this.clusters, { ...cluster, status }, 'stackgres-operator');
    this.emitEvent(cluster, 'Normal', 'ClusterBootstrapped', `SGCluster ${name} bootstrapped from SGBackup ${restoreBackupName(cluster)}: pod ${pod.metadata.name as string} is ready`);
  }

  private restoreFailed(ns: string, name: string, uid: string, podName: string, message: string): void {
    const cluster = this.liveCluster(ns, name, uid);
    if (!cluster) return;
    const now = this.clock.timestamp();
    this.putPod(cluster, {
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: now },
      ],
      containerStatuses: [
        {
          name: 'patroni',
          ready: false,
          restartCount: 3,
          started: false,
          state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=patroni pod=${podName}` } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', message, finishedAt: now } },
        },
      ],
    });
    const pod = this.api.store.get(PODS.storeKey, ns, podName);
    if (pod) this.emitEvent(pod, 'Warning', 'BackOff', `Back-off restarting failed container patroni in pod ${podName}`);
  }

  /** The cluster's first pod with this status; created on first use, owned by the cluster. */
  private putPod(cluster: KubeObject, status: Rec): KubeObject {
    const ns = cluster.metadata.namespace as string;
    const name = `${cluster.metadata.name as string}-0`;
    const existing = this.api.store.get(PODS.storeKey, ns, name);
    return this.api.putInternal(
      PODS,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          ...(existing?.metadata ?? {}),
          name,
          namespace: ns,
          labels: { app: 'StackGresCluster', 'stackgres.io/cluster-name': cluster.metadata.name as string, 'stackgres.io/cluster': 'true', role: 'master' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: cluster.metadata.name, uid: `${cluster.metadata.uid as string}-sts`, controller: true, blockOwnerDeletion: true }],
        },
        spec: { nodeName: status.phase === 'Pending' ? undefined : 'sandbox-node', containers: [{ name: 'patroni', image: 'quay.io/ongres/patroni' }] },
        status,
      },
      'kubelet',
    );
  }

  /** Garbage collection: a deleted cluster's pods go with it. */
  private removePods(cluster: KubeObject): void {
    const ns = cluster.metadata.namespace as string;
    for (const pod of this.api.store.list(PODS.storeKey, ns)) {
      if (pod.metadata.labels?.['stackgres.io/cluster-name'] === cluster.metadata.name) this.api.store.remove(PODS.storeKey, ns, pod.metadata.name as string);
    }
    this.restoring.delete(cluster.metadata.uid as string);
  }

  private unschedule(key: string): void {
    const s = this.schedules.get(key);
    if (s?.timer) {
      clearTimeout(s.timer);
    }
    this.schedules.delete(key);
  }

  private schedule(cluster: KubeObject): void {
    const ns = cluster.metadata.namespace as string;
    const name = cluster.metadata.name as string;
    const key = `${ns}/${name}`;
    const expr = backupsConfig(cluster)?.cronSchedule;
    if (!this.scheduling || typeof expr !== 'string' || !expr.trim()) {
      this.unschedule(key);
      return;
    }
    if (this.schedules.get(key)?.expr === expr) {
      return;
    }
    this.unschedule(key);
    try {
      CronExpressionParser.parse(expr, { tz: 'UTC' });
    } catch (e) {
      this.emitEvent(
        cluster,
        'Warning',
        'ClusterConfigFailed',
        `SGCluster reconciliation cycle failed: CronJob.batch "${name}-backup" is invalid: spec.schedule: Invalid value: ${JSON.stringify(expr)}: ${(e as Error).message}`,
      );
      this.schedules.set(key, { expr });
      return;
    }
    const entry: { expr: string; timer?: NodeJS.Timeout } = { expr };
    this.schedules.set(key, entry);
    const arm = (fromMs: number): void => {
      const next = CronExpressionParser.parse(expr, { currentDate: new Date(fromMs), tz: 'UTC' }).next().getTime();
      entry.timer = setTimeout(() => {
        if (this.schedules.get(key) !== entry) {
          return;
        }
        this.runScheduled(ns, name, next);
        arm(Math.max(next, this.clock.now()));
      }, Math.max(5, this.clock.realDelayUntil(next)));
    };
    arm(this.clock.now());
  }

  private runScheduled(ns: string, clusterName: string, atMs: number): void {
    const cluster = this.api.store.get(this.clusters.storeKey, ns, clusterName);
    const backup = cluster ? backupsConfig(cluster) : undefined;
    if (!cluster || !backup || this.suspended.has(`${ns}/${clusterName}`)) {
      return;
    }
    // concurrencyPolicy: Forbid
    const running = this.api.store
      .list(this.backups.storeKey, ns)
      .some((b) => (b.spec as Rec)?.sgCluster === clusterName && b.metadata.labels?.['stackgres.io/scheduled-backup'] === 'true' && !['Completed', 'Failed'].includes(processStatus(b) ?? ''));
    if (running) {
      return;
    }
    const storage = this.api.store.get(this.storages.storeKey, ns, String(backup.sgObjectStorage));
    const job = `${clusterName}-backup-${Math.floor(atMs / 60000)}`;
    const name = scheduledBackupName(clusterName, atMs);
    if (this.api.store.get(this.backups.storeKey, ns, name)) {
      return;
    }
    const paths = statusOf(cluster).backupPaths as string[] | undefined;
    this.api.putInternal(
      this.backups,
      {
        apiVersion: this.backups.apiVersion,
        kind: this.backups.kind,
        metadata: {
          name,
          namespace: ns,
          annotations: { 'stackgres.io/scheduled-backup': 'true', 'stackgres.io/operatorVersion': OPERATOR_VERSION },
          labels: { 'stackgres.io/scheduled-backup': 'true', 'stackgres.io/scheduled-backup-job-name': job },
          ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: `${clusterName}-backup`, uid: this.cronJobUid(cluster), controller: true, blockOwnerDeletion: true }],
        },
        spec: { sgCluster: clusterName, managedLifecycle: true },
        status: {
          backupPath: paths?.[0],
          process: { jobPod: jobPodName(job) },
          sgBackupConfig: { baseBackups: { compression: backup.compression ?? 'lz4' }, storage: storage?.spec },
        },
      },
      'stackgres-operator',
    );
  }

  private cronJobUid(cluster: KubeObject): string {
    const h = crypto.createHash('sha1').update(`cronjob/${cluster.metadata.uid}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  // ---- backups ------------------------------------------------------------------------------

  private maybeDrive(b: KubeObject): void {
    const sgCluster = String((b.spec as Rec | undefined)?.sgCluster ?? '');
    const uid = b.metadata.uid as string;
    if (!sgCluster || sgCluster.includes('.') || this.driving.has(uid)) {
      return;
    }
    const st = processStatus(b);
    if (st === 'Running' || st === 'Completed' || st === 'Failed') {
      return;
    }
    this.driving.add(uid);
    this.later(0, () => this.backupStep(b.metadata.namespace as string, b.metadata.name as string, uid, 'Pending'));
  }

  private current(ns: string, name: string, uid: string): KubeObject | undefined {
    const b = this.api.store.get(this.backups.storeKey, ns, name);
    if (!b || b.metadata.uid !== uid) {
      this.driving.delete(uid);
      return undefined;
    }
    return b;
  }

  private writeStatus(b: KubeObject, status: Rec): void {
    this.api.putInternal(this.backups, { ...b, status }, 'stackgres-operator');
  }

  private backupStep(ns: string, name: string, uid: string, phase: 'Pending' | 'Running' | 'Finish'): void {
    const b = this.current(ns, name, uid);
    if (!b) {
      return;
    }
    const clusterName = String((b.spec as Rec).sgCluster);
    const cluster = this.api.store.get(this.clusters.storeKey, ns, clusterName);
    const backup = cluster ? backupsConfig(cluster) : undefined;
    const storage = backup ? this.api.store.get(this.storages.storeKey, ns, String(backup.sgObjectStorage)) : undefined;
    const problem = !cluster
      ? `SGCluster ${clusterName} was not found`
      : !backup
        ? `SGCluster ${clusterName} has no backup configured`
        : !storage
          ? `SGObjectStorage ${String(backup.sgObjectStorage)} was not found`
          : undefined;
    const status = { ...statusOf(b) };
    const process = { ...((status.process as Rec | undefined) ?? {}) };

    if (problem) {
      this.emitEvent(b, 'Warning', 'BackupConfigFailed', `SGBackup reconciliation cycle failed: ${problem}`);
      this.driving.delete(uid);
      if (this.missingConfig === 'fail') {
        this.writeStatus(b, { ...status, process: { ...process, status: 'Failed', failure: problem } });
      } else if (process.status !== 'Pending') {
        this.writeStatus(b, { ...status, process: { ...process, status: 'Pending' } });
      }
      return;
    }
    const c = cluster as KubeObject;
    const conf = backup as Rec;
    const paths = statusOf(c).backupPaths as string[] | undefined;
    const backupPath = (status.backupPath as string | undefined) ?? paths?.[0] ?? defaultBackupPath(ns, clusterName, this.clock.now(), postgresMajor((c.spec as Rec).postgres && ((c.spec as Rec).postgres as Rec).version));

    if (phase === 'Pending') {
      this.writeStatus(b, { ...status, process: { ...process, status: 'Pending' } });
      this.later(this.stepMs, () => this.backupStep(ns, name, uid, 'Running'));
      return;
    }
    if (phase === 'Running') {
      this.writeStatus(b, {
        ...status,
        backupPath,
        process: { ...process, status: 'Running', jobPod: process.jobPod ?? jobPodName(`${name}-backup`) },
        sgBackupConfig: status.sgBackupConfig ?? { baseBackups: { compression: conf.compression ?? 'lz4' }, storage: (storage as KubeObject).spec },
      });
      const startedAt = this.clock.now();
      const pod = String((statusOf(this.api.store.get(this.backups.storeKey, ns, name) ?? b).process as Rec).jobPod);
      this.jobs.start(b, pod, clusterName);
      if (this.holdCount > 0) {
        this.holdCount--;
        this.held.set(uid, () => this.finish(ns, name, uid, startedAt));
        const tick = (): void => {
          if (this.held.has(uid) && this.jobs.progress(ns, pod)) {
            this.later(this.stepMs, tick);
          }
        };
        this.later(this.stepMs, tick);
        return;
      }
      this.later(this.stepMs, () => this.finish(ns, name, uid, startedAt));
      return;
    }
  }

  private finish(ns: string, name: string, uid: string, startedAt: number): void {
    const b = this.current(ns, name, uid);
    if (!b) {
      return;
    }
    this.driving.delete(uid);
    const status = { ...statusOf(b) };
    const process = { ...((status.process as Rec | undefined) ?? {}) };
    const failure = this.failures.shift() ?? this.failingClusters.get(`${ns}/${String((b.spec as Rec).sgCluster)}`);
    const pod = typeof process.jobPod === 'string' ? process.jobPod : undefined;
    if (failure !== undefined) {
      if (pod) {
        this.jobs.finish(ns, pod, { failure });
      }
      this.writeStatus(b, { ...status, process: { ...process, status: 'Failed', failure } });
      return;
    }
    const clusterName = String((b.spec as Rec).sgCluster);
    const cluster = this.api.store.get(this.clusters.storeKey, ns, clusterName);
    if (!cluster) {
      if (pod) {
        this.jobs.finish(ns, pod, { failure: 'Unable to find primary, backup aborted' });
      }
      this.writeStatus(b, { ...status, process: { ...process, status: 'Failed', failure: 'Unable to find primary, backup aborted' } });
      return;
    }
    const key = `${ns}/${clusterName}`;
    const lsn = advanceLsn(this.wal.get(key) ?? 0x3000000);
    this.wal.set(key, lsn);
    const config = (status.sgBackupConfig ?? {}) as Rec;
    const done = completedStatus({
      clusterName,
      clusterUid: cluster.metadata.uid as string,
      postgresVersion: ((cluster.spec as Rec).postgres as Rec | undefined)?.version,
      backupPath: status.backupPath as string,
      storage: config.storage,
      compression: String(((config.baseBackups ?? {}) as Rec).compression ?? 'lz4'),
      managedLifecycle: (b.spec as Rec).managedLifecycle === true,
      jobPod: String(process.jobPod ?? jobPodName(`${name}-backup`)),
      startMs: startedAt,
      endMs: Math.max(startedAt + 1000, this.clock.now()),
      lsn,
    });
    if (pod) {
      this.jobs.finish(ns, pod, { internalName: String(done.internalName) });
    }
    this.writeStatus(b, done);
    this.applyRetention(ns, clusterName);
  }

  /** Keeps the newest `retention` Completed managed-lifecycle backups of a cluster; deletes older ones. */
  applyRetention(ns: string, clusterName: string): void {
    const cluster = this.api.store.get(this.clusters.storeKey, ns, clusterName);
    const conf = cluster ? backupsConfig(cluster) : undefined;
    if (!conf) {
      return;
    }
    const retention = Number(conf.retention ?? 5);
    const stored = (o: KubeObject): string => String((((statusOf(o).process as Rec | undefined)?.timing as Rec | undefined)?.stored ?? o.metadata.creationTimestamp) ?? '');
    const managed = this.api.store
      .list(this.backups.storeKey, ns)
      .filter((o) => (o.spec as Rec)?.sgCluster === clusterName && (o.spec as Rec)?.managedLifecycle === true && processStatus(o) === 'Completed')
      .sort((a, z) => stored(z).localeCompare(stored(a)));
    for (const old of managed.slice(retention)) {
      this.api.store.remove(this.backups.storeKey, ns, old.metadata.name as string);
    }
  }

  /** For seeds: a stable system identifier per cluster uid. */
  static systemIdentifier = systemIdentifier;
}
