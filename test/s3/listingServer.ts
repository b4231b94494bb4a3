/**
 * A small S3 stand-in on 127.0.0.1 that answers ListObjectsV2 only, honestly or in the ways real
 * S3-compatible servers and proxies get paging wrong: ignoring StartAfter, repeating a continuation token,
 * returning empty pages that always say "more", or never answering. Ceph RGW pages correctly, so the
 * extension's guards are tested through the real @aws-sdk/client-s3 adapter against this instead.
 * It ignores signatures: the keys given to the SDK never matter here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type ListingBehaviour =
  /** Pages as S3 does: prefix, delimiter, start-after, max-keys and continuation tokens. */
  | 'honest'
  /** Answers as if no start-after had been sent (some proxies drop the parameter). */
  | 'ignoresStartAfter'
  /** Answers every request with the first page and the same continuation token. */
  | 'repeatsCursor'
  /** Answers every request with no keys, "truncated", and a new continuation token. */
  | 'emptyPages'
  /** Accepts the request and never answers. */
  | 'silent';

export interface ListingServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  behaviour: ListingBehaviour;
  /** ListObjectsV2 requests received. */
  readonly requests: number;
  /** Connections open now. */
  readonly openSockets: number;
  /** Connections accepted since the start (fewer than requests: connections were reused). */
  readonly connections: number;
  /** Requests accepted and not answered ('silent') whose connection is still open: a read still waiting. */
  readonly waiting: number;
  /** Resolves when no connection is open, rejects at the deadline. */
  allSocketsClosed(deadlineMs: number): Promise<void>;
  stop(): Promise<void>;
}

const LAST_MODIFIED = '2026-01-02T03:04:05.000Z';

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

interface Listed {
  readonly keys: string[];
  readonly prefixes: string[];
  readonly next?: string;
}

/** S3's ListObjectsV2 over sorted keys. */
function honestPage(sorted: readonly string[], q: URLSearchParams, ignoreStartAfter: boolean): Listed {
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
  const token = q.get('continuation-token');
  const after = token !== null ? Buffer.from(token, 'base64url').toString('utf8') : ignoreStartAfter ? null : q.get('start-after');
  const keys: string[] = [];
  const prefixes: string[] = [];
  let lastEntry: string | undefined;
  /** Where the next page starts: after the last key, or after every key under the last rolled-up prefix. */
  let resumeAfter = '';
  for (const key of sorted) {
    if (!key.startsWith(prefix) || (after !== null && key <= after)) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const entry = cut >= 0 ? key.slice(0, cut + delimiter.length) : key;
    if (entry === lastEntry) continue;
    if (keys.length + prefixes.length === maxKeys) return { keys, prefixes, next: Buffer.from(resumeAfter, 'utf8').toString('base64url') };
    if (cut >= 0) prefixes.push(entry);
    else keys.push(entry);
    lastEntry = entry;
    resumeAfter = cut >= 0 ? `${entry}\uffff` : entry;
  }
  return { keys, prefixes };
}

function body(bucket: string, q: URLSearchParams, page: Listed): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>${xml(bucket)}</Name><Prefix>${xml(q.get('prefix') ?? '')}</Prefix>`,
    `<KeyCount>${page.keys.length + page.prefixes.length}</KeyCount><MaxKeys>${xml(q.get('max-keys') ?? '1000')}</MaxKeys>`,
    `<IsTruncated>${page.next !== undefined}</IsTruncated>`,
    page.next !== undefined ? `<NextContinuationToken>${xml(page.next)}</NextContinuationToken>` : '',
    ...page.keys.map((k) => `<Contents><Key>${xml(k)}</Key><LastModified>${LAST_MODIFIED}</LastModified><ETag>"0"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>`),
    ...page.prefixes.map((p) => `<CommonPrefixes><Prefix>${xml(p)}</Prefix></CommonPrefixes>`),
    '</ListBucketResult>',
  ];
  return parts.join('');
}

/** Starts the stand-in for one bucket holding `keys` (path-style requests: `/<bucket>?list-type=2&...`). */
export async function startListingServer(bucket: string, keys: readonly string[], behaviour: ListingBehaviour = 'honest'): Promise<ListingServer> {
  const sorted = [...keys].sort();
  const sockets = new Set<Socket>();
  const waiting = new Set<ServerResponse>();
  const emptied: (() => void)[] = [];
  let requests = 0;
  let connections = 0;
  let emptyToken = 0;
  const state = { behaviour };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const q = url.searchParams;
    if (req.method !== 'GET' || url.pathname.replace(/\/$/, '') !== `/${bucket}` || q.get('list-type') !== '2') {
      res.writeHead(501, { 'content-type': 'application/xml' }).end('<Error><Code>NotImplemented</Code><Message>Only ListObjectsV2 here</Message></Error>');
      return;
    }
    requests++;
    let page: Listed;
    switch (state.behaviour) {
      case 'silent':
        // Kept until the client gives up: its closing the connection is what a test waits for.
        waiting.add(res);
        res.on('close', () => waiting.delete(res));
        return;
      case 'honest':
      case 'ignoresStartAfter':
        page = honestPage(sorted, q, state.behaviour === 'ignoresStartAfter');
        break;
      case 'repeatsCursor': {
        const first = honestPage(sorted, new URLSearchParams({ prefix: q.get('prefix') ?? '', 'max-keys': q.get('max-keys') ?? '1000', delimiter: q.get('delimiter') ?? '' }), false);
        page = { ...first, next: 'the-same-token' };
        break;
      }
      case 'emptyPages':
        page = { keys: [], prefixes: [], next: `empty-${++emptyToken}` };
        break;
    }
    res.writeHead(200, { 'content-type': 'application/xml' }).end(body(bucket, q, page));
  };

  const server: Server = createServer(handle);
  // Idle keep-alive connections stay open until the client closes them, so a test sees whether it does.
  server.keepAliveTimeout = 10 * 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    connections++;
    socket.on('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const done of emptied.splice(0)) done();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(b: ListingBehaviour) {
      state.behaviour = b;
    },
    get requests() {
      return requests;
    },
    get openSockets() {
      return sockets.size;
    },
    get connections() {
      return connections;
    },
    get waiting() {
      return waiting.size;
    },
    allSocketsClosed(deadlineMs: number): Promise<void> {
      if (sockets.size === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${sockets.size} connection(s) still open after ${deadlineMs} ms`)), deadlineMs);
        emptied.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    stop(): Promise<void> {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
