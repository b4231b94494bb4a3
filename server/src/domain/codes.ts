/**
 * Every diagnostic this extension reports, with its stable code, default severity and where to read more.
 * Codes never change meaning; new checks get new codes.
 */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RuleInfo {
  readonly severity: Severity;
  /** One line for the README table and for the code's tooltip. */
  readonly title: string;
  readonly docs?: string;
}

const DOCS = 'https://stackgres.io/doc/latest';
export const DOC_LINKS = {
  backups: `${DOCS}/administration/backups/`,
  s3: `${DOCS}/administration/backups/s3/`,
  encryption: `${DOCS}/administration/backups/encryption/`,
  restore: `${DOCS}/runbooks/restore-backup/`,
  objectStorageCrd: `${DOCS}/reference/crd/sgobjectstorage/`,
  clusterCrd: `${DOCS}/reference/crd/sgcluster/`,
  backupCrd: `${DOCS}/reference/crd/sgbackup/`,
  dbOpsCrd: `${DOCS}/reference/crd/sgdbops/`,
  deprecated: `${DOCS}/administration/upgrade/deprecated-fields/`,
  cronJobSyntax: 'https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax',
} as const;

export const RULES = {
  // Document level
  'api-version-wrong': { severity: 'error', title: 'The apiVersion is not the one the operator serves for this kind', docs: DOC_LINKS.objectStorageCrd },
  'kind-removed': { severity: 'error', title: 'The kind was removed from StackGres (SGBackupConfig)', docs: DOC_LINKS.deprecated },
  'helm-template-skipped': { severity: 'information', title: 'A Helm template is not checked until it is rendered' },
  'yaml-syntax': { severity: 'error', title: 'The YAML cannot be parsed' },
  'file-too-large': { severity: 'information', title: 'The file is too large to check as a whole' },
  'schema-check-timeout': { severity: 'warning', title: "The cluster's CRD schema check took too long and was stopped: the document is not checked against it" },
  // Schema (CRD) level, reworded from the schema validator
  'schema-type': { severity: 'error', title: 'Wrong value type for the field (the API server rejects it)' },
  'schema-enum': { severity: 'error', title: 'Value not in the allowed list' },
  'schema-required': { severity: 'error', title: 'A required field is missing' },
  'schema-constraint': { severity: 'error', title: 'The value breaks a CRD constraint (minimum, pattern, length)' },
  'schema-unknown-field': { severity: 'warning', title: 'Unknown field: the API server drops it silently' },
  // SGObjectStorage (its CRD and the operator's defaulting webhook)
  'storage-type-missing': { severity: 'warning', title: 'No `type`: the operator fills MinIO defaults (s3Compatible, http://minio:9000)', docs: DOC_LINKS.objectStorageCrd },
  'storage-section-missing': { severity: 'error', title: 'The section named by `type` is missing', docs: DOC_LINKS.objectStorageCrd },
  'storage-section-conflict': { severity: 'error', title: 'A storage section other than the one named by `type` is set', docs: DOC_LINKS.objectStorageCrd },
  's3-credentials-missing': { severity: 'error', title: 's3 needs `useIAMRole: true` or `secretKeySelectors`', docs: DOC_LINKS.s3 },
  's3-credentials-ignored': { severity: 'warning', title: 'With `useIAMRole: true` the secretKeySelectors are ignored', docs: DOC_LINKS.s3 },
  'gcs-credentials-missing': { severity: 'error', title: 'gcs needs `fetchCredentialsFromMetadataService: true` or `secretKeySelectors.serviceAccountJSON`', docs: DOC_LINKS.objectStorageCrd },
  'gcs-credentials-ignored': { severity: 'warning', title: 'With the metadata service the secretKeySelectors must be left out', docs: DOC_LINKS.objectStorageCrd },
  'azure-credentials-missing': { severity: 'error', title: 'azureBlob needs `secretKeySelectors` with storageAccount and accessKey', docs: DOC_LINKS.objectStorageCrd },
  's3compatible-endpoint-missing': { severity: 'warning', title: 'No `endpoint`: the operator uses http://minio:9000', docs: DOC_LINKS.objectStorageCrd },
  's3compatible-endpoint-invalid': { severity: 'error', title: '`endpoint` is not an http(s) URL', docs: DOC_LINKS.objectStorageCrd },
  's3compatible-region-missing': { severity: 'information', title: 'No `region`: the operator sets `k8s`', docs: DOC_LINKS.objectStorageCrd },
  'storage-class-invalid': { severity: 'error', title: '`storageClass` must be STANDARD, STANDARD_IA or REDUCED_REDUNDANCY (case-sensitive)', docs: DOC_LINKS.s3 },
  'bucket-url-scheme': { severity: 'warning', title: 'An http(s):// bucket is passed verbatim to wal-g; use the bare bucket name', docs: DOC_LINKS.objectStorageCrd },
  'bucket-name-invalid': { severity: 'error', title: 'The S3 bucket name breaks the naming rules (3-63 lower-case letters, digits, dots and hyphens)', docs: DOC_LINKS.s3 },
  'encryption-method-invalid': { severity: 'error', title: '`encryption.method` must be sodium or openpgp', docs: DOC_LINKS.encryption },
  'encryption-section-missing': { severity: 'error', title: 'The section named by `encryption.method` is missing', docs: DOC_LINKS.encryption },
  'encryption-sections-conflict': { severity: 'error', title: '`sodium` and `openpgp` cannot both be set', docs: DOC_LINKS.encryption },
  'encryption-key-transform-invalid': { severity: 'error', title: '`keyTransform` must be base64, hex or none', docs: DOC_LINKS.encryption },
  // SGCluster backups (spec.configurations.backups)
  'backups-extra-entries': { severity: 'warning', title: 'Only `backups[0]` is used by the operator', docs: DOC_LINKS.backups },
  'backup-cron-invalid': { severity: 'error', title: '`cronSchedule` is not a valid 5-field cron expression', docs: DOC_LINKS.cronJobSyntax },
  'backup-cron-never-runs': { severity: 'warning', title: '`cronSchedule` is valid but never fires', docs: DOC_LINKS.cronJobSyntax },
  'backup-name-too-long': { severity: 'error', title: 'Cluster name too long: scheduled SGBackup names would exceed 56 characters', docs: DOC_LINKS.backupCrd },
  'backup-path-leading-slash': { severity: 'warning', title: 'A leading `/` in `path` puts backups under `//` in the bucket', docs: DOC_LINKS.backups },
  'max-retries-negative': { severity: 'error', title: '`maxRetries` must be 0 or more', docs: DOC_LINKS.backups },
  // SGCluster restore (spec.initialData.restore)
  'restore-from-backup-missing': { severity: 'error', title: 'A restore needs `fromBackup.name`', docs: DOC_LINKS.restore },
  'restore-targets-conflict': { severity: 'error', title: 'targetName, targetXid, targetLsn and pointInTimeRecovery are mutually exclusive', docs: DOC_LINKS.restore },
  'restore-uid-rejected': { severity: 'error', title: '`fromBackup.uid` is rejected; use `fromBackup.name`', docs: DOC_LINKS.deprecated },
  'restore-timestamp-invalid': { severity: 'error', title: '`restoreToTimestamp` must be an ISO 8601 instant like 2024-01-15T10:30:00Z', docs: DOC_LINKS.restore },
  'initial-data-scripts-rejected': { severity: 'error', title: '`initialData.scripts` is rejected; use `spec.managedSql.scripts`', docs: DOC_LINKS.deprecated },
  // Removed fields (SGBackupConfig and its SGCluster fields, gone since StackGres 1.7)
  'removed-sgbackupconfig-field': { severity: 'error', title: '`configurations.sgBackupConfig` was removed in 1.7; use `backups[].sgObjectStorage`', docs: DOC_LINKS.deprecated },
  'removed-backuppath-field': { severity: 'error', title: '`configurations.backupPath` was removed in 1.7; use `backups[].path`', docs: DOC_LINKS.deprecated },
  // SGBackup
  'backup-cluster-missing': { severity: 'error', title: 'An SGBackup needs `spec.sgCluster`', docs: DOC_LINKS.backupCrd },
  // Workspace cross-references
  'ref-object-storage-unknown': { severity: 'information', title: 'No SGObjectStorage of that name in the workspace for this namespace (the cluster may have it)' },
  'ref-secret-key-missing': { severity: 'warning', title: 'The Secret in the workspace has no such key' },
  // Against the connected cluster (only when connected)
  'live-object-storage-missing': { severity: 'warning', title: 'The cluster has no SGObjectStorage of that name in the namespace' },
  'live-backup-missing': { severity: 'error', title: 'The cluster has no SGBackup of that name in the namespace: the restore would never bootstrap', docs: DOC_LINKS.restore },
  'live-backup-not-completed': { severity: 'error', title: 'The SGBackup to restore is not Completed', docs: DOC_LINKS.restore },
  'live-backup-major-mismatch': { severity: 'error', title: 'The SGBackup was taken from another Postgres major version', docs: DOC_LINKS.restore },
  'live-cluster-missing': { severity: 'warning', title: 'The cluster has no SGCluster of that name in the namespace' },
  'live-secret-missing': { severity: 'warning', title: 'The cluster has no Secret of that name in the namespace' },
  'live-secret-key-missing': { severity: 'warning', title: 'The Secret in the cluster has no such key' },
} as const satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;

export function ruleInfo(code: RuleCode): RuleInfo {
  return RULES[code];
}
