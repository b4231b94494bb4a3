import * as assert from 'node:assert/strict';
import { codes, findings } from '../helpers';

describe('SGBackup rules', () => {
  it('needs spec.sgCluster', () => {
    assert.deepEqual(codes('apiVersion: stackgres.io/v1\nkind: SGBackup\nmetadata: {name: b}\nspec:\n  sgCluster: c\n'), []);
    const [f] = findings('apiVersion: stackgres.io/v1\nkind: SGBackup\nmetadata: {name: b}\nspec:\n  managedLifecycle: true\n');
    assert.equal(f.code, 'backup-cluster-missing');
    assert.equal(f.underlined, 'spec');
  });

  it('checks the storage copied into status.sgBackupConfig like an SGObjectStorage spec', () => {
    const text = 'apiVersion: stackgres.io/v1\nkind: SGBackup\nmetadata: {name: b}\nspec: {sgCluster: c}\nstatus:\n  sgBackupConfig:\n    storage:\n      type: s3\n      s3:\n        bucket: my-bucket\n        storageClass: standard\n        awsCredentials: {useIAMRole: true}\n';
    assert.deepEqual(codes(text), ['storage-class-invalid']);
  });
});
