/**
 * The StackGres view in the real editor, on the cluster the driver connected the extension to: context →
 * namespaces → clusters (instances, Postgres version, schedule in words) → backups (status icon, failure in the
 * tooltip), and the object storages; kept live by watches; error and Restricted Mode states.
 *
 * Tests tagged @cluster hold against a real cluster too (`npm run test:cluster`): they create what they look
 * at in a scratch namespace of their own. The others read what the sandbox was seeded with.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { KubeApi, KubeObject } from '../../client/src/kube/api';
import {
  describeRows,
  EXTENSION_ID,
  kubeTarget,
  runConfig,
  scratchNamespace,
  testingApi,
  treeRows,
  waitFor,
  waitForTreeRow,
  type TreeRow,
} from './helpers';

/** How long a change made through the API may take to show in the tree (watch event + the model's debounce). */
const LIVE_DEADLINE_MS = 10_000;

const iconId = (row: TreeRow): string | undefined => (row.item.iconPath instanceof vscode.ThemeIcon ? row.item.iconPath.id : undefined);
const isBackupRow = (row: TreeRow): boolean => row.item.contextValue?.startsWith('stackgres.backup.') === true;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Step = Parameters<typeof waitForTreeRow>[0][number];

async function kubeApi(): Promise<KubeApi> {
  return (await testingApi()).context.connection.api();
}

