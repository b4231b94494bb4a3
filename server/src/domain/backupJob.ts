/**
 * A backup's everyday actions, decided here so they can be tested: keeping a backup out of the retention
 * policy or handing it back (`spec.managedLifecycle`), and the read-only page of a backup Job's logs and
 * Events. What the backup Job does with `managedLifecycle` and `retention` is StackGres' create-backup.sh:
 * after each successful backup it keeps the newest `retention` managed backups and deletes older managed
 * ones, SGBackup and files alike. Pure: no I/O, no vscode.
 */
import { backupTime, type BackupView } from './backups';
import { formatInstant } from './timestamp';
import { get } from './rules/types';

/** StackGres' default `spec.configurations.backups[0].retention`. */
export const DEFAULT_RETENTION = 5;

/** The field this file's actions write, as a managedFields path. */
export const MANAGED_LIFECYCLE_FIELD = ['spec', 'managedLifecycle'] as const;

/** `retention` of an SGCluster's first backups entry (the only one the operator reads), else the default. */
export function clusterRetention(cluster: unknown): { retention: number; defaulted: boolean } {
  const backups = get(cluster, ['spec', 'configurations', 'backups']);
  const r = Array.isArray(backups) ? get(backups[0], ['retention']) : undefined;
  return typeof r === 'number' && Number.isInteger(r) && r >= 1 ? { retention: r, defaulted: false } : { retention: DEFAULT_RETENTION, defaulted: true };
}

/** Which of the two lifecycle commands applies to a backup row (none on a Failed one). */
export function lifecycleMenu(b: BackupView): 'keep' | 'release' | undefined {
  if (b.phase === 'Failed') return undefined;
  return b.managedLifecycle ? 'keep' : 'release';
}

/**
 * The field managers that own `spec.managedLifecycle` besides `manager`'s own apply (from
 * `metadata.managedFields`). Server-side apply refuses to change a field another manager set unless forced.
 */
export function lifecycleOwners(managedFields: unknown, manager: string): string[] {
  if (!Array.isArray(managedFields)) return [];
  const owners: string[] = [];
  for (const entry of managedFields) {
    const fields = get(entry, ['fieldsV1', 'f:spec', 'f:managedLifecycle']);
    if (fields === undefined) continue;
    const name = get(entry, ['manager']);
    const operation = get(entry, ['operation']);
    if (typeof name !== 'string' || (name === manager && operation === 'Apply')) continue;
    const label = operation === 'Update' && name === manager ? `${name} (when it created the backup)` : name;
    if (!owners.includes(label)) owners.push(label);
  }
  return owners;
}

export interface LifecycleInput {
  readonly backup: BackupView;
  /** true: "Let Retention Manage This Backup"; false: "Keep This Backup". */
  readonly managed: boolean;
  /** The cluster's retention (`clusterRetention`); undefined when the cluster is not known. */
  readonly retention?: { retention: number; defaulted: boolean };
  /** The other backups of the same cluster. */
  readonly others: readonly BackupView[];
  /** `lifecycleOwners` of the live object. */
  readonly owners: readonly string[];
}

export type LifecyclePlan =
  | { readonly problem: string; readonly unchanged?: boolean }
  | {
      readonly problem?: undefined;
      /** The modal question, its detail and its confirming button. */
      readonly message: string;
      readonly detail: string;
      readonly button: string;
      /** Another field manager set the field: the apply takes it over (the user confirmed that in `detail`). */
      readonly force: boolean;
      /** Managed now, this backup is beyond `retention`: the next backup Job deletes it. */
      readonly deletedByNextBackup: boolean;
    };

