import * as assert from 'node:assert/strict';
import { explainListingStop, shownKey } from '@core/objectStore';

describe('Messages for listings stopped because the storage pages wrongly', () => {
  const ctx = { bucket: 'backups', prefix: 'sgbackups.stackgres.io/demo/db/16/wal_005/', requests: 2, detail: 'it returned the continuation token it was given' };

  it('say where, what the storage did, that the listing stopped, and what to do', () => {
    assert.equal(
      explainListingStop('ListingLoop', ctx),
      'The storage does not page the listing of s3://backups/sgbackups.stackgres.io/demo/db/16/wal_005/ as S3 does (it returned the continuation token it was given); stopped after 2 requests instead of looping. Update the S3-compatible storage or the proxy in front of it; aws s3 ls s3://backups/sgbackups.stackgres.io/demo/db/16/wal_005/ shows the objects meanwhile.',
    );
    assert.match(explainListingStop('StartAfterIgnored', { ...ctx, requests: 1, detail: 'asked for keys after a, it returned a' }), /ignores StartAfter .* stopped after 1 request\. .*point the endpoint at the storage itself/);
    assert.match(explainListingStop('PrefixIgnored', ctx), /ignores the prefix when listing/);
    assert.match(explainListingStop('ListingTooLong', { ...ctx, requests: 1000 }), /was stopped after 1000 requests, the most one view makes/);
  });

  it('show keys from the bucket short and without control characters (they are untrusted)', () => {
    assert.equal(shownKey('wal_005/a\nb\u001b[31mc\u2028d'), 'wal_005/a?b?[31mc?d');
    const long = shownKey('k'.repeat(500));
    assert.equal(long, `${'k'.repeat(80)}…`);
  });
});
