/**
 * Every failure of a Kubernetes call becomes one `KubeError` here, once: a reason the UI can branch on,
 * a message a DBA understands and what to do next. Commands never look at raw errors. Raw errors are
 * recognised by shape (client-node's ApiException, node-fetch's FetchError, AbortError, a watch's
 * status code, a `Status` object), so this file needs no Kubernetes library.
 */

import { t } from '../localize';

export type KubeErrorReason =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'invalid'
  | 'gone'
  | 'tooManyRequests'
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'server'
  | 'config'
  | 'crdsMissing'
  | 'untrusted'
  | 'cancelled';

export interface KubeErrorCause {
  /** Field path as the API server names it (`spec.instances`, `.spec.managedLifecycle`). */
  readonly field: string;
  readonly message: string;
}

export interface KubeErrorInit {
  readonly action?: string;
  /** A command that does the action (a button on the notification, the action's row in the view). */
  readonly command?: { readonly title: string; readonly command: string };
  readonly causes?: readonly KubeErrorCause[];
  /** HTTP status code, when the server answered. */
  readonly status?: number;
  /** The `reason` of the server's Status (`AlreadyExists`, `Conflict`, `Expired`, ...). */
  readonly kubeReason?: string;
  /** Seconds the server asked to wait before retrying (429, 503). */
  readonly retryAfterSeconds?: number;
}

export class KubeError extends Error {
  override readonly name = 'KubeError';
  readonly action?: string;
  readonly command?: { readonly title: string; readonly command: string };
  readonly causes?: readonly KubeErrorCause[];
  readonly status?: number;
  readonly kubeReason?: string;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly reason: KubeErrorReason,
    message: string,
    init: KubeErrorInit = {},
  ) {
    super(message);
    this.action = init.action;
    this.command = init.command;
    this.causes = init.causes?.length ? init.causes : undefined;
    this.status = init.status;
    this.kubeReason = init.kubeReason;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The same call may succeed later without anyone changing anything. */
  get transient(): boolean {
    return TRANSIENT.has(this.reason);
  }

  /** Message, causes and action on one block, for logs and notifications. */
  describe(): string {
    const causes = this.causes?.map((c) => `\n  ${c.field}: ${c.message}`).join('') ?? '';
    return `${this.message}${causes}${this.action ? `\n${this.action}` : ''}`;
  }
}

const TRANSIENT = new Set<KubeErrorReason>(['gone', 'tooManyRequests', 'unreachable', 'timeout', 'server']);

/** True for this bundle's KubeError: errors of the lazily loaded Kubernetes bundle are rebuilt as ours where it is opened (kube/open.ts). */
export function isKubeError(e: unknown): e is KubeError {
  return e instanceof KubeError;
}

/**
 * A KubeError of the lazily loaded Kubernetes bundle (dist/kube.js has its own copy of the class, so
 * `instanceof` misses its errors) rebuilt as this bundle's; anything else unchanged. Used once, by the
 * wrapper kube/open.ts puts around the api.
 */
export function ownKubeError(err: unknown): unknown {
  if (err instanceof KubeError || !(err instanceof Error) || err.name !== 'KubeError') return err;
  const k = err as Partial<KubeError>;
  if (typeof k.reason !== 'string') return err;
  return new KubeError(k.reason, err.message, { action: k.action, causes: k.causes, status: k.status, kubeReason: k.kubeReason, retryAfterSeconds: k.retryAfterSeconds });
}

/** What was being done when the error happened: names the context, server and object in messages. */
export interface ErrorContext {
  /** Kubeconfig context name. */
  readonly context: string;
  /** API server URL of the context. */
  readonly server?: string;
  readonly verb?: 'get' | 'list' | 'watch' | 'create' | 'apply' | 'update' | 'delete';
  /** Plural resource with its group: `sgbackups.stackgres.io`, `secrets`. */
  readonly resource?: string;
  /** API group of the resource (`stackgres.io`, `''` for core). */
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** How the context's user gets credentials: a failing plugin is a configuration problem. */
  readonly credentials?: 'plugin' | 'static';
}

// Functions, not constants: the translation is handed in after this module loads.
const relogin = (): string => t('Log in again (e.g. `aws eks update-kubeconfig` / `gcloud container clusters get-credentials` / `az aks get-credentials`) and refresh.');
const networkAction = (): string => t('Is the cluster up and the VPN connected? Then refresh.');

interface StatusLike {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; kind?: string; group?: string; causes?: { reason?: string; message?: string; field?: string }[]; retryAfterSeconds?: number };
}

