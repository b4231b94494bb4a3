import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '@core/codes';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('starts with the two commands: run the product, run every test', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(firstBlock, /npm run demo/);
    assert.match(firstBlock, /npm test/);
  });

  it('lists every diagnostic code with its severity', () => {
    for (const [code, info] of Object.entries(RULES)) {
      assert.match(readme, new RegExp(`\\| \`${code}\` \\| ${info.severity} \\|`), code);
    }
  });

  it('names the standalone server command', () => {
    assert.match(readme, /node dist\/server\.js --stdio/);
  });
});
