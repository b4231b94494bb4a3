/**
 * A CRD schema from the connected cluster is untrusted: a catastrophic `pattern` must not hang the server.
 * Its checks run on the worker thread only, which is stopped and replaced when a check takes too long; the
 * document is reported as not checked, and everything else keeps working.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCrd } from '@core/crdSchema';
import { CrdSchemasNotification } from '@core/protocol';
import { describeWithReference, stackgresFile } from '../reference';
import { LspClient, positionOf } from './client';

type Crd = { spec: { versions: { name: string; schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, Record<string, unknown>> } } } } }[] } };

const backup = (cluster: string) => `apiVersion: stackgres.io/v1\nkind: SGBackup\nmetadata: {name: b}\nspec:\n  sgCluster: ${cluster}\n`;

describeWithReference("a cluster's CRD schema with a catastrophic pattern", function () {
  this.timeout(60_000);
  let client: LspClient;

  afterEach(async () => client?.stop());

  it('is stopped after the time limit: the document is reported as not checked, and the server goes on', async () => {
    client = await LspClient.start(undefined, { validationDelay: 0, schemaCheckTimeoutMs: 2000 });
    const crd = parseCrd(readFileSync(stackgresFile('crds/SGBackup.yaml'), 'utf8')) as Crd;
    // (a+)+$ backtracks exponentially on a run of a's that does not end the string: 2^40 steps here.
    crd.spec.versions.find((v) => v.name === 'v1')!.schema.openAPIV3Schema.properties.spec.properties.sgCluster.pattern = '^(a+)+$';
    client.notify(CrdSchemasNotification, { crds: [{ kind: 'SGBackup', crd }] });
    await client.waitForLog(/SGBackup: using the connected cluster's CRD schema/);
    // The worker starts with the first schema from a cluster.
    await client.waitForLog(/Schema worker ready/, 30_000);

    const evil = backup(`${'a'.repeat(40)}!`);
    client.open('file:///timeout/evil.yaml', evil);
    const diagnostics = await client.diagnosticsFor('file:///timeout/evil.yaml', 20_000);
    const note = diagnostics.find((d) => d.code === 'schema-check-timeout');
    assert.ok(note, `a schema-check-timeout diagnostic: ${JSON.stringify(diagnostics)}`);
    assert.match(note.message, /Not checked against the connected cluster's SGBackup CRD schema/);
    assert.equal(note.range.start.line, 0);

    // The main thread answers: hover uses the cluster's schema without its patterns.
    const hover = await client.hover('file:///timeout/evil.yaml', positionOf(evil, 'sgCluster', 2));
    assert.ok(hover);
    // A new worker checks the next documents with the cluster's whole schema, patterns included.
    client.open('file:///timeout/ok.yaml', backup('aaa'));
    assert.deepEqual(await client.diagnosticsFor('file:///timeout/ok.yaml', 20_000), []);
    client.open('file:///timeout/wrong.yaml', backup('b'));
    const wrong = await client.diagnosticsFor('file:///timeout/wrong.yaml', 20_000);
    assert.deepEqual(wrong.map((d) => d.code), ['schema-constraint'], 'the pattern still applies where it can be stopped');
    assert.ok(client.logs.some((l) => /Schema worker stopped: no answer for 2000 ms/.test(l)));
  });
});
