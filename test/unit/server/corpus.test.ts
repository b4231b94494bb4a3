import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DiagnosticSeverity } from 'vscode-languageserver';
import known from '../../fixtures/corpus-known-invalid.json';
import { corpusFile, corpusFiles, describeWithReference, reference } from '../../reference';
import { Services } from './harness';

const files = corpusFiles();
const listed = known as unknown as Record<string, { codes: string[]; reason: string }>;

describeWithReference('the StackGres corpus (real manifests from the docs and examples)', function () {
  this.timeout(60_000);
  const services = new Services();

  it('is present', () => {
    assert.ok(files.length >= 40, `found ${files.length} corpus files in ${reference?.corpus}`);
  });

  for (const file of files) {
    const expected = listed[file];
    it(`${file}: ${expected ? `only the known errors (${expected.codes.join(', ')})` : 'no error'}`, async () => {
      const errors = (await services.diagnostics(readFileSync(corpusFile(file), 'utf8')))
        .filter((d) => d.severity === DiagnosticSeverity.Error)
        .map((d) => `${String(d.code)} (line ${d.range.start.line + 1}): ${d.message}`);
      if (!expected) {
        assert.deepEqual(errors, []);
        return;
      }
      const codes = new Set(errors.map((e) => e.split(' ')[0]));
      assert.deepEqual([...codes].sort(), [...expected.codes].sort(), `errors: ${errors.join('\n')}`);
    });
  }

  it('lists no file that is not in the corpus', () => {
    for (const f of Object.keys(listed).filter((k) => !k.startsWith('$'))) assert.ok(files.includes(f), f);
  });
}, { perFile: true });
