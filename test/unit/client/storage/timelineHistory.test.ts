/**
 * History files as wal-g stores them: each compression read back to the text, and every unreadable one
 * (encrypted, lzma, an unknown extension, a decompression bomb) one sentence, never an exception.
 */
import * as assert from 'node:assert/strict';
import { brotliCompressSync } from 'node:zlib';
import { HISTORY_TEXT_LIMIT, timelineHistoryText } from '../../../../client/src/storage/timelineHistory';
import { HISTORY_2, HISTORY_2_STORED } from '../../../s3/seed';

/** 2 MiB of `a`, by `zstd` 1.5.4: 89 bytes that would fill twice the limit. */
const ZSTD_2MIB = Buffer.from('KLUv/QRYVAAAEGFhAQD7/znAAgIAEGECABBhAgAQYQIAEGECABBhAgAQYQIAEGECABBhAgAQYQIAEGECABBhAgAQYQIAEGECABBhAwAQYf9FsJU=', 'base64');

describe('Timeline history files as wal-g stores them', () => {
  it('plain, lz4, zstd and brotli are read back to the same text', () => {
    assert.deepEqual(timelineHistoryText(Buffer.from(HISTORY_2), undefined), { ok: true, text: HISTORY_2 });
    assert.deepEqual(timelineHistoryText(HISTORY_2_STORED.lz4, 'lz4'), { ok: true, text: HISTORY_2 });
    assert.deepEqual(timelineHistoryText(HISTORY_2_STORED.zst, 'zst'), { ok: true, text: HISTORY_2 });
    assert.deepEqual(timelineHistoryText(HISTORY_2_STORED.br, 'br'), { ok: true, text: HISTORY_2 });
  });

  it('encrypted bytes under each extension: unreadable, and says why', () => {
    for (const ext of [undefined, 'lz4', 'zst', 'br']) {
      const r = timelineHistoryText(HISTORY_2_STORED.encrypted, ext);
      assert.equal(r.ok, false, String(ext));
      assert.match(!r.ok ? r.problem : '', /encrypted \(wal-g libsodium or OpenPGP: the key is not available here\) or damaged$/, String(ext));
    }
  });

  it('lzma and unknown extensions are said plainly', () => {
    assert.deepEqual(timelineHistoryText(Buffer.from('x'), 'lzma'), { ok: false, problem: 'lzma-compressed history files are not read here (no lzma decoder is bundled)' });
    assert.match((timelineHistoryText(Buffer.from('x'), 'gpg') as { problem: string }).problem, /^\.gpg is not a compression wal-g uses/);
  });

  it('a small file that decompresses past the limit is refused, not inflated', () => {
    const tooLarge = `it decompresses to more than ${HISTORY_TEXT_LIMIT / 1024 / 1024} MiB, which no timeline history file does`;
    assert.deepEqual(timelineHistoryText(ZSTD_2MIB, 'zst'), { ok: false, problem: tooLarge });
    assert.deepEqual(timelineHistoryText(brotliCompressSync(Buffer.alloc(2 * HISTORY_TEXT_LIMIT, 'a')), 'br'), { ok: false, problem: tooLarge });
  });
});
