import * as assert from 'node:assert/strict';
import { checkLiveReferences, LiveObjectInfo, LiveView } from '@core/live';

function view(objects: LiveObjectInfo[], covered = ['db'], secretsCovered = covered): LiveView {
  return {
    context: 'ctx',
    defaultNamespace: 'db',
    covers: (ns) => covered.includes(ns),
    coversSecrets: (ns) => secretsCovered.includes(ns),
    find: (kind, name, ns) => objects.filter((o) => o.kind === kind && o.name === name && o.namespace === ns),
  };
}

const restore = { spec: { postgres: { version: '16.4' }, initialData: { restore: { fromBackup: { name: 'b' } } } } };

describe('checks against the connected cluster', () => {
  it('say nothing about namespaces the snapshot does not cover', () => {
    assert.deepEqual(checkLiveReferences('SGCluster', restore, 'other', view([])), []);
  });

  it('use the default namespace for manifests without one', () => {
    assert.deepEqual(checkLiveReferences('SGCluster', restore, undefined, view([])).map((f) => f.code), ['live-backup-missing']);
  });

  it('compare the backup major with the cluster major, minor versions aside', () => {
    const ok = view([{ kind: 'SGBackup', name: 'b', namespace: 'db', phase: 'Completed', pgMajor: '16' }]);
    assert.deepEqual(checkLiveReferences('SGCluster', restore, 'db', ok), []);
    const old = view([{ kind: 'SGBackup', name: 'b', namespace: 'db', phase: 'Completed', pgMajor: '15' }]);
    const [f] = checkLiveReferences('SGCluster', restore, 'db', old);
    assert.equal(f.code, 'live-backup-major-mismatch');
    assert.deepEqual(f.fixes?.[0], { kind: 'set-value', title: 'Use Postgres 15', path: ['spec', 'postgres', 'version'], value: '15' });
  });

  it('report a Failed backup as not Completed', () => {
    const failed = view([{ kind: 'SGBackup', name: 'b', namespace: 'db', phase: 'Failed' }]);
    assert.match(checkLiveReferences('SGCluster', restore, 'db', failed)[0].message, /is Failed, not Completed/);
  });

  it('report an SGBackup for a cluster that does not exist', () => {
    assert.deepEqual(checkLiveReferences('SGBackup', { spec: { sgCluster: 'c' } }, 'db', view([])).map((f) => f.code), ['live-cluster-missing']);
  });
  it('judge the key of a Secret only when its key names were read (names alone come from a metadata list)', () => {
    const storage = { spec: { type: 's3', s3: { bucket: 'b', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'creds', key: 'id' }, secretAccessKey: { name: 'creds', key: 'secret' } } } } } };
    assert.deepEqual(checkLiveReferences('SGObjectStorage', storage, 'db', view([{ kind: 'Secret', name: 'creds', namespace: 'db' }])), [], 'known by name only');
    const read = view([{ kind: 'Secret', name: 'creds', namespace: 'db', keys: ['id'] }]);
    assert.deepEqual(checkLiveReferences('SGObjectStorage', storage, 'db', read).map((f) => f.code), ['live-secret-key-missing']);
  });

  it('claim a Secret missing only once the namespace\'s Secret names are read (objects can come first, after a reconnect)', () => {
    const storage = { spec: { type: 's3', s3: { bucket: 'b', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'creds', key: 'id' }, secretAccessKey: { name: 'creds', key: 'secret' } } } } } };
    assert.deepEqual(checkLiveReferences('SGObjectStorage', storage, 'db', view([], ['db'], [])), [], 'Secret names not read yet');
    assert.deepEqual(checkLiveReferences('SGObjectStorage', storage, 'db', view([])).map((f) => f.code), ['live-secret-missing', 'live-secret-missing']);
  });
});
