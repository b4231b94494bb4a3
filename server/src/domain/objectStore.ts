/**
 * Where an SGObjectStorage puts backups, and what an S3 user needs to work there (the operator's BackupStorageUtil and BackupEnvVarFactory):
 * the wal-g prefix, the bucket and key prefix for S3 calls, the tutorial's IAM policy and AWS CLI commands,
 * the access-test plan, and one actionable line for each way a request can fail. Pure: no I/O.
 */
import { StorageType, STORAGE_TYPES } from './enums';
import { isRecord } from './manifest';
import { DNS_LABEL, DNS_SUBDOMAIN, SECRET_KEY_NAME } from './names';
import { get } from './rules/types';
import { commentText, shellWord } from './scriptText';

export type WalgScheme = 's3' | 'gs' | 'azure';

export const WALG_SCHEME: Readonly<Record<StorageType, WalgScheme>> = { s3: 's3', s3Compatible: 's3', gcs: 'gs', azureBlob: 'azure' };
export const WALG_PREFIX_ENV: Readonly<Record<StorageType, string>> = {
  s3: 'WALG_S3_PREFIX', s3Compatible: 'WALG_S3_PREFIX', gcs: 'WALG_GS_PREFIX', azureBlob: 'WALG_AZ_PREFIX',
};

/** What the operator fills on creation when these s3Compatible fields are missing (the operator's ObjectStorageDefaultValuesMutator). */
export const S3_COMPATIBLE_DEFAULTS = { endpoint: 'http://minio:9000', region: 'k8s', enablePathStyleAddressing: true } as const;

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface S3Credentials {
  readonly accessKeyId?: SecretKeyRef;
  readonly secretAccessKey?: SecretKeyRef;
  /** s3 only: the pod's IAM role is used, no keys. */
  readonly useIAMRole: boolean;
}

export interface StorageLocation {
  readonly type: StorageType;
  /** `WALG_S3_PREFIX`, `WALG_GS_PREFIX` or `WALG_AZ_PREFIX`. */
  readonly prefixEnv: string;
  /** The value the operator gives wal-g, e.g. `s3://bucket/sub/sgbackups.stackgres.io/ns/c/2024-01-01-00-00-00/16`. */
  readonly prefix: string;
  /** The bucket (or Azure container) alone. */
  readonly bucket: string;
  /** The part of the storage's `bucket` after the bucket name, without surrounding slashes ('' when none). */
  readonly subPath: string;
  readonly backupPath: string;
  /** The key prefix of every object wal-g writes, ending in `/` ('' at the bucket's root). */
  readonly keyPrefix: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly forcePathStyle: boolean;
  readonly storageClass?: string;
  readonly caCertificate?: SecretKeyRef;
  readonly credentials?: S3Credentials;
  /** Things the DBA should know about this location (defaults the operator fills, doubled slashes). */
  readonly notes: readonly string[];
}

export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function secretRef(v: unknown): SecretKeyRef | undefined {
  const name = str(get(v, ['name']));
  const key = str(get(v, ['key']));
  return name && key ? { name, key } : undefined;
}

/** The storage type the operator will use: `type`, or s3Compatible when it is missing (the mutator's default). */
export function storageType(spec: unknown): StorageType | undefined {
  const type = get(spec, ['type']);
  if (type === undefined || type === null) return 's3Compatible';
  return typeof type === 'string' && (STORAGE_TYPES as readonly string[]).includes(type) ? (type as StorageType) : undefined;
}

/**
 * Splits a prefix the way wal-g does (`url.Parse`: host = bucket, path without its first `/` = folder) and
 * adds the `/` wal-g puts after a non-empty folder.
 */
export function splitPrefix(prefix: string): { bucket: string; keyPrefix: string } {
  const afterScheme = prefix.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, '');
  const slash = afterScheme.indexOf('/');
  const bucket = slash === -1 ? afterScheme : afterScheme.slice(0, slash);
  const path = slash === -1 ? '' : afterScheme.slice(slash + 1);
  return { bucket, keyPrefix: path === '' || path.endsWith('/') ? path : `${path}/` };
}

/**
 * The location of one backup path in a storage: an SGObjectStorage `spec`, or an SGBackup's
 * `status.sgBackupConfig.storage` (restores use that copy, not the current SGObjectStorage).
 */
