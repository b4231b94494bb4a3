import * as assert from 'node:assert/strict';
import {
  applyOrder,
  applyRefusal,
  changeOf,
  diffSides,
  fieldOfMessage,
  HIDDEN,
  isEmptyDocument,
  parseFieldPath,
  rangeOfCause,
  rejectionText,
  reviewable,
  summaryLine,
  targetNamespace,
  unknownFieldOfWarning,
} from '@core/apply';
import { parseManifest, splitDocuments } from '@core/manifest';
import { yaml } from './helpers';

const STORAGE = yaml`
  apiVersion: stackgres.io/v1beta1
  kind: SGObjectStorage
  metadata:
    name: backups
    namespace: demo
    labels:
      app.kubernetes.io/name: backups
      team: dba
  spec:
    type: s3
    s3Compatible:
      bucket: b
    s3:
      bucket: backups-bucket
      awsCredentials:
        secretKeySelectors:
          accessKeyId: {name: creds, key: accessKeyId}
`;

const CLUSTER = yaml`
  # a cluster
  apiVersion: stackgres.io/v1
  kind: SGCluster
  metadata:
    name: main
  spec:
    instances: 2
    pods:
      customContainers:
        - name: sidecar
          image: busybox
        - name: pg-exporter
          image: exporter
    configurations:
      backups:
        - sgObjectStorage: backups
          retention: 0
          cronSchedule: '0 5 * * *'
`;

/** The manifests of a file, and the text an error's range underlines in it (file lines). */
function underline(text: string, doc: number, field: string | undefined, message = ''): { line: number; text: string } {
  const m = parseManifest(splitDocuments(text)[doc]);
  const r = rangeOfCause(m, field, message);
  const lines = text.split('\n');
  return { line: r.start.line, text: lines[r.start.line].slice(r.start.character, r.start.line === r.end.line ? r.end.character : undefined) };
}