/** Translates any error thrown by a Kubernetes call. A KubeError passes through unchanged. */
export function toKubeError(err: unknown, ctx: ErrorContext): KubeError {
  if (err instanceof KubeError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  if (e.name === 'AbortError' || e.type === 'aborted') return cancelled();
  if (isStatus(err)) return fromStatus(err.code ?? 500, err, {}, ctx);
  if (typeof e.code === 'number' && 'headers' in e) {
    // client-node's ApiException: code, body (text of the Status, absent for 401), headers.
    return fromStatus(e.code, parseStatus(e.body), (e.headers ?? {}) as Record<string, string>, ctx);
  }
  if (typeof e.statusCode === 'number') return fromStatus(e.statusCode, undefined, {}, ctx);
  if (typeof e.code === 'string') return fromSystemError(e.code, String(e.message ?? ''), e.syscall, ctx);
  const message = err instanceof Error ? err.message : String(err);
  if (ctx.credentials === 'plugin') return credentialPluginFailed(message, ctx);
  return new KubeError('server', t('Unexpected error from context "{0}": {1}', ctx.context, firstLine(message)), { action: t('Try again; if it persists, check the log.') });
}

export function cancelled(): KubeError {
  return new KubeError('cancelled', t('Cancelled.'));
}

export function timedOut(ctx: ErrorContext, ms: number): KubeError {
  return new KubeError('timeout', t('{0} did not answer within {1}{2}.', where(ctx), formatSeconds(ms), doing(ctx)), { action: networkAction() });
}

export function configError(message: string, action?: string): KubeError {
  return new KubeError('config', message, { action });
}

/** Restricted Mode: no connection is opened, so no kubeconfig or token file is read and no plugin runs. */
export function untrustedWorkspace(): KubeError {
  return new KubeError('untrusted', t('This workspace is in Restricted Mode: StackGres does not read your kubeconfig or connect to a cluster here.'), {
    action: t('If you trust this folder, trust it (Manage Workspace Trust) to see your clusters.'),
  });
}

export function crdsMissing(ctx: Pick<ErrorContext, 'context'>): KubeError {
  return new KubeError('crdsMissing', t('StackGres is not installed in the cluster of context "{0}" (no stackgres.io CRDs).', ctx.context), {
    action: t('Install the StackGres operator, or choose another context.'),
    status: 404,
  });
}

function fromStatus(code: number, status: StatusLike | undefined, headers: Record<string, string>, ctx: ErrorContext): KubeError {
  const serverMessage = status?.message;
  const kubeReason = status?.reason;
  const base = { status: code, kubeReason };
  const what = objectName(ctx);
  switch (code) {
    case 401:
      return new KubeError('unauthorized', t('The cluster rejected the credentials of context "{0}" (expired token?).', ctx.context), { ...base, action: relogin() });
    case 403:
      return new KubeError('forbidden', serverMessage ?? t('Context "{0}" is not allowed to {1} {2}.', ctx.context, ctx.verb ?? t('access'), ctx.resource ?? t('this resource')), {
        ...base,
        action: t('Ask your cluster administrator for RBAC on {0}{1}{2}.', ctx.resource ?? t('the resource'), ctx.verb ? t(' (verb {0})', ctx.verb === 'apply' ? 'patch' : ctx.verb) : '', ctx.namespace ? t(' in namespace {0}', ctx.namespace) : ''),
      });
    case 404: {
      const details = status?.details;
      if (details?.kind === 'namespaces' && details.name) {
        return new KubeError('notFound', t('Namespace {0} does not exist in context "{1}".', details.name, ctx.context), { ...base, action: t('Create the namespace first, or choose another one.') });
      }
      // A 404 naming no object is the path itself missing: for stackgres.io that means no CRDs.
      if (!details?.name && ctx.group === 'stackgres.io') return crdsMissing(ctx);
      if (!what) {
        return new KubeError('notFound', t('The API server of context "{0}" does not serve {1}: {2}.', ctx.context, ctx.resource ?? t('this resource'), serverMessage ?? 'HTTP 404'), base);
      }
      return new KubeError('notFound', ctx.namespace ? t('{0} was not found in namespace {1}.', what, ctx.namespace) : t('{0} was not found.', what), { ...base, action: t('It may have been deleted: refresh.') });
    }
    case 409:
      return conflict(status, base, ctx);
    case 400:
    case 422: {
      const causes = (status?.details?.causes ?? []).filter((c) => c.message).map((c) => ({ field: c.field ?? '', message: c.message! }));
      // Kube's own summary repeats every cause in brackets; say them once, field by field.
      const summary = causes.length && (!serverMessage || / is invalid: /.test(serverMessage)) ? causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ') : (serverMessage ?? `HTTP ${code}`);
      return new KubeError('invalid', t('The cluster rejected {0}: {1}', what ?? t('the request'), summary), {
        ...base,
        causes,
        action: t('Fix the fields named above and try again.'),
      });
    }
    case 410:
      return new KubeError('gone', ctx.verb === 'watch' ? t('The watch of {0} expired on the server (the cluster moved on).', ctx.resource ?? t('objects')) : t('The list of {0} expired on the server (the cluster moved on).', ctx.resource ?? t('objects')), { ...base, action: t('Refresh to read it again.') });
    case 429: {
      const retryAfterSeconds = retryAfter(headers, status);
      return new KubeError('tooManyRequests', t('The API server of context "{0}" is busy and asked to slow down (HTTP 429).', ctx.context), {
        ...base,
        retryAfterSeconds,
        action: retryAfterSeconds !== undefined ? t('Try again in {0} s.', retryAfterSeconds) : t('Try again in a moment.'),
      });
    }
    case 504:
      return new KubeError('timeout', t('{0} timed out{1}: {2}.', where(ctx), doing(ctx), serverMessage ?? 'HTTP 504'), { ...base, action: networkAction() });
    default:
      break;
  }
  if (code >= 500 && serverMessage && /failed calling webhook|admission webhook/i.test(serverMessage)) {
    return new KubeError('server', t('The StackGres operator\'s admission webhook did not answer: {0}', serverMessage), {
      ...base,
      action: t('Check that the StackGres operator is running (its pods in the operator namespace), then try again.'),
    });
  }
  const retryAfterSeconds = retryAfter(headers, status);
  return new KubeError('server', t('The API server of context "{0}" failed{1}: {2}{3}.', ctx.context, doing(ctx), serverMessage ?? `HTTP ${code}`, serverMessage ? ` (HTTP ${code})` : ''), {
    ...base,
    retryAfterSeconds,
    action: t('Try again; if it persists, check the API server and the StackGres operator.'),
  });
}

function conflict(status: StatusLike | undefined, base: KubeErrorInit, ctx: ErrorContext): KubeError {
  const what = objectName(ctx) ?? t('The object');
  if (status?.reason === 'AlreadyExists') {
    return new KubeError('conflict', ctx.namespace ? t('{0} already exists in namespace {1}.', what, ctx.namespace) : t('{0} already exists.', what), { ...base, action: t('Choose another name, or open the existing one.') });
  }
  const managerConflicts = (status?.details?.causes ?? []).filter((c) => c.reason === 'FieldManagerConflict' && c.field);
  if (managerConflicts.length) {
    const causes = managerConflicts.map((c) => ({ field: c.field!, message: t('managed by {0}', managerOf(c.message)) }));
    const owned = causes.map((c) => `${c.field} (${c.message})`).join(', ');
    return new KubeError('conflict', causes.length === 1 ? t('Applying {0} would take over a field another field manager owns: {1}.', what, owned) : t('Applying {0} would take over {1} fields another field manager owns: {2}.', what, causes.length, owned), {
      ...base,
      causes,
      action: t('Leave these fields out of the manifest, or apply again with Force to take them over.'),
    });
  }
  // A delete's preconditions (kube-apiserver: "Precondition failed: UID in precondition: …").
  if (status?.message && /Precondition failed: UID in precondition/.test(status.message)) {
    return new KubeError('conflict', t('{0} is not the one chosen: it was deleted and created again under the same name meanwhile. {1}', inNamespace(what, ctx), nothingDone(ctx)), {
      ...base,
      action: t('Look at the new one (Refresh), and choose it again if it should go too.'),
    });
  }
  if (status?.message && /Precondition failed: ResourceVersion in precondition/.test(status.message)) {
    return new KubeError('conflict', t('{0} changed after it was chosen. {1}', inNamespace(what, ctx), nothingDone(ctx)), { ...base, action: t('Refresh, look at it again and try again.') });
  }
  return new KubeError('conflict', status?.message ? t('{0} was changed by someone else while this was being done ({1}).', what, status.message) : t('{0} was changed by someone else while this was being done.', what), { ...base, action: t('Refresh and try again.') });
}

/** `conflict with "kubectl-client-side-apply" using stackgres.io/v1` → `kubectl-client-side-apply`. */
function managerOf(message: string | undefined): string {
  const m = message ? /conflict with "([^"]+)"/.exec(message) : null;
  return m ? m[1] : (message ?? t('another manager'));
}

