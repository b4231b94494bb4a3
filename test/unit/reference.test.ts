/**
 * A plain clone (no ../shared beside it) passes: tests that need the upstream StackGres material are not
 * registered and one line says how many did not run. Where the material is, or CI demands it, nothing is
 * left out quietly. Each case runs mocha on a small suite inside a throwaway "clone" with a copy of
 * test/reference.ts, so the real ../shared of this checkout does not decide the outcome.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { locateReference } from '../reference';

const REPO = path.resolve(__dirname, '../..');
const MOCHA = path.join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js');

// Two suites and a test that need the material (5 tests), and one test that does not.
const SUITE = `
import * as fs from 'node:fs';
import { corpusFiles, describeWithReference, itWithReference, stackgresFile } from './reference';

describe('always', () => {
  it('runs', () => undefined);
  itWithReference('reads a CRD', () => void fs.readFileSync(stackgresFile('crds/SGBackup.yaml')));
});

describeWithReference('upstream', function () {
  this.timeout(1000);
  before(() => undefined);
  it('one', () => void fs.readFileSync(stackgresFile('objects/backup-list.json')));
  describe('nested', () => {
    it('two', () => undefined);
    it('three', () => undefined);
  });
});

describeWithReference('corpus', () => {
  it('has files', () => void fs.readdirSync(stackgresFile('..')));
  for (const f of corpusFiles()) it(f, () => undefined);
}, { perFile: true });
`;

interface Run {
  status: number | null;
  out: string;
}

describe('tests that need the upstream StackGres reference', function () {
  this.timeout(60_000);
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-test-'));
    fs.mkdirSync(path.join(root, 'clone', 'test'), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'test', 'reference.ts'), path.join(root, 'clone', 'test', 'reference.ts'));
    fs.writeFileSync(path.join(root, 'clone', 'test', 'suite.test.ts'), SUITE);
  });

  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  function run(env: Record<string, string> = {}): Run {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STACKGRES_')));
    const r = spawnSync(process.execPath, [MOCHA, '--require', 'tsx/cjs', '--reporter', 'spec', path.join(root, 'clone', 'test', 'suite.test.ts')], {
      cwd: REPO,
      env: { ...clean, ...env },
      encoding: 'utf8',
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  /** A reference folder with the files the suite reads; `shared` lays it out as ../shared is. */
  function material(dir: string, shared: boolean): void {
    const stackgres = shared ? path.join(dir, 'reference', 'stackgres-1.18') : path.join(dir, 'stackgres-1.18');
    fs.mkdirSync(path.join(stackgres, 'crds'), { recursive: true });
    fs.mkdirSync(path.join(stackgres, 'objects'), { recursive: true });
    fs.writeFileSync(path.join(stackgres, 'crds', 'SGBackup.yaml'), 'kind: CustomResourceDefinition\n');
    fs.writeFileSync(path.join(stackgres, 'objects', 'backup-list.json'), '{"items": []}');
    for (const sub of ['stackgres-docs', 'stackgres-examples']) fs.mkdirSync(path.join(dir, 'corpus', sub), { recursive: true });
    fs.writeFileSync(path.join(dir, 'corpus', 'stackgres-docs', 'a.yaml'), 'kind: SGCluster\n');
    fs.writeFileSync(path.join(dir, 'corpus', 'stackgres-examples', 'b.yaml'), 'kind: SGBackup\n');
  }

  it('a plain clone passes: the rest run, and one line counts what did not and says how to run it', () => {
    const r = run();
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /1 passing/);
    assert.doesNotMatch(r.out, /pending|failing/);
    const lines = r.out.split('\n').filter((l) => /skipped/.test(l));
    assert.deepEqual(lines.map((l) => l.trim()), [
      'skipped 5 tests and the suite that makes one test per reference file: ../shared/reference not found; set STACKGRES_REFERENCE_DIR=<dir with stackgres-1.18 and corpus> to run them',
    ]);
  });

  it('with ../shared beside the clone every test runs, one per corpus file too', () => {
    material(path.join(root, 'shared'), true);
    const r = run();
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /8 passing/);
    assert.match(r.out, /stackgres-docs\/a\.yaml/);
    assert.doesNotMatch(r.out, /skipped/);
  });

  it('with ../shared beside the clone a missing file fails instead of skipping', () => {
    material(path.join(root, 'shared'), true);
    fs.rmSync(path.join(root, 'shared', 'reference', 'stackgres-1.18', 'objects'), { recursive: true });
    const r = run();
    assert.notEqual(r.status, 0);
    assert.match(r.out, /1 failing/);
    assert.match(r.out, /ENOENT.*backup-list\.json/);
  });

  it('STACKGRES_REFERENCE_DIR is used when there is no ../shared', () => {
    material(path.join(root, 'elsewhere'), false);
    const r = run({ STACKGRES_REFERENCE_DIR: path.join(root, 'elsewhere') });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /8 passing/);
  });

  it('STACKGRES_REQUIRE_REFERENCE=1 (as .ci/run sets) turns the missing reference into failures', () => {
    const r = run({ STACKGRES_REQUIRE_REFERENCE: '1' });
    assert.notEqual(r.status, 0);
    assert.match(r.out, /1 passing/);
    assert.match(r.out, /3 failing/);
    assert.match(r.out, /STACKGRES_REQUIRE_REFERENCE=1 but \.\.\/shared\/reference not found/);
    assert.doesNotMatch(r.out, /skipped/);
  });

  it('finds the material as laid out in ../shared or in a folder of its own', () => {
    const shared = path.join(os.tmpdir(), 'no-such-shared-folder');
    assert.equal(locateReference(shared, {}), undefined);
    assert.deepEqual(locateReference(shared, { STACKGRES_REFERENCE_DIR: '/ref' }), { stackgres: '/ref/stackgres-1.18', corpus: '/ref/corpus' });
  });
});
