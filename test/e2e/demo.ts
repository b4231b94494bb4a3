/**
 * `npm run demo`: the packaged extension in a browser VS Code, on a workspace that walks through the
 * StackGres backup tutorial (credentials Secret, SGObjectStorage, SGCluster with backups, restore).
 *
 * Builds and packages the VSIX, installs code-server (cached like the tests'), starts the sandbox (sandbox.ts:
 * the test Kubernetes API server with the simulated operator, its clock running faster so scheduled backups
 * appear while you watch, and Ceph RGW holding wal-g backups of the tutorial's cluster, wired to its
 * SGObjectStorage), installs the VSIX into a demo profile whose `stackgres.kubeconfig` points at the sandbox
 * (in the profile's Remote settings, Machine/settings.json, where a code-server window reads machine settings),
 * writes the workspace from test/fixtures/demo/*.tmpl under ~/.cache/stackgres-vscode-test/demo-<port> with the
 * sandbox's names, and serves it on http://127.0.0.1:$PORT (default 8080), trusted. Ceph is installed when
 * missing (as root); if that fails the demo starts without S3 and says so. Ctrl-C stops everything it started.
 *
 * Options: --editor oldest|newest (which VS Code, see install.ts's EDITORS; default oldest), --port <n> (or $PORT), --until-ready (stop once the editor answers: a smoke check),
 *          --time-scale <n> (simulated seconds per real second, default 60: the 6-hourly backups of demo/orders
 *          every 6 minutes), --no-s3 (no Ceph RGW), --no-sandbox (the tutorial files only, no cluster).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bundleSuite';
import { assertPortFree, freshEditorDirs, HOST, installVsix, remoteUri, startCodeServer, workbenchUrl, writeUserSettings } from './codeServer';
import { cacheRoot, CODE_SERVER_PACKAGES, EDITOR_NAMES, EditorName, EDITORS, ensureCodeServer, ensureSystemPackages } from './install';
import { onCleanup, runMain, StepError, stopRequested } from './processes';
import { startSandbox } from './sandbox';
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
  storageName: 'Amazon S3',
  storageType: 's3',
  // Lines under the storage type's section, before awsCredentials.
  storageLocation: '    region: eu-west-1\n',
  postgresVersion: '16',
  cronSchedule: '0 5 * * *',
  retention: '7',
  backup: 'demo-db-2025-01-15-05-00-07',
  pitrTimestamp: '2025-01-15T10:30:00Z',
  sandboxNote: '',
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

const DEFAULT_TIME_SCALE = 60;

/** The sandbox cluster and its S3; the tutorial's names become the sandbox's. */
function sandboxService(options: { timeScale: number; s3: boolean }): DemoService {
  return {
    name: 'sandbox',
    async start(root) {
      mkdirSync(root, { recursive: true });
      // Slow enough phases to watch a backup go Pending → Running → Completed in the progress notification.
      const sandbox = await startSandbox({ dir: root, s3: options.s3 ? 'optional' : 'off', timeScale: options.timeScale, operatorStepMs: 1_500 });
      const world = sandbox.kube.world;
      if (!world) throw new StepError('start the sandbox', 'the sandbox has no tutorial cluster');
      const newest = world.completed[0];
      const values: Partial<DemoValues> = {
        namespace: world.namespace,
        cluster: world.cluster.name,
        restoredCluster: `${world.cluster.name}-restored`,
        storage: world.storage.name,
        secret: world.storage.secret,
        postgresVersion: world.cluster.postgresVersion,
        cronSchedule: world.cluster.cronSchedule,
        retention: String(world.cluster.retention),
        backup: newest.name,
        // After the newest backup ended, before now: inside its recoverable window.
        pitrTimestamp: new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      };
      if (sandbox.s3) {
        Object.assign(values, {
          storageName: 'S3 (in this demo, Ceph RGW on this machine)',
          storageType: 's3Compatible',
          bucket: sandbox.s3.bucket,
          storageLocation: `    endpoint: ${sandbox.s3.endpoint}\n    region: ${sandbox.s3.region}\n    enablePathStyleAddressing: true\n`,
        });
      }
      values.sandboxNote = [
        '',
        '> **This demo runs against a sandbox**: the StackGres view (activity bar) shows a test Kubernetes API server',
        `> with a simulated operator${options.timeScale !== 1 ? ` whose clock runs ${options.timeScale}× faster, so scheduled backups appear every few minutes` : ''}.`,
        `> \`${world.cluster.name}\`, \`${world.storage.name}\` and its Secret already exist there${sandbox.s3 ? ', and the bucket holds their wal-g backups' : ''}:`,
        '> `02-` and `03-` describe them (applying them changes nothing until you edit them), and `04-restore.yaml` names',
        "> one of their Completed backups. The Secret in the sandbox holds the bucket's real keys: do not apply",
        '> `01-credentials-secret.yaml` with its placeholders over it (try **StackGres: Create Credentials Secret** with',
        '> another name).',
        '',
      ].join('\n');
      const summary = [...sandbox.summary, `sandbox log: ${sandbox.logFile}`];
      return { settings: { 'stackgres.kubeconfig': sandbox.kube.kubeconfig }, values, summary: summary.join('\n  '), stop: sandbox.stop };
    },
  };
}