describe('StackGres view', () => {
  it('shows the kubeconfig context the driver configured @cluster', async () => {
    const kube = kubeTarget();
    const row = await waitForTreeRow([kube.context]);
    assert.equal(row.item.contextValue, 'stackgres.context');
    assert.match(row.tooltip, new RegExp(escape(kube.url)));
  });

  describe('on objects created through the API in a scratch namespace', () => {
    let namespace = '';
    const cluster = 'tree-db';
    const storage = 'tree-storage';
    const failure = 'Backup failed while perfroming backup-push:\nERROR: failed to upload: SignatureDoesNotMatch';
    const path = (...rest: Step[]) => [kubeTarget().context, namespace, ...rest];

    before(async () => {
      namespace = scratchNamespace('tree');
      const api = await kubeApi();
      const s3 = runConfig().s3;
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      const placeholder = new TextEncoder().encode('placeholder');
      await api.createSecret(namespace, `${storage}-keys`, { accessKeyId: placeholder, secretAccessKey: placeholder });
      const storageSpec = {
        type: 's3Compatible',
        s3Compatible: {
          bucket: 'tree-bucket',
          endpoint: s3?.endpoint ?? 'http://127.0.0.1:9000',
          region: 'us-east-1',
          enablePathStyleAddressing: true,
          awsCredentials: {
            secretKeySelectors: {
              accessKeyId: { name: `${storage}-keys`, key: 'accessKeyId' },
              secretAccessKey: { name: `${storage}-keys`, key: 'secretAccessKey' },
            },
          },
        },
      };
      await api.create({ apiVersion: 'stackgres.io/v1beta1', kind: 'SGObjectStorage', metadata: { name: storage, namespace }, spec: storageSpec });
      await api.create({
        apiVersion: 'stackgres.io/v1',
        kind: 'SGCluster',
        metadata: { name: cluster, namespace },
        spec: {
          instances: 1,
          postgres: { version: '16' },
          pods: { persistentVolume: { size: '1Gi' } },
          configurations: { backups: [{ sgObjectStorage: storage, cronSchedule: '30 4 * * *', retention: 3 }] },
        },
      });
      // Finished backups are created with their status, as a copy between namespaces is (StackGres restore runbook).
      const ended = Date.now() - 2 * 3_600_000;
      const iso = (ms: number) => new Date(ms).toISOString();
      const backupPath = `sgbackups.stackgres.io/${namespace}/${cluster}/16`;
      const finished = (name: string, process: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
        apiVersion: 'stackgres.io/v1',
        kind: 'SGBackup',
        metadata: { name, namespace },
        spec: { sgCluster: cluster, managedLifecycle: false },
        status: { backupPath, process: { jobPod: `${name}-backup-x1y2z`, ...process }, sgBackupConfig: { baseBackups: { compression: 'lz4' }, storage: storageSpec }, ...extra },
      });
      await api.create(
        finished(
          `${cluster}-completed`,
          { status: 'Completed', managedLifecycle: false, timing: { start: iso(ended - 60_000), end: iso(ended), stored: iso(ended + 1_000) } },
          {
            internalName: 'base_000000010000000000000004',
            backupInformation: { postgresVersion: '160004', size: { compressed: 4_194_304, uncompressed: 31_457_280 }, timeline: '1', startWalFile: '000000010000000000000004' },
          },
        ),
      );
      await api.create(finished(`${cluster}-failed`, { status: 'Failed', failure }));
    });

    it('lists the namespace with its cluster count @cluster', async () => {
      const row = await waitForTreeRow(path(), LIVE_DEADLINE_MS);
      assert.equal(row.item.contextValue, 'stackgres.namespace');
      assert.equal(row.description, '1 cluster');
    });

    it('describes the cluster: instances, Postgres version and the schedule in words @cluster', async () => {
      const row = await waitForTreeRow(path(cluster), LIVE_DEADLINE_MS);
      assert.equal(row.item.contextValue, 'stackgres.cluster.backups', 'a cluster with backups configured');
      assert.match(row.description, /^1 instance · PG 16 · .*04:30/, 'instances, version, then the schedule in words');
      assert.doesNotMatch(row.description, /30 4 \* \* \*/, 'the schedule in words, not the cron expression');
      assert.match(row.tooltip, new RegExp(`SGObjectStorage \`${storage}\``));
      assert.equal(row.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'it has backups to expand');
    });

    it('shows a Completed backup with a passed icon, and a Failed one with its failure in the tooltip @cluster', async () => {
      const completed = await waitForTreeRow(path(cluster, `${cluster}-completed`), LIVE_DEADLINE_MS);
      assert.match(completed.item.contextValue ?? '', /^stackgres\.backup\.completed\.(kept|managed)$/);
      assert.equal(iconId(completed), 'pass');
      assert.match(completed.description, /4 MiB|4\.0 MiB/, `the compressed size in ${completed.description}`);
      assert.match(completed.description, /PG 16/);
      assert.match(completed.tooltip, /\*\*Completed\*\*/);

      const failed = await waitForTreeRow(path(cluster, `${cluster}-failed`), LIVE_DEADLINE_MS);
      assert.equal(failed.item.contextValue, 'stackgres.backup.failed');
      assert.equal(iconId(failed), 'error');
      assert.match(failed.tooltip, /SignatureDoesNotMatch/, 'the failure message is in the tooltip');
    });

    it('lists the namespace object storages @cluster', async () => {
      const storages = await waitForTreeRow(path('Object storages'), LIVE_DEADLINE_MS);
      assert.equal(storages.item.contextValue, 'stackgres.storages');
      const rows = await treeRows(storages.node);
      const row = rows.find((r) => r.label === storage);
      assert.ok(row, `${storage} under Object storages: ${describeRows(rows)}`);
      assert.equal(row.item.contextValue, 'stackgres.storage');
      assert.match(row.description, /s3Compatible, bucket tree-bucket/);
    });

    it('shows a backup created through the API within 10 s, and follows its status (to Completed on the sandbox) @cluster', async () => {
      const api = await kubeApi();
      const name = `${cluster}-live`;
      await api.create({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', metadata: { name, namespace }, spec: { sgCluster: cluster, managedLifecycle: false } });
      const appeared = await waitForTreeRow(path(cluster, name), LIVE_DEADLINE_MS);
      assert.ok(isBackupRow(appeared), `a backup row: ${appeared.item.contextValue ?? ''}`);
      if (kubeTarget().target === 'sandbox') {
        // The simulated operator takes it through Pending and Running to Completed in a few steps.
        const done = await waitForTreeRow(path(cluster, (r) => r.label === name && r.item.contextValue === 'stackgres.backup.completed.kept'), LIVE_DEADLINE_MS);
        assert.equal(iconId(done), 'pass');
      } else {
        // A real operator may take minutes: the row shows whatever phase the object is in now.
        await waitFor(
          'the row to show the phase of the SGBackup',
          async () => {
            const object = await api.get('SGBackup', namespace, name);
            const phase = String((object?.status as { process?: { status?: string } } | undefined)?.process?.status ?? 'Pending').toLowerCase();
            const row = await waitForTreeRow(path(cluster, name), LIVE_DEADLINE_MS);
            return row.item.contextValue?.replace(/\.(kept|managed)$/, '') === `stackgres.backup.${phase}` ? true : undefined;
          },
          LIVE_DEADLINE_MS,
        );
      }
    });

    it('removes a deleted backup from the tree within 10 s @cluster', async () => {
      const api = await kubeApi();
      await waitForTreeRow(path(cluster, `${cluster}-failed`), LIVE_DEADLINE_MS);
      assert.equal(await api.delete('SGBackup', namespace, `${cluster}-failed`), true);
      await waitFor(
        'the deleted backup to leave the tree',
        async () => {
          const rows = await treeRows((await waitForTreeRow(path(cluster), LIVE_DEADLINE_MS)).node);
          return rows.some((r) => r.label === `${cluster}-failed`) ? undefined : true;
        },
        LIVE_DEADLINE_MS,
      );
    });
  });

  describe('on the sandbox', () => {
    it('shows the tutorial cluster with its Completed backups newest first and the Failed one', async () => {
      const world = kubeTarget().world;
      assert.ok(world, 'the sandbox seeded the tutorial cluster (runConfig().kube.world)');
      const clusterRow = await waitForTreeRow([kubeTarget().context, world.namespace, world.cluster.name]);
      assert.match(clusterRow.description, /^2 instances · PG 16\.4 · .*05:00/);
      const rows = (await treeRows(clusterRow.node)).filter(isBackupRow);
      const completed = rows.filter((r) => r.item.contextValue?.startsWith('stackgres.backup.completed.')).map((r) => r.label);
      const seeded = world.completed.map((b) => b.name);
      // Other tests may have added backups of this cluster: the seeded ones keep their order among them.
      assert.deepEqual(
        completed.filter((n) => seeded.includes(n)),
        seeded,
        `the seeded Completed backups, newest first: ${describeRows(rows)}`,
      );
      const failed = rows.find((r) => r.label === world.failed.name);
      assert.ok(failed, `the Failed backup ${world.failed.name} is listed: ${describeRows(rows)}`);
      assert.equal(iconId(failed), 'error');
      assert.ok(failed.tooltip.includes(world.failed.failure.split('\n')[1]), 'its failure message is in the tooltip');
      for (const row of rows.filter((r) => seeded.includes(r.label))) assert.equal(iconId(row), 'pass', `${row.label} has the passed icon`);
    });

    it('lists the storages wired to the sandbox S3', async () => {
      const world = kubeTarget().world;
      assert.ok(world, 'the sandbox seeded the tutorial cluster');
      const storages = await waitForTreeRow([kubeTarget().context, world.namespace, 'Object storages']);
      const rows = await treeRows(storages.node);
      for (const name of [world.storage.name, world.limitedStorage.name]) {
        const row = rows.find((r) => r.label === name);
        assert.ok(row, `${name} is listed: ${describeRows(rows)}`);
        const bucket = runConfig().s3?.bucket;
        if (bucket) assert.match(row.description, new RegExp(`s3Compatible, bucket ${escape(bucket)}`));
      }
    });

    it('lists every seeded namespace', async () => {
      const kube = kubeTarget();
      const rows = await treeRows((await waitForTreeRow([kube.context])).node);
      for (const ns of kube.namespaces) assert.ok(rows.some((r) => r.label === ns), `namespace ${ns} in ${describeRows(rows)}`);
    });
  });

  describe('with a namespace chosen for the workspace', () => {
    const choose = async (answer: string) => {
      const { prompts } = await testingApi();
      prompts.answer(answer);
      await vscode.commands.executeCommand('stackgres.selectNamespace');
    };
    const contextRow = async (predicate: (row: TreeRow) => boolean, what: string): Promise<TreeRow> => {
      let seen = '';
      return waitFor(what, async () => {
        const row = (await treeRows(undefined, LIVE_DEADLINE_MS)).find((r) => r.label === kubeTarget().context);
        seen = row ? `${row.label} (${row.description})` : 'no context row';
        return row && predicate(row) ? row : undefined;
      }, LIVE_DEADLINE_MS).catch((err: Error) => {
        throw new Error(`${err.message}; the tree showed ${seen}`);
      });
    };

    after(async () => {
      await choose('All namespaces');
      await contextRow((r) => !/only/.test(r.description), 'the context row without a namespace scope');
    });

    it('shows only that namespace, takes it for new objects, and All namespaces brings the others back', async () => {
      const [first, second] = kubeTarget().namespaces;
      assert.ok(first && second, 'the sandbox has two namespaces');
      await choose(second);
      const scoped = await contextRow((r) => r.description === `namespace ${second} only`, `the context row saying "namespace ${second} only"`);
      const rows = await treeRows(scoped.node, LIVE_DEADLINE_MS);
      assert.deepEqual(rows.map((r) => r.label), [second], `only ${second}: ${describeRows(rows)}`);
      const api = await kubeApi();
      assert.equal(api.context.namespace, second, 'documents without metadata.namespace go there');
      assert.equal(api.context.namespaceChosen, true);

      await choose('All namespaces');
      const all = await contextRow((r) => !/only/.test(r.description), 'the context row without a namespace scope');
      const again = await treeRows(all.node, LIVE_DEADLINE_MS);
      for (const ns of [first, second]) assert.ok(again.some((r) => r.label === ns), `namespace ${ns} is back: ${describeRows(again)}`);
      assert.notEqual((await kubeApi()).context.namespaceChosen, true);
    });
  });

  describe('when the kubeconfig points at a closed port', () => {
    const original = () => vscode.workspace.getConfiguration('stackgres').inspect<string>('kubeconfig')?.globalValue;
    let saved: string | undefined;

    before(() => {
      saved = original();
    });

    after(async () => {
      await vscode.workspace.getConfiguration('stackgres').update('kubeconfig', saved, vscode.ConfigurationTarget.Global);
      // Back on the driver's cluster: the context row returns.
      await waitForTreeRow([kubeTarget().context], LIVE_DEADLINE_MS);
    });

    it('shows an "unreachable" message node, and the cluster again once the setting is restored @cluster', async () => {
      const port = await closedPort();
      const file = join(dirname(runConfig().resultsFile), 'kubeconfig-closed-port.yaml');
      // No credentials needed: the connection is refused before any request is authenticated.
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: closed, cluster: {server: "https://127.0.0.1:' + port + '", insecure-skip-tls-verify: true}}]',
          'users: [{name: nobody, user: {token: not-a-secret}}]',
          'contexts: [{name: closed-port, context: {cluster: closed, user: nobody}}]',
          'current-context: closed-port',
          '',
        ].join('\n'),
      );
      await vscode.workspace.getConfiguration('stackgres').update('kubeconfig', file, vscode.ConfigurationTarget.Global);
      const unreachable = (r: TreeRow) => r.item.contextValue === 'stackgres.message' && /reach|refused|unreachable/i.test(r.label);
      let seen = '';
      // At the top (the connection failed) or under the context row (its caches failed).
      const message = await waitFor(
        'a message row saying the cluster cannot be reached',
        async () => {
          const roots = await treeRows(undefined, LIVE_DEADLINE_MS);
          const context = roots.find((r) => r.label === 'closed-port');
          const rows = context ? await treeRows(context.node, LIVE_DEADLINE_MS) : roots;
          seen = describeRows(rows);
          return roots.find(unreachable) ?? rows.find(unreachable);
        },
        LIVE_DEADLINE_MS,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; the tree showed ${seen || 'nothing'}`);
      });
      assert.match(message.label, new RegExp(`127\\.0\\.0\\.1:${port}`), 'the message names the server');
    });
  });
});

describe('StackGres view in Restricted Mode', () => {
  it('asks to trust the workspace instead of reading the kubeconfig @restricted', async () => {
    const rows = await treeRows();
    const trust = rows.find((r) => /Trust this workspace/.test(r.label));
    if (vscode.workspace.isTrusted) {
      assert.equal(trust, undefined, `a trusted workspace is not asked for trust: ${describeRows(rows)}`);
    } else {
      assert.ok(trust, `the view asks for trust: ${describeRows(rows)}`);
      assert.equal(rows.length, 1, 'and shows nothing else');
      assert.equal(trust.item.command?.command, 'workbench.trust.manage');
    }
  });
});

describe('Commands', () => {
  it('registers every command contributed in package.json @restricted', async () => {
    await testingApi();
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    const contributed = ((extension?.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});

/** A loopback port nothing listens on (taken from the system, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
