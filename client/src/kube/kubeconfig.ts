/**
 * Kubeconfig resolution for the client-node adapter (clientNode.ts), which alone imports this file, so
 * it is bundled only into the lazily loaded dist/kube.js. It imports only client-node's types; the
 * library itself is loaded by clientNode.ts and handed in.
 *
 * Kubeconfig resolution follows kubectl: explicit files (the user's setting or the Kubernetes
 * extension's kubeconfig), else every file of `KUBECONFIG` merged (missing files skipped, the first file
 * to define a name or the current-context wins, relative paths resolved per file), else
 * `~/.kube/config`, else the in-cluster service account. The context can be overridden per workspace
 * without touching any file. Credential plugins (exec, auth-provider `cmd-path`) run commands, so they
 * are allowed only in a trusted workspace.
 *
 * The messages go through the `l10n` handed in (vscode.l10n from connection.ts): this file stays free of the
 * vscode API, as the unit tests load it in plain Node.
 */
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as K8sTypes from '@kubernetes/client-node';
import type { KubeContext } from './api';
import { configError, type KubeError } from './errors';

/** What of client-node this layer uses: `KubeConfig` (its config module, not the generated API). */
export type K8s = Pick<typeof K8sTypes, 'KubeConfig'>;

export { ENGLISH, type Localize } from '../localize';
import { ENGLISH, type Localize } from '../localize';

export interface KubeconfigSource {
  /** Kubeconfig file(s) to use instead of KUBECONFIG / ~/.kube/config; each must exist. */
  kubeconfigPath?: string | readonly string[];
  /** Kubeconfig text (e.g. handed over by the Kubernetes extension); takes precedence over files. */
  kubeconfigYaml?: string;
  /** Context to use instead of the kubeconfig's current-context (the workspace's choice). */
  context?: string;
  /** Namespace to use instead of the context's (the workspace's choice). */
  namespace?: string;
  /** Workspace trust: exec credential plugins and auth-provider commands run only when true. */
  trusted: boolean;
  /** Environment to read KUBECONFIG and KUBERNETES_SERVICE_* from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home folder for ~/.kube/config; default the user's. */
  homeDir?: string;
  /** Root under which /var/run/secrets/kubernetes.io/serviceaccount is looked for; default `/`. */
  inClusterRoot?: string;
  /** Translates the messages (vscode.l10n in the extension); default English. */
  l10n?: Localize;
}

export interface LoadedConfig {
  readonly k8s: K8s;
  readonly clusters: K8sTypes.Cluster[];
  readonly users: K8sTypes.User[];
  readonly contexts: K8sTypes.Context[];
  readonly currentContext?: string;
  /** Where it came from, for messages: file names, "KUBECONFIG", "in-cluster service account". */
  readonly origin: string;
}

/** The context to open: the workspace's choice, else the kubeconfig's current-context. */
export function chosenContext(loaded: LoadedConfig, override: string | undefined, l10n: Localize = ENGLISH): string {
  const name = override ?? loaded.currentContext;
  if (loaded.contexts.length === 0) {
    throw configError(
      l10n.t('The kubeconfig ({0}) defines no contexts.', loaded.origin),
      l10n.t('Add a cluster to it (e.g. `aws eks update-kubeconfig` / `gcloud container clusters get-credentials`), or choose another kubeconfig.'),
    );
  }
  if (!name) {
    throw configError(l10n.t('The kubeconfig ({0}) has no current-context.', loaded.origin), l10n.t('Choose a context: {0}.', loaded.contexts.map((c) => c.name).join(', ')));
  }
  return name;
}

