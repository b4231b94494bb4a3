/**
 * The Kubernetes access the extension needs, and nothing more: contexts, namespaces, StackGres objects
 * (paged lists, get, create, server-side apply, delete), Secrets by key name only, the served StackGres
 * CRD schemas, and live caches kept current by watches. `clientNode.ts` implements it over
 * @kubernetes/client-node; tests and the UI can fake it.
 *
 * Every call takes an AbortSignal and a timeout and fails only with a `KubeError` (see errors.ts).
 */
import type { KubeError } from './errors';

export type { KubeError, KubeErrorReason, KubeErrorCause } from './errors';

/** The StackGres kinds (see server/src/domain/kinds.ts for their API versions and plurals). */
export type StackGresKind = 'SGCluster' | 'SGBackup' | 'SGObjectStorage' | 'SGDbOps' | 'SGShardedCluster' | 'SGShardedBackup';

/** Kinds `create` and `apply` accept: the StackGres kinds and the core objects their manifests come with. */
export type ManifestKind = StackGresKind | 'Secret' | 'Namespace';

/** The field manager of everything the extension writes (server-side apply ownership). */
export const FIELD_MANAGER = 'stackgres-vscode';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A Kubernetes object as JSON. Read `spec`/`status` with the domain helpers (`readBackup`, ...). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface CallOptions {
  /** Cancels the call; it then fails with reason `cancelled`. */
  signal?: AbortSignal;
  /** Fails the call with reason `timeout` after this long (whole call, retries and pages included). */
  timeoutMs?: number;
}

export interface KubeContext {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  /** API server URL. */
  readonly server?: string;
  /** The namespace in use: the workspace's choice, else the context's, `default` when it names none. */
  readonly namespace: string;
  /** The namespace was chosen for the workspace (Choose Namespace), not taken from the context. */
  readonly namespaceChosen?: boolean;
  /** The user's credentials come from a command (exec plugin or auth-provider `cmd-path`): runs only in a trusted workspace. */
  readonly usesCredentialPlugin: boolean;
}

export interface ListOptions extends CallOptions {
  /** One namespace; all namespaces when omitted. */
  namespace?: string;
  labelSelector?: string;
  /**
   * Keep only objects whose `spec.sgCluster` equals this (SGBackup, SGDbOps). Filtered here: StackGres CRDs
   * declare no selectable fields, so a real API server rejects it as a field selector.
   */
  sgCluster?: string;
  /** Page size; default 500. */
  limit?: number;
  /** Applied to each page's objects as they arrive, so a long list never holds every full object at once. */
  slim?: (o: KubeObject) => KubeObject;
}

export interface ListPageOptions extends ListOptions {
  /** `continue` token of the previous page. */
  continue?: string;
}

export interface ListPage {
  items: KubeObject[];
  /** Token for the next page; undefined on the last one. */
  continue?: string;
  resourceVersion: string;
  /** Objects left after this page, when the server says (not with selectors). */
  remainingItemCount?: number;
}

export interface ObjectList {
  items: KubeObject[];
  /** The list's resourceVersion: a watch started from it misses nothing. */
  resourceVersion: string;
}

export interface WriteOptions extends CallOptions {
  /** `dryRun=All`: the server runs validation and admission webhooks but persists nothing. */
  dryRun?: boolean;
}

export interface ApplyOptions extends WriteOptions {
  /** Take over fields other field managers own. Only on the user's explicit choice after a conflict. */
  force?: boolean;
}

export interface WriteResult {
  /** The object as the server returned it (for Secrets: without data). */
  object: KubeObject;
  /** `Warning` headers, e.g. unknown fields the API server dropped. */
  warnings: string[];
}

/** Secret values: bytes the caller passes in, base64-encoded here, never logged. */
export type SecretData = Readonly<Record<string, Uint8Array>>;

export interface SecretWriteOptions extends WriteOptions {
  labels?: Record<string, string>;
  type?: string;
}

export interface CopySecretOptions extends WriteOptions {
  /** The keys to copy (the ones a backup's storage reads); none named is an error, never "all of them". */
  keys: readonly string[];
  /** Overwrite an existing Secret of that name in the target namespace (after the user confirmed). */
  replace?: boolean;
  /**
   * With `replace`: overwrite only the Secret at this resourceVersion (the one the user was shown, see
   * `SavedSecret.resourceVersion`). Changed since: fails with `conflict`; deleted since: `notFound`.
   * Either way nothing is written.
   */
  resourceVersion?: string;
}

