/**
 * Who chooses the cluster: never a workspace's own settings (a cloned repository), and nothing reaches it in
 * Restricted Mode. The kubeconfig and its token file are FIFOs served by a shell loop that notes each read
 * before it writes, so a read is always counted and a reader never waits for long.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { KubeError } from '../../client/src/kube/api';
import { describeRows, extensionLog, fixtureUri, kubeTarget, runConfig, testingApi, treeRows, waitFor } from './helpers';

const PROBE_CONTEXT = 'trust-probe';
const USE_USER_SETTINGS = 'Use the kubeconfig of your settings';

describe('Workspace trust and the kubeconfig', () => {
  it('Restricted Mode reads no kubeconfig file and no token file on any path to the cluster (a trusted workspace reads both) @restricted', async () => {
    const { context, prompts } = await testingApi();
    const probe = new KubeconfigProbe();
    try {
      prompts.answer([vscode.Uri.file(probe.kubeconfig.path)]);
      await vscode.commands.executeCommand('stackgres.chooseKubeconfig');
      assert.equal(context.connection.chosenKubeconfig(), probe.kubeconfig.path, 'the choice is kept for this workspace');
      assert.equal(vscode.workspace.getConfiguration('stackgres').inspect('kubeconfig')?.workspaceValue, undefined, 'and not in the workspace settings');
      assert.equal(await exists(fixtureUri('.vscode/settings.json')), false, 'no .vscode/settings.json was written');

      // Every way in: the connection itself, the tree, and a `stackgres:` document (Open YAML).
      const connected = await context.connection.api().then(
        (api) => api,
        (err: unknown) => err as KubeError,
      );
      await vscode.commands.executeCommand('stackgres.refresh');
      const rows = await treeRows();
      const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'stackgres', path: '/SGCluster/demo/demo-db.yaml', query: `context=${PROBE_CONTEXT}` })).then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );

      if (vscode.workspace.isTrusted) {
        // The control: the same probe sees a trusted workspace read both files.
        assert.ok(!('reason' in connected), `connected: ${'reason' in connected ? connected.message : ''}`);
        assert.equal(connected.context.name, PROBE_CONTEXT);
        assert.ok(probe.kubeconfig.reads() >= 1, 'the chosen kubeconfig was read');
        assert.ok(probe.token.reads() >= 1, 'its token file was read');

        prompts.answer({ label: USE_USER_SETTINGS });
        await vscode.commands.executeCommand('stackgres.chooseKubeconfig');
        assert.equal(context.connection.chosenKubeconfig(), undefined);
        assert.equal((await context.connection.api()).context.name, kubeTarget().context, 'back to the kubeconfig of the user settings');
      } else {
        assert.deepEqual({ kubeconfig: probe.kubeconfig.reads(), token: probe.token.reads() }, { kubeconfig: 0, token: 0 }, 'nothing was read');
        assert.ok('reason' in connected, 'no connection is opened');
        assert.equal(connected.reason, 'untrusted');
        assert.match(connected.message, /Restricted Mode/);
        assert.equal(rows.length, 1, `the view only asks for trust: ${describeRows(rows)}`);
        assert.equal(rows[0].item.command?.command, 'workbench.trust.manage');
        assert.ok(document !== undefined, 'the stackgres: document is not fetched');
        const log = await extensionLog();
        assert.doesNotMatch(log, /Connected to context/, 'the log shows no connection');
        assert.match(log, /Restricted Mode/, 'the log says why');
      }
    } finally {
      if (context.connection.chosenKubeconfig()) await context.connection.chooseKubeconfig(undefined);
      await probe.stop();
    }
  });

  it('ignores a stackgres.kubeconfig in the workspace settings, and says so once in the log', async () => {
    assert.ok(vscode.workspace.isTrusted, 'a trusted workspace (Restricted Mode reads no kubeconfig at all)');
    const { context } = await testingApi();
    const probe = new KubeconfigProbe();
    const settings = fixtureUri('.vscode/settings.json');
    // As a cloned repository might have it; the second setting shows when the editor has read the file.
    const text = `{\n  // Committed by someone else.\n  "stackgres.kubeconfig": ${JSON.stringify(probe.kubeconfig.path)},\n  "files.trimTrailingWhitespace": true,\n}\n`;
    await vscode.workspace.fs.writeFile(settings, new TextEncoder().encode(text));
    try {
      await waitFor('the workspace settings to apply', () => (vscode.workspace.getConfiguration('files').inspect('trimTrailingWhitespace')?.workspaceValue === true ? true : undefined));
      for (let i = 0; i < 2; i++) {
        await vscode.commands.executeCommand('stackgres.refresh');
        const api = await context.connection.api();
        assert.equal(api.context.name, kubeTarget().context, 'still the kubeconfig of the user settings');
      }
      assert.deepEqual({ kubeconfig: probe.kubeconfig.reads(), token: probe.token.reads() }, { kubeconfig: 0, token: 0 }, 'the workspace\'s kubeconfig was not read');
      const lines = (await extensionLog()).split('\n').filter((l) => l.includes('stackgres.kubeconfig') && l.includes('ignored'));
      assert.equal(lines.length, 1, `one line in the log: ${lines.join(' | ') || '(none)'}`);
      assert.match(lines[0], /\.vscode\/settings\.json/, 'it names the file');
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(settings, '..'), { recursive: true });
      await waitFor('the workspace settings to be gone', () => (vscode.workspace.getConfiguration('files').inspect('trimTrailingWhitespace')?.workspaceValue === undefined ? true : undefined));
      await probe.stop();
    }
  });
});

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

/** A kubeconfig whose user has a `token-file`, both counted files; its server is a closed loopback port. */
class KubeconfigProbe {
  readonly token: CountedFile;
  readonly kubeconfig: CountedFile;
  constructor() {
    const dir = mkdtempSync(join(dirname(runConfig().resultsFile), 'trust-probe-'));
    this.token = new CountedFile(join(dir, 'token'), 'not-a-real-token');
    this.kubeconfig = new CountedFile(
      join(dir, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: probe, cluster: {server: "https://127.0.0.1:1"}}]',
        `users: [{name: probe, user: {token-file: ${JSON.stringify(this.token.path)}}}]`,
        `contexts: [{name: ${PROBE_CONTEXT}, context: {cluster: probe, user: probe}}]`,
        `current-context: ${PROBE_CONTEXT}`,
        '',
      ].join('\n'),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([this.kubeconfig.stop(), this.token.stop()]);
  }
}