function numberOption(args: string[], flag: string, fallback: number): number {
  const at = args.indexOf(flag);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!(value > 0)) throw new StepError('read options', `${flag} takes a positive number, not "${args[at + 1] ?? ''}"`);
  return value;
}

function editorOption(args: string[]): EditorName {
  const at = args.indexOf('--editor');
  if (at < 0) return 'oldest';
  const name = args[at + 1];
  if (!EDITOR_NAMES.includes(name as EditorName)) throw new StepError('read options', `--editor takes ${EDITOR_NAMES.join(' or ')}, not "${name ?? ''}"`);
  return name as EditorName;
}

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
  const { install } = await ensureCodeServer(installLog, EDITORS[editorOption(args)]);
  const vsix = await packageVsix(join(root, 'package.log'));

  const env: NodeJS.ProcessEnv = {};
  const settings: Record<string, unknown> = {};
  const values: DemoValues = { ...DEFAULT_VALUES };
  const services: DemoService[] = args.includes('--no-sandbox')
    ? []
    : [sandboxService({ timeScale: numberOption(args, '--time-scale', DEFAULT_TIME_SCALE), s3: !args.includes('--no-s3') })];
  for (const service of services) {
    const started = await service.start(join(root, service.name));
    onCleanup(service.name, started.stop);
    Object.assign(env, started.env);
    Object.assign(settings, started.settings);
    Object.assign(values, started.values);
    console.log(`${service.name}: ${started.summary}`);
  }

  const dirs = freshEditorDirs(join(root, 'profile'));
  // The extension opens its Getting Started walkthrough on its first run, as for a Marketplace install.
  writeUserSettings(dirs, { trustWorkspace: true, extra: { 'workbench.welcomePage.walkthroughs.openOnInstall': true, ...settings } });
  await installVsix(install, dirs, vsix, EXTENSION_ID);
  const workspace = join(root, 'workspace');
  const files = writeWorkspace(workspace, values);

  const server = await startCodeServer(install, dirs, { port, workspace, env });
  console.log(`\nStackGres backups demo: ${files.length} files in ${workspace}`);
  // The tutorial's storage manifest opens with the workbench: opening YAML activates the extension, whose first
  // run opens the walkthrough.
  console.log(`Open ${workbenchUrl(server, workspace, [['openFile', remoteUri(server, join(workspace, '02-sgobjectstorage.yaml'))]])}`);
  console.log(`(code-server log: ${server.logFile})`);
  if (args.includes('--until-ready')) return 0;
  console.log('Press Ctrl-C to stop.');
  const how = await server.exited;
  if (!stopRequested()) console.error(`code-server ${how}; see ${server.logFile}`);
  return 1;
}

if (require.main === module) runMain(main);
