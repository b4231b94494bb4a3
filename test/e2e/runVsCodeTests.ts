/**
 * `npm run test:vscode`: proves the packaged extension inside a real VS Code, driven by Debian's Chromium, on
 * each editor of install.ts's EDITORS: the oldest VS Code we support (code-server 4.100.3, VS Code 1.100.3,
 * Node 20) and the newest (code-server 4.139.1, VS Code 1.139.1, Node 24). For each editor, in turn:
 *
 *  1. installs what is missing (Debian packages, code-server and its Node in ~/.cache/stackgres-vscode-test);
 *  2. `npm run package`, then installs the VSIX with `code-server --install-extension` into a fresh
 *     extensions folder;
 *  3. trusted run: opens a copy of test/fixtures/workspace and runs test/integration in the extension host
 *     (extensionDevelopmentPath = the folder the VSIX was installed into, so the code under test is the
 *     packaged code), then the UI checks of uiChecks.ts on a normal window;
 *  4. restricted run: a new profile where the workspace is not trusted, running only tests tagged @restricted;
 *     user-settings run: a profile whose `stackgres.kubeconfig` is in User settings, where a remote window
 *     ignores it, running only tests tagged @userSettings;
 *  5. the extension host logs of those runs hold no warning or error from our extension (extensionHostLog.ts).
 * Before the editors (without --grep or --ui-only): the language server with `--stdio` on the driver's Node
 * and on the Node builds of NODE_PACKAGES (serverOnNode.ts).
 *
 * Before the editor starts, the sandbox is started (in parallel with packaging): the test Kubernetes API server
 * (TLS, simulated operator) and Ceph RGW with wal-g backups of the sandbox's cluster (see sandbox.ts). Every
 * profile's user settings set `stackgres.kubeconfig` to the sandbox's kubeconfig, and the suite finds both in
 * `runConfig().kube` / `runConfig().s3`. Both are stopped after each editor, also on failure and Ctrl-C; each editor gets a fresh sandbox.
 *
 * Results, logs and screenshots go to test-results/<editor>/. Exits non-zero on any failure or timeout.
 * Options: --editor oldest|newest (only that one; default both), --suite-only, --ui-only, --no-restricted, --timeout <seconds> (per suite, default 600),
 *          --port <n> (default: a free port), --grep <regexp> (only matching tests, in both runs),
 *          --kubeconfig <file> (a real cluster instead of the sandbox API server: see test/e2e/README.md),
 *          --no-s3 (no Ceph RGW), --coexistence-only / --no-coexistence (the setups beside Red Hat YAML and
 *          the Kubernetes extension, coexistence.ts; they run with the suite unless --grep leaves them out),
 *          --screenshots (UI checks only, in a smaller window; also writes the README pictures to images/screenshots/).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { Page } from 'playwright-core';
import { RunConfig, SuiteProgress, SuiteResults } from '../integration/runConfig';
import { launchChromium, newWorkbenchPage, RunningBrowser } from './browser';
import { bundleSuite, REPO_ROOT } from './bundleSuite';
import { EditorDirs, freePort, freshEditorDirs, installVsix, remoteUri, RunningCodeServer, startCodeServer, workbenchUrl, writeUserSettings } from './codeServer';
import { assertChromium, CodeServerInstall, EDITOR_NAMES, EditorName, EDITORS, ensureCodeServer, ensureNode, ensureSystemPackages, NODE_PACKAGES } from './install';
import { checkServerOnNode, ServerOnNodeResult } from './serverOnNode';
import { checkExtensionHostLogs } from './extensionHostLog';
import { onCleanup, pollUntil, reportError, runMain, StepError, stopRequested, tailOf } from './processes';
import { Outcome, printSummary, seconds } from './summary';
import { EditorServices, startEditorServices } from './services';
import { runUiChecks } from './uiChecks';
import { coexistenceMissing, defaultCoexistenceEditor, runCoexistence } from './coexistence';
import { EXTENSION_ID, packageVsix } from './vsix';
import { Workbench } from './workbench';

const FIXTURE_WORKSPACE = join(REPO_ROOT, 'test', 'fixtures', 'workspace');
const RESULTS_DIR = join(REPO_ROOT, 'test-results');
const README_SCREENSHOTS = join(REPO_ROOT, 'images', 'screenshots');
/** The README pictures' window: small, so each cropped part stays a few tens of KiB. */
const README_VIEWPORT = { width: 1000, height: 620 };

