import * as assert from 'node:assert/strict';
import { storageLocation, type StorageLocation } from '@core/objectStore';
import { accessReportMarkdown, accessSummary, configurationReportMarkdown } from '../../../../client/src/storage/accessReport';
import type { AccessReport, AccessResult } from '../../../../client/src/storage/accessTest';
import { assertInert, shown } from '../../markdownSafety';

function location(spec: unknown): StorageLocation {
  const r = storageLocation(spec, 'sgbackups.stackgres.io/demo/db/2025-01-01-00-00-00/16');
  assert.ok(r.ok);
  return r.value;
}

const S3 = location({ type: 's3Compatible', s3Compatible: { bucket: 'backups/team-a', endpoint: 'http://127.0.0.1:7480', region: 'k8s', enablePathStyleAddressing: true } });
const AT = new Date('2025-03-01T10:00:00.123Z');

const ok = (action: AccessResult['action'], message: string): AccessResult => ({ action, permission: `s3:${action}`, resource: 'arn:aws:s3:::backups', outcome: 'ok', message, durationMs: 12.4 });

const GREEN: AccessReport = {
  results: [ok('ListBucket', 'Listed it.'), ok('GetBucketLocation', 'The bucket\'s region is default.'), ok('PutObject', 'Wrote.'), ok('GetObject', 'Read.'), ok('DeleteObject', 'Deleted.')],
  probe: { key: 'team-a/sgbackups.stackgres.io/demo/stackgres-access-test-abc', state: 'removed', message: 'The probe object was deleted.' },
  ok: true,
};

const DELETE_DENIED: AccessReport = {
  results: [
    ...GREEN.results.slice(0, 4),
    { action: 'DeleteObject', permission: 's3:DeleteObject', resource: 'arn:aws:s3:::backups/team-a/*', outcome: 'failed', code: 'AccessDenied', message: 'The policy lacks s3:DeleteObject on arn:aws:s3:::backups/team-a/*, so retention cannot delete old backups.', durationMs: 8 },
  ],
  probe: { key: 'team-a/x/stackgres-access-test-abc', state: 'left-behind', message: 'The probe object could not be deleted: remove s3://backups/team-a/x/stackgres-access-test-abc with a user allowed to delete (aws s3 rm s3://backups/team-a/x/stackgres-access-test-abc).' },
  ok: false,
};

