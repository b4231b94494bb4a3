import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DiagnosticSeverity } from 'vscode-languageserver';
import known from '../../fixtures/corpus-known-invalid.json';
import { Services, SHARED } from './harness';

const CORPUS = path.join(SHARED, 'corpus');
const files = ['stackgres-docs', 'stackgres-examples'].flatMap((dir) =>
  readdirSync(path.join(CORPUS, dir)).filter((f) => f.endsWith('.yaml')).map((f) => `${dir}/${f}`));
const listed = known as unknown as Record<string, { codes: string[]; reason: string }>;

describe('the StackGres corpus (real manifests from the docs and examples)', function () {
  this.timeout(60_000);
  const services = new Services();

  it('is present', () => {
    assert.ok(files.length >= 40, `found ${files.length} corpus files in ${CORPUS}`);
  });

  for (const file of files) {
    const expected = listed[file];
    it(`${file}: ${expected ? `only the known errors (${expected.codes.join(', ')})` : 'no error'}`, async () => {
      const errors = (await services.diagnostics(readFileSync(path.join(CORPUS, file), 'utf8')))
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
});
