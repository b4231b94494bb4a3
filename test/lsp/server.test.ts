import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionRequest, CompletionRequest, DiagnosticSeverity, DidChangeWatchedFilesNotification, FileChangeType, HoverRequest, type TextEdit } from 'vscode-languageserver-protocol';
import { LspClient, positionOf } from './client';

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: s3-backup-secret
stringData:
  accessKeyId: REPLACE_ME
  secretAccessKey: REPLACE_ME
`;

const STORAGE = `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata:
  name: objectstorage
spec:
  type: s3
  s3:
    bucket: my-stackgres-bucket
    awsCredentials:
      secretKeySelectors:
        accessKeyId: {name: s3-backup-secret, key: accessKeyId}
        secretAccessKey: {name: s3-backup-secret, key: secretAccessKey}
`;

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  }
  return out;
}

describe('the bundled language server over stdio', function () {
  this.timeout(30_000);
  let ws: string;
  let client: LspClient;
  const uri = (name: string) => pathToFileURL(path.join(ws, name)).toString();

  before(async () => {
    ws = mkdtempSync(path.join(tmpdir(), 'sg-lsp-'));
    writeFileSync(path.join(ws, 'secret.yaml'), SECRET);
    writeFileSync(path.join(ws, 'storage.yaml'), STORAGE);
    client = await LspClient.start(ws);
    await client.until(() => client.logs.some((l) => /Indexed 2 YAML file/.test(l)), 10_000, 'the workspace scan');
  });

  after(async () => {
    await client?.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  describe('diagnostics', () => {
    it('reports rules with stable codes, severities, exact ranges and a docs link', async () => {
      const text = STORAGE.replace('  type: s3\n', '').replace('bucket: my-stackgres-bucket', 'bucket: my-stackgres-bucket\n    storageClass: standard_ia').replace('name: objectstorage', 'name: bad');
      client.open(uri('bad-storage.yaml'), text);
      const diags = await client.diagnosticsFor(uri('bad-storage.yaml'));
      const byCode = Object.fromEntries(diags.map((d) => [d.code, d]));
      assert.deepEqual(Object.keys(byCode).sort(), ['storage-class-invalid', 'storage-type-missing']);
      assert.deepEqual(byCode['storage-type-missing'].range, { start: { line: 4, character: 0 }, end: { line: 4, character: 4 } });
      assert.equal(byCode['storage-type-missing'].severity, DiagnosticSeverity.Error);
      assert.deepEqual(byCode['storage-class-invalid'].range, { start: { line: 7, character: 18 }, end: { line: 7, character: 29 } });
      assert.equal(byCode['storage-class-invalid'].source, 'stackgres');
      assert.match(byCode['storage-class-invalid'].codeDescription!.href, /^https:\/\/stackgres\.io\/doc\//);
    });

    it('reports CRD schema problems in its own words: wrong type, unknown field with a suggestion, minimum', async () => {
      const text = `apiVersion: stackgres.io/v1
kind: SGCluster
metadata:
  name: db
spec:
  instances: "2"
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 10Gi}}
  configurations:
    backups:
    - sgObjectStorage: objectstorage
      cronSchedul: '0 5 * * *'
      retention: 0
