/**
 * Messages between the extension and the language server beyond LSP, declared once for both sides.
 * The server never talks to Kubernetes: the client pushes what it sees in the connected cluster.
 */
import { NotificationType } from 'vscode-jsonrpc/lib/common/messages';
import type { KnownObject } from './references';

/** An object of the connected cluster, as far as the manifests' checks need it (never Secret values). */
export interface LiveObject extends KnownObject {
  /** SGBackup: Pending, Running, Completed or Failed. */
  readonly phase?: string;
  /** SGBackup: Postgres major of the backup; SGCluster: of `spec.postgres.version`. */
  readonly pgMajor?: string;
  /** SGBackup: `status.process.timing.stored`. */
  readonly stored?: string;
}

export interface ClusterSnapshot {
  readonly connected: boolean;
  /** The kubeconfig context, named in diagnostics so users know where a finding comes from. */
  readonly context?: string;
  /** Namespace used for manifests without `metadata.namespace`. */
  readonly defaultNamespace?: string;
  /** Namespaces whose StackGres objects are all in `objects`: only there is a missing object asserted. */
  readonly namespaces: readonly string[];
  /**
   * Of those, the namespaces whose Secret names were all read for this connection: only there is a missing
   * Secret asserted. Secrets are listed apart from the objects (there is no watch on them), so just after a
   * (re)connect, or when a namespace first appears, the objects come before their namespace's Secret names.
   */
  readonly secretNamespaces: readonly string[];
  readonly objects: readonly LiveObject[];
}

export const ClusterSnapshotNotification = new NotificationType<ClusterSnapshot>('stackgres/clusterSnapshot');

/**
 * The connected cluster's StackGres CRDs (the objects as the API serves them). The server builds its schemas
 * from them when they differ from the bundled ones; `crd: null` goes back to the bundled schema.
 */
export interface CrdSchemas {
  readonly crds: readonly { readonly kind: string; readonly crd: unknown }[];
}

export const CrdSchemasNotification = new NotificationType<CrdSchemas>('stackgres/crdSchemas');
