// A kubeconfig pointing at the test server: one context per user, the CA inline for TLS mode.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caCert?: string;
  tokens: Record<string, string>;
  user: string;
  namespace?: string;
  clusterName?: string;
}

export function contextName(clusterName: string, user: string): string {
  return user === 'admin' ? clusterName : `${clusterName}-${user}`;
}

export function buildKubeconfig(input: KubeconfigInput): string {
  const clusterName = input.clusterName ?? 'stackgres-test';
  const cluster: Record<string, unknown> = { server: input.server };
  if (input.caCert) {
    cluster['certificate-authority-data'] = Buffer.from(input.caCert).toString('base64');
  } else if (input.server.startsWith('http:')) {
    // client-node 1.x refuses plain http unless TLS verification is explicitly skipped.
    cluster['insecure-skip-tls-verify'] = true;
  }
  const users = Object.keys(input.tokens);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: clusterName, cluster }],
    users: users.map((u) => ({ name: u, user: { token: input.tokens[u] } })),
    contexts: users.map((u) => ({
      name: contextName(clusterName, u),
      context: { cluster: clusterName, user: u, ...(input.namespace ? { namespace: input.namespace } : {}) },
    })),
    'current-context': contextName(clusterName, input.user),
  });
}
