// The StackGres admission webhooks the simulated operator installs: the SGObjectStorage mutator's
// MinIO defaults (CREATE only) and the validating checks whose messages the extension must show.
// Reference checks (does the storage exist, is the backup Completed) are reconciliation-time in
// StackGres >= 1.16 and therefore live in the operator, not here.
import type { KubeObject, ResourceType } from './resources';
import { KubeError, type StatusCause } from './status';

export const OPERATOR_VERSION = '1.18.6';
const ERROR_DOC = 'https://stackgres.io/doc/1.18/api/responses/error/#';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  operation: Operation;
  type: ResourceType;
  object: KubeObject;
  oldObject?: KubeObject;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function deepMergeDefaults(defaults: Record<string, unknown>, user: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(defaults);
  for (const [k, v] of Object.entries(user)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMergeDefaults(out[k] as Record<string, unknown>, v) : structuredClone(v);
  }
  return out;
}

/** What the operator fills into a new SGObjectStorage that has no type or is s3Compatible. */
export const OBJECT_STORAGE_DEFAULTS = {
  type: 's3Compatible',
  s3Compatible: {
    bucket: 'stackgres',
    region: 'k8s',
    endpoint: 'http://minio:9000',
    enablePathStyleAddressing: true,
    awsCredentials: {
      secretKeySelectors: {
        accessKeyId: { name: 'minio', key: 'accesskey' },
        secretAccessKey: { name: 'minio', key: 'secretkey' },
      },
    },
  },
};

const ANNOTATED = new Set(['sgobjectstorages', 'sgbackups', 'sgclusters', 'sgdbops']);

/** Mutating webhooks: run before schema validation, on the object in place. */
export function mutate(req: AdmissionRequest): void {
  if (req.type.group !== 'stackgres.io' || req.operation !== 'CREATE') {
    return;
  }
  const obj = req.object;
  if (ANNOTATED.has(req.type.plural)) {
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), 'stackgres.io/operatorVersion': OPERATOR_VERSION };
  }
  if (req.type.plural === 'sgobjectstorages' && isPlainObject(obj.spec)) {
    const type = obj.spec.type;
    if (type === undefined || type === null || type === 's3Compatible') {
      obj.spec = deepMergeDefaults(OBJECT_STORAGE_DEFAULTS, obj.spec);
    }
  }
}

function webhookName(type: ResourceType): string {
  return `${type.singular}.validating-webhook.stackgres.io`;
}

/** A hand-written validator's rejection: code 400 with the plain message. */
function denied(type: ResourceType, errorType: string, message: string): KubeError {
  return new KubeError(400, ERROR_DOC + errorType, `admission webhook "${webhookName(type)}" denied the request: ${message}`);
}

/** A constraint (bean-validation) rejection: code 422, `<Kind> has invalid properties. <first>`. */
function constraintViolation(req: AdmissionRequest, causes: StatusCause[]): KubeError {
  return new KubeError(
    422,
    ERROR_DOC + 'constraint-violation',
    `admission webhook "${webhookName(req.type)}" denied the request: ${req.type.kind} has invalid properties. ${causes[0].message}`,
    { name: req.object.metadata.name, group: req.type.group, kind: req.type.kind, causes },
  );
}

function cause(field: string, message: string): StatusCause {
  return { field, reason: ERROR_DOC + 'constraint-violation', message };
}

const STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'REDUCED_REDUNDANCY'];

function secretKeySelectorCauses(sks: unknown, field: string): StatusCause[] {
  if (!isPlainObject(sks)) {
    return [];
  }
  const out: StatusCause[] = [];
  if (sks.key === '') {
    out.push(cause(`${field}.key`, 'key must not be empty.'));
  }
  if (sks.name === '') {
    out.push(cause(`${field}.name`, 'name must not be empty.'));
  }
  return out;
}

