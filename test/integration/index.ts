/**
 * The suite's entry inside the editor: the extension host loads this bundle (extensionTestsPath) and calls
 * run(). Every `*.test.js` bundle beside it is loaded in name order, so `activation.test` runs before any
 * other test has opened a YAML file. Results go to the file the driver named (RunConfig.resultsFile):
 * the driver does not see the extension host's console.
 */
import Mocha from 'mocha';
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { revertDirtyDocuments } from './helpers';
import { readRunConfig, SuiteProgress, SuiteResults, TestResult } from './runConfig';

export async function run(): Promise<void> {
  const config = readRunConfig(__dirname);
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: config.testTimeoutMs ?? 60_000,
    grep: config.grep ? new RegExp(config.grep) : undefined,
    reporter: ConsoleLineReporter,
    // Each test starts from the fixture files as they are on disk, whatever the one before edited.
    rootHooks: { afterEach: revertDirtyDocuments },
  });
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  // Without a Kubernetes API (a plain clone) the files that need one are not loaded: they reach it already
  // when their suites are declared.
  const needCluster = config.kube ? [] : files.filter((f) => !WITHOUT_CLUSTER.includes(f));
  for (const file of files.filter((f) => !needCluster.includes(f))) {
    mocha.addFile(join(__dirname, file));
  }
  const notRun = needCluster.length ? { files: needCluster, reason: NO_CLUSTER } : undefined;

  const started = new Date();
  const tests: TestResult[] = [];
  const progress: SuiteProgress = { startedAt: started.toISOString(), finishedTests: 0 };
  const writeProgress = () => config.progressFile && writeAtomically(config.progressFile, progress);
  writeProgress();

  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('test', (test) => {
      progress.currentTest = test.fullTitle();
      writeProgress();
    });
    runner.on('test end', () => {
      progress.finishedTests++;
      progress.currentTest = undefined;
      writeProgress();
    });
    runner.on('pass', (test) => tests.push(resultOf(test, 'passed')));
    // Also fired for failing hooks, which then stand for the tests they kept from running.
    runner.on('fail', (test, err: unknown) => tests.push(resultOf(test, 'failed', err)));
  });

  const finished = new Date();
  const failed = tests.filter((t) => t.state === 'failed').length;
  const results: SuiteResults = {
    vscodeVersion: vscode.version,
    nodeVersion: process.version,
    workspaceTrusted: vscode.workspace.isTrusted,
    grep: config.grep,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    passed: tests.length - failed,
    failed,
    tests,
    notRun,
  };
  writeAtomically(config.resultsFile, results);
  if (failed > 0) throw new Error(`${failed} of ${tests.length} integration tests failed`);
  if (tests.length === 0) throw new Error(`No integration test ran${config.grep ? ` (grep ${config.grep})` : ''}`);
}

/**
 * Files whose tests need no cluster: the language features and activation. Every other file's tests talk
 * to the Kubernetes API (and the bucket seeded for its cluster), which a plain clone's run does not have.
 */
const WITHOUT_CLUSTER = ['activation.test.js', 'diagnostics.test.js', 'languageFeatures.test.js', 'settings.test.js'];

const NO_CLUSTER = 'no Kubernetes API: the sandbox serves the upstream StackGres CRDs from ../shared/reference (or STACKGRES_REFERENCE_DIR)';

function resultOf(test: Mocha.Runnable, state: TestResult['state'], err?: unknown): TestResult {
  const e = err as { message?: unknown; stack?: unknown; expected?: unknown; actual?: unknown } | undefined;
  return {
    titlePath: test.titlePath(),
    fullTitle: test.fullTitle(),
    file: test.file,
    state,
    durationMs: test.duration ?? 0,
    error:
      err === undefined
        ? undefined
        : {
            message: String(e?.message ?? err),
            stack: typeof e?.stack === 'string' ? e.stack : undefined,
            expected: e?.expected === undefined ? undefined : JSON.stringify(e.expected),
            actual: e?.actual === undefined ? undefined : JSON.stringify(e.actual),
          },
  };
}

function writeAtomically(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, file);
}

/** One line per test on the extension host's console (which the editor forwards to its own log). */
class ConsoleLineReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.on('pass', (t) => console.log(`[stackgres-integration] passed: ${t.fullTitle()} (${t.duration} ms)`));
    runner.on('fail', (t, err: unknown) => console.log(`[stackgres-integration] FAILED: ${t.fullTitle()}: ${String(err)}`));
  }
}
