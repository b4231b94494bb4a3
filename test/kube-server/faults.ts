// Fault injection for tests: canned error responses, slow responses, watch streams cut mid-way and
// watches that never answer.
import { KubeError, injectedError } from './status';

export interface FaultRule {
  /** HTTP method to match (GET, POST, ...); any when omitted. */
  method?: string;
  /** URL path prefix to match, e.g. `/apis/stackgres.io/v1/namespaces/demo/sgbackups`. */
  pathPrefix?: string;
  status: 401 | 403 | 404 | 409 | 410 | 422 | 429 | 500 | 503;
  /** How many matching requests fail; forever when omitted. */
  times?: number;
  /** How many matching requests pass before the failures start (e.g. the dry run before the real write). */
  skip?: number;
  /** Seconds for the Retry-After header (429, 503). */
  retryAfter?: number;
  /** The Status message instead of the canned one (e.g. a ResourceQuota's `exceeded quota: ...` on a 403). */
  message?: string;
}

export interface DelayRule {
  method?: string;
  pathPrefix?: string;
  times?: number;
}

interface Counted<T> {
  rule: T;
  remaining: number;
  skip?: number;
}

function matches(rule: { method?: string; pathPrefix?: string }, method: string, path: string): boolean {
  return (!rule.method || rule.method.toUpperCase() === method) && (!rule.pathPrefix || path.startsWith(rule.pathPrefix));
}

export class Faults {
  private rules: Counted<FaultRule>[] = [];
  private delays: Counted<DelayRule & { ms: number }>[] = [];
  private watchResets = 0;
  private watchStalls = 0;

  /** Makes matching requests fail with a Kubernetes Status of the given code. */
  inject(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? Infinity, skip: rule.skip ?? 0 });
  }

  /** Delays matching responses (all of them when no rule is given) by `ms`. */
  delay(ms: number, rule: DelayRule = {}): void {
    this.delays.push({ rule: { ...rule, ms }, remaining: rule.times ?? Infinity });
  }

  /** The next watch stream is cut (socket destroyed) right after its initial events. */
  resetNextWatch(count = 1): void {
    this.watchResets += count;
  }

  /**
   * The next watch is accepted and then left hanging: no response headers, no events, never closed (a
   * half-dead load balancer or a stuck connection). Only the client's own deadline gets it out.
   */
  stallNextWatch(count = 1): void {
    this.watchStalls += count;
  }

  clear(): void {
    this.rules = [];
    this.delays = [];
    this.watchResets = 0;
    this.watchStalls = 0;
  }

  /** @internal */
  errorFor(method: string, path: string): KubeError | undefined {
    const hit = this.rules.find((r) => r.remaining > 0 && matches(r.rule, method, path));
    if (!hit) {
      return undefined;
    }
    if (hit.skip) {
      hit.skip--;
      return undefined;
    }
    hit.remaining--;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return injectedError(hit.rule.status, hit.rule.retryAfter, hit.rule.message);
  }

  /** @internal */
  delayFor(method: string, path: string): number {
    let total = 0;
    for (const d of this.delays) {
      if (d.remaining > 0 && matches(d.rule, method, path)) {
        d.remaining--;
        total += d.rule.ms;
      }
    }
    this.delays = this.delays.filter((d) => d.remaining > 0);
    return total;
  }

  /** @internal */
  takeWatchStall(): boolean {
    if (this.watchStalls > 0) {
      this.watchStalls--;
      return true;
    }
    return false;
  }

  /** @internal */
  takeWatchReset(): boolean {
    if (this.watchResets > 0) {
      this.watchResets--;
      return true;
    }
    return false;
  }
}

export { KubeError };
