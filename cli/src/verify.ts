/**
 * `verify`: WAL continuity of one backup path, for CI and cron jobs. The same engine as the editor's
 * "Verify Recoverability". Exit 0: the newest base backup is restorable and WAL is continuous from it to
 * the newest segment; 1: not; 2: the bucket could not be read (or the arguments are wrong).
 *
 * Credentials come from the AWS SDK's own provider chain, as with the AWS CLI (AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE with the shared files, web identity, roles): this
 * code never reads or prints them.
 */
import { parseArgs } from 'node:util';
import type { Subcommand } from './io';
import { bucketNameProblem, endpointProblem } from '@core/objectStore';
import { walSegmentSizeProblem } from '@core/walVerify';
import { isStorageError } from '../../client/src/storage/objectStore';
import { s3ObjectStore } from '../../client/src/storage/s3';
import { verifyWalContinuity, type VerifyResult } from '../../client/src/storage/walVerification';

export interface VerifyIo {
  out(s: string): void;
  err(s: string): void;
  signal?: AbortSignal;
}

export const VERIFY_USAGE = `Usage: stackgres-backups verify s3://<bucket>/<path to the backup path> [options]

Checks that the WAL of a StackGres backup path is continuous: every base backup's own WAL, and the WAL from
each backup to the newest segment, following timeline switches.

  --endpoint <url>          S3-compatible endpoint (http(s)://host:port); AWS S3 when absent
  --region <region>         signing region (default: AWS_REGION, else us-east-1)
  --path-style              path-style addressing (MinIO, Ceph RGW and most S3-compatible services)
  --wal-segment-size <n>    wal_segment_size in bytes or MB (default 16MB)
  --json                    print the result as JSON
  -h, --help                this text

Credentials as for the AWS CLI: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or
AWS_PROFILE with ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE), web
identity, container or instance roles. They are never printed.
Exit status: 0 recoverable from the newest backup to the newest WAL, 1 not, 2 the bucket could not be read.`;

interface Target {
  readonly bucket: string;
  readonly keyPrefix: string;
  readonly url: string;
}

function parseTarget(url: string): Target | string {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (!m) return `${JSON.stringify(url.slice(0, 200))} is not an s3:// URL: give the backup path as s3://<bucket>/<path>, e.g. s3://backups/sgbackups.stackgres.io/db/cluster/2026-01-01-00-00-00/16.`;
  const problem = bucketNameProblem(m[1], 's3Compatible');
  if (problem) return problem;
  const path = (m[2] ?? '').replace(/\/+$/, '');
  return { bucket: m[1], keyPrefix: path === '' ? '' : `${path}/`, url: `s3://${m[1]}/${path}` };
}

function parseSize(text: string | undefined): number | string {
  if (text === undefined) return 16 * 1024 * 1024;
  const m = /^(\d+)\s*(MB|MiB|M)?$/i.exec(text.trim());
  const size = m ? Number(m[1]) * (m[2] ? 1024 * 1024 : 1) : NaN;
  return walSegmentSizeProblem(size) ?? size;
}

function jsonResult(r: VerifyResult, target: Target): unknown {
  return {
    url: target.url,
    ok: r.ok,
    verdict: r.verdict,
    backups: r.backups.map((b) => ({ name: b.name, restorable: b.restorable, missing: b.missing, missingCount: b.missingCount, reason: b.reason, finishTime: b.finishTime, continuousTo: b.continuousTo?.segment })),
    gaps: r.gaps,
    continuousTo: r.continuousTo?.segment ?? null,
    newestSegment: r.newestSegment?.segment ?? null,
    recoverable: r.recoverable.map((x) => ({ backup: x.backup, from: x.from, fromSegment: x.fromSegment, to: x.to.segment, toEstimatedAt: x.to.at, timelines: x.timelines })),
    timelines: r.timelines,
    walObjects: r.objects,
    walSegments: r.segments,
    listedFrom: r.listedFrom ?? null,
    unknownObjects: r.unknown,
    segmentSize: r.segmentSize,
    notes: r.notes,
  };
}

/** Untrusted names from the bucket, one line each: no control characters reach a terminal. */
const shown = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