interface Options {
  editors: EditorName[];
  suite: boolean;
  ui: boolean;
  restricted: boolean;
  timeoutMs: number;
  port?: number;
  grep?: string;
  kubeconfig?: string;
  s3: boolean;
  /** Where the UI checks save the README pictures (--screenshots). */
  readmeDir?: string;
  coexistence: boolean;
  coexistenceOnly: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    editors: [...EDITOR_NAMES],
    suite: true,
    ui: true,
    restricted: true,
    s3: true,
    coexistence: true,
    coexistenceOnly: false,
    timeoutMs: Number(process.env.STACKGRES_VSCODE_TEST_TIMEOUT ?? 600) * 1000,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--suite-only') options.ui = false;
    else if (arg === '--ui-only') (options.suite = false), (options.restricted = false);
    else if (arg === '--no-restricted') options.restricted = false;
    else if (arg === '--timeout') options.timeoutMs = Number(argv[++i]) * 1000;
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--grep') options.grep = argv[++i];
    else if (arg === '--kubeconfig') options.kubeconfig = argv[++i];
    else if (arg === '--no-s3') options.s3 = false;
    else if (arg === '--coexistence-only') (options.coexistenceOnly = true), (options.ui = false), (options.restricted = false);
    else if (arg === '--no-coexistence') options.coexistence = false;
    else if (arg === '--screenshots') (options.suite = false), (options.restricted = false), (options.readmeDir = README_SCREENSHOTS), (options.editors = options.editors.length === 1 ? options.editors : ['oldest']);
    else if (arg === '--editor') {
      const name = argv[++i];
      if (!EDITOR_NAMES.includes(name as EditorName)) throw new StepError('read options', `--editor takes ${EDITOR_NAMES.join(' or ')}, not "${name ?? ''}"`);
      options.editors = [name as EditorName];
    } else {
      throw new StepError(
        'read options',
        `unknown option ${arg} (use --editor ${EDITOR_NAMES.join('|')}, --suite-only, --ui-only, --no-restricted, --timeout <s>, --port <n>, --grep <re>, --kubeconfig <file>, --no-s3, --screenshots, --coexistence-only, --no-coexistence)`,
      );
    }
  }
  if (!options.suite && !options.ui) throw new StepError('read options', '--suite-only and --ui-only exclude each other');
  if (!(options.timeoutMs > 0)) throw new StepError('read options', '--timeout takes a number of seconds');
  if (options.kubeconfig === '' || (argv.includes('--kubeconfig') && options.kubeconfig === undefined)) throw new StepError('read options', '--kubeconfig takes a file');
  if (options.grep !== undefined) {
    try {
      new RegExp(options.grep);
    } catch (err) {
      throw new StepError('read options', `--grep ${options.grep} is not a regular expression: ${String(err)}`);
    }
  }
  return options;
}


