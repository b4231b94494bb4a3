/**
 * What the client last told us about the connected cluster: objects by kind, name and namespace. It feeds
 * completion (names "from the cluster") and the live checks; it is empty when not connected.
 */
import type { LiveObjectInfo, LiveView } from '@core/live';
import type { KnownObject, ReferencedKind, ReferenceLookup } from '@core/references';
import type { ClusterSnapshot } from '@core/protocol';
import type { ReferenceItem, ReferenceProvider } from './references';

export class LiveCluster implements ReferenceProvider, ReferenceLookup {
  private snapshot: ClusterSnapshot = { connected: false, namespaces: [], secretNamespaces: [], objects: [] };
  private byKey = new Map<string, LiveObjectInfo[]>();

  update(snapshot: ClusterSnapshot): void {
    this.snapshot = snapshot;
    this.byKey = new Map();
    for (const o of snapshot.connected ? snapshot.objects : []) {
      const key = `${o.kind}/${o.namespace ?? ''}`;
      const list = this.byKey.get(key);
      if (list) list.push(o);
      else this.byKey.set(key, [o]);
    }
  }

  /** The live view for checks, or undefined when not connected. */
  view(): LiveView | undefined {
    const s = this.snapshot;
    if (!s.connected) return undefined;
    const covered = new Set(s.namespaces);
    // Tolerates a client that sends no list: then no Secret is claimed missing.
    const secretsCovered = new Set((s.secretNamespaces ?? []).filter((ns) => covered.has(ns)));
    return {
      context: s.context ?? 'current context',
      defaultNamespace: s.defaultNamespace,
      covers: (ns) => covered.has(ns),
      coversSecrets: (ns) => secretsCovered.has(ns),
      find: (kind, name, ns) => (this.byKey.get(`${kind}/${ns}`) ?? []).filter((o) => o.name === name),
    };
  }

  find(kind: ReferencedKind, name: string, namespace: string | undefined): KnownObject[] {
    return this.objects(kind, namespace).filter((o) => o.name === name);
  }

  async list(kind: ReferencedKind, namespace: string | undefined): Promise<ReferenceItem[]> {
    return this.objects(kind, namespace).map((o) => ({ ...o, source: 'cluster' as const, origin: this.snapshot.context }));
  }

  private objects(kind: ReferencedKind, namespace: string | undefined): LiveObjectInfo[] {
    const ns = namespace ?? this.snapshot.defaultNamespace;
    if (ns !== undefined) return this.byKey.get(`${kind}/${ns}`) ?? [];
    return [...this.byKey.entries()].filter(([k]) => k.startsWith(`${kind}/`)).flatMap(([, v]) => v);
  }
}