export function storageLocation(spec: unknown, backupPath: string | undefined): Resolved<StorageLocation> {
  if (!isRecord(spec)) return { ok: false, error: 'The storage has no spec.' };
  const type = storageType(spec);
  if (!type) return { ok: false, error: `Unknown storage type ${JSON.stringify(spec.type)}: use s3, s3Compatible, gcs or azureBlob.` };
  const section = spec[type];
  const rawBucket = str(get(section, ['bucket'])) ?? (type === 's3Compatible' && section === undefined ? 'stackgres' : undefined);
  if (!rawBucket) return { ok: false, error: `The ${type} section has no bucket.` };
  if (backupPath === undefined || backupPath === '') {
    return { ok: false, error: 'No backup path yet: the operator sets status.backupPaths when it first reconciles the cluster, or set spec.configurations.backups[0].path.' };
  }
  const notes: string[] = [];
  const scheme = WALG_SCHEME[type];
  // PrefixedStorage.getPrefix: a bucket with `://` is used as written; BackupStorageUtil.composePrefix adds "/" + path.
  const base = rawBucket.includes('://') ? rawBucket : `${scheme}://${rawBucket}`;
  const prefix = `${base}/${backupPath}`;
  const { bucket, keyPrefix } = splitPrefix(prefix);
  const afterScheme = rawBucket.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, '');
  const subPath = afterScheme.includes('/') ? afterScheme.slice(afterScheme.indexOf('/') + 1).replace(/^\/+|\/+$/g, '') : '';
  const givenScheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rawBucket)?.[1];
  if (givenScheme && givenScheme !== scheme) {
    notes.push(`The bucket starts with ${givenScheme}://, so wal-g gets the prefix ${prefix}; write the bare bucket name or ${scheme}://.`);
  }
  if (keyPrefix.includes('//') || keyPrefix.startsWith('/')) {
    notes.push(`The object keys contain an empty folder ("${keyPrefix}"): a path or bucket with a leading or trailing "/" doubles the slash. Other tools may not find these backups; remove the extra "/".`);
  }

  const common = { type, prefixEnv: WALG_PREFIX_ENV[type], prefix, bucket, subPath, backupPath, keyPrefix };
  if (type === 's3') {
    return {
      ok: true,
      value: {
        ...common,
        region: str(get(section, ['region'])),
        forcePathStyle: false,
        storageClass: str(get(section, ['storageClass'])),
        credentials: {
          accessKeyId: secretRef(get(section, ['awsCredentials', 'secretKeySelectors', 'accessKeyId'])),
          secretAccessKey: secretRef(get(section, ['awsCredentials', 'secretKeySelectors', 'secretAccessKey'])),
          useIAMRole: get(section, ['awsCredentials', 'useIAMRole']) === true,
        },
        notes,
      },
    };
  }
  if (type === 's3Compatible') {
    let endpoint = str(get(section, ['endpoint']));
    if (!endpoint) {
      endpoint = S3_COMPATIBLE_DEFAULTS.endpoint;
      notes.push(`No endpoint: the operator fills ${endpoint} on creation, which only works with an in-cluster MinIO.`);
    }
    let region = str(get(section, ['region']));
    if (!region) {
      region = S3_COMPATIBLE_DEFAULTS.region;
      notes.push(`No region: the operator fills "${region}" on creation.`);
    }
    const pathStyle = get(section, ['enablePathStyleAddressing']);
    return {
      ok: true,
      value: {
        ...common,
        endpoint,
        region,
        forcePathStyle: typeof pathStyle === 'boolean' ? pathStyle : S3_COMPATIBLE_DEFAULTS.enablePathStyleAddressing,
        storageClass: str(get(section, ['storageClass'])),
        caCertificate: secretRef(get(section, ['awsCredentials', 'secretKeySelectors', 'caCertificate'])),
        credentials: {
          accessKeyId: secretRef(get(section, ['awsCredentials', 'secretKeySelectors', 'accessKeyId'])),
          secretAccessKey: secretRef(get(section, ['awsCredentials', 'secretKeySelectors', 'secretAccessKey'])),
          useIAMRole: false,
        },
        notes,
      },
    };
  }
  return { ok: true, value: { ...common, forcePathStyle: false, notes } };
}

// ---------------------------------------------------------------------------------------------------------
// Backup paths (the operator's BackupStorageUtil.getPath and ClusterDefaultBackupPathContextAppender)

/** The path a cluster backs up to now: `spec.configurations.backups[0].path`, else `status.backupPaths[0]`. */
export function clusterBackupPath(cluster: unknown): string | undefined {
  return str(get(cluster, ['spec', 'configurations', 'backups', 0, 'path'])) ?? str(get(cluster, ['status', 'backupPaths', 0]));
}

/** The SGObjectStorage a cluster backs up to (only `backups[0]` is honoured). */
export function clusterStorageName(cluster: unknown): string | undefined {
  return str(get(cluster, ['spec', 'configurations', 'backups', 0, 'sgObjectStorage']));
}

