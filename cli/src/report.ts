/**
 * What `lint` found, written for a person (one line per finding, as compilers print them), for scripts
 * (JSON) or for code scanning (SARIF 2.1.0, as GitHub's upload-sarif reads it).
 */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { RULES, type Severity } from '@core/codes';
import { repository, version } from '../../package.json';
import { printable } from './io';

export interface LintFinding {
  /** Relative to the current folder, with forward slashes. */
  readonly file: string;
  /** 1-based; the end is exclusive, as in the editor. Columns count UTF-16 code units. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly docs?: string;
}

export interface Skipped {
  readonly file: string;
  readonly reason: string;
}

export interface LintReport {
  readonly filesChecked: number;
  readonly findings: readonly LintFinding[];
  readonly skipped: readonly Skipped[];
}

export type Counts = Record<'errors' | 'warnings' | 'information' | 'hints', number>;

export function counts(findings: readonly LintFinding[]): Counts {
  const c: Counts = { errors: 0, warnings: 0, information: 0, hints: 0 };
  for (const f of findings) {
    if (f.severity === 'error') c.errors++;
    else if (f.severity === 'warning') c.warnings++;
    else if (f.severity === 'information') c.information++;
    else c.hints++;
  }
  return c;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `file:line:col severity code message`, one finding a line. */
export function textReport(report: LintReport): string {
  return report.findings
    .map((f) => `${printable(f.file)}:${f.line}:${f.column} ${f.severity} ${f.code} ${printable(oneLine(f.message))}\n`)
    .join('');
}

/** The closing line, for stderr: stdout keeps only findings, for tools that read it. */
export function summaryLine(report: LintReport): string {
  const c = counts(report.findings);
  const parts = [
    c.errors && plural(c.errors, 'error'),
    c.warnings && plural(c.warnings, 'warning'),
    c.information && `${c.information} information`,
    c.hints && plural(c.hints, 'hint'),
  ].filter(Boolean);
  return `${plural(report.filesChecked, 'file')} checked: ${parts.length ? parts.join(', ') : 'no problems'}.`;
}

export function jsonReport(report: LintReport, problems: readonly string[]): string {
  return `${JSON.stringify({
    tool: 'stackgres-backups',
    version,
    filesChecked: report.filesChecked,
    summary: counts(report.findings),
    results: report.findings,
    skipped: report.skipped,
    problems,
  }, null, 2)}\n`;
}

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** The rules a run can report: every code but the live ones, which need a connected cluster. */
const SARIF_RULES: readonly string[] = Object.keys(RULES).filter((code) => !code.startsWith('live-'));

export function sarifReport(report: LintReport, problems: readonly string[]): string {
  const rules: ReportingDescriptor[] = SARIF_RULES.map((id) => {
    const info = RULES[id as keyof typeof RULES];
    return {
      id,
      shortDescription: { text: info.title },
      ...('docs' in info ? { helpUri: info.docs } : {}),
      defaultConfiguration: { level: LEVEL[info.severity] },
    };
  });
  const results: Result[] = report.findings.map((f) => {
    const ruleIndex = SARIF_RULES.indexOf(f.code);
    return {
      ruleId: f.code,
      ...(ruleIndex >= 0 ? { ruleIndex } : {}),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [{
        physicalLocation: {
          artifactLocation: { uri: uriOf(f.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
        },
      }],
    };
  });
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'stackgres-backups', version, informationUri: repository.url, rules } },
      columnKind: 'utf16CodeUnits',
      invocations: [{
        executionSuccessful: problems.length === 0,
        toolExecutionNotifications: [
          ...report.skipped.map((s) => ({
            level: 'note' as const,
            message: { text: s.reason },
            locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(s.file), uriBaseId: '%SRCROOT%' } } }],
          })),
          ...problems.map((p) => ({ level: 'error' as const, message: { text: p } })),
        ],
      }],
      results,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** A relative path as a URI reference: each segment percent-encoded, the slashes kept. */
function uriOf(file: string): string {
  return file.split('/').map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s))).join('/');
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}
