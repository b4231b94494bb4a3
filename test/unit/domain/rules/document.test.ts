import * as assert from 'node:assert/strict';
import { codes, findings } from '../helpers';

describe('document rules', () => {
  it('SGObjectStorage with v1 is the wrong apiVersion, with a fix to v1beta1', () => {
    const [f] = findings('apiVersion: stackgres.io/v1\nkind: SGObjectStorage\nmetadata: {name: s}\nspec: {type: s3, s3: {bucket: b, awsCredentials: {useIAMRole: true}}}\n');
    assert.equal(f.code, 'api-version-wrong');
    assert.equal(f.underlined, 'stackgres.io/v1');
    assert.deepEqual(f.fixes, [{ kind: 'set-value', title: 'Change apiVersion to stackgres.io/v1beta1', path: ['apiVersion'], value: 'stackgres.io/v1beta1' }]);
  });

  it('SGBackupConfig was removed: flagged on the kind with the migration fix', () => {
    const [f] = findings('apiVersion: stackgres.io/v1\nkind: SGBackupConfig\nmetadata: {name: old}\nspec: {}\n');
    assert.equal(f.code, 'kind-removed');
    assert.equal(f.underlined, 'SGBackupConfig');
    assert.equal(f.fixes?.[0].kind, 'migrate-backup-config');
  });

  it('other YAML and unknown StackGres kinds get nothing', () => {
    assert.deepEqual(codes('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n'), []);
    assert.deepEqual(codes('apiVersion: stackgres.io/v1\nkind: SGPostgresConfig\nmetadata: {name: p}\nspec: {}\n'), []);
  });

  it('Helm templates are not checked', () => {
    assert.deepEqual(codes('apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata:\n  name: {{ .Release.Name }}\nspec: {}\n'), []);
  });
});
