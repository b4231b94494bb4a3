// Kubeconfig resolution as kubectl does it, and credential plugins only in a trusted workspace. Uses
// kubeconfig files in a temporary folder and the test server (TLS); no token is written to disk: the
// exec plugin below reads it from this process's environment.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { openKube } from '../../../../client/src/kube/clientNode';
import { KubeError } from '../../../../client/src/kube/errors';
import { startKubeServer, type KubeServer } from '../../../kube-server';
import { failOnUnhandledRejections, kubeFailure, TEST_BACKOFF } from './helpers';
import { describeWithReference } from '../../../reference';

const TOKEN_ENV = 'SGVSCODE_TEST_TOKEN';
const IN_CLUSTER_TOKEN = 'in-cluster-test-token';

/** An exec credential plugin: prints the token from the environment, and notes that it ran. */
function execPlugin(marker: string, fail?: string): Record<string, unknown> {
  const script = fail
    ? `process.stderr.write(${JSON.stringify(fail)}); process.exit(1)`
    : `require('fs').appendFileSync(process.argv[1], 'ran\\n'); process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: process.env.${TOKEN_ENV} } }))`;
  return { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['-e', script, marker], interactiveMode: 'Never' };
}

async function configError(call: () => Promise<unknown>): Promise<KubeError> {
  const e = await kubeFailure(call);
  assert.equal(e.reason, 'config', e.message);
  return e;
}

