/**
 * `KubeApi`: the entry of the lazily loaded kube bundle (dist/kube.js). Of @kubernetes/client-node 1.4 only
 * `KubeConfig` is used (kubeconfig parsing, authentication and TLS); the requests go through transport.ts
 * over node:https, so client-node's generated API (2.8 MB of code, 49 MiB of the extension host) is never
 * loaded: the build leaves it out (scripts/build.mjs). client-node 1.x is ESM-only, so its config module is
 * loaded lazily with `await import()` on the first `openKube`.
 * This file holds the API calls: lists, watches, CRUD, Secrets, tables.
 */
import { KINDS, STACKGRES_GROUP } from '@core/kinds';
import {
  FIELD_MANAGER,
  type ApplyOptions,
  type CacheOptions,
  type CallOptions,
  type CopiedSecret,
  type CopySecretOptions,
  type CrdSchema,
  type DeleteOptions,
  type EventSummary,
  type InvolvedObject,
  type KubeApi,
  type KubeContext,
  type KubeObject,
  type ListOptions,
  type ListPage,
  type ListPageOptions,
  type LiveCache,
  type ManifestKind,
  type ObjectList,
  type PodLogOptions,
  type PodSummary,
  type RestoreOptions,
  type SavedSecret,
  type SecretData,
  type SecretWriteOptions,
  type StackGresKind,
  type WriteOptions,
  type WriteResult,
} from './api';
import { KubeError, cancelled, configError, crdsMissing, timedOut, toKubeError, type ErrorContext } from './errors';
import { WatchedCache, type BackoffOptions, type WatchTransport } from './liveCache';
import { chosenContext, describeContext, loadKubeconfig, resolveContext, type K8s, type KubeconfigSource, type LoadedConfig } from './kubeconfig';
import { KubeTransport, type HttpRequest, type HttpResponse, type Query } from './transport';
import { t } from '../localize';

export type { KubeconfigSource } from './kubeconfig';

let loading: Promise<K8s> | undefined;
function clientNode(): Promise<K8s> {
  // The config module alone: the package's index would load the generated API too.
  loading ??= import('@kubernetes/client-node/dist/config.js');
  return loading;
}

export interface KubeOptions extends KubeconfigSource {
  /** Default timeout of one call. Default 30 s. */
  timeoutMs?: number;
  /** Watch reconnection backoff of live caches. */
  backoff?: BackoffOptions;
  /** Upper bound of the random server-side watch timeout, in seconds (client-go uses 5–10 min). Default 600. */
  watchTimeoutSeconds?: number;
  /**
   * A watch still open this long after its server-side timeout is taken for dead (a stalled connection
   * answers nothing and never closes) and replaced. Default 30 s.
   */
  watchDeadlineMarginMs?: number;
  /** One line per failure and reconnect; never bodies or secret values. */
  log?: (line: string) => void;
}

/** Resolves the kubeconfig, loads client-node and returns the api for the chosen context. */
export async function openKube(options: KubeOptions): Promise<KubeApi> {
  const k8s = await clientNode().catch((e: unknown) => {
    throw configError(t('The Kubernetes client library could not be loaded: {0}', e instanceof Error ? e.message : String(e)), t('Reinstall the extension.'));
  });
  const loaded = await loadKubeconfig(k8s, options);
  return new ClientNodeKube(loaded, chosenContext(loaded, options.context, options.l10n), options);
}

// ---- Resources ---------------------------------------------------------------------------------------

interface ResourceInfo {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly plural: string;
  /** `sgbackups.stackgres.io`, `secrets`. */
  readonly resource: string;
}

const STACKGRES: ReadonlyMap<string, ResourceInfo> = new Map(
  KINDS.map((k) => {
    const [group, version] = k.apiVersion.split('/');
    return [k.kind, { kind: k.kind, group, version, apiVersion: k.apiVersion, plural: k.plural, resource: `${k.plural}.${group}` }];
  }),
);

function stackgres(kind: StackGresKind): ResourceInfo {
  const r = STACKGRES.get(kind);
  if (!r) throw new KubeError('invalid', t('{0} is not a StackGres kind.', String(kind)));
  return r;
}

const CRD = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;
/** client-node's PatchStrategy.ServerSideApply. */
const APPLY_PATCH = 'application/apply-patch+yaml';

/** The path of a StackGres resource: all namespaces, one namespace, or one object. */
function crPath(r: Pick<ResourceInfo, 'group' | 'version' | 'plural'>, namespace?: string, name?: string): string {
  return `/apis/${r.group}/${r.version}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** The path of a core (v1) resource: `secrets`, `namespaces`, `pods`, `events`. */
function corePath(resource: string, namespace?: string, name?: string): string {
  return `/api/v1${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

interface SecretMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Pod as the API serves it (only what `pod()` reads of it). */
interface PodJson {
  metadata?: { uid?: string; ownerReferences?: { kind?: string; name?: string; controller?: boolean }[] };
  spec?: { containers?: { name: string }[] };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number } } }[];
  };
}

/** A core/v1 Event as the API serves it (only what `events()` reads of it). */
interface EventJson {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  series?: { count?: number };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  reportingComponent?: string;
  source?: { component?: string };
}

/** A Secret as the API serves it (only what this file reads or writes of it). */
interface SecretJson {
  apiVersion?: string;
  kind?: string;
  metadata?: SecretMeta;
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
const DEFAULT_PAGE = 500;
/**
 * A list as Table rows (with `includeObject=None`: cells only, no object). For Secrets the cells are name,
 * type, number of keys and age: nothing of their content, not even kubectl's last-applied-configuration
 * annotation, which holds the applied manifest with its values.
 */
const TABLE = 'application/json;as=Table;g=meta.k8s.io;v=v1';
/** A list's objects as metadata only: the fallback for a server without Tables (metadata includes annotations). */
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** One call's cancellation: the caller's signal, the timeout, and the warnings the server sent. */
class CallScope {
  readonly controller = new AbortController();
  readonly warnings: string[] = [];
  private timedOutFlag = false;
  private readonly timer: NodeJS.Timeout;
  private readonly deadline: number;
  private readonly onCallerAbort = (): void => this.controller.abort();