/** Where an SGBackup's files are: its own `status.backupPath` (a cluster may have moved on since). */
export function backupPathOfBackup(backup: unknown): string | undefined {
  return str(get(backup, ['status', 'backupPath']));
}

/** The storage spec recorded in an SGBackup when it was taken. */
export function storageOfBackup(backup: unknown): unknown {
  return get(backup, ['status', 'sgBackupConfig', 'storage']);
}

// ---------------------------------------------------------------------------------------------------------
// Configuration problems found before any request

/** Why an endpoint cannot be used, or undefined when it is an http(s) URL with a host. */
export function endpointProblem(endpoint: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  // The URL parser drops tabs and line breaks silently; a value holding them is not the URL it shows.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || /[\s\u0000-\u001f\u007f-\u009f]/.test(endpoint)) {
    return `The endpoint "${commentText(endpoint)}" is not a URL: write it as http://host:port or https://host (the operator rejects it too: "s3Compatible.endpoint must be a valid URL").`;
  }
  return undefined;
}

export const S3_BUCKET_NAME_RULE =
  'An S3 bucket name has 3 to 63 characters: lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit, without ".." and not in the form of an IP address';

// Reserved by AWS for access points, Multi-Region Access Points, directory and table buckets, and examples.
const AWS_RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const AWS_RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * Why `name` cannot be an S3 bucket (the AWS naming rules; wal-g and the AWS CLI fail on such a bucket), or
 * undefined. The names AWS reserves are checked for type s3 only: S3-compatible services do not reserve them.
 */
export function bucketNameProblem(name: string, type: 's3' | 's3Compatible'): string | undefined {
  const why = ((): string | undefined => {
    if (name.length < 3 || name.length > 63) return `it has ${name.length} character${name.length === 1 ? '' : 's'}`;
    const bad = /[^a-z0-9.-]/.exec(name)?.[0];
    if (bad) return /[A-Z]/.test(bad) ? 'it has upper-case letters' : `it contains "${commentText(bad)}"`;
    if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'it does not begin and end with a letter or digit';
    if (name.includes('..')) return 'it contains ".."';
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'it is in the form of an IP address';
    if (type !== 's3') return undefined;
    const prefix = AWS_RESERVED_PREFIXES.find((p) => name.startsWith(p));
    if (prefix) return `AWS reserves the prefix ${prefix}`;
    const suffix = AWS_RESERVED_SUFFIXES.find((p) => name.endsWith(p));
    return suffix ? `AWS reserves the suffix ${suffix}` : undefined;
  })();
  return why ? `"${commentText(name)}" is not a valid S3 bucket name (${why}). ${S3_BUCKET_NAME_RULE}.` : undefined;
}

/**
 * Why `region` cannot be a region, or undefined. AWS regions look like eu-west-1 or us-gov-east-1;
 * S3-compatible services choose their own (k8s, auto, nyc3, fr-par), always letters, digits, "-", "_" and ".".
 */
export function regionProblem(region: string, type: 's3' | 's3Compatible'): string | undefined {
  if (type === 's3' ? /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(region) : /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(region)) return undefined;
  return type === 's3'
    ? `"${commentText(region)}" is not a region: AWS regions look like eu-west-1 or us-east-1.`
    : `"${commentText(region)}" is not a region: use the name your storage service gives (letters, digits, "-", "_" or ".", e.g. us-east-1).`;
}

/** For storages the extension cannot reach with an S3 client: what is checked, and what is not. */
export interface CheckScope {
  readonly canTestAccess: boolean;
  readonly checked: readonly string[];
  readonly notChecked: readonly string[];
}

