/**
 * "Test object storage access": the tutorial's actions one by one on the real bucket, with the
 * credentials wal-g will use, so a missing permission shows up now and not when a backup or a
 * retention run fails. The probe object is always deleted, or reported as left behind.
 */
import { performance } from 'node:perf_hooks';
import {
  AccessPlan,
  AccessStep,
  regionMismatch,
  StorageAction,
  stopsTheTest,
} from '@core/objectStore';
import { shellWord } from '@core/scriptText';
import { ObjectStore, RequestOptions, StorageError } from './objectStore';

export type AccessOutcome = 'ok' | 'failed' | 'warning' | 'skipped';

export interface AccessResult {
  readonly action: StorageAction;
  readonly permission: string;
  readonly resource: string;
  readonly outcome: AccessOutcome;
  /** The S3 error code (or ours: EndpointUnreachable, Timeout, TlsError, ...) when it did not work. */
  readonly code?: string;
  /** One line: what was done, or what to fix. */
  readonly message: string;
  readonly durationMs: number;
}

export type ProbeState = 'removed' | 'left-behind' | 'not-written' | 'unknown';

export interface AccessReport {
  readonly results: readonly AccessResult[];
  readonly probe: { readonly key: string; readonly state: ProbeState; readonly message: string };
  /** Every required action worked (warnings allowed). */
  readonly ok: boolean;
}

const PROBE_READ_LIMIT = 64 * 1024;

function asStorageError(err: unknown, action: StorageAction): StorageError {
  return err instanceof StorageError ? err : new StorageError('Unknown', `Unexpected failure: ${String(err)}`, action);
}

export async function testAccess(store: ObjectStore, plan: AccessPlan, options: RequestOptions = {}): Promise<AccessReport> {
  const results: AccessResult[] = [];
  const step = (action: StorageAction): AccessStep => plan.steps.find((s) => s.action === action)!;
  let stoppedBy: AccessResult | undefined;

  async function attempt(action: StorageAction, run: () => Promise<string>): Promise<AccessResult> {
    const s = step(action);
    const start = performance.now();
    let result: AccessResult;
    try {
      const message = await run();
      result = { action, permission: s.permission, resource: s.resource, outcome: 'ok', message, durationMs: performance.now() - start };
    } catch (err) {
      const e = asStorageError(err, action);
      const optional = s.optional && e.code === 'AccessDenied';
      result = {
        action,
        permission: s.permission,
        resource: s.resource,
        outcome: optional ? 'warning' : 'failed',
        code: e.code,
        message: optional ? `${e.message} wal-g does not need it here because region is set.` : e.message,
        durationMs: performance.now() - start,
      };
      if (stopsTheTest(e.code)) stoppedBy ??= result;
    }
    results.push(result);
    return result;
  }

  function skip(action: StorageAction, why: string): void {
    const s = step(action);
    results.push({ action, permission: s.permission, resource: s.resource, outcome: 'skipped', message: why, durationMs: 0 });
  }

  const notTried = (): string => `Not tried: ${stoppedBy!.action} already failed (${stoppedBy!.code}).`;

  await attempt('ListBucket', async () => {
    const page = await store.list({ ...options, prefix: plan.keyPrefix, maxKeys: 1 });
    const found = page.objects.length + page.commonPrefixes.length > 0;
    return found ? `Listed ${plan.keyPrefix || 'the bucket'}: it already holds objects.` : `Listed ${plan.keyPrefix || 'the bucket'}: it is empty so far.`;
  });

  if (!stoppedBy) {
    const location = await attempt('GetBucketLocation', async () => {
      const region = await store.getBucketLocation(options);
      const mismatch = regionMismatch(plan.type, plan.region, region);
      if (mismatch) throw new StorageError('WrongRegion', mismatch, 'GetBucketLocation');
      return `The bucket's region is ${region}.`;
    });
    if (location.code === 'WrongRegion') stoppedBy = location;
  } else {
    skip('GetBucketLocation', notTried());
  }

  let probe: AccessReport['probe'] = { key: plan.probeKey, state: 'not-written', message: 'No probe object was written.' };
  if (stoppedBy) {
    skip('PutObject', notTried());
    skip('GetObject', notTried());
    skip('DeleteObject', notTried());
    return { results, probe, ok: false };
  }

  let putStatus: number | undefined;
  const put = await attempt('PutObject', async () => {
    try {
      await store.put(plan.probeKey, plan.probeBody, { ...options, contentType: 'text/plain' });
    } catch (err) {
      putStatus = err instanceof StorageError ? err.httpStatus : undefined;
      throw err;
    }
    return `Wrote the probe object ${plan.probeKey}.`;
  });
  // A refused write (4xx) wrote nothing; one that timed out, lost its connection or hit a 5xx may have landed.
  const written: ProbeState = put.outcome === 'ok' ? 'left-behind' : putStatus !== undefined && putStatus >= 400 && putStatus < 500 ? 'not-written' : 'unknown';

  if (put.outcome === 'ok') {
    await attempt('GetObject', async () => {
      const body = await store.get(plan.probeKey, { ...options, maxBytes: PROBE_READ_LIMIT });
      if (body.toString('utf8') !== plan.probeBody) {
        throw new StorageError('ContentMismatch', 'Read the probe object back but its content differs from what was written: a proxy or gateway in between changes objects.', 'GetObject');
      }
      return 'Read the probe object back, unchanged.';
    });
  } else {
    skip('GetObject', 'Not tried: there is no probe object to read, since PutObject failed.');
  }

  // Deleting is tried even when the write failed: deleting a missing key still shows whether it is allowed.
  const del = await attempt('DeleteObject', async () => {
    await store.delete(plan.probeKey, options);
    return written === 'not-written' ? 'Deleting is allowed (there was no probe object to delete).' : 'Deleted the probe object.';
  });
  const url = `s3://${plan.bucket}/${plan.probeKey}`;
  if (del.outcome === 'ok') {
    probe = { key: plan.probeKey, state: written === 'not-written' ? 'not-written' : 'removed', message: written === 'not-written' ? 'No probe object was written.' : `The probe object was deleted.` };
  } else if (written !== 'not-written') {
    probe = {
      key: plan.probeKey,
      state: written === 'unknown' ? 'unknown' : 'left-behind',
      message: `${written === 'unknown' ? 'The probe object may have been written and' : 'The probe object'} could not be deleted: remove ${url} with a user allowed to delete (aws s3 rm ${shellWord(url)}).`,
    };
  }

  return { results, probe, ok: results.every((r) => r.outcome === 'ok' || r.outcome === 'warning') };
}
