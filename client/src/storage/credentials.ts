/**
 * The keys an S3 request needs, read the way wal-g gets them: from the Secret the SGObjectStorage names,
 * in its namespace. Values stay in memory for the requests of one command or one listing; they are never
 * logged, written, put in a message or kept after the caller drops them. No vscode import: the prompts
 * for typed-in keys live with the commands.
 */
import { storageLocation, type SecretKeyRef, type StorageLocation } from '@core/objectStore';
import type { CallOptions, SecretData } from '../kube/api';
import { KubeError } from '../kube/errors';
import type { BrowserProblem } from './bucketBrowser';
import { isStorageError, StorageError, type ObjectStore } from './objectStore';
import type { S3Keys } from './s3';

/** The part of the Kubernetes layer this needs: Secret values in memory. */
export interface SecretReader {
  secretValues(namespace: string, name: string, keys: readonly string[], options?: CallOptions): Promise<SecretData>;
}

export interface S3Access {
  readonly keys: S3Keys;
  /** PEM of the CA that signed the endpoint's certificate (s3Compatible caCertificate). */
  readonly caCertificate?: string;
  /** Where the keys came from, for the report: never the values. */
  readonly source: string;
}

/** Why the Secret's keys cannot be used; `canType` says whether typing keys in is a way out. */
export type MissingCredentials =
  | 'not-connected'
  | 'iam-role'
  | 'no-selectors'
  | 'secret-missing'
  | 'key-missing'
  | 'empty-value'
  | 'ca-missing'
  | 'forbidden';

export type S3AccessResult =
  | { readonly ok: true; readonly access: S3Access }
  | { readonly ok: false; readonly why: MissingCredentials; readonly message: string; readonly canType: boolean };

function refText(ref: SecretKeyRef): string {
  return `key ${ref.key} of Secret ${ref.name}`;
}

/** UTF-8 text of a Secret value. A trailing newline is kept: wal-g gets it too, and the test must show it. */
function text(v: Uint8Array): string {
  return Buffer.from(v).toString('utf8');
}

/**
 * Reads the access key, the secret key and the CA certificate the storage names, from its namespace.
 * `reader` is undefined when no cluster is connected.
 */
export async function readS3Access(location: StorageLocation, namespace: string, reader: SecretReader | undefined, options: CallOptions = {}): Promise<S3AccessResult> {
  const creds = location.credentials;
  if (creds?.useIAMRole) {
    return {
      ok: false,
      why: 'iam-role',
      message: 'This storage uses the pods\' IAM role (useIAMRole), which this computer does not have: type the keys of a user with the same policy to test it.',
      canType: true,
    };
  }
  const idRef = creds?.accessKeyId;
  const secretRef = creds?.secretAccessKey;
  if (!idRef || !secretRef) {
    return { ok: false, why: 'no-selectors', message: 'The storage names no accessKeyId and secretAccessKey secretKeySelectors: wal-g would have no credentials.', canType: true };
  }
  if (!reader) {
    return { ok: false, why: 'not-connected', message: `Not connected to a cluster, so the keys in Secret ${idRef.name} cannot be read.`, canType: true };
  }
  const wanted = new Map<string, Set<string>>();
  for (const ref of [idRef, secretRef, location.caCertificate]) {
    if (!ref) continue;
    const keys = wanted.get(ref.name) ?? new Set<string>();
    keys.add(ref.key);
    wanted.set(ref.name, keys);
  }
  const values = new Map<string, SecretData>();
  for (const [name, keys] of wanted) {
    try {
      values.set(name, await reader.secretValues(namespace, name, [...keys], options));
    } catch (err) {
      const reason = err instanceof KubeError ? err.reason : undefined;
      if (reason === 'notFound') {
        return {
          ok: false,
          why: 'secret-missing',
          message: `Secret ${name} does not exist in namespace ${namespace}: wal-g could not start either ("Secret ${name} not found"). Create it, or type the keys to test the bucket anyway.`,
          canType: true,
        };
      }
      if (reason === 'forbidden') {
        return { ok: false, why: 'forbidden', message: `You may not read Secret ${name} in namespace ${namespace}: type the keys instead.`, canType: true };
      }
      if (reason !== undefined && reason !== 'cancelled') {
        return { ok: false, why: 'not-connected', message: `Secret ${name} could not be read from the cluster: ${(err as Error).message}`, canType: true };
      }
      throw err;
    }
  }
  const valueOf = (ref: SecretKeyRef): Uint8Array | undefined => values.get(ref.name)?.[ref.key];
  for (const ref of [idRef, secretRef]) {
    const v = valueOf(ref);
    if (v === undefined) {
      return { ok: false, why: 'key-missing', message: `Secret ${ref.name} in namespace ${namespace} has no key ${ref.key}: the operator would report "Key ${ref.key} not found in Secret ${ref.name}".`, canType: true };
    }
    if (v.length === 0) return { ok: false, why: 'empty-value', message: `The ${refText(ref)} is empty.`, canType: true };
  }
  let caCertificate: string | undefined;
  if (location.caCertificate) {
    const ca = valueOf(location.caCertificate);
    if (ca === undefined) {
      return { ok: false, why: 'ca-missing', message: `Secret ${location.caCertificate.name} in namespace ${namespace} has no key ${location.caCertificate.key} (the caCertificate): wal-g could not start.`, canType: false };
    }
    caCertificate = text(ca);
  }
  const sameSecret = idRef.name === secretRef.name;
  return {
    ok: true,
    access: {
      keys: { accessKeyId: text(valueOf(idRef)!), secretAccessKey: text(valueOf(secretRef)!) },
      caCertificate,
      source: sameSecret ? `Secret ${idRef.name} (keys ${idRef.key}, ${secretRef.key})` : `Secrets ${idRef.name} (${idRef.key}) and ${secretRef.name} (${secretRef.key})`,
    },
  };
}