function fromSystemError(code: string, message: string, syscall: unknown, ctx: ErrorContext): KubeError {
  if (typeof syscall === 'string' && syscall.startsWith('spawn')) {
    return credentialPluginFailed(code === 'ENOENT' ? `the command ${syscall.slice(6) || ''} was not found` : message, ctx);
  }
  const hostPort = hostOf(ctx.server);
  const tls = tlsProblem(code, message);
  if (tls) {
    return new KubeError('tls', t('The certificate of {0} is not trusted by context "{1}" ({2}).', hostPort, ctx.context, tls), {
      action: t('Check the cluster\'s certificate-authority in the kubeconfig; if the cluster was recreated, fetch its kubeconfig again (e.g. `aws eks update-kubeconfig` / `gcloud container clusters get-credentials`).'),
    });
  }
  const network: Record<string, string> = {
    ECONNREFUSED: t('connection refused'),
    ENOTFOUND: t('the host name does not resolve'),
    EAI_AGAIN: t('the host name does not resolve (DNS not answering)'),
    EHOSTUNREACH: t('no route to the host'),
    ENETUNREACH: t('the network is unreachable'),
    ETIMEDOUT: t('the connection timed out'),
    ECONNRESET: t('the connection was reset'),
    EPIPE: t('the connection was closed'),
    ERR_STREAM_PREMATURE_CLOSE: t('the connection was closed early'),
  };
  const why = network[code] ?? (/socket hang up|premature close|aborted/i.test(message) ? t('the connection was closed') : undefined);
  if (why) return new KubeError('unreachable', t('Cannot reach the cluster of context "{0}" at {1}: {2}.', ctx.context, hostPort, why), { action: networkAction() });
  if (ctx.credentials === 'plugin') return credentialPluginFailed(message, ctx);
  return new KubeError('unreachable', t('Talking to {0} (context "{1}") failed: {2}.', hostPort, ctx.context, code), { action: networkAction() });
}

