// The restore manifest goes to restore/<name>.yaml inside the workspace folder, never through a link a
// repository ships, and never over an existing file unless the user agreed.
import * as assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreFileTarget, writeRestoreFile } from '../../../client/src/restoreFile';
import { UserError } from '../../../client/src/errors';

const YAML = new TextEncoder().encode('kind: SGCluster\n');

describe('Restore manifest file in the workspace folder', () => {
  let base: string;
  let workspace: string;
  let outside: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'stackgres-restore-file-'));
    workspace = join(base, 'repo');
    outside = join(base, 'outside');
    mkdirSync(workspace);
    mkdirSync(outside);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const refused = (pattern: RegExp) => (e: unknown) => e instanceof UserError && pattern.test(e.message);

  it('creates restore/ and the file when neither exists', async () => {
    assert.deepEqual(await restoreFileTarget(workspace, 'restore/orders-restore.yaml'), { path: join(workspace, 'restore', 'orders-restore.yaml'), exists: false });
    await writeRestoreFile(workspace, 'restore/orders-restore.yaml', YAML, { replace: false });
    assert.equal(readFileSync(join(workspace, 'restore', 'orders-restore.yaml'), 'utf8'), 'kind: SGCluster\n');
  });

  it('refuses a restore/ folder that is a symbolic link to outside the workspace: nothing is written there', async () => {
    symlinkSync(outside, join(workspace, 'restore'));
    await assert.rejects(restoreFileTarget(workspace, 'restore/orders-restore.yaml'), refused(/^restore in the workspace folder is a symbolic link \(to .*outside\).*Nothing was written\. Replace the link with a real folder/));
    await assert.rejects(writeRestoreFile(workspace, 'restore/orders-restore.yaml', YAML, { replace: true }), refused(/symbolic link/));
    assert.deepEqual(readdirSync(outside), []);
  });

  it('refuses a restore file that is a symbolic link, even when replacing was agreed: the file it points at is unchanged', async () => {
    const victim = join(outside, 'authorized_keys');
    writeFileSync(victim, 'ssh-ed25519 AAAA mine\n');
    mkdirSync(join(workspace, 'restore'));
    symlinkSync(victim, join(workspace, 'restore', 'orders-restore.yaml'));
    await assert.rejects(restoreFileTarget(workspace, 'restore/orders-restore.yaml'), refused(/^restore\/orders-restore\.yaml in the workspace folder is a symbolic link.*real file/));
    await assert.rejects(writeRestoreFile(workspace, 'restore/orders-restore.yaml', YAML, { replace: true }), refused(/symbolic link/));
    assert.equal(readFileSync(victim, 'utf8'), 'ssh-ed25519 AAAA mine\n');
  });

  it('refuses a hard link to a file elsewhere', async () => {
    const victim = join(outside, 'notes.txt');
    writeFileSync(victim, 'mine\n');
    mkdirSync(join(workspace, 'restore'));
    linkSync(victim, join(workspace, 'restore', 'orders-restore.yaml'));
    await assert.rejects(writeRestoreFile(workspace, 'restore/orders-restore.yaml', YAML, { replace: true }), refused(/hard link/));
    assert.equal(readFileSync(victim, 'utf8'), 'mine\n');
  });

  it('reports an existing file, and replaces it only when told the user agreed', async () => {
    mkdirSync(join(workspace, 'restore'));
    writeFileSync(join(workspace, 'restore', 'orders-restore.yaml'), '# mine\n');
    assert.equal((await restoreFileTarget(workspace, 'restore/orders-restore.yaml')).exists, true);
    await assert.rejects(writeRestoreFile(workspace, 'restore/orders-restore.yaml', YAML, { replace: false }), refused(/appeared in the workspace folder meanwhile/));
    assert.equal(readFileSync(join(workspace, 'restore', 'orders-restore.yaml'), 'utf8'), '# mine\n');
    await writeRestoreFile(workspace, 'restore/orders-restore.yaml', YAML, { replace: true });
    assert.equal(readFileSync(join(workspace, 'restore', 'orders-restore.yaml'), 'utf8'), 'kind: SGCluster\n');
  });

  it('stays inside the folder: no absolute paths or ..', async () => {
    for (const bad of ['../outside/x.yaml', '/etc/x.yaml', 'restore/../../outside/x.yaml', 'restore//x.yaml']) {
      await assert.rejects(writeRestoreFile(workspace, bad, YAML, { replace: true }), refused(/not a plain path inside the workspace folder/), bad);
    }
    assert.deepEqual(readdirSync(outside), []);
  });
});
