/**
 * Starting and stopping code-server (VS Code served to a browser) for the test driver and the demo:
 * a fresh user-data and extensions folder per run, the VSIX installed the way a user installs it, and
 * the server in its own process group so that stopping it stops its extension hosts and language servers.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './bundleSuite';
import { CodeServerInstall } from './install';
import { assertNotStopping, onCleanup, pollUntil, runCommand, StepError, stopGroup, tailOf } from './processes';

export const HOST = '127.0.0.1';

export interface EditorDirs {
  /** VS Code's user data: settings, logs, workspace state. */
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own config and XDG folders, so nothing is written to the home folder. */
  stateDir: string;
  /** Where code-server's output goes. */
  logFile: string;
}

/** Creates the folders of a fresh editor profile under `root`. */
export function freshEditorDirs(root: string): EditorDirs {
  const dirs: EditorDirs = {
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    stateDir: join(root, 'code-server-state'),
    logFile: join(root, 'code-server.log'),
  };
  for (const d of [dirs.userDataDir, dirs.extensionsDir, dirs.stateDir]) mkdirSync(d, { recursive: true });
  return dirs;
}

export interface ProfileSettings {
  /** false: the workspace opens in Restricted Mode (trust is asked for, and refused in test mode). */
  trustWorkspace: boolean;
  extra?: Record<string, unknown>;
  /** Write the machine-scoped settings to User settings instead, where a remote window ignores them (the test of that case). */
  machineInUser?: boolean;
}

/**
 * The settings our package.json declares with scope `machine` or `machine-overridable`. In a remote window
 * (code-server is one) VS Code takes them from the Remote settings (`<user-data>/Machine/settings.json`) and
 * not from User settings, so the drivers write them there.
 */
export function machineScopedSettings(manifest = join(REPO_ROOT, 'package.json')): Set<string> {
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { contributes?: { configuration?: { properties?: Record<string, { scope?: string }> } } };
  const properties = pkg.contributes?.configuration?.properties ?? {};
  return new Set(Object.keys(properties).filter((k) => properties[k].scope === 'machine' || properties[k].scope === 'machine-overridable'));
}

/**
 * Writes User/settings.json (no telemetry, update checks, welcome pages or tips; trust as asked) and, for
 * the settings of machine scope, Machine/settings.json: the Remote settings, where the window reads them.
 */
export function writeUserSettings(dirs: EditorDirs, settings: ProfileSettings): void {
  const userDir = join(dirs.userDataDir, 'User');
  mkdirSync(userDir, { recursive: true });
  const machineKeys = machineScopedSettings();
  const machine: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings.extra ?? {})) (machineKeys.has(key) && !settings.machineInUser ? machine : extra)[key] = value;
  const values: Record<string, unknown> = {
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'update.showReleaseNotes': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'chat.commandCenter.enabled': false,
    'git.enabled': false,
    'security.workspace.trust.enabled': !settings.trustWorkspace,
    'security.workspace.trust.startupPrompt': 'never',
    ...extra,
  };
  writeFileSync(join(userDir, 'settings.json'), JSON.stringify(values, null, 2));
  const machineDir = join(dirs.userDataDir, 'Machine');
  mkdirSync(machineDir, { recursive: true });
  writeFileSync(join(machineDir, 'settings.json'), JSON.stringify(machine, null, 2));
}

/** code-server's environment: its config and data in the run's folders, nothing inherited from an editor. */
function codeServerEnv(dirs: EditorDirs): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // PORT would override --bind-addr; VSCODE_* (set in an editor's terminal) would send the CLI to that editor.
    if (k === 'PORT' || k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') continue;
    env[k] = v;
  }
  env.XDG_CONFIG_HOME = join(dirs.stateDir, 'config');
  env.XDG_DATA_HOME = join(dirs.stateDir, 'data');
  return env;
}

function commonArgs(dirs: EditorDirs): string[] {
  const config = join(dirs.stateDir, 'config.yaml');
  if (!existsSync(config)) writeFileSync(config, 'auth: none\ncert: false\n');
  return ['--config', config, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir];
}

/**
 * Installs a VSIX with `code-server --install-extension`, as a user would, and returns the folder it was
 * unpacked into (so a test can load exactly that code).
 */
