/**
 * How much memory V8 may hold beyond what the server uses, while the user types. Each edit of a large file
 * makes megabytes of short-lived garbage (its text, parse trees, line tables): left to its defaults, V8 grows
 * the young generation to 32 MiB and lets large dead objects pile up to tens of megabytes before it collects
 * them, so resident memory grew 1.4x within 100 edits while the live heap stayed flat. Measured with
 * `npm run bench -- memory` and `npm run bench -- lsp` (test/bench/README.md).
 */

/** Node flags the server is started with: by the extension's client, the LSP tests and the benchmarks (other editors add them, see README). */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/**
 * V8 reads this at every full collection, so the server sets it itself, however it was started: the old
 * generation may grow 10% over what survived before the next full collection, instead of up to 4x.
 */
export const RUNTIME_V8_FLAGS = '--heap-growing-percent=10';

/** The schema worker's young generation (its semi-spaces and new large objects), as the main thread's flag gives. */
export const WORKER_YOUNG_GENERATION_MB = 12;
