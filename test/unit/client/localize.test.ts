// The modules that also run without VS Code (Kubernetes layer, restore writer) translate through what the
// extension hands in at activation, and keep the English text, placeholders filled, without it.
import * as assert from 'node:assert/strict';
import { crdsMissing, toKubeError } from '../../../client/src/kube/errors';
import { ENGLISH, useLocalize } from '../../../client/src/localize';

describe('Localize hand-in (vscode-free client modules)', () => {
  afterEach(() => useLocalize(ENGLISH));

  it('gives the English text with its placeholders filled when nothing was handed in', () => {
    assert.equal(crdsMissing({ context: 'prod' }).message, 'StackGres is not installed in the cluster of context "prod" (no stackgres.io CRDs).');
    assert.equal(ENGLISH.t('{0} of {1}, {2} kept', 3, 'x'), '3 of x, {2} kept');
  });

  it('routes a Kubernetes error\'s message and action through the handed-in translation', () => {
    const seen: string[] = [];
    useLocalize({ t: (message, ...args) => { seen.push(message); return `«${ENGLISH.t(message, ...args)}»`; } });
    const e = crdsMissing({ context: 'prod' });
    assert.equal(e.message, '«StackGres is not installed in the cluster of context "prod" (no stackgres.io CRDs).»');
    assert.match(e.action ?? '', /^«Install the StackGres operator/);
    assert.ok(seen.includes('StackGres is not installed in the cluster of context "{0}" (no stackgres.io CRDs).'), 'fixed text with a placeholder');
    const refused = toKubeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }), { context: 'prod', server: 'https://127.0.0.1:6443' });
    assert.match(refused.message, /^«Cannot reach the cluster of context "prod" at 127\.0\.0\.1:6443: «connection refused»\.»$/);
    assert.match(refused.action ?? '', /^«Is the cluster up/);
  });
});
