/**
 * Names that point at other resources (an SGCluster's `sgObjectStorage`, a restore's `fromBackup.name`,
 * Secret key selectors) and the checks that compare them with what is known to exist: the workspace's
 * manifests or, when connected, the cluster. Referenced objects must be in the same namespace.
 */
import type { PathSegment } from './locate';
import { isRecord } from './manifest';
import { schemaPath } from './help';
import { code, Finding, get } from './rules/types';

export type ReferencedKind = 'SGObjectStorage' | 'SGBackup' | 'SGCluster' | 'SGShardedBackup' | 'Secret';

export interface Reference {
  readonly kind: ReferencedKind;
  readonly name: string;
  /** Path of the value holding the name. */
  readonly path: readonly PathSegment[];
  /** For Secret selectors: the key and the path of its value. */
  readonly key?: string;
  readonly keyPath?: readonly PathSegment[];
}

/** Where a name is expected, per kind, as schema paths (`[]` = any array index). */
const NAME_FIELDS: Record<string, Record<string, ReferencedKind>> = {
  SGCluster: {
    'spec.configurations.backups[].sgObjectStorage': 'SGObjectStorage',
    'spec.initialData.restore.fromBackup.name': 'SGBackup',
    'spec.replicateFrom.storage.sgObjectStorage': 'SGObjectStorage',
    'spec.replicateFrom.instance.sgCluster': 'SGCluster',
  },
  SGShardedCluster: {
    'spec.configurations.backups[].sgObjectStorage': 'SGObjectStorage',
    'spec.initialData.restore.fromBackup.name': 'SGShardedBackup',
  },
  SGBackup: { 'spec.sgCluster': 'SGCluster' },
  SGDbOps: { 'spec.sgCluster': 'SGCluster' },
};

/** The kind of resource whose name belongs at this path, if any. */
export function referenceKindAt(kind: string | undefined, path: readonly PathSegment[]): ReferencedKind | undefined {
  if (!kind) return undefined;
  const p = schemaPath(path);
  const named = NAME_FIELDS[kind]?.[p];
  if (named) return named;
  if (isSecretSelectorPath(path) && path[path.length - 1] === 'name') return 'Secret';
  return undefined;
}

/** At a selector's `key:`, the Secret name it refers to. */
export function secretKeySelectorAt(manifest: unknown, path: readonly PathSegment[]): string | undefined {
  if (path[path.length - 1] !== 'key' || !isSecretSelectorPath(path)) return undefined;
  const name = get(manifest, [...path.slice(0, -1), 'name']);
  return typeof name === 'string' ? name : undefined;
}

function isSecretSelectorPath(path: readonly PathSegment[]): boolean {
  // {name, key} objects live under `secretKeySelectors.<x>`, `encryption.sodium.key`, `encryption.openpgp.key|keyPassphrase`
  // and `replicateFrom.users.<role>.<username|password>`.
  const i = path.lastIndexOf('secretKeySelectors');
  if (i >= 0 && i === path.length - 3) return true;
  const p = schemaPath(path.slice(0, -1));
  return /(^|\.)encryption\.(sodium\.key|openpgp\.key|openpgp\.keyPassphrase)$/.test(p) || /replicateFrom\.users\.\w+\.(username|password)$/.test(p);
}

/** Parsed documents are reused while their text is unchanged: their references are found once. */
const referencesByValue = new WeakMap<object, { kind: string; refs: readonly Reference[] }>();

export function referencesOf(kind: string | undefined, value: unknown): readonly Reference[] {
  if (!kind) return [];
  if (typeof value !== 'object' || value === null) return findReferences(kind, value);
  const known = referencesByValue.get(value);
  if (known?.kind === kind) return known.refs;
  const refs = findReferences(kind, value);
  referencesByValue.set(value, { kind, refs });
  return refs;
}

function findReferences(kind: string, value: unknown): Reference[] {
  const out: Reference[] = [];
  walk(value, [], (path, v) => {
    if (typeof v === 'string' && v !== '') {
      const k = referenceKindAt(kind, path);
      if (k && k !== 'Secret') out.push({ kind: k, name: v, path });
    }
    if (isRecord(v) && typeof v.name === 'string' && isSecretSelectorPath([...path, 'name'])) {
      out.push({
        kind: 'Secret',
        name: v.name,
        path: [...path, 'name'],
        key: typeof v.key === 'string' ? v.key : undefined,
        keyPath: [...path, 'key'],
      });
    }
  });
  return out;
}

function walk(v: unknown, path: PathSegment[], visit: (path: PathSegment[], v: unknown) => void, depth = 0): void {
  if (depth > 64) return;
  visit(path, v);
  if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i], visit, depth + 1));
  else if (isRecord(v)) for (const [k, item] of Object.entries(v)) walk(item, [...path, k], visit, depth + 1);
}

/** What the workspace (or cluster) knows about a referenced object. */
export interface KnownObject {
  readonly kind: ReferencedKind;
  readonly name: string;
  readonly namespace?: string;
  /** For Secrets: the key names (never the values). */
  readonly keys?: readonly string[];
  /** One line shown beside the name in completion lists (type and bucket, backup status and size, ...). */
  readonly detail?: string;
  /** Where it was found: a workspace file URI, or the cluster context name. */
  readonly origin?: string;
}

export interface ReferenceLookup {
  /** Objects of this kind and name visible from the namespace (undefined namespace matches any). */
  find(kind: ReferencedKind, name: string, namespace: string | undefined): KnownObject[];
}

export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** Cross-document checks against the workspace's manifests. */
export function checkWorkspaceReferences(kind: string | undefined, value: unknown, namespace: string | undefined, lookup: ReferenceLookup): Finding[] {
  const out: Finding[] = [];
  for (const ref of referencesOf(kind, value)) {
    if (ref.kind === 'SGObjectStorage') {
      if (lookup.find('SGObjectStorage', ref.name, namespace).length === 0) {
        out.push({
          code: 'ref-object-storage-unknown',
          path: ref.path,
          target: 'value',
          message: `No SGObjectStorage ${code(ref.name)}${namespace ? ` in namespace ${code(namespace)}` : ''} is defined in this workspace. If the cluster does not have it either, the operator only reports "SGObjectStorage ${ref.name} not found" as an Event and no backup runs.`,
        });
      }
    } else if (ref.kind === 'Secret' && ref.key !== undefined && ref.keyPath) {
      const secrets = lookup.find('Secret', ref.name, namespace).filter((s) => s.keys !== undefined);
      if (secrets.length > 0 && !secrets.some((s) => s.keys!.includes(ref.key!))) {
        const keys = [...new Set(secrets.flatMap((s) => s.keys ?? []))];
        out.push({
          code: 'ref-secret-key-missing',
          path: ref.keyPath,
          target: 'value',
          message: `Secret ${code(ref.name)} in this workspace has no key ${code(ref.key)}${keys.length ? ` (it has ${keys.map(code).join(', ')})` : ' (it has no keys)'}. The operator would report "Key ${ref.key} not found in Secret ${ref.name}" and backups would fail.`,
          fixes: keys.map((k) => ({ kind: 'set-value' as const, title: `Use key ${k}`, path: ref.keyPath!, value: k })),
        });
      }
    }
  }
  return out;
}
