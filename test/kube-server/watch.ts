// WATCH streams: newline-delimited JSON events, replay from a resourceVersion within the retained
// history (older → an ERROR event carrying a 410 Expired Status), BOOKMARK events, timeoutSeconds.
import type * as http from 'node:http';
import type { KubeObject, ResourceType } from './resources';
import type { Matcher } from './selectors';
import type { StoreEvent, Store } from './store';

export interface WatchRequest {
  type: ResourceType;
  matcher: Matcher;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
  /** Cut the stream right after the initial events (fault injection). */
  reset: boolean;
  present(obj: KubeObject): KubeObject;
}

export class WatchHub {
  private readonly active = new Set<() => void>();

  constructor(private readonly store: Store) {}

  get count(): number {
    return this.active.size;
  }

  serve(req: http.IncomingMessage, res: http.ServerResponse, w: WatchRequest, headers: Record<string, string>): void {
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    // Clients wait for the response headers before they consider the watch established.
    res.flushHeaders();
    const write = (type: string, object: unknown): void => {
      if (!res.writableEnded) {
        res.write(JSON.stringify({ type, object }) + '\n');
      }
    };
    const storeKey = w.type.storeKey;
    const deliver = (e: StoreEvent): void => {
      if (e.storeKey !== storeKey) {
        return;
      }
      const wasIn = e.previous ? w.matcher(e.previous) : false;
      const isIn = e.type === 'DELETED' ? false : w.matcher(e.object);
      if (e.type === 'DELETED') {
        if (wasIn) {
          write('DELETED', w.present(e.object));
        }
      } else if (isIn) {
        write(wasIn ? 'MODIFIED' : 'ADDED', w.present(e.object));
      } else if (wasIn) {
        write('DELETED', w.present(e.object));
      }
    };
    const bookmark = (annotations?: Record<string, string>): void => {
      write('BOOKMARK', {
        kind: w.type.kind,
        apiVersion: w.type.apiVersion,
        metadata: { resourceVersion: String(this.store.currentRv()), ...(annotations ? { annotations } : {}) },
      });
    };

    const rv = w.resourceVersion;
    let replay: StoreEvent[] | undefined = [];
    const initialState = rv === undefined || rv === '' || rv === '0' || w.sendInitialEvents;
    if (!initialState) {
      const n = Number(rv);
      replay = Number.isFinite(n) ? this.store.eventsSince(n) : undefined;
      if (!replay) {
        write('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${rv} (${this.store.compactedRv + 1})`,
          reason: 'Expired',
          code: 410,
        });
        res.end();
        return;
      }
    }

    const unsubscribe = this.store.subscribe(deliver);
    const timers: NodeJS.Timeout[] = [];
    const close = (): void => {
      unsubscribe();
      timers.forEach((t) => clearTimeout(t));
      this.active.delete(close);
      if (!res.writableEnded) {
        res.end();
      }
    };
    this.active.add(close);
    req.on('close', close);
    res.on('close', close);

    if (initialState) {
      for (const o of this.store.list(storeKey)) {
        if (w.matcher(o)) {
          write('ADDED', w.present(o));
        }
      }
      if (w.sendInitialEvents && w.allowBookmarks) {
        bookmark({ 'k8s.io/initial-events-end': 'true' });
      }
    } else {
      for (const e of replay) {
        deliver(e);
      }
    }
    if (w.allowBookmarks) {
      timers.push(setInterval(() => bookmark(), w.bookmarkIntervalMs));
    }
    if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
      timers.push(setTimeout(close, w.timeoutSeconds * 1000));
    }
    if (w.reset) {
      setImmediate(() => {
        unsubscribe();
        req.socket.destroy();
      });
    }
  }

  /** Ends every open watch stream (server shutdown). */
  closeAll(): void {
    for (const close of [...this.active]) {
      close();
    }
  }
}
