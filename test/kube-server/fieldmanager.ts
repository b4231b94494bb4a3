// Field ownership (metadata.managedFields) and server-side apply. Fields are tracked at leaf
// granularity; lists are atomic (as for CRD lists without x-kubernetes-list-type), maps and objects
// are granular. Labels and annotations are tracked per key; other metadata is not tracked.
import type { KubeObject, ManagedFieldsEntry } from './resources';
import { KubeError } from './status';

export type FieldPath = string[];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const UNTRACKED_TOP = new Set(['apiVersion', 'kind', 'metadata']);

function collect(value: unknown, path: FieldPath, out: FieldPath[]): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) {
      collect(v, [...path, k], out);
    }
  } else {
    out.push(path);
  }
}

/** The leaf field paths an object sets. */
export function leafPaths(obj: Record<string, unknown>): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (UNTRACKED_TOP.has(k)) {
      continue;
    }
    collect(v, [k], out);
  }
  const meta = obj.metadata as Record<string, unknown> | undefined;
  for (const m of ['labels', 'annotations']) {
    const map = meta?.[m];
    if (isPlainObject(map)) {
      for (const key of Object.keys(map)) {
        out.push(['metadata', m, key]);
      }
    }
  }
  return out;
}

export function pathString(p: FieldPath): string {
  return '.' + p.join('.');
}

const keyOf = (p: FieldPath): string => JSON.stringify(p);

export function getAt(obj: unknown, p: FieldPath): unknown {
  let cur: unknown = obj;
  for (const part of p) {
    if (!isPlainObject(cur)) {
      return undefined;
    }
    cur = cur[part];
  }
  return cur;
}

function deleteAt(obj: Record<string, unknown>, p: FieldPath): void {
  const parents: Record<string, unknown>[] = [];
  let cur: unknown = obj;
  for (const part of p.slice(0, -1)) {
    if (!isPlainObject(cur)) {
      return;
    }
    parents.push(cur);
    cur = cur[part];
  }
  if (!isPlainObject(cur)) {
    return;
  }
  delete cur[p[p.length - 1]];
  // Drop objects the removal emptied, but keep top-level sections such as `spec`.
  for (let i = p.length - 2; i >= 1; i--) {
    const parent = parents[i];
    const child = parent[p[i]];
    if (isPlainObject(child) && Object.keys(child).length === 0) {
      delete parent[p[i]];
    } else {
      break;
    }
  }
}

export function toFieldsV1(paths: FieldPath[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let cur = root;
    for (const part of p) {
      const k = `f:${part}`;
      if (!isPlainObject(cur[k])) {
        cur[k] = {};
      }
      cur = cur[k] as Record<string, unknown>;
    }
  }
  return root;
}

export function fromFieldsV1(fields: Record<string, unknown> | undefined): FieldPath[] {
  const out: FieldPath[] = [];
  const walk = (node: Record<string, unknown>, path: FieldPath): void => {
    const children = Object.keys(node).filter((k) => k.startsWith('f:'));
    if (children.length === 0) {
      if (path.length > 0) {
        out.push(path);
      }
      return;
    }
    for (const k of children) {
      walk((node[k] as Record<string, unknown>) ?? {}, [...path, k.slice(2)]);
    }
  };
  walk(fields ?? {}, []);
  return out;
}

interface Ownership {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  paths: FieldPath[];
}

function readOwnership(obj: KubeObject | undefined): Ownership[] {
  return (obj?.metadata.managedFields ?? []).map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    paths: fromFieldsV1(e.fieldsV1),
  }));
}

function writeOwnership(list: Ownership[]): ManagedFieldsEntry[] {
  return list
    .filter((o) => o.paths.length > 0)
    .map((o) => ({
      manager: o.manager,
      operation: o.operation,
      apiVersion: o.apiVersion,
      time: o.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1(o.paths),
    }));
}

