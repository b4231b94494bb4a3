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
import { join } from 'node:path';
import { commandOutput, runCommand, StepError } from './processes';

export const CODE_SERVER_VERSION = '4.100.3';
/** The VS Code release inside that code-server. */
export const VSCODE_VERSION = '1.100.3';
export const CHROMIUM = '/usr/bin/chromium';
/** Debian packages code-server's install needs (kerberos headers, VS Code's search tool). */
export const CODE_SERVER_PACKAGES = ['ripgrep', 'libkrb5-dev'];
/** Debian packages the browser-driven tests need on top. */
export const BROWSER_PACKAGES = ['chromium'];

export function cacheRoot(): string {
  return process.env.STACKGRES_VSCODE_TEST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stackgres-vscode-test');
}

export interface CodeServerInstall {
  /** Directory holding node_modules/code-server. */
  root: string;
  /** The script to start with `node`. */
  entry: string;
  version: string;
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

/** The cached code-server, installing it first when it is missing or was left half-installed. */
export async function ensureCodeServer(logFile: string): Promise<{ install: CodeServerInstall; installed: boolean }> {
  const root = join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  const install = describe(root);
  const marker = join(root, '.installed');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === CODE_SERVER_VERSION && existsSync(install.entry)) {
    return { install, installed: false };
  }
  // Build in a scratch directory and rename it into place only when complete, so an interrupted install
  // is never mistaken for a finished one.
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  console.log(`Installing code-server ${CODE_SERVER_VERSION} into ${root} (about two minutes; log: ${logFile})`);
  try {
    await buildCodeServer(partial, logFile);
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  writeFileSync(join(partial, '.installed'), `${CODE_SERVER_VERSION}\n`);
  rmSync(root, { recursive: true, force: true });
  renameSync(partial, root);
  return { install, installed: true };
}

function describe(root: string): CodeServerInstall {
  return { root, entry: join(root, 'node_modules', 'code-server', 'out', 'node', 'entry.js'), version: CODE_SERVER_VERSION };
}

async function buildCodeServer(dir: string, logFile: string): Promise<void> {
  const step = 'install code-server';
  // Native modules build against Node's own headers; root needs unsafe-perm for npm to run their scripts.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_unsafe_perm: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const npm = (cwd: string, ...args: string[]) => runCommand('npm', args, { cwd, env, logFile, step });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'code-server-install', private: true }, null, 2));
  await npm(dir, 'install', '--ignore-scripts', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`);

  const vscodeDir = join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
  await npm(vscodeDir, 'install', '--omit=dev', '--ignore-scripts');
  await npm(vscodeDir, 'rebuild', '@parcel/watcher', '@vscode/spdlog', 'kerberos', 'native-watchdog', '@vscode/deviceid');
  await runCommand('npm', ['rebuild', 'node-pty'], { cwd: vscodeDir, env: { ...env, npm_config_yes: 'true' }, logFile, step });

  // VS Code's search runs ripgrep from this path; its package would download the binary.
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  replaceWithSymlink('/usr/bin/rg', join(rgDir, 'rg'));
  replaceWithSymlink('node_modules', join(vscodeDir, 'node_modules.asar'));

  await npm(join(vscodeDir, 'extensions'), 'install', '--omit=dev', '--ignore-scripts');
  await npm(dir, 'rebuild', 'argon2', '--build-from-source');
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

export async function ensureAll(logFile: string): Promise<CodeServerInstall> {
  await ensureSystemPackages(logFile);
  const { install } = await ensureCodeServer(logFile);
  return install;
}

if (require.main === module) {
  // `npx tsx test/e2e/install.ts`: install (or check) everything without running a test.
  const started = Date.now();
  const logFile = join(cacheRoot(), 'install.log');
  mkdirSync(cacheRoot(), { recursive: true });
  ensureAll(logFile).then(
    (install) => console.log(`code-server ${install.version} ready at ${install.root} (${((Date.now() - started) / 1000).toFixed(1)} s)`),
    (err: unknown) => {
      console.error(err instanceof StepError && err.details ? `${err.message}\n${err.details}` : String(err));
      process.exit(1);
    },
  );
}
