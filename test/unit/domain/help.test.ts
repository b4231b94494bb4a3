import * as assert from 'node:assert/strict';
import { compressionHelp, cronHelp, fieldHelp, retentionHelp, storageClassHelp, storageTypeHelp } from '@core/help';
import { assertInert, shown } from '../markdownSafety';

const now = new Date('2026-01-01T00:00:00Z');

describe('hover texts', () => {
  it('cronSchedule: the sentence and the next three runs in UTC', () => {
    const text = cronHelp('0 5 * * *', now);
    assert.match(text, /\*\*At 05:00 \(UTC\)\*\*/);
    assert.match(text, /- 2026-01-01 05:00 UTC\n- 2026-01-02 05:00 UTC\n- 2026-01-03 05:00 UTC/);
    assert.match(text, /always in \*\*UTC\*\*/);
  });

  it('cronSchedule: an invalid schedule says why instead of runs', () => {
    assert.match(shown(cronHelp('0 5 0 0 0', now)), /outside 1-12/);
    assert.match(shown(cronHelp('0 5 31 2 *', now)), /never fires/);
  });

  it('cronSchedule: a value written to look like a link, an image or HTML is shown as code and text', () => {
    for (const value of ['![x](https://evil/x.png)', '0 5 * * * [click](command:stackgres.deleteBackup)', '`0 5` <img src=x>\n\n# x', '@every 1h ![x](https://evil/x.png)', '@x ![x](https://evil/x.png)']) {
      assertInert(cronHelp(value, now));
    }
  });

  it('retention: what is kept, what is deleted, and the history it gives with the schedule', () => {
    const text = retentionHelp(7, '0 5 * * *', now);
    assert.match(text, /keeps the newest 7 managed backups/);
    assert.match(text, /deletes older ones from the bucket, together with the WAL/);
    assert.match(text, /`managedLifecycle: false` are never deleted/);
    assert.match(text, /about \*\*7 days\*\* of history/);
    assert.match(retentionHelp(undefined, undefined, now), /newest 5 managed/);
  });

  it('compression, storage type and storage class mark the current value', () => {
    assert.match(compressionHelp('zstd'), /`zstd`: [^\n]*← this one/);
    assert.match(storageTypeHelp('gcs'), /`gcs`: [^\n]*← this one/);
    assert.match(storageTypeHelp('s3'), /MinIO defaults/);
    assert.match(storageClassHelp('STANDARD_IA'), /`STANDARD_IA`: [^\n]*retrieval fees[^\n]*← this one/);
  });

  it('is chosen by kind and path', () => {
    const manifest = { spec: { configurations: { backups: [{ cronSchedule: '0 5 * * *', retention: 3 }, { cronSchedule: '0 6 * * *' }] } } };
    const at = (path: (string | number)[], kind = 'SGCluster') => fieldHelp({ kind, path, manifest, now });
    assert.match(at(['spec', 'configurations', 'backups', 0, 'cronSchedule'])!, /At 05:00/);
    assert.match(at(['spec', 'configurations', 'backups', 1, 'cronSchedule'])!, /operator ignores it/);
    assert.match(at(['spec', 'configurations', 'backups', 0, 'retention'])!, /newest 3/);
    assert.equal(at(['spec', 'instances']), undefined);
    assert.match(fieldHelp({ kind: 'SGObjectStorage', path: ['spec', 's3Compatible', 'storageClass'], manifest: {}, now })!, /storage class/);
    assert.match(fieldHelp({ kind: 'SGObjectStorage', path: ['spec', 'type'], manifest: {}, now })!, /which object store/);
  });
});
