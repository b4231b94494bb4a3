import * as assert from 'node:assert/strict';
import { cleanLogText, LogBuffer } from '../../../client/src/backupLogText';

describe('backup log text (untrusted)', () => {
  it('removes terminal escapes, control and bidi characters; keeps tabs and newlines', () => {
    const raw = '\u001b[31mERROR\u001b[0m: bad\r\nnext\rline\u0007\u0000 \u202Eevil\u202C\tend\u001b]0;title\u0007';
    assert.equal(cleanLogText(raw), 'ERROR: bad\nnext\nline evil\tend');
  });

  it('an escape split across chunks is still removed', () => {
    const b = new LogBuffer(1000);
    b.append('INFO: \u001b[3');
    b.append('2mgreen\u001b[0m\nsecond');
    assert.equal(b.text(), 'INFO: green\n');
    b.flush();
    assert.equal(b.text(), 'INFO: green\nsecond\n');
  });

  it('keeps only the newest lines within the byte bound and counts what it dropped', () => {
    const b = new LogBuffer(21);
    for (let i = 0; i < 10; i++) b.append(`line ${i}\n`);
    assert.equal(b.text(), 'line 7\nline 8\nline 9\n');
    assert.equal(b.dropped, 7 * 7);
    assert.ok(Buffer.byteLength(b.text()) <= 21);
  });

  it('a line longer than the bound keeps its end; an endless line is bounded too', () => {
    const b = new LogBuffer(10);
    b.append(`${'x'.repeat(30)}END\n`);
    assert.equal(b.text(), 'xxxxxxEND\n');
    const endless = new LogBuffer(10);
    for (let i = 0; i < 100; i++) endless.append('yyyyyyyyyy');
    assert.ok(Buffer.byteLength(endless.text()) <= 10, endless.text());
  });
});