/**
 * A FIFO that a shell loop serves: opening it for reading gets `content`, and every read is noted (before the
 * content is written, so a reader that got it has been counted). A reader blocks until served.
 */
class CountedFile {
  private readonly counter: string;
  private readonly writer: ChildProcess;
  constructor(
    readonly path: string,
    content: string,
  ) {
    this.counter = `${path}.reads`;
    execFileSync('mkfifo', [path]);
    // Once a reader has opened the FIFO, a fresh one is renamed over the path before the content is written:
    // readers of the old one get their end of file (no writer reopens it), later readers wait for the next
    // turn, and the path never goes missing.
    const serve = 'while :; do { mkfifo "$1.next" && mv "$1.next" "$1" && echo read >> "$2" && printf %s "$3"; } > "$1" || exit 1; done';
    this.writer = spawn('sh', ['-c', serve, 'counted-file', path, this.counter, content], {
      detached: true,
      stdio: 'ignore',
    });
  }

  reads(): number {
    return existsSync(this.counter) ? readFileSync(this.counter, 'utf8').split('\n').filter(Boolean).length : 0;
  }

  /** Stops serving and removes the FIFO, so that a later reader fails at once instead of waiting. */
  async stop(): Promise<void> {
    const pid = this.writer.pid;
    if (pid !== undefined && this.writer.exitCode === null && this.writer.signalCode === null) {
      const exited = new Promise((resolve) => this.writer.once('exit', resolve));
      process.kill(-pid, 'SIGTERM');
      await exited;
    }
    rmSync(this.path, { force: true });
    rmSync(`${this.path}.next`, { force: true });
  }
}
