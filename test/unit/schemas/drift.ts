/**
 * Compares a CRD's openAPIV3Schema with our JSON schema, node by node. Written apart from the generator on
 * purpose: it reads the CRD itself and states what "faithful" means, so a generator bug cannot hide here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { parse } from 'yaml';
import type { KindInfo } from '@core/kinds';
import { stackgresFile } from '../../reference';

export type Node = { [key: string]: unknown };

export const SCHEMA_DIR = path.resolve(__dirname, '..', '..', '..', 'schemas');

/** The ObjectMeta fields a schema may add under `metadata` although the CRD does not list them. */
export const OBJECT_META_FIELDS = [
  'name', 'namespace', 'labels', 'annotations', 'generateName', 'uid', 'resourceVersion', 'generation',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'finalizers', 'ownerReferences',
  'managedFields',
];

export function allowedAddition(at: string): boolean {
  if (at === 'apiVersion' || at === 'kind') return true;
  const m = /^metadata\.([A-Za-z]+)$/.exec(at);
  return m !== null && OBJECT_META_FIELDS.includes(m[1]);
}

/** The served version's openAPIV3Schema for `info.apiVersion`. */
export function loadCrdSchema(info: KindInfo): Node {
  const text = fs.readFileSync(stackgresFile(`crds/${info.kind}.yaml`), 'utf8');
  const crd = parse(text, { merge: true, maxAliasCount: -1 }) as { spec: { versions: Node[] } };
  const version = crd.spec.versions.find((v) => v.name === info.apiVersion.split('/')[1] && v.served === true);
  if (!version) throw new Error(`${info.kind}: ${info.apiVersion} is not served by the CRD`);
  return (version.schema as { openAPIV3Schema: Node }).openAPIV3Schema;
}

export function loadSchema(info: KindInfo): Node {
  return JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, info.schemaFile), 'utf8')) as Node;
}

export function childPath(parent: string, name: string): string {
  if (/^[A-Za-z0-9_$-]+$/.test(name)) return parent === '' ? name : `${parent}.${name}`;
  return `${parent}[${JSON.stringify(name)}]`;
}

/** Every node with its path: properties `a.b`, array items `a[]`, map values `a{}`. */
export function* nodes(schema: Node, at = ''): Generator<[string, Node]> {
  yield [at, schema];
  for (const [name, child] of Object.entries(props(schema))) yield* nodes(child, childPath(at, name));
  if (isNode(schema.items)) yield* nodes(schema.items, `${at}[]`);
  if (isNode(schema.additionalProperties)) yield* nodes(schema.additionalProperties, `${at}{}`);
}

export interface Drift {
  path: string;
  aspect: string;
  detail: string;
}

export interface WebhookEnumAt {
  path: string;
  values: readonly string[];
}

const SAME_VALUE_KEYS = ['minimum', 'maximum', 'pattern', 'maxLength', 'minLength', 'minItems', 'maxItems', 'format', 'default'];