async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const runRoot = mkdtempSync(join(tmpdir(), 'stackgres-vscode-test-'));
  onCleanup('remove the run folder', async () => rmSync(runRoot, { recursive: true, force: true }));

  const installLog = join(RESULTS_DIR, 'install.log');
  let t = Date.now();
  const installedPackages = await ensureSystemPackages(installLog);
  const installs: CodeServerInstall[] = [];
  for (const name of options.editors) {
    const editorStarted = Date.now();
    const { install, installed } = await ensureCodeServer(installLog, EDITORS[name]);
    installs.push(install);
    console.log(
      `Setup: ${name} editor, code-server ${install.version} (VS Code ${install.vscodeVersion}) on Node ${install.nodeVersion}` +
        `${installed ? ' installed' : ' (cached)'} in ${seconds(Date.now() - editorStarted)}`,
    );
  }
  assertChromium();
  if (installedPackages.length) console.log(`Setup: apt installed ${installedPackages.join(' ')}; setup took ${seconds(Date.now() - t)}`);

  t = Date.now();
  const vsix = await packageVsix(join(RESULTS_DIR, 'package.log'));
  console.log(`Packaged ${relative(REPO_ROOT, vsix)} (${Math.round(statSync(vsix).size / 1024)} KiB) in ${seconds(Date.now() - t)}`);

  const outcomes: Outcome[] = [];
  if (!options.grep && options.suite) {
    // The language server alone, on every Node an editor may start it with (`--stdio`, a real LSP session).
    const nodes = [process.execPath];
    for (const version of NODE_PACKAGES) nodes.push((await ensureNode(version, installLog)).node);
    const lsp: ServerOnNodeResult[] = [];
    for (const node of nodes) lsp.push(await checkServerOnNode(node));
    outcomes.push({ run: 'language server --stdio', lsp });
  }

  const browser = await launchChromium();
  for (const install of installs) {
    if (stopRequested()) break;
    const editorStarted = Date.now();
    const editor = install.spec.name;
    console.log(`\n=== ${editor} editor: code-server ${install.version}, VS Code ${install.vscodeVersion}, Node ${install.nodeVersion} ===`);
    const editorOutcomes: Outcome[] = await editorRuns(browser, install, vsix, join(runRoot, editor), options).catch((err: unknown) => {
      if (!stopRequested()) reportError(err);
      return [{ run: `${editor} editor`, error: err instanceof StepError ? err.message : String(err) }];
    });
    const elapsed = Date.now() - editorStarted;
    for (const o of editorOutcomes) o.editor = { name: editor, codeServer: install.version, vscode: install.vscodeVersion, node: install.nodeVersion, totalMs: elapsed };
    outcomes.push(...editorOutcomes);
  }
  await browser.close();

  const { passed, failed } = printSummary(outcomes);
  for (const line of coexistenceNotes) console.log(line);
  console.log(`\nResults, logs and screenshots: ${relative(process.cwd(), RESULTS_DIR) || RESULTS_DIR}/ (total ${seconds(Date.now() - started)})`);
  console.log(`vscode: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

/** One editor: a fresh sandbox, the trusted and restricted runs, then its extension host logs checked. */
async function editorRuns(browser: RunningBrowser, install: CodeServerInstall, vsix: string, editorRoot: string, options: Options): Promise<Outcome[]> {
  const editor = install.spec.name;
  const resultsDir = join(RESULTS_DIR, editor);
  mkdirSync(resultsDir, { recursive: true });
  const servicesStarted = Date.now();
  const servicesDir = join(editorRoot, 'services');
  // Kept also when the sandbox fails to start: its log says why.
  const keepSandboxLog = () => {
    if (existsSync(join(servicesDir, 'sandbox.log'))) cpSync(join(servicesDir, 'sandbox.log'), join(resultsDir, 'sandbox.log'));
  };
  const unregisterLog = onCleanup(`keep the ${editor} sandbox log`, async () => keepSandboxLog());
  const services = await startEditorServices({ dir: servicesDir, kubeconfig: options.kubeconfig, s3: options.s3 });
  console.log(`Sandbox ready in ${seconds(Date.now() - servicesStarted)}:\n${services.summary.map((l) => `  ${l}`).join('\n')}`);
  const runs: RunSpec[] = options.coexistenceOnly ? [] : [{ name: 'trusted', trusted: true, suite: options.suite, ui: options.ui, grep: options.grep, options, services, resultsDir }];
  const tagged = (tag: string) => (options.grep ? `(?=.*${tag})(?=.*(?:${options.grep}))` : tag);
  if (options.suite && options.restricted && !options.coexistenceOnly) {
    runs.push({ name: 'restricted', trusted: false, suite: true, ui: false, grep: tagged('@restricted'), options, services, resultsDir });
  }
  if (options.suite && services.kube && !options.coexistenceOnly) {
    // A user who put stackgres.kubeconfig in User settings: a remote window does not apply it (issue 16 §2).
    runs.push({ name: 'user-settings', trusted: true, suite: true, ui: false, grep: tagged('@userSettings'), machineInUser: true, options, services, resultsDir });
  }
  const outcomes: Outcome[] = [];
  try {
    for (const run of runs) {
      if (stopRequested()) break;
      // A run that breaks down (code-server, the workbench, a hung suite) is reported, and the next one still runs.
      outcomes.push(
        await editorRun(browser, install, vsix, editorRoot, run).catch((err: unknown) => {
          if (!stopRequested()) reportError(err);
          return { run: `${editor} ${run.name}`, error: err instanceof StepError ? `${err.message}` : String(err) };
        }),
      );
    }
    if (options.suite && options.coexistence && !stopRequested() && (options.grep === undefined || new RegExp(options.grep).test('Coexistence'))) {
      outcomes.push(...(await coexistenceRun(browser, install, vsix, editorRoot, resultsDir, services)));
    }
  } finally {
    await services.stop();
    unregisterLog();
    keepSandboxLog();
  }
  if (!stopRequested()) outcomes.push({ run: `${editor} extension host`, logCheck: checkExtensionHostLogs(runs.map((r) => join(resultsDir, r.name, 'editor-logs'))) });
  return outcomes;
}

/** Lines printed after the summary: each editor's coexistence table, or why the setups did not run. */
const coexistenceNotes: string[] = [];

/** The setups beside Red Hat YAML and the Kubernetes extension (coexistence.ts), on this editor and its sandbox. */
async function coexistenceRun(browser: RunningBrowser, install: CodeServerInstall, vsix: string, editorRoot: string, resultsDir: string, services: EditorServices): Promise<Outcome[]> {
  const editor = defaultCoexistenceEditor(install);
  const missing = coexistenceMissing(editor, services);
  if (missing) {
    coexistenceNotes.push(`${install.spec.name} editor: ${missing}`);
    return [];
  }
  const t0 = Date.now();
  const outcome: Outcome = await runCoexistence(browser, editor, vsix, editorRoot, resultsDir, services).then(
    ({ results, table }) => {
      coexistenceNotes.push(`\nCoexistence on the ${install.spec.name} editor (${basename(editor.kubernetesVsix)}; ${relative(process.cwd(), resultsDir)}/coexistence.md), ${seconds(Date.now() - t0)}:\n${table}`);
      return { run: `${install.spec.name} coexistence`, suite: results };
    },
    (err: unknown) => ({ run: `${install.spec.name} coexistence`, error: err instanceof StepError ? err.message : String(err) }),
  );
  return [outcome];
}

interface RunSpec {
  name: string;
  trusted: boolean;
  suite: boolean;
  ui: boolean;
  grep?: string;
  options: Options;
  services: EditorServices;
  /** test-results/<editor>: screenshots, and a folder of logs per run. */
  resultsDir: string;
  /** Settings of machine scope go to User settings, where a remote window ignores them. */
  machineInUser?: boolean;
}

/** One editor profile: fresh folders, the VSIX installed, code-server up, then the suite and/or UI checks. */
async function editorRun(browser: RunningBrowser, install: CodeServerInstall, vsix: string, runRoot: string, spec: RunSpec): Promise<Outcome> {
  const root = join(runRoot, spec.name);
  const dirs = freshEditorDirs(root);
  const resultsDir = spec.resultsDir;
  const runName = `${install.spec.name} ${spec.name}`;
  const workspace = join(root, 'workspace');
  cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
  writeUserSettings(dirs, {
    trustWorkspace: spec.trusted,
    machineInUser: spec.machineInUser,
    extra: {
      // Word-based suggestions would list words of other open files and blur what the extension offers.
      'editor.wordBasedSuggestions': 'off',
      // VS Code in a browser saves edits after a second by default; desktop VS Code (and the suite) expects
      // an edit to stay unsaved until reverted.
      'files.autoSave': 'off',
      // Secrets made outside VS Code are found within seconds, not half a minute (live.test.ts). Set here,
      // not by the suite: a setting written at run time can drop the driver's other user settings.
      'stackgres.live.secretsRefreshSeconds': 3,
      // Requests keep the agents the extension gives them, as with plain Node. VS Code's default (override)
      // sends every extension-host request with "Connection: close", so no test could see an S3 client
      // that keeps its connections open after its use (bucketReads.test.ts).
      'http.proxySupport': 'off',
      // No "application running on port …" notification over the UI checks' pictures (the sandbox's ports).
      'remote.autoForwardPorts': false,
      // The sandbox (or the real cluster of --kubeconfig): the extension connects without asking.
      ...spec.services.settings,
    },
  });
  const extensionDir = await installVsix(install, dirs, vsix, EXTENSION_ID);
  console.log(`\n[${runName}] VSIX installed into ${extensionDir}; workspace ${spec.trusted ? 'trusted' : 'NOT trusted (Restricted Mode)'}`);

  const port = spec.options.port ?? (await freePort());
  const server = await startCodeServer(install, dirs, { port, env: spec.services.env });
  const page = await newWorkbenchPage(browser.browser, join(root, 'browser-console.log'));
  const outcome: Outcome = { run: runName };
  try {
    if (spec.suite) {
      outcome.suite = await runSuite(page, server, dirs, { ...spec, name: runName, root, workspace, extensionDir });
    }
    if (spec.ui) {
      // A plain window, without the test payload: the installed extension loads as it does for a user.
      // A copy of its own, so the editor restores nothing (open or edited files) from the suite's window.
      const uiWorkspace = join(root, 'ui-workspace');
      cpSync(FIXTURE_WORKSPACE, uiWorkspace, { recursive: true });
      if (spec.options.readmeDir) {
        mkdirSync(spec.options.readmeDir, { recursive: true });
        await page.setViewportSize(README_VIEWPORT);
      }
      await page.goto(workbenchUrl(server, uiWorkspace));
      const workbench = new Workbench(page, uiWorkspace);
      await waitForWorkbench(workbench, root, 'open the workbench for the UI checks');
      outcome.ui = await runUiChecks(workbench, resultsDir, spec.services.kube !== undefined, spec.options.readmeDir);
    }
  } catch (err) {
    await page.screenshot({ path: join(resultsDir, `${spec.name}-failure.png`) }).catch(() => undefined);
    throw err;
  } finally {
    await page.context().close().catch(() => undefined);
    await server.stop();
    keepLogs(join(resultsDir, spec.name), root, dirs);
  }
  return outcome;
}

async function runSuite(
  page: Page,
  server: RunningCodeServer,
  dirs: EditorDirs,
  run: RunSpec & { root: string; workspace: string; extensionDir: string },
): Promise<SuiteResults> {
  const config: RunConfig = {
    resultsFile: join(run.root, 'results.json'),
    progressFile: join(run.root, 'progress.json'),
    grep: run.grep,
    workspaceTrusted: run.trusted,
    machineSettingsIn: run.machineInUser ? 'User' : 'Machine',
    logsRoot: join(dirs.userDataDir, 'logs'),
    testTimeoutMs: 60_000,
    kube: run.services.kube,
    s3: run.services.s3,
  };
  const suiteIndex = await bundleSuite(join(run.root, 'suite'), config);
  // The extension host only runs tests for a development extension; the installed VSIX folder is one.
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remoteUri(server, run.extensionDir)],
    ['extensionTestsPath', remoteUri(server, suiteIndex)],
    ['skipWelcome', 'true'],
  ];
  const workbench = new Workbench(page, run.workspace);
  await page.goto(workbenchUrl(server, run.workspace, payload));
  await waitForWorkbench(workbench, run.root, `[${run.name}] open the workbench with the test payload`);

  const step = `[${run.name}] run the integration suite${run.grep ? ` (grep ${run.grep})` : ''}`;
  const results = await pollUntil(
    step,
    'the suite to finish',
    run.options.timeoutMs,
    () => {
      if (!isAlive(server.pid)) throw new StepError(step, 'code-server stopped while the suite ran', tailOf(server.logFile));
      return existsSync(config.resultsFile) ? (JSON.parse(readFileSync(config.resultsFile, 'utf8')) as SuiteResults) : undefined;
    },
    () => hangReport(config, run.root, dirs),
  ).catch(async (err: unknown) => {
    await page.screenshot({ path: join(run.resultsDir, `${run.name.split(' ').pop()}-suite-timeout.png`) }).catch(() => undefined);
    throw err;
  });
  await workbench.screenshot(join(run.resultsDir, `${run.name.split(' ').pop()}-workbench-after-suite.png`));
  return results;
}

async function waitForWorkbench(workbench: Workbench, root: string, step: string): Promise<void> {
  try {
    await workbench.waitUntilLoaded();
  } catch (err) {
    throw new StepError(step, `the workbench did not load: ${String(err)}`, tailOf(join(root, 'browser-console.log')));
  }
}

/** What the driver knows when the suite has not finished in time: where it was, and the logs' tails. */
function hangReport(config: RunConfig, root: string, dirs: EditorDirs): string {
  const lines: string[] = [];
  if (config.progressFile && existsSync(config.progressFile)) {
    const p = JSON.parse(readFileSync(config.progressFile, 'utf8')) as SuiteProgress;
    lines.push(`The suite started at ${p.startedAt}, finished ${p.finishedTests} test(s), ${p.currentTest ? `was running: ${p.currentTest}` : 'was between tests'}.`);
  } else {
    lines.push('The suite never started: the extension host did not load the test runner (see the logs below).');
  }
  for (const log of findFiles(join(dirs.userDataDir, 'logs'), /^(remoteexthost|exthost|remoteagent)\.log$/)) lines.push(tailOf(log, 25));
  lines.push(tailOf(join(root, 'browser-console.log'), 25));
  lines.push(tailOf(dirs.logFile, 15));
  return lines.join('\n\n');
}

/** Copies the run's logs (code-server, browser console, editor logs, results, workspace) to test-results/<editor>/<run>/. */
function keepLogs(target: string, root: string, dirs: EditorDirs): void {
  mkdirSync(target, { recursive: true });
  for (const file of ['code-server.log', 'browser-console.log', 'results.json']) {
    if (existsSync(join(root, file))) cpSync(join(root, file), join(target, file));
  }
  // The workspace as the run left it on disk: shows whether a test saved an edit.
  if (existsSync(join(root, 'workspace'))) cpSync(join(root, 'workspace'), join(target, 'workspace'), { recursive: true });
  const logs = join(dirs.userDataDir, 'logs');
  if (existsSync(logs)) cpSync(logs, join(target, 'editor-logs'), { recursive: true });
}

function findFiles(dir: string, name: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => name.test(p.split('/').pop() ?? ''))
    .map((p) => join(dir, p));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}


runMain(main);
