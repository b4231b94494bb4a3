/**
 * The credentials Secret an SGObjectStorage reads (StackGres SGObjectStorage CRD reference): which Secret and keys it names, and the
 * files and values that fill them (the JSON `aws iam create-access-key` prints, the AWS console's CSV, a
 * GCP service account key, a CA certificate), each checked with a message that never repeats a value.
 * Pure: bytes in, names and messages out.
 */
import { StorageType, STORAGE_TYPES } from './enums';
import type { PathSegment } from './locate';
import { isRecord } from './manifest';
import { storageType, type Resolved } from './objectStore';
import { get } from './rules/types';

export type CredentialRole = 'accessKeyId' | 'secretAccessKey' | 'caCertificate' | 'serviceAccountJSON' | 'storageAccount' | 'accessKey';

/** What each value is, in the user's words. */
export const ROLE_LABEL: Readonly<Record<CredentialRole, string>> = {
  accessKeyId: 'access key ID',
  secretAccessKey: 'secret access key',
  caCertificate: 'CA certificate',
  serviceAccountJSON: 'service account key (JSON)',
  storageAccount: 'storage account name',
  accessKey: 'storage account access key',
};

interface Selectors {
  /** From the document root to `secretKeySelectors`. */
  readonly path: readonly PathSegment[];
  readonly required: readonly CredentialRole[];
  readonly optional: readonly CredentialRole[];
}

const SELECTORS: Readonly<Record<StorageType, Selectors>> = {
  s3: { path: ['spec', 's3', 'awsCredentials', 'secretKeySelectors'], required: ['accessKeyId', 'secretAccessKey'], optional: [] },
  s3Compatible: { path: ['spec', 's3Compatible', 'awsCredentials', 'secretKeySelectors'], required: ['accessKeyId', 'secretAccessKey'], optional: ['caCertificate'] },
  gcs: { path: ['spec', 'gcs', 'gcpCredentials', 'secretKeySelectors'], required: ['serviceAccountJSON'], optional: [] },
  azureBlob: { path: ['spec', 'azureBlob', 'azureCredentials', 'secretKeySelectors'], required: ['storageAccount', 'accessKey'], optional: [] },
};

export interface CredentialEntry {
  readonly role: CredentialRole;
  /** The key in the Secret's data. */
  readonly key: string;
}

export interface CredentialsSecret {
  readonly name: string;
  readonly entries: readonly CredentialEntry[];
}

export interface CredentialsPlan {
  readonly type: StorageType;
  /** Path of `secretKeySelectors` in the document (where the code lens goes). */
  readonly selectorsPath: readonly PathSegment[];
  /** One per Secret the storage names, in the order of the selectors. */
  readonly secrets: readonly CredentialsSecret[];
}

/** The path of an SGObjectStorage document's `secretKeySelectors` for its type, present or not. */
export function selectorsPath(storage: unknown): readonly PathSegment[] | undefined {
  const type = storageType(get(storage, ['spec']));
  return type ? SELECTORS[type].path : undefined;
}

/** The Secrets and keys an SGObjectStorage document (the whole object) reads its credentials from. */
export function credentialsPlan(storage: unknown): Resolved<CredentialsPlan> {
  const spec = get(storage, ['spec']);
  const type = storageType(spec);
  if (!type) return fail(`spec.type is not one of ${STORAGE_TYPES.join(', ')}: fix it first.`);
  if (type === 's3' && get(spec, ['s3', 'awsCredentials', 'useIAMRole']) === true) {
    return fail('This storage uses the pods\' IAM role (useIAMRole: true): it reads no credentials Secret.');
  }
  if (type === 'gcs' && get(spec, ['gcs', 'gcpCredentials', 'fetchCredentialsFromMetadataService']) === true) {
    return fail('This storage takes its credentials from the GKE metadata server (fetchCredentialsFromMetadataService: true): it reads no credentials Secret.');
  }
  const s = SELECTORS[type];
  const dotted = s.path.join('.');
  const selectors = get(storage, s.path);
  if (!isRecord(selectors)) {
    return fail(`${dotted} is missing: add the ${s.required.join(' and ')} selectors (a Secret name and key each), then create the Secret.`);
  }
  const entries: (CredentialEntry & { secret: string })[] = [];
  for (const role of [...s.required, ...s.optional]) {
    const sel = selectors[role];
    if (sel === undefined && s.optional.includes(role)) continue;
    const name = get(sel, ['name']);
    const key = get(sel, ['key']);
    const missing = [typeof name === 'string' && name !== '' ? undefined : 'name', typeof key === 'string' && key !== '' ? undefined : 'key'].filter(Boolean);
    if (missing.length) return fail(`${dotted}.${role} has no ${missing.join(' or ')}: fill it in first.`);
    const clash = entries.find((e) => e.secret === name && e.key === key);
    if (clash) return fail(`${clash.role} and ${role} both name key ${String(key)} of Secret ${String(name)}: each value needs its own key.`);
    entries.push({ role, key: key as string, secret: name as string });
  }
  const secrets: CredentialsSecret[] = [];
  for (const e of entries) {
    let target = secrets.find((x) => x.name === e.secret);
    if (!target) secrets.push((target = { name: e.secret, entries: [] }));
    (target.entries as CredentialEntry[]).push({ role: e.role, key: e.key });
  }
  return { ok: true, value: { type, selectorsPath: s.path, secrets } };
}