/** Differences between the CRD and our schema; empty when the schema is faithful. */
export function findDrift(crd: Node, ours: Node, webhookEnums: readonly WebhookEnumAt[]): Drift[] {
  const drift: Drift[] = [];
  const webhook = new Map(webhookEnums.map((e) => [e.path, e.values]));
  const seenWebhook = new Set<string>();
  const report = (at: string, aspect: string, detail: string) => drift.push({ path: at || '(root)', aspect, detail });

  const walk = (c: Node, o: Node, at: string): void => {
    const expectedType = crdTypes(c);
    const actualType = schemaTypes(o);
    if (!isDeepStrictEqual(expectedType, actualType)) {
      report(at, 'type', `CRD ${fmt(expectedType)}, schema ${fmt(actualType)}`);
    }

    const webhookValues = webhook.get(at);
    if (webhookValues) {
      seenWebhook.add(at);
      if (c.enum !== undefined) report(at, 'enum', `the CRD now has its own enum ${fmt(c.enum)}; drop the webhook enum`);
      if (!isDeepStrictEqual(o.enum, [...webhookValues])) report(at, 'enum', `webhook enum ${fmt(webhookValues)}, schema ${fmt(o.enum)}`);
      if (o['x-stackgres-enum-source'] !== 'webhook') report(at, 'enum', 'webhook enum is not marked "x-stackgres-enum-source": "webhook"');
    } else {
      const expected = Array.isArray(c.enum) && c.nullable === true ? [...c.enum, null] : c.enum;
      if (!isDeepStrictEqual(expected, o.enum)) report(at, 'enum', `CRD ${fmt(expected)}, schema ${fmt(o.enum)}`);
      if (o['x-stackgres-enum-source'] !== undefined) report(at, 'enum', 'marked as a webhook enum, but the domain lists none here');
    }

    const cRequired = [...((c.required as string[] | undefined) ?? [])].sort();
    const oRequired = [...((o.required as string[] | undefined) ?? [])].sort();
    if (!isDeepStrictEqual(cRequired, oRequired)) report(at, 'required', `CRD ${fmt(cRequired)}, schema ${fmt(oRequired)}`);

    for (const key of SAME_VALUE_KEYS) {
      if (!isDeepStrictEqual(c[key], o[key])) report(at, key, `CRD ${fmt(c[key])}, schema ${fmt(o[key])}`);
    }

    const cProps = props(c);
    const oProps = props(o);
    for (const name of Object.keys(cProps)) {
      const child = childPath(at, name);
      if (!(name in oProps)) report(child, 'property', 'in the CRD, missing from the schema');
      else walk(cProps[name], oProps[name], child);
    }
    for (const name of Object.keys(oProps)) {
      const child = childPath(at, name);
      if (!(name in cProps) && !allowedAddition(child)) report(child, 'property', 'in the schema, not in the CRD');
    }

    if (isNode(c.items) && isNode(o.items)) walk(c.items, o.items, `${at}[]`);
    else if (isNode(c.items) || isNode(o.items)) report(`${at}[]`, 'items', isNode(c.items) ? 'missing from the schema' : 'not in the CRD');

    if (isNode(c.additionalProperties)) {
      if (isNode(o.additionalProperties)) walk(c.additionalProperties, o.additionalProperties, `${at}{}`);
      else report(`${at}{}`, 'additionalProperties', 'the CRD has a value schema, the schema does not');
    } else {
      const expected = c.additionalProperties ?? (c['x-kubernetes-preserve-unknown-fields'] === true ? true : undefined);
      if (!isDeepStrictEqual(expected, o.additionalProperties)) {
        report(at, 'additionalProperties', `CRD ${fmt(expected)}, schema ${fmt(o.additionalProperties)}`);
      }
    }
  };

  walk(crd, ours, '');
  for (const at of webhook.keys()) {
    if (!seenWebhook.has(at)) report(at, 'enum', 'webhook enum path is not in the CRD');
  }
  return drift;
}

/** Types a CRD node allows: int-or-string means both, `nullable` adds null. */
function crdTypes(c: Node): string[] {
  const types = c['x-kubernetes-int-or-string'] === true ? ['integer', 'string'] : typeof c.type === 'string' ? [c.type] : [];
  if (c.nullable === true) types.push('null');
  return types.sort();
}

function schemaTypes(o: Node): string[] {
  if (typeof o.type === 'string') return [o.type];
  if (Array.isArray(o.type)) return [...(o.type as string[])].sort();
  if (Array.isArray(o.anyOf)) return (o.anyOf as Node[]).map((a) => String(a.type)).sort();
  return [];
}

function props(n: Node): Record<string, Node> {
  return isNode(n.properties) ? (n.properties as Record<string, Node>) : {};
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fmt(v: unknown): string {
  return v === undefined ? 'none' : JSON.stringify(v);
}
