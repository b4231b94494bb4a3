/**
 * `stackgres-backups lint`: the language server's checks on files in CI. The same code path as the
 * server's diagnostics (ValidationService: the CRD schema check, the operator's rules, Helm templates noted)
 * with a workspace index of the files given, so references between them resolve as in the editor; only
 * the live checks are absent (no cluster).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import type { Severity } from '@core/codes';
import { splitDocuments } from '@core/manifest';
import { ParsedFile } from '../../server/src/documents';
import { SchemaChecker } from '../../server/src/schema/schemaChecker';
import { SchemaStore } from '../../server/src/schema/schemaStore';
import { YamlService } from '../../server/src/schema/yamlService';
import { DEFAULT_MAX_FILE_SIZE, ValidationService } from '../../server/src/services/validation';
import { WorkspaceIndex } from '../../server/src/workspaceIndex';
import { collectFiles, describe } from './files';
import { EXIT, printable, UsageError, type CliIo, type Subcommand } from './io';
import { counts, jsonReport, sarifReport, summaryLine, textReport, type LintFinding, type LintReport, type Skipped } from './report';

/** As many files as the language server's workspace scan reads. */
const DEFAULT_MAX_FILES = 10_000;
const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: stackgres-backups lint [options] [paths or globs…]

Checks StackGres manifests as the editor does: the CRD schemas of StackGres 1.18, the operator's rules,
and references between the files given (an SGCluster's sgObjectStorage, a Secret's keys). Each document of
a multi-document file is checked on its own.

Paths: files (checked whatever their name), folders (searched recursively for .yaml and .yml files;
node_modules, .git and hidden folders are skipped) and globs, quoted so the shell leaves them alone
('manifests/**/*.yaml'). Default: the current folder. Paths in the output are relative to it.

Options:
  --format text|json|sarif   text (default): file:line:col severity code message, one finding a line;
                             json: the findings and a summary; sarif: SARIF 2.1.0 for code scanning
  --max-warnings N           also fail when there are more than N warnings (default: no limit)
  --max-file-size-mb N       skip files larger than this, and say so (default 5, as the editor's
                             stackgres.validation.maxFileSizeMB)
  --max-files N              refuse to run on more than N files (default ${DEFAULT_MAX_FILES})
  -h, --help                 this help

Helm chart templates (files under the templates/ folder of a chart) are skipped, and documents with
{{ }} are reported as not checked: render the chart (helm template) and check its output.

Exit status: 0 no error (and no more warnings than --max-warnings), 1 errors or too many warnings,
2 bad arguments, or a path that could not be read (the other files are still checked and reported).
`;

export const lint: Subcommand = {
  summary: 'Check StackGres manifests as the editor does (text, JSON or SARIF output)',
  run: runLint,
};

interface Options {
  readonly paths: readonly string[];
  readonly format: Format;
  readonly maxWarnings: number | undefined;
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  readonly help: boolean;
}

function parseOptions(args: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string' },
        'max-warnings': { type: 'string' },
        'max-file-size-mb': { type: 'string' },
        'max-files': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(printable((err as Error).message));
  }
  const { values, positionals } = parsed;
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be text, json or sarif, not "${printable(format)}".`);
  return {
    paths: positionals.length ? positionals : ['.'],
    format: format as Format,
    maxWarnings: values['max-warnings'] === undefined ? undefined : count('--max-warnings', values['max-warnings'], 0),
    maxFileBytes: values['max-file-size-mb'] === undefined ? DEFAULT_MAX_FILE_SIZE : count('--max-file-size-mb', values['max-file-size-mb'], 1) * 1024 * 1024,
    maxFiles: values['max-files'] === undefined ? DEFAULT_MAX_FILES : count('--max-files', values['max-files'], 1),
    help: values.help === true,
  };
}

