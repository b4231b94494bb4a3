// The HTTP(S) front of the test API server: authentication and authorization, fault injection,
// discovery, and routing of resource paths to the object API, lists and watches.
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ObjectApi, type FieldValidation, type WriteOptions } from './api';
import { ANONYMOUS, DEFAULT_USERS, makeUsers, type User, type UserOptions, type Verb } from './auth';
import { Clock } from './clock';
import { CRDS, EVENTS, JOBS, NAMESPACES, PODS, ResourceRegistry, SECRETS, preferredVersion, typesFromCrd, type KubeObject, type ResourceType } from './resources';
import { DEFAULT_CRD_DIR, loadCrds } from './crds';
import { Faults } from './faults';
import { buildKubeconfig } from './kubeconfig';
import { Lister, matcherFor } from './list';
import { Operator, type OperatorOptions } from './operator';
import { PodLogs } from './podlogs';
import { Seeder } from './seed';
import { KubeError, badRequest, forbidden, internalError, methodNotAllowed, pathNotFound, unauthorized, unsupportedMediaType } from './status';
import { Store } from './store';
import { includeObjectOf, toTable, type IncludeObject } from './table';
import { negotiate, partialMetadata, partialMetadataList, type ReadForm } from './metadata';
import { makeCa, makeServerCert } from './tls';
import { openApiDoc, openApiRoot, openApiV2, v2Acceptable } from './openapi';
import { decodeProtobuf } from './protobuf';
import { WatchHub } from './watch';

export interface KubeServerOptions {
  /** Port to listen on; 0 (default) picks a free one. Always bound to 127.0.0.1. */
  port?: number;
  /** Serve HTTPS with a certificate from a CA generated at startup (`caCert`). */
  tls?: boolean;
  /** With `tls`: serve a certificate signed by a different CA than the one reported (TLS error tests). */
  tlsMismatch?: boolean;
  /** Folder with the CustomResourceDefinition YAML files to serve. */
  crdDir?: string;
  /** Bearer-token users; default `admin`, `reader` (get/list/watch) and `no-backups` (no sgbackups). */
  users?: UserOptions[];
  /** Accept requests without a token, as `system:anonymous` with full access. */
  anonymous?: boolean;
  /** `demo` seeds namespaces, storages, secrets, clusters and a backup history. */
  seed?: 'demo' | 'none';
  /** Simulated seconds per real second (scheduled backups). Default 1. */
  timeScale?: number;
  operator?: OperatorOptions;
  /** Change events retained for watch resumption. Default 2000. */
  historyLimit?: number;
  /** Interval of BOOKMARK events on watches that allow them. Default 5000 ms. */
  bookmarkIntervalMs?: number;
  /** Lifetime of a paged list's continue token. Default 5 minutes. */
  continueTtlMs?: number;
  /** Reject field selectors a real API server does not support for CRs (e.g. SGBackup spec.sgCluster). */
  strictFieldSelectors?: boolean;
  /** Called with one line per request. */
  log?: (line: string) => void;
  /** Serve `as=Table` (default true); false answers 406 as an API server without Tables does. */
  tables?: boolean;
  /** Keep each response body in `requests` (`body`), so tests can check what crossed the wire. Default false. */
  recordBodies?: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  user: string;
  /** The request's Accept header. */
  accept?: string;
  /** The shape a read was served in (`PartialObjectMetadataList`: names and labels, no data). */
  form?: ReadForm;
  /** `includeObject` of a Table read: what its rows carried besides their cells. */
  includeObject?: IncludeObject;
  /** Bytes of the response body (not for watches, which stream). */
  bytes?: number;
  /** The response body as sent, with `recordBodies` only. */
  body?: string;
}

export interface KubeServer {
  url: string;
  port: number;
  /** PEM of the CA clients must trust (TLS mode). */
  caCert?: string;
  /** Bearer token per user name. */
  tokens: Record<string, string>;
  store: Store;
  api: ObjectApi;
  registry: ResourceRegistry;
  operator: Operator;
  faults: Faults;
  seed: Seeder;
  lister: Lister;
  clock: Clock;
  watches: WatchHub;
  /** Container logs served at `pods/{name}/log` (the simulated operator writes the backup Jobs'). */
  podLogs: PodLogs;
  /** The last requests served (newest last, at most 5000). */
  requests: RequestRecord[];
  /** A kubeconfig (YAML) with one context per user; `user` picks the current one (default admin). */
  kubeconfig(options?: { user?: string; namespace?: string }): string;
  stop(): Promise<void>;
}

