/**
 * Waiting without a fixed sleep, for what gives no event to wait on (a log line flushed, a watch caught up,
 * an extension becoming active). One helper for the unit run, the extension-host suite (test/integration is
 * bundled with it) and the e2e drivers, so no Node or vscode import here.
 */

/** Thrown at the deadline, so a caller can tell a timeout from a probe's own failure. */
export class TimedOut extends Error {
  override readonly name = 'TimedOut';
}

/** Calls `probe` until it returns something other than undefined or false, or throws TimedOut at the deadline. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new TimedOut(`Waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
