// The backup Job of the simulated operator: a batch/v1 Job and its pod (`status.process.jobPod`), the
// log create-backup.sh and wal-g write in it (the failure lines when the backup fails), and the Events
// the job controller, the scheduler and the kubelet record about them.
import * as crypto from 'node:crypto';
import type { ObjectApi } from './api';
import type { Clock } from './clock';
import type { PodLogs } from './podlogs';
import { EVENTS, JOBS, PODS, type KubeObject } from './resources';

/** The container create-backup.sh runs in. */
export const BACKUP_CONTAINER = 'create-backup';

/** At most this many progress lines per held backup: a forgotten hold must not grow the server. */
const MAX_PROGRESS_LINES = 2000;

type Rec = Record<string, unknown>;

export class BackupJobs {
  private readonly parts = new Map<string, number>();

  constructor(
    private readonly api: ObjectApi,
    private readonly clock: Clock,
    private readonly logs: PodLogs,
  ) {}

  /** The Job name of a job pod: the pod name without its 5-character suffix. */
  static jobName(pod: string): string {
    return pod.replace(/-[a-z0-9]{5}$/, '');
  }

  private walg(level: 'INFO' | 'ERROR', text: string): string {
    const t = new Date(this.clock.now()).toISOString();
    return `${level}: ${t.slice(0, 10).replace(/-/g, '/')} ${t.slice(11, 23)}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')} ${text}`;
  }

  /** The Job and its pod start, with their Events and the first lines of the log. */
  start(backup: KubeObject, pod: string, cluster: string): void {
    const ns = backup.metadata.namespace as string;
    const jobName = BackupJobs.jobName(pod);
    const labels = { app: 'StackGresBackup', 'stackgres.io/backup': 'true', 'stackgres.io/cluster-name': cluster };
    const job =
      this.api.store.get(JOBS.storeKey, ns, jobName) ??
      this.api.putInternal(
        JOBS,
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: jobName, namespace: ns, labels, ownerReferences: [{ apiVersion: backup.apiVersion, kind: 'SGBackup', name: backup.metadata.name, uid: backup.metadata.uid, controller: true }] },
          spec: { backoffLimit: 3, template: { spec: { containers: [{ name: BACKUP_CONTAINER, image: 'quay.io/ongres/patroni:v3.3.3-pg16.4-build-6.37' }], restartPolicy: 'OnFailure' } } },
          status: { active: 1, startTime: this.clock.timestamp() },
        },
        'kube-controller-manager',
      );
    const podObj = this.api.putInternal(
      PODS,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace: ns, labels: { ...labels, 'job-name': jobName }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }] },
        spec: { containers: [{ name: BACKUP_CONTAINER, image: 'quay.io/ongres/patroni:v3.3.3-pg16.4-build-6.37' }], restartPolicy: 'OnFailure', nodeName: 'node-1' },
        status: { phase: 'Running', startTime: this.clock.timestamp(), containerStatuses: [{ name: BACKUP_CONTAINER, ready: true, restartCount: 0, state: { running: { startedAt: this.clock.timestamp() } } }] },
      },
      'kubelet',
    );
    this.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod}`, 'job-controller');
    this.event(podObj, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${pod} to node-1`, 'default-scheduler');
    this.event(podObj, 'Normal', 'Started', `Started container ${BACKUP_CONTAINER}`, 'kubelet');
    this.parts.set(`${ns}/${pod}`, 1);
    this.logs.write(
      ns,
      pod,
      BACKUP_CONTAINER,
      [
        'Retrieving primary and replicas',
        `Primary is ${cluster}-0`,
        `Creating backup ${String(backup.metadata.name)} on ${cluster}-0`,
        this.walg('INFO', "Couldn't find previous backup. Doing full backup."),
        this.walg('INFO', 'Calling pg_start_backup()'),
        this.walg('INFO', 'Initializing the PG alive checker (interval=1m0s)...'),
        this.walg('INFO', 'Starting a new tar bundle'),
        this.walg('INFO', 'Walking ...'),
        this.walg('INFO', 'Starting part 1 ...'),
      ].join('\n'),
    );
  }

  /** One more line while a long backup runs (a part written, the next one started). */
  progress(ns: string, pod: string): boolean {
    const key = `${ns}/${pod}`;
    const part = this.parts.get(key) ?? 1;
    if (part > MAX_PROGRESS_LINES) {
      return false;
    }
    this.parts.set(key, part + 1);
    this.logs.write(ns, pod, BACKUP_CONTAINER, `${this.walg('INFO', `Finished writing part ${part}.`)}\n${this.walg('INFO', `Starting part ${part + 1} ...`)}`);
    return true;
  }

  /** The backup ends: the last lines (wal-g's or the failure's), the container's exit, the Job's Event. */
  finish(ns: string, pod: string, outcome: { internalName: string } | { failure: string }): void {
    const key = `${ns}/${pod}`;
    const part = this.parts.get(key) ?? 1;
    this.parts.delete(key);
    const failed = 'failure' in outcome;
    const lines = failed
      ? [this.walg('ERROR', 'backup-push failed'), ...outcome.failure.split('\n')]
      : [
          this.walg('INFO', `Finished writing part ${part}.`),
          this.walg('INFO', 'Calling pg_stop_backup()'),
          this.walg('INFO', `Starting part ${part + 1} ...`),
          this.walg('INFO', '/global/pg_control'),
          this.walg('INFO', `Finished writing part ${part + 1}.`),
          this.walg('INFO', 'Querying pg_database'),
          this.walg('INFO', `Wrote backup with name ${outcome.internalName}`),
          'Backup completed',
          'Reconciling backups...',
        ];
    this.logs.write(ns, pod, BACKUP_CONTAINER, lines.join('\n'));
    this.logs.end(ns, pod, BACKUP_CONTAINER);
    const podObj = this.api.store.get(PODS.storeKey, ns, pod);
    if (podObj) {
      const at = this.clock.timestamp();
      const terminated = failed ? { exitCode: 1, reason: 'Error', finishedAt: at } : { exitCode: 0, reason: 'Completed', finishedAt: at };
      this.api.putInternal(PODS, { ...podObj, status: { ...(podObj.status as Rec), phase: failed ? 'Failed' : 'Succeeded', containerStatuses: [{ name: BACKUP_CONTAINER, ready: false, restartCount: 0, state: { terminated } }] } }, 'kubelet');
    }
    const job = this.api.store.get(JOBS.storeKey, ns, BackupJobs.jobName(pod));
    if (job) {
      this.api.putInternal(JOBS, { ...job, status: { ...(job.status as Rec), active: 0, ...(failed ? { failed: 1 } : { succeeded: 1, completionTime: this.clock.timestamp() }) } }, 'kube-controller-manager');
      this.event(job, failed ? 'Warning' : 'Normal', failed ? 'BackoffLimitExceeded' : 'Completed', failed ? 'Job has reached the specified backoff limit' : 'Job completed', 'job-controller');
    }
  }

  private event(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    const ns = involved.metadata.namespace as string;
    const now = this.clock.timestamp();
    this.api.putInternal(
      EVENTS,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${String(involved.metadata.name)}.${crypto.randomBytes(8).toString('hex')}`, namespace: ns },
        involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, name: involved.metadata.name, namespace: ns, uid: involved.metadata.uid, resourceVersion: involved.metadata.resourceVersion },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component },
        reportingComponent: component,
      },
      component,
    );
  }
}