export function checkScope(type: StorageType): CheckScope {
  if (type === 's3' || type === 's3Compatible') {
    return {
      canTestAccess: true,
      checked: [
        'the manifest (type, bucket, credentials selectors, endpoint URL)',
        'the credentials, the bucket and each permission wal-g needs, by real requests from this computer',
      ],
      notChecked: ['network access from the cluster\'s pods to the storage (this test runs from this computer)'],
    };
  }
  const service = type === 'gcs' ? 'Google Cloud Storage' : 'Azure Blob Storage';
  const creds = type === 'gcs' ? 'the service account JSON (or Workload Identity)' : 'the storage account and access key';
  return {
    canTestAccess: false,
    checked: ['the manifest: type, bucket, credentials selectors', 'that the referenced Secret and keys exist in the namespace'],
    notChecked: [
      `whether ${creds} can read, write and delete in the bucket: this extension only speaks S3, not ${service}`,
      'whether the bucket exists',
      'network access from the cluster\'s pods to the storage',
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// The tutorial's IAM policy and AWS CLI commands

export interface PolicyStatement {
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: { readonly StringLike: { readonly 's3:prefix': readonly string[] } };
}

export interface IamPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

/** The ARN pattern of the objects wal-g writes: the whole bucket, or only its sub-path. */
export function objectsArn(bucket: string, subPath: string): string {
  return subPath ? `arn:aws:s3:::${bucket}/${subPath}/*` : `arn:aws:s3:::${bucket}/*`;
}

/**
 * The least-privilege policy of the StackGres S3 tutorial: ListBucket and GetBucketLocation on the bucket,
 * PutObject, GetObject and DeleteObject on its objects. With a sub-path, listing and objects are limited to it.
 */
export function iamPolicy(bucket: string, subPath = ''): IamPolicy {
  const objects: PolicyStatement = { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: [objectsArn(bucket, subPath)] };
  if (!subPath) {
    return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [bucketArn(bucket)] }, objects] };
  }
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucketArn(bucket)], Condition: { StringLike: { 's3:prefix': [`${subPath}/*`] } } },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [bucketArn(bucket)] },
      objects,
    ],
  };
}

export interface CliOptions {
  /** IAM user to create (default `stackgres-backup-<bucket>`). */
  readonly userName?: string;
  /** Region for the bucket and the commands (default: the storage's, else us-east-1). */
  readonly region?: string;
  /** The SGObjectStorage the script is for: named in the header, and its Secret checked before credentials.json is deleted. */
  readonly storage?: { readonly name: string; readonly namespace: string };
}