/** The kubeconfig as kubectl would resolve it (see above), merged into one. */
export async function loadKubeconfig(k8s: K8s, o: KubeconfigSource): Promise<LoadedConfig> {
  const l10n = o.l10n ?? ENGLISH;
  if (o.kubeconfigYaml !== undefined) {
    const origin = l10n.t('the kubeconfig passed in');
    return merge(k8s, [parseKubeconfig(k8s, o.kubeconfigYaml, origin, l10n)], origin);
  }
  const explicit = o.kubeconfigPath === undefined ? [] : typeof o.kubeconfigPath === 'string' ? [o.kubeconfigPath] : [...o.kubeconfigPath];
  if (explicit.length) {
    for (const f of explicit) {
      if (!(await exists(f))) throw configError(l10n.t('The kubeconfig file {0} does not exist.', f), l10n.t('Choose another kubeconfig file in the settings.'));
    }
    return merge(k8s, await Promise.all(explicit.map((f) => readKubeconfigFile(k8s, f, l10n))), explicit.join(path.delimiter));
  }
  const env = o.env ?? process.env;
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (fromEnv.length) {
    // kubectl skips files of KUBECONFIG that do not exist.
    const present: string[] = [];
    for (const f of fromEnv) if (await exists(f)) present.push(f);
    if (!present.length) {
      throw configError(
        l10n.t('None of the kubeconfig files in KUBECONFIG exist ({0}).', fromEnv.join(path.delimiter)),
        l10n.t('Fix KUBECONFIG, or choose a kubeconfig file in the settings.'),
      );
    }
    return merge(k8s, await Promise.all(present.map((f) => readKubeconfigFile(k8s, f, l10n))), `KUBECONFIG=${present.join(path.delimiter)}`);
  }
  const home = path.join(o.homeDir ?? os.homedir(), '.kube', 'config');
  if (await exists(home)) return merge(k8s, [await readKubeconfigFile(k8s, home, l10n)], home);
  const inCluster = await inClusterConfig(env, o.inClusterRoot ?? '/', l10n);
  if (inCluster) return { k8s, ...inCluster };
  throw configError(
    l10n.t('No kubeconfig found: KUBECONFIG is not set and {0} does not exist.', home),
    l10n.t('Create one (e.g. `aws eks update-kubeconfig` / `gcloud container clusters get-credentials`), or choose a kubeconfig file in the settings.'),
  );
}

interface ParsedFile {
  clusters: K8sTypes.Cluster[];
  users: K8sTypes.User[];
  contexts: K8sTypes.Context[];
  currentContext?: string;
}

async function readKubeconfigFile(k8s: K8s, file: string, l10n: Localize): Promise<ParsedFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw configError(
      l10n.t('The kubeconfig file {0} cannot be read: {1}.', file, (e as NodeJS.ErrnoException).code ?? String(e)),
      l10n.t('Check its permissions, or choose another kubeconfig file.'),
    );
  }
  const parsed = parseKubeconfig(k8s, text, file, l10n);
  // Relative certificate paths are relative to the file that names them.
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({ ...parsed });
  kc.makePathsAbsolute(path.dirname(path.resolve(file)));
  return { clusters: kc.getClusters(), users: kc.getUsers(), contexts: kc.getContexts(), currentContext: parsed.currentContext };
}

function parseKubeconfig(k8s: K8s, text: string, origin: string, l10n: Localize): ParsedFile {
  if (text.trim() === '') return { clusters: [], users: [], contexts: [] };
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (e) {
    // Only the first line: YAML errors go on to quote the file, which may hold tokens.
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw configError(
      l10n.t('The kubeconfig {0} is not valid: {1}.', origin, msg),
      l10n.t('Fix the file (e.g. `kubectl config view` shows what kubectl makes of it), or choose another kubeconfig.'),
    );
  }
  return { clusters: kc.getClusters() ?? [], users: kc.getUsers() ?? [], contexts: kc.getContexts() ?? [], currentContext: kc.getCurrentContext() || undefined };
}

