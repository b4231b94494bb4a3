/**
 * The StackGres view in the real editor, on the cluster the driver connected the extension to (the sandbox, or
 * a real cluster with `--kubeconfig`): context → namespaces → clusters → backups and object storages.
 */
import * as assert from 'node:assert/strict';
import { kubeTarget, waitForTreeRow } from './helpers';

describe('StackGres view', () => {
  it('shows the kubeconfig context the driver configured @cluster', async () => {
    const kube = kubeTarget();
    const row = await waitForTreeRow([kube.context]);
    assert.equal(row.item.contextValue, 'stackgres.context');
    assert.match(row.tooltip, new RegExp(kube.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});