  constructor(
    private readonly options: CallOptions | undefined,
    readonly timeoutMs: number,
  ) {
    this.deadline = Date.now() + timeoutMs;
    this.timer = setTimeout(() => {
      this.timedOutFlag = true;
      this.controller.abort();
    }, timeoutMs);
    if (options?.signal?.aborted) this.controller.abort();
    else options?.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get remainingMs(): number {
    return this.deadline - Date.now();
  }

  /** The error to report: a timeout or a cancellation wins over what the aborted request threw. */
  translate(e: unknown, ctx: ErrorContext): KubeError {
    if (this.timedOutFlag) return timedOut(ctx, this.timeoutMs);
    if (this.controller.signal.aborted) return cancelled();
    return toKubeError(e, ctx);
  }

  close(): void {
    clearTimeout(this.timer);
    this.options?.signal?.removeEventListener('abort', this.onCallerAbort);
  }
}

type CallContext = Omit<ErrorContext, 'context' | 'server' | 'credentials'>;

class ClientNodeKube implements KubeApi {
  readonly context: KubeContext;
  private readonly k8s: K8s;
  private readonly http: KubeTransport;
  /** Set when the context needs a credential plugin in an untrusted workspace: every call fails with it. */
  private readonly blocked?: KubeError;
  private readonly caches = new Set<LiveCache>();
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  /** The server answered 406 to a Table: Secret names come from metadata lists (said once in the log). */
  private tablesRefused = false;

  constructor(
    private readonly loaded: LoadedConfig,
    contextName: string,
    private readonly options: KubeOptions,
  ) {
    this.k8s = loaded.k8s;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.log = options.log ?? (() => undefined);
    const { context, blocked } = resolveContext(loaded, contextName, options);
    this.context = context;
    this.blocked = blocked;
    const kc = new this.k8s.KubeConfig();
    kc.loadFromOptions({ clusters: loaded.clusters, users: loaded.users, contexts: loaded.contexts, currentContext: contextName });
    this.http = new KubeTransport(kc);
  }

  contexts(): readonly KubeContext[] {
    return this.loaded.contexts.map((c) => describeContext(this.loaded, c));
  }

  withContext(name: string): KubeApi {
    return new ClientNodeKube(this.loaded, name, this.options);
  }

  // ---- plumbing ----

  private errorContext(c: CallContext): ErrorContext {
    return { ...c, context: this.context.name, server: this.context.server, credentials: this.context.usesCredentialPlugin ? 'plugin' : 'static' };
  }

  /** Runs one operation (possibly several requests) under one timeout and signal. */
  private async run<T>(c: CallContext, options: CallOptions | undefined, body: (scope: CallScope) => Promise<T>): Promise<T> {
    if (this.blocked) throw this.blocked;
    if (options?.signal?.aborted) throw cancelled();
    const scope = new CallScope(options, options?.timeoutMs ?? this.timeoutMs);
    try {
      return await body(scope);
    } catch (e) {
      const err = e instanceof KubeError ? e : scope.translate(e, this.errorContext(c));
      if (err.reason !== 'notFound' && err.reason !== 'cancelled') this.log(`${c.verb ?? 'call'} ${c.resource ?? ''}${c.name ? ` ${c.name}` : ''}: ${err.reason}: ${err.message}`);
      throw err;
    } finally {
      scope.close();
    }
  }