export interface CopiedSecret {
  /** The resourceVersion the copy produced in the target: a later put-back is conditional on it. */
  readonly resourceVersion: string;
}

export interface RestoreOptions extends WriteOptions {
  ifResourceVersion?: string;
}

export interface DeleteOptions extends WriteOptions {
  /** Delete only if the object still has this uid (and resourceVersion): else 409, nothing deleted. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * A Secret as it was, held inside the adapter (the caller never sees the values), to put it back when a
 * change that replaced it has to be undone.
 */
export interface SavedSecret {
  readonly namespace: string;
  readonly name: string;
  readonly keys: readonly string[];
  /** The resourceVersion it was saved at. */
  readonly resourceVersion: string;
  /**
   * Writes the saved data, type, labels and annotations back. With `ifResourceVersion`, only over the
   * Secret at that version (the one our own change produced): changed or deleted since, it is left as
   * it is and the answer is `changedSince`. Without it, whatever is there is overwritten (and a deleted
   * Secret created again).
   */
  restore(options?: RestoreOptions): Promise<'restored' | 'changedSince'>;
  /** Drops the saved values; `restore` fails afterwards. */
  discard(): void;
}

export interface CrdVersionSchema {
  name: string;
  served: boolean;
  storage: boolean;
  /** `openAPIV3Schema` as served. */
  schema: unknown;
}

export interface CrdSchema {
  kind: string;
  plural: string;
  group: string;
  versions: CrdVersionSchema[];
}

/** What Show Backup Logs reads of a pod: its state and container names, nothing of its spec beyond them. */
export interface PodSummary {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly phase?: string;
  readonly containers: readonly string[];
  /** The Job that owns it (its controller owner of kind Job). */
  readonly job?: string;
  readonly containerStates: readonly { readonly name: string; readonly waiting?: string; readonly terminated?: { readonly reason?: string; readonly exitCode?: number } }[];
}

export interface PodLogOptions extends CallOptions {
  /** Default: the pod's only container (the API server asks for one when there are several). */
  container?: string;
  tailLines?: number;
  /** Bytes the server sends at most. */
  limitBytes?: number;
  sinceSeconds?: number;
}

/** One core/v1 Event, as read for a person: no object references beyond the involved object's. */
export interface EventSummary {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  /** lastTimestamp, else eventTime, else firstTimestamp (RFC 3339). */
  readonly last?: string;
  readonly source?: string;
}

export interface InvolvedObject {
  readonly kind: string;
  readonly name: string;
  /** Only the Events of this very object, not of an older one of the same name. */
  readonly uid?: string;
}

export type CacheState = 'starting' | 'synced' | 'reconnecting' | 'failed' | 'stopped';

export type CacheEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: KubeObject }
  /** After each (re)list: `items()` is complete and current. */
  | { readonly type: 'SYNCED'; readonly resourceVersion: string }
  /** The watch dropped; the cache retries after `retryInMs`, keeping its items. */
  | { readonly type: 'DISCONNECTED'; readonly error: KubeError; readonly retryInMs: number }
  /** The watch is back after DISCONNECTED, resumed from `resourceVersion`: nothing was missed. */
  | { readonly type: 'RECONNECTED'; readonly resourceVersion: string }
  /** Retrying cannot help (credentials, RBAC, CRDs missing): the cache stops. */
  | { readonly type: 'FAILED'; readonly error: KubeError };

export interface CacheOptions {
  namespace?: string;
  labelSelector?: string;
  sgCluster?: string;
  /** What of each object the cache holds; read the full object with `get` when it is needed. */
  slim?: (o: KubeObject) => KubeObject;
}

export interface Disposable {
  dispose(): void;
}

/** Objects of one kind kept current by list-then-watch; re-lists on 410 Gone, reconnects with backoff. */
export interface LiveCache {
  readonly state: CacheState;
  /** The error behind `reconnecting` or `failed`. */
  readonly lastError?: KubeError;
  /** resourceVersion the next watch resumes from (advanced by events and bookmarks). */
  readonly resourceVersion?: string;
  items(): KubeObject[];
  get(namespace: string, name: string): KubeObject | undefined;
  onEvent(listener: (event: CacheEvent) => void): Disposable;
  /** Resolves after the first list; rejects with the KubeError if the cache fails first. */
  ready(): Promise<void>;
  stop(): void;
}

export interface KubeApi {
  /** The context in use: the kubeconfig's current-context unless the workspace chose another. */
  readonly context: KubeContext;
  /** All contexts of the kubeconfig. */
  contexts(): readonly KubeContext[];
  /** The same kubeconfig with another context; the kubeconfig file is never modified. */
  withContext(name: string): KubeApi;

