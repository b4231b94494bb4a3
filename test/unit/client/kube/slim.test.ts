import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readBackup } from '@core/backups';
import type { KubeObject } from '../../../../client/src/kube/api';
import { slimObject } from '../../../../client/src/kube/slim';
import { itWithReference, stackgresFile } from '../../../reference';

/** A Completed backup as the operator writes it, with the pg_controldata dump it records. */
function operatorBackup(): KubeObject {
  const listed = JSON.parse(readFileSync(stackgresFile('objects/backup-list.json'), 'utf8')) as { items: KubeObject[] };
  const completed = listed.items[0];
  const controlData = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`pg_control field number ${i}`, `value ${i} `.repeat(4)]));
  return {
    ...completed,
    status: { ...(completed.status as object), backupInformation: { ...((completed.status as { backupInformation: object }).backupInformation), controlData } },
  };
}

describe('what the live caches hold of an object', () => {
  itWithReference('drops pg_controldata, managedFields and the last-applied copy, and keeps what the view reads', () => {
    const backup = operatorBackup();
    const full: KubeObject = {
      ...backup,
      metadata: { ...backup.metadata, managedFields: [{ manager: 'kubectl' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}', keep: 'me' } },
    };
    const slim = slimObject(full);
    assert.equal(slim.metadata.managedFields, undefined);
    assert.deepEqual(slim.metadata.annotations, { keep: 'me' });
    assert.equal((slim.status as { backupInformation: Record<string, unknown> }).backupInformation.controlData, undefined);
    assert.deepEqual(readBackup(slim), readBackup(full));
    assert.ok(JSON.stringify(slim).length < JSON.stringify(full).length / 2, 'less than half the size');
    // The original is untouched (commands GET the whole object when they need it).
    assert.ok((full.status as { backupInformation: Record<string, unknown> }).backupInformation.controlData);
    // The list slims each page and the cache what it holds: the second pass makes no copy.
    assert.equal(slimObject(slim), slim);
  });

  it('drops an annotations map that held only the last-applied copy, and keeps other annotations without copying', () => {
    const onlyApplied: KubeObject = { kind: 'SGCluster', metadata: { name: 'c', namespace: 'n', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}' } } };
    assert.deepEqual(slimObject(onlyApplied), { kind: 'SGCluster', metadata: { name: 'c', namespace: 'n' } });
    const operator: KubeObject = { kind: 'SGBackup', metadata: { name: 'b', namespace: 'n', annotations: { 'stackgres.io/operatorVersion': '1.18.6' } } };
    assert.equal(slimObject(operator), operator);
  });

  it('leaves objects without those fields as they are', () => {
    const o: KubeObject = { apiVersion: 'stackgres.io/v1', kind: 'SGCluster', metadata: { name: 'c', namespace: 'n' }, spec: { instances: 1 } };
    assert.deepEqual(slimObject(o), o);
  });
});