  /**
   * One request (any path: see transport.ts). Reads are retried on 429 (and 503) as long as the server's
   * Retry-After fits in the time left; writes never are: the caller decides.
   */
  private async request(scope: CallScope, c: CallContext, req: Omit<HttpRequest, 'signal'>, opts: { read?: boolean } = {}): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.http.request({ ...req, signal: scope.signal });
        const w = res.headers.warning;
        if (w) scope.warnings.push(...parseWarnings(Array.isArray(w) ? w.join(', ') : w));
        return res;
      } catch (e) {
        const err = scope.translate(e, this.errorContext(c));
        const retryable = opts.read && attempt < 3 && (err.reason === 'tooManyRequests' || (err.reason === 'server' && err.status === 503));
        const waitMs = Math.max(0, (err.retryAfterSeconds ?? 1) * 1000);
        if (!retryable || waitMs >= scope.remainingMs) throw err;
        this.log(`${c.verb} ${c.resource ?? ''}: the server asked to wait ${waitMs} ms (HTTP ${err.status}); retrying`);
        await abortableSleep(waitMs, scope.signal);
        if (scope.signal.aborted) throw scope.translate(err, this.errorContext(c));
      }
    }
  }

  /** One request whose answer is a JSON object. */
  private async json<T>(scope: CallScope, c: CallContext, req: Omit<HttpRequest, 'signal'>, opts: { read?: boolean } = {}): Promise<T> {
    return this.parseJson<T>(await this.request(scope, c, req, opts), c);
  }

  private parseJson<T>(res: HttpResponse, c: CallContext): T {
    const body = parseObject(res.text);
    if (!body) throw new KubeError('server', t('The API server of context "{0}" answered{1} with something that is not JSON.', this.context.name, c.verb ? ` (${c.verb} ${c.resource ?? ''})` : ''), { status: res.status, action: t('Try again; if it persists, check the API server.') });
    return body as T;
  }

  // ---- reads ----

  async namespaces(options?: CallOptions): Promise<string[]> {
    const c: CallContext = { verb: 'list', resource: 'namespaces', group: '' };
    return this.run(c, options, async (scope) => {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await this.json<{ items?: { metadata?: { name?: string } }[]; metadata?: { continue?: string } }>(scope, c, { method: 'GET', path: corePath('namespaces'), query: { limit: DEFAULT_PAGE, continue: token } }, { read: true });
        for (const ns of page.items ?? []) if (ns.metadata?.name) names.push(ns.metadata.name);
        token = page.metadata?.continue || undefined;
      } while (token);
      return names.sort();
    });
  }

  async listPage(kind: StackGresKind, options: ListPageOptions = {}): Promise<ListPage> {
    const r = stackgres(kind);
    const c: CallContext = { verb: 'list', resource: r.resource, group: r.group, kind: r.kind, namespace: options.namespace };
    return this.run(c, options, (scope) => this.page(scope, r, c, options));
  }

  /** One page; `ahead` is handed the next page's continue token before this page is parsed. */
  private async page(scope: CallScope, r: ResourceInfo, c: CallContext, o: ListPageOptions, ahead?: (token: string) => Promise<void>): Promise<ListPage> {
    const query: Query = { labelSelector: o.labelSelector, limit: o.limit ?? DEFAULT_PAGE, continue: o.continue };
    const res = await this.request(scope, c, { method: 'GET', path: crPath(r, o.namespace), query }, { read: true });
    const early = ahead && peekContinue(res.text);
    if (early) await ahead(early);
    const body = this.parseJson<{ items?: KubeObject[]; metadata?: { continue?: string; resourceVersion?: string; remainingItemCount?: number } }>(res, c);
    const items = (body.items ?? []).filter((o2) => o2?.metadata?.name && matchesCluster(o2, o.sgCluster)).map((o2) => withKind(o2, r));
    return { items, continue: body.metadata?.continue || undefined, resourceVersion: body.metadata?.resourceVersion ?? '', remainingItemCount: body.metadata?.remainingItemCount };
  }

  async list(kind: StackGresKind, options: ListOptions = {}): Promise<ObjectList> {
    const r = stackgres(kind);
    const c: CallContext = { verb: 'list', resource: r.resource, group: r.group, kind: r.kind, namespace: options.namespace };
    return this.run(c, options, async (scope) => {
      // An expired continue token (410) means the snapshot is gone: start over, as kubectl does.
      for (let restart = 0; ; restart++) {
        const items: KubeObject[] = [];
        let token: string | undefined;
        let resourceVersion = '';
        // The next page is asked for as soon as this one's token is read, so the API server prepares it while
        // this one is parsed (the two processes overlap instead of taking turns).
        let next: { token: string; page: Promise<ListPage> } | undefined;
        const fetch = (continueToken: string | undefined): Promise<ListPage> =>
          this.page(scope, r, c, { ...options, continue: continueToken }, async (nextToken) => {
            const page = fetch(nextToken);
            // Awaited below when its turn comes; a list that fails before then drops it.
            page.catch(() => undefined);
            next = { token: nextToken, page };
            // Lets the request go out before the synchronous parse of this page holds the thread.
            await new Promise((resolve) => setImmediate(resolve));
          });
        try {
          do {
            const prefetched = token !== undefined && next?.token === token ? next.page : undefined;
            const p = await (prefetched ?? fetch(token));
            for (const o of p.items) items.push(options.slim ? options.slim(o) : o);
            if (!token) resourceVersion = p.resourceVersion;
            token = p.continue;
          } while (token);
          return { items, resourceVersion };
        } catch (e) {
          if (!(e instanceof KubeError && e.reason === 'gone' && restart < 2)) throw e;
          this.log(`list ${r.resource}: the paged list expired; listing again`);
        }
      }
    });
  }

  async get(kind: StackGresKind, namespace: string, name: string, options?: CallOptions): Promise<KubeObject | undefined> {
    const r = stackgres(kind);
    const c: CallContext = { verb: 'get', resource: r.resource, group: r.group, kind: r.kind, namespace, name };
    return this.run(c, options, async (scope) => {
      try {
        const o = await this.json<KubeObject>(scope, c, { method: 'GET', path: crPath(r, namespace, name) }, { read: true });
        return withKind(o, r);
      } catch (e) {
        if (e instanceof KubeError && e.reason === 'notFound' && e.kubeReason === 'NotFound') return undefined;
        throw e;
      }
    });
  }

  // ---- writes ----

  async create(object: KubeObject, options: WriteOptions = {}): Promise<WriteResult> {
    const t = this.target(object, 'create');
    return this.run(t.c, options, async (scope) => {
      const query: Query = { dryRun: options.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER };
      let result: unknown;
      if (t.kind === 'Secret') {
        result = await this.json(scope, t.c, { method: 'POST', path: corePath('secrets', t.namespace), query, body: object });
      } else if (t.kind === 'Namespace') {
        result = await this.json(scope, t.c, { method: 'POST', path: corePath('namespaces'), query, body: object });
      } else {
        result = await this.json(scope, t.c, { method: 'POST', path: crPath(t.info!, t.namespace), query, body: { ...object, metadata: { ...object.metadata, namespace: t.namespace } } });
      }
      return { object: returned(result, t.kind), warnings: scope.warnings };
    });
  }

  async apply(object: KubeObject, options: ApplyOptions = {}): Promise<WriteResult> {
    const t = this.target(object, 'apply');
    return this.run(t.c, options, async (scope) => {
      const query: Query = { dryRun: options.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER, force: options.force ? true : undefined };
      const apply = { method: 'PATCH', query, contentType: APPLY_PATCH } as const;
      let result: unknown;
      if (t.kind === 'Secret') {
        result = await this.json(scope, t.c, { ...apply, path: corePath('secrets', t.namespace, t.name), body: object });
      } else if (t.kind === 'Namespace') {
        result = await this.json(scope, t.c, { ...apply, path: corePath('namespaces', undefined, t.name), body: object });
      } else {
        const r = t.info!;
        const body = { ...object, apiVersion: object.apiVersion ?? r.apiVersion, metadata: { ...object.metadata, namespace: t.namespace } };
        result = await this.json(scope, t.c, { ...apply, path: crPath(r, t.namespace, t.name), body });
      }
      return { object: returned(result, t.kind), warnings: scope.warnings };
    });
  }

  async delete(kind: StackGresKind, namespace: string, name: string, options: DeleteOptions = {}): Promise<boolean> {
    const r = stackgres(kind);
    const c: CallContext = { verb: 'delete', resource: r.resource, group: r.group, kind: r.kind, namespace, name };
    const body = options.preconditions ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { ...options.preconditions } } : undefined;
    return this.run(c, options, async (scope) => {
      try {
        await this.request(scope, c, { method: 'DELETE', path: crPath(r, namespace, name), query: { dryRun: options.dryRun ? 'All' : undefined }, body });
        return true;
      } catch (e) {
        if (e instanceof KubeError && e.reason === 'notFound' && e.kubeReason === 'NotFound') return false;
        throw e;
      }
    });
  }

  /** Which API a manifest goes to, checked before any request. */
  private target(object: KubeObject, verb: 'create' | 'apply'): { kind: ManifestKind; name: string; namespace?: string; info?: ResourceInfo; c: CallContext } {
    const kind = object?.kind;
    const name = object?.metadata?.name;
    if (!name) throw new KubeError('invalid', t('The {0} has no metadata.name.', kind ?? 'object'), { action: t('Give it a name.') });
    if (kind === 'Namespace') return { kind, name, c: { verb, resource: 'namespaces', group: '', kind, name } };
    const namespace = object.metadata.namespace || this.context.namespace;
    if (kind === 'Secret') return { kind, name, namespace, c: { verb, resource: 'secrets', group: '', kind, namespace, name } };
    const info = kind ? STACKGRES.get(kind) : undefined;
    if (!info) {
      throw new KubeError('invalid', t('{0} is not something this extension writes: it handles StackGres kinds, Secrets and Namespaces.', kind ?? 'An object without kind'), { action: t('Apply it with kubectl.') });
    }
    if (object.apiVersion && object.apiVersion !== info.apiVersion) {
      throw new KubeError('invalid', t('{0} {1} has apiVersion {2}; the StackGres operator serves {3} as {4}.', String(kind), name, String(object.apiVersion), String(kind), info.apiVersion), { action: t('Change apiVersion to {0}.', info.apiVersion) });
    }
    return { kind: kind as StackGresKind, name, namespace, info, c: { verb, resource: info.resource, group: info.group, kind, namespace, name } };
  }

  // ---- Secrets (key names only) ----

  async secretNames(namespace: string, options?: CallOptions & { limit?: number }): Promise<string[]> {
    const c: CallContext = { verb: 'list', resource: 'secrets', group: '', namespace };
    const limit = options?.limit ?? DEFAULT_PAGE;
    return this.run(c, options, async (scope) => {
      // A plain list would download every Secret's values (TLS keys, tokens, Helm releases), and even a
      // metadata list carries kubectl's last-applied-configuration annotation: Table rows carry neither.
      if (!this.tablesRefused) {
        try {
          return await this.secretNamePages(scope, c, namespace, limit, 'table');
        } catch (e) {
          if (!(e instanceof KubeError && e.status === 406)) throw e;
          this.tablesRefused = true;
          this.log(`list secrets: the API server of context "${this.context.name}" serves no Tables (HTTP 406); Secret names are read from metadata-only lists instead, their annotations dropped as they arrive`);
        }
      }
      return this.secretNamePages(scope, c, namespace, limit, 'metadata');
    });
  }

  private async secretNamePages(scope: CallScope, c: CallContext, namespace: string, limit: number, form: 'table' | 'metadata'): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const { text } = await this.request(
        scope,
        c,
        { method: 'GET', path: corePath('secrets', namespace), accept: form === 'table' ? TABLE : METADATA_LIST, query: { limit, continue: token, includeObject: form === 'table' ? 'None' : undefined } },
        { read: true },
      );
      // Names are taken from the text at once; nothing else of the page is kept.
      const page = form === 'table' ? namesOfTable(text) : namesOfMetadataList(text);
      if (!page) throw new KubeError('server', t('The API server of context "{0}" answered the list of Secrets in namespace {1} with something that is not a {2}.', this.context.name, namespace, form === 'table' ? 'Table' : 'list'), { action: t('Try again; if it persists, check the API server.') });
      names.push(...page.names);
      token = page.continue;
    } while (token);
    return names.sort();
  }

  async secretKeys(namespace: string, name: string, options?: CallOptions): Promise<string[] | undefined> {
    const c: CallContext = { verb: 'get', resource: 'secrets', group: '', kind: 'Secret', namespace, name };
    return this.run(c, options, async (scope) => {
      try {
        return secretKeyNames(await this.json<SecretJson>(scope, c, { method: 'GET', path: corePath('secrets', namespace, name) }, { read: true }));
      } catch (e) {
        if (e instanceof KubeError && e.reason === 'notFound') return undefined;
        throw e;
      }
    });
  }

  async pods(namespace: string, labelSelector: string, options: CallOptions & { limit?: number } = {}): Promise<KubeObject[]> {
    const c: CallContext = { verb: 'list', resource: 'pods', group: '', kind: 'Pod', namespace };
    return this.run(c, options, async (scope) => {
      const { text } = await this.request(scope, c, { method: 'GET', path: corePath('pods', namespace), query: { labelSelector, limit: options.limit ?? 100 } }, { read: true });
      return itemsOfList(text);
    });
  }

  async secretValues(namespace: string, name: string, keys: readonly string[], options?: CallOptions): Promise<SecretData> {
    const c: CallContext = { verb: 'get', resource: 'secrets', group: '', kind: 'Secret', namespace, name };
    return this.run(c, options, async (scope) => {
      const secret = await this.json<SecretJson>(scope, c, { method: 'GET', path: corePath('secrets', namespace, name) }, { read: true });
      const out: Record<string, Uint8Array> = {};
      for (const key of keys) {
        const encoded = secret.data?.[key];
        const plain = secret.stringData?.[key];
        if (encoded !== undefined) out[key] = Buffer.from(encoded, 'base64');
        else if (plain !== undefined) out[key] = Buffer.from(plain, 'utf8');
      }
      return out;
    });
  }

  async createSecret(namespace: string, name: string, data: SecretData, options: SecretWriteOptions = {}): Promise<void> {
    const c: CallContext = { verb: 'create', resource: 'secrets', group: '', kind: 'Secret', namespace, name };
    return this.run(c, options, async (scope) => {
      const body: SecretJson = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: options.labels }, type: options.type ?? 'Opaque', data: encode(data) };
      await this.json<SecretJson>(scope, c, { method: 'POST', path: corePath('secrets', namespace), query: { dryRun: options.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER }, body });
    });
  }

  async replaceSecret(namespace: string, name: string, data: SecretData, options: SecretWriteOptions = {}): Promise<void> {
    const c: CallContext = { verb: 'update', resource: 'secrets', group: '', kind: 'Secret', namespace, name };
    return this.run(c, options, async (scope) => {
      const current = await this.json<SecretJson>(scope, { ...c, verb: 'get' }, { method: 'GET', path: corePath('secrets', namespace, name) }, { read: true });
      const m = current.metadata ?? {};
      const body: SecretJson = {
        apiVersion: 'v1',
        kind: 'Secret',
        // The resourceVersion makes this fail with a conflict if someone changed the Secret meanwhile.
        metadata: { name, namespace, resourceVersion: m.resourceVersion, labels: { ...m.labels, ...options.labels }, annotations: m.annotations },
        type: options.type ?? current.type,
        data: encode(data),
      };
      await this.json<SecretJson>(scope, c, { method: 'PUT', path: corePath('secrets', namespace, name), query: { dryRun: options.dryRun ? 'All' : undefined, fieldManager: FIELD_MANAGER }, body });
    });
  }

  async deleteSecret(namespace: string, name: string, options: WriteOptions = {}): Promise<boolean> {
    const c: CallContext = { verb: 'delete', resource: 'secrets', group: '', kind: 'Secret', namespace, name };
    return this.run(c, options, async (scope) => {
      try {
        await this.request(scope, c, { method: 'DELETE', path: corePath('secrets', namespace, name), query: { dryRun: options.dryRun ? 'All' : undefined } });
        return true;
      } catch (e) {
        if (e instanceof KubeError && e.reason === 'notFound') return false;
        throw e;
      }
    });
  }

  async copySecret(sourceNamespace: string, name: string, targetNamespace: string, options: CopySecretOptions): Promise<CopiedSecret> {
    const c: CallContext = { verb: 'get', resource: 'secrets', group: '', kind: 'Secret', namespace: sourceNamespace, name };
    if (!options.keys.length) {
      throw new KubeError('invalid', t('No key of Secret {0} was named to copy to namespace {1}.', name, targetNamespace), { action: t('Name the keys the storage reads (its secretKeySelectors).') });
    }
    return this.run(c, options, async (scope) => {
      const source = await this.json<SecretJson>(scope, c, { method: 'GET', path: corePath('secrets', sourceNamespace, name) }, { read: true });
      const data: Record<string, string> = {};
      for (const key of options.keys) {
        const value = source.data?.[key];
        if (value === undefined) {
          throw new KubeError('invalid', t('Secret {0} in namespace {1} has no key {2}.', name, sourceNamespace, key), { action: t('Check the key names the storage refers to.') });
        }
        data[key] = value;
      }
      // Annotations stay behind: kubectl's last-applied-configuration would carry the values in clear.
      const metadata: SecretMeta = { name, namespace: targetNamespace, labels: source.metadata?.labels };
      const body: SecretJson = { apiVersion: 'v1', kind: 'Secret', metadata, type: source.type, data };
      const dryRun = options.dryRun ? 'All' : undefined;
      const target: CallContext = { verb: 'create', resource: 'secrets', group: '', kind: 'Secret', namespace: targetNamespace, name };
      const written = (s: SecretJson): CopiedSecret => ({ resourceVersion: s.metadata?.resourceVersion ?? '' });
      if (options.replace && options.resourceVersion) {
        // Only the Secret the user chose to replace: the server refuses (409) if it changed since.
        metadata.resourceVersion = options.resourceVersion;
        try {
          return written(await this.json<SecretJson>(scope, { ...target, verb: 'update' }, { method: 'PUT', path: corePath('secrets', targetNamespace, name), query: { dryRun: dryRun, fieldManager: FIELD_MANAGER }, body }));
        } catch (e) {
          throw changedSinceRead(e, name, targetNamespace);
        }
      }
      try {
        return written(await this.json<SecretJson>(scope, target, { method: 'POST', path: corePath('secrets', targetNamespace), query: { dryRun: dryRun, fieldManager: FIELD_MANAGER }, body }));
      } catch (e) {
        if (!(options.replace && e instanceof KubeError && e.kubeReason === 'AlreadyExists')) throw e;
        const current = await this.json<SecretJson>(scope, { ...target, verb: 'get' }, { method: 'GET', path: corePath('secrets', targetNamespace, name) }, { read: true });
        metadata.resourceVersion = current.metadata?.resourceVersion;
        return written(await this.json<SecretJson>(scope, { ...target, verb: 'update' }, { method: 'PUT', path: corePath('secrets', targetNamespace, name), query: { dryRun: dryRun, fieldManager: FIELD_MANAGER }, body }));
      }
    });
  }

  async saveSecret(namespace: string, name: string, options?: CallOptions): Promise<SavedSecret | undefined> {
    const c: CallContext = { verb: 'get', resource: 'secrets', group: '', kind: 'Secret', namespace, name };
    const read = await this.run(c, options, async (scope) => {
      try {
        return await this.json<SecretJson>(scope, c, { method: 'GET', path: corePath('secrets', namespace, name) }, { read: true });
      } catch (e) {
        if (e instanceof KubeError && e.reason === 'notFound') return undefined;
        throw e;
      }
    });
    if (!read) return undefined;
    // Only what makes the Secret what it was; server-set metadata is the server's.
    let held: { data: Record<string, string>; type?: string; labels?: Record<string, string>; annotations?: Record<string, string> } | undefined = {
      data: { ...read.data, ...Object.fromEntries(Object.entries(read.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])) },
      type: read.type,
      labels: read.metadata?.labels,
      annotations: read.metadata?.annotations,
    };
    const keys = secretKeyNames(read);
    return {
      namespace,
      name,
      keys,
      resourceVersion: read.metadata?.resourceVersion ?? '',
      restore: (o: RestoreOptions = {}) => {
        const saved = held;
        if (!saved) return Promise.reject(new KubeError('invalid', t('The saved copy of Secret {0} is no longer held.', name)));
        const u: CallContext = { verb: 'update', resource: 'secrets', group: '', kind: 'Secret', namespace, name };
        return this.run(u, o, async (scope): Promise<'restored' | 'changedSince'> => {
          const metadata: SecretMeta = { name, namespace, labels: saved.labels, annotations: saved.annotations };
          const body: SecretJson = { apiVersion: 'v1', kind: 'Secret', metadata, type: saved.type, data: saved.data };
          const dryRun = o.dryRun ? 'All' : undefined;
          if (o.ifResourceVersion !== undefined) {
            // Someone else's later change (or deletion) stands: it is theirs to undo, not ours.
            metadata.resourceVersion = o.ifResourceVersion;
            try {
              await this.json<SecretJson>(scope, u, { method: 'PUT', path: corePath('secrets', namespace, name), query: { dryRun: dryRun, fieldManager: FIELD_MANAGER }, body });
              return 'restored';
            } catch (e) {
              if (e instanceof KubeError && ((e.reason === 'conflict' && e.kubeReason === 'Conflict') || e.reason === 'notFound')) return 'changedSince';
              throw e;
            }
          }
          let current: SecretJson | undefined;
          try {
            current = await this.json<SecretJson>(scope, { ...u, verb: 'get' }, { method: 'GET', path: corePath('secrets', namespace, name) }, { read: true });
          } catch (e) {
            if (!(e instanceof KubeError && e.reason === 'notFound')) throw e;
          }
          if (!current) {
            await this.json<SecretJson>(scope, { ...u, verb: 'create' }, { method: 'POST', path: corePath('secrets', namespace), query: { dryRun: dryRun, fieldManager: FIELD_MANAGER }, body });
            return 'restored';
          }
          metadata.resourceVersion = current.metadata?.resourceVersion;
          await this.json<SecretJson>(scope, u, { method: 'PUT', path: corePath('secrets', namespace, name), query: { dryRun: dryRun, fieldManager: FIELD_MANAGER }, body });
          return 'restored';
        });
      },
      discard: () => {
        held = undefined;
      },
    };
  }

  // ---- backup Job pods: state, logs, Events ----

  async pod(namespace: string, name: string, options?: CallOptions): Promise<PodSummary | undefined> {
    const c: CallContext = { verb: 'get', resource: 'pods', group: '', kind: 'Pod', namespace, name };
    return this.run(c, options, async (scope) => {
      try {
        const p = await this.json<PodJson>(scope, c, { method: 'GET', path: corePath('pods', namespace, name) }, { read: true });
        return {
          name,
          namespace,
          uid: p.metadata?.uid,
          phase: p.status?.phase,
          containers: (p.spec?.containers ?? []).map((k) => k.name),
          job: p.metadata?.ownerReferences?.find((o) => o.kind === 'Job' && o.controller)?.name ?? p.metadata?.ownerReferences?.find((o) => o.kind === 'Job')?.name,
          containerStates: (p.status?.containerStatuses ?? []).map((s) => ({
            name: s.name,
            waiting: s.state?.waiting?.reason,
            terminated: s.state?.terminated ? { reason: s.state.terminated.reason, exitCode: s.state.terminated.exitCode } : undefined,
          })),
        };
      } catch (e) {
        if (e instanceof KubeError && e.reason === 'notFound') return undefined;
        throw e;
      }
    });
  }

  async podLog(namespace: string, name: string, options: PodLogOptions = {}): Promise<string> {
    const c: CallContext = { verb: 'get', resource: 'pods/log', group: '', kind: 'Pod', namespace, name };
    return this.run(c, options, async (scope) => {
      const query: Query = { container: options.container, tailLines: options.tailLines, limitBytes: options.limitBytes, sinceSeconds: options.sinceSeconds };
      return (await this.request(scope, c, { method: 'GET', path: `${corePath('pods', namespace, name)}/log`, query, accept: '*/*' }, { read: true })).text;
    });
  }

  async followPodLog(namespace: string, name: string, onText: (text: string) => void, options: PodLogOptions = {}): Promise<void> {
    if (this.blocked) throw this.blocked;
    if (options.signal?.aborted) throw cancelled();
    const ctx = this.errorContext({ verb: 'get', resource: 'pods/log', group: '', kind: 'Pod', namespace, name });
    const connectMs = options.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    await new Promise<void>((resolve, reject) => {
      let finished = false;
      let connected = false;
      const finish = (err?: KubeError): void => {
        if (finished) return;
        finished = true;
        clearTimeout(connectTimer);
        options.signal?.removeEventListener('abort', onAbort);
        controller.abort();
        if (err) {
          if (err.reason !== 'cancelled') this.log(`follow log of pod ${namespace}/${name}: ${err.reason}: ${err.message}`);
          reject(err);
        } else resolve();
      };
      const onAbort = (): void => finish(cancelled());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // Only the connection has a deadline: a followed log may stay quiet for as long as the Job runs.
      const connectTimer = setTimeout(() => finish(timedOut(ctx, connectMs)), connectMs);
      const query: Query = { follow: true, container: options.container, tailLines: options.tailLines, limitBytes: options.limitBytes, sinceSeconds: options.sinceSeconds };
      this.http.stream({ method: 'GET', path: `${corePath('pods', namespace, name)}/log`, query, accept: '*/*', signal: controller.signal }).then(
        (res) => {
          connected = true;
          clearTimeout(connectTimer);
          res.setEncoding('utf8');
          res.on('data', (text: string) => {
            if (!finished) onText(text);
          });
          res.once('end', () => finish());
          res.once('error', (e) => finish(finished ? undefined : toKubeError(e, ctx)));
        },
        (e: unknown) => finish(connected || finished ? undefined : toKubeError(e, ctx)),
      );
    });
  }

  async events(namespace: string, involved: InvolvedObject, options?: CallOptions & { limit?: number }): Promise<EventSummary[]> {
    const c: CallContext = { verb: 'list', resource: 'events', group: '', namespace };
    const fieldSelector = [`involvedObject.kind=${selectorValue(involved.kind)}`, `involvedObject.name=${selectorValue(involved.name)}`, ...(involved.uid ? [`involvedObject.uid=${selectorValue(involved.uid)}`] : [])].join(',');
    return this.run(c, options, async (scope) => {
      const list = await this.json<{ items?: EventJson[] }>(scope, c, { method: 'GET', path: corePath('events', namespace), query: { fieldSelector, limit: options?.limit ?? 100 } }, { read: true });
      const stamp = (d: string | undefined | null): string | undefined => (d === undefined || d === null || d === '' ? undefined : String(d));
      return (list.items ?? [])
        .map((e) => ({
          type: e.type,
          reason: e.reason,
          message: e.message,
          count: e.count ?? e.series?.count,
          last: stamp(e.lastTimestamp) ?? stamp(e.eventTime) ?? stamp(e.firstTimestamp),
          source: e.reportingComponent || e.source?.component || undefined,
        }))
        .sort((a, b) => (a.last ?? '').localeCompare(b.last ?? ''));
    });
  }

  // ---- CRDs ----

  async stackgresCrds(options?: CallOptions): Promise<CrdSchema[]> {
    const c: CallContext = { verb: 'get', resource: `${CRD.plural}.${CRD.group}`, group: CRD.group };
    return this.run(c, options, async (scope) => {
      const found = await Promise.all(
        [...STACKGRES.values()].map(async (r) => {
          const name = `${r.resource}`;
          try {
            return await this.json<Record<string, unknown>>(scope, { ...c, name }, { method: 'GET', path: `/apis/${CRD.group}/${CRD.version}/${CRD.plural}/${encodeURIComponent(name)}` }, { read: true });
          } catch (e) {
            if (e instanceof KubeError && e.reason === 'notFound') return undefined;
            throw e;
          }
        }),
      );
      const crds = found.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null).map(readCrd);
      if (!crds.length) throw crdsMissing({ context: this.context.name });
      return crds;
    });
  }

  // ---- live caches ----

  cache(kind: StackGresKind, options: CacheOptions = {}): LiveCache {
    const r = stackgres(kind);
    const ctx = this.errorContext({ verb: 'watch', resource: r.resource, group: r.group, kind: r.kind, namespace: options.namespace });
    const path = crPath(r, options.namespace);
    const maxTimeout = this.options.watchTimeoutSeconds ?? 600;
    const transport: WatchTransport = {
      errorContext: ctx,
      list: (signal) => this.list(kind, { namespace: options.namespace, labelSelector: options.labelSelector, sgCluster: options.sgCluster, slim: options.slim, signal }),
      watch: async (resourceVersion, onEvent, onEnd, signal) => {
        if (this.blocked) throw this.blocked;
        // Spread reconnects over time, as client-go does.
        const timeoutSeconds = Math.max(1, Math.round(maxTimeout / 2 + Math.random() * (maxTimeout / 2)));
        const query: Query = { resourceVersion: resourceVersion || undefined, allowWatchBookmarks: true, labelSelector: options.labelSelector, timeoutSeconds };
        return this.watchWithDeadline(path, query, timeoutSeconds * 1000 + (this.options.watchDeadlineMarginMs ?? 30_000), ctx, signal, {
          onEvent: (type, obj) => onEvent(type, type === 'BOOKMARK' || type === 'ERROR' ? obj : withKind(obj as KubeObject, r)),
          onEnd,
        });
      },
    };
    const cache: WatchedCache = new WatchedCache(transport, {
      backoff: this.options.backoff,
      keep: (o) => matchesCluster(o, options.sgCluster),
      slim: options.slim,
      log: this.log,
      onStop: () => this.caches.delete(cache),
    });
    this.caches.add(cache);
    return cache;
  }

  dispose(): void {
    for (const c of [...this.caches]) c.stop();
    this.http.dispose();
  }

  /**
   * One watch request that ends by `deadlineMs` whatever the server does: a connection that never answers
   * (no headers, or headers and then silence past the server-side timeout) is destroyed, not waited on.
   */
  private async watchWithDeadline(
    path: string,
    query: Query,
    deadlineMs: number,
    ctx: ErrorContext,
    signal: AbortSignal | undefined,
    on: { onEvent: (type: string, obj: unknown) => void; onEnd: (error?: KubeError) => void },
  ): Promise<{ stop(): void }> {
    const controller = new AbortController();
    let ended = false;
    let sawEvent = false;
    const close = (): void => {
      ended = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', close);
      controller.abort();
    };
    const end = (error?: KubeError): void => {
      if (ended) return;
      close();
      on.onEnd(error);
    };
    const timer = setTimeout(() => {
      // Events came, so the stream works: the server just did not close it. Otherwise it never answered.
      if (sawEvent) this.log(`watch ${ctx.resource ?? ''}: still open ${Math.round(deadlineMs / 1000)} s after it started; reconnecting`);
      end(sawEvent ? undefined : timedOut(ctx, deadlineMs));
    }, deadlineMs);
    signal?.addEventListener('abort', close, { once: true });
    try {
      await this.http.watch(
        path,
        query,
        controller.signal,
        (type, obj) => {
          sawEvent = true;
          if (!ended) on.onEvent(type, obj);
        },
        (err) => end(err ? toKubeError(err, ctx) : undefined),
      );
    } catch (e) {
      // Stopped or past the deadline while connecting: the end was already reported (or not wanted).
      if (ended) return { stop: close };
      close();
      throw toKubeError(e, ctx);
    }
    return { stop: close };
  }
}

