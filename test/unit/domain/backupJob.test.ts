import * as assert from 'node:assert/strict';
import { backupLogPage, clusterRetention, jobOfPod, lifecycleMenu, lifecycleOwners, lifecyclePlan } from '@core/backupJob';
import { readBackup, type BackupView } from '@core/backups';
import type { LifecyclePlan } from '@core/backupJob';

/** The confirmation of a plan that is not refused. */
function confirmation(plan: LifecyclePlan): Exclude<LifecyclePlan, { problem: string }> {
  if (plan.problem !== undefined) assert.fail(`refused: ${plan.problem}`);
  return plan as Exclude<LifecyclePlan, { problem: string }>;
}

function backup(name: string, o: { phase?: string; managed?: boolean; stored?: string; failure?: string } = {}): BackupView {
  return readBackup({
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name, namespace: 'prod' },
    spec: { sgCluster: 'orders', managedLifecycle: o.managed ?? false },
    status: {
      process: {
        status: o.phase ?? 'Completed',
        jobPod: `${name}-backup-abcde`,
        ...(o.failure ? { failure: o.failure } : {}),
        timing: { start: '2025-03-04T02:00:00Z', end: '2025-03-04T02:01:25Z', stored: o.stored ?? '2025-03-04T02:01:30Z' },
      },
    },
  })!;
}

const day = (d: number): string => `2025-03-${String(d).padStart(2, '0')}T02:00:00Z`;

