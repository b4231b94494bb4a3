// LIST with selectors and paging. The first page of a paged list takes a snapshot, so later pages
// are consistent with it (as etcd serves them at the first page's revision); snapshots expire after
// a TTL, after which the continue token gets 410 Gone / Expired, as after an etcd compaction.
import * as crypto from 'node:crypto';
import type { KubeObject, ResourceType } from './resources';
import { parseFieldSelector, parseLabelSelector, type Matcher } from './selectors';
import { KubeError, badRequest } from './status';
import type { Store } from './store';

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
}

export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

interface Snapshot {
  items: KubeObject[];
  resourceVersion: string;
  expiresAt: number;
  selectorsUsed: boolean;
}

interface ContinueToken {
  s: string;
  o: number;
  rv: string;
}

export function matcherFor(type: ResourceType, q: { namespace?: string; labelSelector?: string; fieldSelector?: string }, strictFieldSelectors: boolean): Matcher {
  const label = parseLabelSelector(q.labelSelector);
  const field = parseFieldSelector(q.fieldSelector, type, { strict: strictFieldSelectors });
  const ns = type.namespaced ? q.namespace : undefined;
  return (o) => (ns === undefined || o.metadata.namespace === ns) && (!label || label(o)) && (!field || field(o));
}

export class Lister {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(
    private readonly store: Store,
    public continueTtlMs = 5 * 60_000,
    private readonly maxSnapshots = 64,
    public strictFieldSelectors = false,
  ) {}

  /** Makes every outstanding continue token expire (410 Gone on next use). */
  expireContinueTokens(): void {
    this.snapshots.clear();
  }

  list(type: ResourceType, q: ListQuery): ListPage {
    const limit = q.limit && q.limit > 0 ? q.limit : undefined;
    if (q.continueToken) {
      let token: ContinueToken;
      try {
        token = JSON.parse(Buffer.from(q.continueToken, 'base64url').toString('utf8')) as ContinueToken;
      } catch {
        throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
      }
      const snap = this.snapshots.get(token.s);
      if (!snap || snap.expiresAt < Date.now()) {
        this.snapshots.delete(token.s);
        throw new KubeError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      return this.page(snap, token.s, token.o, limit);
    }
    const match = matcherFor(type, q, this.strictFieldSelectors);
    const items = this.store.list(type.storeKey, type.namespaced ? q.namespace : undefined).filter(match);
    const snap: Snapshot = {
      items,
      resourceVersion: String(this.store.currentRv()),
      expiresAt: Date.now() + this.continueTtlMs,
      selectorsUsed: Boolean(q.labelSelector || q.fieldSelector),
    };
    if (!limit || items.length <= limit) {
      return { items, resourceVersion: snap.resourceVersion };
    }
    const id = crypto.randomBytes(8).toString('hex');
    this.snapshots.set(id, snap);
    while (this.snapshots.size > this.maxSnapshots) {
      this.snapshots.delete(this.snapshots.keys().next().value as string);
    }
    return this.page(snap, id, 0, limit);
  }

  private page(snap: Snapshot, id: string, offset: number, limit: number | undefined): ListPage {
    const end = limit ? offset + limit : snap.items.length;
    const items = snap.items.slice(offset, end);
    const out: ListPage = { items, resourceVersion: snap.resourceVersion };
    if (end < snap.items.length) {
      out.continueToken = Buffer.from(JSON.stringify({ s: id, o: end, rv: snap.resourceVersion } satisfies ContinueToken)).toString('base64url');
      if (!snap.selectorsUsed) {
        out.remainingItemCount = snap.items.length - end;
      }
    } else {
      this.snapshots.delete(id);
    }
    return out;
  }
}
