/**
 * `npm run demo`: the packaged extension in a browser VS Code, on a workspace that walks through the
 * StackGres backup tutorial (credentials Secret, SGObjectStorage, SGCluster with backups, restore).
 *
 * Builds and packages the VSIX, installs code-server (cached like the tests'), installs the VSIX into a
 * demo profile, writes the workspace from test/fixtures/demo/*.tmpl under ~/.cache/stackgres-vscode-test/demo-<port>,
 * and serves it on http://127.0.0.1:$PORT (default 8080), trusted. Ctrl-C stops everything it started.
 *
 * Options: --port <n> (or $PORT), --until-ready (stop once the editor answers: a smoke check).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bundleSuite';
import { assertPortFree, freshEditorDirs, HOST, installVsix, startCodeServer, workbenchUrl, writeUserSettings } from './codeServer';
import { cacheRoot, CODE_SERVER_PACKAGES, ensureCodeServer, ensureSystemPackages } from './install';
import { onCleanup, runMain, StepError, stopRequested } from './processes';
import { EXTENSION_ID, packageVsix } from './vsix';

const TEMPLATES = join(REPO_ROOT, 'test', 'fixtures', 'demo');
const DEFAULT_PORT = 8080;

/** The names the tutorial files use; a service may replace some (an S3 sandbox its bucket, say). */
export type DemoValues = Record<string, string>;

const DEFAULT_VALUES: DemoValues = {
  namespace: 'demo',
  cluster: 'demo-db',
  restoredCluster: 'demo-db-restored',
  storage: 'backups-s3',
  secret: 'backups-s3-credentials',
  bucket: 'my-stackgres-backups',
  region: 'eu-west-1',
  postgresVersion: '16',
  backup: 'demo-db-2025-01-15-05-00-07',
  pitrTimestamp: '2025-01-15T10:30:00Z',
};

/**
 * Something the demo runs beside the editor. Services start before code-server and stop after it; each
 * can hand the extension host environment variables, add settings and change the tutorial's values.
 */
export interface DemoService {
  name: string;
  start(root: string): Promise<{
    env?: NodeJS.ProcessEnv;
    settings?: Record<string, unknown>;
    values?: Partial<DemoValues>;
    /** One line for the console: where it listens, what it holds. */
    summary: string;
    stop(): Promise<void>;
  }>;
}

/** None yet: the sandbox Kubernetes API and S3 will be listed here. */
const SERVICES: DemoService[] = [];

function parsePort(args: string[]): number {
  const at = args.indexOf('--port');
  const raw = at >= 0 ? args[at + 1] : process.env.PORT;
  const port = raw === undefined ? DEFAULT_PORT : Number(raw);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new StepError('read options', `"${raw}" is not a port number`);
  return port;
}

/** Fills `{{name}}` placeholders; an unknown name is an error, so a template cannot ship one unfilled. */
export function fillTemplate(text: string, values: DemoValues, file: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new StepError('write the demo workspace', `${file} uses {{${name}}}, which has no value`);
    return value;
  });
}

function writeWorkspace(dir: string, values: DemoValues): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(TEMPLATES).filter((f) => f.endsWith('.tmpl')).sort();
  for (const template of files) {
    const target = template.slice(0, -'.tmpl'.length);
    writeFileSync(join(dir, target), fillTemplate(readFileSync(join(TEMPLATES, template), 'utf8'), values, template));
  }
  return files.map((f) => f.slice(0, -'.tmpl'.length));
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const port = parsePort(args);
  // Before touching any folder: a demo already serving this port must be left alone.
  await assertPortFree(port, HOST, 'start the demo');
  const root = join(cacheRoot(), `demo-${port}`);
  // A fresh demo each time: the latest VSIX, an untouched tutorial, no state from the last session.
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const installLog = join(root, 'install.log');

  await ensureSystemPackages(installLog, CODE_SERVER_PACKAGES);
  const { install } = await ensureCodeServer(installLog);
  const vsix = await packageVsix(join(root, 'package.log'));

  const env: NodeJS.ProcessEnv = {};
  const settings: Record<string, unknown> = {};
  const values: DemoValues = { ...DEFAULT_VALUES };
  for (const service of SERVICES) {
    const started = await service.start(join(root, service.name));
    onCleanup(service.name, started.stop);
    Object.assign(env, started.env);
    Object.assign(settings, started.settings);
    Object.assign(values, started.values);
    console.log(`${service.name}: ${started.summary}`);
  }

  const dirs = freshEditorDirs(join(root, 'profile'));
  writeUserSettings(dirs, { trustWorkspace: true, extra: settings });
  await installVsix(install, dirs, vsix, EXTENSION_ID);
  const workspace = join(root, 'workspace');
  const files = writeWorkspace(workspace, values);

  const server = await startCodeServer(install, dirs, { port, workspace, env });
  console.log(`\nStackGres backups demo: ${files.length} files in ${workspace}`);
  console.log(`Open ${workbenchUrl(server, workspace)}`);
  console.log(`(code-server log: ${server.logFile})`);
  if (args.includes('--until-ready')) return 0;
  console.log('Press Ctrl-C to stop.');
  const how = await server.exited;
  if (!stopRequested()) console.error(`code-server ${how}; see ${server.logFile}`);
  return 1;
}

if (require.main === module) runMain(main);