describe('Keep / Let Retention Manage (spec.managedLifecycle)', () => {
  it('the menu offers the command that changes something, and none on a Failed backup', () => {
    assert.equal(lifecycleMenu(backup('a', { managed: true })), 'keep');
    assert.equal(lifecycleMenu(backup('a', { managed: false })), 'release');
    assert.equal(lifecycleMenu(backup('a', { managed: false, phase: 'Running' })), 'release');
    assert.equal(lifecycleMenu(backup('a', { phase: 'Failed' })), undefined);
  });

  it("reads the cluster's retention, with StackGres' default of 5 when it sets none", () => {
    assert.deepEqual(clusterRetention({ spec: { configurations: { backups: [{ sgObjectStorage: 's', retention: 3 }] } } }), { retention: 3, defaulted: false });
    assert.deepEqual(clusterRetention({ spec: { configurations: { backups: [{ sgObjectStorage: 's' }] } } }), { retention: 5, defaulted: true });
    assert.deepEqual(clusterRetention({ spec: { configurations: { backups: [{ retention: 0 }] } } }), { retention: 5, defaulted: true });
  });

  it('refuses a Failed backup with what to do instead', () => {
    const plan = lifecyclePlan({ backup: backup('f', { phase: 'Failed' }), managed: false, others: [], owners: [] });
    assert.match(plan.problem ?? '', /^SGBackup f in namespace prod Failed: .*nothing to keep.*Delete it when/);
  });

  it('says when nothing would change', () => {
    const plan = lifecyclePlan({ backup: backup('k', { managed: false }), managed: false, others: [], owners: [] });
    assert.equal(plan.problem, 'SGBackup k in namespace prod is already kept until someone deletes it: nothing was changed.');
    assert.ok('unchanged' in plan && plan.unchanged);
  });

  it('keeping names the retention it leaves and that the files stay until deleted', () => {
    const plan = confirmation(lifecyclePlan({ backup: backup('m', { managed: true }), managed: false, retention: { retention: 3, defaulted: false }, others: [], owners: [] }));
    assert.equal(plan.message, 'Keep backup m until someone deletes it?');
    assert.match(plan.detail, /spec\.managedLifecycle: false .*retention policy of cluster prod\.orders \(retention 3\) no longer counts or deletes it.*until someone deletes the SGBackup/);
    assert.deepEqual([plan.button, plan.force, plan.deletedByNextBackup], ['Keep Backup', false, false]);
  });

  it('handing an old backup to retention says the next backup deletes it, files included', () => {
    const others = [1, 2, 3].map((d) => backup(`new-${d}`, { managed: true, stored: day(10 + d) }));
    const old = backup('old', { managed: false, stored: day(1) });
    const plan = confirmation(lifecyclePlan({ backup: old, managed: true, retention: { retention: 3, defaulted: false }, others: [...others, old], owners: [] }));
    assert.equal(plan.deletedByNextBackup, true);
    assert.equal(plan.button, 'Let Retention Delete It');
    assert.match(plan.message, /The next backup deletes it\.$/);
    assert.match(plan.detail, /older than the 3 newest managed backups of cluster prod\.orders \(retention 3\): the next backup Job of the cluster DELETES it, the SGBackup and its files in object storage/);
  });

  it('a recent backup handed to retention is deleted later, once enough newer ones exist', () => {
    const others = [backup('older', { managed: true, stored: day(1) }), backup('unmanaged', { managed: false, stored: day(20) }), backup('failed', { managed: true, phase: 'Failed', stored: day(21) })];
    const plan = confirmation(lifecyclePlan({ backup: backup('recent', { stored: day(15) }), managed: true, retention: { retention: 2, defaulted: false }, others, owners: [] }));
    assert.equal(plan.deletedByNextBackup, false);
    assert.match(plan.detail, /keeps the newest 2 managed backups: once 2 newer managed backups exist, a backup Job deletes this one/);
  });

  it('the default retention is named as such', () => {
    const plan = lifecyclePlan({ backup: backup('m', { managed: true }), managed: false, retention: { retention: 5, defaulted: true }, others: [], owners: [] });
    assert.match(confirmation(plan).detail, /retention 5 \(the default: the cluster sets none\)/);
  });

  it('another field manager owning spec.managedLifecycle: the confirmation says it is taken over, and the apply is forced', () => {
    const managedFields = [
      { manager: 'stackgres-operator', operation: 'Update', fieldsV1: { 'f:spec': { 'f:sgCluster': {}, 'f:managedLifecycle': {} } } },
      { manager: 'stackgres-vscode', operation: 'Apply', fieldsV1: { 'f:metadata': {} } },
      { manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:status': {} } },
    ];
    const owners = lifecycleOwners(managedFields, 'stackgres-vscode');
    assert.deepEqual(owners, ['stackgres-operator']);
    const plan = confirmation(lifecyclePlan({ backup: backup('s', { managed: true }), managed: false, others: [], owners }));
    assert.equal(plan.force, true);
    assert.match(plan.detail, /spec\.managedLifecycle was set by stackgres-operator; this change takes the field over as stackgres-vscode/);
  });

  it('our own apply is not another owner; our create (an Update) is', () => {
    assert.deepEqual(lifecycleOwners([{ manager: 'stackgres-vscode', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:managedLifecycle': {} } } }], 'stackgres-vscode'), []);
    assert.deepEqual(lifecycleOwners([{ manager: 'stackgres-vscode', operation: 'Update', fieldsV1: { 'f:spec': { 'f:managedLifecycle': {} } } }], 'stackgres-vscode'), ['stackgres-vscode (when it created the backup)']);
    assert.deepEqual(lifecycleOwners(undefined, 'stackgres-vscode'), []);
  });
});

describe('the backup logs page', () => {
  it('the Job of a pod: its owner, else the pod name without the suffix', () => {
    assert.equal(jobOfPod('orders-2025-backup-x1b2c', 'orders-2025-backup'), 'orders-2025-backup');
    assert.equal(jobOfPod('orders-2025-backup-x1b2c'), 'orders-2025-backup');
  });

  it('a gone pod: says so and shows the failure and timing the status holds', () => {
    const b = backup('f', { phase: 'Failed', failure: 'Backup failed while perfroming backup-push:\nERROR: upload refused' });
    const text = backupLogPage({ backup: b, context: 'prod', pod: 'f-backup-abcde', podState: 'gone', following: 'no', events: [{ title: 'Events of SGBackup f', events: [] }] });
    assert.match(text, /The backup Job's pod f-backup-abcde no longer exists .* its log is gone/);
    assert.match(text, /Failure \(status\.process\.failure\):\n {2}Backup failed while perfroming backup-push:\n {2}ERROR: upload refused/);
    assert.match(text, /Timing \(status\.process\.timing\): start 2025-03-04 02:00:00 UTC · end 2025-03-04 02:01:25 UTC/);
    assert.doesNotMatch(text, /Log of pod/);
    assert.match(text, /Events of SGBackup f ─+\n\(none/);
  });

  it('a running pod: its log under the header, the dropped bytes said, and the Events with counts', () => {
    const text = backupLogPage({
      backup: backup('r', { phase: 'Running' }),
      context: 'prod',
      pod: 'r-backup-abcde',
      job: 'r-backup',
      podState: { phase: 'Running', container: 'create-backup' },
      log: 'INFO: one\nINFO: two\n',
      droppedBytes: 120,
      following: 'yes',
      events: [{ title: 'Events of Job r-backup', events: [{ type: 'Normal', reason: 'SuccessfulCreate', message: 'Created pod: r-backup-abcde', count: 2, source: 'job-controller' }] }],
    });
    assert.match(text, /Job r-backup · pod r-backup-abcde \(Running\)/);
    assert.match(text, /Following the log while the backup runs/);
    assert.match(text, /Log of pod r-backup-abcde, container create-backup ─+\n\[120 bytes of earlier lines dropped.*kubectl logs -n prod r-backup-abcde.*\]\nINFO: one\nINFO: two\n/);
    assert.match(text, /Normal {3}SuccessfulCreate {6}Created pod: r-backup-abcde \(×2\) {2}\[job-controller\]/);
  });

  it('a pending backup without a job pod says when to look again', () => {
    const text = backupLogPage({ backup: readBackup({ metadata: { name: 'p', namespace: 'prod' }, spec: { sgCluster: 'orders' } })!, context: 'c', following: 'no', events: [] });
    assert.match(text, /has not started a backup Job for it yet/);
  });
});
