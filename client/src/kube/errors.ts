/**
 * Every failure of a Kubernetes call becomes one `KubeError` here, once: a reason the UI can branch on,
 * a message a DBA understands and what to do next. Commands never look at raw errors. Raw errors are
 * recognised by shape (client-node's ApiException, node-fetch's FetchError, AbortError, a watch's
 * status code, a `Status` object), so this file needs no Kubernetes library.
 */

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

const RELOGIN = 'Log in again (e.g. `aws eks update-kubeconfig` / `gcloud container clusters get-credentials` / `az aks get-credentials`) and refresh.';
const NETWORK_ACTION = 'Is the cluster up and the VPN connected? Then refresh.';

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
  return new KubeError('server', `Unexpected error from context "${ctx.context}": ${firstLine(message)}`, { action: 'Try again; if it persists, check the log.' });
}

export function cancelled(): KubeError {
  return new KubeError('cancelled', 'Cancelled.');
}

export function timedOut(ctx: ErrorContext, ms: number): KubeError {
  return new KubeError('timeout', `${where(ctx)} did not answer within ${formatSeconds(ms)}${doing(ctx)}.`, { action: NETWORK_ACTION });
}

export function configError(message: string, action?: string): KubeError {
  return new KubeError('config', message, { action });
}

/** Restricted Mode: no connection is opened, so no kubeconfig or token file is read and no plugin runs. */
export function untrustedWorkspace(): KubeError {
  return new KubeError('untrusted', 'This workspace is in Restricted Mode: StackGres does not read your kubeconfig or connect to a cluster here.', {
    action: 'If you trust this folder, trust it (Manage Workspace Trust) to see your clusters.',
  });
}

export function crdsMissing(ctx: Pick<ErrorContext, 'context'>): KubeError {
  return new KubeError('crdsMissing', `StackGres is not installed in the cluster of context "${ctx.context}" (no stackgres.io CRDs).`, {
    action: 'Install the StackGres operator, or choose another context.',
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
      return new KubeError('unauthorized', `The cluster rejected the credentials of context "${ctx.context}" (expired token?).`, { ...base, action: RELOGIN });
    case 403:
      return new KubeError('forbidden', serverMessage ?? `Context "${ctx.context}" is not allowed to ${ctx.verb ?? 'access'} ${ctx.resource ?? 'this resource'}.`, {
        ...base,
        action: `Ask your cluster administrator for RBAC on ${ctx.resource ?? 'the resource'}${ctx.verb ? ` (verb ${ctx.verb === 'apply' ? 'patch' : ctx.verb})` : ''}${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''}.`,
      });
    case 404: {
      const details = status?.details;
      if (details?.kind === 'namespaces' && details.name) {
        return new KubeError('notFound', `Namespace ${details.name} does not exist in context "${ctx.context}".`, { ...base, action: 'Create the namespace first, or choose another one.' });
      }
      // A 404 naming no object is the path itself missing: for stackgres.io that means no CRDs.
      if (!details?.name && ctx.group === 'stackgres.io') return crdsMissing(ctx);
      if (!what) {
        return new KubeError('notFound', `The API server of context "${ctx.context}" does not serve ${ctx.resource ?? 'this resource'}: ${serverMessage ?? 'HTTP 404'}.`, base);
      }
      return new KubeError('notFound', `${what} was not found${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''}.`, { ...base, action: 'It may have been deleted: refresh.' });
    }
    case 409:
      return conflict(status, base, ctx);
    case 400:
    case 422: {
      const causes = (status?.details?.causes ?? []).filter((c) => c.message).map((c) => ({ field: c.field ?? '', message: c.message! }));
      // Kube's own summary repeats every cause in brackets; say them once, field by field.
      const summary = causes.length && (!serverMessage || / is invalid: /.test(serverMessage)) ? causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ') : (serverMessage ?? `HTTP ${code}`);
      return new KubeError('invalid', `The cluster rejected ${what ?? 'the request'}: ${summary}`, {
        ...base,
        causes,
        action: 'Fix the fields named above and try again.',
      });
    }
    case 410:
      return new KubeError('gone', `The ${ctx.verb === 'watch' ? 'watch' : 'list'} of ${ctx.resource ?? 'objects'} expired on the server (the cluster moved on).`, { ...base, action: 'Refresh to read it again.' });
    case 429: {
      const retryAfterSeconds = retryAfter(headers, status);
      return new KubeError('tooManyRequests', `The API server of context "${ctx.context}" is busy and asked to slow down (HTTP 429).`, {
        ...base,
        retryAfterSeconds,
        action: `Try again${retryAfterSeconds !== undefined ? ` in ${retryAfterSeconds} s` : ' in a moment'}.`,
      });
    }
    case 504:
      return new KubeError('timeout', `${where(ctx)} timed out${doing(ctx)}: ${serverMessage ?? 'HTTP 504'}.`, { ...base, action: NETWORK_ACTION });
    default:
      break;
  }
  if (code >= 500 && serverMessage && /failed calling webhook|admission webhook/i.test(serverMessage)) {
    return new KubeError('server', `The StackGres operator's admission webhook did not answer: ${serverMessage}`, {
      ...base,
      action: 'Check that the StackGres operator is running (its pods in the operator namespace), then try again.',
    });
  }
  const retryAfterSeconds = retryAfter(headers, status);
  return new KubeError('server', `The API server of context "${ctx.context}" failed${doing(ctx)}: ${serverMessage ?? `HTTP ${code}`}${serverMessage ? ` (HTTP ${code})` : ''}.`, {
    ...base,
    retryAfterSeconds,
    action: 'Try again; if it persists, check the API server and the StackGres operator.',
  });
}

function conflict(status: StatusLike | undefined, base: KubeErrorInit, ctx: ErrorContext): KubeError {
  const what = objectName(ctx) ?? 'The object';
  if (status?.reason === 'AlreadyExists') {
    return new KubeError('conflict', `${what} already exists${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''}.`, { ...base, action: 'Choose another name, or open the existing one.' });
  }
  const managerConflicts = (status?.details?.causes ?? []).filter((c) => c.reason === 'FieldManagerConflict' && c.field);
  if (managerConflicts.length) {
    const causes = managerConflicts.map((c) => ({ field: c.field!, message: `managed by ${managerOf(c.message)}` }));
    return new KubeError('conflict', `Applying ${what} would take over ${causes.length === 1 ? 'a field' : `${causes.length} fields`} another field manager owns: ${causes.map((c) => `${c.field} (${c.message})`).join(', ')}.`, {
      ...base,
      causes,
      action: 'Leave these fields out of the manifest, or apply again with Force to take them over.',
    });
  }
  // A delete's preconditions (kube-apiserver: "Precondition failed: UID in precondition: …").
  if (status?.message && /Precondition failed: UID in precondition/.test(status.message)) {
    return new KubeError('conflict', `${what}${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''} is not the one chosen: it was deleted and created again under the same name meanwhile. Nothing was ${ctx.verb === 'delete' ? 'deleted' : 'changed'}.`, {
      ...base,
      action: 'Look at the new one (Refresh), and choose it again if it should go too.',
    });
  }
  if (status?.message && /Precondition failed: ResourceVersion in precondition/.test(status.message)) {
    return new KubeError('conflict', `${what}${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''} changed after it was chosen. Nothing was ${ctx.verb === 'delete' ? 'deleted' : 'changed'}.`, { ...base, action: 'Refresh, look at it again and try again.' });
  }
  return new KubeError('conflict', `${what} was changed by someone else while this was being done${status?.message ? ` (${status.message})` : ''}.`, { ...base, action: 'Refresh and try again.' });
}

/** `conflict with "kubectl-client-side-apply" using stackgres.io/v1` → `kubectl-client-side-apply`. */
function managerOf(message: string | undefined): string {
  const m = message ? /conflict with "([^"]+)"/.exec(message) : null;
  return m ? m[1] : (message ?? 'another manager');
}