const TLS_CODES: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'signed by an unknown authority',
  CERT_SIGNATURE_FAILURE: 'bad signature',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS',
  EPROTO: 'TLS handshake failed',
};

function tlsProblem(code: string, message: string): string | undefined {
  return TLS_CODES[code] ?? (/certificate|SSL routines|TLS/i.test(message) ? 'certificate not trusted' : undefined);
}

function credentialPluginFailed(message: string, ctx: ErrorContext): KubeError {
  return new KubeError('config', t('The credential plugin of context "{0}" failed: {1}.', ctx.context, firstLine(message) || t('no output')), {
    action: t('Run the plugin\'s login in a terminal (e.g. `aws sso login`, `gcloud auth login`, `kubelogin`), then refresh.'),
  });
}

function isStatus(v: unknown): v is StatusLike {
  return typeof v === 'object' && v !== null && (v as StatusLike).kind === 'Status';
}

function parseStatus(body: unknown): StatusLike | undefined {
  if (isStatus(body)) return body;
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return isStatus(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function retryAfter(headers: Record<string, string>, status: StatusLike | undefined): number | undefined {
  const h = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const n = h !== undefined ? Number(h) : status?.details?.retryAfterSeconds;
  return n !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
}

function objectName(ctx: ErrorContext): string | undefined {
  if (!ctx.name) return undefined;
  return `${ctx.kind ?? ctx.resource ?? 'Object'} ${ctx.name}`;
}

function inNamespace(what: string, ctx: ErrorContext): string {
  return ctx.namespace ? t('{0} in namespace {1}', what, ctx.namespace) : what;
}

function nothingDone(ctx: ErrorContext): string {
  return ctx.verb === 'delete' ? t('Nothing was deleted.') : t('Nothing was changed.');
}

function where(ctx: ErrorContext): string {
  return ctx.server ? t('The cluster of context "{0}" at {1}', ctx.context, hostOf(ctx.server)) : t('The cluster of context "{0}"', ctx.context);
}

function doing(ctx: ErrorContext): string {
  if (!ctx.verb) return '';
  const target = objectName(ctx) ?? ctx.resource;
  return target ? ` (${ctx.verb} ${target})` : ` (${ctx.verb})`;
}

/** `https://10.0.0.1:6443/x` → `10.0.0.1:6443`. */
export function hostOf(server: string | undefined): string {
  if (!server) return 'the API server';
  try {
    const u = new URL(server);
    return u.port ? `${u.hostname}:${u.port}` : `${u.hostname}:${u.protocol === 'http:' ? 80 : 443}`;
  } catch {
    return server;
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0];
}
