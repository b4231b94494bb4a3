/**
 * From a StackGres CRD's openAPIV3Schema to our JSON schema (draft-07): same structure, types and
 * constraints; the webhook enums of enums.ts added; our own descriptions carried over by path from an
 * existing schema. Used by `scripts/schemas.ts` to build `schemas/`, and by the language server for the
 * connected cluster's CRDs. Pure: no I/O.
 */
import { parse as parseYaml } from 'yaml';
import { WEBHOOK_ENUMS } from './enums';
import type { KindInfo } from './kinds';

export type JsonSchema = { [key: string]: unknown };
/** One node of a CRD's openAPIV3Schema, as parsed from YAML. */
export type CrdNode = { [key: string]: unknown };

export const SCHEMA_ID_BASE = 'https://stackgres-tools.local/schemas/';
export const WEBHOOK_ENUM_MARK = 'x-stackgres-enum-source';

/** CRD keywords the conversion understands. Anything else stops the run, so a CRD update cannot slip through. */
const KNOWN_CRD_KEYS = new Set([
  'type', 'description', 'properties', 'items', 'additionalProperties', 'required', 'enum', 'default', 'format',
  'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'nullable',
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields',
]);

/** Constraint keywords copied from the CRD unchanged. */
const COPIED_KEYS = ['format', 'default', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'] as const;

/** Key order of every emitted schema node, so output is stable whatever order the CRD uses. */
const KEY_ORDER = [
  '$schema', '$id', 'title', 'description', 'type', 'const', 'enum', WEBHOOK_ENUM_MARK, 'format', 'default',
  'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'required', 'properties',
  'items', 'additionalProperties',
];

/**
 * The Kubernetes ObjectMeta fields a manifest or a `kubectl get -o yaml` dump may carry. CRDs only describe
 * `metadata.name`; without these, completion and validation would know nothing of labels or namespace.
 */
const OBJECT_META: Record<string, JsonSchema> = {
  name: { type: 'string' },
  generateName: { type: 'string' },
  namespace: { type: 'string' },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  annotations: { type: 'object', additionalProperties: { type: 'string' } },
  uid: { type: 'string' },
  resourceVersion: { type: 'string' },
  generation: { type: 'integer', format: 'int64' },
  // `kubectl create --dry-run -o yaml` prints `creationTimestamp: null`.
  creationTimestamp: { type: ['string', 'null'], format: 'date-time' },
  deletionTimestamp: { type: 'string', format: 'date-time' },
  deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
  finalizers: { type: 'array', items: { type: 'string' } },
  ownerReferences: {
    type: 'array',
    items: {
      type: 'object',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        name: { type: 'string' },
        uid: { type: 'string' },
        controller: { type: 'boolean' },
        blockOwnerDeletion: { type: 'boolean' },
      },
    },
  },
  managedFields: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        fieldsType: { type: 'string' },
        fieldsV1: { type: 'object', additionalProperties: true },
        manager: { type: 'string' },
        operation: { type: 'string' },
        subresource: { type: 'string' },
        time: { type: 'string', format: 'date-time' },
      },
    },
  },
};

export const OBJECT_META_FIELDS: readonly string[] = Object.keys(OBJECT_META);

// ---------------------------------------------------------------------------------------------------------
// Paths

/** `a.b`, `a.b[]`, `a.b{}`; names that would be ambiguous (`pgbouncer.ini`) are written `a["pgbouncer.ini"]`. */
export function propertyPath(parent: string, name: string): string {
  if (/^[A-Za-z0-9_$-]+$/.test(name)) return parent === '' ? name : `${parent}.${name}`;
  return `${parent}[${JSON.stringify(name)}]`;
}
export const itemsPath = (parent: string): string => `${parent}[]`;
export const valuesPath = (parent: string): string => `${parent}{}`;

/** Parses a dotted path whose segments are plain names or end in `[]` (as in WEBHOOK_ENUMS). */
function findByDottedPath(root: JsonSchema, dotted: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const segment of dotted.split('.')) {
    const m = /^([^[\]]+)((?:\[\])*)$/.exec(segment);
    if (!m || node === undefined) return undefined;
    node = (node.properties as Record<string, JsonSchema> | undefined)?.[m[1]];
    for (let i = 0; i < m[2].length / 2 && node !== undefined; i++) node = node.items as JsonSchema | undefined;
  }
  return node;
}

/** Every schema node of `schema` with its path, parents first. */
export function* schemaNodes(schema: JsonSchema, at = ''): Generator<[string, JsonSchema]> {
  yield [at, schema];
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (props) for (const [name, child] of Object.entries(props)) yield* schemaNodes(child, propertyPath(at, name));
  if (isObject(schema.items)) yield* schemaNodes(schema.items, itemsPath(at));
  if (isObject(schema.additionalProperties)) yield* schemaNodes(schema.additionalProperties, valuesPath(at));
}

// ---------------------------------------------------------------------------------------------------------
// Reading the CRD

export interface CrdVersion {
  kind: string;
  version: string;
  schema: CrdNode;
}

export function parseCrd(text: string): unknown {
  // The CRDs use anchors, aliases and `<<` merge keys (kubectl's YAML reader honours merge keys).
  return parseYaml(text, { merge: true, maxAliasCount: -1 });
}