describe('apply: where an API error lands in the YAML', () => {
  it('puts a 422 cause on the field it names', () => {
    assert.deepEqual(underline(CLUSTER, 0, 'spec.instances'), { line: 6, text: 'instances' });
  });

  it('strips the leading dot of apply-conflict paths', () => {
    assert.deepEqual(underline(CLUSTER, 0, '.spec.instances'), { line: 6, text: 'instances' });
  });

  it('follows [0] indexes into lists', () => {
    assert.deepEqual(underline(CLUSTER, 0, 'spec.configurations.backups[0].retention'), { line: 16, text: 'retention' });
  });

  it('finds list items keyed by a field ([name="…"])', () => {
    assert.deepEqual(underline(CLUSTER, 0, '.spec.pods.customContainers[name="pg-exporter"].image'), { line: 12, text: 'image' });
  });

  it('reads map keys that hold dots (labels) as one key when the document has it', () => {
    assert.deepEqual(underline(STORAGE, 0, '.metadata.labels.app.kubernetes.io/name'), { line: 6, text: 'app.kubernetes.io/name' });
    assert.deepEqual(underline(STORAGE, 0, 'metadata.labels.team'), { line: 7, text: 'team' });
  });

  it('reads keys in brackets (data[key])', () => {
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  accessKeyId: eA==\n';
    assert.deepEqual(underline(secret, 0, 'data[accessKeyId]'), { line: 5, text: 'accessKeyId' });
  });

  it('underlines a flow-style selector key', () => {
    assert.deepEqual(underline(STORAGE, 0, 'spec.s3.awsCredentials.secretKeySelectors.accessKeyId.key'), { line: 16, text: 'key' });
  });

  it('falls back to the deepest present parent for a missing field', () => {
    assert.deepEqual(underline(STORAGE, 0, 'spec.s3.awsCredentials.secretKeySelectors.secretAccessKey'), { line: 15, text: 'secretKeySelectors' });
    assert.deepEqual(underline(CLUSTER, 0, 'spec.configurations.backups[3].retention'), { line: 14, text: 'backups' });
  });

  it('falls back to the kind line when nothing of the path is there, or no field is named', () => {
    assert.deepEqual(underline(CLUSTER, 0, 'status.conditions'), { line: 2, text: 'kind' });
    assert.deepEqual(underline(CLUSTER, 0, undefined, 'something unexpected'), { line: 2, text: 'kind' });
    assert.deepEqual(underline(CLUSTER, 0, ''), { line: 2, text: 'kind' });
  });

  it('counts file lines for later documents of a multi-document file', () => {
    const file = `${STORAGE}---\n${CLUSTER}`;
    const offset = STORAGE.split('\n').length;
    assert.deepEqual(underline(file, 1, 'spec.instances'), { line: offset + 6, text: 'instances' });
    assert.deepEqual(underline(file, 1, undefined), { line: offset + 2, text: 'kind' });
  });

  it('places the webhook\'s type/section rejections (no field) on the extra section or on type', () => {
    const neither = 'admission webhook "sgobjectstorage.validating-webhook.stackgres.io" denied the request: Invalid object storage. If storage type is s3, neither s3Compatible, gcs or azureBlob must be set';
    assert.deepEqual(underline(STORAGE, 0, undefined, neither), { line: 10, text: 's3Compatible' });
    assert.deepEqual(underline(STORAGE, 0, undefined, 'Invalid object storage. If storage type is gcs, the gcs property must be set'), { line: 9, text: 'type' });
    assert.deepEqual(
      underline(STORAGE, 0, undefined, 'Invalid object storage. If storage type is s3, you must set useIamRole or secretKeySelectors under awsCredentials'),
      { line: 14, text: 'awsCredentials' },
    );
  });

  it('maps the other hand-written webhook messages to their fields', () => {
    assert.deepEqual(fieldOfMessage('SGBackup', 'SGBackup sgCluster can not be updated.'), ['spec', 'sgCluster']);
    assert.deepEqual(fieldOfMessage('SGBackup', 'Update of backups config is forbidden'), ['status', 'sgBackupConfig']);
    assert.deepEqual(fieldOfMessage('SGCluster', "Cannot update SGCluster's restore configuration"), ['spec', 'initialData', 'restore']);
    assert.deepEqual(fieldOfMessage('SGCluster', 'spec.configurations.backups[0].retention: Invalid value: 0'), ['spec', 'configurations', 'backups', 0, 'retention']);
    assert.equal(fieldOfMessage('SGCluster', 'the server is on fire'), undefined);
  });

  it('parses paths without a document too', () => {
    assert.deepEqual(parseFieldPath('.spec.a[2].b'), ['spec', 'a', 2, 'b']);
    assert.deepEqual(parseFieldPath('metadata.labels.x.y'), ['metadata', 'labels', 'x', 'y']);
    assert.deepEqual(parseFieldPath('spec.list[name="a]b"].x', { spec: { list: [{ name: 'z' }, { name: 'a]b' }] } }), ['spec', 'list', 1, 'x']);
    assert.deepEqual(parseFieldPath('spec.finalizers[b]', { spec: { finalizers: ['a', 'b'] } }), ['spec', 'finalizers', 1]);
  });

  it('reads the field of an unknown-field warning, and shortens webhook wording', () => {
    assert.equal(unknownFieldOfWarning('unknown field "spec.s3.bucketName"'), 'spec.s3.bucketName');
    assert.equal(unknownFieldOfWarning('something else'), undefined);
    assert.equal(
      rejectionText('The cluster rejected SGObjectStorage s: admission webhook "a.b" denied the request: Invalid object storage. Nope', 'prod'),
      'Invalid object storage. Nope (rejected by the cluster\'s StackGres admission webhook, context "prod")',
    );
    assert.equal(rejectionText('spec.type: Unsupported value: "x"', 'prod'), 'spec.type: Unsupported value: "x" (rejected by the cluster, context "prod")');
  });
});