function humanResult(r: VerifyResult, target: Target): string {
  const lines = [shown(target.url), r.ok ? `OK ${r.verdict}` : `NOT OK ${r.verdict}`, ''];
  const restorable = r.backups.filter((b) => b.restorable).length;
  lines.push(`Base backups: ${r.backups.length} (${restorable} restorable)`);
  for (const b of r.backups) {
    lines.push(b.restorable ? `  ok   ${shown(b.name)}: WAL continuous to ${b.continuousTo?.segment}` : `  FAIL ${shown(b.name)}: ${shown(b.reason ?? '')}`);
  }
  lines.push(`Timelines: ${r.timelines.map((t) => (t.parent !== undefined ? `${t.timeline} (from ${t.parent} at ${t.switchSegment}${t.switchFrom === 'listing' ? ', estimated' : ''})` : `${t.timeline}`)).join(', ') || 'none'}`);
  if (r.gaps.length === 0) lines.push('Gaps: none');
  else {
    lines.push(`Gaps: ${r.gaps.length}`);
    for (const g of r.gaps) {
      const from = g.unreachableFrom ? `${g.unreachableFrom.at}${g.unreachableFrom.estimated ? ' (estimated)' : ''}` : 'unknown';
      const to = g.unreachableTo ? `${g.unreachableTo.at} (next restorable backup)` : 'a new backup';
      lines.push(`  timeline ${g.timeline}: ${g.from} to ${g.to} (${g.count} segment${g.count === 1 ? '' : 's'} missing): instants from ${from} until ${to} cannot be reached`);
    }
  }
  if (r.recoverable.length > 0) {
    lines.push('Recoverable ranges:');
    for (const x of r.recoverable) lines.push(`  from ${shown(x.backup)} (finished ${x.from ?? 'at an unknown time'}) to ${x.to.segment}${x.to.at ? ` (about ${x.to.at})` : ''}`);
  }
  if (r.unknown.count > 0) lines.push(`Other objects in wal_005/: ${r.unknown.count} (${r.unknown.examples.map(shown).join(', ')})`);
  for (const n of r.notes) lines.push(`Note: ${shown(n)}`);
  lines.push(`Read ${r.objects} objects of wal_005/${r.listedFrom ? ` from ${r.listedFrom} (the oldest backup's first segment)` : ''} with ${r.requests} requests.`);
  return lines.join('\n');
}

export async function verifyMain(argv: string[], io: VerifyIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        endpoint: { type: 'string' },
        region: { type: 'string' },
        'path-style': { type: 'boolean' },
        'wal-segment-size': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n\n${VERIFY_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  const usage = (message: string): number => {
    io.err(`${message}\n\n${VERIFY_USAGE}`);
    return 2;
  };
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'Give the backup path as s3://<bucket>/<path>.' : 'Give one backup path.');
  const target = parseTarget(positionals[0]);
  if (typeof target === 'string') return usage(target);
  const segmentSize = parseSize(values['wal-segment-size']);
  if (typeof segmentSize === 'string') return usage(segmentSize);
  if (values.endpoint !== undefined) {
    const problem = endpointProblem(values.endpoint);
    if (problem) return usage(problem);
  }
  if (!process.env.AWS_ACCESS_KEY_ID !== !process.env.AWS_SECRET_ACCESS_KEY) return usage(`${process.env.AWS_ACCESS_KEY_ID ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not set: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither and AWS_PROFILE.`);

  const fail = (code: string, message: string): number => {
    if (values.json) io.out(JSON.stringify({ url: target.url, error: { code, message } }, null, 2));
    io.err(`Cannot read ${shown(target.url)}: [${code}] ${shown(message)}`);
    return 2;
  };
  let store;
  try {
    store = s3ObjectStore(target.bucket, {
      endpoint: values.endpoint,
      region: values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: values['path-style'] ?? false,
      credentials: 'sdk-default-chain',
      type: values.endpoint ? 's3Compatible' : 's3',
      subPath: target.keyPrefix.replace(/\/$/, ''),
    });
  } catch (err) {
    return isStorageError(err) ? fail(err.code, err.message) : fail('Unknown', String(err));
  }
  try {
    const result = await verifyWalContinuity(store, target.keyPrefix, { signal: io.signal, segmentSize });
    io.out(values.json ? JSON.stringify(jsonResult(result, target), null, 2) : humanResult(result, target));
    return result.ok ? 0 : 1;
  } catch (err) {
    if (isStorageError(err)) return fail(err.code, err.code === 'Aborted' ? 'Cancelled: nothing was verified.' : err.message);
    return fail('Unknown', err instanceof Error ? err.message : String(err));
  } finally {
    store.destroy?.();
  }
}

/** `stackgres-backups verify`: the dispatcher's entry (main.ts). */
export const verify: Subcommand = {
  summary: 'Check that the WAL of a backup path in S3 is continuous (exit 0 recoverable, 1 not, 2 unreadable)',
  run: (args, io) => verifyMain([...args], { out: (s) => io.stdout(`${s}\n`), err: (s) => io.stderr(`${s}\n`) }),
};
