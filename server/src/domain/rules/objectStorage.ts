/** SGObjectStorage rules beyond the CRD schema (the operator's validators and ObjectStorageDefaultValuesMutator). */
import { STORAGE_TYPES, StorageType, STORAGE_SPEC_ENUMS } from '../enums';
import type { PathSegment } from '../locate';
import { isRecord } from '../manifest';
import { bucketNameProblem } from '../objectStore';
import { code, Finding, get, has } from './types';

/** Checks a storage spec found at `base` (an SGObjectStorage `spec`, or an SGBackup's copy of it). */
export function checkStorageSpec(root: unknown, base: readonly PathSegment[]): Finding[] {
  const spec = get(root, base);
  if (!isRecord(spec)) return [];
  const out: Finding[] = [];
  const at = (...p: PathSegment[]): PathSegment[] => [...base, ...p];
  const present = STORAGE_TYPES.filter((t) => spec[t] !== undefined);
  const type = spec.type;

  if (type === undefined || type === null) {
    out.push(missingType(present, base));
  } else if (typeof type === 'string' && (STORAGE_TYPES as readonly string[]).includes(type)) {
    if (!present.includes(type as StorageType)) {
      out.push({
        code: 'storage-section-missing',
        path: at('type'),
        target: 'value',
        message: `${code(`type: ${type}`)} needs a ${code(`${type}:`)} section with the bucket and credentials. The operator rejects this storage: "If storage type is ${type}, the ${type} property must be set".`,
        fixes: present.length === 1 ? [{ kind: 'set-value', title: `Change type to ${present[0]}`, path: at('type'), value: present[0] }] : undefined,
      });
    }
    for (const other of present.filter((t) => t !== type)) {
      const rest = STORAGE_TYPES.filter((t) => t !== type);
      out.push({
        code: 'storage-section-conflict',
        path: at(other),
        message: `${code(other)} is set but ${code('type')} is ${code(type)}. A storage has exactly one section; the operator rejects this one: "If storage type is ${type}, neither ${rest.slice(0, -1).join(', ')} or ${rest[rest.length - 1]} must be set". Remove ${code(other)} or change ${code('type')}.`,
      });
    }
  }

  out.push(...checkS3Credentials(spec, at));
  out.push(...checkGcsCredentials(spec, at));
  out.push(...checkAzureCredentials(spec, at));
  out.push(...checkS3Compatible(spec, at));
  out.push(...checkBuckets(spec, at));
  out.push(...checkWebhookEnums(root, base));
  out.push(...checkEncryption(spec, at));
  return out;
}

function missingType(present: StorageType[], base: readonly PathSegment[]): Finding {
  const fixes = present.map((t) => ({ kind: 'insert-key' as const, title: `Add type: ${t}`, parent: base, key: 'type', value: t }));
  if (present.length === 0) {
    return {
      code: 'storage-type-missing',
      path: base,
      message: `No ${code('type')} and no storage section. On creation the operator silently turns this into a MinIO storage: type s3Compatible, bucket ${code('stackgres')}, endpoint ${code('http://minio:9000')}, credentials from Secret ${code('minio')}. Set ${code('type')} (s3, s3Compatible, gcs or azureBlob) and its section.`,
    };
  }
  if (present.length === 1 && present[0] === 's3Compatible') {
    return {
      code: 'storage-type-missing',
      path: base,
      message: `No ${code('type')}. The operator assumes s3Compatible and fills every missing field with MinIO defaults (endpoint ${code('http://minio:9000')}, region ${code('k8s')}, path-style addressing). Add ${code('type: s3Compatible')} to make it explicit.`,
      fixes,
    };
  }
  if (present.length === 1) {
    return {
      code: 'storage-type-missing',
      severity: 'error',
      path: base,
      message: `No ${code('type')}. The operator sets ${code('type: s3Compatible')} with MinIO defaults and then rejects the storage because it also has an ${code(present[0])} section. Add ${code(`type: ${present[0]}`)}.`,
      fixes,
    };
  }
  return {
    code: 'storage-type-missing',
    severity: 'error',
    path: base,
    message: `No ${code('type')} and ${present.length} storage sections (${present.join(', ')}). Keep the one you use, set ${code('type')} to it and remove the others.`,
    fixes,
  };
}

