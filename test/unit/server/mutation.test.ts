/**
 * Faults injected into the clean corpus manifests must each be reported on the line where they were made.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpusFile, describeWithReference } from '../../reference';
import { Services } from './harness';
import { cleanCorpusFiles, mutants } from './mutants';

describeWithReference('mutation: faults injected into the corpus are reported on the injected line', function () {
  this.timeout(120_000);
  const services = new Services();
  const all = cleanCorpusFiles().flatMap((file) => mutants(readFileSync(corpusFile(file), 'utf8')).map((m) => ({ file, ...m })));

  it('covers every kind of fault many times over', () => {
    const byFault = new Map<string, number>();
    for (const m of all) byFault.set(m.fault, (byFault.get(m.fault) ?? 0) + 1);
    for (const fault of ['unknown field', 'wrong type', 'bad enum', 'two storage sections', 'missing required field', 'bad cron', 'bad PITR timestamp']) {
      assert.ok((byFault.get(fault) ?? 0) >= 2, `${fault}: ${byFault.get(fault) ?? 0} mutants`);
    }
    assert.ok(all.length >= 100, `${all.length} mutants`);
  });

  for (const m of all) {
    it(`${m.file}: ${m.fault} (line ${m.line + 1})`, async () => {
      const diags = await services.diagnostics(m.text);
      const onLine = diags.filter((d) => d.range.start.line <= m.line && d.range.end.line >= m.line);
      assert.ok(onLine.length > 0, `no diagnostic on line ${m.line + 1}: ${JSON.stringify(m.text.split('\n')[m.line])}\nall: ${diags.map((d) => `${d.range.start.line + 1}:${String(d.code)}`).join(', ')}`);
    });
  }
}, { perFile: true });
