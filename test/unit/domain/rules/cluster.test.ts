import * as assert from 'node:assert/strict';
import { codes, findings, yaml } from '../helpers';

const cluster = yaml`
  apiVersion: stackgres.io/v1
  kind: SGCluster
  metadata:
    name: my-cluster
  spec:
    instances: 2
    postgres: {version: '16'}
    pods: {persistentVolume: {size: 10Gi}}
    configurations:
      backups:
      - sgObjectStorage: backups
        cronSchedule: '0 5 * * *'
        retention: 7
`;

describe('SGCluster rules', () => {
  it('accepts the tutorial cluster', () => {
    assert.deepEqual(codes(cluster), []);
  });

  describe('backups', () => {
    it('a second backups entry is ignored by the operator: warned on the entry', () => {
      const f = findings(cluster + '    - sgObjectStorage: other\n');
      assert.deepEqual(f.map((x) => [x.code, x.line]), [['backups-extra-entries', 13]]);
      assert.match(f[0].message, /entry 2 is ignored/);
    });

    it("the docs' cron example '0 5 0 0 0' is an error on the value", () => {
      const [f] = findings(cluster.replace('0 5 * * *', '0 5 0 0 0'));
      assert.equal(f.code, 'backup-cron-invalid');
      assert.equal(f.underlined, "'0 5 0 0 0'");
      assert.match(f.message, /outside 1-12/);
    });

    it("'0 5 31 2 *' is valid but never fires: a warning", () => {
      const [f] = findings(cluster.replace('0 5 * * *', '0 5 31 2 *'));
      assert.equal(f.code, 'backup-cron-never-runs');
    });

    it('a cluster name over 36 characters with a schedule: scheduled SGBackup names would be too long', () => {
      const name = 'a'.repeat(37);
      const [f] = findings(cluster.replace('my-cluster', name));
      assert.equal(f.code, 'backup-name-too-long');
      assert.equal(f.underlined, name);
      assert.match(f.message, /37 characters/);
      assert.deepEqual(codes(cluster.replace('my-cluster', 'a'.repeat(36))), []);
      // Without a schedule there are no scheduled backups to name.
      assert.deepEqual(codes(cluster.replace('my-cluster', name).replace(/ {4}cronSchedule.*\n/, '')), []);
    });

    it('a leading slash in path is warned, with the fix removing it', () => {
      const [f] = findings(cluster + '      path: /production\n');
      assert.equal(f.code, 'backup-path-leading-slash');
      assert.equal(f.underlined, '/production');
      assert.deepEqual(f.fixes?.map((x) => x.title), ['Use production']);
    });

    it('a negative maxRetries is an error', () => {
      assert.deepEqual(codes(cluster + '      maxRetries: -1\n'), ['max-retries-negative']);
    });
  });

  describe('restore', () => {
    const restore = (from: string) => cluster.replace(/ {2}configurations:[\s\S]*$/, `  initialData:\n    restore:\n${from}`);

    it('a plain fromBackup.name restore is fine', () => {
      assert.deepEqual(codes(restore('      fromBackup:\n        name: my-backup\n')), []);
    });

    it('restore without fromBackup, or fromBackup without a name, is an error', () => {
      assert.deepEqual(codes(restore('      downloadDiskConcurrency: 2\n')), ['restore-from-backup-missing']);
      const [f] = findings(restore('      fromBackup:\n        name:\n'));
      assert.equal(f.code, 'restore-from-backup-missing');
      assert.equal(f.underlined, 'name');
    });

    it('fromBackup.uid is rejected by the webhook', () => {
      const [f] = findings(restore('      fromBackup:\n        name: b\n        uid: 1234\n'));
      assert.equal(f.code, 'restore-uid-rejected');
      assert.match(f.message, /uid is deprecated, use name instead!/);
    });

    it('two recovery targets: each is flagged', () => {
      const f = findings(restore('      fromBackup:\n        name: b\n        targetLsn: 0/3000060\n        targetXid: "1234"\n'));
      assert.deepEqual(f.map((x) => [x.code, x.underlined]), [['restore-targets-conflict', 'targetXid'], ['restore-targets-conflict', 'targetLsn']]);
    });

    it('restoreToTimestamp must be an ISO instant; a near miss gets a fix', () => {
      const pitr = (ts: string) => restore(`      fromBackup:\n        name: b\n        pointInTimeRecovery:\n          restoreToTimestamp: ${ts}\n`);
      assert.deepEqual(codes(pitr("'2024-01-15T10:30:00Z'")), []);
      assert.deepEqual(codes(pitr("'2024-01-15T10:30:00.123+01:00'")), []);
      const [f] = findings(pitr("'2024-01-15 10:30:00'"));
      assert.equal(f.code, 'restore-timestamp-invalid');
      assert.equal(f.fixes?.[0].title, 'Use 2024-01-15T10:30:00Z');
      assert.deepEqual(codes(pitr("'mié 06 abr 2022 17:27:22 CEST'")), ['restore-timestamp-invalid']);
      assert.deepEqual(codes(restore('      fromBackup:\n        name: b\n        pointInTimeRecovery: {}\n')), ['restore-timestamp-invalid']);
    });

    it('initialData.scripts is rejected', () => {
      assert.deepEqual(codes(cluster.replace('  configurations:', '  initialData:\n    scripts: []\n  configurations:')), ['initial-data-scripts-rejected']);
    });
  });

  describe('removed fields', () => {
    it('configurations.sgBackupConfig and backupPath are errors; the first offers the migration', () => {
      const text = cluster.replace(/ {4}backups:[\s\S]*$/, '    sgBackupConfig: old-config\n    backupPath: sgbackups/x\n');
      const f = findings(text);
      assert.deepEqual(f.map((x) => [x.code, x.underlined]), [['removed-sgbackupconfig-field', 'sgBackupConfig'], ['removed-backuppath-field', 'backupPath']]);
      assert.equal(f[0].fixes?.[0].kind, 'replace-sgbackupconfig-field');
    });
  });
});

describe('SGShardedCluster rules', () => {
  it('checks the shared backups section: cron and extra entries', () => {
    const text = "apiVersion: stackgres.io/v1alpha1\nkind: SGShardedCluster\nmetadata: {name: s}\nspec:\n  configurations:\n    backups:\n    - sgObjectStorage: a\n      cronSchedule: '0 5 0 0 0'\n    - sgObjectStorage: b\n";
    assert.deepEqual(codes(text), ['backup-cron-invalid', 'backups-extra-entries']);
  });
});
