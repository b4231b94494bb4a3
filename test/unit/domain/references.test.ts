import * as assert from 'node:assert/strict';
import { checkWorkspaceReferences, KnownObject, referenceKindAt, referencesOf, secretKeySelectorAt } from '@core/references';

const storage = {
  spec: {
    type: 's3',
    s3: { bucket: 'b', awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'creds', key: 'accessKeyId' }, secretAccessKey: { name: 'creds', key: 'secret' } } } },
    encryption: { sodium: { key: { name: 'enc', key: 'key' } } },
  },
};

function lookup(objects: KnownObject[]) {
  return { find: (kind: string, name: string, ns: string | undefined) => objects.filter((o) => o.kind === kind && o.name === name && (ns === undefined || o.namespace === undefined || o.namespace === ns)) };
}

describe('references between manifests', () => {
  it('knows which fields name which kind', () => {
    assert.equal(referenceKindAt('SGCluster', ['spec', 'configurations', 'backups', 0, 'sgObjectStorage']), 'SGObjectStorage');
    assert.equal(referenceKindAt('SGCluster', ['spec', 'initialData', 'restore', 'fromBackup', 'name']), 'SGBackup');
    assert.equal(referenceKindAt('SGBackup', ['spec', 'sgCluster']), 'SGCluster');
    assert.equal(referenceKindAt('SGObjectStorage', ['spec', 's3', 'awsCredentials', 'secretKeySelectors', 'accessKeyId', 'name']), 'Secret');
    assert.equal(referenceKindAt('SGObjectStorage', ['spec', 'encryption', 'sodium', 'key', 'name']), 'Secret');
    assert.equal(referenceKindAt('SGCluster', ['spec', 'instances']), undefined);
    assert.equal(secretKeySelectorAt(storage, ['spec', 's3', 'awsCredentials', 'secretKeySelectors', 'accessKeyId', 'key']), 'creds');
  });

  it('lists the secret selectors of a storage', () => {
    const refs = referencesOf('SGObjectStorage', storage);
    assert.deepEqual(refs.map((r) => [r.kind, r.name, r.key]), [['Secret', 'creds', 'accessKeyId'], ['Secret', 'creds', 'secret'], ['Secret', 'enc', 'key']]);
  });

  it('an unknown sgObjectStorage is information; a known one in the same namespace is not', () => {
    const cluster = { spec: { configurations: { backups: [{ sgObjectStorage: 'backups' }] } } };
    const [f] = checkWorkspaceReferences('SGCluster', cluster, 'db', lookup([{ kind: 'SGObjectStorage', name: 'backups', namespace: 'other' }]));
    assert.equal(f.code, 'ref-object-storage-unknown');
    assert.match(f.message, /namespace `db`/);
    assert.deepEqual(checkWorkspaceReferences('SGCluster', cluster, 'db', lookup([{ kind: 'SGObjectStorage', name: 'backups', namespace: 'db' }])), []);
  });

  it('a selector naming a key the workspace Secret lacks is a warning with the existing keys as fixes', () => {
    const f = checkWorkspaceReferences('SGObjectStorage', storage, undefined, lookup([{ kind: 'Secret', name: 'creds', keys: ['accessKeyId', 'secretAccessKey'] }]));
    assert.equal(f.length, 1);
    assert.equal(f[0].code, 'ref-secret-key-missing');
    assert.deepEqual(f[0].path, ['spec', 's3', 'awsCredentials', 'secretKeySelectors', 'secretAccessKey', 'key']);
    assert.deepEqual(f[0].fixes?.map((x) => x.title), ['Use key accessKeyId', 'Use key secretAccessKey']);
  });

  it('a Secret that is not in the workspace is not reported (it may exist in the cluster)', () => {
    assert.deepEqual(checkWorkspaceReferences('SGObjectStorage', storage, undefined, lookup([])), []);
  });
});
