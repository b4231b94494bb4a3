/**
 * The coexistence setups (issue 11 §1): our extension beside Red Hat YAML and Microsoft's Kubernetes extension,
 * built from source in ../shared/third-party, in code-server, on the fixture files of test/fixtures/coexistence
 * (StackGres files with deliberate mistakes and a plain YAML file with its own schema):
 *
 *   A  ours alone                 B  ours + Red Hat YAML
 *   C  ours + Red Hat YAML + Kubernetes connected to the sandbox API server (which publishes /openapi/v2)
 *   D  Red Hat YAML + Kubernetes without ours (the baseline)
 *   E  as C, but the Kubernetes extension has no kubeconfig and its activation waits on a prompt: ours still works
 *
 * Each VSIX is installed once per run: Red Hat YAML into one extensions folder, which is then copied and gets
 * the Kubernetes VSIX; C and D share that folder. Ours is loaded as the development extension (the folder the
 * packaged VSIX was installed into), the baseline loads an empty host extension instead. The probe
 * (test/integration/coexistence/probe.ts) measures in each setup; this file prints the table and checks the
 * targets: in every setup with ours each mistake once, each completion label once, one hover at
 * `cronSchedule`, nothing contradicting; the plain file keeps Red Hat YAML's features.
 *
 * The editor is a parameter (`CoexistenceEditor`): the code-server install, and the Kubernetes VSIX that its
 * VS Code accepts (1.3.25 for VS Code 1.100, 1.4.1 from VS Code 1.110).
 */
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteResults, TestResult } from '../integration/runConfig';
import type { CoexistenceProbeConfig, SetupMeasure } from '../integration/coexistence/measure';
import { RunningBrowser, newWorkbenchPage } from './browser';
import { REPO_ROOT } from './bundleSuite';
import { EditorDirs, freePort, installVsix, remoteUri, startCodeServer, workbenchUrl, writeUserSettings } from './codeServer';
import { CodeServerInstall } from './install';
import { pollUntil, StepError, tailOf } from './processes';
import { EditorServices } from './services';
import { seconds } from './summary';
import { EXTENSION_ID } from './vsix';
import { Workbench } from './workbench';

export const THIRD_PARTY_DIR = process.env.STACKGRES_THIRD_PARTY_DIR ?? join(REPO_ROOT, '..', 'shared', 'third-party');
const YAML_VSIX = 'redhat.vscode-yaml-1.25.0.vsix';
const YAML_ID = 'redhat.vscode-yaml';
const KUBERNETES_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'coexistence');
const STACKGRES_FILES = ['cluster.yaml', 'storage.yaml'];
const SETUP_TIMEOUT_MS = 240_000;

/** The editor the setups run in. */
export interface CoexistenceEditor {
  install: CodeServerInstall;
  /** The Kubernetes extension VSIX this VS Code accepts. */
  kubernetesVsix: string;
}

/** The Kubernetes VSIX for an install: 1.3.25 needs VS Code ^1.99.1 (code-server 4.100), 1.4.1 ^1.110. */
export function defaultCoexistenceEditor(install: CodeServerInstall): CoexistenceEditor {
  const fromEnv = process.env.STACKGRES_COEXIST_KUBERNETES_VSIX;
  const [major, minor] = install.version.split('.').map(Number);
  const file = major === 4 && minor < 110 ? 'ms-kubernetes-tools.vscode-kubernetes-tools-1.3.25.vsix' : 'ms-kubernetes-tools.vscode-kubernetes-tools-1.4.1.vsix';
  return { install, kubernetesVsix: fromEnv ?? join(THIRD_PARTY_DIR, file) };
}

/** Why the setups cannot run here (one line for the run's end), or undefined. */
export function coexistenceMissing(editor: CoexistenceEditor, services: EditorServices): string | undefined {
  if (!existsSync(join(THIRD_PARTY_DIR, YAML_VSIX)) || !existsSync(editor.kubernetesVsix)) {
    return `coexistence setups not run: ${THIRD_PARTY_DIR} (Red Hat YAML and Kubernetes VSIXs) not found; set STACKGRES_THIRD_PARTY_DIR to run them`;
  }
  if (services.kube?.target !== 'sandbox') return 'coexistence setups not run: they need the sandbox API server (no --kubeconfig, and ../shared/reference present)';
  return undefined;
}