export async function installVsix(install: CodeServerInstall, dirs: EditorDirs, vsix: string, extensionId: string): Promise<string> {
  const step = 'install the VSIX into code-server';
  await runCommand(install.node, [install.entry, ...commonArgs(dirs), '--force', '--install-extension', vsix], {
    step,
    env: codeServerEnv(dirs),
    logFile: dirs.logFile,
  });
  const prefix = `${extensionId.toLowerCase()}-`;
  const installed = readdirSync(dirs.extensionsDir).filter((d) => d.toLowerCase().startsWith(prefix));
  if (installed.length !== 1) {
    throw new StepError(step, `expected one ${extensionId} folder in ${dirs.extensionsDir}, found ${installed.length}`, tailOf(dirs.logFile));
  }
  const dir = join(dirs.extensionsDir, installed[0]);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main?: string };
  // Node resolves `main` with or without its `.js` (Red Hat YAML names `./dist/extension`).
  if (!manifest.main || !(existsSync(join(dir, manifest.main)) || existsSync(join(dir, `${manifest.main}.js`)))) {
    throw new StepError(step, `the installed extension at ${dir} has no ${manifest.main ?? '"main"'}`);
  }
  return dir;
}

/** A port nothing listens on, chosen by the system. */
export function freePort(host = HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Fails with a clear message when something already listens on host:port. */
export function assertPortFree(port: number, host = HOST, step = 'start code-server'): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new StepError(
          step,
          err.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use; stop what listens there or choose another port`
            : `cannot listen on ${host}:${port}: ${err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

export interface RunningCodeServer {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  /** Resolves with how code-server ended, if it ends by itself. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  /** Passed on the command line: the folder opened when the URL names none. */
  workspace?: string;
  /** Extra environment for the extension host (later: sandbox Kubernetes API, S3). */
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

/** Starts code-server on 127.0.0.1 and resolves once it answers /healthz; stops it again on cleanup. */
export async function startCodeServer(install: CodeServerInstall, dirs: EditorDirs, options: StartOptions): Promise<RunningCodeServer> {
  const step = 'start code-server';
  assertNotStopping(step);
  await assertPortFree(options.port);
  const args = [
    install.entry,
    ...commonArgs(dirs),
    '--auth',
    'none',
    '--bind-addr',
    `${HOST}:${options.port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...install.serverArgs,
    ...(options.workspace ? [options.workspace] : []),
  ];
  const log = createWriteStream(dirs.logFile, { flags: 'a' });
  // The Node this code-server was installed for (its native modules have that Node's ABI).
  const child = spawn(install.node, args, {
    env: { ...codeServerEnv(dirs), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new StepError(step, 'could not spawn node');
  let exited: string | undefined;
  const exitedPromise = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve(exited);
    }),
  );
  const stop = async () => {
    unregister();
    await stopGroup(pid, 10_000);
    await new Promise<void>((resolve) => log.end(resolve));
  };
  const unregister = onCleanup(`code-server (pid ${pid})`, stop);

  const url = `http://${HOST}:${options.port}`;
  await pollUntil(
    step,
    `code-server answering ${url}/healthz`,
    options.readyTimeoutMs ?? 60_000,
    async () => {
      if (exited) throw new StepError(step, `code-server ${exited} before it was ready`, tailOf(dirs.logFile));
      try {
        const res = await fetch(`${url}/healthz`);
        return res.ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    () => tailOf(dirs.logFile),
  );
  return { url, port: options.port, pid, logFile: dirs.logFile, exited: exitedPromise, stop };
}

/** The workbench URL for a folder, with an optional test payload (see the real-vscode recipe). */
export function workbenchUrl(server: RunningCodeServer, folder: string, payload?: [string, string][]): string {
  // Slashes are left as they are so the printed URL stays readable.
  const query = `folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;
  return `${server.url}/?${query}${payload ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
}

/** A path on the code-server machine as the workbench addresses it (vscode-remote://host:port/path). */
export function remoteUri(server: RunningCodeServer, path: string): string {
  return `vscode-remote://${HOST}:${server.port}${path}`;
}
