/**
 * Settings of machine scope are read from the Remote settings in a remote window and ignored in User
 * settings there (issue 16 §2): each one's description must say where to set it.
 */
import * as assert from 'node:assert/strict';
import { kubeconfigSetting } from '../../../client/src/workspaceSettings';
import { english, manifest as packageJson } from '../packageManifest';

interface Property {
  scope?: string;
  markdownDescription?: string;
  description?: string;
}

const manifest = packageJson as unknown as { contributes: { configuration: { properties: Record<string, Property> } } };

describe('settings of machine scope', () => {
  const machine = Object.entries(manifest.contributes.configuration.properties).filter(([, p]) => p.scope === 'machine' || p.scope === 'machine-overridable');

  it('include stackgres.kubeconfig', () => {
    assert.ok(machine.some(([key]) => key === 'stackgres.kubeconfig'));
  });

  it('each say that a remote window reads them from the Remote settings, not User settings', () => {
    for (const [key, p] of machine) {
      const text = english(p.markdownDescription ?? p.description ?? '');
      assert.match(text, /Remote settings/, `${key} names the Remote settings`);
      assert.match(text, /remote window/i, `${key} says when they apply`);
      assert.match(text, /Preferences: Open Remote Settings/, `${key} names the command that opens them`);
    }
  });
});

describe('the StackGres view in a remote window with stackgres.kubeconfig left in User settings', () => {
  it('shows welcome content that opens the Remote settings (the tree state provider.ts sets)', () => {
    const welcome = (packageJson as { contributes: { viewsWelcome: { when: string; contents: string }[] } }).contributes.viewsWelcome.find((w) => w.when === 'stackgres.tree == remoteSettings');
    assert.ok(welcome, 'a viewsWelcome entry for stackgres.tree == remoteSettings');
    assert.match(english(welcome.contents), /\[Open Remote Settings\]\(command:workbench\.action\.openRemoteSettings\)/);
  });
});

describe('kubeconfigSetting (the value a User or Remote settings file sets)', () => {
  it('reads the dotted and the nested form, with comments and trailing commas', () => {
    assert.equal(kubeconfigSetting('{\n // mine\n "stackgres.kubeconfig": "/k/config",\n}'), '/k/config');
    assert.equal(kubeconfigSetting('{"stackgres": {"kubeconfig": " /k/nested "}}'), '/k/nested');
  });

  it('is undefined for no value, an empty one, a non-string or a file that is not JSON', () => {
    assert.equal(kubeconfigSetting('{"editor.tabSize": 2}'), undefined);
    assert.equal(kubeconfigSetting('{"stackgres.kubeconfig": "  "}'), undefined);
    assert.equal(kubeconfigSetting('{"stackgres.kubeconfig": 3}'), undefined);
    assert.equal(kubeconfigSetting('not json'), undefined);
  });
});