interface Setup {
  name: string;
  title: string;
  ours: boolean;
  yaml: boolean;
  kubernetes: boolean;
  /** The Kubernetes extension gets no kubeconfig, so its activation waits on a prompt (since 1.3.25). */
  stuck?: boolean;
}

export const SETUPS: Setup[] = [
  { name: 'A', title: 'StackGres alone', ours: true, yaml: false, kubernetes: false },
  { name: 'B', title: 'StackGres + Red Hat YAML', ours: true, yaml: true, kubernetes: false },
  { name: 'C', title: 'StackGres + Red Hat YAML + Kubernetes (cluster with /openapi/v2)', ours: true, yaml: true, kubernetes: true },
  { name: 'D', title: 'Red Hat YAML + Kubernetes, without StackGres (baseline)', ours: false, yaml: true, kubernetes: true },
  { name: 'E', title: 'StackGres + Red Hat YAML + Kubernetes waiting on its "Kubeconfig not found" prompt', ours: true, yaml: true, kubernetes: true, stuck: true },
];

/** Runs the four setups and returns their checks as one suite's results, plus the measured table. */
export async function runCoexistence(
  browser: RunningBrowser,
  editor: CoexistenceEditor,
  ourVsix: string,
  runRoot: string,
  resultsDir: string,
  services: EditorServices,
): Promise<{ results: SuiteResults; table: string }> {
  const started = Date.now();
  const root = join(runRoot, 'coexistence');
  mkdirSync(root, { recursive: true });
  const { install } = editor;

  // Each VSIX once: ours into its own folder (loaded as the development extension), YAML into one folder,
  // copied to a second one that then gets the Kubernetes VSIX.
  const oursDirs = dirsAt(join(root, 'install-ours'), join(root, 'install-ours', 'extensions'));
  const ourExtension = await installVsix(install, oursDirs, ourVsix, EXTENSION_ID);
  const yamlDirs = dirsAt(join(root, 'install-yaml'), join(root, 'ext-yaml'));
  await installVsix(install, yamlDirs, join(THIRD_PARTY_DIR, YAML_VSIX), YAML_ID);
  const kubeExtDir = join(root, 'ext-yaml-kubernetes');
  copyExtensionsDir(yamlDirs.extensionsDir, kubeExtDir);
  await installVsix(install, dirsAt(join(root, 'install-kubernetes'), kubeExtDir), editor.kubernetesVsix, KUBERNETES_ID);
  const emptyExtDir = join(root, 'ext-none');
  mkdirSync(emptyExtDir, { recursive: true });
  const host = writeHostExtension(join(root, 'host-extension'));
  const probe = await bundleProbe(join(root, 'probe'));
  console.log(`\n[coexistence] extensions installed in ${seconds(Date.now() - started)} (Kubernetes: ${editor.kubernetesVsix.split('/').pop()})`);

  const measures: SetupMeasure[] = [];
  const tests: TestResult[] = [];
  for (const setup of SETUPS) {
    const t = Date.now();
    const extensionsDir = setup.kubernetes ? kubeExtDir : setup.yaml ? yamlDirs.extensionsDir : emptyExtDir;
    let measure: SetupMeasure;
    try {
      measure = await runSetup(browser, install, setup, { root: join(root, setup.name), extensionsDir, devExtension: setup.ours ? ourExtension : host, probe, services, resultsDir });
    } catch (err) {
      measure = { setup: setup.name, vscodeVersion: '', extensions: {}, files: {}, notes: [], error: err instanceof StepError ? err.message : String(err) };
    }
    measures.push(measure);
    console.log(`[coexistence] setup ${setup.name} (${setup.title}) in ${seconds(Date.now() - t)}${measure.error ? `: ${measure.error.split('\n')[0]}` : ''}`);
    tests.push(...checksFor(setup, measure, Date.now() - t, { kubeconfig: services.kube?.kubeconfig }));
  }
  const table = formatTable(measures);
  writeFileSync(join(resultsDir, 'coexistence.json'), JSON.stringify(measures, null, 2));
  writeFileSync(join(resultsDir, 'coexistence.md'), table);
  const finished = Date.now();
  return {
    table,
    results: {
      vscodeVersion: measures.find((m) => m.vscodeVersion)?.vscodeVersion ?? install.vscodeVersion,
      nodeVersion: measures.find((m) => m.nodeVersion)?.nodeVersion ?? install.nodeVersion,
      workspaceTrusted: true,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      passed: tests.filter((x) => x.state === 'passed').length,
      failed: tests.filter((x) => x.state === 'failed').length,
      tests,
    },
  };
}

