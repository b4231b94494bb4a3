import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { SG, clients, clusterManifest, failure, k8s, type Clients } from './helpers';
import { describeWithReference } from '../../reference';

describeWithReference('kube-server: server-side apply and field managers', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;

  before(async () => {
    server = await startKubeServer({ operator: { enabled: false } });
    c = await clients(server);
    await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
  });
  after(() => server.stop());

  async function apply(body: Record<string, unknown>, manager: string, force?: boolean, dryRun?: string): Promise<Record<string, any>> {
    const m = await k8s();
    return (await c.objects.patch(body as never, undefined, dryRun, manager, force, m.PatchStrategy.ServerSideApply)) as Record<string, any>;
  }

  function withNs(body: Record<string, unknown>): Record<string, any> {
    const b = structuredClone(body) as Record<string, any>;
    b.metadata.namespace = 'demo';
    return b;
  }

  it('creates an object on first apply and records the manager in managedFields', async () => {
    const created = await apply(withNs(clusterManifest('ssa')), 'vscode-stackgres');
    assert.equal(created.spec.instances, 1);
    const entry = created.metadata.managedFields.find((f: { manager: string }) => f.manager === 'vscode-stackgres');
    assert.equal(entry.operation, 'Apply');
    assert.deepEqual(entry.fieldsV1['f:spec']['f:instances'], {});
  });

  it('rejects an apply that changes a field another manager owns, listing the conflict like kube', async () => {
    // Another client (kubectl client-side apply) changes spec.instances with an update.
    const m = await k8s();
    await c.custom.patchNamespacedCustomObject(
      { ...SG, namespace: 'demo', plural: 'sgclusters', name: 'ssa', fieldManager: 'kubectl-client-side-apply', body: { spec: { instances: 3 } } },
      m.setHeaderOptions('Content-Type', m.PatchStrategy.MergePatch),
    );
    const mine = withNs(clusterManifest('ssa'));
    mine.spec.instances = 2;
    const r = await failure(() => apply(mine, 'vscode-stackgres'));
    assert.equal(r.code, 409);
    assert.equal(r.status?.reason, 'Conflict');
    assert.equal(r.status?.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using stackgres.io/v1: .spec.instances');
    assert.deepEqual(r.status?.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using stackgres.io/v1', field: '.spec.instances' }]);
  });

  it('does not conflict when the other manager already has the applied value', async () => {
    const same = withNs(clusterManifest('ssa'));
    same.spec.instances = 3;
    const result = await apply(same, 'vscode-stackgres');
    assert.equal(result.spec.instances, 3);
  });

  it('takes ownership with force=true', async () => {
    const mine = withNs(clusterManifest('ssa'));
    mine.spec.instances = 2;
    const forced = await apply(mine, 'vscode-stackgres', true);
    assert.equal(forced.spec.instances, 2);
    const other = forced.metadata.managedFields.find((f: { manager: string }) => f.manager === 'kubectl-client-side-apply');
    assert.equal(other?.fieldsV1?.['f:spec']?.['f:instances'], undefined, 'the other manager lost .spec.instances');
  });

  it('removes fields the manager applied before and no longer applies', async () => {
    const withLabel = withNs(clusterManifest('ssa'));
    withLabel.spec.instances = 2;
    withLabel.metadata.labels = { team: 'payments' };
    withLabel.spec.configurations = { backups: [{ sgObjectStorage: 'store', cronSchedule: '0 3 * * *' }] };
    const first = await apply(withLabel, 'vscode-stackgres');
    assert.equal(first.metadata.labels.team, 'payments');
    assert.equal(first.spec.configurations.backups[0].retention, 5, 'CRD defaults are applied');
    const without = withNs(clusterManifest('ssa'));
    without.spec.instances = 2;
    const second = await apply(without, 'vscode-stackgres');
    assert.equal(second.metadata.labels?.team, undefined);
    assert.equal(second.spec.configurations, undefined);
  });

  it('lists several conflicts grouped by manager', async () => {
    const m = await k8s();
    await c.custom.patchNamespacedCustomObject(
      { ...SG, namespace: 'demo', plural: 'sgclusters', name: 'ssa', fieldManager: 'helm', body: { spec: { instances: 4, postgres: { version: '16.5' } } } },
      m.setHeaderOptions('Content-Type', m.PatchStrategy.MergePatch),
    );
    const mine = withNs(clusterManifest('ssa'));
    mine.spec.instances = 2;
    const r = await failure(() => apply(mine, 'vscode-stackgres'));
    assert.equal(r.code, 409);
    assert.equal(r.status?.message, 'Apply failed with 2 conflicts: conflicts with "helm" using stackgres.io/v1:\n- .spec.instances\n- .spec.postgres.version');
  });

  it('validates an apply with dryRun=All without persisting it', async () => {
    const before = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'ssa' });
    const mine = withNs(clusterManifest('ssa'));
    mine.spec.instances = 7;
    const preview = await apply(mine, 'vscode-stackgres', true, 'All');
    assert.equal(preview.spec.instances, 7);
    const after = await c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgclusters', name: 'ssa' });
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(after.spec.instances, 4);
  });

  it('requires a fieldManager for apply', async () => {
    const m = await k8s();
    const r = await failure(() => c.objects.patch(withNs(clusterManifest('ssa')) as never, undefined, undefined, undefined, undefined, m.PatchStrategy.ServerSideApply));
    assert.equal(r.code, 400);
  });

  it('accepts a YAML apply body, as kubectl --server-side sends', async () => {
    const yaml = ['apiVersion: stackgres.io/v1', 'kind: SGBackup', 'metadata:', '  name: from-yaml', 'spec:', '  sgCluster: ssa', ''].join('\n');
    const res = await fetch(`${server.url}/apis/stackgres.io/v1/namespaces/demo/sgbackups/from-yaml?fieldManager=kubectl`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${server.tokens.admin}`, 'Content-Type': 'application/apply-patch+yaml' },
      body: yaml,
    });
    assert.equal(res.status, 201);
    const obj = (await res.json()) as { spec: { sgCluster: string } };
    assert.equal(obj.spec.sgCluster, 'ssa');
  });
  describe('spec.managedLifecycle of an SGBackup (Keep / Let Retention Manage)', () => {
    const backup = (name: string, managed: boolean, extra: Record<string, unknown> = {}): Record<string, any> => ({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGBackup',
      metadata: { name, namespace: 'demo', ...extra },
      spec: { managedLifecycle: managed },
    });

    before(async () => {
      // Created as a client does (POST): the creator owns spec.managedLifecycle through an Update.
      await c.custom.createNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', fieldManager: 'stackgres-vscode', body: { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name: 'kept' }, spec: { sgCluster: 'ssa', managedLifecycle: true } } });
    });

    it('our own create is an Update, so even the same manager name conflicts until forced; then it owns the field through Apply', async () => {
      const r = await failure(() => apply(backup('kept', false), 'stackgres-vscode'));
      assert.equal(r.code, 409);
      assert.equal(r.status?.message, 'Apply failed with 1 conflict: conflict with "stackgres-vscode" using stackgres.io/v1: .spec.managedLifecycle');
      const forced = await apply(backup('kept', false), 'stackgres-vscode', true);
      assert.equal(forced.spec.managedLifecycle, false);
      assert.equal(forced.spec.sgCluster, 'ssa', 'the fields it did not apply stay');
      const owners = forced.metadata.managedFields.filter((f: any) => f.fieldsV1?.['f:spec']?.['f:managedLifecycle']).map((f: any) => `${f.manager}/${f.operation}`);
      assert.deepEqual(owners, ['stackgres-vscode/Apply']);
      const back = await apply(backup('kept', true), 'stackgres-vscode');
      assert.equal(back.spec.managedLifecycle, true, 'toggled back without force: the field is ours now');
    });

    it('a uid in the applied object is a precondition: another object of that name, or none, is a 409 and nothing is written', async () => {
      const live = await apply(backup('kept', true), 'stackgres-vscode');
      const other = await failure(() => apply(backup('kept', false, { uid: '00000000-0000-0000-0000-000000000000' }), 'stackgres-vscode'));
      assert.deepEqual([other.code, other.status?.message], [409, `Operation cannot be fulfilled on sgbackups.stackgres.io "kept": Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: ${live.metadata.uid}`]);
      const none = await failure(() => apply(backup('gone', false, { uid: live.metadata.uid }), 'stackgres-vscode'));
      assert.equal(none.code, 409);
      assert.match(none.status?.message ?? '', /uid mismatch: the provided object specified uid .*, and no existing object was found/);
      assert.equal((await failure(() => c.custom.getNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups', name: 'gone' }))).code, 404, 'nothing was created');
      const ok = await apply(backup('kept', false, { uid: live.metadata.uid }), 'stackgres-vscode');
      assert.equal(ok.spec.managedLifecycle, false);
    });
  });
});
