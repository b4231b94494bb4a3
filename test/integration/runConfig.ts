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
  /**
   * Where the driver wrote the settings of machine scope (`stackgres.kubeconfig`): `Machine`, the Remote
   * settings a code-server window reads them from; `User`, where a remote window ignores them (the run that
   * tests the message saying so). Absent: `Machine`.
   */
  machineSettingsIn?: 'Machine' | 'User';
  /** Per-test timeout for mocha. */
  testTimeoutMs?: number;
  /** The Kubernetes API the extension is connected to for this run (absent: none was started). */
  kube?: KubeRunConfig;
  /** The S3 (Ceph RGW) started for this run (absent: none, e.g. `--no-s3` or Ceph missing in the demo). */
  s3?: S3RunConfig;
}

/**
 * Where the extension's cluster is. `sandbox`: the test API server (test/kube-server, TLS) with the simulated
 * StackGres operator, seeded by test/e2e/sandbox.ts. `cluster`: a real cluster (`--kubeconfig <file>`), where
 * only `kubeconfig`, `context`, `url`, `namespaces` (empty) and `scratchPrefix` are set.
 */
export interface KubeRunConfig {
  target: 'sandbox' | 'cluster';
  /** The kubeconfig file the user setting `stackgres.kubeconfig` points at (the extension connects without prompts). */
  kubeconfig: string;
  /** Its current context: the admin user on the sandbox. */
  context: string;
  /** API server URL. */
  url: string;
  /** Sandbox: the other contexts of the same kubeconfig, by user (`reader`: get/list/watch only; `no-backups`: no sgbackups). */
  contexts: Record<string, string>;
  /** Sandbox: bearer token per user (`admin`, `reader`, `no-backups`). Test credentials: never print them. */
  tokens: Record<string, string>;
  /** Sandbox: PEM of the CA that signed the API server's certificate (also inline in the kubeconfig). */
  caCert?: string;
  /** Namespaces seeded before the run (sandbox: `demo`, `staging`); empty on a real cluster. */
  namespaces: string[];
  /**
   * Prefix for namespaces a test creates for its own objects (`${scratchPrefix}-tree`, ...). They do not exist
   * yet; the driver deletes every namespace with this prefix after the run, also when it fails.
   */
  scratchPrefix: string;
  /** Sandbox: real milliseconds between the simulated operator's backup phases (Pending → Running → done). */
  operatorStepMs?: number;
  /** Sandbox: the seeded objects wired to the S3 below, that tests may rely on. */
  world?: SandboxWorld;
  /**
   * Sandbox: the test server's knobs from the extension host (POST JSON, header `authorization: Bearer <token>`):
   * `/faults` {method?, pathPrefix?, status, times?, retryAfter?}, `/faults/delay` {ms, method?, pathPrefix?},
   * `/faults/clear`, `/faults/reset-next-watch`, `/operator/fail-next` {message}, `/watches/close-all`,
   * `/store/compact`. `sandboxControl()` in helpers.ts calls them.
   */
  control?: { url: string; token: string };
}

/** What the sandbox holds for the tutorial's cluster (namespace `demo`), matching the wal-g objects in S3. */
export interface SandboxWorld {
  namespace: string;
  cluster: {
    name: string;
    postgresVersion: string;
    instances: number;
    cronSchedule: string;
    retention: number;
    /** SGObjectStorage in `backups[0]`. */
    storage: string;
    /** `status.backupPaths[0]`. */
    backupPath: string;
  };
  /** SGObjectStorage (s3Compatible on the run's RGW when `s3` is set) and its Secret with the owner's keys. */
  storage: { name: string; secret: string };
  /** The same bucket through the delete-denied user's keys. */
  limitedStorage: { name: string; secret: string };
  /** Completed SGBackups of the cluster, newest first, with their wal-g names. */
  completed: { name: string; internalName: string; managedLifecycle: boolean }[];
  /** A Failed SGBackup and its `status.process.failure`. */
  failed: { name: string; failure: string };
  /** When `s3` is set: what is in the bucket under the cluster's backup path. */
  objects?: {
    /** Key prefix of the cluster's wal-g objects (ends in `/`). */
    keyPrefix: string;
    /** wal-g base backup names with a sentinel, oldest first (every Completed SGBackup's, plus `orphan`). */
    baseBackups: string[];
    /** A base backup without an SGBackup (retention would delete it). */
    orphan: string;
    /** First and last WAL segment names (timeline 1) in `wal_005/`. */
    wal: { first: string; last: string };
  };
}

/** Ceph RGW on 127.0.0.1 with one bucket. Keys are random per run: test credentials, never print them. */
export interface S3RunConfig {
  endpoint: string;
  region: string;
  bucket: string;
  /** Owns the bucket. */
  owner: { accessKeyId: string; secretAccessKey: string };
  /** Allowed ListBucket, GetBucketLocation, PutObject, GetObject on the bucket; denied DeleteObject by its policy. */
  limited: { accessKeyId: string; secretAccessKey: string };
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
  /** `process.version` inside the extension host. */
  nodeVersion: string;
  workspaceTrusted: boolean;
  grep?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  passed: number;
  failed: number;
  tests: TestResult[];
  /** Test files left out because the run has no Kubernetes API (a plain clone without the upstream reference). */
  notRun?: { files: string[]; reason: string };
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
