/**
 * Settings changes in the real editor: only a setting the language server reads when it starts restarts it
 * (client/src/settingEffects.ts); the others are applied in place and the server's process stays.
 * The server's process is found as the extension host's child running dist/server.js (Linux /proc).
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { extensionLog, hoverTextAt, openFixture, positionOf, testingApi, waitFor } from './helpers';

/** PIDs of the StackGres language servers this extension host started. */
function serverPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces: state, then the parent's PID.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      if (/[\\/]dist[\\/]server\.js\0/.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) pids.push(Number(entry));
    } catch {
      // The process ended while it was read.
    }
  }
  return pids;
}

/** The one server's PID while the language client says it runs; undefined while it (re)starts. */
async function runningServer(): Promise<number | undefined> {
  const { context } = await testingApi();
  const pids = serverPids();
  return context.languageClient?.isRunning() && pids.length === 1 ? pids[0] : undefined;
}

const RESTARTS = /Restarting the language server/g;
const restartsLogged = async (): Promise<number> => (await extensionLog()).match(RESTARTS)?.length ?? 0;

/** In User settings: the workspace's settings file must stay unwritten (trust.test.ts). */
async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('stackgres').update(key, value, vscode.ConfigurationTarget.Global);
}

const driversKubeconfig = (): string | undefined => vscode.workspace.getConfiguration('stackgres').inspect<string>('kubeconfig')?.globalValue;

describe('Settings changes and the language server', function () {
  this.timeout(60_000);

  let kubeconfig: string | undefined;
  before(() => {
    kubeconfig = driversKubeconfig();
  });

  after(async () => {
    await setSetting('trace.server', undefined);
    await setSetting('validation.maxFileSizeMB', undefined);
    // Writing User settings from a remote window (code-server) drops the machine-scoped stackgres.kubeconfig
    // the driver wrote there: put it back, or every later test loses the sandbox (as tree.test.ts does).
    if (driversKubeconfig() !== kubeconfig) await setSetting('kubeconfig', kubeconfig);
    await waitFor("the driver's kubeconfig setting back", () => (driversKubeconfig() === kubeconfig ? true : undefined));
  });

  it('keeps the server running when stackgres.trace.server changes, and traces its messages', async () => {
    const { document } = await openFixture('cluster.yaml');
    const before = await waitFor('the language server to run', runningServer);
    const restarts = await restartsLogged();
    await setSetting('trace.server', 'messages');
    // The trace shows the client took the change: a hover request now appears in the log.
    await waitFor('a traced hover request in the StackGres log', async () => {
      await hoverTextAt(document, positionOf(document, 'cronSchedule'));
      return /\[Trace - [^\]]+\] Sending request 'textDocument\/hover/.test(await extensionLog()) ? true : undefined;
    });
    assert.equal(await waitFor('the language server to run after the change', runningServer), before, 'the same server process');
    assert.equal(await restartsLogged(), restarts, 'no restart was logged');
  });

  it('restarts the server when stackgres.validation.maxFileSizeMB changes', async () => {
    const { document } = await openFixture('cluster.yaml');
    const before = await waitFor('the language server to run', runningServer);
    await setSetting('validation.maxFileSizeMB', 7);
    await waitFor('a new language server process', async () => {
      const pid = await runningServer();
      return pid !== undefined && pid !== before ? pid : undefined;
    });
    assert.match(await extensionLog(), /Restarting the language server: stackgres\.validation\.maxFileSizeMB changed/);
    // The new server answers.
    assert.match(await hoverTextAt(document, positionOf(document, 'cronSchedule')), /05:00/);
  });
});
