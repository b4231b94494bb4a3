import * as assert from 'node:assert/strict';
import { readBackup } from '@core/backups';
import type { MatchedBackup, WalgBackup } from '@core/walg';
import { backupTooltip, clusterTooltip, contextTooltip, messageTooltip, walCoverageTooltip, walgBackupTooltip } from '../../../../client/src/tree/tooltips';
import { assertInert } from '../../markdownSafety';

/** Written into a cluster or a bucket by someone else: each must be shown as text, never rendered. */
const IMAGE = '![x](https://evil/x.png)';
const LINK = '[click](command:stackgres.deleteBackup)';
const HTML = '<img src=x>';

function sgBackup(name: string, failure: string) {
  const b = readBackup({
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name, namespace: 'demo' },
    spec: { sgCluster: 'demo-db', managedLifecycle: true },
    status: {
      internalName: `base_000000010000000000000004 ${HTML}`,
      process: { status: 'Failed', failure },
      sgBackupConfig: { storage: { type: 's3Compatible', s3Compatible: { bucket: `b ${LINK}` } } },
    },
  });
  assert.ok(b);
  return b;
}

describe('Tree tooltips with values from the cluster and the bucket', () => {
  it('an SGBackup whose name and failure message carry an image, a command link, HTML, backticks and newlines', () => {
    const failure = `wal-g: upload failed\n\`\`\`\n${IMAGE}\n${LINK}\n${HTML}\n\n# not a heading`;
    const md = backupTooltip(sgBackup(`nightly\`${IMAGE}\n${LINK}`, failure));
    assertInert(md);
    assert.ok(md.startsWith(`**SGBackup** \`\`nightly\`${IMAGE} ${LINK}\`\` — **Failed**\n\n`), md);
    assert.ok(md.includes(`\`\`\`\`text\n${failure}\n\`\`\`\`\n`), 'the failure is shown whole, in a block its own backticks cannot close');
  });

  it('an SGBackup whose restore drill annotation (anyone who may edit the backup writes it) carries a hostile reason, target and cluster', () => {
    const reason = `FATAL: ${IMAGE}\n${LINK}\n${HTML}\n\`\`\``;
    const b = readBackup({
      metadata: {
        name: 'nightly',
        namespace: 'demo',
        annotations: { 'stackgres-vscode/restore-drill': JSON.stringify({ time: '2026-12-01T10:00:00Z', result: 'failed', durationSeconds: 75, target: `${LINK}`, cluster: `demo/${HTML}`, reason }) },
      },
      spec: { sgCluster: 'demo-db' },
      status: { process: { status: 'Completed' } },
    });
    assert.ok(b?.drill, 'the annotation is read');
    const md = backupTooltip(b);
    assertInert(md);
    assert.ok(md.includes('Restore test **failed** 2026-12-01T10:00:00Z in 1m15s'), md);
    assert.ok(md.includes(`Restore test failed:\n\n\`\`\`\`text\n${reason}\n\`\`\`\``), 'the reason is shown whole, in a block its own backticks cannot close');
  });

  it('a wal-g backup whose metadata.json names a hostile host, and problems quoting object names', () => {
    const b: WalgBackup = { name: 'base_000000010000000000000004', hostname: `${HTML} ${IMAGE}`, startLsn: `0/4 ${LINK}`, volumeSnapshot: false, problems: [`metadata.json unreadable: ${LINK}`] };
    const m: MatchedBackup = { name: b.name, orphan: true, note: `orphan ${IMAGE}` };
    const md = walgBackupTooltip(b, m);
    assertInert(md);
    assert.match(md, /Taken on \\<img src\\=x\\> \\!\\\[x\\\]\\\(https\\:\\\/\\\/evil/);
  });

  it('a row showing an S3 error, the context and a cluster', () => {
    assertInert(messageTooltip('AccessDenied', `The endpoint answered AccessDenied: ${IMAGE} ${LINK}`));
    assertInert(contextTooltip({ name: `ctx ${LINK}`, cluster: HTML, user: 'a`b', server: `https://api.example ${IMAGE}`, namespace: 'default', usesCredentialPlugin: false }, `watch failed: ${HTML}`));
    assertInert(clusterTooltip({ name: `db${IMAGE}`, namespace: 'demo', version: HTML, instances: 1, storageName: LINK, cron: `0 5 * * * ${IMAGE}`, schedule: `invalid schedule ${IMAGE}`, retention: 5, backups: [] }));
    assertInert(walCoverageTooltip({ oldest: { kind: 'segment', timeline: 1, segment: `0000000100000000000000A1${LINK}`, key: 'k' }, walRequests: 3, keysRead: 3, problems: [`unknown object ${HTML}`] }));
  });
});