/** Why the script cannot be written for these values, or undefined: each value must be what it claims to be. */
function cliProblem(location: StorageLocation, user: string, region: string, options: CliOptions): string | undefined {
  const type = location.type === 's3' ? 's3' : 's3Compatible';
  const bucket = bucketNameProblem(location.bucket, type);
  if (bucket) return bucket;
  // `*`, `?` and `${…}` are wildcards and variables in a policy: the policy would reach beyond the sub-path.
  if (/[*?$\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(location.subPath)) {
    return `The sub-path "${commentText(location.subPath)}" holds a wildcard (*, ?), a policy variable ($) or a control character: in an IAM policy it would allow more than that folder. Use a sub-path of plain folder names.`;
  }
  const badRegion = regionProblem(region, type);
  if (badRegion) return badRegion;
  if (location.type === 's3Compatible' && location.endpoint) {
    const endpoint = endpointProblem(location.endpoint);
    if (endpoint) return endpoint;
  }
  if (!/^[\w+=,.@-]{1,64}$/.test(user)) {
    return `"${commentText(user)}" is not an IAM user name: use up to 64 letters, digits and + = , . @ _ -.`;
  }
  const secret = location.credentials?.accessKeyId;
  if (secret && !DNS_SUBDOMAIN.test(secret.name)) return `The Secret name "${commentText(secret.name)}" in accessKeyId is not a Kubernetes name: use lower-case letters, digits, "-" and ".".`;
  if (secret && !SECRET_KEY_NAME.test(secret.key)) return `The Secret key "${commentText(secret.key)}" in accessKeyId is not a Kubernetes Secret key: use letters, digits, "-", "_" and ".".`;
  if (options.storage && !DNS_LABEL.test(options.storage.namespace)) {
    return `The namespace "${commentText(options.storage.namespace)}" is not a Kubernetes namespace name: use lower-case letters, digits and "-".`;
  }
  return undefined;
}

/**
 * The tutorial's AWS CLI steps for this location: user, policy, access key into credentials.json, bucket,
 * and deleting credentials.json once the storage's Secret holds the key. Refused when a value cannot be
 * what it claims (a bucket breaking the naming rules, a region or endpoint that is not one); every value
 * is quoted and every comment made of values is kept on its line.
 */
export function awsCliCommands(location: StorageLocation, options: CliOptions = {}): Resolved<string> {
  const user = options.userName ?? `stackgres-backup-${location.bucket}`.slice(0, 64);
  const region = options.region ?? location.region ?? 'us-east-1';
  const problem = cliProblem(location, user, region, options);
  if (problem) return { ok: false, error: problem };
  const policy = JSON.stringify(iamPolicy(location.bucket, location.subPath), null, 2);
  const endpoint = location.type === 's3Compatible' && location.endpoint ? ` --endpoint-url ${shellWord(location.endpoint)}` : '';
  const where = `s3://${location.bucket}${location.subPath ? `/${location.subPath}` : ''}`;
  const secret = location.credentials?.accessKeyId;
  const storage = options.storage;
  const comment = (text: string): string => `# ${commentText(text)}`;
  const lines: string[] = [];
  if (storage) {
    lines.push(
      comment(`SGObjectStorage ${storage.name} (namespace ${storage.namespace}): an IAM user that can do only what wal-g needs,`),
      comment(`${location.subPath ? `limited to ${where}/` : `on bucket ${where}`}. Run these with administrator credentials.`),
      comment(`Then "StackGres: Create Credentials Secret" reads credentials.json${secret ? ` into Secret ${secret.name} (keys ${secret.key}, ${location.credentials?.secretAccessKey?.key ?? 'secretAccessKey'})` : ''},`),
      comment('and "StackGres: Test Object Storage Access" checks each permission on the real bucket.'),
      '',
    );
  }
  lines.push(comment(`StackGres backups to ${where}: a user that can only do what wal-g needs.`));
  if (location.type === 's3Compatible') {
    lines.push('# The IAM commands are for AWS; S3-compatible services create users and policies their own way (same policy JSON).');
  }
  lines.push(
    `aws iam create-user --region ${shellWord(region)} --user-name ${shellWord(user)}`,
    '',
    // The quoted delimiter turns off expansion; JSON escapes every line break, so no line of it is EOF.
    "cat > stackgres-backup-policy.json <<'EOF'",
    policy,
    'EOF',
    `aws iam put-user-policy --region ${shellWord(region)} --user-name ${shellWord(user)} --policy-name ${shellWord(user)} --policy-document file://stackgres-backup-policy.json`,
    '',
    '# The access key goes to credentials.json: keep it out of version control; the last line deletes it once the Secret holds it.',
    `aws --output json iam create-access-key --region ${shellWord(region)} --user-name ${shellWord(user)} > credentials.json`,
    '',
    `aws s3 mb ${shellWord(`s3://${location.bucket}`)} --region ${shellWord(region)}${endpoint}`,
    '',
    ...deleteCredentialsFile(secret, storage?.namespace),
    '',
  );
  return { ok: true, value: lines.join('\n') };
}

/**
 * The step that deletes credentials.json, run again after "Create Credentials Secret": it deletes the file
 * only when the Secret holds the same access key ID, so a run before the Secret exists (or while it still
 * holds an old key) keeps the only copy of the new secret access key.
 */
function deleteCredentialsFile(secret: SecretKeyRef | undefined, namespace: string | undefined): string[] {
  if (!secret || !namespace) {
    return [
      '# Once the storage\'s Secret holds this access key, delete the file:',
      '# rm -f credentials.json',
    ];
  }
  const name = shellWord(secret.name);
  const ns = shellWord(namespace);
  // A dot in a key must be escaped in a JSONPath member name.
  const jsonPath = shellWord(`jsonpath={.data.${secret.key.replace(/\./g, '\\.')}}`);
  const kept = shellWord(`Kept credentials.json: Secret ${secret.name} in namespace ${namespace} does not hold this access key yet. Create it with "StackGres: Create Credentials Secret", then run this line again.`);
  const deleted = shellWord(`Deleted credentials.json: Secret ${secret.name} holds the access key.`);
  return [
    commentText(`# Delete credentials.json once Secret ${secret.name} (namespace ${namespace}) holds this key, in the cluster kubectl points at. Run this line again after creating the Secret:`),
    `key_id=$(sed -n 's/.*"AccessKeyId": *"\\([^"]*\\)".*/\\1/p' credentials.json 2>/dev/null); ` +
      `if [ -n "$key_id" ] && [ "$(kubectl get secret --namespace ${ns} ${name} -o ${jsonPath} 2>/dev/null | base64 -d 2>/dev/null)" = "$key_id" ]; ` +
      `then rm -f credentials.json && echo ${deleted}; else echo ${kept}; fi`,
  ];
}

// ---------------------------------------------------------------------------------------------------------
// The access test

export const STORAGE_ACTIONS = ['ListBucket', 'GetBucketLocation', 'PutObject', 'GetObject', 'DeleteObject'] as const;
export type StorageAction = (typeof STORAGE_ACTIONS)[number];

export interface AccessStep {
  readonly action: StorageAction;
  readonly permission: `s3:${StorageAction}`;
  /** The ARN the permission must cover. */
  readonly resource: string;
  /** What goes wrong for backups without it. */
  readonly consequence: string;
  /** A failure is only a warning (GetBucketLocation when the region is set). */
  readonly optional: boolean;
}

export interface AccessPlan {
  readonly bucket: string;
  readonly keyPrefix: string;
  /** Written, read back and deleted: unique per run so parallel tests never collide. */
  readonly probeKey: string;
  readonly probeBody: string;
  /** The region the storage names, compared with the bucket's for AWS S3. */
  readonly region?: string;
  readonly type: StorageType;
  readonly subPath: string;
  readonly steps: readonly AccessStep[];
}

const CONSEQUENCES: Readonly<Record<StorageAction, string>> = {
  ListBucket: 'wal-g cannot list backups or WAL: backup listing, retention and restores fail',
  GetBucketLocation: 'wal-g cannot find the bucket\'s region unless region is set in the SGObjectStorage',
  PutObject: 'backups and WAL archiving fail, and WAL piles up on the database disk',
  GetObject: 'restores and replicas created from backups fail',
  DeleteObject: 'retention cannot delete old backups',
};

/** The tutorial's actions in order, on a probe object named with `probeId` under the backup path. */
export function accessTestPlan(location: StorageLocation, probeId: string): AccessPlan {
  const objects = objectsArn(location.bucket, location.subPath);
  const step = (action: StorageAction, resource: string, optional = false): AccessStep => ({
    action, permission: `s3:${action}`, resource, consequence: CONSEQUENCES[action], optional,
  });
  return {
    bucket: location.bucket,
    keyPrefix: location.keyPrefix,
    probeKey: `${location.keyPrefix}stackgres-access-test-${probeId}`,
    probeBody: `Written by the StackGres extension's access test (${probeId}); it deletes it right away. Safe to delete.\n`,
    region: location.region,
    type: location.type,
    subPath: location.subPath,
    steps: [
      step('ListBucket', bucketArn(location.bucket)),
      step('GetBucketLocation', bucketArn(location.bucket), location.region !== undefined),
      step('PutObject', objects),
      step('GetObject', objects),
      step('DeleteObject', objects),
    ],
  };
}

/** AWS names us-east-1 with an empty LocationConstraint and eu-west-1 with the legacy "EU". */
export function normalizeBucketRegion(location: string | undefined | null): string {
  if (!location) return 'us-east-1';
  return location === 'EU' ? 'eu-west-1' : location;
}

/** For AWS S3 only: a region that differs from the bucket's makes every wal-g request fail. */
export function regionMismatch(type: StorageType, configured: string | undefined, bucketRegion: string): string | undefined {
  if (type !== 's3' || configured === undefined || configured === bucketRegion) return undefined;
  return `The bucket is in ${bucketRegion} but the storage says region ${configured}: set region: ${bucketRegion}.`;
}

// ---------------------------------------------------------------------------------------------------------
// Failures, translated once

/** S3 error codes we explain, plus our own for failures that never reached S3. */
export type StorageErrorCode =
  | 'AccessDenied'
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'PermanentRedirect'
  | 'AuthorizationHeaderMalformed'
  | 'InvalidBucketName'
  | 'InvalidStorageClass'
  | 'SlowDown'
  | 'InvalidEndpoint'
  | 'EndpointUnreachable'
  | 'TlsError'
  | 'Timeout'
  | 'Aborted'
  | 'TooLarge'
  | 'MissingCredentials'
  /** GetBucketLocation names another region than the storage's (AWS S3). */
  | 'WrongRegion'
  /** The probe object read back differs from what was written. */
  | 'ContentMismatch'
  | (string & {});

export interface StorageFailure {
  readonly code: StorageErrorCode;
  readonly httpStatus?: number;
  /** What the service or the system said, for codes without a translation. */
  readonly detail?: string;
  /** The bucket's region when the service named it (x-amz-bucket-region header, or <Region> in the error). */
  readonly region?: string;
  /** Node's error code behind a network or TLS failure (ECONNREFUSED, CERT_HAS_EXPIRED, ...). */
  readonly systemCode?: string;
}

export interface FailureContext {
  readonly action?: StorageAction;
  readonly bucket: string;
  readonly type?: StorageType;
  readonly endpoint?: string;
  readonly region?: string;
  readonly subPath?: string;
  readonly timeoutMs?: number;
  readonly storageClass?: string;
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO', 'CERT_UNTRUSTED', 'CERT_REVOKED',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'EADDRNOTAVAIL']);

/** The code of a failure that never got an S3 answer, from Node's error code. */
export function systemFailureCode(systemCode: string): StorageErrorCode | undefined {
  if (TLS_CODES.has(systemCode) || systemCode.startsWith('ERR_SSL_') || systemCode.startsWith('ERR_TLS_')) return 'TlsError';
  if (UNREACHABLE_CODES.has(systemCode)) return 'EndpointUnreachable';
  if (systemCode === 'ETIMEDOUT' || systemCode === 'ESOCKETTIMEDOUT') return 'Timeout';
  return undefined;
}

function where(ctx: FailureContext): string {
  if (ctx.endpoint) return ctx.endpoint;
  return ctx.region ? `AWS S3 (${ctx.region})` : 'AWS S3';
}

function tlsExplanation(systemCode: string | undefined, ctx: FailureContext): string {
  const ca = ctx.type === 's3Compatible' ? 'set caCertificate in the SGObjectStorage\'s secretKeySelectors to the CA that signed it' : 'use an endpoint with a publicly trusted certificate';
  switch (systemCode) {
    case 'CERT_HAS_EXPIRED':
      return `The TLS certificate of ${where(ctx)} has expired: renew it on the storage.`;
    case 'CERT_NOT_YET_VALID':
      return `The TLS certificate of ${where(ctx)} is not valid yet: check this computer's clock and the certificate's dates.`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `The TLS certificate of ${where(ctx)} is for another host name: use the name the certificate was issued for in endpoint.`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'EPROTO':
      return `${where(ctx)} does not speak TLS on that port: use http:// in endpoint, or the storage's https port.`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
      return `The TLS certificate of ${where(ctx)} is not trusted (${systemCode}): ${ca}.`;
    default:
      return `TLS with ${where(ctx)} failed${systemCode ? ` (${systemCode})` : ''}: check the endpoint's certificate, or ${ca}.`;
  }
}

function unreachableExplanation(systemCode: string | undefined, ctx: FailureContext): string {
  const host = ctx.endpoint ? hostOf(ctx.endpoint) : 's3.amazonaws.com';
  switch (systemCode) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host ${host} does not resolve from this computer: check the endpoint's spelling (an in-cluster name such as minio.namespace works only inside the cluster).`;
    case 'ECONNREFUSED':
      return `Nothing accepts connections at ${where(ctx)}: check the endpoint's host and port, and that the storage is running.`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `${where(ctx)} closed the connection: check the endpoint's port and scheme (http or https), or a proxy in between.`;
    default:
      return `${where(ctx)} cannot be reached from this computer${systemCode ? ` (${systemCode})` : ''}: check the endpoint, the network and any VPN or proxy.`;
  }
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function regionField(ctx: FailureContext): string {
  return ctx.type === 's3Compatible' ? 's3Compatible.region' : 's3.region';
}

/** One line a DBA can act on, for any failure of any action. */
export function explainStorageFailure(failure: StorageFailure, ctx: FailureContext): string {
  const action = ctx.action;
  switch (failure.code) {
    case 'AccessDenied': {
      if (!action) return `Access denied to bucket ${ctx.bucket}: the user's policy does not allow this request.`;
      const resource = action === 'ListBucket' || action === 'GetBucketLocation' ? bucketArn(ctx.bucket) : objectsArn(ctx.bucket, ctx.subPath ?? '');
      return `The policy lacks s3:${action} on ${resource}, so ${CONSEQUENCES[action]}.`;
    }
    case 'NoSuchBucket':
      return `The bucket ${ctx.bucket} does not exist at ${where(ctx)}: create it (aws s3 mb ${shellWord(`s3://${ctx.bucket}`)}) or correct the bucket name.`;
    case 'NoSuchKey':
      return `The object does not exist (it may have been deleted meanwhile, for example by retention).`;
    case 'InvalidAccessKeyId':
      return `${where(ctx)} does not know this access key ID: check the accessKeyId value in the Secret (a deleted key, another account, or a stray newline).`;
    case 'SignatureDoesNotMatch':
      return `The secret access key does not match the access key ID: check the secretAccessKey value in the Secret (often a trailing newline from echo without -n).`;
    case 'RequestTimeTooSkewed':
      return `This computer's clock is more than 15 minutes off the storage's: synchronise the clock (NTP) and test again.`;
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return failure.region
        ? `The bucket ${ctx.bucket} is in region ${failure.region}, not ${ctx.region ?? 'the one requested'}: set ${regionField(ctx)}: ${failure.region}.`
        : `The bucket ${ctx.bucket} is in another region than ${ctx.region ?? 'the one requested'}: set ${regionField(ctx)} to the bucket's region (aws s3api get-bucket-location --bucket ${shellWord(ctx.bucket)}).`;
    case 'InvalidBucketName':
      return bucketNameProblem(ctx.bucket, ctx.type === 's3' ? 's3' : 's3Compatible') ?? `The storage says "${commentText(ctx.bucket)}" is not a valid bucket name. ${S3_BUCKET_NAME_RULE}.`;
    case 'InvalidStorageClass':
      return `The storage does not support storage class ${ctx.storageClass ?? '(the one set)'}: remove storageClass or use STANDARD.`;
    case 'InvalidArgument':
      // Ceph RGW answers an unknown storage class this way, without a message.
      if (action === 'PutObject' && ctx.storageClass && ctx.storageClass !== 'STANDARD') {
        return `The storage refused the write with storage class ${ctx.storageClass} (InvalidArgument): it probably does not offer that class; remove storageClass or use STANDARD.`;
      }
      return `${where(ctx)} refused the request (InvalidArgument${failure.httpStatus ? `, HTTP ${failure.httpStatus}` : ''})${failure.detail ? `: ${failure.detail}` : ''}.`;
    case 'SlowDown':
    case 'ServiceUnavailable':
      return `${where(ctx)} is throttling requests (${failure.code}): try again in a minute.`;
    case 'InvalidEndpoint':
      return failure.detail ?? `The endpoint is not a URL: write it as http://host:port or https://host.`;
    case 'EndpointUnreachable':
      return unreachableExplanation(failure.systemCode, ctx);
    case 'TlsError':
      return tlsExplanation(failure.systemCode, ctx);
    case 'Timeout':
      return `${where(ctx)} did not answer within ${ctx.timeoutMs !== undefined ? `${Math.round(ctx.timeoutMs / 100) / 10} s` : 'the time limit'}: check the endpoint, firewalls and proxies, or try again.`;
    case 'Aborted':
      return 'Cancelled.';
    case 'TooLarge':
      return failure.detail ?? 'The object is too large to read here.';
    case 'MissingCredentials':
      return failure.detail ?? 'No credentials: the Secret or its keys are missing.';
    default: {
      const status = failure.httpStatus ? ` (HTTP ${failure.httpStatus})` : '';
      return `${where(ctx)} answered ${failure.code}${status}${failure.detail ? `: ${failure.detail}` : ''}.`;
    }
  }
}

/** Failures after which the next actions cannot tell anything new (same credentials, same bucket, same network). */
export function stopsTheTest(code: StorageErrorCode): boolean {
  return ['NoSuchBucket', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'RequestTimeTooSkewed', 'PermanentRedirect', 'AuthorizationHeaderMalformed',
    'InvalidBucketName', 'InvalidEndpoint', 'EndpointUnreachable', 'TlsError', 'Timeout', 'Aborted', 'MissingCredentials'].includes(code);
}

// ---------------------------------------------------------------------------------------------------------
// Listings stopped because the storage does not page as S3 does

/**
 * Why a listing was stopped before its end: the storage ignored StartAfter or Prefix, paged in a loop
 * (a repeated continuation token, keys it had already returned, empty pages without end), or the listing
 * used up the requests one view may make.
 */
export type ListingStopCode = 'StartAfterIgnored' | 'PrefixIgnored' | 'ListingLoop' | 'ListingTooLong';

export interface ListingStopContext {
  readonly bucket: string;
  readonly prefix: string;
  /** Requests made by the listing when it was stopped. */
  readonly requests: number;
  /** What the storage did, in a few words. */
  readonly detail: string;
}

/** A key or prefix from the bucket as it may appear in a message: short, without control characters. */
export function shownKey(key: string): string {
  const clean = key.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}

/** One line a DBA can act on when a listing was stopped. */
export function explainListingStop(code: ListingStopCode, ctx: ListingStopContext): string {
  const where = `s3://${ctx.bucket}/${shownKey(ctx.prefix)}`;
  const after = `stopped after ${ctx.requests} request${ctx.requests === 1 ? '' : 's'}`;
  switch (code) {
    case 'StartAfterIgnored':
      return `The storage ignores StartAfter when listing ${where} (${ctx.detail}), so the search cannot skip ahead; ${after}. An older S3-compatible server or a proxy drops the parameter: point the endpoint at the storage itself, or see the objects with aws s3 ls ${where}.`;
    case 'PrefixIgnored':
      return `The storage ignores the prefix when listing ${where} (${ctx.detail}), so its listings cannot be trusted here; ${after}. Point the endpoint at the storage itself rather than a proxy, or update the storage.`;
    case 'ListingLoop':
      return `The storage does not page the listing of ${where} as S3 does (${ctx.detail}); ${after} instead of looping. Update the S3-compatible storage or the proxy in front of it; aws s3 ls ${where} shows the objects meanwhile.`;
    case 'ListingTooLong':
      return `The listing of ${where} was ${after}, the most one view makes, and the storage still said there was more: refresh to try again, or use aws s3 ls ${where}.`;
  }
}
