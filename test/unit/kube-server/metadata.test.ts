// Metadata-only reads (`Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`), as a
// real API server serves them: what a client reads of Secrets when it needs their names, never their data.
import * as assert from 'node:assert/strict';
import { startKubeServer, type KubeServer } from '../../kube-server';
import { clients, type Clients } from './helpers';
import { describeWithReference } from '../../reference';

const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const TABLE = 'application/json;as=Table;g=meta.k8s.io;v=v1';
/** What `kubectl apply` leaves on a Secret: the whole manifest, values included, in an annotation. */
const APPLIED_VALUE = `applied-value-${process.pid}`;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describeWithReference('kube-server: metadata-only reads', function () {
  this.timeout(20000);
  let server: KubeServer;
  let c: Clients;

  async function read(path: string, accept: string): Promise<Answer> {
    const res = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${server.tokens.admin}`, Accept: accept } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  before(async () => {
    server = await startKubeServer({ operator: { enabled: false } });
    c = await clients(server);
    await c.core.createNamespace({ body: { metadata: { name: 'demo' } } });
    for (const name of ['a', 'b', 'c']) {
      await c.core.createNamespacedSecret({ namespace: 'demo', body: { metadata: { name, labels: { app: 'x' } }, type: 'Opaque', data: { password: Buffer.from(`value-of-${name}`).toString('base64') } } });
    }
    await c.core.createNamespace({ body: { metadata: { name: 'applied' } } });
    const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'applied', namespace: 'applied' }, stringData: { password: APPLIED_VALUE } };
    await c.core.createNamespacedSecret({
      namespace: 'applied',
      body: { metadata: { name: 'applied', annotations: { [LAST_APPLIED]: JSON.stringify(manifest) } }, type: 'Opaque', data: { password: Buffer.from(APPLIED_VALUE).toString('base64'), user: Buffer.from('u').toString('base64') } },
    });
  });
  after(() => server.stop());

  it('lists Secrets as PartialObjectMetadataList, paged, with metadata only', async () => {
    const p1 = await read('/api/v1/namespaces/demo/secrets?limit=2', METADATA_LIST);
    assert.equal(p1.status, 200);
    assert.equal(p1.body.kind, 'PartialObjectMetadataList');
    assert.equal(p1.body.apiVersion, 'meta.k8s.io/v1');
    const meta = p1.body.metadata as { continue?: string; remainingItemCount?: number; resourceVersion?: string };
    assert.equal(meta.remainingItemCount, 1);
    assert.ok(meta.continue && meta.resourceVersion);
    const items = p1.body.items as Record<string, unknown>[];
    assert.deepEqual(items.map((i) => (i.metadata as { name: string }).name), ['a', 'b']);
    for (const item of items) {
      assert.deepEqual(Object.keys(item).sort(), ['apiVersion', 'kind', 'metadata']);
      assert.equal(item.kind, 'PartialObjectMetadata');
      assert.equal(item.apiVersion, 'meta.k8s.io/v1');
      assert.deepEqual((item.metadata as { labels?: unknown }).labels, { app: 'x' });
    }
    const p2 = await read(`/api/v1/namespaces/demo/secrets?limit=2&continue=${encodeURIComponent(meta.continue)}`, METADATA_LIST);
    assert.deepEqual((p2.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name), ['c']);
    assert.equal((p2.body.metadata as { continue?: string }).continue, undefined);
    // managedFields may name the keys (a real server's do too), never their values.
    assert.doesNotMatch(JSON.stringify([p1.body, p2.body]), new RegExp(['a', 'b', 'c'].map((n) => Buffer.from(`value-of-${n}`).toString('base64')).join('|')), 'no values');
  });

  it('reads one Secret as PartialObjectMetadata, and refuses a list form for one object (406)', async () => {
    const one = await read('/api/v1/namespaces/demo/secrets/a', METADATA);
    assert.equal(one.status, 200);
    assert.equal(one.body.kind, 'PartialObjectMetadata');
    assert.equal((one.body.metadata as { name: string }).name, 'a');
    assert.equal(one.body.data, undefined);
    const wrong = await read('/api/v1/namespaces/demo/secrets/a', METADATA_LIST);
    assert.equal(wrong.status, 406);
    assert.equal(wrong.body.reason, 'NotAcceptable');
    // A list of media types falls back to the next one the server can serve, as kubectl relies on.
    const fallback = await read('/api/v1/namespaces/demo/secrets/a', `${METADATA_LIST},application/json`);
    assert.equal(fallback.status, 200);
    assert.equal(fallback.body.kind, 'Secret');
  });

  it('records the Accept header of each request, so tests can tell a metadata list from a full one', async () => {
    const since = server.requests.length;
    await read('/api/v1/namespaces/demo/secrets', METADATA_LIST);
    await c.core.listNamespacedSecret({ namespace: 'demo' });
    const [metadataOnly, full] = server.requests.slice(since);
    assert.equal(metadataOnly.accept, METADATA_LIST);
    assert.equal(metadataOnly.form, 'PartialObjectMetadataList');
    assert.equal(full.form, 'full');
  });

  describe('Tables (`as=Table`) and includeObject, as kube-apiserver serves them', () => {
    const rowsOf = (a: Answer): { cells: unknown[]; object?: Record<string, unknown> }[] => a.body.rows as { cells: unknown[]; object?: Record<string, unknown> }[];

    it('includeObject=None: rows are the cells Name, Type, Data (key count), Age and nothing else', async () => {
      const t = await read('/api/v1/namespaces/applied/secrets?includeObject=None', TABLE);
      assert.equal(t.status, 200);
      assert.equal(t.body.kind, 'Table');
      assert.deepEqual((t.body.columnDefinitions as { name: string }[]).map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
      const [row] = rowsOf(t);
      assert.deepEqual(Object.keys(row), ['cells']);
      assert.deepEqual(row.cells.slice(0, 3), ['applied', 'Opaque', 2]);
      assert.equal(JSON.stringify(t.body).includes(APPLIED_VALUE), false, 'no value, not even from the annotation');
    });

    it('includeObject=Metadata (the default): each row carries a PartialObjectMetadata, annotations included', async () => {
      for (const query of ['', '?includeObject=Metadata']) {
        const t = await read(`/api/v1/namespaces/applied/secrets${query}`, TABLE);
        const [row] = rowsOf(t);
        assert.equal(row.object?.kind, 'PartialObjectMetadata');
        assert.equal(row.object?.data, undefined);
        // Why a client that wants names only asks for None: metadata carries kubectl's copy of the manifest.
        assert.ok(JSON.stringify(t.body).includes(APPLIED_VALUE));
      }
    });

    it('includeObject=Object: each row carries the whole object; another value is 400', async () => {
      const [row] = rowsOf(await read('/api/v1/namespaces/applied/secrets?includeObject=Object', TABLE));
      assert.equal(row.object?.kind, 'Secret');
      assert.deepEqual(Object.keys(row.object?.data as object).sort(), ['password', 'user']);
      const bad = await read('/api/v1/namespaces/applied/secrets?includeObject=All', TABLE);
      assert.equal(bad.status, 400);
    });

    it('pages a Table with limit and continue', async () => {
      const p1 = await read('/api/v1/namespaces/demo/secrets?includeObject=None&limit=2', TABLE);
      const meta = p1.body.metadata as { continue?: string };
      assert.deepEqual(rowsOf(p1).map((r) => r.cells[0]), ['a', 'b']);
      assert.ok(meta.continue);
      const p2 = await read(`/api/v1/namespaces/demo/secrets?includeObject=None&limit=2&continue=${encodeURIComponent(meta.continue)}`, TABLE);
      assert.deepEqual(rowsOf(p2).map((r) => r.cells[0]), ['c']);
      assert.equal((p2.body.metadata as { continue?: string }).continue, undefined);
    });

    it('records the bytes sent, and with recordBodies the body itself', async () => {
      const since = server.requests.length;
      const t = await read('/api/v1/namespaces/applied/secrets?includeObject=None', TABLE);
      const [r] = server.requests.slice(since);
      assert.equal(r.form, 'Table');
      assert.equal(r.includeObject, 'None');
      assert.equal(r.bytes, Buffer.byteLength(JSON.stringify(t.body)));
      assert.equal(r.body, undefined, 'bodies are kept only when asked for');
      const recording = await startKubeServer({ operator: { enabled: false }, recordBodies: true });
      try {
        const res = await fetch(`${recording.url}/api/v1/namespaces`, { headers: { Authorization: `Bearer ${recording.tokens.admin}` } });
        const text = await res.text();
        assert.equal(recording.requests.at(-1)?.body, text);
      } finally {
        await recording.stop();
      }
    });

    it('a server without Tables (tables: false) answers 406 to as=Table, and still serves metadata lists', async () => {
      const old = await startKubeServer({ operator: { enabled: false }, tables: false });
      try {
        const get = (accept: string): Promise<Response> => fetch(`${old.url}/api/v1/namespaces`, { headers: { Authorization: `Bearer ${old.tokens.admin}`, Accept: accept } });
        assert.equal((await get(TABLE)).status, 406);
        assert.equal((await get(METADATA_LIST)).status, 200);
      } finally {
        await old.stop();
      }
    });
  });
});
