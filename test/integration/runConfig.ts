/**
 * What a driver tells the suite about the run it starts. The suite runs inside the editor's extension host,
 * so it cannot take command-line options: the driver writes this as `run-config.json` beside the bundled
 * `index.js`, or names a file in STACKGRES_INTEGRATION_CONFIG. No vscode import: drivers share this file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUN_CONFIG_FILE = 'run-config.json';
export const RUN_CONFIG_ENV = 'STACKGRES_INTEGRATION_CONFIG';

export interface RunConfig {
  /** Where the suite writes its SuiteResults (JSON), once it has finished. */
  resultsFile: string;
  /** Rewritten as each test starts, so a driver can say where a suite hung. */
  progressFile?: string;
  /** Only tests whose full title matches this regular expression run (e.g. "@restricted"). */
  grep?: string;
  /** Whether the driver opened the workspace trusted; the suite checks the editor agrees. */
  workspaceTrusted: boolean;
  /** A folder holding the editor's logs (searched recursively for the extension's own log). */
  logsRoot: string;
  /** Per-test timeout for mocha. */
  testTimeoutMs?: number;
}

export type TestState = 'passed' | 'failed';

export interface TestResult {
  /** Titles from the outermost suite to the test. */
  titlePath: string[];
  fullTitle: string;
  file?: string;
  state: TestState;
  durationMs: number;
  error?: { message: string; stack?: string; expected?: string; actual?: string };
}

export interface SuiteResults {
  vscodeVersion: string;
  workspaceTrusted: boolean;
  grep?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  tests: TestResult[];
}

export interface SuiteProgress {
  startedAt: string;
  finishedTests: number;
  currentTest?: string;
}

export function readRunConfig(suiteDir: string): RunConfig {
  const file = process.env[RUN_CONFIG_ENV] ?? join(suiteDir, RUN_CONFIG_FILE);
  if (!existsSync(file)) {
    throw new Error(`No run configuration at ${file}: start the suite with a driver (npm run test:vscode or npm run test:electron)`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as RunConfig;
}