function fail<T>(error: string): Resolved<T> {
  return { ok: false, error };
}

// ---- AWS access keys ----------------------------------------------------------------------------------

export interface AwsAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly format: 'create-access-key JSON' | 'JSON' | 'AWS console CSV';
  /** Things to tell the user (inactive key, temporary credentials). Never values. */
  readonly notes: readonly string[];
}

const CREATE_ACCESS_KEY_SHAPE = '{"AccessKey": {"AccessKeyId": …, "SecretAccessKey": …}} as `aws iam create-access-key` prints it';

/**
 * Reads an access key from a file's bytes: the JSON `aws iam create-access-key` prints, the same keys at
 * the top level (`aws configure export-credentials`), or the CSV the AWS console downloads.
 */
export function parseAwsAccessKeyFile(bytes: Uint8Array): Resolved<AwsAccessKey> {
  const text = new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  if (trimmed === '') return fail('The file is empty.');
  if (/^\[[^\]\n]+\]\s*$/m.test(trimmed) && /aws_access_key_id\s*=/i.test(trimmed)) {
    return fail('This is an AWS CLI credentials file (~/.aws/credentials), which may hold several profiles: choose the credentials.json that `aws iam create-access-key` wrote, or type the values.');
  }
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return fromJson(trimmed);
  if (/PRIVATE KEY-----/.test(trimmed)) return fail('This file holds a private key, not AWS access keys.');
  if (trimmed.split('\n')[0].includes(',')) return fromCsv(trimmed);
  return fail(`This file is neither JSON (${CREATE_ACCESS_KEY_SHAPE}) nor the CSV the AWS console downloads.`);
}

function fromJson(text: string): Resolved<AwsAccessKey> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the error: it may be the secret.
    return fail(`This file is not valid JSON: expected ${CREATE_ACCESS_KEY_SHAPE}.`);
  }
  if (!isRecord(parsed)) return fail(`This JSON is not an object: expected ${CREATE_ACCESS_KEY_SHAPE}.`);
  if (parsed.type === 'service_account') return fail('This is a Google Cloud service account key: it belongs in the Secret of an SGObjectStorage of type gcs.');
  if ('AccessKeyMetadata' in parsed) {
    return fail('This is the output of `aws iam list-access-keys`, which never includes the secret: the secret access key is printed only once, by `aws iam create-access-key`.');
  }
  const nested = isRecord(parsed.AccessKey);
  const source = nested ? (parsed.AccessKey as Record<string, unknown>) : parsed;
  const id = source.AccessKeyId;
  const secret = source.SecretAccessKey;
  if (id === undefined && secret === undefined) return fail(`This JSON has no AccessKeyId and SecretAccessKey: expected ${CREATE_ACCESS_KEY_SHAPE}.`);
  if (typeof id !== 'string' || id.trim() === '') return fail('This JSON has no AccessKeyId (or it is empty).');
  if (typeof secret !== 'string' || secret.trim() === '') {
    return fail('This JSON has an AccessKeyId but no SecretAccessKey: the secret is printed only once, when the key is created (`aws iam create-access-key`).');
  }
  const notes: string[] = [];
  if (source.Status === 'Inactive') notes.push('The access key is Inactive: activate it (`aws iam update-access-key --status Active`) or backups will be refused.');
  if (typeof source.SessionToken === 'string' && source.SessionToken !== '') notes.push(TEMPORARY);
  return { ok: true, value: { accessKeyId: id.trim(), secretAccessKey: secret.trim(), format: nested ? 'create-access-key JSON' : 'JSON', notes } };
}

const TEMPORARY = 'These are temporary credentials (they need a session token, which an SGObjectStorage cannot pass): backups stop working when they expire. Create a long-lived access key for backups.';

