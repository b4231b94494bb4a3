/**
 * `npm run test:electron`: the same integration suite in desktop VS Code through @vscode/test-electron, for
 * machines that can download VS Code (this one cannot: use `npm run test:vscode` here). Like the code-server
 * driver it packages the VSIX, installs it into a fresh extensions folder with the VS Code CLI and runs the
 * suite against that installed folder. Trusted workspace only: runTests always passes
 * --disable-workspace-trust, so Restricted Mode is covered by `npm run test:vscode`.
 * On Linux without a display, run it under `xvfb-run -a`.
 * Like `npm run test:vscode`, it starts the sandbox first (test Kubernetes API server and Ceph RGW, see
 * sandbox.ts), sets `stackgres.kubeconfig` in the fresh profile and passes both to the suite (runConfig()).
 * Options: --vscode-version <v> (default 1.100.3, the engine the extension targets), --grep <regexp>,
 *          --kubeconfig <file> (a real cluster instead of the sandbox API server), --no-s3.
 */
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_CONFIG_ENV, RunConfig, SuiteResults } from '../integration/runConfig';
import { bundleSuite, REPO_ROOT } from './bundleSuite';
import { cacheRoot, EDITORS } from './install';
import { onCleanup, reportError, runMain, StepError } from './processes';
import { EditorServices, startEditorServices } from './services';
import { Outcome, printSummary } from './summary';
import { EXTENSION_ID, packageVsix } from './vsix';

const RESULTS_DIR = join(REPO_ROOT, 'test-results', 'electron');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const versionAt = args.indexOf('--vscode-version');
  const version = versionAt >= 0 ? args[versionAt + 1] : EDITORS.oldest.vscodeVersion;
  const valueOf = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const grep = valueOf('--grep');
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });

  const vscodeExecutablePath = await downloadVsCode(version);
  const runRoot = mkdtempSync(join(tmpdir(), 'stackgres-electron-test-'));
  onCleanup('remove the run folder', async () => rmSync(runRoot, { recursive: true, force: true }));
  const servicesDir = join(runRoot, 'services');
  // Kept also when the sandbox fails to start: its log says why.
  onCleanup('keep the sandbox log', async () => {
    if (existsSync(join(servicesDir, 'sandbox.log'))) cpSync(join(servicesDir, 'sandbox.log'), join(RESULTS_DIR, 'sandbox.log'));
  });
  const servicesPromise = startEditorServices({ dir: servicesDir, kubeconfig: valueOf('--kubeconfig'), s3: !args.includes('--no-s3') });
  servicesPromise.catch(() => undefined);
  const vsix = await packageVsix(join(RESULTS_DIR, 'package.log'));
  const services = await servicesPromise;
  console.log(services.summary.join('\n'));

  const outcomes: Outcome[] = [
    await electronRun(vscodeExecutablePath, vsix, join(runRoot, 'trusted'), services, grep).catch((err: unknown) => {
      reportError(err);
      return { run: 'trusted', error: err instanceof Error ? err.message : String(err) };
    }),
  ];
  const { passed, failed } = printSummary(outcomes);
  console.log(`electron: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

async function downloadVsCode(version: string): Promise<string> {
  try {
    return await downloadAndUnzipVSCode({ version, cachePath: join(cacheRoot(), 'vscode-electron') });
  } catch (err) {
    throw new StepError(
      'download VS Code',
      `@vscode/test-electron could not download VS Code ${version}: ${err instanceof Error ? err.message : String(err)}`,
      'This driver needs internet access to fetch VS Code. On a machine without it, run `npm run test:vscode`,\n' +
        'which runs the same suite in code-server (VS Code 1.100.3 from the npm registry).',
    );
  }
}

async function electronRun(executable: string, vsix: string, root: string, services: EditorServices, grep: string | undefined): Promise<Outcome> {
  const run = { name: 'trusted', trusted: true };
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const workspace = join(root, 'workspace');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  cpSync(join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'workbench.startupEditor': 'none', ...services.settings }, null, 2),
  );

  // Install the VSIX with the VS Code CLI, as a user would, then test exactly that folder.
  const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(executable);
  const install = spawnSync(cli, [...cliArgs, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'], {
    encoding: 'utf8',
  });
  if (install.status !== 0) throw new StepError(`[${run.name}] install the VSIX`, `the VS Code CLI exited with ${install.status}`, `${install.stdout}\n${install.stderr}`);
  const installed = readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(`${EXTENSION_ID}-`));
  if (!installed) throw new StepError(`[${run.name}] install the VSIX`, `no ${EXTENSION_ID} folder in ${extensionsDir}`, install.stdout);

  const config: RunConfig = {
    resultsFile: join(root, 'results.json'),
    progressFile: join(root, 'progress.json'),
    workspaceTrusted: run.trusted,
    logsRoot: join(userDataDir, 'logs'),
    testTimeoutMs: 60_000,
    grep,
    kube: services.kube,
    s3: services.s3,
  };
  const suiteIndex = await bundleSuite(join(root, 'suite'), config);
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: join(extensionsDir, installed),
      extensionTestsPath: suiteIndex,
      extensionTestsEnv: { ...services.env, [RUN_CONFIG_ENV]: join(root, 'suite', 'run-config.json') },
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-gpu'],
    });
  } catch (err) {
    // A failing test makes VS Code exit non-zero; the results file still says which.
    if (!existsSync(config.resultsFile)) throw new StepError(`[${run.name}] run the suite in VS Code`, String(err));
  }
  if (!existsSync(config.resultsFile)) throw new StepError(`[${run.name}] run the suite in VS Code`, 'VS Code exited without writing results');
  cpSync(config.resultsFile, join(RESULTS_DIR, `${run.name}-results.json`));
  return { run: run.name, suite: JSON.parse(readFileSync(config.resultsFile, 'utf8')) as SuiteResults };
}

runMain(main);