`;
      client.open(uri('schema.yaml'), text);
      const diags = await client.diagnosticsFor(uri('schema.yaml'));
      const lines = diags.map((d) => [d.code, d.range.start.line, d.severity]);
      assert.deepEqual(lines.sort(), [
        ['schema-constraint', 12, DiagnosticSeverity.Error],
        ['schema-type', 5, DiagnosticSeverity.Error],
        ['schema-unknown-field', 11, DiagnosticSeverity.Warning],
      ]);
      assert.match(diags.find((d) => d.code === 'schema-unknown-field')!.message, /Did you mean `cronSchedule`\?/);
    });

    it('checks each document of a multi-document file by its own kind, and leaves other YAML alone', async () => {
      const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: "x"
  unknownThing: true
---
apiVersion: stackgres.io/v1
kind: SGCluster
metadata: {name: db}
spec:
  instances: 1
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 10Gi}}
  configurations:
    backups:
    - sgObjectStorage: objectstorage
      cronSchedule: '0 5 0 0 0'
`;
      client.open(uri('mixed.yaml'), text);
      const diags = await client.diagnosticsFor(uri('mixed.yaml'));
      assert.deepEqual(diags.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['backup-cron-invalid', 17, 20]]);
    });

    it('publishes nothing for a plain Kubernetes file', async () => {
      client.open(uri('deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: "x"\n');
      assert.deepEqual(await client.diagnosticsFor(uri('deployment.yaml')), []);
    });

    it('checks references against the workspace: unknown storage is information, a missing Secret key a warning', async () => {
      const cluster = `apiVersion: stackgres.io/v1
kind: SGCluster
metadata: {name: db}
spec:
  instances: 1
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 10Gi}}
  configurations:
    backups:
    - sgObjectStorage: elsewhere
`;
      client.open(uri('cluster-ref.yaml'), cluster);
      const [info] = await client.diagnosticsFor(uri('cluster-ref.yaml'));
      assert.equal(info.code, 'ref-object-storage-unknown');
      assert.equal(info.severity, DiagnosticSeverity.Information);
      client.change(uri('cluster-ref.yaml'), cluster.replace('elsewhere', 'objectstorage'));
      assert.deepEqual(await client.diagnosticsFor(uri('cluster-ref.yaml')), []);

      client.open(uri('storage-key.yaml'), STORAGE.replace('key: secretAccessKey', 'key: secret-access-key').replace('name: objectstorage', 'name: other'));
      const [warn] = await client.diagnosticsFor(uri('storage-key.yaml'));
      assert.equal(warn.code, 'ref-secret-key-missing');
      assert.equal(warn.severity, DiagnosticSeverity.Warning);
      assert.match(warn.message, /has no key `secret-access-key` \(it has `accessKeyId`, `secretAccessKey`\)/);
    });

    it('follows workspace files changing on disk', async () => {
      const cluster = 'apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: db2}\nspec:\n  instances: 1\n  postgres: {version: "16"}\n  pods: {persistentVolume: {size: 10Gi}}\n  configurations:\n    backups:\n    - sgObjectStorage: later\n';
      client.open(uri('cluster-later.yaml'), cluster);
      assert.deepEqual((await client.diagnosticsFor(uri('cluster-later.yaml'))).map((d) => d.code), ['ref-object-storage-unknown']);
      writeFileSync(path.join(ws, 'later.yaml'), STORAGE.replace('name: objectstorage', 'name: later'));
      client.notify(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uri('later.yaml'), type: FileChangeType.Created }] });
      await client.diagnosticsMatching(uri('cluster-later.yaml'), (d) => d.length === 0);
    });

    it('rechecks other open documents when an unsaved document starts or stops defining what they reference', async () => {
      const cluster = 'apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: db3}\nspec:\n  instances: 1\n  postgres: {version: "16"}\n  pods: {persistentVolume: {size: 10Gi}}\n  configurations:\n    backups:\n    - sgObjectStorage: unsaved\n';
      client.open(uri('cluster-unsaved.yaml'), cluster);
      assert.deepEqual((await client.diagnosticsFor(uri('cluster-unsaved.yaml'))).map((d) => d.code), ['ref-object-storage-unknown']);
      const storage = STORAGE.replace('name: objectstorage', 'name: unsaved');
      client.open(uri('storage-unsaved.yaml'), storage);
      await client.diagnosticsMatching(uri('cluster-unsaved.yaml'), (d) => d.length === 0);
      client.change(uri('storage-unsaved.yaml'), storage.replace('name: unsaved', 'name: renamed'));
      await client.diagnosticsMatching(uri('cluster-unsaved.yaml'), (d) => d.map((x) => x.code).join() === 'ref-object-storage-unknown');
    });

    it('says once that Helm templates are not checked', async () => {
      const text = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  type: {{ .Values.type }}\n---\napiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: {{ .Release.Name }}\n';
      client.open(uri('chart.yaml'), text);
      const diags = await client.diagnosticsFor(uri('chart.yaml'));
      assert.deepEqual(diags.map((d) => [d.code, d.severity]), [['helm-template-skipped', DiagnosticSeverity.Information]]);
      assert.match(diags[0].message, /2 StackGres documents/);
    });
  });

  describe('completion', () => {
    it('offers the storage types with the schema, and field names with documentation', async () => {
      const text = STORAGE.replace('  type: s3\n', '  type: \n');
      client.open(uri('c1.yaml'), text);
      const items = await client.completion(uri('c1.yaml'), positionOf(text, 'type: ', 6));
      assert.deepEqual(items.map((i) => i.label).filter((l) => ['s3', 's3Compatible', 'gcs', 'azureBlob'].includes(l)).sort(), ['azureBlob', 'gcs', 's3', 's3Compatible']);
      const text2 = `apiVersion: stackgres.io/v1
kind: SGCluster
metadata: {name: db}
spec:
  configurations:
    backups:
    - sgObjectStorage: objectstorage
      
`;
      client.open(uri('c2.yaml'), text2);
      const fields = await client.completion(uri('c2.yaml'), { line: 7, character: 6 });
      const cron = fields.find((i) => i.label === 'cronSchedule');
      assert.ok(cron, `cronSchedule offered among ${fields.map((i) => i.label).join(', ')}`);
      assert.ok(JSON.stringify(cron.documentation ?? '').length > 20, 'with documentation');
    });

    it('offers the webhook enums: storageClass, compression, keyTransform, SGDbOps op', async () => {
      const text = STORAGE.replace('bucket: my-stackgres-bucket', 'bucket: my-stackgres-bucket\n    storageClass: ');
      client.open(uri('c3.yaml'), text);
      const items = await client.completion(uri('c3.yaml'), positionOf(text, 'storageClass: ', 14));
      assert.deepEqual(items.map((i) => i.label).sort(), ['REDUCED_REDUNDANCY', 'STANDARD', 'STANDARD_IA']);
      const dbops = 'apiVersion: stackgres.io/v1\nkind: SGDbOps\nmetadata: {name: o}\nspec:\n  sgCluster: db\n  op: \n';
      client.open(uri('c4.yaml'), dbops);
      const ops = await client.completion(uri('c4.yaml'), positionOf(dbops, 'op: ', 4));
      assert.ok(ops.some((i) => i.label === 'majorVersionUpgrade') && ops.some((i) => i.label === 'securityUpgrade'));
    });

    it('offers SGObjectStorage names from the workspace for sgObjectStorage, and Secret names and keys for selectors', async () => {
      const text = 'apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: db}\nspec:\n  configurations:\n    backups:\n    - sgObjectStorage: \n';
      client.open(uri('c5.yaml'), text);
      const items = await client.completion(uri('c5.yaml'), positionOf(text, 'sgObjectStorage: ', 17));
      const storage = items.find((i) => i.label === 'objectstorage');
      assert.ok(storage, `objectstorage offered among ${items.map((i) => i.label).join(', ')}`);
      assert.match(String(storage.detail), /s3, bucket my-stackgres-bucket/);
      const sel = STORAGE.replace('{name: s3-backup-secret, key: accessKeyId}', '{name: s3-backup-secret, key: }').replace('name: objectstorage', 'name: x');
      client.open(uri('c6.yaml'), sel);
      const keys = await client.completion(uri('c6.yaml'), positionOf(sel, 'key: }', 5));
      assert.deepEqual(keys.map((i) => i.label).filter((l) => ['accessKeyId', 'secretAccessKey'].includes(l)).sort(), ['accessKeyId', 'secretAccessKey']);
    });

    it('offers apiVersion/kind pairs in a new document, and nothing in other YAML', async () => {
      const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n\n';
      client.open(uri('c7.yaml'), text);
      const pairs = await client.completion(uri('c7.yaml'), { line: 4, character: 0 });
      assert.deepEqual(pairs.map((i) => i.label), ['SGObjectStorage', 'SGCluster', 'SGBackup', 'SGDbOps', 'SGShardedCluster', 'SGShardedBackup']);
      const edit = pairs[0].textEdit as TextEdit;
      assert.equal(edit.range.start.line, 4);
      assert.match(edit.newText, /^apiVersion: stackgres\.io\/v1beta1\nkind: SGObjectStorage\n/);
      assert.deepEqual(await client.completion(uri('c7.yaml'), { line: 2, character: 12 }), []);
    });
  });

  describe('hover', () => {
    it('explains cronSchedule with the sentence and the next runs in UTC', async () => {
      const text = "apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: db}\nspec:\n  configurations:\n    backups:\n    - sgObjectStorage: objectstorage\n      cronSchedule: '0 5 * * *'\n      retention: 7\n";
      client.open(uri('h1.yaml'), text);
      const h = await client.hover(uri('h1.yaml'), positionOf(text, "'0 5", 2));
      const value = (h!.contents as { value: string }).value;
      assert.match(value, /At 05:00 \(UTC\)/);
      assert.equal((value.match(/^- \d{4}-\d{2}-\d{2} 05:00 UTC$/gm) ?? []).length, 3);
      const r = await client.hover(uri('h1.yaml'), positionOf(text, 'retention', 2));
      assert.match((r!.contents as { value: string }).value, /newest 7 managed backups/);
    });

    it('shows the schema description in our words elsewhere, and nothing on other YAML', async () => {
      client.open(uri('h2.yaml'), STORAGE);
      const h = await client.hover(uri('h2.yaml'), positionOf(STORAGE, 'bucket', 1));
      assert.ok(h && (h.contents as { value: string }).value.length > 10);
      client.open(uri('h3.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
      assert.equal(await client.hover(uri('h3.yaml'), { line: 1, character: 2 }), null);
    });
  });

  describe('quick fixes', () => {
    async function fix(name: string, text: string, code: string, title?: RegExp): Promise<string> {
      client.open(uri(name), text);
      const d = (await client.diagnosticsFor(uri(name))).find((x) => x.code === code);
      assert.ok(d, `${code} reported`);
      const actions = await client.codeActions(uri(name), d.range, [d]);
      const action = title ? actions.find((a) => title.test(a.title)) : actions[0];
      assert.ok(action, `a fix among ${actions.map((a) => a.title).join(', ')}`);
      return applyEdits(text, action.edit!.changes![uri(name)]);
    }

    it('adds the missing type from the section present', async () => {
      const out = await fix('f1.yaml', STORAGE.replace('  type: s3\n', ''), 'storage-type-missing');
      assert.equal(out, STORAGE);
    });

    it("fixes an enum's case", async () => {
      const text = STORAGE.replace('bucket: my-stackgres-bucket', 'bucket: my-stackgres-bucket\n    storageClass: standard_ia');
      assert.equal(await fix('f2.yaml', text, 'storage-class-invalid'), text.replace('standard_ia', 'STANDARD_IA'));
    });

    it('fixes the apiVersion', async () => {
      const text = STORAGE.replace('stackgres.io/v1beta1', 'stackgres.io/v1');
      assert.equal(await fix('f3.yaml', text, 'api-version-wrong'), STORAGE);
    });

    it('migrates an SGBackupConfig document', async () => {
      const text = 'apiVersion: stackgres.io/v1\nkind: SGBackupConfig\nmetadata: {name: old}\nspec:\n  baseBackups: {cronSchedule: "0 5 * * *", retention: 3}\n  storage:\n    type: s3\n    s3: {bucket: my-bucket, awsCredentials: {useIAMRole: true}}\n';
      const out = await fix('f4.yaml', text, 'kind-removed');
      assert.match(out, /^kind: SGObjectStorage$/m);
      assert.match(out, /^#         cronSchedule: 0 5 \* \* \*$/m);
    });
  });

  it('survives malformed requests and keeps serving', async () => {
    client.open(uri('alive.yaml'), STORAGE);
    // By method name: the typed requests would not accept these malformed params.
    const malformed = [
      client.connection.sendRequest(HoverRequest.method, { textDocument: { uri: uri('alive.yaml') } }),
      client.connection.sendRequest(CompletionRequest.method, { textDocument: { uri: uri('alive.yaml') }, position: { line: 9999, character: -4 } }),
      client.connection.sendRequest(CodeActionRequest.method, { textDocument: { uri: uri('alive.yaml') }, range: null, context: { diagnostics: [{ source: 'stackgres', range: { start: { line: 500, character: 0 }, end: { line: 500, character: 1 } }, data: { fixes: [{ kind: 'nonsense' }] } }] } }),
    ];
    await Promise.allSettled(malformed);
    assert.ok(client.alive, 'the server process is still running');
    const h = await client.hover(uri('alive.yaml'), positionOf(STORAGE, 'type: s3', 7));
    assert.match((h!.contents as { value: string }).value, /which object store/);
  });
});
