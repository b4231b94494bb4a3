/**
 * The StackGres kinds this extension understands, with the API version the operator serves for each
 * (StackGres 1.18). Kinds that no longer exist are listed apart so they can be reported and migrated.
 */
export const STACKGRES_GROUP = 'stackgres.io';

export interface KindInfo {
  readonly kind: string;
  readonly apiVersion: string;
  /** Lower-case plural used by the Kubernetes API (`/apis/stackgres.io/v1/namespaces/x/<plural>`). */
  readonly plural: string;
  /** File name of the JSON schema under `schemas/`. */
  readonly schemaFile: string;
  /** One line for completion lists and tree tooltips. */
  readonly summary: string;
  /** Longest `metadata.name` the CRD accepts. */
  readonly maxNameLength?: number;
}

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'SGObjectStorage',
    apiVersion: 'stackgres.io/v1beta1',
    plural: 'sgobjectstorages',
    schemaFile: 'sgobjectstorage.schema.json',
    summary: 'Where backups are stored: an S3, S3-compatible, GCS or Azure Blob bucket and its credentials',
  },
  {
    kind: 'SGCluster',
    apiVersion: 'stackgres.io/v1',
    plural: 'sgclusters',
    schemaFile: 'sgcluster.schema.json',
    summary: 'A Postgres cluster; `spec.configurations.backups` schedules its base backups',
    maxNameLength: 44,
  },
  {
    kind: 'SGBackup',
    apiVersion: 'stackgres.io/v1',
    plural: 'sgbackups',
    schemaFile: 'sgbackup.schema.json',
    summary: 'One base backup of an SGCluster, taken on demand or by the schedule',
    maxNameLength: 56,
  },
  {
    kind: 'SGDbOps',
    apiVersion: 'stackgres.io/v1',
    plural: 'sgdbops',
    schemaFile: 'sgdbops.schema.json',
    summary: 'A day-2 operation on a cluster (restart, upgrades, vacuum, repack, benchmark)',
    maxNameLength: 57,
  },
  {
    kind: 'SGShardedCluster',
    apiVersion: 'stackgres.io/v1alpha1',
    plural: 'sgshardedclusters',
    schemaFile: 'sgshardedcluster.schema.json',
    summary: 'A sharded Postgres (Citus) cluster: a coordinator and shards, each backed up',
    maxNameLength: 37,
  },
  {
    kind: 'SGShardedBackup',
    apiVersion: 'stackgres.io/v1',
    plural: 'sgshardedbackups',
    schemaFile: 'sgshardedbackup.schema.json',
    summary: 'A backup of an SGShardedCluster: one SGBackup per coordinator and shard',
    maxNameLength: 56,
  },
];

/** Kinds removed from StackGres; documents of these kinds are reported with a migration. */
export const REMOVED_KINDS: Readonly<Record<string, { removedIn: string; replacedBy: string }>> = {
  SGBackupConfig: { removedIn: '1.7.0', replacedBy: 'SGObjectStorage plus SGCluster.spec.configurations.backups' },
};

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

export function kindInfo(kind: string | undefined): KindInfo | undefined {
  return kind === undefined ? undefined : byKind.get(kind);
}

/** True for `stackgres.io/<anything>`: the documents this extension speaks about. */
export function isStackGresApiVersion(apiVersion: unknown): apiVersion is string {
  return typeof apiVersion === 'string' && apiVersion.startsWith(`${STACKGRES_GROUP}/`);
}

/**
 * Whether a YAML text has a document (or a List item) whose `apiVersion` is `stackgres.io/…`, by one scan of
 * its lines with no parse: the editor's menus ask this on every edit, so it must stay cheap on big files.
 */
export function mentionsStackGresApiVersion(text: string): boolean {
  return /^(?:[ \t]*-[ \t]+)?["']?apiVersion["']?[ \t]*:[ \t]*["']?stackgres\.io\//m.test(text);
}
