// The kube bundle as the build makes it (scripts/clientNodeConfigOnly.mjs): client-node's KubeConfig
// without its generated API, which would cost the extension host 49 MiB, and still a working adapter.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { KubeModule } from '../../../../client/src/kube/open';
import { startKubeServer, type KubeServer } from '../../../kube-server';
import { sgBackup, waitFor } from './helpers';
import { describeWithReference } from '../../../reference';

const REPO = path.resolve(__dirname, '../../../..');

describeWithReference('The Kubernetes adapter bundle (dist/kube.js)', function () {
  this.timeout(60000);
  let dir: string;
  let inputs: string[];
  let kube: KubeModule;
  let server: KubeServer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'stackgres-kube-bundle-'));
    // A variable path: the plugin is a build script, not part of the typed sources.
    const pluginFile = path.join(REPO, 'scripts/clientNodeConfigOnly.mjs');
    const { clientNodeConfigOnly } = (await import(pluginFile)) as { clientNodeConfigOnly: esbuild.Plugin };
    const outfile = path.join(dir, 'kube.js');
    // The options of scripts/build.mjs for the bundles of the extension host.
    const result = await esbuild.build({
      entryPoints: [path.join(REPO, 'client/src/kube/clientNode.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      external: ['vscode'],
      define: { navigator: 'undefined' },
      metafile: true,
      logLevel: 'error',
      plugins: [clientNodeConfigOnly],
    });
    inputs = Object.keys(result.metafile.inputs);
    kube = require(outfile) as KubeModule;
    server = await startKubeServer({ tls: true, operator: { enabled: false } });
  });
  after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("holds client-node's KubeConfig, and neither its generated API nor node-fetch", () => {
    assert.ok(inputs.some((f) => /@kubernetes\/client-node\/dist\/config\.js$/.test(f)), 'KubeConfig is bundled');
    const generated = inputs.filter((f) => /@kubernetes\/client-node\/dist\/gen\//.test(f));
    assert.deepEqual(generated, [], 'no module of the generated API');
    assert.deepEqual(inputs.filter((f) => /node_modules\/(node-fetch|whatwg-url|tr46)\//.test(f)), []);
  });

  it('lists, watches, writes and reads Secret key names through the bundle', async () => {
    const api = await kube.openKube({ kubeconfigYaml: server.kubeconfig(), trusted: false });
    try {
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bundle' } });
      await api.apply(sgBackup('bundle', 'first'));
      const cache = api.cache('SGBackup', { namespace: 'bundle' });
      await cache.ready();
      assert.deepEqual(cache.items().map((o) => o.metadata.name), ['first']);
      await api.create(sgBackup('bundle', 'second'));
      await waitFor('the watch to deliver the new backup', () => cache.get('bundle', 'second') !== undefined, 10_000);
      await api.createSecret('bundle', 'creds', { accesskey: Buffer.from('AKIA') });
      assert.deepEqual(await api.secretNames('bundle'), ['creds']);
      assert.deepEqual(await api.secretKeys('bundle', 'creds'), ['accesskey']);
      assert.equal(await api.delete('SGBackup', 'bundle', 'first'), true);
      assert.equal((await api.list('SGBackup', { namespace: 'bundle' })).items.length, 1);
    } finally {
      api.dispose();
    }
  });
});