/** Bean-validation rules of a storage spec (SGObjectStorage.spec or SGBackup.status.sgBackupConfig.storage). */
export function storageConstraintCauses(storage: Record<string, unknown>, base: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (storage.type === undefined) {
    out.push(cause(`${base}.type`, 'The storage type is required'));
  }
  for (const section of ['s3', 's3Compatible'] as const) {
    const s = storage[section];
    if (!isPlainObject(s)) {
      continue;
    }
    if (s.storageClass !== undefined && !STORAGE_CLASSES.includes(String(s.storageClass))) {
      out.push(cause(`${base}.${section}.storageClass`, 'storageClass must be one of STANDARD, STANDARD_IA or REDUCED_REDUNDANCY.'));
    }
    const sel = isPlainObject(s.awsCredentials) ? s.awsCredentials.secretKeySelectors : undefined;
    if (isPlainObject(sel)) {
      out.push(...secretKeySelectorCauses(sel.accessKeyId, `${base}.${section}.awsCredentials.secretKeySelectors.accessKeyId`));
      out.push(...secretKeySelectorCauses(sel.secretAccessKey, `${base}.${section}.awsCredentials.secretKeySelectors.secretAccessKey`));
    }
  }
  const s3c = storage.s3Compatible;
  if (isPlainObject(s3c) && s3c.endpoint !== undefined) {
    let ok = /^(http:|https:).*/.test(String(s3c.endpoint));
    try {
      new URL(String(s3c.endpoint));
    } catch {
      ok = false;
    }
    if (!ok) {
      out.push(cause(`${base}.s3Compatible.endpoint`, 's3Compatible.endpoint must be a valid URL'));
    }
  }
  const gcs = storage.gcs;
  if (isPlainObject(gcs) && isPlainObject(gcs.gcpCredentials)) {
    const creds = gcs.gcpCredentials;
    if (creds.fetchCredentialsFromMetadataService !== true && !isPlainObject(creds.secretKeySelectors)) {
      out.push(cause(`${base}.gcs.gcpCredentials.secretKeySelectors`, 'The secretKeySelectors is required if fetchCredentialsFromMetadataService is false'));
    }
  }
  const enc = storage.encryption;
  if (isPlainObject(enc)) {
    if (enc.method !== undefined && enc.method !== 'sodium' && enc.method !== 'openpgp') {
      out.push(cause(`${base}.encryption.method`, 'mode can be sodium or openpgp'));
    }
    if (enc.method === 'sodium' && !isPlainObject(enc.sodium)) {
      out.push(cause(`${base}.encryption.sodium`, 'sodium section is not specified.'));
    }
    if (enc.method === 'openpgp' && !isPlainObject(enc.openpgp)) {
      out.push(cause(`${base}.encryption.openpgp`, 'openpgp section is not specified.'));
    }
    if (isPlainObject(enc.sodium) && isPlainObject(enc.openpgp)) {
      out.push(cause(`${base}.encryption`, 'sodium and openpgp sections are mutually exclusive.'));
    }
    if (isPlainObject(enc.sodium) && enc.sodium.keyTransform !== undefined && !['base64', 'hex', 'none'].includes(String(enc.sodium.keyTransform))) {
      out.push(cause(`${base}.encryption.sodium.keyTransform`, 'keyTransform can be base64, hex or none'));
    }
  }
  return out;
}

const SECTIONS = ['s3', 's3Compatible', 'gcs', 'azureBlob'] as const;

function others(type: string): string {
  const rest = SECTIONS.filter((s) => s !== type);
  return `${rest.slice(0, -1).join(', ')} or ${rest[rest.length - 1]}`;
}

