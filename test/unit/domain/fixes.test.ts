import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { ChunkEdit, fixEdits } from '@core/fixes';
import { Manifest, parseManifest, splitDocuments } from '@core/manifest';
import { checkManifest, FixSpec } from '@core/rules';

function apply(text: string, edits: ChunkEdit[]): string {
  const chunks = splitDocuments(text);
  const lines = text.split('\n');
  const offset = (chunk: number, p: { line: number; character: number }) => {
    const line = chunks[chunk].startLine + p.line;
    return lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  };
  const sorted = edits.map((e) => ({ start: offset(e.chunkIndex, e.range.start), end: offset(e.chunkIndex, e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function fixAll(text: string, pick: (f: FixSpec) => boolean = () => true): string {
  const manifests: Manifest[] = splitDocuments(text).map(parseManifest);
  for (const m of manifests) {
    for (const finding of checkManifest(m)) {
      const fix = finding.fixes?.find(pick);
      if (fix) return apply(text, fixEdits(fix, m, manifests));
    }
  }
  throw new Error('no fix found');
}

describe('quick fixes', () => {
  it('adds the missing type as the first field of spec, at its indentation', () => {
    const text = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s}\nspec:\n  s3:\n    bucket: b\n    awsCredentials: {useIAMRole: true}\n';
    assert.equal(fixAll(text), text.replace('spec:\n', 'spec:\n  type: s3\n'));
  });

  it("fixes an enum's case and keeps the quotes", () => {
    const text = "apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s}\nspec:\n  type: s3\n  s3:\n    bucket: b\n    storageClass: 'standard_ia'\n    awsCredentials: {useIAMRole: true}\n";
    assert.equal(fixAll(text), text.replace("'standard_ia'", "'STANDARD_IA'"));
  });

  it('fixes the apiVersion', () => {
    const text = 'apiVersion: stackgres.io/v1\nkind: SGObjectStorage\nmetadata: {name: s}\nspec: {type: s3, s3: {bucket: b, awsCredentials: {useIAMRole: true}}}\n';
    assert.equal(fixAll(text), text.replace('stackgres.io/v1\n', 'stackgres.io/v1beta1\n'));
  });

  it('repairs a PITR timestamp, quoted', () => {
    const text = 'apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: c}\nspec:\n  initialData:\n    restore:\n      fromBackup:\n        name: b\n        pointInTimeRecovery:\n          restoreToTimestamp: 2024-01-15 10:30:00\n';
    assert.match(fixAll(text), /restoreToTimestamp: '2024-01-15T10:30:00Z'\n$/);
  });

  it('migrates an SGBackupConfig into an SGObjectStorage and the cluster that used it into backups[0]', () => {
    const text = [
      'apiVersion: stackgres.io/v1',
      'kind: SGBackupConfig',
      'metadata:',
      '  name: backupconf',
      '  namespace: db',
      'spec:',
      '  baseBackups:',
      '    retention: 5',
      "    cronSchedule: '0 5 * * *'",
      '    compression: lz4',
      '    performance:',
      '      maxDiskBandwitdh: 26214400',
      '  storage:',
      '    type: s3Compatible',
      '    s3Compatible:',
      '      bucket: stackgres',
      '      endpoint: http://minio:9000',
      '      awsCredentials:',
      '        secretKeySelectors:',
      '          accessKeyId: {name: minio, key: accesskey}',
      '          secretAccessKey: {name: minio, key: secretkey}',
      '---',
      'apiVersion: stackgres.io/v1',
      'kind: SGCluster',
      'metadata: {name: c, namespace: db}',
      'spec:',
      '  configurations:',
      '    sgPostgresConfig: pgconfig',
      '    sgBackupConfig: backupconf',
      '    backupPath: sgbackups.stackgres.io/db/c/old',
      '',
    ].join('\n');
    const out = fixAll(text, (f) => f.kind === 'migrate-backup-config');
    const [storage, cluster] = out.split('\n---\n').map((d) => parse(d));
    assert.deepEqual(storage, {
      apiVersion: 'stackgres.io/v1beta1',
      kind: 'SGObjectStorage',
      metadata: { name: 'backupconf', namespace: 'db' },
      spec: parse(text.split('---')[0]).spec.storage,
    });
    assert.deepEqual(cluster.spec.configurations, {
      sgPostgresConfig: 'pgconfig',
      backups: [{ sgObjectStorage: 'backupconf', cronSchedule: '0 5 * * *', retention: 5, compression: 'lz4', performance: { maxDiskBandwidth: 26214400 }, path: 'sgbackups.stackgres.io/db/c/old' }],
    });
    // The migrated file is clean.
    for (const m of splitDocuments(out).map(parseManifest)) assert.deepEqual(checkManifest(m).map((f) => f.code).filter((c) => c !== 's3compatible-region-missing'), []);
  });

  it('without a cluster in the file, the migration leaves the backups entry as a comment to paste', () => {
    const text = 'apiVersion: stackgres.io/v1\nkind: SGBackupConfig\nmetadata: {name: old}\nspec:\n  baseBackups: {retention: 3}\n  storage: {type: s3, s3: {bucket: b, awsCredentials: {useIAMRole: true}}}\n';
    const out = fixAll(text);
    assert.match(out, /^kind: SGObjectStorage$/m);
    assert.match(out, /^#     backups:\n#       - sgObjectStorage: old\n#         retention: 3$/m);
  });

  it('the commented backups entry keeps odd characters of the old values visible, on their lines', () => {
    const text = 'apiVersion: stackgres.io/v1\nkind: SGBackupConfig\nmetadata: {name: old}\nspec:\n  baseBackups: {cronSchedule: "0 5 * * *\\Lx\\u202Ey", retention: 3}\n  storage: {type: s3, s3: {bucket: my-bucket, awsCredentials: {useIAMRole: true}}}\n';
    const out = fixAll(text);
    assert.match(out, /^#         cronSchedule: 0 5 \* \* \*\\u2028x\\u202ey$/m);
  });
});
