import * as assert from 'node:assert/strict';
import { TimedOut, waitFor } from '../poll';

describe('waitFor (test/poll.ts)', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    const answers = [undefined, false, 0, 1];
    assert.equal(await waitFor('a value', () => answers.shift(), 1_000, 1), 0);
  });

  it('throws TimedOut, naming what it waited for, once the deadline passes', async () => {
    const started = Date.now();
    await assert.rejects(waitFor('the never-true thing', () => false, 50, 5), (err: unknown) => err instanceof TimedOut && /Waited 50 ms for the never-true thing/.test(err.message));
    assert.ok(Date.now() - started >= 50);
  });

  it('lets a failing probe fail at once', async () => {
    await assert.rejects(waitFor('a probe that throws', () => { throw new Error('probe failed'); }, 5_000, 5), /probe failed/);
  });
});