function dirsAt(root: string, extensionsDir: string): EditorDirs {
  const dirs = { userDataDir: join(root, 'user-data'), extensionsDir, stateDir: join(root, 'state'), logFile: join(root, 'code-server.log') };
  for (const d of [dirs.userDataDir, dirs.extensionsDir, dirs.stateDir]) mkdirSync(d, { recursive: true });
  return dirs;
}

/** Copies an extensions folder; its extensions.json names each extension by absolute path, so those move too. */
function copyExtensionsDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  const index = join(to, 'extensions.json');
  if (existsSync(index)) writeFileSync(index, readFileSync(index, 'utf8').split(from).join(to));
}

/** The baseline's development extension: contributes nothing, only lets the probe run in the extension host. */
function writeHostExtension(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'coexistence-probe-host', publisher: 'stackgres-tests', version: '0.0.1', engines: { vscode: '^1.100.0' } }, null, 2),
  );
  return dir;
}

async function bundleProbe(outDir: string): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  try {
    await esbuild.build({
      entryPoints: [join(REPO_ROOT, 'test', 'integration', 'coexistence', 'probe.ts')],
      outfile: join(outDir, 'probe.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode'],
      logLevel: 'error',
    });
  } catch (err) {
    throw new StepError('bundle the coexistence probe', 'esbuild failed', String(err));
  }
  return join(outDir, 'probe.js');
}

interface SetupRun {
  root: string;
  extensionsDir: string;
  devExtension: string;
  probe: string;
  services: EditorServices;
  resultsDir: string;
}