describeWithReference('Kubernetes access: kubeconfig resolution', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  let server: KubeServer;
  let dir: string;
  let marker: string;
  let fileA: string;
  let fileB: string;

  before(async () => {
    server = await startKubeServer({
      tls: true,
      operator: { enabled: false },
      users: [
        { name: 'admin', access: 'admin' },
        { name: 'reader', access: 'reader' },
        { name: 'service-account', token: IN_CLUSTER_TOKEN, access: 'admin' },
      ],
    });
    process.env[TOKEN_ENV] = server.tokens.admin;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgvscode-kubeconfig-'));
    marker = path.join(dir, 'plugin-ran');
    fs.mkdirSync(path.join(dir, 'a'));
    fs.mkdirSync(path.join(dir, 'b'));
    // The CA is public; the file name is relative to the kubeconfig that names it.
    fs.writeFileSync(path.join(dir, 'a', 'ca.crt'), server.caCert!);
    fileA = path.join(dir, 'a', 'config');
    fileB = path.join(dir, 'b', 'config');
    fs.writeFileSync(
      fileA,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'merged-a',
        clusters: [{ name: 'test', cluster: { server: server.url, 'certificate-authority': 'ca.crt' } }],
        contexts: [{ name: 'merged-a', context: { cluster: 'test', user: 'plugin-user', namespace: 'orders-team' } }],
      }),
    );
    fs.writeFileSync(
      fileB,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'merged-b',
        clusters: [
          { name: 'test', cluster: { server: 'https://127.0.0.1:9' } },
          { name: 'only-b', cluster: { server: 'https://127.0.0.1:10' } },
        ],
        users: [
          { name: 'plugin-user', user: { exec: execPlugin(marker) } },
          { name: 'broken-plugin-user', user: { exec: execPlugin(marker, 'error: the SSO session has expired') } },
        ],
        contexts: [
          { name: 'merged-b', context: { cluster: 'only-b', user: 'plugin-user' } },
          { name: 'broken-plugin', context: { cluster: 'test', user: 'broken-plugin-user' } },
        ],
      }),
    );
  });
  after(async () => {
    delete process.env[TOKEN_ENV];
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  });

  const env = (...files: string[]): Record<string, string> => ({ KUBECONFIG: files.join(path.delimiter) });

  it('merges every file of KUBECONFIG as kubectl does: first definition and first current-context win, missing files skipped', async () => {
    const api = await openKube({ env: env(fileA, path.join(dir, 'missing'), fileB), trusted: true });
    assert.deepEqual(api.contexts().map((c) => c.name), ['merged-a', 'merged-b', 'broken-plugin']);
    assert.equal(api.context.name, 'merged-a');
    assert.equal(api.context.server, server.url, 'cluster "test" from the first file');
    assert.equal(api.context.namespace, 'orders-team');
    assert.equal(api.context.usesCredentialPlugin, true);
    // The user from the second file, its plugin, and the CA path relative to the first file: it connects.
    assert.ok(Array.isArray(await api.namespaces()));
    assert.match(fs.readFileSync(marker, 'utf8'), /ran/);
  });

  it('uses another context without editing any kubeconfig file', async () => {
    const before = [fs.readFileSync(fileA, 'utf8'), fs.readFileSync(fileB, 'utf8')];
    const api = await openKube({ env: env(fileA, fileB), context: 'merged-b', trusted: true });
    assert.equal(api.context.name, 'merged-b');
    assert.equal(api.context.server, 'https://127.0.0.1:10');
    assert.equal(api.context.namespace, 'default');
    assert.equal(api.withContext('merged-a').context.name, 'merged-a');
    assert.notEqual(api.context.namespaceChosen, true);
    const scoped = await openKube({ env: env(fileA, fileB), context: 'merged-b', namespace: 'team-a', trusted: true });
    assert.equal(scoped.context.namespace, 'team-a', 'the workspace\'s namespace replaces the context\'s');
    assert.equal(scoped.context.namespaceChosen, true);
    assert.deepEqual([fs.readFileSync(fileA, 'utf8'), fs.readFileSync(fileB, 'utf8')], before);
  });

  it('takes explicit kubeconfig paths (the user setting, or the Kubernetes extension) over KUBECONFIG', async () => {
    const api = await openKube({ kubeconfigPath: [fileB, fileA], env: env(fileA), trusted: true });
    assert.equal(api.context.name, 'merged-b', 'current-context of the first explicit file');
    const missing = await configError(() => openKube({ kubeconfigPath: path.join(dir, 'nope'), trusted: true }));
    assert.match(missing.message, /The kubeconfig file .*nope does not exist/);
  });

  it('refuses exec credential plugins in an untrusted workspace, without running them', async () => {
    fs.rmSync(marker, { force: true });
    const api = await openKube({ env: env(fileA, fileB), trusted: false, backoff: TEST_BACKOFF });
    assert.equal(api.context.usesCredentialPlugin, true, 'the UI can say so before any call');
    const e = await configError(() => api.namespaces());
    assert.match(e.message, /Context "merged-a" gets its credentials by running a command; exec credential plugins run only in a trusted workspace\./);
    assert.match(e.action!, /Trust this workspace/);
    assert.equal((await kubeFailure(() => api.cache('SGBackup').ready())).reason, 'config');
    api.dispose();
    assert.equal(fs.existsSync(marker), false, 'the plugin never ran');
  });

  it("reports a failing credential plugin with its own message", async () => {
    const api = await openKube({ env: env(fileA, fileB), context: 'broken-plugin', trusted: true });
    const e = await configError(() => api.namespaces());
    assert.equal(e.message, 'The credential plugin of context "broken-plugin" failed: error: the SSO session has expired.');
  });

  it('says clearly what is wrong with a broken kubeconfig, without quoting it', async () => {
    const broken = path.join(dir, 'broken');
    fs.writeFileSync(broken, 'apiVersion: v1\nusers:\n- name: x\n  user:\n    token: not-a-real-token-value\n   bad: [unclosed\n');
    const e = await configError(() => openKube({ env: env(broken), trusted: true }));
    assert.match(e.message, new RegExp(`^The kubeconfig ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid: `));
    assert.equal(e.describe().includes('not-a-real-token-value'), false);

    const noServer = path.join(dir, 'no-server');
    fs.writeFileSync(noServer, stringify({ clusters: [{ name: 'c', cluster: {} }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
    assert.match((await configError(() => openKube({ env: env(noServer), trusted: true }))).message, /is not valid: .*server/);

    const dangling = path.join(dir, 'dangling');
    fs.writeFileSync(dangling, stringify({ contexts: [{ name: 'x', context: { cluster: 'gone', user: 'u' } }], 'current-context': 'x' }));
    assert.match((await configError(() => openKube({ env: env(dangling), trusted: true }))).message, /names cluster "gone", which the kubeconfig .* does not define/);

    assert.match((await configError(() => openKube({ env: env(fileA), context: 'typo', trusted: true }))).message, /Context "typo" is not in the kubeconfig/);
    assert.match((await configError(() => openKube({ env: env(path.join(dir, 'missing')), trusted: true }))).message, /None of the kubeconfig files in KUBECONFIG exist/);
  });

  it('says there is no kubeconfig at all, and where it looked', async () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const e = await configError(() => openKube({ env: {}, homeDir: home, inClusterRoot: home, trusted: true }));
    assert.match(e.message, /^No kubeconfig found: KUBECONFIG is not set and .*\.kube\/config does not exist\.$/);
    assert.match(e.action!, /update-kubeconfig/);
  });

  it('gives its messages to the l10n it is handed (vscode.l10n in the extension), fixed text and values apart', async () => {
    const asked: string[] = [];
    const l10n = { t: (message: string, ...args: string[]) => (asked.push(message), `<${message}|${args.join('|')}>`) };
    const nope = path.join(dir, 'nope');
    const missing = await configError(() => openKube({ kubeconfigPath: nope, trusted: true, l10n }));
    assert.equal(missing.message, `<The kubeconfig file {0} does not exist.|${nope}>`);
    assert.equal(missing.action, '<Choose another kubeconfig file in the settings.|>');
    const typo = await configError(() => openKube({ env: env(fileA), context: 'typo', trusted: true, l10n }));
    assert.match(typo.message, /^<Context "\{0\}" is not in the kubeconfig \(\{1\}\)\.\|typo\|KUBECONFIG=/);
    const api = await openKube({ env: env(fileA, fileB), trusted: false, backoff: TEST_BACKOFF, l10n });
    const blocked = await configError(() => api.namespaces());
    api.dispose();
    assert.equal(blocked.message, '<Context "{0}" gets its credentials by running a command; exec credential plugins run only in a trusted workspace.|merged-a>');
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const none = await configError(() => openKube({ env: {}, homeDir: home, inClusterRoot: home, trusted: true, l10n }));
    assert.equal(none.message, `<No kubeconfig found: KUBECONFIG is not set and {0} does not exist.|${path.join(home, '.kube', 'config')}>`);
    assert.ok(asked.every((m) => !m.includes(dir)), 'no value is baked into the text to translate');
  });

  it('reads ~/.kube/config when KUBECONFIG is not set', async () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    fs.mkdirSync(path.join(home, '.kube'));
    fs.copyFileSync(fileA, path.join(home, '.kube', 'config'));
    fs.copyFileSync(path.join(dir, 'a', 'ca.crt'), path.join(home, '.kube', 'ca.crt'));
    const api = await openKube({ env: {}, homeDir: home, trusted: false });
    assert.equal(api.context.name, 'merged-a');
  });

  it('falls back to the in-cluster service account', async () => {
    const root = fs.mkdtempSync(path.join(dir, 'pod-'));
    const sa = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    fs.mkdirSync(sa, { recursive: true });
    fs.writeFileSync(path.join(sa, 'token'), IN_CLUSTER_TOKEN);
    fs.writeFileSync(path.join(sa, 'ca.crt'), server.caCert!);
    fs.writeFileSync(path.join(sa, 'namespace'), 'stackgres-ops\n');
    const api = await openKube({ env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(server.port) }, homeDir: root, inClusterRoot: root, trusted: false });
    assert.equal(api.context.name, 'in-cluster');
    assert.equal(api.context.namespace, 'stackgres-ops');
    assert.equal(api.context.usesCredentialPlugin, false);
    assert.ok(Array.isArray(await api.namespaces()));
    assert.ok(server.requests.some((r) => r.user === 'service-account'));
  });
});
