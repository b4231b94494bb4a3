import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, loggedActivationMs, openFixture, runConfig, waitFor } from './helpers';

// Tests tagged @restricted also run in the driver's second pass, where the workspace is not trusted.
describe('The StackGres extension in the editor', () => {
  it('opens the workspace with the trust the run asked for @restricted', () => {
    assert.equal(vscode.workspace.isTrusted, runConfig().workspaceTrusted);
  });

  it('is installed, and activates when a YAML file opens @restricted', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    assert.equal(extension.isActive, false, 'nothing activated it before a YAML file opened');
    await openFixture('deployment.yaml');
    await waitFor(`${EXTENSION_ID} to activate`, () => (extension.isActive ? true : undefined));
  });

  it('logs its activation time, under 200 ms @restricted', async () => {
    const ms = await loggedActivationMs();
    assert.ok(ms < 200, `activation took ${ms} ms`);
  });
});
