// The resource types the server serves and the discovery documents that describe them.
import type { Crd, JsonSchema, PrinterColumn } from './crds';
import type { ResourceRef } from './status';

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: ManagedFieldsEntry[];
  ownerReferences?: unknown[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface ResourceType extends ResourceRef {
  version: string;
  apiVersion: string;
  singular: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Custom resources need `metadata.resourceVersion` on PUT; built-in secrets do not. */
  custom: boolean;
  schema?: JsonSchema;
  printerColumns: PrinterColumn[];
  /** Field selectors a real API server supports for this type. */
  fieldSelectors: Record<string, (obj: KubeObject) => string | undefined>;
  /** Field selectors only this test server supports (rejected in strict mode). */
  extraFieldSelectors: Record<string, (obj: KubeObject) => string | undefined>;
  /** Where objects live in the store: one bucket per group and plural, whatever the version. */
  storeKey: string;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function get(obj: unknown, dotted: string): string | undefined {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) {
    return undefined;
  }
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

function metaSelectors(namespaced: boolean): Record<string, (obj: KubeObject) => string | undefined> {
  const out: Record<string, (obj: KubeObject) => string | undefined> = {
    'metadata.name': (o) => o.metadata.name ?? '',
  };
  if (namespaced) {
    out['metadata.namespace'] = (o) => o.metadata.namespace ?? '';
  }
  return out;
}

function selectorsFor(paths: string[]): Record<string, (obj: KubeObject) => string | undefined> {
  const out: Record<string, (obj: KubeObject) => string | undefined> = {};
  for (const p of paths) {
    out[p] = (o) => get(o, p) ?? '';
  }
  return out;
}

function coreType(plural: string, kind: string, namespaced: boolean, shortNames: string[], extraSelectors: string[], verbs = ALL_VERBS): ResourceType {
  return {
    group: '',
    version: 'v1',
    apiVersion: 'v1',
    plural,
    kind,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    namespaced,
    shortNames,
    categories: [],
    verbs,
    custom: false,
    printerColumns: [],
    fieldSelectors: { ...metaSelectors(namespaced), ...selectorsFor(extraSelectors) },
    extraFieldSelectors: {},
    storeKey: `/${plural}`,
  };
}

export const NAMESPACES = coreType('namespaces', 'Namespace', false, ['ns'], ['status.phase'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
export const SECRETS = coreType('secrets', 'Secret', true, [], ['type']);
export const EVENTS = coreType('events', 'Event', true, ['ev'], [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
]);

/** Backup Job pods and their logs (`pods/{name}/log`), and the pods of restore-bootstrap (drill) clusters, written by the simulated operator. */
export const PODS = coreType('pods', 'Pod', true, ['po'], ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP']);
/** The backup Jobs (batch/v1) that own those pods, for their Events. */
export const JOBS: ResourceType = { ...coreType('jobs', 'Job', true, [], []), group: 'batch', apiVersion: 'batch/v1', categories: ['all'], storeKey: 'batch/jobs' };

export const CRDS: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  apiVersion: 'apiextensions.k8s.io/v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  singular: 'customresourcedefinition',
  listKind: 'CustomResourceDefinitionList',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  verbs: ALL_VERBS,
  custom: false,
  printerColumns: [],
  fieldSelectors: metaSelectors(false),
  extraFieldSelectors: {},
  storeKey: 'apiextensions.k8s.io/customresourcedefinitions',
};

/** Test-server conveniences: real StackGres CRDs declare no selectable fields. */
const EXTRA_CR_SELECTORS: Record<string, string[]> = {
  sgbackups: ['spec.sgCluster'],
};

export function typesFromCrd(crd: Crd): ResourceType[] {
  const { group, scope, names } = crd.spec;
  const namespaced = scope === 'Namespaced';
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      group,
      version: v.name,
      apiVersion: `${group}/${v.name}`,
      plural: names.plural,
      kind: names.kind,
      singular: names.singular ?? names.kind.toLowerCase(),
      listKind: names.listKind ?? `${names.kind}List`,
      namespaced,
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: ALL_VERBS,
      custom: true,
      schema: v.schema?.openAPIV3Schema,
      printerColumns: v.additionalPrinterColumns ?? [],
      fieldSelectors: metaSelectors(namespaced),
      extraFieldSelectors: selectorsFor(EXTRA_CR_SELECTORS[names.plural] ?? []),
      storeKey: `${group}/${names.plural}`,
    }));
}

/** All served types, looked up by group, version and plural. */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();
  readonly all: ResourceType[] = [];

  add(t: ResourceType): void {
    this.byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
    this.all.push(t);
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The storage version's type for a store key (used by the operator and the seeds). */
  byStoreKey(storeKey: string): ResourceType | undefined {
    return this.all.find((t) => t.storeKey === storeKey);
  }

  byKind(group: string, kind: string): ResourceType | undefined {
    return this.all.find((t) => t.group === group && t.kind === kind);
  }

  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.all) {
      if (!t.group) {
        continue;
      }
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) {
        versions.push(t.version);
      }
      out.set(t.group, versions);
    }
    return out;
  }

  resourceList(group: string, version: string): Record<string, unknown> | undefined {
    const types = this.all.filter((t) => t.group === group && t.version === version);
    if (types.length === 0) {
      return undefined;
    }
    const resources: Record<string, unknown>[] = [];
    for (const t of types) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs,
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories.length ? { categories: t.categories } : {}),
        storageVersionHash: Buffer.from(t.storeKey).toString('base64').slice(0, 11),
      });
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }
}

/** Preferred version of a group: the first of v1, v1beta1, v1alpha1 it serves. */
export function preferredVersion(versions: string[]): string {
  const rank = (v: string): number => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) {
      return -1;
    }
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return Number(m[1]) * 1000 + stage * 100 + (m[3] ? Number(m[3]) : 0);
  };
  return [...versions].sort((a, b) => rank(b) - rank(a))[0];
}