/** The ObjectStorageTypeValidator rule for one storage spec, or undefined when it passes. */
export function storageTypeMessage(storage: Record<string, unknown>): string | undefined {
  const type = String(storage.type);
  if (!(SECTIONS as readonly string[]).includes(type)) {
    return `Invalid storage type ${type}, must be s3, s3Compatible, gcs or azureBlob`;
  }
  if (!isPlainObject(storage[type])) {
    return `Invalid object storage. If storage type is ${type}, the ${type} property must be set`;
  }
  if (SECTIONS.some((s) => s !== type && storage[s] !== undefined && storage[s] !== null)) {
    return `Invalid object storage. If storage type is ${type}, neither ${others(type)} must be set`;
  }
  if (type === 's3') {
    const creds = (storage.s3 as Record<string, unknown>).awsCredentials;
    if (!isPlainObject(creds) || (creds.useIAMRole !== true && !isPlainObject(creds.secretKeySelectors))) {
      return 'Invalid object storage. If storage type is s3, you must set useIamRole or secretKeySelectors under awsCredentials';
    }
  }
  return undefined;
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function isInstant(s: string): boolean {
  const m = ISO_INSTANT.exec(s);
  if (!m) {
    return false;
  }
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 59 && !Number.isNaN(Date.parse(s));
}

function clusterConstraintCauses(spec: Record<string, unknown>): StatusCause[] {
  const out: StatusCause[] = [];
  const configurations = isPlainObject(spec.configurations) ? spec.configurations : {};
  const backups = Array.isArray(configurations.backups) ? configurations.backups : [];
  backups.forEach((b, i) => {
    if (!isPlainObject(b)) {
      return;
    }
    const f = `spec.configurations.backups[${i}]`;
    if (b.sgObjectStorage === undefined || b.sgObjectStorage === null) {
      out.push(cause(`${f}.sgObjectStorage`, 'must not be null'));
    }
    if (typeof b.retention === 'number' && b.retention <= 0) {
      out.push(cause(`${f}.retention`, 'retention must be greater than zero'));
    }
    if (typeof b.maxRetries === 'number' && b.maxRetries < 0) {
      out.push(cause(`${f}.maxRetries`, 'maxRetries must be greather or equals to 0.'));
    }
  });
  const initialData = isPlainObject(spec.initialData) ? spec.initialData : {};
  if (initialData.scripts !== undefined) {
    out.push(cause('spec.initialData.scripts', 'scripts section is deprecated, please use .spec.managedSql.scripts section instead.'));
  }
  const restore = initialData.restore;
  if (isPlainObject(restore)) {
    const fb = restore.fromBackup;
    const f = 'spec.initialData.restore.fromBackup';
    if (!isPlainObject(fb)) {
      out.push(cause(f, 'fromBackup cannot be null'));
    } else {
      if (fb.uid !== undefined && fb.uid !== null) {
        out.push(cause(`${f}.uid`, 'uid is deprecated, use name instead!'));
      } else if (fb.name === undefined || fb.name === null) {
        out.push(cause(`${f}.name`, 'name cannot be null'));
      }
      const targets = ['targetName', 'targetXid', 'targetLsn', 'pointInTimeRecovery'].filter((k) => fb[k] !== undefined && fb[k] !== null);
      if (targets.length > 1) {
        for (const t of targets) {
          out.push(cause(`${f}.${t}`, 'targetName, targetLsn, targetXid pointInTimeRecovery are mutually exclusive'));
        }
      }
      const pitr = fb.pointInTimeRecovery;
      if (isPlainObject(pitr)) {
        const ts = pitr.restoreToTimestamp;
        if (ts === undefined || ts === null) {
          out.push(cause(`${f}.pointInTimeRecovery.restoreToTimestamp`, 'must not be null'));
        } else if (!isInstant(String(ts))) {
          out.push(cause(`${f}.pointInTimeRecovery.restoreToTimestamp`, 'restoreToTimestamp must be in ISO 8601 date format: `YYYY-MM-DDThh:mm:ss.ddZ`.'));
        }
      }
    }
  }
  return out;
}

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** Validating webhooks: throw the operator's rejection, or return when the request is allowed. */
export function validate(req: AdmissionRequest): void {
  if (req.type.group !== 'stackgres.io' || req.operation === 'DELETE') {
    return;
  }
  const obj = req.object;
  const spec = isPlainObject(obj.spec) ? obj.spec : undefined;
  const old = req.oldObject;
  switch (req.type.plural) {
    case 'sgobjectstorages': {
      if (!spec) {
        throw constraintViolation(req, [cause('spec', 'spec is required')]);
      }
      const causes = storageConstraintCauses(spec, 'spec');
      if (causes.length > 0) {
        throw constraintViolation(req, causes);
      }
      const message = storageTypeMessage(spec);
      if (message) {
        throw denied(req.type, 'constraint-violation', message);
      }
      return;
    }
    case 'sgbackups': {
      if (!spec) {
        throw constraintViolation(req, [cause('spec', 'spec is required')]);
      }
      const causes: StatusCause[] = [];
      if (spec.sgCluster === undefined || spec.sgCluster === null) {
        causes.push(cause('spec.sgCluster', 'The cluster name is required'));
      }
      if (typeof spec.maxRetries === 'number' && spec.maxRetries < 0) {
        causes.push(cause('spec.maxRetries', 'maxRetries must be greather or equals to 0.'));
      }
      const status = isPlainObject(obj.status) ? obj.status : {};
      const config = status.sgBackupConfig;
      if (isPlainObject(config)) {
        if (!isPlainObject(config.storage)) {
          causes.push(cause('status.sgBackupConfig.storage', 'The storage is required'));
        } else {
          causes.push(...storageConstraintCauses(config.storage, 'status.sgBackupConfig.storage'));
        }
        if (!isPlainObject(config.baseBackups)) {
          causes.push(cause('status.sgBackupConfig.baseBackups', 'Base backup configuration is required'));
        }
      }
      if (causes.length > 0) {
        throw constraintViolation(req, causes);
      }
      if (req.operation === 'UPDATE' && old) {
        const oldSpec = isPlainObject(old.spec) ? old.spec : {};
        const oldStatus = isPlainObject(old.status) ? old.status : {};
        if (json(oldSpec.sgCluster) !== json(spec.sgCluster)) {
          throw denied(req.type, 'forbidden-configuration-update', 'SGBackup sgCluster can not be updated.');
        }
        if (oldStatus.internalName !== undefined && json(oldStatus.internalName) !== json(status.internalName)) {
          throw denied(req.type, 'forbidden-configuration-update', 'Update of backups name is forbidden');
        }
        if (oldStatus.sgBackupConfig !== undefined && json(oldStatus.sgBackupConfig) !== json(status.sgBackupConfig)) {
          throw denied(req.type, 'forbidden-configuration-update', 'Update of backups config is forbidden');
        }
        if (oldStatus.backupInformation !== undefined && json(oldStatus.backupInformation) !== json(status.backupInformation)) {
          throw denied(req.type, 'forbidden-configuration-update', 'Update of backups information is forbidden');
        }
      }
      return;
    }
    case 'sgclusters': {
      if (!spec) {
        return;
      }
      const causes = clusterConstraintCauses(spec);
      if (causes.length > 0) {
        throw constraintViolation(req, causes);
      }
      if (req.operation === 'UPDATE' && old) {
        const restoreOf = (o: KubeObject): unknown => {
          const s = isPlainObject(o.spec) ? o.spec : {};
          return isPlainObject(s.initialData) ? s.initialData.restore : undefined;
        };
        if (json(restoreOf(old)) !== json(restoreOf(obj))) {
          throw denied(req.type, 'forbidden-cluster-update', "Cannot update SGCluster's restore configuration");
        }
      }
      return;
    }
    default:
      return;
  }
}
