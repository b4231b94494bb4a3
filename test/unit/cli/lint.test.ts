// `stackgres-backups lint`: the language server's checks on files and folders, for CI. Run in-process here
// (the built dist/cli.js runs as a process in test/lsp/cli.test.ts, beside the comparison with the server).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Log } from 'sarif';
import { main } from '../../../cli/src/main';
import type { CliIo } from '../../../cli/src/io';
import { BAD_STORAGE, CLUSTER, lint, SCHEMAS, SECRET, STORAGE, WARNING_ONLY, write } from './helpers';
import { validateSarif } from './sarifSchema';

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe('stackgres-backups lint', function () {
  this.timeout(30_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sg-lint-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('text output and exit codes', () => {
    it('prints file:line:col severity code message, 1-based, relative to the current folder, and exits 1 on an error', async () => {
      write(dir, { 'manifests/storage.yaml': BAD_STORAGE });
      const run = await lint(dir, 'manifests');
      assert.equal(run.code, 1, run.stderr);
      const found = lines(run.stdout);
      assert.equal(found.length, 2, run.stdout);
      assert.match(found[0], /^manifests\/storage\.yaml:5:1 error storage-type-missing \S.*$/);
      assert.match(found[1], /^manifests\/storage\.yaml:8:19 error storage-class-invalid \S.*STANDARD_IA/);
      assert.match(run.stderr, /1 file checked: 2 errors\./);
    });

    it('exits 0 on clean files and prints no finding', async () => {
      write(dir, { 'secret.yaml': SECRET, 'storage.yaml': STORAGE });
      const run = await lint(dir, '.');
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /2 files checked: no problems/);
    });

    it('checks the current folder when given no path', async () => {
      write(dir, { 'storage.yaml': BAD_STORAGE });
      const run = await lint(dir);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /^storage\.yaml:8:19 error storage-class-invalid/m);
    });

    it('--max-warnings: warnings alone pass, more warnings than allowed fail with a message', async () => {
      write(dir, { 'cluster.yaml': WARNING_ONLY, 'storage.yaml': STORAGE, 'secret.yaml': SECRET });
      const plain = await lint(dir, '.');
      assert.equal(plain.code, 0, plain.stdout);
      assert.match(plain.stdout, /^cluster\.yaml:16:\d+ warning backup-path-leading-slash /m);
      assert.equal((await lint(dir, '--max-warnings', '1', '.')).code, 0);
      const strict = await lint(dir, '--max-warnings', '0', '.');
      assert.equal(strict.code, 1);
      assert.match(strict.stderr, /1 warning, more than --max-warnings 0/);
    });
  });

  describe('what is checked', () => {
    it('recurses into folders for .yaml and .yml files, skips node_modules and hidden folders, and checks each document of a file', async () => {
      write(dir, {
        'a/one.yaml': BAD_STORAGE,
        'a/b/two.yml': `${SECRET}---\n${BAD_STORAGE.replace('name: bad', 'name: bad2')}`,
        'a/notes.txt': BAD_STORAGE,
        'a/node_modules/x.yaml': BAD_STORAGE,
        'a/.hidden/x.yaml': BAD_STORAGE,
      });
      const run = await lint(dir, 'a');
      const files = new Set(lines(run.stdout).map((l) => l.split(':')[0]));
      assert.deepEqual([...files].sort(), ['a/b/two.yml', 'a/one.yaml']);
      // The second document starts on line 9 of two.yml: its findings are on the file's lines.
      assert.match(run.stdout, /^a\/b\/two\.yml:16:19 error storage-class-invalid /m);
      assert.match(run.stderr, /2 files checked/);
    });

    it('resolves references among the files given: a storage defined in another file is found', async () => {
      write(dir, { 'cluster.yaml': CLUSTER, 'storage.yaml': STORAGE, 'secret.yaml': SECRET });
      const together = await lint(dir, 'cluster.yaml', 'storage.yaml', 'secret.yaml');
      assert.equal(together.stdout, '', together.stdout);
      const alone = await lint(dir, 'cluster.yaml');
      assert.match(alone.stdout, /^cluster\.yaml:14:\d+ information ref-object-storage-unknown .*objectstorage/m);
      assert.equal(alone.code, 0, 'information does not fail the run');
      // A Secret key the workspace's Secret lacks is a warning, found across files as well.
      write(dir, { 'secret.yaml': SECRET.replace('secretAccessKey: REPLACE_ME', 'secretKey: REPLACE_ME') });
      const missingKey = await lint(dir, 'storage.yaml', 'secret.yaml');
      assert.match(missingKey.stdout, /^storage\.yaml:12:\d+ warning ref-secret-key-missing /m);
    });

    it('expands globs (quoted, as CI passes them) to .yaml and .yml files', async () => {
      write(dir, { 'm/prod/a.yaml': BAD_STORAGE, 'm/dev/b.yml': BAD_STORAGE, 'm/c.yaml': BAD_STORAGE, 'other/d.yaml': BAD_STORAGE });
      const run = await lint(dir, 'm/*/*.{yaml,yml}');
      const files = [...new Set(lines(run.stdout).map((l) => l.split(':')[0]))].sort();
      assert.deepEqual(files, ['m/dev/b.yml', 'm/prod/a.yaml']);
      const deep = await lint(dir, 'm/**/*.yaml');
      assert.deepEqual([...new Set(lines(deep.stdout).map((l) => l.split(':')[0]))].sort(), ['m/c.yaml', 'm/prod/a.yaml']);
    });

    it('skips Helm chart templates with a note, and reports documents with {{ }} as not checked instead of as errors', async () => {
      write(dir, {
        'chart/Chart.yaml': 'apiVersion: v2\nname: db\nversion: 0.1.0\n',
        'chart/templates/storage.yaml': BAD_STORAGE,
        'rendered/templated.yaml': BAD_STORAGE.replace('storageClass: standard_ia', 'storageClass: {{ .Values.storageClass }}'),
      });
      const run = await lint(dir, '.');
      assert.match(run.stderr, /Skipped 1 Helm chart template \(chart\/templates\/\)/);
      assert.doesNotMatch(run.stdout, /chart\/templates/);
      assert.deepEqual(lines(run.stdout).map((l) => l.split(' ').slice(0, 3).join(' ')), ['rendered/templated.yaml:1:1 information helm-template-skipped']);
      assert.equal(run.code, 0);
    });

    it('skips files over --max-file-size-mb and says so', async () => {
      write(dir, { 'big.yaml': `${BAD_STORAGE}# ${'x'.repeat(1024 * 1024 + 10)}\n`, 'small.yaml': BAD_STORAGE });
      const run = await lint(dir, '--max-file-size-mb', '1', '--format', 'json', '.');
      const out = JSON.parse(run.stdout) as { skipped: { file: string; reason: string }[]; results: { file: string }[] };
      assert.deepEqual(out.skipped.map((s) => s.file), ['big.yaml']);
      assert.match(out.skipped[0].reason, /1\.0 MB.*over the 1 MB limit/);
      assert.deepEqual([...new Set(out.results.map((r) => r.file))], ['small.yaml']);
      assert.match(run.stderr, /Skipped big\.yaml: /);
    });
  });

  describe('formats', () => {
    it('--format json: every finding with its position, severity, code, message and docs link, and a summary', async () => {
      write(dir, { 'storage.yaml': BAD_STORAGE });
      const run = await lint(dir, '--format', 'json', 'storage.yaml');
      assert.equal(run.code, 1);
      const out = JSON.parse(run.stdout) as { summary: Record<string, number>; filesChecked: number; results: Record<string, unknown>[] };
      assert.equal(out.filesChecked, 1);
      assert.deepEqual(out.summary, { errors: 2, warnings: 0, information: 0, hints: 0 });
      const invalid = out.results.find((r) => r.code === 'storage-class-invalid')!;
      assert.deepEqual({ ...invalid, message: undefined }, {
        file: 'storage.yaml', line: 8, column: 19, endLine: 8, endColumn: 30, severity: 'error', code: 'storage-class-invalid',
        message: undefined, docs: 'https://stackgres.io/doc/latest/administration/backups/s3/',
      });
      assert.match(String(invalid.message), /STANDARD_IA/);
    });

    it('--format sarif: valid SARIF 2.1.0 with the rules, levels, messages and regions', async () => {
      write(dir, { 'm/storage.yaml': BAD_STORAGE, 'm/cluster.yaml': WARNING_ONLY.replace('objectstorage', 'elsewhere') });
      const run = await lint(dir, '--format', 'sarif', 'm');
      assert.equal(run.code, 1);
      const log = JSON.parse(run.stdout) as Log;
      assert.deepEqual(validateSarif(log), []);
      // The validation can fail: a log without its tool is not SARIF.
      assert.notDeepEqual(validateSarif({ ...log, runs: [{ results: log.runs[0].results }] }), []);
      const { driver } = log.runs[0].tool;
      assert.equal(driver.name, 'stackgres-backups');
      const rules = driver.rules!;
      const rule = rules.find((r) => r.id === 'storage-class-invalid')!;
      assert.equal(rule.defaultConfiguration?.level, 'error');
      assert.equal(rule.helpUri, 'https://stackgres.io/doc/latest/administration/backups/s3/');
      assert.match(rule.shortDescription!.text, /STANDARD_IA/);
      const results = log.runs[0].results!;
      const byRule = Object.fromEntries(results.map((r) => [r.ruleId, r]));
      assert.deepEqual(Object.keys(byRule).sort(), ['backup-path-leading-slash', 'ref-object-storage-unknown', 'storage-class-invalid', 'storage-type-missing']);
      const invalid = byRule['storage-class-invalid'];
      assert.equal(invalid.level, 'error');
      assert.equal(rules[invalid.ruleIndex!].id, 'storage-class-invalid');
      assert.equal(byRule['backup-path-leading-slash'].level, 'warning');
      assert.equal(byRule['ref-object-storage-unknown'].level, 'note');
      assert.match(invalid.message.text!, /STANDARD_IA/);
      const location = invalid.locations![0].physicalLocation!;
      assert.equal(location.artifactLocation!.uri, 'm/storage.yaml');
      assert.deepEqual(location.region, { startLine: 8, startColumn: 19, endLine: 8, endColumn: 30 });
    });

    it('--format sarif lists skipped files as notifications and stays valid', async () => {
      write(dir, { 'chart/Chart.yaml': 'apiVersion: v2\nname: db\nversion: 0.1.0\n', 'chart/templates/s.yaml': BAD_STORAGE, 's.yaml': STORAGE });
      const run = await lint(dir, '--format', 'sarif', '.');
      const log = JSON.parse(run.stdout) as Log;
      assert.deepEqual(validateSarif(log), []);
      const notes = log.runs[0].invocations![0].toolExecutionNotifications ?? [];
      assert.equal(notes.length, 1);
      assert.match(notes[0].message.text!, /Helm chart template/);
      assert.equal(notes[0].locations![0].physicalLocation!.artifactLocation!.uri, 'chart/templates/s.yaml');
    });
  });

  describe('bad input: exit 2 with a message that says what to do', () => {
    it('a path that does not exist, and a glob that matches nothing; the other paths are still checked', async () => {
      write(dir, { 'storage.yaml': BAD_STORAGE });
      const run = await lint(dir, 'storage.yaml', 'missing.yaml', 'nothing/**/*.yaml');
      assert.equal(run.code, 2);
      assert.match(run.stderr, /missing\.yaml: no such file or folder/);
      assert.match(run.stderr, /nothing\/\*\*\/\*\.yaml: no \.yaml or \.yml file matches this glob/);
      assert.match(run.stdout, /^storage\.yaml:8:19 error storage-class-invalid/m);
    });

    it('a file that cannot be read (a FIFO) is named, and nothing waits on it', async () => {
      write(dir, { 'storage.yaml': BAD_STORAGE });
      execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
      const run = await lint(dir, 'pipe.yaml', 'storage.yaml');
      assert.equal(run.code, 2);
      assert.match(run.stderr, /pipe\.yaml: not a regular file/);
      assert.match(run.stdout, /storage-class-invalid/);
      // Found in a folder, a FIFO is not a YAML file to read either.
      const inFolder = await lint(dir, '.');
      assert.equal(inFolder.code, 1, inFolder.stderr);
    });

    it('a folder with no YAML file', async () => {
      write(dir, { 'docs/readme.md': '# hi\n' });
      const run = await lint(dir, 'docs');
      assert.equal(run.code, 2);
      assert.match(run.stderr, /docs: no \.yaml or \.yml file in this folder/);
    });

    it('more files than --max-files: nothing is checked, and the message says how to narrow it', async () => {
      write(dir, { 'a.yaml': STORAGE, 'b.yaml': STORAGE, 'c.yaml': STORAGE });
      const run = await lint(dir, '--max-files', '2', '.');
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /More than 2 YAML files.*--max-files/);
      // Chart templates are listed one by one, so they count as well.
      const charts = mkdtempSync(path.join(tmpdir(), 'sg-lint-charts-'));
      try {
        write(charts, { 'c/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'c/templates/a.yaml': STORAGE, 'c/templates/b.yaml': STORAGE });
        assert.equal((await lint(charts, '--max-files', '2', 'c')).code, 2);
        assert.equal((await lint(charts, '--max-files', '3', 'c')).code, 0);
      } finally {
        rmSync(charts, { recursive: true, force: true });
      }
    });

    it('unknown options, formats and numbers', async () => {
      for (const args of [['--formt', 'json'], ['--format', 'xml'], ['--max-warnings', 'many'], ['--max-warnings', '-1'], ['--max-file-size-mb', '0']]) {
        const run = await lint(dir, ...args);
        assert.equal(run.code, 2, args.join(' '));
        assert.match(run.stderr, /stackgres-backups lint --help/, args.join(' '));
        assert.equal(run.stdout, '');
      }
    });

    it('--help for lint and for the command, and an unknown command', async () => {
      const help = await lint(dir, '--help');
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Usage: stackgres-backups lint \[options\] \[paths or globs…\]/);
      assert.match(help.stdout, /--format text\|json\|sarif/);
      assert.match(help.stdout, /--max-warnings/);
      const out: string[] = [];
      const io: CliIo = { cwd: dir, stdout: (t) => out.push(t), stderr: (t) => out.push(t), schemasDir: SCHEMAS };
      assert.equal(await main(['--help'], io), 0);
      assert.match(out.join(''), /lint\s+Check StackGres manifests/);
      out.length = 0;
      assert.equal(await main(['lnt'], io), 2);
      assert.match(out.join(''), /Unknown command "lnt"/);
      out.length = 0;
      assert.equal(await main([], io), 2);
      assert.match(out.join(''), /Usage: stackgres-backups <command>/);
    });
  });

  it('never prints control characters from a manifest to the terminal', async () => {
    write(dir, { 's.yaml': BAD_STORAGE.replace('  s3:\n', '  s3:\n    "bu\\e[31mcket": x\n') });
    const run = await lint(dir, 's.yaml');
    assert.match(run.stdout, /schema-unknown-field/);
    assert.doesNotMatch(run.stdout, /\x1b/);
    assert.match(run.stdout, /bu\\u001b\[31mcket/);
  });
});