export type S3Module = typeof import('./s3');

/** The SDK adapter, a bundle of its own (dist/s3.js) loaded on first use. */
export function loadS3(): Promise<S3Module> {
  return import('../storage/s3');
}

/** Opens an S3 store on the location's bucket. `load` replaces the lazy import (tests run without bundles). */
export async function openS3Store(location: StorageLocation, access: S3Access, timeoutMs?: number, load: () => Promise<S3Module> = loadS3): Promise<ObjectStore> {
  const { s3ObjectStore, s3OptionsFor } = await load();
  try {
    return rebinding(s3ObjectStore(location.bucket, { ...s3OptionsFor(location, access.keys, access.caCertificate), timeoutMs }));
  } catch (err) {
    throw ownStorageError(err);
  }
}

// The S3 adapter is a bundle of its own (dist/s3.js): its errors are instances of that bundle's class, so
// `instanceof` fails here; they are rebuilt once, where the store is opened. (The Kubernetes api is wrapped
// the same way in kube/open.ts.)

/** A StorageError of the S3 bundle as one of this bundle's, so the services' `instanceof` checks hold. */
function ownStorageError(err: unknown): unknown {
  if (err instanceof StorageError || !(err instanceof Error) || err.name !== 'StorageError') return err;
  const e = err as Partial<StorageError>;
  return typeof e.code === 'string' ? new StorageError(e.code, err.message, e.action, e.httpStatus) : err;
}

function rebinding(store: ObjectStore): ObjectStore {
  const own = <T>(call: () => Promise<T>): Promise<T> => call().catch((err: unknown) => {
    throw ownStorageError(err);
  });
  return {
    bucket: store.bucket,
    list: (o) => own(() => store.list(o)),
    head: (k, o) => own(() => store.head(k, o)),
    get: (k, o) => own(() => store.get(k, o)),
    put: (k, b, o) => own(() => store.put(k, b, o)),
    delete: (k, o) => own(() => store.delete(k, o)),
    getBucketLocation: (o) => own(() => store.getBucketLocation(o)),
    destroy: () => store.destroy?.(),
  };
}

export type OpenedStorage =
  | { readonly ok: true; readonly store: ObjectStore; readonly location: StorageLocation; readonly access: S3Access }
  | { readonly ok: false; readonly problem: BrowserProblem; readonly location?: StorageLocation };

/**
 * A store on the bucket of a storage spec (an SGObjectStorage's, or the copy an SGBackup recorded) for one
 * backup path, with the keys of its Secret; or the problem the tree shows instead.
 */
export async function openStorage(
  spec: unknown,
  namespace: string,
  backupPath: string,
  reader: SecretReader | undefined,
  options: CallOptions & { loadS3?: () => Promise<S3Module> } = {},
): Promise<OpenedStorage> {
  const resolved = storageLocation(spec, backupPath);
  if (!resolved.ok) return { ok: false, problem: { kind: 'config', message: resolved.error } };
  const location = resolved.value;
  if (location.type !== 's3' && location.type !== 's3Compatible') {
    return { ok: false, location, problem: { kind: 'unsupported', message: `Browsing ${location.type} buckets is not possible here: this extension speaks S3 only (${location.prefix}).` } };
  }
  let access: S3AccessResult;
  try {
    access = await readS3Access(location, namespace, reader, { signal: options.signal, timeoutMs: options.timeoutMs });
  } catch (err) {
    return { ok: false, location, problem: { kind: 'credentials', message: `The storage's Secret could not be read: ${err instanceof Error ? err.message : String(err)}` } };
  }
  if (!access.ok) return { ok: false, location, problem: { kind: 'credentials', message: access.message, code: access.why } };
  try {
    return { ok: true, store: await openS3Store(location, access.access, options.timeoutMs, options.loadS3), location, access: access.access };
  } catch (err) {
    if (isStorageError(err)) return { ok: false, location, problem: { kind: 'config', message: err.message, code: err.code } };
    throw err;
  }
}
