/**
 * Bad input never crashes or hangs the server, and never yields StackGres errors about what it cannot
 * understand. Each case waits for the server's answer with a deadline and then checks the server still serves.
 */
import * as assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import { LspClient } from './client';

const CLUSTER_HEAD = 'apiVersion: stackgres.io/v1\nkind: SGCluster\nmetadata: {name: c}\n';
const STORAGE = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s}\nspec:\n  type: s3\n  s3:\n    bucket: my-bucket\n    awsCredentials: {useIAMRole: true}\n';

describe('bad input', function () {
  this.timeout(60_000);
  let client: LspClient;
  let n = 0;
  const next = () => `file:///bad/${++n}.yaml`;

  before(async () => {
    client = await LspClient.start(undefined, { validationDelay: 0, maxFileSizeMB: 5 });
  });

  afterEach(async () => {
    // The server still answers after every case.
    const uri = next();
    client.open(uri, STORAGE);
    assert.deepEqual(await client.diagnosticsFor(uri), []);
    assert.ok(client.alive, 'server alive');
  });

  after(async () => {
    await client?.stop();
  });

  async function diagnose(text: string) {
    const uri = next();
    client.open(uri, text);
    return { uri, diagnostics: await client.diagnosticsFor(uri, 30_000) };
  }

  it('non-YAML text gets nothing from us', async () => {
    const { diagnostics } = await diagnose('# Release notes\n\n* item: one\n  - [broken\n{"json": true, "apiVersion": "v1"}\n');
    assert.deepEqual(diagnostics, []);
  });

  it('binary bytes get nothing from us', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    assert.deepEqual((await diagnose(bytes)).diagnostics, []);
  });

  it('a StackGres document with a syntax error gets a syntax error, not rule noise', async () => {
    const { diagnostics } = await diagnose(STORAGE.replace('bucket: my-bucket', 'bucket: [b'));
    assert.ok(diagnostics.length > 0);
    assert.ok(diagnostics.every((d) => d.code === 'yaml-syntax' || String(d.code).startsWith('schema-')), JSON.stringify(diagnostics.map((d) => d.code)));
  });

  it('a 20 MB file is answered quickly with one note, and completion still works in it', async () => {
    let text = '';
    for (let i = 0; text.length < 20 * 1024 * 1024; i++) text += `${i ? '---\n' : ''}${STORAGE.replace('name: s', `name: s${i}`)}`;
    const { uri, diagnostics } = await diagnose(text);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['file-too-large', DiagnosticSeverity.Information]]);
    assert.match(diagnostics[0].message, /20 MB/);
    const items = await client.completion(uri, { line: 4, character: 8 });
    assert.ok(items.some((i) => i.label === 's3Compatible'));
  });

  it('500-deep nesting, block and flow', async () => {
    const block = CLUSTER_HEAD + 'spec:\n' + Array.from({ length: 500 }, (_, i) => `${' '.repeat(2 * (i + 1))}a${i}:`).join('\n') + ' 1\n';
    const flow = CLUSTER_HEAD + 'spec: ' + '['.repeat(500) + ']'.repeat(500) + '\n';
    for (const text of [block, flow]) {
      const { diagnostics } = await diagnose(text);
      assert.ok(diagnostics.length > 0, 'the schema still reports the wrong shape');
    }
  });

  it('tabs for indentation: a syntax error, no crash', async () => {
    const { diagnostics } = await diagnose(STORAGE.replace('    bucket: my-bucket', '\t\tbucket: my-bucket'));
    assert.ok(diagnostics.some((d) => d.code === 'yaml-syntax'));
  });

  it('anchors, aliases and merge keys are followed; an alias bomb is refused without blowing up', async () => {
    const merged = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s}\nbase: &creds\n  useIAMRole: true\nspec:\n  type: s3\n  s3:\n    bucket: my-bucket\n    awsCredentials:\n      <<: *creds\n';
    const { diagnostics } = await diagnose(merged);
    assert.deepEqual(diagnostics.filter((d) => d.code !== 'schema-unknown-field').map((d) => d.code), [], 'the merge key provides useIAMRole');
    const bomb = CLUSTER_HEAD + 'spec:\n  a: &a ["x","x","x","x","x","x","x","x","x"]\n' + 'bcdefgh'.split('').map((c, i) => `  ${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`).join('\n') + '\n';
    await diagnose(bomb);
  });

  // Found by test/lsp/fuzz.test.ts (seeds 61 and 166): the first hung the server, the second failed every completion.
  it('an alias inside the node it names is one syntax error on the alias; completion and hover still answer', async () => {
    const inSequence = 'apiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata: {name: s}\nspec:\n  type: azureBlob\n  azureBlob: &x\n    bucket: [*x, *x]\n';
    const inMerge = `${CLUSTER_HEAD}spec: &m\n  initialData:\n    restore:\n      fromBackup:\n        <<: *m\n        name: b\n`;
    for (const [text, line, alias] of [[inSequence, 6, '*x'], [inMerge, 7, '*m']] as const) {
      const { uri, diagnostics } = await diagnose(text);
      assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['yaml-syntax', line]], JSON.stringify(diagnostics));
      assert.ok(diagnostics[0].message.includes(`alias \`${alias}\``) && /contains itself/.test(diagnostics[0].message), diagnostics[0].message);
      const lines = text.split('\n');
      for (let l = 0; l < lines.length; l++) {
        await client.completion(uri, { line: l, character: lines[l].length });
        await client.hover(uri, { line: l, character: Math.max(0, lines[l].length - 1) });
      }
    }
  });

  // Found by test/lsp/fuzz.test.ts (seed 3925, CI at 2,000 ms): every YAML reader resolves an alias by walking the
  // whole document and copying the path at each level, so aliases in a 500-level document took 1.3-2 s per check.
  it('aliases in a document nested hundreds of levels deep: one syntax error on the first alias; 60 levels still read', async () => {
    const nested = (levels: number) => `${'{a: '.repeat(levels)}1${'}'.repeat(levels)}`;
    const withAliases = (levels: number) =>
      STORAGE.replace('    bucket: my-bucket\n', `    bucket: my-bucket\n    region: ${nested(levels)}\n`) + 'x0: &b0 [1, 2]\n' + Array.from({ length: 40 }, (_, i) => `y${i}: *b0`).join('\n') + '\n';
    const deep = await diagnose(withAliases(500));
    assert.deepEqual(deep.diagnostics.map((d) => d.code), ['yaml-syntax'], JSON.stringify(deep.diagnostics));
    assert.match(deep.diagnostics[0].message, /more than 64 levels deep and uses aliases such as `\*b0`/);
    assert.equal(deep.diagnostics[0].range.start.line, withAliases(500).split('\n').findIndex((l) => l.startsWith('y0:')));
    const shallow = await diagnose(withAliases(60));
    assert.ok(!shallow.diagnostics.some((d) => d.code === 'yaml-syntax'), JSON.stringify(shallow.diagnostics));
    assert.ok(shallow.diagnostics.some((d) => d.code?.toString().startsWith('schema-')), 'the 60-level document is still checked');
  });

  // Found by test/lsp/fuzz.test.ts (seeds 627 and 233): no diagnostics at all for the first (the reader's stack
  // overflowed after seconds), nine seconds for the second.
  it('a thousand `- ` in a row: one syntax error, quickly; completion and hover still answer', async () => {
    const storageClass = (value: string) => STORAGE.replace('    bucket: my-bucket\n', `    bucket: my-bucket\n    storageClass: ${value}\n`);
    for (const [text, line] of [[storageClass(`'a'${'- '.repeat(20_000)}`), 7], [storageClass(`\n      ${'- '.repeat(1_000)}x`), 8]] as const) {
      const started = Date.now();
      const { uri, diagnostics } = await diagnose(text);
      assert.ok(Date.now() - started < 2_000, `answered in ${Date.now() - started} ms`);
      assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['yaml-syntax', line]]);
      assert.match(diagnostics[0].message, /a hundred lists or more in one line/);
      await client.completion(uri, { line: 8, character: 10 });
      await client.hover(uri, { line: 8, character: 10 });
    }
  });

  it('duplicate keys are a syntax error on the duplicate', async () => {
    const { diagnostics } = await diagnose(STORAGE.replace('  type: s3\n', '  type: s3\n  type: gcs\n'));
    assert.ok(diagnostics.some((d) => d.code === 'yaml-syntax' && d.range.start.line === 5), JSON.stringify(diagnostics));
  });

  it('documents without kind or apiVersion get nothing', async () => {
    assert.deepEqual((await diagnose('metadata: {name: x}\nspec:\n  type: s3\n---\nkind: SGCluster\n---\n')).diagnostics, []);
  });

  it('Helm templates are skipped and said so once', async () => {
    const helm = '{{- if .Values.backups.enabled }}\napiVersion: stackgres.io/v1beta1\nkind: SGObjectStorage\nmetadata:\n  name: {{ include "name" . }}\nspec:\n  type: {{ .Values.backups.type | quote }}\n{{- end }}\n';
    const { diagnostics } = await diagnose(helm);
    assert.deepEqual(diagnostics.map((d) => d.code), ['helm-template-skipped']);
  });
});
