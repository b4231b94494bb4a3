/**
 * HTTP to the API server over node:https, for every call of the adapter (clientNode.ts): one request, or
 * one watch stream. client-node's `KubeConfig` still does authentication and TLS (exec plugins, tokens,
 * client certificates, proxies, `insecure-skip-tls-verify`) through `applyToHTTPSOptions`; its generated
 * API classes are not used, so they are not loaded (about 49 MiB of the extension host and most of the
 * bundle). Any path works, so a new call is a method, a path and a query.
 *
 * Failures are left raw here and translated once by errors.ts: a non-2xx answer throws `HttpStatusError`
 * (the status code, the Status body as text, the headers), network failures their Node errors, an
 * aborted signal Node's AbortError.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node/dist/config';

/** Query values left undefined are not sent. */
export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the server URL, starting with `/` (`/apis/stackgres.io/v1/sgbackups`). */
  path: string;
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Default `application/json`; server-side apply sends `application/apply-patch+yaml`. */
  contentType?: string;
  /** Default `application/json`. */
  accept?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text. */
  text: string;
}

/** A non-2xx answer. Shaped as client-node's ApiException (code, body, headers), which errors.ts reads. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly code: number,
    /** The Status the server sent, as text (empty for some 401s). */
    readonly body: string,
    readonly headers: Record<string, string>,
  ) {
    super(`HTTP ${code}`);
  }
}

/** Error bodies are Status objects of a few KiB; a misbehaving proxy must not make us hold megabytes. */
const MAX_ERROR_BODY = 64 * 1024;

export class KubeTransport {
  /** Keep-alive agent for the TLS material in use (pages of a list reuse one connection); replaced when the material changes. */
  private agent?: { key: string; agent: http.Agent };

  constructor(private readonly kc: KubeConfig) {}

  /** One request; resolves with a 2xx answer, throws HttpStatusError for any other. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.open(req);
    const text = await readText(res, res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode <= 299 ? Infinity : MAX_ERROR_BODY);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw new HttpStatusError(status, text, flatHeaders(res.headers));
    return { status, headers: res.headers, text };
  }

  /**
   * A watch: `onEvent` for each line of the stream, `onEnd` exactly once when it ends (no error for a
   * normal close). Resolves once the response headers arrived, with `stop`; rejects if it could not open
   * (HttpStatusError for a refusal). `stop` (or the signal) ends it without calling `onEnd`.
   */
  async watch(path: string, query: Query, signal: AbortSignal, onEvent: (type: string, object: unknown) => void, onEnd: (error?: unknown) => void): Promise<{ stop(): void }> {
    const res = await this.open({ method: 'GET', path, query: { ...query, watch: true }, signal });
    const status = res.statusCode ?? 0;
    if (status !== 200) throw new HttpStatusError(status, await readText(res, MAX_ERROR_BODY), flatHeaders(res.headers));
    let ended = false;
    const end = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      res.destroy();
      if (!signal.aborted) onEnd(error);
    };
    signal.addEventListener('abort', () => end(), { once: true });
    let rest = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (ended || !line.trim()) continue;
        let event: { type?: unknown; object?: unknown };
        try {
          event = JSON.parse(line) as typeof event;
        } catch {
          // A line that is not JSON says nothing; the stream goes on (as client-node's Watch does).
          continue;
        }
        if (typeof event.type === 'string') onEvent(event.type, event.object);
      }
    });
    res.once('end', () => end());
    res.once('error', (e) => end(e));
    res.once('aborted', () => end(Object.assign(new Error('the watch connection was closed early'), { code: 'ECONNRESET' })));
    res.once('close', () => end(res.complete ? undefined : Object.assign(new Error('the watch connection was closed early'), { code: 'ECONNRESET' })));
    return { stop: () => end() };
  }

  /** A streamed answer (a followed log): the response once its headers arrived with a 2xx status; destroy it to stop. */
  async stream(req: HttpRequest): Promise<http.IncomingMessage> {
    const res = await this.open(req);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw new HttpStatusError(status, await readText(res, MAX_ERROR_BODY), flatHeaders(res.headers));
    return res;
  }

  /** Sends the request and resolves with the response once its headers arrive. */
  private async open(req: HttpRequest): Promise<http.IncomingMessage> {
    req.signal?.throwIfAborted();
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const opts: https.RequestOptions = {};
    // Credentials (a plugin's token is cached by client-node until it expires) and TLS material, per request.
    await this.kc.applyToHTTPSOptions(opts);
    req.signal?.throwIfAborted();
    const base = new URL(cluster.server);
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) search.set(k, String(v));
    const qs = search.toString();
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body), 'utf8');
    const headers: http.OutgoingHttpHeaders = { ...(opts.headers as http.OutgoingHttpHeaders), Accept: req.accept ?? 'application/json' };
    if (body) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    const plain = base.protocol === 'http:';
    const options: https.RequestOptions = {
      method: req.method,
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: base.port || (plain ? 80 : 443),
      // A server URL may have a path of its own (Rancher's /k8s/clusters/<id>).
      path: `${base.pathname.replace(/\/$/, '')}${req.path}${qs ? `?${qs}` : ''}`,
      headers,
      auth: opts.auth,
      agent: this.agentFor(cluster.proxyUrl, plain, opts),
      signal: req.signal,
    };
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const r = (plain ? http : https).request(options, resolve);
      r.once('error', reject);
      r.end(body);
    });
  }

  /**
   * client-node makes a new agent for each request (a TLS handshake per page of a list). Without a proxy,
   * one keep-alive agent serves every request with the same TLS material (a rotated client certificate
   * gets a new one); behind a proxy, client-node's proxy agent is used as it is.
   */
  private agentFor(proxyUrl: string | undefined, plain: boolean, opts: https.RequestOptions): http.Agent | undefined {
    if (proxyUrl) return opts.agent as http.Agent | undefined;
    const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, pfx: opts.pfx, passphrase: opts.passphrase, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername };
    const key = JSON.stringify([plain, ...Object.values(tls).map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v))]);
    // The old agent is dropped, not destroyed: a watch may still run on it; its idle sockets do not hold the process.
    if (this.agent?.key !== key) this.agent = { key, agent: plain ? new http.Agent({ keepAlive: true }) : new https.Agent({ ...tls, keepAlive: true } as https.AgentOptions) };
    return this.agent.agent;
  }

  /** Closes the idle keep-alive connections; requests and watches still running finish on theirs. */
  dispose(): void {
    for (const sockets of Object.values(this.agent?.agent.freeSockets ?? {})) for (const socket of sockets ?? []) socket.destroy();
    this.agent = undefined;
  }
}

/** The body as text, decoded chunk by chunk (no second copy of a list page in Buffers). */
function readText(res: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      if (text.length < limit) text += c;
    });
    res.once('end', () => resolve(text));
    res.once('error', reject);
    res.once('aborted', () => reject(Object.assign(new Error('the connection was closed early'), { code: 'ECONNRESET' })));
  });
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
