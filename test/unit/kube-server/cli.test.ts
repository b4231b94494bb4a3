import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeProtobuf } from '../../kube-server/protobuf';
import { SG, waitFor, k8s } from './helpers';
import { itWithReference } from '../../reference';

const ROOT = path.resolve(__dirname, '../../..');

describe('kube-server: standalone CLI and kubectl compatibility', function () {
  this.timeout(20000);

  itWithReference('starts with --tls --seed demo, writes a kubeconfig client-node can use, and stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-server-cli-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'test/kube-server/cli.ts', '--tls', '--seed', 'demo', '--quiet', '--kubeconfig-out', kubeconfig], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('the CLI to report it is listening', () => /listening on https:\/\/127\.0\.0\.1:\d+/.test(output), 15000);
      const { KubeConfig, CustomObjectsApi } = await k8s();
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      assert.equal(kc.getCurrentContext(), 'stackgres-test');
      assert.equal(kc.getContextObject('stackgres-test')?.namespace, 'demo');
      const backups = await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...SG, namespace: 'demo', plural: 'sgbackups' });
      assert.ok(backups.items.some((b: { status?: { process?: { status?: string } } }) => b.status?.process?.status === 'Failed'));
      assert.ok(backups.items.filter((b: { status?: { process?: { status?: string } } }) => b.status?.process?.status === 'Completed').length >= 5);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the protobuf bodies kubectl sends for `kubectl create secret generic`', () => {
    const varint = (n: number): number[] => {
      const out: number[] = [];
      while (n > 0x7f) {
        out.push((n & 0x7f) | 0x80);
        n >>= 7;
      }
      out.push(n);
      return out;
    };
    const field = (no: number, value: Buffer | string): Buffer => {
      const b = Buffer.isBuffer(value) ? value : Buffer.from(value);
      return Buffer.from([...varint((no << 3) | 2), ...varint(b.length), ...b]);
    };
    const entry = (k: string, v: string): Buffer => Buffer.concat([field(1, k), field(2, v)]);
    const secret = Buffer.concat([field(1, Buffer.concat([field(1, 'creds'), field(3, 'demo')])), field(2, entry('accesskey', 'placeholder')), field(3, 'Opaque')]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, Buffer.concat([field(1, 'v1'), field(2, 'Secret')])), field(2, secret)]);
    assert.deepEqual(decodeProtobuf(body), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'demo' },
      data: { accesskey: Buffer.from('placeholder').toString('base64') },
      type: 'Opaque',
    });
  });
});