function fromSystemError(code: string, message: string, syscall: unknown, ctx: ErrorContext): KubeError {
  if (typeof syscall === 'string' && syscall.startsWith('spawn')) {
    return credentialPluginFailed(code === 'ENOENT' ? `the command ${syscall.slice(6) || ''} was not found` : message, ctx);
  }
  const hostPort = hostOf(ctx.server);
  const tls = tlsProblem(code, message);
  if (tls) {
    return new KubeError('tls', `The certificate of ${hostPort} is not trusted by context "${ctx.context}" (${tls}).`, {
      action: `Check the cluster's certificate-authority in the kubeconfig; if the cluster was recreated, fetch its kubeconfig again (e.g. \`aws eks update-kubeconfig\` / \`gcloud container clusters get-credentials\`).`,
    });
  }
  const network: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name does not resolve (DNS not answering)',
    EHOSTUNREACH: 'no route to the host',
    ENETUNREACH: 'the network is unreachable',
    ETIMEDOUT: 'the connection timed out',
    ECONNRESET: 'the connection was reset',
    EPIPE: 'the connection was closed',
    ERR_STREAM_PREMATURE_CLOSE: 'the connection was closed early',
  };
  const why = network[code] ?? (/socket hang up|premature close|aborted/i.test(message) ? 'the connection was closed' : undefined);
  if (why) return new KubeError('unreachable', `Cannot reach the cluster of context "${ctx.context}" at ${hostPort}: ${why}.`, { action: NETWORK_ACTION });
  if (ctx.credentials === 'plugin') return credentialPluginFailed(message, ctx);
  return new KubeError('unreachable', `Talking to ${hostPort} (context "${ctx.context}") failed: ${code}.`, { action: NETWORK_ACTION });
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
  return new KubeError('config', `The credential plugin of context "${ctx.context}" failed: ${firstLine(message) || 'no output'}.`, {
    action: `Run the plugin's login in a terminal (e.g. \`aws sso login\`, \`gcloud auth login\`, \`kubelogin\`), then refresh.`,
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

function where(ctx: ErrorContext): string {
  return `The cluster of context "${ctx.context}"${ctx.server ? ` at ${hostOf(ctx.server)}` : ''}`;
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