async function runSetup(browser: RunningBrowser, install: CodeServerInstall, setup: Setup, run: SetupRun): Promise<SetupMeasure> {
  const dirs = dirsAt(run.root, run.extensionsDir);
  const workspace = join(run.root, 'workspace');
  cpSync(FIXTURES, workspace, { recursive: true });
  const kubeconfig = run.services.kube?.kubeconfig;
  writeUserSettings(dirs, {
    trustWorkspace: true,
    extra: {
      'editor.wordBasedSuggestions': 'off',
      'files.autoSave': 'off',
      ...run.services.settings,
      'redhat.telemetry.enabled': false,
      'yaml.schemas': { [`file://${join(workspace, 'plain.schema.json')}`]: 'plain.yaml' },
      ...(setup.kubernetes
        ? {
            'vs-kubernetes': {
              // Stuck: a kubeconfig that does not exist, and its prompt about it left unanswered.
              'vs-kubernetes.kubeconfig': setup.stuck ? join(run.root, 'no-such-kubeconfig') : kubeconfig,
              'vs-kubernetes.knownKubeconfigs': setup.stuck ? [] : [kubeconfig],
              'vs-kubernetes.kubectl-path': '/usr/bin/kubectl',
              'vs-kubernetes.crd-code-completion': 'enabled',
              'vs-kubernetes.ignore-recommendations': true,
            },
          }
        : {}),
    },
  });
  const probeDir = join(run.root, 'probe');
  mkdirSync(probeDir, { recursive: true });
  cpSync(run.probe, join(probeDir, 'probe.js'));
  const config: CoexistenceProbeConfig = {
    setup: setup.name,
    resultsFile: join(run.root, 'measure.json'),
    stackgresFiles: STACKGRES_FILES,
    expectOurContributor: setup.ours && setup.yaml,
    kubernetesStuck: setup.stuck,
    kubernetesKubeconfig: kubeconfig,
  };
  writeFileSync(join(probeDir, 'probe-config.json'), JSON.stringify(config, null, 2));

  const server = await startCodeServer(install, dirs, { port: await freePort(), env: run.services.env });
  const page = await newWorkbenchPage(browser.browser, join(run.root, 'browser-console.log'));
  try {
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remoteUri(server, run.devExtension)],
      ['extensionTestsPath', remoteUri(server, join(probeDir, 'probe.js'))],
      ['skipWelcome', 'true'],
    ];
    await page.goto(workbenchUrl(server, workspace, payload));
    await new Workbench(page, workspace).waitUntilLoaded();
    const step = `[coexistence ${setup.name}] measure`;
    return await pollUntil(step, 'the probe to write its measures', SETUP_TIMEOUT_MS, () =>
      existsSync(config.resultsFile) ? (JSON.parse(readFileSync(config.resultsFile, 'utf8')) as SetupMeasure) : undefined,
      () => tailOf(dirs.logFile),
    );
  } finally {
    await page.screenshot({ path: join(run.resultsDir, `coexistence-${setup.name}.png`) }).catch(() => undefined);
    await page.context().close().catch(() => undefined);
    await server.stop();
    const keep = join(run.resultsDir, `coexistence-${setup.name}`);
    mkdirSync(keep, { recursive: true });
    for (const f of ['measure.json', 'code-server.log', 'browser-console.log']) if (existsSync(join(run.root, f))) cpSync(join(run.root, f), join(keep, f));
    if (existsSync(join(dirs.userDataDir, 'logs'))) cpSync(join(dirs.userDataDir, 'logs'), join(keep, 'editor-logs'), { recursive: true });
  }
}

