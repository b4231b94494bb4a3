/**
 * Names offered in completion and hover for reference fields. Sources sit behind one interface: the
 * workspace's manifests (WorkspaceReferenceProvider) and the connected cluster's objects (LiveCluster).
 */
import type { KnownObject, ReferencedKind } from '@core/references';
import type { WorkspaceIndex } from './workspaceIndex';

export interface ReferenceItem extends KnownObject {
  readonly source: 'workspace' | 'cluster';
}

export interface ReferenceProvider {
  list(kind: ReferencedKind, namespace: string | undefined): Promise<ReferenceItem[]>;
}

export class WorkspaceReferenceProvider implements ReferenceProvider {
  constructor(private readonly index: WorkspaceIndex) {}

  async list(kind: ReferencedKind, namespace: string | undefined): Promise<ReferenceItem[]> {
    return this.index.list(kind, namespace).map((o) => ({ ...o, source: 'workspace' as const }));
  }
}

/** Merges providers; a name found in several is listed once, with the first provider's details. */
export class CompositeReferenceProvider implements ReferenceProvider {
  private readonly providers: ReferenceProvider[] = [];

  add(provider: ReferenceProvider): { dispose(): void } {
    this.providers.push(provider);
    return { dispose: () => this.providers.splice(this.providers.indexOf(provider), 1) };
  }

  async list(kind: ReferencedKind, namespace: string | undefined): Promise<ReferenceItem[]> {
    const results = await Promise.all(this.providers.map((p) => p.list(kind, namespace).catch(() => [] as ReferenceItem[])));
    const byName = new Map<string, ReferenceItem>();
    for (const items of results) {
      for (const item of items) {
        const key = `${item.namespace ?? ''}/${item.name}`;
        const prev = byName.get(key);
        if (!prev) byName.set(key, item);
        else if (item.keys && prev.keys) byName.set(key, { ...prev, keys: [...new Set([...prev.keys, ...item.keys])] });
      }
    }
    return [...byName.values()];
  }
}