/** kubectl's merge: the first file to define a name wins, and the first current-context wins. */
function merge(k8s: K8s, files: ParsedFile[], origin: string): LoadedConfig {
  const clusters = new Map<string, K8sTypes.Cluster>();
  const users = new Map<string, K8sTypes.User>();
  const contexts = new Map<string, K8sTypes.Context>();
  let currentContext: string | undefined;
  for (const f of files) {
    for (const c of f.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of f.users) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of f.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    currentContext ??= f.currentContext;
  }
  return { k8s, clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext, origin };
}

async function inClusterConfig(env: Readonly<Record<string, string | undefined>>, root: string, l10n: Localize): Promise<Omit<LoadedConfig, 'k8s'> | undefined> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const dir = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
  if (!host || !port || !(await exists(path.join(dir, 'token')))) return undefined;
  const namespace = (await fs.readFile(path.join(dir, 'namespace'), 'utf8').catch(() => '')).trim() || undefined;
  const server = `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  return {
    clusters: [{ name: 'in-cluster', server, caFile: path.join(dir, 'ca.crt'), skipTLSVerify: false }],
    // client-node re-reads a token file as it rotates.
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: path.join(dir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', namespace }],
    currentContext: 'in-cluster',
    origin: l10n.t('in-cluster service account'),
  };
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function usesCredentialPlugin(user: K8sTypes.User | undefined): boolean {
  const provider = user?.authProvider as { name?: string; config?: Record<string, unknown> } | undefined;
  return Boolean(user?.exec || provider?.name === 'exec' || provider?.config?.exec || provider?.config?.['cmd-path']);
}

export function describeContext(loaded: LoadedConfig, c: K8sTypes.Context): KubeContext {
  const user = loaded.users.find((u) => u.name === c.user);
  return {
    name: c.name,
    cluster: c.cluster,
    user: c.user,
    server: loaded.clusters.find((cl) => cl.name === c.cluster)?.server,
    namespace: c.namespace || 'default',
    usesCredentialPlugin: usesCredentialPlugin(user),
  };
}

/**
 * The named context as the api describes it, after the checks client-node would fail later and less
 * clearly: the context and its cluster exist, and the server is not plain HTTP. `blocked` is set when the
 * context needs a credential plugin in an untrusted workspace: every call fails with it.
 */
export function resolveContext(
  loaded: LoadedConfig,
  contextName: string,
  options: Pick<KubeconfigSource, 'namespace' | 'trusted' | 'l10n'>,
): { context: KubeContext; blocked?: KubeError } {
  const l10n = options.l10n ?? ENGLISH;
  const ctx = loaded.contexts.find((c) => c.name === contextName);
  if (!ctx) {
    throw configError(
      l10n.t('Context "{0}" is not in the kubeconfig ({1}).', contextName, loaded.origin),
      l10n.t('Choose one of: {0}.', loaded.contexts.map((c) => c.name).join(', ')),
    );
  }
  const cluster = loaded.clusters.find((c) => c.name === ctx.cluster);
  if (!cluster) {
    throw configError(
      l10n.t('Context "{0}" names cluster "{1}", which the kubeconfig ({2}) does not define.', contextName, ctx.cluster, loaded.origin),
      l10n.t('Fix the kubeconfig, or choose another context.'),
    );
  }
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw configError(
      l10n.t('Context "{0}" talks plain HTTP to {1}; the Kubernetes client refuses that unless insecure-skip-tls-verify is set.', contextName, cluster.server),
      l10n.t('Use the https:// address of the API server.'),
    );
  }
  const described = describeContext(loaded, ctx);
  const context = options.namespace ? { ...described, namespace: options.namespace, namespaceChosen: true } : described;
  if (context.usesCredentialPlugin && !options.trusted) {
    const blocked = configError(
      l10n.t('Context "{0}" gets its credentials by running a command; exec credential plugins run only in a trusted workspace.', contextName),
      l10n.t('Trust this workspace (Manage Workspace Trust), or choose a context with token or certificate credentials.'),
    );
    return { context, blocked };
  }
  return { context };
}