/** The openAPIV3Schema of the version `info.apiVersion` names; it must be served. */
export function servedSchema(info: KindInfo, crd: unknown): CrdVersion {
  const spec = (crd as { spec?: { names?: { kind?: string }; versions?: CrdNode[] } }).spec;
  if (spec?.names?.kind !== info.kind) throw new Error(`CRD for ${info.kind} names kind ${spec?.names?.kind}`);
  const wanted = info.apiVersion.split('/')[1];
  const version = spec.versions?.find((v) => v.name === wanted);
  if (!version || version.served !== true) throw new Error(`${info.kind}: version ${wanted} is not served by the CRD`);
  const schema = (version.schema as { openAPIV3Schema?: CrdNode } | undefined)?.openAPIV3Schema;
  if (!isObject(schema)) throw new Error(`${info.kind}: version ${wanted} has no openAPIV3Schema`);
  return { kind: info.kind, version: wanted, schema };
}

// ---------------------------------------------------------------------------------------------------------
// Conversion

function convertNode(node: CrdNode, at: string): JsonSchema {
  for (const key of Object.keys(node)) {
    if (!KNOWN_CRD_KEYS.has(key)) throw new Error(`${at || '(root)'}: CRD keyword "${key}" is not converted yet`);
  }
  const out: JsonSchema = {};
  const nullable = node.nullable === true;
  if (node['x-kubernetes-int-or-string'] === true) {
    out.type = nullable ? ['integer', 'string', 'null'] : ['integer', 'string'];
  } else if (typeof node.type === 'string') {
    out.type = nullable ? [node.type, 'null'] : node.type;
  }
  if (Array.isArray(node.enum)) out.enum = nullable ? [...node.enum, null] : [...node.enum];
  for (const key of COPIED_KEYS) if (node[key] !== undefined) out[key] = node[key];
  if (Array.isArray(node.required)) out.required = [...node.required];
  if (isObject(node.properties)) {
    const props: Record<string, JsonSchema> = {};
    for (const [name, child] of Object.entries(node.properties)) props[name] = convertNode(child as CrdNode, propertyPath(at, name));
    out.properties = props;
  }
  if (isObject(node.items)) out.items = convertNode(node.items, itemsPath(at));
  if (isObject(node.additionalProperties)) {
    out.additionalProperties = convertNode(node.additionalProperties, valuesPath(at));
  } else if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === true && out.additionalProperties === undefined) {
    out.additionalProperties = true;
  }
  return out;
}

function withObjectMeta(crdMetadata: JsonSchema | undefined): JsonSchema {
  const props: Record<string, JsonSchema> = structuredClone(OBJECT_META);
  const fromCrd = (crdMetadata?.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, child] of Object.entries(fromCrd)) props[name] = { ...(props[name] ?? {}), ...child };
  return { ...(crdMetadata ?? {}), type: 'object', properties: props };
}

export interface Descriptions {
  [path: string]: string;
}

export interface ConvertResult {
  schema: JsonSchema;
  /** Descriptions of `existing` whose path the CRD no longer has. */
  dropped: string[];
}

/**
 * The schema for one kind. `existing` is the committed schema (its descriptions are kept); `added` are new or
 * replacement descriptions by path, which must name paths the schema has.
 */
export function convertKind(info: KindInfo, crd: CrdVersion, existing?: JsonSchema, added: Descriptions = {}): ConvertResult {
  const body = convertNode(crd.schema, '');
  const props = (body.properties ?? {}) as Record<string, JsonSchema>;
  const schema: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${SCHEMA_ID_BASE}${info.schemaFile}`,
    title: info.kind,
    ...body,
    type: 'object',
    properties: {
      ...props,
      apiVersion: { ...(props.apiVersion ?? {}), type: 'string' },
      kind: { ...(props.kind ?? {}), type: 'string', const: info.kind },
      metadata: withObjectMeta(props.metadata),
    },
  };

  for (const e of WEBHOOK_ENUMS.filter((w) => w.kind === info.kind)) {
    const node = findByDottedPath(schema, e.path);
    if (!node) throw new Error(`${info.kind}: webhook enum path ${e.path} is not in the CRD`);
    if (node.enum !== undefined) throw new Error(`${info.kind}: ${e.path} already has an enum in the CRD; drop it from WEBHOOK_ENUMS`);
    node.enum = [...e.values];
    node[WEBHOOK_ENUM_MARK] = 'webhook';
  }

  const nodes = new Map(schemaNodes(schema));
  const kept = existing ? [...schemaNodes(existing)].filter(([, n]) => typeof n.description === 'string') : [];
  const dropped: string[] = [];
  for (const [at, n] of kept) {
    const target = nodes.get(at);
    if (target) target.description = n.description;
    else dropped.push(at);
  }
  for (const [at, text] of Object.entries(added)) {
    const target = nodes.get(at);
    if (!target) throw new Error(`${info.kind}: no schema node at ${at} to describe`);
    target.description = text;
  }
  return { schema: ordered(schema), dropped };
}

/** Rebuilds every schema node with keys in KEY_ORDER and properties sorted by name. */
function ordered(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  const unknown = Object.keys(node).filter((k) => !KEY_ORDER.includes(k));
  if (unknown.length > 0) throw new Error(`unexpected schema keys ${unknown.join(', ')}`);
  for (const key of KEY_ORDER) {
    const value = node[key];
    if (value === undefined) continue;
    if (key === 'properties') {
      const props = value as Record<string, JsonSchema>;
      out.properties = Object.fromEntries(
        Object.keys(props).sort(byCodeUnit).map((name) => [name, ordered(props[name])]),
      );
    } else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) {
      out[key] = ordered(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function renderSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

