import * as assert from 'node:assert/strict';
import { parseManifest, splitDocuments, toFileRange } from '@core/manifest';
import { mentionsStackGresApiVersion } from '@core/kinds';

describe('splitting a YAML file into documents', () => {
  it('splits on --- and ... at column 0, keeping file line numbers', () => {
    const chunks = splitDocuments('a: 1\n---\nb: 2\nc: 3\n...\n---\nd: 4\n');
    assert.deepEqual(chunks.map((c) => [c.index, c.startLine, c.text]), [[0, 0, 'a: 1\n'], [1, 2, 'b: 2\nc: 3\n'], [2, 5, ''], [3, 6, 'd: 4\n']]);
  });

  it('drops the empty document before a leading ---', () => {
    assert.deepEqual(splitDocuments('---\na: 1\n').map((c) => [c.startLine, c.text]), [[1, 'a: 1\n']]);
  });

  it('does not split on --- inside a value or indented', () => {
    assert.equal(splitDocuments('a: |\n  ---\n  text\nb: "---"\n  ---\n').length, 1);
    assert.equal(splitDocuments('a: 1\n--- # comment\nb: 2\n').length, 2);
    assert.equal(splitDocuments('a: 1\n----\n').length, 1);
  });

  it('reads apiVersion, kind, name and namespace, and tells StackGres documents apart', () => {
    const m = parseManifest(splitDocuments('apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata:\n  name: c\n  namespace: db\n')[0]);
    assert.deepEqual([m.apiVersion, m.kind, m.name, m.namespace, m.isStackGres], ['stackgres.io/v1', 'SGCluster', 'c', 'db', true]);
    assert.equal(parseManifest(splitDocuments('apiVersion: v1\nkind: Secret\n')[0]).isStackGres, false);
  });

  it('resolves anchors, aliases and merge keys as Kubernetes does', () => {
    const m = parseManifest(splitDocuments('base: &b {x: 1}\nspec:\n  <<: *b\n  y: 2\n')[0]);
    assert.deepEqual(m.value, { base: { x: 1 }, spec: { x: 1, y: 2 } });
  });

  it('recognises a Helm template that is not YAML yet', () => {
    const m = parseManifest(splitDocuments('{{- if .Values.enabled }}\napiVersion: stackgres.io/v1\nkind: SGCluster\n{{- end }}\n')[0]);
    assert.equal(m.helmTemplate, true);
    assert.equal(m.isStackGres, true);
  });
});

describe('a range in a document, on the file\'s lines', () => {
  it('moves both ends down by the line the document starts at, keeping characters and other fields', () => {
    const [, second] = splitDocuments('a: 1\n---\nkind: SGBackup\nspec: {}\n');
    const inDocument = { start: { line: 1, character: 0 }, end: { line: 1, character: 4 }, newText: 'x' };
    assert.deepEqual(toFileRange(inDocument, second.startLine), { start: { line: 3, character: 0 }, end: { line: 3, character: 4 }, newText: 'x' });
    assert.deepEqual(inDocument.start, { line: 1, character: 0 }, 'the document range is left as it was');
  });
});

describe('mentionsStackGresApiVersion (the editor menus\' StackGres-document test)', () => {
  it('finds a StackGres apiVersion in any document of a file, or in a List item', () => {
    assert.equal(mentionsStackGresApiVersion('apiVersion: v1\nkind: Secret\n---\napiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\n'), true);
    assert.equal(mentionsStackGresApiVersion('apiVersion: v1\nkind: List\nitems:\n  - apiVersion: "stackgres.io/v1"\n    kind: SGCluster\n'), true);
    assert.equal(mentionsStackGresApiVersion("'apiVersion': 'stackgres.io/v1'\n"), true);
  });

  it('does not take other YAML, nor the words in a value or a comment, for a StackGres document', () => {
    assert.equal(mentionsStackGresApiVersion('apiVersion: apps/v1\nkind: Deployment\n'), false);
    assert.equal(mentionsStackGresApiVersion('# apiVersion: stackgres.io/v1\nname: x\n'), false);
    assert.equal(mentionsStackGresApiVersion('description: "apiVersion: stackgres.io/v1"\n'), false);
    assert.equal(mentionsStackGresApiVersion('apiVersion: notstackgres.io/v1\n'), false);
  });

  it('scans a 5 MB file in a few milliseconds', () => {
    const big = 'key: value\n'.repeat(500_000);
    const started = process.hrtime.bigint();
    assert.equal(mentionsStackGresApiVersion(big), false);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 200, `${ms} ms`);
  });
});