function checkS3Credentials(spec: Record<string, unknown>, at: (...p: PathSegment[]) => PathSegment[]): Finding[] {
  const creds = get(spec, ['s3', 'awsCredentials']);
  if (!isRecord(creds)) return [];
  const iam = creds.useIAMRole === true;
  const selectors = creds.secretKeySelectors;
  if (!iam && (selectors === undefined || selectors === null)) {
    return [{
      code: 's3-credentials-missing',
      path: at('s3', 'awsCredentials'),
      message: `No way to authenticate to S3: set ${code('secretKeySelectors')} (accessKeyId and secretAccessKey from a Secret) or ${code('useIAMRole: true')} (IRSA or EKS pod identity). The operator rejects it: "you must set useIamRole or secretKeySelectors under awsCredentials".`,
    }];
  }
  if (iam && selectors !== undefined && selectors !== null) {
    return [{
      code: 's3-credentials-ignored',
      path: at('s3', 'awsCredentials', 'secretKeySelectors'),
      message: `${code('useIAMRole: true')} makes wal-g use the pod's IAM role; these secretKeySelectors are ignored. Remove them, or set ${code('useIAMRole: false')} to use the keys.`,
    }];
  }
  return [];
}

function checkGcsCredentials(spec: Record<string, unknown>, at: (...p: PathSegment[]) => PathSegment[]): Finding[] {
  const creds = get(spec, ['gcs', 'gcpCredentials']);
  if (!isRecord(creds)) return [];
  const metadata = creds.fetchCredentialsFromMetadataService === true;
  const json = get(creds, ['secretKeySelectors', 'serviceAccountJSON']);
  if (!metadata && (json === undefined || json === null)) {
    return [{
      code: 'gcs-credentials-missing',
      path: at('gcs', 'gcpCredentials'),
      message: `No way to authenticate to GCS: set ${code('secretKeySelectors.serviceAccountJSON')} (a service account key file in a Secret) or ${code('fetchCredentialsFromMetadataService: true')} (GKE Workload Identity). The operator rejects it: "The secretKeySelectors is required if fetchCredentialsFromMetadataService is false".`,
    }];
  }
  if (metadata && creds.secretKeySelectors !== undefined && creds.secretKeySelectors !== null) {
    return [{
      code: 'gcs-credentials-ignored',
      path: at('gcs', 'gcpCredentials', 'secretKeySelectors'),
      message: `With ${code('fetchCredentialsFromMetadataService: true')} credentials come from the GKE metadata server (Workload Identity); leave ${code('secretKeySelectors')} out.`,
    }];
  }
  return [];
}

function checkAzureCredentials(spec: Record<string, unknown>, at: (...p: PathSegment[]) => PathSegment[]): Finding[] {
  const creds = get(spec, ['azureBlob', 'azureCredentials']);
  if (!isRecord(creds) || (creds.secretKeySelectors !== undefined && creds.secretKeySelectors !== null)) return [];
  return [{
    code: 'azure-credentials-missing',
    path: at('azureBlob', 'azureCredentials'),
    message: `Azure Blob needs ${code('secretKeySelectors')} with the ${code('storageAccount')} name and its ${code('accessKey')} from a Secret. The operator rejects it: "The secret Key Selectors are required".`,
  }];
}

/** As lenient as the operator (a placeholder such as <region> passes), but a space or a line break is never part of a URL. */
function looksLikeUrl(endpoint: string): boolean {
  return /^https?:\/\/[^\s/]+/.test(endpoint) && !/[\s\u0000-\u001f\u007f-\u009f]/.test(endpoint);
}

function checkS3Compatible(spec: Record<string, unknown>, at: (...p: PathSegment[]) => PathSegment[]): Finding[] {
  const section = spec.s3Compatible;
  if (!isRecord(section)) return [];
  const out: Finding[] = [];
  const endpoint = section.endpoint;
  if (endpoint === undefined || endpoint === null) {
    out.push({
      code: 's3compatible-endpoint-missing',
      path: at('s3Compatible'),
      message: `No ${code('endpoint')}: the operator fills ${code('http://minio:9000')}, which only works with an in-cluster MinIO service named minio. Set your provider's endpoint, e.g. ${code('https://nyc3.digitaloceanspaces.com')}.`,
    });
  } else if (typeof endpoint === 'string' && !looksLikeUrl(endpoint)) {
    out.push({
      code: 's3compatible-endpoint-invalid',
      path: at('s3Compatible', 'endpoint'),
      target: 'value',
      message: `${code(endpoint)} is not an http:// or https:// URL. The operator rejects it: "s3Compatible.endpoint must be a valid URL". Example: ${code('https://s3.eu-central-1.wasabisys.com')}.`,
      fixes: /^[^\s:/]+(\.[^\s:/]+)+(:\d+)?(\/.*)?$/.test(endpoint)
        ? [{ kind: 'set-value', title: `Use https://${endpoint}`, path: at('s3Compatible', 'endpoint'), value: `https://${endpoint}` }]
        : undefined,
    });
  }
  if (section.region === undefined || section.region === null) {
    out.push({
      code: 's3compatible-region-missing',
      path: at('s3Compatible'),
      message: `No ${code('region')}: the operator sets ${code('k8s')}. Most S3-compatible services accept any region, but some (OCI, Wasabi, R2 with ${code('auto')}) need theirs for request signing.`,
    });
  }
  return out;
}

