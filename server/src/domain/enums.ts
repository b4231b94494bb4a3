/**
 * Values the operator's admission webhook accepts where the CRD itself has no enum. They are added to the
 * JSON schemas (marked `"x-stackgres-enum-source": "webhook"`) so completion offers them, and the rules
 * use them to explain a wrong value. Each entry: JSON path in the kind's schema (`[]` for array items),
 * the accepted values, and whether the operator compares them case-sensitively.
 */
export interface WebhookEnum {
  readonly kind: string;
  readonly path: string;
  readonly values: readonly string[];
  readonly caseSensitive: boolean;
  /** The operator's own rejection message. */
  readonly operatorMessage: string;
}

export const STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'REDUCED_REDUNDANCY'] as const;
export const ENCRYPTION_METHODS = ['sodium', 'openpgp'] as const;
export const KEY_TRANSFORMS = ['base64', 'hex', 'none'] as const;
export const DBOPS_OPS = [
  'benchmark', 'vacuum', 'repack', 'restart', 'majorVersionUpgrade', 'minorVersionUpgrade', 'securityUpgrade',
] as const;
export const STORAGE_TYPES = ['s3', 's3Compatible', 'gcs', 'azureBlob'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];
export const COMPRESSIONS = ['lz4', 'lzma', 'zstd', 'brotli'] as const;
export const REPLICA_INIT_MODES = ['FromPrimary', 'FromReplica', 'FromExistingBackup', 'FromNewlyCreatedBackup'] as const;

const storageClassMessage = 'storageClass must be one of STANDARD, STANDARD_IA or REDUCED_REDUNDANCY.';

/** Storage spec paths relative to an SGObjectStorage `spec` (also found under SGBackup `status.sgBackupConfig.storage`). */
export const STORAGE_SPEC_ENUMS: readonly { path: string; values: readonly string[]; caseSensitive: boolean; operatorMessage: string }[] = [
  { path: 's3.storageClass', values: STORAGE_CLASSES, caseSensitive: true, operatorMessage: storageClassMessage },
  { path: 's3Compatible.storageClass', values: STORAGE_CLASSES, caseSensitive: true, operatorMessage: storageClassMessage },
  { path: 'encryption.method', values: ENCRYPTION_METHODS, caseSensitive: true, operatorMessage: 'mode can be sodium or openpgp' },
  { path: 'encryption.sodium.keyTransform', values: KEY_TRANSFORMS, caseSensitive: true, operatorMessage: 'keyTransform can be base64, hex or none' },
];

export const WEBHOOK_ENUMS: readonly WebhookEnum[] = [
  ...STORAGE_SPEC_ENUMS.map((e) => ({ kind: 'SGObjectStorage', ...e, path: `spec.${e.path}` })),
  ...STORAGE_SPEC_ENUMS.map((e) => ({ kind: 'SGBackup', ...e, path: `status.sgBackupConfig.storage.${e.path}` })),
  {
    kind: 'SGDbOps',
    path: 'spec.op',
    values: DBOPS_OPS,
    caseSensitive: true,
    operatorMessage: 'op must be one of benchmark, vacuum, repack, restart, majorVersionUpgrade, minorVersionUpgrade or securityUpgrade',
  },
  {
    kind: 'SGCluster',
    path: 'spec.replication.initialization.mode',
    values: REPLICA_INIT_MODES,
    caseSensitive: true,
    operatorMessage: 'mode must be FromPrimary, FromReplica, FromExistingBackup or FromNewlyCreatedBackup',
  },
];
