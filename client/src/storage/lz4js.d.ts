/** The part of lz4js (pure JavaScript, no types of its own) that reads wal-g's lz4 frames. */
declare module 'lz4js' {
  /** Decompresses one lz4 frame; throws on a bad magic number or descriptor. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** The buffer size `decompress` would allocate for `src`: the frame's content size, else its blocks' maximum. */
  export function decompressBound(src: Uint8Array): number;
}
