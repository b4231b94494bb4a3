/**
 * Where `stackgres.kubeconfig` takes effect in a remote window (issue 16 §2). code-server is one: the
 * extension host runs on the "remote" machine, and VS Code takes settings of machine scope from the Remote
 * settings (`<user-data>/Machine/settings.json`), never from User settings. The driver writes the sandbox's
 * kubeconfig to the Remote settings, and in its user-settings run to the User settings instead
 * (`runConfig().machineSettingsIn`), as a user who does not know the rule would.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { KubeError } from '../../client/src/kube/api';
import { describeRows, extensionLog, kubeTarget, runConfig, testingApi, treeRows, waitFor } from './helpers';

function settingsFile(kind: 'User' | 'Machine'): string {
  return join(dirname(runConfig().logsRoot), kind, 'settings.json');
}

function kubeconfigIn(kind: 'User' | 'Machine'): unknown {
  const file = settingsFile(kind);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8') || '{}') as Record<string, unknown>)['stackgres.kubeconfig'] : undefined;
}

describe('stackgres.kubeconfig in a remote window', () => {
  it('applies from the Remote settings; from User settings it does not, and the error says so and offers "Open Remote Settings" @userSettings', async () => {
    assert.ok(vscode.env.remoteName, 'code-server windows are remote windows');
    const { context } = await testingApi();
    const inUser = runConfig().machineSettingsIn === 'User';
    const expected = kubeTarget().kubeconfig;
    assert.equal(kubeconfigIn(inUser ? 'User' : 'Machine'), expected, `the driver wrote the value to the ${inUser ? 'User' : 'Remote'} settings`);
    assert.equal(kubeconfigIn(inUser ? 'Machine' : 'User'), undefined, 'and only there');
    const applied = vscode.workspace.getConfiguration('stackgres').inspect<string>('kubeconfig')?.globalValue;

    if (!inUser) {
      assert.equal(applied, expected, 'VS Code applies the Remote settings\' value');
      await vscode.commands.executeCommand('stackgres.refresh');
      assert.equal((await context.connection.api()).context.name, kubeTarget().context, 'connected through it');
      return;
    }

    const saved = process.env.KUBECONFIG;
    const marker = vscode.workspace.getConfiguration('stackgres.validation');
    try {
      if (applied !== undefined) {
        // VS Code 1.100 applies it at startup and drops it at the first write of the User settings, which any
        // change in the Settings editor makes; 1.139 has dropped it already (it migrates a setting at startup).
        await marker.update('maxFileSizeMB', 6, vscode.ConfigurationTarget.Global);
        await waitFor('VS Code to drop the machine setting of the User settings', () =>
          vscode.workspace.getConfiguration('stackgres').inspect('kubeconfig')?.globalValue === undefined ? true : undefined,
        );
      }
      assert.equal(vscode.workspace.getConfiguration('stackgres').inspect('kubeconfig')?.globalValue, undefined, 'VS Code does not apply a machine setting from User settings in a remote window');
      // No fallback may find a kubeconfig either: a KUBECONFIG naming a missing file wins over ~/.kube/config.
      process.env.KUBECONFIG = join(dirname(runConfig().resultsFile), 'no-such-kubeconfig');
      await vscode.commands.executeCommand('stackgres.refresh');
      const err = await context.connection.api().then(
        () => assert.fail('connected without an applied kubeconfig'),
        (e: unknown) => e as KubeError,
      );
      assert.equal(err.reason, 'config');
      assert.ok(err.message.includes(`Your User settings set stackgres.kubeconfig to ${expected}`), err.message);
      assert.match(err.message, /Remote settings only/);
      assert.deepEqual(err.command, { title: 'Open Remote Settings', command: 'workbench.action.openRemoteSettings' });
      // The view is empty with the welcome content that opens the Remote settings (package.json viewsWelcome).
      let rows = '';
      await waitFor('the view to show the Remote settings welcome content', async () => {
        const shown = await treeRows();
        rows = describeRows(shown);
        return shown.length === 0 && context.tree?.treeState === 'remoteSettings' ? true : undefined;
      }).catch((e: Error) => {
        throw new Error(`${e.message}; the view shows ${rows} (${context.tree?.treeState})`);
      });
      assert.match(await extensionLog(), /is not applied in this remote window/);
    } finally {
      if (applied !== undefined) await marker.update('maxFileSizeMB', undefined, vscode.ConfigurationTarget.Global);
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});