function checkBuckets(spec: Record<string, unknown>, at: (...p: PathSegment[]) => PathSegment[]): Finding[] {
  const out: Finding[] = [];
  for (const t of ['s3', 's3Compatible'] as const) {
    const bucket = get(spec, [t, 'bucket']);
    if (typeof bucket === 'string' && /^https?:\/\//i.test(bucket)) {
      const bare = bucket.replace(/^https?:\/\//i, '');
      out.push({
        code: 'bucket-url-scheme',
        path: at(t, 'bucket'),
        target: 'value',
        message: `The bucket is used verbatim as the wal-g prefix, so ${code(bucket)} becomes ${code(`WALG_S3_PREFIX=${bucket}/...`)} and wal-g cannot use it. Write the bucket name (optionally with a sub-path or ${code('s3://')}): ${code(bare)}.${t === 's3Compatible' ? ` The service URL belongs in ${code('endpoint')}.` : ''}`,
        fixes: [{ kind: 'set-value', title: `Use ${bare}`, path: at(t, 'bucket'), value: bare }],
      });
    } else if (typeof bucket === 'string') {
      const name = bucket.replace(/^s3:\/\//i, '').split('/')[0];
      const problem = bucketNameProblem(name, t);
      if (problem) {
        out.push({
          code: 'bucket-name-invalid',
          path: at(t, 'bucket'),
          target: 'value',
          message: `${problem} wal-g cannot back up to it. Use the bucket's real name${bucket.includes('/') ? ' (a sub-path may follow after "/")' : ''}.`,
        });
      }
    }
  }
  return out;
}

function checkWebhookEnums(root: unknown, base: readonly PathSegment[]): Finding[] {
  const out: Finding[] = [];
  for (const e of STORAGE_SPEC_ENUMS) {
    const path = [...base, ...e.path.split('.')];
    const value = get(root, path);
    if (typeof value !== 'string' || e.values.includes(value)) continue;
    const right = e.values.find((v) => v.toLowerCase() === value.toLowerCase());
    const field = e.path.split('.').pop() as string;
    const codeName = field === 'storageClass' ? 'storage-class-invalid' : field === 'method' ? 'encryption-method-invalid' : 'encryption-key-transform-invalid';
    out.push({
      code: codeName,
      path,
      target: 'value',
      message: right
        ? `${code(value)} has the wrong case: the operator compares ${field} exactly and rejects it ("${e.operatorMessage}"). Write ${code(right)}.`
        : `${code(value)} is not accepted for ${code(field)}: use ${e.values.map(code).join(', ')}. The operator rejects it: "${e.operatorMessage}".`,
      fixes: right
        ? [{ kind: 'set-value', title: `Change to ${right}`, path, value: right }]
        : e.values.map((v) => ({ kind: 'set-value' as const, title: `Change to ${v}`, path, value: v })),
    });
  }
  return out;
}

function checkEncryption(spec: Record<string, unknown>, at: (...p: PathSegment[]) => PathSegment[]): Finding[] {
  const enc = spec.encryption;
  if (!isRecord(enc)) return [];
  const out: Finding[] = [];
  const hasSodium = has(enc, ['sodium']) && enc.sodium !== null;
  const hasPgp = has(enc, ['openpgp']) && enc.openpgp !== null;
  if (hasSodium && hasPgp) {
    for (const s of ['sodium', 'openpgp']) {
      out.push({
        code: 'encryption-sections-conflict',
        path: at('encryption', s),
        message: `${code('sodium')} and ${code('openpgp')} are mutually exclusive (the operator rejects both: "sodium and openpgp sections are mutually exclusive."). Keep the one whose key you hold; backups can only be restored with the same key.`,
      });
    }
  }
  const method = enc.method;
  if (method === 'sodium' && !hasSodium) {
    out.push({
      code: 'encryption-section-missing',
      path: at('encryption', 'method'),
      target: 'value',
      message: `${code('method: sodium')} needs an ${code('encryption.sodium')} section with the 32-byte key from a Secret. The operator rejects it: "sodium section is not specified."`,
    });
  } else if (method === 'openpgp' && !hasPgp) {
    out.push({
      code: 'encryption-section-missing',
      path: at('encryption', 'method'),
      target: 'value',
      message: `${code('method: openpgp')} needs an ${code('encryption.openpgp')} section with the armored private key from a Secret. The operator rejects it: "openpgp section is not specified."`,
    });
  }
  return out;
}