  namespaces(options?: CallOptions): Promise<string[]>;
  listPage(kind: StackGresKind, options?: ListPageOptions): Promise<ListPage>;
  /** All pages, or a failure: never a partial list. */
  list(kind: StackGresKind, options?: ListOptions): Promise<ObjectList>;
  /** Undefined when the object does not exist. */
  get(kind: StackGresKind, namespace: string, name: string, options?: CallOptions): Promise<KubeObject | undefined>;
  create(object: KubeObject, options?: WriteOptions): Promise<WriteResult>;
  /** Server-side apply as field manager `stackgres-vscode`. */
  apply(object: KubeObject, options?: ApplyOptions): Promise<WriteResult>;
  /** False when it was already gone. */
  delete(kind: StackGresKind, namespace: string, name: string, options?: DeleteOptions): Promise<boolean>;

  /**
   * Names of the Secrets of a namespace, sorted, read as Table rows without objects (`includeObject=None`):
   * nothing of a Secret's content is downloaded, not even the last-applied-configuration annotation.
   * A server that serves no Tables (406) is read as metadata only, annotations dropped at once.
   * Read key names with `secretKeys`, one named Secret at a time.
   */
  secretNames(namespace: string, options?: CallOptions & { limit?: number }): Promise<string[]>;
  /** Key names of one Secret; undefined when it does not exist. */
  secretKeys(namespace: string, name: string, options?: CallOptions): Promise<string[] | undefined>;
  /**
   * The values of some keys of one Secret, in memory, for a request the extension makes itself (the
   * object storage access test). Keys the Secret lacks are left out; fails with `notFound` when the Secret
   * does not exist. The caller must never log, store or show them.
   */
  secretValues(namespace: string, name: string, keys: readonly string[], options?: CallOptions): Promise<SecretData>;
  createSecret(namespace: string, name: string, data: SecretData, options?: SecretWriteOptions): Promise<void>;
  /** Replaces the data of an existing Secret (labels and other metadata are kept). */
  replaceSecret(namespace: string, name: string, data: SecretData, options?: SecretWriteOptions): Promise<void>;
  /**
   * Copies a Secret to another namespace inside the adapter: the values are never handed to the caller.
   * Fails with `conflict` (kubeReason AlreadyExists) when the target exists, unless `replace` is set.
   */
  copySecret(sourceNamespace: string, name: string, targetNamespace: string, options: CopySecretOptions): Promise<CopiedSecret>;
  /** Keeps a Secret as it is now, to put it back later; undefined when it does not exist. */
  saveSecret(namespace: string, name: string, options?: CallOptions): Promise<SavedSecret | undefined>;
  /** Deletes a Secret (to undo one this extension created); false when it was already gone. */
  deleteSecret(namespace: string, name: string, options?: WriteOptions): Promise<boolean>;

  /** A pod's state and containers; undefined when it does not exist (a finished Job's pod is removed in time). */
  pod(namespace: string, name: string, options?: CallOptions): Promise<PodSummary | undefined>;
  /** A container's log as it is now, in one request (bound it with `limitBytes`). Fails with `notFound` when the pod is gone. */
  podLog(namespace: string, name: string, options?: PodLogOptions): Promise<string>;
  /**
   * Follows a container's log: `onText` gets each piece as it arrives (decoded UTF-8, untrusted text).
   * Resolves when the server ends the stream (the container ended); rejects `cancelled` on the signal.
   * The timeout bounds only the wait for the server's first answer.
   */
  followPodLog(namespace: string, name: string, onText: (text: string) => void, options?: PodLogOptions): Promise<void>;
  /** The Events about one object (one page of at most `limit`, default 100), oldest first. */
  events(namespace: string, involved: InvolvedObject, options?: CallOptions & { limit?: number }): Promise<EventSummary[]>;

  /**
   * Pods of a namespace matching a label selector, as JSON (one page of at most `limit`, default 100):
   * what a restore drill follows. Timestamps stay RFC 3339 strings.
   */
  pods(namespace: string, labelSelector: string, options?: CallOptions & { limit?: number }): Promise<KubeObject[]>;
  /** The served schemas of the StackGres CRDs; fails with `crdsMissing` when none is installed. */
  stackgresCrds(options?: CallOptions): Promise<CrdSchema[]>;

  /** A live cache; call `stop()` (or `dispose()` on the api) when done. */
  cache(kind: StackGresKind, options?: CacheOptions): LiveCache;
  /** Stops every cache this api started. */
  dispose(): void;
}