// ---- helpers ---------------------------------------------------------------------------------------

/** The objects of a list body; anything that is not one gives none. */
function itemsOfList(text: string): KubeObject[] {
  try {
    const body = JSON.parse(text) as { items?: unknown };
    return Array.isArray(body.items) ? body.items.filter((o): o is KubeObject => typeof o === 'object' && o !== null && typeof (o as KubeObject).metadata?.name === 'string') : [];
  } catch {
    return [];
  }
}

interface NamePage {
  names: string[];
  continue?: string;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The continue token of a list page read from the text before it is parsed: API servers write `metadata`
 * before `items`. Undefined when it is not there (the parsed page then says); a token has no quotes or escapes.
 */
function peekContinue(text: string): string | undefined {
  const head = text.slice(0, Math.max(0, text.indexOf('"items"')));
  return /"continue":"([A-Za-z0-9_\-=.+/]+)"/.exec(head)?.[1];
}

function continueOf(o: Record<string, unknown>): string | undefined {
  const c = (o.metadata as { continue?: unknown } | undefined)?.continue;
  return typeof c === 'string' && c ? c : undefined;
}

/** A Table's names: the cells of the column whose format is `name` (kube-apiserver's first column). */
function namesOfTable(text: string): NamePage | undefined {
  const t = parseObject(text);
  if (!t || t.kind !== 'Table' || !Array.isArray(t.rows)) return undefined;
  const columns = Array.isArray(t.columnDefinitions) ? (t.columnDefinitions as { name?: unknown; format?: unknown }[]) : [];
  const byFormat = columns.findIndex((c) => c?.format === 'name');
  const column = byFormat >= 0 ? byFormat : Math.max(0, columns.findIndex((c) => c?.name === 'Name'));
  const names: string[] = [];
  for (const row of t.rows as { cells?: unknown }[]) {
    const cell = Array.isArray(row?.cells) ? (row.cells as unknown[])[column] : undefined;
    if (typeof cell === 'string' && cell) names.push(cell);
  }
  return { names, continue: continueOf(t) };
}

function namesOfMetadataList(text: string): NamePage | undefined {
  const l = parseObject(text);
  if (!l || !Array.isArray(l.items)) return undefined;
  const names: string[] = [];
  for (const item of l.items as { metadata?: { name?: unknown } }[]) {
    const name = item?.metadata?.name;
    if (typeof name === 'string' && name) names.push(name);
  }
  return { names, continue: continueOf(l) };
}

/** A field selector value with its operators escaped, as fields.EscapeValue does. */
function selectorValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

function matchesCluster(o: KubeObject, sgCluster: string | undefined): boolean {
  return sgCluster === undefined || (o.spec as { sgCluster?: unknown } | undefined)?.sgCluster === sgCluster;
}

/** Items of CR lists may lack apiVersion/kind; objects leave the adapter complete. */
function withKind(o: KubeObject, r: ResourceInfo): KubeObject {
  return o.apiVersion && o.kind ? o : { ...o, apiVersion: o.apiVersion ?? r.apiVersion, kind: o.kind ?? r.kind };
}

/** The object a write returned, as plain JSON; a Secret's data never leaves the adapter. */
function returned(result: unknown, kind: ManifestKind): KubeObject {
  const o = JSON.parse(JSON.stringify(result ?? {})) as KubeObject;
  if (kind === 'Secret') {
    const keys = secretKeyNames(o as { data?: unknown; stringData?: unknown });
    delete o.data;
    delete o.stringData;
    return { ...o, apiVersion: 'v1', kind: 'Secret', keys };
  }
  if (kind === 'Namespace') return { ...o, apiVersion: 'v1', kind: 'Namespace' };
  return o;
}

/** A conditional replace the server refused because the Secret changed or went after it was read. */
function changedSinceRead(e: unknown, name: string, namespace: string): unknown {
  if (!(e instanceof KubeError)) return e;
  const init = { status: e.status, kubeReason: e.kubeReason, action: 'Run the copy again: it reads the Secret as it is now and asks again before replacing it.' };
  if (e.reason === 'conflict' && e.kubeReason === 'Conflict') {
    return new KubeError('conflict', t('Secret {0} in namespace {1} changed after the copy read it (someone else wrote it meanwhile). Nothing of it was changed.', name, namespace), init);
  }
  if (e.reason === 'notFound') {
    return new KubeError('notFound', t('Secret {0} in namespace {1} was deleted after the copy read it. Nothing was written in its place.', name, namespace), init);
  }
  return e;
}

function secretKeyNames(s: { data?: unknown; stringData?: unknown }): string[] {
  const keys = new Set<string>();
  for (const m of [s.data, s.stringData]) if (m && typeof m === 'object') for (const k of Object.keys(m)) keys.add(k);
  return [...keys].sort();
}

function encode(data: SecretData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) out[k] = Buffer.from(v).toString('base64');
  return out;
}

function readCrd(crd: Record<string, unknown>): CrdSchema {
  const spec = (crd.spec ?? {}) as { group?: string; names?: { kind?: string; plural?: string }; versions?: { name?: string; served?: boolean; storage?: boolean; schema?: { openAPIV3Schema?: unknown } }[] };
  return {
    kind: spec.names?.kind ?? '',
    plural: spec.names?.plural ?? '',
    group: spec.group ?? STACKGRES_GROUP,
    versions: (spec.versions ?? []).map((v) => ({ name: v.name ?? '', served: v.served === true, storage: v.storage === true, schema: v.schema?.openAPIV3Schema })),
  };
}

/** `299 - "unknown field \"spec.foo\""` (several joined by commas) → the quoted texts. */
export function parseWarnings(header: string): string[] {
  const out: string[] = [];
  const re = /\d{3} \S+ "((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) out.push(m[1].replace(/\\(.)/g, '$1'));
  return out.length ? out : [header];
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
