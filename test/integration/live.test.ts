/**
 * Live values in the real editor: what the connected cluster holds reaches the language server through the
 * extension, for completion and for the checks, labelled as coming from the cluster; a Secret created outside
 * VS Code is found by the periodic read of Secret names (metadata only) and of the keys of the Secrets named.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parse } from 'yaml';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import { completionsAt, diagnosticCode, labelOf, positionOf, removeFixtureFolder, s3StorageManifest, scratchNamespace, testingApi, waitFor, waitForDiagnostics, writeFixture } from './helpers';

const FOLDER = 'live-it';
const STORAGE = 'live-storage';
const SECRET = 'live-keys';

function cluster(namespace: string, storageName: string): string {
  return `apiVersion: stackgres.io/v1
kind: SGCluster
metadata:
  name: live-db
  namespace: ${namespace}
spec:
  instances: 1
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 1Gi}}
  configurations:
    backups:
    - sgObjectStorage: ${storageName}
`;
}

describe('Live values from the connected cluster', function () {
  this.timeout(90_000);
  let api: KubeApi;
  let namespace = '';

  before(async () => {
    const { context } = await testingApi();
    api = await context.connection.api();
    namespace = scratchNamespace('live');
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    // The storage exists in the cluster only: the workspace does not define it.
    await api.apply(parse(s3StorageManifest(namespace, STORAGE, SECRET)) as KubeObject);
    // The driver's user settings read Secrets again every 3 s (stackgres.live.secretsRefreshSeconds).
    assert.equal(vscode.workspace.getConfiguration('stackgres').get('live.secretsRefreshSeconds'), 3);
    await context.model();
  });

  after(async () => {
    await removeFixtureFolder(FOLDER);
  });

  it('reports a storage the cluster lacks, labelled, and offers the one it has @cluster', async () => {
    const { document } = await writeFixture(FOLDER, 'cluster.yaml', cluster(namespace, 'not-there'));
    const [missing] = await waitForDiagnostics(document.uri, (ds) => ds.some((d) => diagnosticCode(d) === 'live-object-storage-missing'), 'the cluster saying it has no storage not-there');
    const found = vscode.languages.getDiagnostics(document.uri).find((d) => diagnosticCode(d) === 'live-object-storage-missing') ?? missing;
    assert.match(found.message, new RegExp(`^Cluster: there is no SGObjectStorage \`not-there\` in .*${namespace}`));
    assert.equal(found.range.start.line, positionOf(document, 'not-there').line, 'on the reference');

    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(positionOf(document, 'not-there'), positionOf(document, 'not-there', { offset: 'not-there'.length })), '');
    await vscode.workspace.applyEdit(edit);
    const item = await waitFor(`${STORAGE} offered at sgObjectStorage`, async () => (await completionsAt(document, positionOf(document, 'sgObjectStorage: ', { offset: 'sgObjectStorage: '.length }))).find((i) => labelOf(i) === STORAGE));
    assert.match(String(item.detail), /from the cluster/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('finds a Secret created outside VS Code within the refresh interval @cluster', async () => {
    const { document } = await writeFixture(FOLDER, 'storage.yaml', s3StorageManifest(namespace, 'live-storage-2', SECRET));
    await waitForDiagnostics(document.uri, (ds) => ds.some((d) => diagnosticCode(d) === 'live-secret-missing'), `the cluster saying Secret ${SECRET} is missing`);
    const placeholder = new TextEncoder().encode('placeholder');
    await api.createSecret(namespace, SECRET, { accessKeyId: placeholder, secretAccessKey: placeholder });
    // The refresh runs every 3 s here: allow a few rounds, plus the language server's debounce.
    await waitForDiagnostics(document.uri, (ds) => !ds.some((d) => String(diagnosticCode(d)).startsWith('live-secret')), `the Secret ${SECRET} found`, 15_000);
  });
  it('offers the key names of a Secret that only an open manifest names @cluster', async () => {
    // Key names are read only for Secrets that storages or open manifests name: no storage in the cluster names this one.
    const secret = 'live-open-only';
    const placeholder = new TextEncoder().encode('placeholder');
    await api.createSecret(namespace, secret, { id: placeholder, secret: placeholder });
    const { document } = await writeFixture(FOLDER, 'open-only.yaml', s3StorageManifest(namespace, 'live-storage-3', secret).replace('key: accessKeyId', 'key: '));
    const at = positionOf(document, 'key: ', { offset: 'key: '.length });
    const item = await waitFor('key id of the Secret offered', async () => (await completionsAt(document, at)).find((i) => labelOf(i) === 'id'), 15_000);
    assert.equal(item.detail, `key of Secret ${secret}`);
    assert.ok((await completionsAt(document, at)).some((i) => labelOf(i) === 'secret'));
  });
});
