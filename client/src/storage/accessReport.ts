/**
 * The access test's result as a DBA reads it: one Markdown page (shown as a preview) with a row per
 * action, the S3 error code and the one-line fix, what became of the probe object, and what the test did
 * and did not check; plus the one-line summary for the notification. Pure: no vscode, no I/O.
 */
import { checkScope, type StorageLocation } from '@core/objectStore';
import type { StorageType } from '@core/enums';
import { commentText } from '@core/scriptText';
import { markdownCell, markdownCode, markdownCodeCell, markdownText } from '@core/markdown';
import type { AccessOutcome, AccessReport } from './accessTest';

export interface ReportSubject {
  readonly storage: string;
  readonly namespace: string;
  readonly location: StorageLocation;
  /** Where the keys came from ("Secret s3 (keys id, secret)", "typed in"): never the values. */
  readonly credentials: string;
  readonly at: Date;
}

const MARK: Readonly<Record<AccessOutcome, string>> = { ok: '✅', failed: '❌', warning: '⚠️', skipped: '⏭️' };
const WORD: Readonly<Record<AccessOutcome, string>> = { ok: 'works', failed: 'FAILED', warning: 'warning', skipped: 'not tried' };

// Names come from the manifest or the cluster, codes and messages from the bucket's answers: each is
// shown as text or code, never as Markdown of its own (the preview would fetch an image or show a link).
const code = markdownCode;
const text = markdownText;

function where(location: StorageLocation): string {
  const at = location.endpoint ? ` at ${text(location.endpoint)}` : location.region ? ` in ${text(location.region)}` : '';
  return `${text(location.type)} bucket ${code(location.bucket)}${at}`;
}

/** "All 5 actions work", "DeleteObject failed (AccessDenied)", "2 of 5 actions failed: ...". */
export function accessSummary(report: AccessReport): string {
  const failed = report.results.filter((r) => r.outcome === 'failed');
  const warnings = report.results.filter((r) => r.outcome === 'warning');
  const probe = report.probe.state === 'left-behind' || report.probe.state === 'unknown' ? ' The probe object may be left behind: see the report.' : '';
  if (failed.length === 0) {
    const n = report.results.length;
    return `All ${n} actions work${warnings.length ? ` (${warnings.map((w) => `${w.action}: ${w.code ?? 'warning'}`).join(', ')})` : ''}.${probe}`;
  }
  const list = failed.map((f) => `${f.action} (${f.code ?? 'failed'})`).join(', ');
  const first = failed[0].message;
  return `${failed.length === 1 ? `${list} failed` : `${failed.length} of ${report.results.length} actions failed: ${list}`}. ${first}${probe}`;
}

export function accessReportMarkdown(subject: ReportSubject, report: AccessReport): string {
  const { location } = subject;
  const lines: string[] = [];
  lines.push(`# Object storage access: ${text(commentText(subject.storage))}`, '');
  lines.push(`SGObjectStorage ${code(subject.storage)} in namespace ${code(subject.namespace)}: ${where(location)}, objects under ${code(location.keyPrefix || '(the bucket root)')}.`, '');
  lines.push(`Credentials: ${text(subject.credentials)}. Tested ${subject.at.toISOString().replace(/\.\d{3}Z$/, 'Z')} from this computer.`, '');
  lines.push(report.ok ? `**Result: ${text(accessSummary(report))}** wal-g can back up, restore and apply retention here.` : `**Result: ${text(accessSummary(report))}**`, '');
  lines.push('| | Action | Needs | Result | Code | What it means / how to fix |', '|---|---|---|---|---|---|');
  for (const r of report.results) {
    lines.push(`| ${MARK[r.outcome]} | ${markdownCell(r.action)} | ${markdownCell(`${r.permission} on ${r.resource}`)} | ${WORD[r.outcome]}${r.outcome === 'skipped' ? '' : ` (${Math.round(r.durationMs)} ms)`} | ${r.code ? markdownCodeCell(r.code) : ''} | ${markdownCell(r.message)} |`);
  }
  lines.push('');
  const probeMark = report.probe.state === 'removed' || report.probe.state === 'not-written' ? '✅' : '⚠️';
  lines.push(`${probeMark} **Probe object** ${code(report.probe.key)}: ${probeWords(report.probe.state)} ${text(report.probe.message)}`, '');
  lines.push(...scopeLines(location.type));
  if (location.notes.length) {
    lines.push('', '## Notes on this storage', '', ...location.notes.map((n) => `- ${text(n)}`));
  }
  lines.push('', 'Nothing from this test is stored: the keys were used in memory for these requests only.', '');
  return lines.join('\n');
}

function probeWords(state: AccessReport['probe']['state']): string {
  switch (state) {
    case 'removed':
      return 'written, read back and deleted.';
    case 'not-written':
      return 'never written.';
    case 'left-behind':
      return '**left in the bucket.**';
    default:
      return '**may be in the bucket.**';
  }
}

function scopeLines(type: StorageType): string[] {
  const scope = checkScope(type);
  return [
    '## What this test checks',
    '',
    ...scope.checked.map((c) => `- ${c}`),
    '',
    '## What it does not check',
    '',
    ...scope.notChecked.map((c) => `- ${c}`),
  ];
}

/** For gcs and azureBlob: what was checked (configuration and Secret keys), and plainly what was not. */
export interface ConfigurationFinding {
  readonly ok: boolean;
  readonly text: string;
}

export function configurationReportMarkdown(subject: Omit<ReportSubject, 'credentials'>, findings: readonly ConfigurationFinding[]): string {
  const { location } = subject;
  const service = location.type === 'gcs' ? 'Google Cloud Storage' : 'Azure Blob Storage';
  const lines: string[] = [];
  lines.push(`# Object storage configuration: ${text(commentText(subject.storage))}`, '');
  lines.push(`SGObjectStorage ${code(subject.storage)} in namespace ${code(subject.namespace)}: ${text(location.type)} bucket ${code(location.bucket)} (wal-g prefix ${code(location.prefix)}).`, '');
  lines.push(`**Only the configuration was checked.** This extension speaks S3, not ${service}: no request was sent to the bucket.`, '');
  for (const f of findings) lines.push(`- ${f.ok ? '✅' : '❌'} ${f.text}`);
  lines.push('', ...scopeLines(location.type));
  if (location.notes.length) lines.push('', '## Notes on this storage', '', ...location.notes.map((n) => `- ${text(n)}`));
  lines.push('');
  return lines.join('\n');
}
