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
