/**
 * The text of a `<TLI>.history.<ext>` object as wal-g stores it: compressed with the backup's compression
 * (lz4 by default, zstd, brotli, lzma) and, with libsodium or OpenPGP encryption, unreadable without a key
 * this extension never has. Either the text or one sentence saying why not; the caller then takes the
 * switch point from the listing and marks it as an estimate.
 */
import { brotliDecompressSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { decompress as lz4Decompress, decompressBound as lz4DecompressBound } from 'lz4js';
import { compressionOfExtension } from '@core/walg';

/** A history file has one short line per ancestor timeline: anything near this size is not one. */
export const HISTORY_TEXT_LIMIT = 1024 * 1024;

export type HistoryText = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: string };

const UNREADABLE = 'encrypted (wal-g libsodium or OpenPGP: the key is not available here) or damaged';

function tooLarge(): HistoryText {
  return { ok: false, problem: `it decompresses to more than ${HISTORY_TEXT_LIMIT / 1024 / 1024} MiB, which no timeline history file does` };
}

function decoded(bytes: Uint8Array): HistoryText {
  // A history file is ASCII text: a NUL or invalid UTF-8 means the bytes were not one (still encrypted, or damaged).
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.includes('\u0000') || text.includes('\ufffd')) return { ok: false, problem: `it is not a text file: ${UNREADABLE}` };
  return { ok: true, text };
}

export function timelineHistoryText(body: Uint8Array, extension: string | undefined): HistoryText {
  if (extension === undefined) return decoded(body);
  const compression = compressionOfExtension(extension);
  try {
    switch (compression) {
      case 'brotli': {
        return decoded(brotliDecompressSync(body, { maxOutputLength: HISTORY_TEXT_LIMIT }));
      }
      case 'lz4': {
        // The frame's declared size decides the buffer: refuse a frame that claims more than a history file holds.
        if (lz4DecompressBound(body) > 8 * HISTORY_TEXT_LIMIT) return tooLarge();
        const out = lz4Decompress(body);
        return out.byteLength > HISTORY_TEXT_LIMIT ? tooLarge() : decoded(out);
      }
      case 'zstd': {
        // Into a fixed buffer: never the size a (possibly hostile) frame header asks for. The text ends at the first NUL.
        const out = zstdDecompress(body, new Uint8Array(HISTORY_TEXT_LIMIT + 1));
        const end = out.indexOf(0);
        if (end < 0) return tooLarge();
        return decoded(out.subarray(0, end));
      }
      case 'lzma':
        return { ok: false, problem: 'lzma-compressed history files are not read here (no lzma decoder is bundled)' };
      default:
        return { ok: false, problem: `.${extension} is not a compression wal-g uses: ${UNREADABLE}` };
    }
  } catch (err) {
    // Brotli's maxOutputLength and a zstd frame overflowing the fixed buffer both end here.
    if (err instanceof RangeError) return tooLarge();
    return { ok: false, problem: `it is not a valid ${compression} file: ${UNREADABLE}` };
  }
}