describe('The access test report', () => {
  it('a storage name with a line break stays in the title line', () => {
    const md = shown(accessReportMarkdown({ storage: 'backups\n![x](https://example.com/x.png)', namespace: 'demo', location: S3, credentials: 'typed in', at: AT }, GREEN));
    assert.match(md, /^# Object storage access: backups\\n!\[x\]\(https:\/\/example\.com\/x\.png\)\n\n/);
    const config = shown(configurationReportMarkdown({ storage: 'g\r\n# other', namespace: 'demo', location: S3, at: AT }, []));
    assert.match(config, /^# Object storage configuration: g\\r\\n# other\n/);
  });

  it('all green: one summary line, a row per action, the probe removed, and what was not checked', () => {
    assert.equal(accessSummary(GREEN), 'All 5 actions work.');
    const md = shown(accessReportMarkdown({ storage: 'backups', namespace: 'demo', location: S3, credentials: 'Secret rgw (keys id, secret)', at: AT }, GREEN));
    assert.match(md, /^# Object storage access: backups\n/);
    assert.match(md, /s3Compatible bucket `backups` at http:\/\/127\.0\.0\.1:7480, objects under `team-a\/sgbackups\.stackgres\.io\/demo\/db\/2025-01-01-00-00-00\/16\/`/);
    assert.match(md, /Credentials: Secret rgw \(keys id, secret\)\. Tested 2025-03-01T10:00:00Z from this computer\./);
    assert.match(md, /\*\*Result: All 5 actions work\.\*\* wal-g can back up, restore and apply retention here\./);
    assert.equal(md.split('\n').filter((l) => l.startsWith('| ✅ |')).length, 5);
    assert.match(md, /✅ \*\*Probe object\*\* `team-a\/sgbackups\.stackgres\.io\/demo\/stackgres-access-test-abc`: written, read back and deleted\./);
    assert.match(md, /## What it does not check\n\n- network access from the cluster's pods to the storage/);
  });

  it('delete denied: the failing action with its code and fix, and the probe object reported', () => {
    assert.equal(accessSummary(DELETE_DENIED), 'DeleteObject (AccessDenied) failed. The policy lacks s3:DeleteObject on arn:aws:s3:::backups/team-a/*, so retention cannot delete old backups. The probe object may be left behind: see the report.');
    const md = shown(accessReportMarkdown({ storage: 'backups', namespace: 'demo', location: S3, credentials: 'typed in (not stored)', at: AT }, DELETE_DENIED));
    assert.match(md, /\| ❌ \| DeleteObject \| s3:DeleteObject on arn:aws:s3:::backups\/team-a\/\* \| FAILED \(8 ms\) \| `AccessDenied` \| The policy lacks s3:DeleteObject/);
    assert.match(md, /⚠️ \*\*Probe object\*\* `team-a\/x\/stackgres-access-test-abc`: \*\*left in the bucket\.\*\* The probe object could not be deleted: remove s3:\/\/backups/);
  });

  it('several failures are counted; skipped actions say why and show no time', () => {
    const report: AccessReport = {
      results: [
        { action: 'ListBucket', permission: 's3:ListBucket', resource: 'arn:aws:s3:::b', outcome: 'failed', code: 'SignatureDoesNotMatch', message: 'The secret access key does not match | the ID.', durationMs: 3 },
        { action: 'GetBucketLocation', permission: 's3:GetBucketLocation', resource: 'arn:aws:s3:::b', outcome: 'skipped', message: 'Not tried: ListBucket already failed (SignatureDoesNotMatch).', durationMs: 0 },
        { action: 'PutObject', permission: 's3:PutObject', resource: 'arn:aws:s3:::b/*', outcome: 'failed', code: 'AccessDenied', message: 'x', durationMs: 3 },
      ],
      probe: { key: 'k', state: 'not-written', message: 'No probe object was written.' },
      ok: false,
    };
    assert.match(accessSummary(report), /^2 of 3 actions failed: ListBucket \(SignatureDoesNotMatch\), PutObject \(AccessDenied\)\. The secret access key/);
    const md = accessReportMarkdown({ storage: 's', namespace: 'n', location: S3, credentials: 'c', at: AT }, report);
    assert.ok(md.includes('does not match \\| the ID\\.'), 'a pipe in a message does not break the table');
    assert.match(shown(md), /\| ⏭️ \| GetBucketLocation \| s3:GetBucketLocation on arn:aws:s3:::b \| not tried \| {2}\| Not tried/);
  });

  it('an endpoint\'s error code and message, the probe key and names with Markdown in them are shown as text', () => {
    const hostile = '![x](https://evil/x.png) [click](command:stackgres.deleteBackup) <img src=x> `tick`\n# heading';
    const report: AccessReport = {
      results: [{ action: 'ListBucket', permission: 's3:ListBucket', resource: 'arn:aws:s3:::b', outcome: 'failed', code: `Access|Denied\`${hostile}`, message: `The endpoint answered: ${hostile}`, durationMs: 3 }],
      probe: { key: `team-a/${hostile}`, state: 'unknown', message: `The probe object may be left: ${hostile}` },
      ok: false,
    };
    const md = accessReportMarkdown({ storage: `s${hostile}`, namespace: 'n`s', location: S3, credentials: `Secret ${hostile}`, at: AT }, report);
    assertInert(md);
    const row = md.split('\n').find((l) => l.startsWith('| ❌ |'));
    assert.ok(row, 'the failing action keeps its one table row');
    assert.equal(row.replace(/\\\|/g, '').split('|').length, 8, 'six cells: no pipe from the answer splits the row');
    assert.ok(md.includes('``Access\\|Denied`![x](https://evil/x.png) [click](command:stackgres.deleteBackup) <img src=x> `tick` # heading``'), 'the code is shown as code, on one line');
  });

  it('gcs and azureBlob: says plainly that only the configuration was checked', () => {
    const gcs = location({ type: 'gcs', gcs: { bucket: 'gs://acme/backups', gcpCredentials: { secretKeySelectors: { serviceAccountJSON: { name: 'g', key: 'sa.json' } } } } });
    const md = configurationReportMarkdown({ storage: 'gcs-backups', namespace: 'staging', location: gcs, at: AT }, [{ ok: true, text: 'Secret `g` has the key `sa.json`.' }, { ok: false, text: 'Secret `x` does not exist.' }]);
    assert.match(md, /\*\*Only the configuration was checked\.\*\* This extension speaks S3, not Google Cloud Storage: no request was sent to the bucket\./);
    assert.match(md, /- ✅ Secret `g` has the key `sa\.json`\.\n- ❌ Secret `x` does not exist\./);
    assert.match(md, /whether the service account JSON \(or Workload Identity\) can read, write and delete in the bucket/);
  });
});
