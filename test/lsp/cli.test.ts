// The command line against the language server: on the StackGres corpus, `lint` reports exactly what the
// bundled server publishes over LSP for the same files (a real stdio session, the workspace scanned as in
// the editor). And the built dist/cli.js runs as a process: the shebang, the exit status, SARIF on stdout,
// and the schema worker beside it giving the same results as the in-process run.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log } from 'sarif';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { corpusFiles, describeWithReference, reference } from '../reference';
import { BAD_STORAGE, CLUSTER, lint, SECRET, STORAGE } from '../unit/cli/helpers';
import { validateSarif } from '../unit/cli/sarifSchema';
import { LspClient } from './client';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];

interface JsonResult {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

const key = (r: JsonResult) => `${r.file}:${r.line}:${r.column}-${r.endLine}:${r.endColumn} ${r.severity} ${r.code} ${r.message}`;

function fromServer(file: string, d: Diagnostic): JsonResult {
  return {
    file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: SEVERITY[d.severity ?? 1],
    code: String(d.code),
    message: d.message,
  };
}

/** The server's diagnostics for each file, opened in an editor session on `folder` after the workspace scan. */
async function serverResults(folder: string, files: readonly string[]): Promise<JsonResult[]> {
  const client = await LspClient.start(folder);
  try {
    await client.until(() => client.logs.some((l) => /Indexed \d+ YAML file/.test(l)), 30_000, 'the workspace scan');
    const uri = (f: string) => pathToFileURL(path.join(folder, f)).toString();
    for (const f of files) client.open(uri(f), readFileSync(path.join(folder, f), 'utf8'));
    const out: JsonResult[] = [];
    for (const f of files) out.push(...(await client.diagnosticsFor(uri(f), 30_000)).map((d) => fromServer(f, d)));
    return out;
  } finally {
    await client.stop();
  }
}

function runBuilt(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The file itself, not `node file`: its #!/usr/bin/env node line and mode are what npm's bin link runs.
    execFile(CLI, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describeWithReference('lint on the corpus', function () {
  this.timeout(120_000);

  it('reports what the language server publishes: same files, codes, ranges, severities and messages', async () => {
    const corpus = reference!.corpus;
    const files = corpusFiles();
    const server = (await serverResults(corpus, files)).map(key).sort();
    const run = await lint(corpus, '--format', 'json', ...['stackgres-docs', 'stackgres-examples']);
    const cli = (JSON.parse(run.stdout) as { results: JsonResult[]; filesChecked: number });
    assert.equal(cli.filesChecked, files.length);
    assert.deepEqual(cli.results.map(key).sort(), server);
    // Not two silent runs: the corpus has errors, warnings, information and a cross-file reference.
    const severities = new Set(cli.results.map((r) => r.severity));
    assert.deepEqual([...severities].sort(), ['error', 'information', 'warning']);
    assert.ok(cli.results.some((r) => r.code === 'ref-object-storage-unknown'));
    assert.equal(run.code, 1);
  });
});

describe('the built dist/cli.js', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sg-cli-'));
    // Twenty StackGres documents in one file: enough to be shared with the schema worker beside the bundle.
    const many = Array.from({ length: 20 }, (_, i) => BAD_STORAGE.replace('name: bad', `name: bad-${i}`)).join('---\n');
    writeFileSync(path.join(dir, 'many.yaml'), many);
    writeFileSync(path.join(dir, 'cluster.yaml'), CLUSTER);
    writeFileSync(path.join(dir, 'storage.yaml'), STORAGE);
    writeFileSync(path.join(dir, 'secret.yaml'), SECRET);
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs from its shebang, exits 1 on errors and writes valid SARIF equal to the in-process run', async () => {
    const built = await runBuilt(dir, ['lint', '--format', 'sarif', '.']);
    assert.equal(built.code, 1, built.stderr);
    const log = JSON.parse(built.stdout) as Log;
    assert.deepEqual(validateSarif(log), []);
    const results = log.runs[0].results!;
    assert.equal(results.filter((r) => r.ruleId === 'storage-class-invalid').length, 20);
    assert.match(built.stderr, /4 files checked: 40 errors\./);
    const inProcess = await lint(dir, '--format', 'sarif', '.');
    assert.deepEqual(JSON.parse(inProcess.stdout), log);
  });

  it('exits 0 on clean files, 2 on a bad argument, and prints its help', async () => {
    assert.equal((await runBuilt(dir, ['lint', 'cluster.yaml', 'storage.yaml', 'secret.yaml'])).code, 0);
    const bad = await runBuilt(dir, ['lint', '--format', 'xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be text, json or sarif/);
    const help = await runBuilt(dir, ['lint', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: stackgres-backups lint/);
  });
});
