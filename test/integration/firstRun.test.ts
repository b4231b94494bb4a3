/**
 * Where am I, and what can I do here: the status bar item (its text follows the connection, its click chooses
 * the context or namespace, a setting hides it), which documents count as StackGres manifests for the menus,
 * and the welcome content the empty view shows. The menus themselves and the walkthrough are looked at in the
 * workbench (test/e2e/uiChecks.ts: status-bar, menus-stackgres-only, walkthrough, restore-back).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { describeRows, fixtureUri, kubeTarget, removeFixtureFolder, testingApi, treeRows, waitFor, writeFixture } from './helpers';

const DEADLINE_MS = 20_000;
const CHOOSE_NAMESPACE = '$(symbol-namespace) Choose Namespace…';

async function statusBar(): Promise<{ text: string; tooltip: string; command: string } | undefined> {
  const bar = (await testingApi()).context.statusBar;
  assert.ok(bar, 'the status bar item is registered');
  return bar.shown;
}

describe('Where am I: the status bar item', () => {
  // Writing the user settings in code-server loses the driver's machine-scoped kubeconfig: written back as tree.test.ts does.
  let kubeconfig: string | undefined;
  before(() => {
    kubeconfig = vscode.workspace.getConfiguration('stackgres').inspect<string>('kubeconfig')?.globalValue;
  });

  afterEach(async () => {
    const { context } = await testingApi();
    if (context.connection.chosenNamespace() !== undefined) await context.connection.chooseNamespace(undefined);
    if (vscode.workspace.getConfiguration('stackgres').inspect('statusBar.show')?.globalValue !== undefined) {
      await vscode.workspace.getConfiguration('stackgres').update('statusBar.show', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('stackgres').update('kubeconfig', kubeconfig, vscode.ConfigurationTarget.Global);
      await waitFor('the connection to return', async () => ((await statusBar())?.text.includes(kubeTarget().context) ? true : undefined), DEADLINE_MS);
    }
  });

  it('names the context and namespace, a click chooses another namespace, and the text follows at once', async () => {
    const context = kubeTarget().context;
    const shown = await waitFor('the status bar to name the connected context', async () => {
      const s = await statusBar();
      return s?.text.includes(context) ? s : undefined;
    }, DEADLINE_MS);
    assert.equal(shown.text, `$(server-environment) ${context} · all namespaces`);
    assert.match(shown.tooltip, new RegExp(`context ${context} \\(https://`));

    // The click: "Choose Namespace…", then staging.
    const { prompts } = await testingApi();
    prompts.answer({ label: CHOOSE_NAMESPACE }, 'staging');
    await vscode.commands.executeCommand(shown.command);
    const after = await waitFor('the status bar to show the namespace', async () => {
      const s = await statusBar();
      return s?.text === `$(server-environment) ${context} · staging` ? s : undefined;
    }, DEADLINE_MS);
    assert.equal(after.command, 'stackgres.chooseConnection');
  });

  it('hides with stackgres.statusBar.show: false, and shows again when set back', async () => {
    await waitFor('the item to show', async () => ((await statusBar()) ? true : undefined), DEADLINE_MS);
    await vscode.workspace.getConfiguration('stackgres').update('statusBar.show', false, vscode.ConfigurationTarget.Global);
    await waitFor('the item to hide', async () => ((await statusBar()) === undefined ? true : undefined), DEADLINE_MS);
    await vscode.workspace.getConfiguration('stackgres').update('statusBar.show', true, vscode.ConfigurationTarget.Global);
    await waitFor('the item to show again', async () => ((await statusBar()) ? true : undefined), DEADLINE_MS);
  });
});

describe('Which documents are StackGres manifests (the menus\' context keys)', () => {
  after(() => removeFixtureFolder('first-run'));

  async function isStackGres(uri: vscode.Uri, expected: boolean, what: string): Promise<void> {
    const documents = (await testingApi()).context.stackgresDocuments;
    assert.ok(documents);
    await waitFor(what, () => (documents.has(uri) === expected ? true : undefined), DEADLINE_MS);
  }

  it('a YAML file becomes one when a StackGres apiVersion is typed into it, and stops being one when it is removed', async () => {
    const editor = await writeFixture('first-run', 'deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n');
    const uri = editor.document.uri;
    await isStackGres(fixtureUri('storage.yaml'), true, 'storage.yaml (found by the workspace scan) to be one');
    await isStackGres(uri, false, 'a Deployment not to be one');
    const end = editor.document.positionAt(editor.document.getText().length);
    await editor.edit((e) => e.insert(end, '---\napiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: db\n'));
    await isStackGres(uri, true, 'the file to be one once a document has apiVersion stackgres.io/v1');
    await vscode.commands.executeCommand('undo');
    await isStackGres(uri, false, 'the file to stop being one after the undo');
  });

  it('a file written outside the editor is seen without being opened (the Explorer\'s menu)', async () => {
    const uri = fixtureUri('first-run/written-by-git.yaml');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata:\n  name: s\n'));
    await isStackGres(uri, true, 'the new file to be one');
    await vscode.workspace.fs.delete(uri);
    await isStackGres(uri, false, 'the deleted file to be forgotten');
  });
});

describe('The StackGres view\'s welcome content', () => {
  afterEach(async () => {
    const { context } = await testingApi();
    await context.connection.chooseContext(undefined);
    await context.connection.chooseNamespace(undefined);
    await waitFor('the context row to return', async () => ((await treeRows()).some((r) => r.label === kubeTarget().context) ? true : undefined), DEADLINE_MS);
  });

  async function welcome(expected: string): Promise<void> {
    const { context } = await testingApi();
    let rows = '';
    await waitFor(`the view to be empty with welcome content "${expected}"`, async () => {
      const shown = await treeRows();
      rows = describeRows(shown);
      return shown.length === 0 && context.tree?.treeState === expected ? true : undefined;
    }, DEADLINE_MS).catch((err: Error) => {
      throw new Error(`${err.message}; the view shows ${rows} (${context.tree?.treeState})`);
    });
  }

  it('a namespace without StackGres objects: empty, with the buttons to start (not an empty context row)', async () => {
    const { context } = await testingApi();
    await context.connection.chooseNamespace('default');
    await welcome('empty');
  });

  it('a context the kubeconfig lacks: empty, with the reason above the buttons to choose a kubeconfig or context', async () => {
    const { context } = await testingApi();
    await context.connection.chooseContext('no-such-context');
    await welcome('noConnection');
  });
});