function count(option: string, value: string, min: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${option} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, not "${printable(value)}".`);
  return n;
}

async function runLint(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseOptions(args);
  if (options.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const rel = (file: string) => path.relative(io.cwd, file).split(path.sep).join('/') || '.';
  const list = await collectFiles(options.paths, io.cwd, options.maxFiles);
  if (list.overCap) {
    io.stderr(`More than ${options.maxFiles} YAML files under ${options.paths.map((p) => `"${printable(p)}"`).join(', ')}: nothing was checked. Name the folders or globs that hold your manifests, or raise --max-files.\n`);
    return EXIT.usage;
  }
  const problems = [...list.problems];
  const skipped: Skipped[] = list.chartTemplates.map((f) => ({ file: rel(f), reason: 'Helm chart template: not checked until it is rendered (helm template), like documents with {{ }} in the editor.' }));
  const checked = await check(list.files, options.maxFileBytes, io, rel, skipped, problems);
  const report: LintReport = { filesChecked: checked.files, findings: checked.findings, skipped };

  if (options.format === 'json') io.stdout(jsonReport(report, problems));
  else if (options.format === 'sarif') io.stdout(sarifReport(report, problems));
  else io.stdout(textReport(report));

  for (const note of notes(list.chartTemplates.map(rel), skipped)) io.stderr(`${printable(note)}\n`);
  for (const p of problems) io.stderr(`stackgres-backups lint: ${printable(p)}\n`);
  io.stderr(`${summaryLine(report)}\n`);
  const { errors, warnings } = counts(report.findings);
  const tooManyWarnings = options.maxWarnings !== undefined && warnings > options.maxWarnings;
  if (tooManyWarnings) io.stderr(`${warnings} warning${warnings === 1 ? '' : 's'}, more than --max-warnings ${options.maxWarnings}.\n`);
  if (problems.length) return EXIT.usage;
  return errors > 0 || tooManyWarnings ? EXIT.findings : EXIT.ok;
}

/** What was skipped, for a person: chart templates once per chart, other files one by one. */
function notes(chartTemplates: readonly string[], skipped: readonly Skipped[]): string[] {
  const byFolder = new Map<string, number>();
  for (const t of chartTemplates) {
    const folder = t.slice(0, t.lastIndexOf('/templates/') + '/templates/'.length);
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + 1);
  }
  const templates = new Set(chartTemplates);
  return [
    ...[...byFolder].map(([folder, n]) => `Skipped ${n} Helm chart template${n === 1 ? '' : 's'} (${folder}): render the chart (helm template) and check its output.`),
    ...skipped.filter((s) => !templates.has(s.file)).map((s) => `Skipped ${s.file}: ${s.reason}`),
  ];
}

const SEVERITY: Record<DiagnosticSeverity, Severity> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'information',
  [DiagnosticSeverity.Hint]: 'hint',
};

/** Checks the files one by one, after indexing what they all define; memory holds one file's results at a time. */
async function check(files: readonly string[], maxFileBytes: number, io: CliIo, rel: (file: string) => string, skipped: Skipped[], problems: string[]): Promise<{ files: number; findings: LintFinding[] }> {
  const schemas = new SchemaStore(io.schemasDir);
  const yaml = new YamlService(schemas);
  // The server's workspace index, fed the files given instead of a workspace folder.
  const index = new WorkspaceIndex(() => undefined);
  const checker = new SchemaChecker(yaml, () => undefined, io.workerFile);
  const validation = new ValidationService(checker, schemas, () => index);
  validation.maxFileSize = maxFileBytes;
  const findings: LintFinding[] = [];
  let checked = 0;
  try {
    // Every file's objects first, as the server scans the workspace before it checks: a cluster finds the
    // storage defined in a file that comes after it.
    for (const file of files) await index.fileChanged(URI.file(file).toString());
    for (const file of files) {
      const name = rel(file);
      let text: string;
      try {
        const { size } = await fs.stat(file);
        if (size > maxFileBytes) {
          skipped.push({ file: name, reason: `it is ${mb(size)}, over the ${maxFileBytes / 1024 / 1024} MB limit (--max-file-size-mb): split it, or raise the limit.` });
          continue;
        }
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        problems.push(`${name}: cannot be read (${describe(err)})`);
        continue;
      }
      const uri = URI.file(file).toString();
      const diagnostics = await validation.validate(new ParsedFile(uri, 1, text.length, splitDocuments(text)));
      validation.forget(uri);
      checked++;
      const own = diagnostics.map((d): LintFinding => ({
        file: name,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        severity: SEVERITY[d.severity ?? DiagnosticSeverity.Error],
        code: String(d.code),
        message: d.message,
        ...(d.codeDescription ? { docs: d.codeDescription.href } : {}),
      }));
      own.sort((a, b) => a.line - b.line || a.column - b.column);
      findings.push(...own);
    }
  } finally {
    checker.dispose();
  }
  return { files: checked, findings };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