function overlaps(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Records an Update (create, PUT, non-apply PATCH): the manager takes the fields whose values it
 * set or changed; other managers lose those fields.
 */
export function recordUpdate(previous: KubeObject | undefined, next: KubeObject, manager: string, apiVersion: string, time: string): void {
  const owners = readOwnership(previous);
  const nextPaths = leafPaths(next);
  const nextKeys = new Set(nextPaths.map(keyOf));
  const changed = nextPaths.filter((p) => !previous || !same(getAt(previous, p), getAt(next, p)));
  const removed = previous ? leafPaths(previous).filter((p) => !nextKeys.has(keyOf(p))) : [];
  const touched = [...changed, ...removed];
  for (const o of owners) {
    o.paths = o.paths.filter((p) => !touched.some((t) => overlaps(t, p)) && nextKeys.has(keyOf(p)));
  }
  if (changed.length > 0) {
    let mine = owners.find((o) => o.manager === manager && o.operation === 'Update' && o.apiVersion === apiVersion);
    if (!mine) {
      mine = { manager, operation: 'Update', apiVersion, time, paths: [] };
      owners.push(mine);
    }
    mine.time = time;
    const have = new Set(mine.paths.map(keyOf));
    for (const p of changed) {
      if (!have.has(keyOf(p))) {
        mine.paths.push(p);
      }
    }
  }
  next.metadata.managedFields = writeOwnership(owners);
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (isPlainObject(v) && isPlainObject(base[k])) {
      deepMerge(base[k] as Record<string, unknown>, v);
    } else {
      base[k] = structuredClone(v);
    }
  }
}

function printManager(o: Ownership): string {
  return o.operation === 'Update' ? `"${o.manager}" using ${o.apiVersion}` : `"${o.manager}"`;
}

function conflictError(conflicts: { owner: Ownership; path: FieldPath }[]): KubeError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].owner)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, FieldPath[]>();
    for (const c of conflicts) {
      const m = printManager(c.owner);
      byManager.set(m, [...(byManager.get(m) ?? []), c.path]);
    }
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of byManager.get(m) ?? []) {
        lines.push(`- ${pathString(p)}`);
      }
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new KubeError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.owner)}`, field: pathString(c.path) })),
  });
}

/**
 * Server-side apply of `config` over `live` by `manager`. Returns the merged object (without
 * metadata bookkeeping beyond managedFields); throws a 409 listing conflicts unless `force`.
 */
export function applyConfig(live: KubeObject | undefined, config: KubeObject, manager: string, force: boolean, apiVersion: string, time: string): KubeObject {
  const configPaths = leafPaths(config);
  if (!live) {
    const created = structuredClone(config);
    created.metadata.managedFields = writeOwnership([{ manager, operation: 'Apply', apiVersion, time, paths: configPaths }]);
    return created;
  }
  const owners = readOwnership(live);
  const mineIndex = owners.findIndex((o) => o.manager === manager && o.operation === 'Apply');
  const previousMine = mineIndex >= 0 ? owners[mineIndex].paths : [];
  const others = owners.filter((_, i) => i !== mineIndex);
  const configKeys = new Set(configPaths.map(keyOf));

  const merged = structuredClone(live);
  for (const p of previousMine) {
    const stillApplied = configPaths.some((c) => overlaps(c, p));
    const ownedByOthers = others.some((o) => o.paths.some((q) => keyOf(q) === keyOf(p)));
    if (!stillApplied && !ownedByOthers && !configKeys.has(keyOf(p))) {
      deleteAt(merged, p);
    }
  }
  const metaPatch = config.metadata ?? {};
  const { metadata: _ignored, ...body } = config;
  deepMerge(merged, body);
  for (const m of ['labels', 'annotations'] as const) {
    if (isPlainObject(metaPatch[m])) {
      merged.metadata[m] = { ...(merged.metadata[m] ?? {}), ...(metaPatch[m] as Record<string, string>) };
    }
  }

  const conflicts: { owner: Ownership; path: FieldPath }[] = [];
  for (const o of others) {
    for (const p of o.paths) {
      if (configPaths.some((c) => overlaps(c, p)) && !same(getAt(live, p), getAt(merged, p))) {
        conflicts.push({ owner: o, path: p });
      }
    }
  }
  if (conflicts.length > 0 && !force) {
    throw conflictError(conflicts);
  }
  for (const c of conflicts) {
    c.owner.paths = c.owner.paths.filter((p) => keyOf(p) !== keyOf(c.path));
  }
  const mergedKeys = new Set(leafPaths(merged).map(keyOf));
  for (const o of others) {
    o.paths = o.paths.filter((p) => mergedKeys.has(keyOf(p)));
  }
  const mine: Ownership = { manager, operation: 'Apply', apiVersion, time, paths: configPaths };
  merged.metadata.managedFields = writeOwnership(mineIndex >= 0 ? [...others.slice(0, mineIndex), mine, ...others.slice(mineIndex)] : [...others, mine]);
  return merged;
}