/** The targets of issue 11 §1 as test results, so the run's summary counts them. */
export function checksFor(setup: Setup, m: SetupMeasure, durationMs: number, run: { kubeconfig?: string } = {}): TestResult[] {
  const out: TestResult[] = [];
  const check = (title: string, problem: () => string | undefined) => {
    let message: string | undefined;
    try {
      message = m.error ? `the setup did not finish: ${m.error}` : problem();
    } catch (err) {
      message = String(err);
    }
    const titlePath = ['Coexistence', `${setup.name}: ${setup.title}`, title];
    out.push({ titlePath, fullTitle: titlePath.join(' '), state: message ? 'failed' : 'passed', durationMs: out.length === 0 ? durationMs : 0, ...(message ? { error: { message } } : {}) });
  };
  const files = Object.entries(m.files);
  if (setup.ours) {
    check('our problems, operator rules included, appear in every StackGres file', () =>
      STACKGRES_FILES.filter((f) => !(m.files[f]?.bySource.stackgres > 0)).map((f) => `no StackGres problem in ${f}`)[0],
    );
    check('each mistake is reported once and nothing contradicts ours', () => {
      const repeated = files.filter(([, f]) => f.repeatedOnOurLines > 0 || f.contradicting > 0);
      return repeated.length ? repeated.map(([n, f]) => `${n}: ${f.repeatedOnOurLines} repeated (${f.contradicting} with another severity): ${f.others.join(' | ')}`).join('\n') : undefined;
    });
    check('each completion label at a backups entry appears once', () =>
      !m.completion?.labels ? 'no completion at the backups entry' : m.completion.duplicates.length ? `offered twice: ${m.completion.duplicates.join(', ')}` : undefined,
    );
    check('one hover at cronSchedule', () => (m.hover?.count === 1 ? undefined : `${m.hover?.count ?? 0} hovers: ${(m.hover?.firstLines ?? []).join(' | ')}`));
    if (setup.kubernetes && !setup.stuck) {
      check("the Kubernetes extension's real API meets our contract: configuration v1.1, its kubeconfig, namespace and context events", () => {
        const c = m.contract;
        if (!c || c.reason) return `not usable: ${c?.reason ?? 'not measured'}`;
        const kubeconfig = run.kubeconfig;
        if (c.version !== 'v1_1') return `configuration API ${c.version}`;
        if (JSON.stringify(c.kubeconfig) !== JSON.stringify([kubeconfig])) return `kubeconfig ${JSON.stringify(c.kubeconfig)}, expected ${kubeconfig}`;
        return c.namespaceEvent && c.contextEvent ? undefined : `events: namespace ${c.namespaceEvent}, context ${c.contextEvent}`;
      });
    }
    if (setup.stuck) {
      check('ours activates and connects while the Kubernetes extension waits on its prompt', () => {
        const o = m.ourConnection;
        if (!o) return 'not measured';
        if (o.kubernetesActive) return 'the Kubernetes extension finished activating: this setup no longer shows a waiting extension';
        return o.connectedContext ? undefined : `not connected: ${o.error ?? 'no context'}`;
      });
    }
  } else {
    // The baseline must show what users see, or the other setups' numbers would prove nothing.
    check('the Kubernetes extension hands the cluster CRD schemas to Red Hat YAML on StackGres files', () =>
      files.some(([, f]) => Object.keys(f.bySource).some((s) => s.startsWith('yaml-schema: kubernetes://'))) ? undefined : `no yaml-schema problem from the cluster's schemas: ${JSON.stringify(m.files)}`,
    );
  }
  if (setup.yaml) {
    check('the plain YAML file keeps Red Hat YAML problems, hover and completion', () => {
      const p = m.plain;
      if (!p) return 'not measured';
      const missing = [p.problems > 0 ? '' : 'problems', p.hoverFromSchema ? '' : 'hover', p.completionFromSchema ? '' : 'completion'].filter(Boolean);
      return missing.length ? `missing: ${missing.join(', ')}` : p.stackgresProblems ? `${p.stackgresProblems} StackGres problems on a plain file` : undefined;
    });
  }
  return out;
}

export function formatTable(measures: SetupMeasure[]): string {
  const lines = [
    '| setup | problems by source (StackGres files) | repeated on our lines (other severity) | completion labels offered twice | hovers at `cronSchedule` | plain YAML: Red Hat problems / hover / completion |',
    '|---|---|---|---|---|---|',
  ];
  for (const m of measures) {
    const setup = SETUPS.find((s) => s.name === m.setup);
    if (m.error) {
      lines.push(`| ${m.setup} ${setup?.title ?? ''} | did not finish: ${m.error.split('\n')[0]} | | | | |`);
      continue;
    }
    const bySource: Record<string, number> = {};
    let repeated = 0;
    let contradicting = 0;
    for (const f of Object.values(m.files)) {
      for (const [s, n] of Object.entries(f.bySource)) {
        const key = s.startsWith('yaml-schema: kubernetes://') ? 'yaml-schema: kubernetes://…' : s;
        bySource[key] = (bySource[key] ?? 0) + n;
      }
      repeated += f.repeatedOnOurLines;
      contradicting += f.contradicting;
    }
    const sources = Object.entries(bySource).map(([s, n]) => `${s} ${n}`).join(' + ') || 'none';
    const plain = m.plain ? `${m.plain.problems} / ${m.plain.hoverFromSchema ? 'yes' : 'no'} / ${m.plain.completionFromSchema ? 'yes' : 'no'}` : '';
    lines.push(
      `| ${m.setup} ${setup?.title ?? ''} | ${sources} | ${repeated} (${contradicting}) | ${m.completion?.duplicates.length ?? '?'}${m.completion?.duplicates.length ? ` (${m.completion.duplicates.join(', ')})` : ''} | ${m.hover?.count ?? '?'} | ${plain} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
