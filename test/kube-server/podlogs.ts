// Container logs and `GET /api/v1/namespaces/{ns}/pods/{name}/log` as the kubelet serves them through the
// API server: `container`, `follow`, `tailLines`, `sinceSeconds`/`sinceTime`, `limitBytes`, `timestamps`,
// `previous`, with the API server's answers to bad parameters (PodLogOptions validation is a 422; an
// unknown or missing container a 400).
import type * as http from 'node:http';
import type { Clock } from './clock';
import type { KubeObject } from './resources';
import { KubeError, badRequest } from './status';

interface LogLine {
  readonly at: number;
  readonly text: string;
}

interface ContainerLog {
  readonly lines: LogLine[];
  /** Lines ever written, rotated ones included. */
  total: number;
  ended: boolean;
  readonly listeners: Set<() => void>;
}

/** Lines kept per container: the kubelet rotates container logs too. */
const MAX_LINES = 5000;

type Rec = Record<string, unknown>;

function containersOf(pod: KubeObject): string[] {
  const spec = (pod.spec ?? {}) as Rec;
  return Array.isArray(spec.containers) ? (spec.containers as Rec[]).map((c) => String(c.name)) : [];
}

function invalidOptions(pod: string, field: string, message: string): KubeError {
  return new KubeError(422, 'Invalid', `PodLogOptions "${pod}" is invalid: ${field}: ${message}`, {
    name: pod,
    kind: 'PodLogOptions',
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') {
    return undefined;
  }
  if (!/^-?\d+$/.test(v)) {
    throw badRequest(`couldn't parse '${name}': strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  return Number(v);
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

export class PodLogs {
  private readonly logs = new Map<string, ContainerLog>();

  constructor(private readonly clock: Clock) {}

  private entry(ns: string, pod: string, container: string): ContainerLog {
    const key = `${ns}/${pod}/${container}`;
    let log = this.logs.get(key);
    if (!log) {
      log = { lines: [], total: 0, ended: false, listeners: new Set() };
      this.logs.set(key, log);
    }
    return log;
  }

  /** A container writes lines (one per `\n`). */
  write(ns: string, pod: string, container: string, text: string): void {
    const log = this.entry(ns, pod, container);
    for (const line of text.replace(/\n$/, '').split('\n')) {
      log.lines.push({ at: this.clock.now(), text: line });
      log.total++;
    }
    if (log.lines.length > MAX_LINES) {
      log.lines.splice(0, log.lines.length - MAX_LINES);
    }
    for (const l of log.listeners) {
      l();
    }
  }

  /** The container terminated: following readers get the end of the stream. */
  end(ns: string, pod: string, container: string): void {
    const log = this.entry(ns, pod, container);
    log.ended = true;
    for (const l of log.listeners) {
      l();
    }
  }

  /** The pod was deleted: its logs go with it. */
  remove(ns: string, pod: string): void {
    for (const [key, log] of this.logs) {
      if (key.startsWith(`${ns}/${pod}/`)) {
        log.ended = true;
        for (const l of log.listeners) {
          l();
        }
        this.logs.delete(key);
      }
    }
  }

  lines(ns: string, pod: string, container: string): string[] {
    return (this.logs.get(`${ns}/${pod}/${container}`)?.lines ?? []).map((l) => l.text);
  }

  /** Serves one log request for an existing pod; throws the API server's errors for bad parameters. */
  serve(req: http.IncomingMessage, res: http.ServerResponse, pod: KubeObject, q: URLSearchParams): void {
    const ns = pod.metadata.namespace as string;
    const podName = pod.metadata.name as string;
    const containers = containersOf(pod);
    let container = q.get('container') ?? '';
    if (!container) {
      if (containers.length !== 1) {
        throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`);
      }
      container = containers[0];
    }
    if (!containers.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${podName}`);
    }
    const tailLines = intParam(q, 'tailLines');
    const sinceSeconds = intParam(q, 'sinceSeconds');
    const limitBytes = intParam(q, 'limitBytes');
    const sinceTime = q.get('sinceTime');
    if (tailLines !== undefined && tailLines < 0) {
      throw invalidOptions(podName, 'tailLines', `Invalid value: ${tailLines}: must be greater than or equal to 0`);
    }
    if (sinceSeconds !== undefined && sinceSeconds < 1) {
      throw invalidOptions(podName, 'sinceSeconds', `Invalid value: ${sinceSeconds}: must be greater than 0`);
    }
    if (sinceSeconds !== undefined && sinceTime) {
      throw invalidOptions(podName, 'sinceSeconds', 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
    }
    if (limitBytes !== undefined && limitBytes < 1) {
      throw invalidOptions(podName, 'limitBytes', `Invalid value: ${limitBytes}: must be greater than 0`);
    }
    const status = (pod.status ?? {}) as Rec;
    const state = ((Array.isArray(status.containerStatuses) ? (status.containerStatuses as Rec[]) : []).find((c) => c.name === container)?.state ?? {}) as Rec;
    if (boolParam(q, 'previous')) {
      throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    }
    if (state.waiting) {
      throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${String((state.waiting as Rec).reason ?? 'ContainerCreating')}`);
    }
    const sinceMs = sinceSeconds !== undefined ? this.clock.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
    const follow = boolParam(q, 'follow');
    const timestamps = boolParam(q, 'timestamps');
    const log = this.entry(ns, podName, container);
    const format = (l: LogLine): string => `${timestamps ? `${new Date(l.at).toISOString().replace(/Z$/, '000000Z')} ` : ''}${l.text}\n`;

    let first = log.lines.filter((l) => sinceMs === undefined || Number.isNaN(sinceMs) || l.at >= sinceMs);
    if (tailLines !== undefined) {
      first = tailLines === 0 ? [] : first.slice(-tailLines);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    let sent = 0;
    let seen = log.total;
    const send = (lines: LogLine[]): boolean => {
      for (const l of lines) {
        let text = format(l);
        if (limitBytes !== undefined) {
          const room = limitBytes - sent;
          if (room <= 0) {
            return false;
          }
          if (Buffer.byteLength(text) > room) {
            text = Buffer.from(text).subarray(0, room).toString('utf8');
          }
        }
        res.write(text);
        sent += Buffer.byteLength(text);
      }
      return limitBytes === undefined || sent < limitBytes;
    };
    const more = send(first);
    if (!follow || !more || log.ended) {
      res.end();
      return;
    }
    const listener = (): void => {
      // Lines rotated out meanwhile are skipped, as for a reader behind the kubelet's rotation.
      const fresh = log.lines.slice(Math.max(0, log.lines.length - (log.total - seen)));
      seen = log.total;
      if (!send(fresh) || log.ended) {
        close();
        res.end();
      }
    };
    const close = (): void => {
      log.listeners.delete(listener);
    };
    log.listeners.add(listener);
    req.on('close', close);
    res.on('close', close);
  }
}