const MAX_BODY = 3 * 1024 * 1024;

/** The request body as text; protobuf bodies (kubectl's typed commands) are converted to JSON. */
async function readBody(req: http.IncomingMessage): Promise<string> {
  const raw = await readRawBody(req);
  const contentType = req.headers['content-type'] ?? '';
  if (/protobuf/.test(contentType)) {
    const decoded = decodeProtobuf(raw);
    if (!decoded) {
      throw unsupportedMediaType(contentType);
    }
    return JSON.stringify(decoded);
  }
  if (/cbor/.test(contentType)) {
    throw unsupportedMediaType(contentType);
  }
  return raw.toString('utf8');
}

function readRawBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new KubeError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (!raw.trim()) {
    return undefined;
  }
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw badRequest(`the body of the request was in an unknown format: ${(e as Error).message}`);
  }
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

export async function startKubeServer(options: KubeServerOptions = {}): Promise<KubeServer> {
  const registry = new ResourceRegistry();
  for (const t of [NAMESPACES, SECRETS, EVENTS, PODS, JOBS, CRDS]) {
    registry.add(t);
  }
  const crds = loadCrds(options.crdDir ?? DEFAULT_CRD_DIR);
  for (const crd of crds) {
    for (const t of typesFromCrd(crd)) {
      registry.add(t);
    }
  }
  const clock = new Clock(options.timeScale ?? 1);
  const store = new Store(options.historyLimit ?? 2000);
  const api = new ObjectApi(store, registry, clock);
  const lister = new Lister(store, options.continueTtlMs ?? 5 * 60_000, 64, options.strictFieldSelectors ?? false);
  const watches = new WatchHub(store);
  const faults = new Faults();
  const users = makeUsers(options.users ?? DEFAULT_USERS);
  const byToken = new Map(users.map((u) => [u.token, u]));
  const requests: RequestRecord[] = [];
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 5000;

  for (const crd of crds) {
    const obj = structuredClone(crd) as unknown as KubeObject;
    obj.status = {
      acceptedNames: crd.spec.names,
      storedVersions: crd.spec.versions.filter((v) => v.storage).map((v) => v.name),
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: clock.timestamp() },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: clock.timestamp() },
      ],
    };
    api.putInternal(CRDS, obj, 'kube-apiserver');
  }

  const podLogs = new PodLogs(clock);
  store.subscribe((e) => {
    if (e.type === 'DELETED' && e.storeKey === PODS.storeKey) {
      podLogs.remove(e.object.metadata.namespace as string, e.object.metadata.name as string);
    }
  });
  const operator = new Operator(api, registry, clock, options.operator ?? {}, podLogs);
  const seed = new Seeder(api, registry, clock);

  let address = '';
  let caCert: string | undefined;
  let server: http.Server;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void handle(req, res);
  };
  if (options.tls) {
    const ca = makeCa('stackgres-test-ca');
    caCert = ca.cert;
    const signer = options.tlsMismatch ? makeCa('stackgres-test-other-ca') : ca;
    const { key, cert } = makeServerCert(signer);
    server = https.createServer({ key, cert }, handler);
  } else {
    server = http.createServer(handler);
  }
  server.keepAliveTimeout = 65_000;

  /** /openapi/v2 is built once: the served types do not change while the server runs. */
  let v2Text: string | undefined;
  /** What `send` wrote per response, for the request log. */
  const sentBodies = new WeakMap<http.ServerResponse, string>();
  const record = (r: RequestRecord): void => {
    requests.push(r);
    if (requests.length > 5000) {
      requests.splice(0, requests.length - 5000);
    }
    options.log?.(`${r.method} ${r.path}${r.query ? '?' + r.query : ''} ${r.status} ${r.user}`);
  };

  function send(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    sentBodies.set(res, text);
    res.writeHead(code, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Audit-Id': crypto.randomUUID(),
      ...headers,
    });
    res.end(text);
  }

  function authenticate(req: http.IncomingMessage): User | undefined {
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(.+)$/i.exec(h) : null;
    if (m) {
      return byToken.get(m[1].trim());
    }
    return options.anonymous ? ANONYMOUS : undefined;
  }

  function discovery(segs: string[], port: number): unknown {
    if (segs.length === 1 && segs[0] === 'api') {
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] };
    }
    if (segs.length === 2 && segs[0] === 'api' && segs[1] === 'v1') {
      return registry.resourceList('', 'v1');
    }
    const groups = registry.groups();
    groups.set('authorization.k8s.io', ['v1']);
    const groupDoc = (name: string, versions: string[]): Record<string, unknown> => {
      const pv = preferredVersion(versions);
      return {
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${pv}`, version: pv },
      };
    };
    if (segs.length === 1 && segs[0] === 'apis') {
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups.entries()].map(([g, v]) => groupDoc(g, v)) };
    }
    if (segs.length === 2 && segs[0] === 'apis' && groups.has(segs[1])) {
      return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(segs[1], groups.get(segs[1]) as string[]) };
    }
    if (segs.length === 3 && segs[0] === 'apis') {
      if (segs[1] === 'authorization.k8s.io' && segs[2] === 'v1') {
        return {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: 'authorization.k8s.io/v1',
          resources: [{ name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] }],
        };
      }
      return registry.resourceList(segs[1], segs[2]);
    }
    return undefined;
  }

  function route(segs: string[]): Route | undefined {
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs[1] === 'v1') {
      group = '';
      version = 'v1';
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 3) {
      group = segs[1];
      version = segs[2];
      rest = segs.slice(3);
    } else {
      return undefined;
    }
    let watchPath = false;
    if (rest[0] === 'watch') {
      watchPath = true;
      rest = rest.slice(1);
    }
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const t = registry.find(group, version, rest[2]);
      if (t && t.namespaced && rest.length <= 5) {
        return { type: t, namespace: rest[1], name: rest[3], subresource: rest[4], watchPath };
      }
    }
    if (rest.length === 0 || rest.length > 3) {
      return undefined;
    }
    const t = registry.find(group, version, rest[0]);
    if (!t || (t.namespaced && rest.length > 1)) {
      return undefined;
    }
    return { type: t, name: rest[1], subresource: rest[2], watchPath };
  }

  function writeOptions(q: URLSearchParams): WriteOptions {
    const dryRun = q.getAll('dryRun');
    for (const d of dryRun) {
      if (d !== 'All') {
        throw new KubeError(422, 'Invalid', `dryRun: Unsupported value: "${d}": supported values: "All"`);
      }
    }
    const fv = q.get('fieldValidation') ?? 'Warn';
    if (!['Ignore', 'Warn', 'Strict'].includes(fv)) {
      throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Warn", "Strict"`);
    }
    const force = q.get('force');
    return {
      dryRun: dryRun.length > 0,
      fieldManager: q.get('fieldManager') ?? undefined,
      fieldValidation: fv as FieldValidation,
      force: force === null ? undefined : force === 'true' || force === '1',
    };
  }

  function selfSubjectAccessReview(user: User, body: unknown): unknown {
    const spec = ((body as Record<string, unknown> | undefined)?.spec ?? {}) as Record<string, Record<string, string> | undefined>;
    const attrs = spec.resourceAttributes ?? {};
    const t = registry.all.find((r) => r.group === (attrs.group ?? '') && r.plural === attrs.resource);
    const allowed = t ? user.can((attrs.verb ?? 'get') as Verb, t, attrs.namespace) : false;
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: { allowed, ...(allowed ? {} : { reason: t ? `user "${user.name}" has no access` : 'unknown resource' }) },
    };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;
    let user: User | undefined;
    let form: ReadForm | undefined;
    let includeObject: IncludeObject | undefined;
    const accept = req.headers.accept;
    const done = (status: number): void => {
      const sent = sentBodies.get(res);
      record({
        method,
        path,
        query: url.search.slice(1),
        status,
        user: user?.name ?? '',
        accept,
        form,
        includeObject,
        bytes: sent === undefined ? undefined : Buffer.byteLength(sent),
        ...(options.recordBodies && sent !== undefined ? { body: sent } : {}),
      });
    };
    try {
      if (path === '/healthz' || path === '/livez' || path === '/readyz') {
        send(res, 200, 'ok');
        done(200);
        return;
      }
      const wait = faults.delayFor(method, path);
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, wait));
      }
      const injected = faults.errorFor(method, path);
      if (injected) {
        throw injected;
      }
      user = authenticate(req);
      if (!user) {
        throw unauthorized();
      }

      const segs = path.split('/').filter(Boolean);
      const port = (server.address() as AddressInfo).port;

      if (path === '/version') {
        send(res, 200, {
          major: '1',
          minor: '32',
          gitVersion: 'v1.32.0-stackgres-test',
          gitCommit: '0000000000000000000000000000000000000000',
          gitTreeState: 'clean',
          buildDate: '2025-01-01T00:00:00Z',
          goVersion: 'go1.23.4',
          compiler: 'gc',
          platform: 'linux/amd64',
        });
        done(200);
        return;
      }
      if (method === 'GET' && path === '/openapi/v2') {
        const fit = v2Acceptable(req.headers.accept);
        if (fit !== 'json') {
          throw new KubeError(406, 'NotAcceptable', fit === 'protobuf-only' ? 'this test server serves /openapi/v2 as application/json only' : 'only application/json is served here');
        }
        v2Text ??= JSON.stringify(openApiV2(registry));
        const etag = `"${crypto.createHash('sha512').update(v2Text).digest('hex').slice(0, 32).toUpperCase()}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { ETag: etag, Vary: 'Accept' });
          res.end();
          done(304);
          return;
        }
        send(res, 200, v2Text, { 'Content-Type': 'application/json', ETag: etag, Vary: 'Accept' });
        done(200);
        return;
      }
      if (method === 'GET' && segs[0] === 'openapi' && segs[1] === 'v3') {
        const doc = segs.length === 2 ? openApiRoot(registry) : openApiDoc(registry, segs.slice(2).join('/'));
        if (!doc) {
          throw pathNotFound();
        }
        send(res, 200, doc);
        done(200);
        return;
      }
      if (method === 'GET') {
        const doc = discovery(segs, port);
        if (doc) {
          send(res, 200, doc);
          done(200);
          return;
        }
      }
      if (method === 'POST' && path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
        send(res, 201, selfSubjectAccessReview(user, parseJson(await readBody(req))));
        done(201);
        return;
      }
      const r = route(segs);
      if (!r) {
        throw pathNotFound();
      }
      if (r.subresource === 'log' && r.type === PODS && r.name && !r.watchPath) {
        if (method !== 'GET') {
          throw methodNotAllowed();
        }
        if (!user.can('get', PODS, r.namespace)) {
          throw forbidden({ ...PODS, plural: 'pods/log' }, user.name, 'get', r.namespace, r.name);
        }
        podLogs.serve(req, res, api.get(PODS, r.namespace, r.name), q);
        done(200);
        return;
      }
      if (r.subresource) {
        throw pathNotFound();
      }
      const { type, namespace, name } = r;
      const isWatch = r.watchPath || q.get('watch') === 'true' || q.get('watch') === '1';
      let verb: Verb;
      switch (method) {
        case 'GET':
          verb = name ? (isWatch ? 'watch' : 'get') : isWatch ? 'watch' : 'list';
          break;
        case 'POST':
          if (name) {
            throw methodNotAllowed();
          }
          verb = 'create';
          break;
        case 'PUT':
          verb = 'update';
          break;
        case 'PATCH':
          verb = 'patch';
          break;
        case 'DELETE':
          verb = name ? 'delete' : 'deletecollection';
          break;
        default:
          throw methodNotAllowed();
      }
      if (!type.verbs.includes(verb)) {
        throw methodNotAllowed();
      }
      if (!user.can(verb, type, namespace)) {
        throw forbidden(type, user.name, verb, type.namespaced ? namespace : undefined, name);
      }
      if ((verb === 'update' || verb === 'patch') && !name) {
        throw methodNotAllowed();
      }
      const ua = req.headers['user-agent'];
      const present = (o: KubeObject): KubeObject => api.present(type, o);
      form = verb === 'watch' || verb === 'list' || verb === 'get' ? negotiate(accept, verb === 'get' ? 'object' : verb, options.tables ?? true) : 'full';
      includeObject = form === 'Table' ? includeObjectOf(q.get('includeObject')) : undefined;

      if (verb === 'watch') {
        if (faults.takeWatchStall()) {
          // Held open without a word until the client gives up or the server stops; recorded as status 0.
          done(0);
          return;
        }
        const fieldSelector = name ? [q.get('fieldSelector'), `metadata.name=${name}`].filter(Boolean).join(',') : (q.get('fieldSelector') ?? undefined);
        const matcher = matcherFor(type, { namespace, labelSelector: q.get('labelSelector') ?? undefined, fieldSelector }, lister.strictFieldSelectors);
        const timeout = q.get('timeoutSeconds');
        watches.serve(
          req,
          res,
          {
            type,
            matcher,
            resourceVersion: q.get('resourceVersion') ?? undefined,
            allowBookmarks: q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1',
            sendInitialEvents: q.get('sendInitialEvents') === 'true',
            timeoutSeconds: timeout ? Number(timeout) : undefined,
            bookmarkIntervalMs,
            reset: faults.takeWatchReset(),
            present:
              form === 'Table'
                ? (o: KubeObject) => toTable(type, [present(o)], clock.now(), { resourceVersion: o.metadata.resourceVersion }, includeObject) as unknown as KubeObject
                : form === 'PartialObjectMetadata'
                  ? partialMetadata
                  : present,
          },
          { 'Audit-Id': crypto.randomUUID() },
        );
        done(200);
        return;
      }

      if (verb === 'list') {
        const limit = q.get('limit');
        const page = lister.list(type, {
          namespace,
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          limit: limit ? Number(limit) : undefined,
          continueToken: q.get('continue') ?? undefined,
        });
        const meta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
        if (page.continueToken) {
          meta.continue = page.continueToken;
        }
        if (page.remainingItemCount !== undefined) {
          meta.remainingItemCount = page.remainingItemCount;
        }
        const items = page.items.map(present);
        send(
          res,
          200,
          form === 'Table' ? toTable(type, items, clock.now(), meta, includeObject) : form === 'PartialObjectMetadataList' ? partialMetadataList(items, meta) : { apiVersion: type.apiVersion, kind: type.listKind, metadata: meta, items },
        );
        done(200);
        return;
      }

      if (verb === 'get') {
        const obj = api.get(type, namespace, name as string);
        send(res, 200, form === 'Table' ? toTable(type, [obj], clock.now(), { resourceVersion: obj.metadata.resourceVersion }, includeObject) : form === 'PartialObjectMetadata' ? partialMetadata(obj) : obj);
        done(200);
        return;
      }

      const raw = await readBody(req);
      const opts = writeOptions(q);
      const warningHeader = (warnings: string[]): Record<string, string[]> =>
        warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};

      if (verb === 'create') {
        const result = api.create(type, namespace, parseJson(raw), opts, ua);
        send(res, 201, present(result.object), warningHeader(result.warnings));
        done(201);
        return;
      }
      if (verb === 'update') {
        const result = api.update(type, namespace, name as string, parseJson(raw), opts, ua);
        send(res, 200, present(result.object), warningHeader(result.warnings));
        done(200);
        return;
      }
      if (verb === 'patch') {
        const result = api.patch(type, namespace, name as string, raw, req.headers['content-type'] ?? 'application/json', opts, ua);
        const code = result.created ? 201 : 200;
        send(res, code, present(result.object), warningHeader(result.warnings));
        done(code);
        return;
      }
      if (verb === 'delete') {
        const result = api.delete(type, namespace, name as string, parseJson(raw), opts);
        send(res, 200, result.object);
        done(200);
        return;
      }
      // deletecollection
      const matcher = matcherFor(type, { namespace, labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined }, lister.strictFieldSelectors);
      const deleted: KubeObject[] = [];
      for (const o of store.list(type.storeKey, type.namespaced ? namespace : undefined).filter(matcher)) {
        api.delete(type, o.metadata.namespace, o.metadata.name as string, undefined, opts);
        deleted.push(present(o));
      }
      send(res, 200, { apiVersion: type.apiVersion, kind: type.listKind, metadata: { resourceVersion: String(store.currentRv()) }, items: deleted });
      done(200);
    } catch (e) {
      const err = e instanceof KubeError ? e : internalError((e as Error).message);
      send(res, err.code, err.status, err.headers);
      done(err.code);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const tokens = Object.fromEntries(users.map((u) => [u.name, u.token]));

  if (options.seed === 'demo') {
    const demo = seed.demo();
    for (const c of demo.suspendedSchedules) operator.suspendSchedule(c.namespace, c.cluster);
    for (const c of demo.failingClusters) operator.failBackupsOf(c.namespace, c.cluster, c.failure);
  }
  operator.start();

  let stopped = false;
  return {
    url: address,
    port,
    caCert,
    tokens,
    store,
    api,
    registry,
    operator,
    faults,
    seed,
    lister,
    clock,
    watches,
    podLogs,
    requests,
    kubeconfig: (o = {}) => buildKubeconfig({ server: address, caCert, tokens, user: o.user ?? 'admin', namespace: o.namespace }),
    async stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      operator.stop();
      watches.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
