/**
 * The workspace index reads what the workspace's YAML files define: only documents that can hold a StackGres
 * object or a Secret are parsed, files on disk are followed through file events, and nothing but regular
 * files inside the workspace is read.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { parseManifest, type DocumentChunk } from '@core/manifest';
import { WorkspaceIndex } from '../../../server/src/workspaceIndex';

const storage = (name: string) => `apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: ${name}}\nspec:\n  type: s3\n  s3: {bucket: b, awsCredentials: {useIAMRole: true}}\n`;
const secret = 'apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {accessKeyId: a, secretAccessKey: b}\n';
const deployment = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  replicas: 2\n  template: {spec: {containers: [{name: app, image: 'nginx'}]}}\n`;

/** Fails when the promise takes longer than `ms`: a read that blocks must fail the test, not hang it. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('workspace index', function () {
  this.timeout(20_000);
  let root: string;
  let workspace: string;
  let parsed: string[];
  let index: WorkspaceIndex;
  const uri = (rel: string) => URI.file(path.join(workspace, rel)).toString();
  const names = (kind: 'SGObjectStorage' | 'Secret') => index.list(kind, undefined).map((o) => o.name).sort();

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'sg-index-'));
    workspace = path.join(root, 'workspace');
    mkdirSync(path.join(workspace, 'apps'), { recursive: true });
    parsed = [];
    index = new WorkspaceIndex(() => undefined, (chunk: DocumentChunk) => {
      parsed.push(/^kind: (\w+)/m.exec(chunk.text)?.[1] ?? '?');
      return parseManifest(chunk);
    });
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('parses only the documents that name stackgres.io or kind: Secret', async () => {
    writeFileSync(path.join(workspace, 'storage.yaml'), storage('backups'));
    writeFileSync(path.join(workspace, 'secret.yaml'), secret);
    for (let i = 0; i < 20; i++) writeFileSync(path.join(workspace, 'apps', `app-${i}.yaml`), [deployment(`a${i}`), deployment(`b${i}`)].join('---\n'));
    writeFileSync(path.join(workspace, 'mixed.yaml'), [deployment('web'), storage('mixed'), deployment('worker')].join('---\n'));
    await index.scan([workspace]);
    assert.deepEqual(parsed.sort(), ['SGObjectStorage', 'SGObjectStorage', 'Secret'], 'no Deployment is parsed');
    assert.deepEqual(names('SGObjectStorage'), ['backups', 'mixed']);
    assert.deepEqual(names('Secret'), ['creds']);
  });

  it('follows changed, created and deleted files through file events', async () => {
    writeFileSync(path.join(workspace, 'storage.yaml'), storage('backups'));
    await index.scan([workspace]);
    let changes = 0;
    index.onDidChange(() => changes++);

    writeFileSync(path.join(workspace, 'storage.yaml'), storage('renamed'));
    await index.fileChanged(uri('storage.yaml'));
    assert.deepEqual(names('SGObjectStorage'), ['renamed']);

    writeFileSync(path.join(workspace, 'apps', 'new.yaml'), storage('added'));
    await index.fileChanged(uri('apps/new.yaml'));
    assert.deepEqual(names('SGObjectStorage'), ['added', 'renamed']);

    unlinkSync(path.join(workspace, 'storage.yaml'));
    index.fileDeleted(uri('storage.yaml'));
    assert.deepEqual(names('SGObjectStorage'), ['added']);
    // A file that became plain Kubernetes leaves the index without being parsed.
    parsed = [];
    writeFileSync(path.join(workspace, 'apps', 'new.yaml'), deployment('web'));
    await index.fileChanged(uri('apps/new.yaml'));
    assert.deepEqual(names('SGObjectStorage'), []);
    assert.deepEqual(parsed, []);
    assert.equal(changes, 4, 'every event tells the listeners (open documents are checked again)');
  });

  it('does not read a symbolic link to a file outside the workspace', async () => {
    const outside = path.join(root, 'outside.yaml');
    writeFileSync(outside, [storage('outside'), secret].join('---\n'));
    symlinkSync(outside, path.join(workspace, 'link.yaml'));
    await within(5000, 'the scan', index.scan([workspace]));
    await within(5000, 'the file event', index.fileChanged(uri('link.yaml')));
    assert.deepEqual(names('SGObjectStorage'), []);
    assert.deepEqual(names('Secret'), []);
  });

  it('does not read a symbolic link to /dev/zero (size 0, endless)', async () => {
    symlinkSync('/dev/zero', path.join(workspace, 'zero.yaml'));
    await within(5000, 'the scan', index.scan([workspace]));
    await within(5000, 'the file event', index.fileChanged(uri('zero.yaml')));
    assert.deepEqual(parsed, []);
  });

  it('does not wait on a FIFO', async () => {
    execFileSync('mkfifo', [path.join(workspace, 'fifo.yaml')]);
    await within(5000, 'the scan', index.scan([workspace]));
    await within(5000, 'the file event', index.fileChanged(uri('fifo.yaml')));
    assert.deepEqual(parsed, []);
  });
});
