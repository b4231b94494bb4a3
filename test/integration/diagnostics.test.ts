import * as assert from 'node:assert/strict';
import { DIAGNOSTIC_SOURCE, describeDiagnostic, openFixture, stackgresDiagnostics, waitForDiagnostics } from './helpers';

describe('Diagnostics', () => {
  it('reports nothing on a plain Kubernetes Deployment @restricted', async () => {
    const deployment = await openFixture('deployment.yaml');
    // Proof the server has checked what was open: the storage without `type` (opened after the Deployment)
    // gets its warning. Without it, "no diagnostics" would also pass with no server at all.
    const control = await openFixture('storage-no-type.yaml');
    await waitForDiagnostics(
      control.document.uri,
      (ds) => ds.some((d) => d.source === DIAGNOSTIC_SOURCE),
      'a StackGres diagnostic (the storage has no `type`)',
    );
    assert.deepEqual(stackgresDiagnostics(deployment.document.uri).map(describeDiagnostic), []);
  });
});
