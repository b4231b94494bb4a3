import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '@core/codes';
import type { CliIo } from '../../cli/src/io';
import { main } from '../../cli/src/main';

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

describe('README: Checks in CI', () => {
  const section = /## Checks in CI[\s\S]*?(?=\n## )/.exec(readme)?.[0] ?? '';

  it('shows the command, a GitHub Actions step uploading SARIF, and pre-commit hooks', () => {
    assert.match(section, /npx stackgres-backups lint manifests\//);
    assert.match(section, /--format sarif [^\n]*> stackgres\.sarif/);
    assert.match(section, /uses: github\/codeql-action\/upload-sarif@v\d/);
    assert.match(section, /repo: local/);
    assert.match(section, /\.git\/hooks\/pre-commit/);
  });

  it('names only options that lint has', async () => {
    const out: string[] = [];
    const io: CliIo = { cwd: path.resolve(__dirname, '../..'), stdout: (t) => out.push(t), stderr: (t) => out.push(t), schemasDir: path.resolve(__dirname, '../../schemas') };
    assert.equal(await main(['lint', '--help'], io), 0);
    // Options in the prose and on the command lines of lint itself (the Git and npm ones are theirs).
    const prose = section.replace(/```[\s\S]*?```/g, '').replace(/`(?:npm|npx|git) [^`]*`/g, '');
    const commandLines = section.split('\n').filter((l) => /stackgres-backups lint /.test(l)).map((l) => l.slice(l.indexOf('stackgres-backups lint')));
    const options = new Set([prose, ...commandLines].join('\n').match(/--[a-z][a-z-]+/g));
    assert.ok(options.size >= 4, [...options].join(' '));
    for (const option of options) assert.ok(out.join('').includes(option), option);
  });
});