/** What changing `spec.managedLifecycle` means for this backup, or why it is refused. */
export function lifecyclePlan(i: LifecycleInput): LifecyclePlan {
  const b = i.backup;
  const what = `SGBackup ${b.name} in namespace ${b.namespace}`;
  if (b.phase === 'Failed') {
    return {
      problem: `${what} Failed: it holds no usable backup, so there is nothing to keep or to hand to the retention policy (the retention policy never deletes Failed backups). Delete it when you no longer need its failure message.`,
    };
  }
  if (b.managedLifecycle === i.managed) {
    return {
      unchanged: true,
      problem: i.managed ? `${what} is already managed by the retention policy: nothing was changed.` : `${what} is already kept until someone deletes it: nothing was changed.`,
    };
  }
  const cluster = `${b.cluster.namespace}.${b.cluster.name}`;
  const r = i.retention;
  const retentionWords = r ? `retention ${r.retention}${r.defaulted ? ' (the default: the cluster sets none)' : ''}` : 'its retention';
  const takeover = i.owners.length
    ? [`spec.managedLifecycle was set by ${i.owners.join(', ')}; this change takes the field over as stackgres-vscode (server-side apply, forced). Whoever applies that manifest again (kubectl apply, GitOps) sets it back.`]
    : [];
  if (!i.managed) {
    return {
      message: `Keep backup ${b.name} until someone deletes it?`,
      detail: [
        `Sets spec.managedLifecycle: false on ${what}. The retention policy of cluster ${cluster} (${retentionWords}) no longer counts or deletes it: it stays, with its files in object storage, until someone deletes the SGBackup. The next backup Job marks its files permanent.`,
        'Kept backups use storage until deleted: delete it yourself when it is no longer needed.',
        ...takeover,
      ].join('\n\n'),
      button: 'Keep Backup',
      force: i.owners.length > 0,
      deletedByNextBackup: false,
    };
  }
  // Where this backup falls among the cluster's managed, Completed backups once it is one of them (newest first).
  const managed = [...i.others.filter((o) => o.name !== b.name || o.namespace !== b.namespace).filter((o) => o.managedLifecycle && o.phase === 'Completed'), ...(b.phase === 'Completed' ? [b] : [])].sort(
    (x, y) => (backupTime(y)?.getTime() ?? 0) - (backupTime(x)?.getTime() ?? 0),
  );
  const position = managed.findIndex((o) => o.name === b.name && o.namespace === b.namespace);
  const beyond = r !== undefined && position >= r.retention;
  const consequence = beyond
    ? `It is older than the ${r.retention} newest managed backups of cluster ${cluster} (${retentionWords}): the next backup Job of the cluster DELETES it, the SGBackup and its files in object storage. This cannot be undone.`
    : `The retention policy of cluster ${cluster} (${retentionWords}) keeps the newest ${r?.retention ?? 'retention'} managed backups: once ${r ? `${r.retention} newer managed backups exist` : 'enough newer managed backups exist'}, a backup Job deletes this one, the SGBackup and its files in object storage.`;
  return {
    message: beyond ? `Let the retention policy manage backup ${b.name}? The next backup deletes it.` : `Let the retention policy manage backup ${b.name}?`,
    detail: [`Sets spec.managedLifecycle: true on ${what}.`, consequence, ...takeover].join('\n\n'),
    button: beyond ? 'Let Retention Delete It' : 'Let Retention Manage',
    force: i.owners.length > 0,
    deletedByNextBackup: beyond,
  };
}

// ---- Backup logs -------------------------------------------------------------------------------------

/** The Job a job pod belongs to: its controller owner, else its name without the pod suffix. */
export function jobOfPod(podName: string, ownerJob?: string): string {
  if (ownerJob) return ownerJob;
  const m = /^(.+)-[a-z0-9]{5}$/.exec(podName);
  return m ? m[1] : podName;
}

export interface EventLine {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly last?: Date;
  readonly source?: string;
}

export interface PodState {
  readonly phase?: string;
  readonly container?: string;
  /** A terminated container's reason and exit code, e.g. `Error`, 1. */
  readonly terminated?: { reason?: string; exitCode?: number };
  /** A container not started yet: its waiting reason (`ContainerCreating`, `ImagePullBackOff`). */
  readonly waiting?: string;
}

export interface BackupLogPage {
  readonly backup: BackupView;
  readonly context: string;
  readonly pod?: string;
  readonly job?: string;
  /** Undefined while not read yet; `gone` when the API server answered 404. */
  readonly podState?: PodState | 'gone';
  /** Already cleaned of control characters (see the client's log buffer). */
  readonly log?: string;
  /** Bytes dropped from the start of the log to keep the page within its bound. */
  readonly droppedBytes?: number;
  readonly following: 'yes' | 'ended' | 'no' | 'stopped';
  /** Why the log could not be read (other than the pod being gone), as one sentence with what to do. */
  readonly logProblem?: string;
  readonly events: readonly { readonly title: string; readonly events?: readonly EventLine[]; readonly problem?: string }[];
}

