/**
 * The "Verify Recoverability" report as Markdown: the verdict, each base backup (restorable or why not),
 * the timelines, the gaps with the time they make unreachable, and the recoverable ranges. Everything from
 * the bucket is escaped: a backup or object name cannot add a link, an image or HTML.
 */
import { markdownCell, markdownCode, markdownCodeCell, markdownText } from './markdown';
import type { WalVerification } from './walVerify';

export interface ReportHeader {
  /** `s3://bucket/prefix/`. */
  readonly where: string;
  /** What it was verified for: "SGCluster db in namespace prod", "SGObjectStorage … path …". */
  readonly subject: string;
  readonly at: Date;
  readonly requests?: number;
  readonly listedFrom?: string;
  readonly notes?: readonly string[];
}

const bound = (b: { at: string; estimated: boolean } | undefined, missing: string): string => (b ? `${b.at}${b.estimated ? ' (estimated from upload times)' : ''}` : missing);

export function walVerificationMarkdown(r: WalVerification, h: ReportHeader): string {
  const out: string[] = [];
  out.push(`# WAL continuity: ${markdownText(h.subject)}`, '');
  out.push(`${markdownCode(h.where)}, verified ${h.at.toISOString()}.`, '');
  out.push(`**${r.ok ? 'Recoverable' : 'Not recoverable as it stands'}.** ${markdownText(r.verdict)}`, '');

  out.push('## Base backups', '');
  if (r.backups.length === 0) out.push('None in `basebackups_005/`.', '');
  else {
    out.push('| Backup | Finished | Restorable | Continuous to / why not |', '|---|---|---|---|');
    for (const b of r.backups) {
      const detail = b.restorable ? markdownCodeCell(b.continuousTo?.segment ?? '') : markdownCell(b.reason ?? '');
      out.push(`| ${markdownCodeCell(b.name)} | ${markdownCell(b.finishTime ?? '?')} | ${b.restorable ? 'yes' : '**no**'} | ${detail} |`);
    }
    out.push('');
  }

  out.push('## Timelines', '');
  if (r.timelines.length === 0) out.push('No WAL segment in `wal_005/`.', '');
  for (const t of r.timelines) {
    const switched = t.parent !== undefined
      ? `, from timeline ${t.parent} at ${markdownCode(t.switchSegment ?? '?')} (${t.switchFrom === 'history' ? 'its history file' : 'estimated from its first segment'})`
      : '';
    const span = t.first ? `${markdownCode(t.first)} to ${markdownCode(t.last ?? t.first)}` : 'no segments';
    out.push(`- Timeline ${t.timeline}${switched}: ${t.segments} segment${t.segments === 1 ? '' : 's'}, ${span}${t.partials ? `, ${t.partials} .partial` : ''}.${t.historyProblem ? ` History file not used: ${markdownText(t.historyProblem)}.` : ''}`);
  }
  out.push('');

  out.push('## Gaps', '');
  if (r.gaps.length === 0) out.push('None: WAL is continuous wherever a backup needs it.', '');
  else {
    out.push('| Timeline | Missing segments | Count | Unreachable from | Until | WAL resumes |', '|---|---|---|---|---|---|');
    for (const g of r.gaps) {
      out.push(`| ${g.timeline} | ${markdownCodeCell(g.from)} to ${markdownCodeCell(g.to)} | ${g.count} | ${bound(g.unreachableFrom, 'unknown')} | ${bound(g.unreachableTo, 'a new backup')} | ${bound(g.walResumesAt, '?')} |`);
    }
    out.push('');
  }

  out.push('## Recoverable ranges', '');
  if (r.recoverable.length === 0) out.push('None.', '');
  for (const x of r.recoverable) {
    out.push(`- From ${markdownCode(x.backup)} (finished ${markdownText(x.from ?? 'at an unknown time')}) to ${markdownCode(x.to.segment)}${x.to.at ? ` (about ${x.to.at})` : ''}, timeline${x.timelines.length === 1 ? '' : 's'} ${x.timelines.join(' → ')}.`);
  }
  out.push('');

  out.push('## What was read', '');
  out.push(`- ${r.objects} object${r.objects === 1 ? '' : 's'} of \`wal_005/\`${h.listedFrom ? ` from ${markdownCode(h.listedFrom)} (the oldest backup's first segment; older WAL serves no backup)` : ''}: ${r.segments} segments of ${r.segmentSize / 1024 / 1024} MiB, ${r.backupLabels} backup labels${h.requests !== undefined ? `, ${h.requests} requests` : ''}.`);
  if (r.unknown.count > 0) out.push(`- ${r.unknown.count} other object${r.unknown.count === 1 ? '' : 's'} (not WAL): ${r.unknown.examples.map(markdownCode).join(', ')}${r.unknown.count > r.unknown.examples.length ? ', …' : ''}.`);
  for (const n of h.notes ?? []) out.push(`- ${markdownText(n)}`);
  out.push('');
  return out.join('\n');
}
