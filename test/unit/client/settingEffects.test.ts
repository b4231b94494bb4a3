import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changeNeedsRestart, RESTART_SETTINGS, SETTING_EFFECTS } from '../../../client/src/settingEffects';

const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
};
const contributed = Object.keys(manifest.contributes.configuration.properties);

/** A change event's affectsConfiguration for the changed setting keys. */
const changed = (...keys: string[]) => (section: string) => keys.some((k) => k === section || k.startsWith(`${section}.`));

describe('Which settings restart the language server', () => {
  it('lists every contributed setting, and only those', () => {
    assert.deepEqual([...contributed].sort(), Object.keys(SETTING_EFFECTS).sort());
  });

  it('restarts for maxFileSizeMB and the three feature settings only (the server reads them when it starts)', () => {
    assert.deepEqual([...RESTART_SETTINGS].sort(), ['stackgres.completion', 'stackgres.hover', 'stackgres.validate.schema', 'stackgres.validation.maxFileSizeMB']);
    for (const key of RESTART_SETTINGS) assert.equal(changeNeedsRestart(changed(key)), true, key);
  });

  it('applies the others in place', () => {
    for (const key of ['stackgres.trace.server', 'stackgres.codeLens.objectStorage', 'stackgres.kubeconfig', 'stackgres.live.secretsRefreshSeconds']) {
      assert.equal(changeNeedsRestart(changed(key)), false, key);
    }
    assert.equal(changeNeedsRestart(changed('editor.fontSize')), false, 'not ours');
  });

  it('restarts for a StackGres setting the table does not know, and when a restart setting changes with others', () => {
    assert.equal(changeNeedsRestart(changed('stackgres.someNewSetting')), true);
    assert.equal(changeNeedsRestart(changed('stackgres.trace.server', 'stackgres.validation.maxFileSizeMB')), true);
  });
});