const RULE = '─'.repeat(8);

function when(d: Date | undefined): string {
  return d ? formatInstant(d).replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '-';
}

/** The text of the read-only logs page: what is known of the backup, the job pod's log, then the Events. */
export function backupLogPage(p: BackupLogPage): string {
  const b = p.backup;
  const lines: string[] = [];
  lines.push(`Backup logs of SGBackup ${b.namespace}/${b.name} (cluster ${b.cluster.namespace}.${b.cluster.name}) in context "${p.context}"`);
  lines.push(`Phase: ${b.phase} · created ${when(b.created)} · started ${when(b.started)} · ended ${when(b.ended)}`);
  if (!p.pod) {
    lines.push(
      b.phase === 'Pending'
        ? 'The operator has not started a backup Job for it yet (status.process.jobPod is empty). Run Show Backup Logs again once it is Running.'
        : 'Its status names no backup Job pod (status.process.jobPod is empty), so there is no log to show.',
    );
  } else if (p.podState === 'gone') {
    lines.push(`The backup Job's pod ${p.pod} no longer exists (Kubernetes removes finished Job pods), so its log is gone. What the SGBackup status still holds is below.`);
  } else {
    const st = p.podState;
    const state = st ? [st.phase, st.waiting ? `waiting: ${st.waiting}` : undefined, st.terminated ? `exited ${st.terminated.exitCode ?? '?'}${st.terminated.reason ? ` (${st.terminated.reason})` : ''}` : undefined].filter(Boolean).join(', ') : 'reading…';
    lines.push(`Job ${p.job ?? '-'} · pod ${p.pod} (${state})`);
  }
  if (p.following === 'yes') lines.push('Following the log while the backup runs: new lines appear below as the Job writes them.');
  else if (p.following === 'ended') lines.push('The Job has ended: the log below is complete.');
  else if (p.following === 'stopped') lines.push('Stopped following (the page was closed, or the connection ended): run Show Backup Logs again for newer lines.');
  if (b.phase === 'Failed') {
    lines.push('', 'Failure (status.process.failure):', ...(b.failure ? b.failure.split('\n').map((l) => `  ${l}`) : ['  (the operator gave no reason)']));
  }
  if (p.podState === 'gone' || !p.pod) {
    lines.push('', `Timing (status.process.timing): start ${when(b.started)} · end ${when(b.ended)} · stored ${when(b.stored)}`);
  }
  if (p.pod && p.podState !== 'gone') {
    lines.push('', `${RULE} Log of pod ${p.pod}${p.podState?.container ? `, container ${p.podState.container}` : ''} ${RULE}`);
    if (p.droppedBytes) lines.push(`[${p.droppedBytes} bytes of earlier lines dropped to keep this page small: kubectl logs -n ${b.namespace} ${p.pod} has them all]`);
    if (p.logProblem) lines.push(p.logProblem);
    else if (p.log === undefined) lines.push('(reading…)');
    else if (p.log === '') lines.push('(empty so far)');
    else lines.push(p.log.replace(/\n$/, ''));
  }
  for (const group of p.events) {
    lines.push('', `${RULE} ${group.title} ${RULE}`);
    if (group.problem) lines.push(group.problem);
    else if (!group.events) lines.push('(reading…)');
    else if (!group.events.length) lines.push('(none: Kubernetes keeps Events for about an hour)');
    else for (const e of group.events) lines.push(eventLine(e));
  }
  return `${lines.join('\n')}\n`;
}

function eventLine(e: EventLine): string {
  const count = e.count && e.count > 1 ? ` (×${e.count})` : '';
  return `${when(e.last)}  ${(e.type ?? '').padEnd(7)}  ${(e.reason ?? '').padEnd(20)}  ${e.message ?? ''}${count}${e.source ? `  [${e.source}]` : ''}`;
}
