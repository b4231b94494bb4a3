// A minimal OpenAPI v3 discovery: kubectl reads it to learn that the server validates fields
// itself (the `fieldValidation` parameter on PATCH), and `kubectl explain` reads the schemas.
import * as crypto from 'node:crypto';
import type { JsonSchema } from './crds';
import type { ResourceRegistry, ResourceType } from './resources';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function schemaName(t: ResourceType): string {
  if (!t.group) {
    return `io.k8s.api.core.v1.${t.kind}`;
  }
  const reversed = t.group.split('.').reverse().join('.');
  return `${reversed}.${t.version}.${t.kind}`;
}

const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

function groupVersions(registry: ResourceRegistry): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const t of registry.all) {
    const key = `${t.group}/${t.version}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push([t.group, t.version]);
    }
  }
  return out;
}

export function openApiRoot(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [g, v] of groupVersions(registry)) {
    const p = gvPath(g, v);
    const hash = crypto.createHash('sha256').update(p).digest('hex').slice(0, 32).toUpperCase();
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}

export function openApiDoc(registry: ResourceRegistry, path: string): Record<string, unknown> | undefined {
  const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) {
    return undefined;
  }
  const group = m[1] ? '' : m[2];
  const version = m[1] ?? m[3];
  const types = registry.all.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) {
    return undefined;
  }
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    const op = (action: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      operationId: `${action}${t.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
      ...extra,
    });
    paths[base] = {
      get: op('list'),
      post: op('post', { parameters: WRITE_PARAMS, requestBody: { content: { 'application/json': { schema: ref } } } }),
    };
    paths[`${base}/{name}`] = {
      get: op('get'),
      put: op('put', { parameters: WRITE_PARAMS, requestBody: { content: { 'application/json': { schema: ref } } } }),
      patch: op('patch', {
        parameters: WRITE_PARAMS,
        requestBody: {
          content: {
            'application/json-patch+json': { schema: { type: 'object' } },
            'application/merge-patch+json': { schema: { type: 'object' } },
            'application/apply-patch+yaml': { schema: { type: 'object' } },
          },
        },
      }),
      delete: op('delete', { parameters: WRITE_PARAMS.filter((p) => p.name === 'dryRun') }),
    };
    const schema = (t.schema ? structuredClone(t.schema) : { type: "object", "x-kubernetes-preserve-unknown-fields": true }) as JsonSchema & Record<string, unknown>;
    schema['x-kubernetes-group-version-kind'] = [gvk];
    schemas[schemaName(t)] = schema;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  };
}

// ---- /openapi/v2: the Swagger 2.0 document kube-apiserver aggregates from its types and every CRD. ----
// Clients such as the Kubernetes extension for VS Code read `definitions` (one per kind, named like
// `io.stackgres.v1.SGCluster`, tagged with `x-kubernetes-group-version-kind`) and hand them to editors.

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const API_VERSION_DOC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.';
const KIND_DOC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.';

type V2Schema = Record<string, unknown>;

/**
 * A CRD's structural v3 schema as kube-apiserver publishes it in v2 (apiextensions-apiserver's
 * ToStructuralOpenAPIV2, the parts our CRDs use): v2 has no `nullable`, so a nullable node loses its type
 * and children; int-or-string loses its type; `oneOf`/`anyOf`/`not` are dropped.
 */
export function toOpenApiV2(schema: JsonSchema): V2Schema {
  const out: V2Schema = { ...(schema as Record<string, unknown>) };
  delete out.oneOf;
  delete out.anyOf;
  delete out.not;
  if (out.nullable) {
    delete out.type;
    delete out.properties;
    delete out.items;
    delete out.additionalProperties;
  }
  delete out.nullable;
  if (out['x-kubernetes-int-or-string']) {
    delete out.type;
  }
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, JsonSchema>).map(([k, v]) => [k, toOpenApiV2(v)]));
  }
  if (out.items && typeof out.items === 'object') {
    out.items = toOpenApiV2(out.items as JsonSchema);
  }
  if (out.additionalProperties && typeof out.additionalProperties === 'object') {
    out.additionalProperties = toOpenApiV2(out.additionalProperties as JsonSchema);
  }
  return out;
}

function v2Definition(t: ResourceType): V2Schema {
  const gvk = { group: t.group, kind: t.kind, version: t.version };
  const base = t.schema ? toOpenApiV2(t.schema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = { ...((base.properties as Record<string, unknown> | undefined) ?? {}) };
  // As kube-apiserver does for every kind: the standard descriptions and ObjectMeta by reference.
  properties.apiVersion = { type: 'string', description: API_VERSION_DOC };
  properties.kind = { type: 'string', description: KIND_DOC };
  properties.metadata = { $ref: `#/definitions/${OBJECT_META}` };
  return { ...base, type: 'object', properties, 'x-kubernetes-group-version-kind': [gvk] };
}

export function openApiV2(registry: ResourceRegistry): Record<string, unknown> {
  const definitions: Record<string, unknown> = {
    [OBJECT_META]: {
      description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
      type: 'object',
      properties: {
        name: { type: 'string' },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
        uid: { type: 'string' },
        resourceVersion: { type: 'string' },
        generation: { type: 'integer', format: 'int64' },
        creationTimestamp: { type: 'string', format: 'date-time' },
      },
    },
  };
  const paths: Record<string, unknown> = {};
  for (const t of registry.all) {
    definitions[schemaName(t)] = v2Definition(t);
    const ref = { $ref: `#/definitions/${schemaName(t)}` };
    const gvk = { group: t.group, kind: t.kind, version: t.version };
    const base = `/${gvPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    paths[`${base}/{name}`] = {
      get: {
        operationId: `read${t.kind}`,
        produces: ['application/json', 'application/yaml'],
        responses: { '200': { description: 'OK', schema: ref } },
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': gvk,
      },
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, definitions };
}

const V2_PROTOBUF = ['com.github.proto-openapi.spec.v2@v1.0+protobuf', 'com.github.proto-openapi.spec.v2.v1.0+protobuf'];

/**
 * kube-openapi's negotiation for /openapi/v2: the Accept clauses by preference, the first that JSON fits
 * wins (no header means `*\/*`). kube-apiserver would answer a protobuf clause with gnostic protobuf, which
 * this server cannot encode: such a clause is passed over, so `protobuf, json` gets JSON (what the real
 * server sends second) and a protobuf-only request gets 406 (a client then falls back, as client-go does).
 */
export function v2Acceptable(accept: string | undefined): 'json' | 'protobuf-only' | 'none' {
  const clauses = (accept && accept.trim() ? accept : '*/*')
    .split(',')
    .map((raw, i) => {
      const [type, ...params] = raw.trim().split(';').map((s) => s.trim());
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p)).find(Boolean);
      return { type: type.toLowerCase(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((c) => c.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  let protobuf = false;
  for (const { type } of clauses) {
    const [main, sub] = type.split('/');
    if ((main === 'application' || main === '*') && (sub === 'json' || sub === '*')) return 'json';
    if (main === 'application' && V2_PROTOBUF.includes(sub)) protobuf = true;
  }
  return protobuf ? 'protobuf-only' : 'none';
}
