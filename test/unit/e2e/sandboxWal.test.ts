/**
 * The sandbox's WAL stories (what `npm run demo` shows under Verify Recoverability): the sandbox started as
 * the demo and the suite start it (test API server with the simulated operator, Ceph RGW), each story's
 * cluster served with its SGBackups, and its bucket path verified by the same engine as the command.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3ObjectStore } from '../../../client/src/storage/s3';
import { verifyWalContinuity } from '../../../client/src/storage/walVerification';
import { startSandbox, type Sandbox } from '../../e2e/sandbox';
import { WAL_STORIES } from '../../e2e/sandboxWal';
import { RGW_START_TIMEOUT_MS } from '../client/storage/fixture';
import { describeWithReference } from '../../reference';

describeWithReference('The sandbox\'s WAL stories (demo clusters with a WAL gap and a timeline switch)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let dir: string;

  before(async function () {
    this.timeout(RGW_START_TIMEOUT_MS);
    dir = mkdtempSync(join(tmpdir(), 'sandbox-wal-'));
    sandbox = await startSandbox({ dir, s3: 'required' });
  });

  after(async function () {
    this.timeout(30_000);
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const verifyCluster = async (name: string) => {
    const cluster = sandbox.server.store.get('stackgres.io/sgclusters', 'demo', name);
    assert.ok(cluster, `the operator serves ${name}`);
    const backupPath = ((cluster.status as Record<string, unknown>).backupPaths as string[])[0];
    const backups = sandbox.server.store.list('stackgres.io/sgbackups').filter((b) => (b.spec as Record<string, unknown>).sgCluster === name);
    const s3 = sandbox.s3!;
    const store = s3ObjectStore(s3.bucket, { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.owner, type: 's3Compatible' });
    try {
      return { backups, result: await verifyWalContinuity(store, `${backupPath}/`) };
    } finally {
      store.destroy?.();
    }
  };

  it(`${WAL_STORIES.gap}: two Completed backups, one gap of two segments between them, recoverable from the newer one`, async () => {
    const { backups, result } = await verifyCluster(WAL_STORIES.gap);
    assert.deepEqual(backups.map((b) => (b.status as { process: { status: string } }).process.status), ['Completed', 'Completed']);
    assert.deepEqual(result.backups.map((b) => b.restorable), [true, true]);
    assert.deepEqual(result.gaps.map((g) => [g.timeline, g.count, g.unreachableTo?.estimated]), [[1, 2, false]]);
    assert.equal(result.ok, true, result.verdict);
  });

  it(`${WAL_STORIES.timelineSwitch}: a backup on timeline 1, a promotion with its brotli history file, WAL continuous into timeline 2`, async () => {
    const { backups, result } = await verifyCluster(WAL_STORIES.timelineSwitch);
    assert.equal(backups.length, 1);
    assert.deepEqual(result.timelines.map((t) => [t.timeline, t.parent, t.switchFrom, t.partials]), [[1, undefined, undefined, 1], [2, 1, 'history', 0]]);
    assert.deepEqual(result.backups[0].timelines, [1, 2]);
    assert.deepEqual(result.gaps, []);
    assert.equal(result.continuousTo?.timeline, 2);
    assert.equal(result.ok, true, result.verdict);
  });
});
