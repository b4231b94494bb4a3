import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { commentText, shellWord } from '@core/scriptText';

const HOSTILE = [
  'plain-word_1.2:3@x=y,z+w',
  '',
  'two words',
  'new\nline',
  'carriage\rreturn',
  '`id`',
  '$(id)',
  '${HOME}',
  '$HOME',
  "it's",
  "''",
  '"quoted"',
  'back\\slash\\',
  'a;b|c&&d||e&f>g<h',
  '*?[a-z]~#!',
  '-n',
  '\t\u0001\u001b[31m\u007f',
  'ünïcødé \u2028 \u202e',
];

describe('Values in generated scripts', () => {
  describe('shellWord: one word the shell reads back as exactly the value', () => {
    for (const shell of ['bash', 'sh']) {
      it(`${shell} gives printf each hostile value byte for byte, and runs nothing`, () => {
        for (const value of HOSTILE) {
          const r = spawnSync(shell, ['-c', `printf '%s' ${shellWord(value)}`], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
          assert.equal(r.stdout, value, `${shell}: ${JSON.stringify(value)} as ${shellWord(value)}`);
          assert.equal(r.stderr, '');
        }
      });
    }

    it('leaves plain words bare, so the script reads like the tutorial', () => {
      assert.equal(shellWord('eu-west-1'), 'eu-west-1');
      assert.equal(shellWord('s3://my-bucket'), 's3://my-bucket');
      assert.equal(shellWord('pg backups'), "'pg backups'");
      assert.equal(shellWord("it's"), "'it'\\''s'");
    });
  });

  describe('commentText: text that stays on its comment line', () => {
    it('shows line breaks and other control characters as escapes', () => {
      assert.equal(commentText('ok\ntouch X #'), 'ok\\ntouch X #');
      assert.equal(commentText('a\r\nb\tc\u0000d\u001be\u007ff\u0085g'), 'a\\r\\nb\\tc\\u0000d\\u001be\\u007ff\\u0085g');
    });

    it('shows the Unicode line separators and the bidirectional overrides that disguise a line', () => {
      assert.equal(commentText('a\u2028b\u2029c'), 'a\\u2028b\\u2029c');
      assert.equal(commentText('name\u202egnp.exe\u2066x\u2069'), 'name\\u202egnp.exe\\u2066x\\u2069');
    });

    it('leaves ordinary text, including non-Latin letters and quotes, as it is', () => {
      const text = 'SGBackup démo-1 (cluster ns.pg, "stored" 2026-01-01) — ok; $(x) `y`';
      assert.equal(commentText(text), text);
    });
  });
});