function fromCsv(text: string): Resolved<AwsAccessKey> {
  const rows = text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map(csvRow);
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const idCol = header.indexOf('access key id');
  const secretCol = header.indexOf('secret access key');
  if (idCol < 0 || secretCol < 0) {
    return fail('This CSV has no "Access key ID" and "Secret access key" columns: expected the file the AWS console downloads for a new access key.');
  }
  const data = rows.slice(1);
  if (data.length === 0) return fail('This CSV has the header but no access key row.');
  if (data.length > 1) return fail(`This CSV holds ${data.length} access keys: keep only the row of the key to use.`);
  const row = data[0];
  const id = row[idCol]?.trim() ?? '';
  const secret = row[secretCol]?.trim() ?? '';
  if (id === '') return fail('The "Access key ID" column of this CSV is empty.');
  if (secret === '') return fail('The "Secret access key" column of this CSV is empty.');
  return { ok: true, value: { accessKeyId: id, secretAccessKey: secret, format: 'AWS console CSV', notes: [] } };
}

/** One CSV line: commas, double quotes and doubled quotes inside them. */
function csvRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') cells.push(cell), (cell = '');
    else cell += c;
  }
  cells.push(cell);
  return cells;
}

// ---- typed values ---------------------------------------------------------------------------------------

/** Blocks only what can never work; everything else is a warning (S3-compatible services differ). */
export interface ValueCheck {
  readonly error?: string;
  readonly warning?: string;
}

const AWS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;

export function checkAccessKeyId(value: string, type: StorageType): ValueCheck {
  const v = value.trim();
  if (v === '') return { error: 'Enter the access key ID.' };
  if (/\s/.test(v)) return { warning: 'Access key IDs have no spaces: check what was pasted.' };
  if (v.startsWith('ASIA') && AWS_KEY_ID.test(v)) return { warning: `An ASIA… key is temporary. ${TEMPORARY}` };
  if (type === 's3' && !AWS_KEY_ID.test(v)) {
    return { warning: 'AWS access key IDs are 20 capital letters and digits starting with AKIA: check it (S3-compatible services use other formats).' };
  }
  return {};
}

export function checkSecretAccessKey(value: string, type: StorageType): ValueCheck {
  if (value.trim() === '') return { error: 'Enter the secret access key.' };
  if (value !== value.trim()) return { warning: 'Spaces at the start or end will be removed.' };
  if (type === 's3' && value.length !== 40) return { warning: `AWS secret access keys are 40 characters; this one has ${value.length}: check it.` };
  return {};
}

export function checkStorageAccount(value: string): ValueCheck {
  const v = value.trim();
  if (v === '') return { error: 'Enter the storage account name.' };
  if (!/^[a-z0-9]{3,24}$/.test(v)) return { warning: 'Azure storage account names are 3 to 24 lowercase letters and digits: check it.' };
  return {};
}

export function checkAzureAccessKey(value: string): ValueCheck {
  const v = value.trim();
  if (v === '') return { error: 'Enter the access key.' };
  if (!/^[A-Za-z0-9+/]{86}==$/.test(v)) return { warning: 'Azure storage account keys are 88 base64 characters ending in ==: check it.' };
  return {};
}

// ---- files stored as they are -----------------------------------------------------------------------------

/** A GCP service account key file: checked, then stored byte for byte. Returns the account's e-mail. */
export function checkServiceAccountKey(bytes: Uint8Array): Resolved<{ clientEmail: string }> {
  const text = new TextDecoder('utf-8').decode(bytes).trim();
  if (text === '') return fail('The file is empty.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('This file is not valid JSON: expected a service account key (`gcloud iam service-accounts keys create`).');
  }
  if (!isRecord(parsed)) return fail('This JSON is not an object: expected a service account key.');
  if (isRecord(parsed.AccessKey) || 'AccessKeyId' in parsed) return fail('This is an AWS access key: it belongs in the Secret of an SGObjectStorage of type s3 or s3Compatible.');
  if (parsed.type === 'authorized_user') {
    return fail('These are your own user credentials (`gcloud auth application-default login`), not a service account key: create one with `gcloud iam service-accounts keys create`.');
  }
  if (parsed.type !== 'service_account') return fail('This JSON is not a service account key ("type": "service_account").');
  const missing = ['private_key', 'client_email'].filter((k) => typeof parsed[k] !== 'string' || parsed[k] === '');
  if (missing.length) return fail(`This service account key has no ${missing.join(' or ')}.`);
  return { ok: true, value: { clientEmail: parsed.client_email as string } };
}

/** A CA certificate for an S3-compatible endpoint, in PEM. */
export function checkCaCertificate(bytes: Uint8Array): Resolved<{ certificates: number }> {
  const text = new TextDecoder('utf-8').decode(bytes);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return fail('This file holds a private key: the CA certificate is public, and a private key must not go there.');
  const certificates = (text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).length;
  if (certificates === 0) return fail('This file is not a PEM certificate (-----BEGIN CERTIFICATE-----).');
  return { ok: true, value: { certificates } };
}
