/**
 * Revalidation after an edit reuses each document's cross-document findings while the names it references do
 * not change (validation.ts, workspaceIndex.ts). These edits add, remove and rename what other documents
 * reference (an SGObjectStorage, a Secret and its keys), in the same file and in another open file, and after
 * each one every open file's diagnostics must be exactly those of a fresh server given the final texts.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from './client';

const storage = (name: string, secret = 'creds', key = 'secretAccessKey') => `apiVersion: stackgres.io/v1beta1
kind: SGObjectStorage
metadata: {name: ${name}}
spec:
  type: s3
  s3:
    bucket: my-bucket
    awsCredentials:
      secretKeySelectors:
        accessKeyId: {name: ${secret}, key: accessKeyId}
        secretAccessKey: {name: ${secret}, key: ${key}}
`;
const secret = (name: string, keys: readonly string[]) => `apiVersion: v1
kind: Secret
metadata: {name: ${name}}
stringData:
${keys.map((k) => `  ${k}: x`).join('\n')}
`;
const cluster = (name: string, storageName: string, retention = 5) => `apiVersion: stackgres.io/v1
kind: SGCluster
metadata: {name: ${name}}
spec:
  instances: 1
  postgres: {version: '16'}
  pods: {persistentVolume: {size: 10Gi}}
  configurations:
    backups:
    - sgObjectStorage: ${storageName}
      retention: ${retention}
`;
const file = (...docs: string[]) => docs.join('---\n');

const A = 'file:///reval/a.yaml';
const B = 'file:///reval/b.yaml';

/** What a diagnostic says, in a stable order: a stale finding or a missing one changes it. */
function said(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${String(d.code)} ${d.message}`).sort();
}

describe('revalidation after edits that change referenced names', function () {
  this.timeout(120_000);
  let client: LspClient;

  before(async () => {
    client = await LspClient.start(undefined, { validationDelay: 0 });
  });

  after(async () => {
    await client?.stop();
  });

  /**
   * Diagnostics of a fresh server given the texts as they are now: they are saved in its workspace, indexed
   * before it opens them, so the first check of each file already knows every name (a full recheck, nothing
   * cached from an earlier text).
   */
  async function fresh(texts: Readonly<Record<string, string>>): Promise<Record<string, string[]>> {
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-reval-'));
    const onDisk = (uri: string) => path.join(dir, path.basename(uri));
    for (const [uri, text] of Object.entries(texts)) writeFileSync(onDisk(uri), text);
    const other = await LspClient.start(dir, { validationDelay: 0 });
    try {
      await other.waitForLog(/Indexed \d+ YAML file/, 30_000);
      const out: Record<string, string[]> = {};
      for (const uri of Object.keys(texts)) {
        const there = pathToFileURL(onDisk(uri)).toString();
        other.open(there, texts[uri]);
        out[uri] = said(await other.diagnosticsFor(there, 30_000));
      }
      return out;
    } finally {
      await other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Opens the files in a fresh server and compares: the edited server's files must say exactly the same. */
  async function expectAsFresh(texts: Readonly<Record<string, string>>, what: string): Promise<void> {
    const expected = await fresh(texts);
    for (const [uri, want] of Object.entries(expected)) {
      let last: string[] = [];
      try {
        await client.diagnosticsMatching(uri, (d) => JSON.stringify((last = said(d))) === JSON.stringify(want), 30_000);
      } catch {
        assert.deepEqual(last, want, `${what}: ${uri} differs from a fresh server's diagnostics`);
      }
    }
  }

  it('updates the other documents exactly as a full recheck would', async () => {
    const texts: Record<string, string> = {
      [A]: file(storage('primary'), secret('creds', ['accessKeyId', 'secretAccessKey']), cluster('c1', 'primary'), cluster('c2', 'secondary'), storage('third', 'other-creds')),
      [B]: file(cluster('c3', 'primary'), cluster('c4', 'secondary'), storage('fourth', 'creds', 'secretAccessKey')),
    };
    client.open(A, texts[A]);
    client.open(B, texts[B]);
    await client.diagnosticsFor(A, 30_000);
    await expectAsFresh(texts, 'opened');

    const edit = async (what: string, next: string) => {
      texts[A] = next;
      client.change(A, next);
      await client.diagnosticsFor(A, 30_000);
      await expectAsFresh(texts, what);
    };
    // Each step changes one document of A; the findings that change are in A's other documents and in B.
    await edit('an SGObjectStorage renamed', texts[A].replace('metadata: {name: primary}', 'metadata: {name: secondary}'));
    await edit('an SGObjectStorage added', `${texts[A]}---\n${storage('primary')}`);
    await edit('a Secret key removed', texts[A].replace('stringData:\n  accessKeyId: x\n  secretAccessKey: x\n', 'stringData:\n  accessKeyId: x\n'));
    await edit('a Secret key renamed', texts[A].replace('stringData:\n  accessKeyId: x\n', 'stringData:\n  accessKeyId: x\n  secret-access-key: x\n'));
    await edit('a Secret added under the name another storage references', `${texts[A]}---\n${secret('other-creds', ['accessKeyId'])}`);
    await edit('an unrelated line', texts[A].replace('retention: 5', 'retention: 6'));
    await edit('the Secret renamed', texts[A].replace('metadata: {name: creds}', 'metadata: {name: creds2}'));
    await edit('an SGObjectStorage removed', texts[A].replace(`${storage('secondary')}---\n`, ''));
  });
});

