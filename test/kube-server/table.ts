// `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` responses, so `kubectl get` prints the
// CRDs' printer columns. `includeObject` says what each row carries besides its cells, as kube-apiserver
// does: `None` nothing, `Metadata` (the default) a PartialObjectMetadata, `Object` the whole object.
import type { PrinterColumn } from './crds';
import type { KubeObject, ResourceType } from './resources';
import { badRequest } from './status';

/** A column whose cell is computed rather than read at a JSON path (a Secret's number of keys). */
type Column = PrinterColumn & { value?: (o: KubeObject) => unknown };

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const CORE_COLUMNS: Record<string, Column[]> = {
  namespaces: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }],
  // kube-apiserver's Secret columns: Name, Type, Data (the number of keys), Age.
  secrets: [
    { name: 'Type', type: 'string', jsonPath: '.type' },
    { name: 'Data', type: 'string', jsonPath: '.data', value: (o) => Object.keys((o.data as Record<string, unknown> | undefined) ?? {}).length },
  ],
  events: [
    { name: 'Type', type: 'string', jsonPath: '.type' },
    { name: 'Reason', type: 'string', jsonPath: '.reason' },
    { name: 'Object', type: 'string', jsonPath: '.involvedObject.name' },
    { name: 'Message', type: 'string', jsonPath: '.message' },
  ],
};

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp' };

function evaluate(obj: unknown, jsonPath: string): unknown {
  let cur: unknown = obj;
  const parts = jsonPath.replace(/^\./, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  for (const p of parts) {
    if (cur === null || cur === undefined) {
      return undefined;
    }
    cur = p.startsWith('[') ? (cur as unknown[])[Number(p.slice(1, -1))] : (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) {
    return `${s}s`;
  }
  if (m < 10) {
    return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  }
  if (h < 3) {
    return `${m}m`;
  }
  if (h < 8) {
    return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  }
  if (h < 48) {
    return `${h}h`;
  }
  if (d < 8) {
    return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  }
  if (d < 365 * 2) {
    return `${d}d`;
  }
  return `${Math.floor(d / 365)}y${d % 365}d`;
}

/** The `includeObject` query parameter; kube-apiserver answers 400 for any other value. */
export function includeObjectOf(value: string | null): IncludeObject {
  if (value === null || value === '') {
    return 'Metadata';
  }
  if (value === 'None' || value === 'Metadata' || value === 'Object') {
    return value;
  }
  throw badRequest(`includeObject: Unsupported value: "${value}": supported values: "Metadata", "None", "Object"`);
}

function rowObject(o: KubeObject, include: IncludeObject): Record<string, unknown> | undefined {
  if (include === 'None') {
    return undefined;
  }
  if (include === 'Object') {
    return { ...o, metadata: { ...o.metadata, managedFields: undefined } };
  }
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { ...o.metadata, managedFields: undefined } };
}

export function toTable(type: ResourceType, objects: KubeObject[], now: number, listMeta: Record<string, unknown>, include: IncludeObject = 'Metadata'): Record<string, unknown> {
  // As the API server does: a CRD's printer columns replace the default Age column.
  const columns: Column[] = type.custom
    ? type.printerColumns.length > 0
      ? type.printerColumns
      : [AGE]
    : [...(CORE_COLUMNS[type.plural] ?? []), AGE];
  const columnDefinitions = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    ...columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  const rows = objects.map((o) => {
    const cells = [
      o.metadata.name,
      ...columns.map((c) => {
        const v = c.value ? c.value(o) : evaluate(o, c.jsonPath);
        if (v === undefined || v === null) {
          return null;
        }
        if (c.type === 'date' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) {
          return humanDuration(now - Date.parse(v));
        }
        return typeof v === 'object' ? JSON.stringify(v) : v;
      }),
    ];
    const object = rowObject(o, include);
    return object ? { cells, object } : { cells };
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, columnDefinitions, rows };
}