describe('apply: which documents are applied', () => {
  const m = (text: string) => parseManifest(splitDocuments(text)[0]);

  it('accepts StackGres kinds, Secrets and Namespaces with apiVersion, kind and name', () => {
    assert.equal(applyRefusal(m(STORAGE)), undefined);
    assert.equal(applyRefusal(m('apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n')), undefined);
    assert.equal(applyRefusal(m('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: db\n')), undefined);
  });

  it('refuses each other case with its reason', () => {
    assert.match(applyRefusal(m('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n'))!, /Deployment: this command applies StackGres kinds, Secrets and Namespaces only/);
    assert.match(applyRefusal(m('kind: SGCluster\nmetadata:\n  name: c\n'))!, /has no apiVersion\.$/);
    assert.match(applyRefusal(m('apiVersion: stackgres.io/v1\nkind: SGCluster\n'))!, /has no metadata\.name/);
    assert.match(applyRefusal(m('apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: {{ .Values.name }}\n'))!, /Helm template/);
    assert.match(applyRefusal(m('apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: [\n'))!, /not valid YAML/);
    assert.match(applyRefusal(m('- a\n- b\n'))!, /not a Kubernetes object/);
    assert.match(applyRefusal(m('apiVersion: stackgres.io/v1\nkind: SGObjectStorage\nmetadata:\n  name: s\n'))!, /serves SGObjectStorage as stackgres\.io\/v1beta1/);
    assert.match(applyRefusal(m('apiVersion: v2\nkind: Secret\nmetadata:\n  name: s\n'))!, /served as v1/);
  });

  it('skips documents holding only comments', () => {
    assert.equal(isEmptyDocument(m('# nothing here\n')), true);
    assert.equal(isEmptyDocument(m(STORAGE)), false);
  });

  it('takes the document\'s namespace, else the context\'s; Namespaces have none', () => {
    assert.deepEqual(targetNamespace(m(STORAGE), 'default'), { namespace: 'demo', fromContext: false });
    assert.deepEqual(targetNamespace(m(CLUSTER), 'team-a'), { namespace: 'team-a', fromContext: true });
    assert.deepEqual(targetNamespace(m('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: db\n'), 'x'), { fromContext: false });
  });

  it('applies Namespaces, then Secrets and storages, then clusters, then backups', () => {
    const kinds = ['SGBackup', 'SGCluster', 'Secret', 'SGDbOps', 'Namespace', 'SGObjectStorage'];
    assert.deepEqual([...kinds].sort((a, b) => applyOrder(a) - applyOrder(b)), ['Namespace', 'Secret', 'SGObjectStorage', 'SGCluster', 'SGBackup', 'SGDbOps']);
  });
});

describe('apply: live object vs dry-run result', () => {
  const live = {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGCluster',
    metadata: {
      name: 'main',
      namespace: 'demo',
      uid: 'u-1',
      resourceVersion: '7',
      generation: 2,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'kubectl' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    },
    spec: { instances: 1 },
    status: { conditions: [] },
  };

  it('drops server bookkeeping and status before comparing', () => {
    assert.deepEqual(reviewable(live), { apiVersion: 'stackgres.io/v1', kind: 'SGCluster', metadata: { name: 'main', namespace: 'demo' }, spec: { instances: 1 } });
    assert.deepEqual(reviewable(live, { keepStatus: true })?.status, { conditions: [] });
  });

  it('tells created, changed and unchanged apart, whatever the key order', () => {
    const after = { ...live, metadata: { ...live.metadata, resourceVersion: '8' }, spec: { instances: 2 } };
    assert.equal(changeOf(undefined, reviewable(after)), 'created');
    assert.equal(changeOf(reviewable(live), reviewable(after)), 'changed');
    const reordered = { spec: { instances: 1 }, metadata: { namespace: 'demo', name: 'main' }, kind: 'SGCluster', apiVersion: 'stackgres.io/v1' };
    assert.equal(changeOf(reviewable(live), reviewable(reordered)), 'unchanged');
    assert.equal(summaryLine(['created', 'changed', 'unchanged', 'unchanged']), '1 created, 1 changed, 2 unchanged');
  });

  it('never shows Secret values, only their keys', () => {
    const secret = reviewable({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { b: 'c2VjcmV0', a: 'eA==' }, stringData: { c: 'plain' } });
    assert.deepEqual(secret?.data, { a: HIDDEN, b: HIDDEN, c: HIDDEN });
    assert.equal(JSON.stringify(secret).includes('c2VjcmV0') || JSON.stringify(secret).includes('plain'), false);
    assert.deepEqual(reviewable({ kind: 'Secret', metadata: { name: 's' }, keys: ['k'] })?.data, { k: HIDDEN });
  });

  it('renders both sides with the same headers, one document per object', () => {
    const sides = diffSides([
      { label: 'SGCluster demo/main', live: reviewable(live), result: { ...reviewable(live), spec: { instances: 2 } } },
      { label: 'SGBackup demo/b', result: { kind: 'SGBackup' } },
    ]);
    assert.equal(sides.live, '# SGCluster demo/main\napiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: main\n  namespace: demo\nspec:\n  instances: 1\n---\n# SGBackup demo/b\n# does not exist yet\n');
    assert.match(sides.result, /instances: 2\n---\n# SGBackup demo\/b\nkind: SGBackup\n$/);
  });

  it('keeps a name with a line break on its header line', () => {
    const sides = diffSides([{ label: 'SGBackup demo/b\nkind: Secret', result: { kind: 'SGBackup' } }]);
    assert.equal(sides.live, '# SGBackup demo/b\\nkind: Secret\n# does not exist yet\n');
  });
});
