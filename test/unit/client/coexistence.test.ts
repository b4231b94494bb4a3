// Who answers on StackGres documents beside Red Hat YAML: the settings' decision (the real-editor setups in
// test/e2e/coexistence.ts check what the user then sees).
import * as assert from 'node:assert/strict';
import { decideCoexistence, featureMode, mentionsStackGres, STACKGRES_LABEL, type FeatureModes } from '../../../client/src/coexistence';

const modes = (schema: string, completion: string, hover: string): FeatureModes => ({ schema: featureMode(schema), completion: featureMode(completion), hover: featureMode(hover) });

describe('coexistence with Red Hat YAML: who answers on StackGres documents', () => {
  it('auto, without Red Hat YAML: ours answers everything and claims nothing', () => {
    assert.deepEqual(decideCoexistence(modes('auto', 'auto', 'auto'), false), { claimStackGresDocuments: false, ours: { schema: true, completion: true, hover: true } });
  });

  it('auto, with Red Hat YAML: ours answers and Red Hat YAML gets no other schema for StackGres documents', () => {
    assert.deepEqual(decideCoexistence(modes('auto', 'auto', 'auto'), true), { claimStackGresDocuments: true, ours: { schema: true, completion: true, hover: true } });
  });

  it('one feature off, with Red Hat YAML: Red Hat YAML keeps its schemas, auto features leave it to them, on keeps ours', () => {
    assert.deepEqual(decideCoexistence(modes('auto', 'on', 'off'), true), { claimStackGresDocuments: false, ours: { schema: false, completion: true, hover: false } });
  });

  it('off without Red Hat YAML turns only that feature off', () => {
    assert.deepEqual(decideCoexistence(modes('off', 'auto', 'on'), false), { claimStackGresDocuments: false, ours: { schema: false, completion: true, hover: true } });
  });

  it('an unknown value counts as auto', () => {
    assert.equal(featureMode('yes'), 'auto');
    assert.equal(featureMode(undefined), 'auto');
  });

  it('the label, as vscode-yaml builds its regular expression, matches StackGres apiVersions only', () => {
    // vscode-yaml 1.25 (registerContributor): `${key}:[\t ]+${value with dots escaped}`.
    const [key, value] = STACKGRES_LABEL.split(':');
    const re = new RegExp(`${key}:[\t ]+${value.trim().replaceAll('.', '\\.')}`);
    for (const text of ['apiVersion: stackgres.io/v1\nkind: SGCluster', "apiVersion: 'stackgres.io/v1beta1'", 'kind: X\napiVersion:\t"stackgres.io/v1"']) {
      assert.ok(re.test(text), text);
      assert.ok(mentionsStackGres(text), text);
    }
    for (const text of ['apiVersion: apps/v1', 'apiVersion: stackgresXio/v1', 'name: stackgres.io/v1']) {
      assert.ok(!re.test(text), text);
      assert.ok(!mentionsStackGres(text), text);
    }
  });
});
