/**
 * Where `stackgres.kubeconfig` takes effect in a remote window (issue 16 §2). code-server is one: the
 * extension host runs on the "remote" machine, and VS Code takes settings of machine scope from the Remote
 * settings (`<user-data>/Machine/settings.json`), never from User settings. The driver writes the sandbox's
 * kubeconfig to the Remote settings; these tests move it to User settings and back.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { KubeError } from '../../client/src/kube/api';
import { describeRows, extensionLog, kubeTarget, runConfig, testingApi, treeRows, waitFor } from './helpers';

const MARKER = 'stackgres.validation.maxFileSizeMB';

function settingsFile(kind: 'User' | 'Machine'): string {
  return join(dirname(runConfig().logsRoot), kind, 'settings.json');
}

function readSettings(file: string): Record<string, unknown> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8') || '{}') as Record<string, unknown>) : {};
}

describe('stackgres.kubeconfig in a remote window', () => {
  it('is read from the Remote settings (Machine/settings.json), where the driver put it', async () => {
    assert.ok(vscode.env.remoteName, 'code-server windows are remote windows');
    assert.equal(readSettings(settingsFile('Machine'))['stackgres.kubeconfig'], kubeTarget().kubeconfig, 'the Remote settings hold the value');
    assert.equal(readSettings(settingsFile('User'))['stackgres.kubeconfig'], undefined, 'the User settings do not');
    const { context } = await testingApi();
    await vscode.commands.executeCommand('stackgres.refresh');
    const api = await context.connection.api();
    assert.equal(api.context.name, kubeTarget().context, 'connected through the Remote settings\' kubeconfig');
  });

  it('a value in User settings, which a remote window does not apply, is named in the error with "Open Remote Settings"', async () => {
    const { context } = await testingApi();
    const config = () => vscode.workspace.getConfiguration('stackgres');
    const remoteValue = config().inspect<string>('kubeconfig')?.globalValue;
    assert.equal(remoteValue, kubeTarget().kubeconfig, 'the Remote settings\' value applies to start with');
    const userFile = settingsFile('User');
    const userText = readFileSync(userFile, 'utf8');
    const savedKubeconfigEnv = process.env.KUBECONFIG;
    try {
      // No fallback may find a kubeconfig: a KUBECONFIG naming a missing file wins over ~/.kube/config.
      process.env.KUBECONFIG = join(dirname(runConfig().resultsFile), 'no-such-kubeconfig');
      await config().update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('the Remote settings to drop the value', () => (config().inspect('kubeconfig')?.globalValue === undefined ? true : undefined));
      // Written as a user edits the file; the marker (window scope, applied from User settings) shows it was read.
      writeFileSync(userFile, JSON.stringify({ ...readSettings(userFile), 'stackgres.kubeconfig': remoteValue, [MARKER]: 7 }, null, 2));
      await waitFor('the User settings to be read', () => (vscode.workspace.getConfiguration().inspect(MARKER)?.globalValue === 7 ? true : undefined));
      assert.equal(config().inspect('kubeconfig')?.globalValue, undefined, 'VS Code does not apply a machine setting from User settings in a remote window');

      await vscode.commands.executeCommand('stackgres.refresh');
      const err = await context.connection.api().then(
        () => assert.fail('connected without a kubeconfig'),
        (e: unknown) => e as KubeError,
      );
      assert.equal(err.reason, 'config');
      assert.ok(err.message.includes(`Your User settings set stackgres.kubeconfig to ${remoteValue}`), err.message);
      assert.match(err.message, /Remote settings only/);
      assert.deepEqual(err.command, { title: 'Open Remote Settings', command: 'workbench.action.openRemoteSettings' });
      const rows = await treeRows();
      const action = rows.find((r) => r.item.command?.command === 'workbench.action.openRemoteSettings');
      assert.ok(action, `the view offers to open the Remote settings: ${describeRows(rows)}`);
      assert.match(await extensionLog(), /is not applied in this remote window/);
    } finally {
      writeFileSync(userFile, userText);
      if (savedKubeconfigEnv === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = savedKubeconfigEnv;
      await config().update('kubeconfig', remoteValue, vscode.ConfigurationTarget.Global);
      await waitFor('the Remote settings\' value to apply again', () => (config().inspect('kubeconfig')?.globalValue === remoteValue ? true : undefined));
      await waitFor('the User settings to be restored', () => (vscode.workspace.getConfiguration().inspect(MARKER)?.globalValue === undefined ? true : undefined));
    }
    assert.ok(readSettings(settingsFile('Machine'))['stackgres.kubeconfig'] === remoteValue, 'VS Code writes the machine setting to the Remote settings');
    assert.equal((await context.connection.api()).context.name, kubeTarget().context, 'connected again');
  });
});
