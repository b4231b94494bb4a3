// /openapi/v2 as kube-apiserver publishes it for CRDs: the Kubernetes extension for VS Code reads these
// definitions and hands StackGres schemas to Red Hat YAML, so the coexistence setups need them.
import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { v2Acceptable } from '../../kube-server/openapi';
import { describeWithReference } from '../../reference';

interface SwaggerDoc {
  swagger: string;
  definitions: Record<string, { type?: string; properties?: Record<string, Record<string, unknown>>; 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] }>;
}

describeWithReference('kube-server: /openapi/v2 with the CRD definitions', function () {
  this.timeout(20000);
  let server: KubeServer;

  async function get(accept?: string, extra: Record<string, string> = {}): Promise<Response> {
    return fetch(`${server.url}/openapi/v2`, { headers: { Authorization: `Bearer ${server.tokens.admin}`, ...(accept ? { Accept: accept } : {}), ...extra } });
  }

  before(async () => {
    server = await startKubeServer({ operator: { enabled: false } });
  });
  after(async () => server.stop());

  it('serves a Swagger 2.0 document with one definition per served CRD version, named and tagged as kube-apiserver does', async () => {
    const res = await get();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const doc = (await res.json()) as SwaggerDoc;
    assert.equal(doc.swagger, '2.0');
    const cluster = doc.definitions['io.stackgres.v1.SGCluster'];
    assert.ok(cluster, `no io.stackgres.v1.SGCluster among ${Object.keys(doc.definitions).slice(0, 20).join(', ')}`);
    assert.deepEqual(cluster['x-kubernetes-group-version-kind'], [{ group: 'stackgres.io', kind: 'SGCluster', version: 'v1' }]);
    const storage = doc.definitions['io.stackgres.v1beta1.SGObjectStorage'];
    assert.deepEqual(storage?.['x-kubernetes-group-version-kind'], [{ group: 'stackgres.io', kind: 'SGObjectStorage', version: 'v1beta1' }]);
    // The CRD's own schema, with metadata by reference as every kind has it.
    const backups = (cluster.properties?.spec as { properties?: Record<string, { items?: { properties?: Record<string, unknown> } }> }).properties?.configurations as unknown as {
      properties: { backups: { items: { properties: Record<string, unknown> } } };
    };
    assert.ok(backups.properties.backups.items.properties.cronSchedule, 'spec.configurations.backups[].cronSchedule is described');
    assert.deepEqual(cluster.properties?.metadata, { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
    assert.ok(doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    // v2 has no `nullable`: none may survive the conversion.
    assert.doesNotMatch(JSON.stringify(doc.definitions), /"nullable"/);
  });

  it('negotiates like kube-openapi: JSON for */* or json, JSON when protobuf is preferred but json allowed, 406 for protobuf only', async () => {
    assert.equal((await get('*/*')).status, 200);
    assert.equal((await get('application/json')).status, 200);
    const both = await get('application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json;q=0.9');
    assert.equal(both.status, 200);
    assert.match(both.headers.get('content-type') ?? '', /^application\/json/);
    const protobufOnly = await get('application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    assert.equal(protobufOnly.status, 406);
    assert.equal(((await protobufOnly.json()) as { reason: string }).reason, 'NotAcceptable');
    assert.equal((await get('text/html')).status, 406);
  });

  it('answers 304 to a matching If-None-Match and asks for a token like every other path', async () => {
    const first = await get();
    const etag = first.headers.get('etag');
    assert.ok(etag);
    assert.equal(first.headers.get('vary'), 'Accept');
    assert.equal((await get(undefined, { 'If-None-Match': etag })).status, 304);
    const anonymous = await fetch(`${server.url}/openapi/v2`);
    assert.equal(anonymous.status, 401);
  });
});

describe('kube-server: /openapi/v2 content negotiation', () => {
  it('takes clauses by q, then by order', () => {
    assert.equal(v2Acceptable(undefined), 'json');
    assert.equal(v2Acceptable('application/*'), 'json');
    assert.equal(v2Acceptable('application/json;q=0, application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf-only');
    assert.equal(v2Acceptable('application/yaml'), 'none');
  });
});
