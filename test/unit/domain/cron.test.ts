import * as assert from 'node:assert/strict';
import { checkCron } from '@core/cron';

const from = new Date('2026-01-01T00:00:00Z');

function problem(expr: string): string {
  const r = checkCron(expr);
  assert.equal(r.ok, false, `${expr} should be refused`);
  return (r as { problem: string }).problem;
}

function runs(expr: string, n = 3): string[] {
  const r = checkCron(expr);
  assert.ok(r.ok && !r.neverRuns, `${expr} should be accepted`);
  return r.nextRuns(from, n).map((d) => d.toISOString());
}

describe('cron schedules as Kubernetes reads them', () => {
  it('explains a valid schedule and lists the next runs in UTC', () => {
    const r = checkCron('0 5 * * *');
    assert.ok(r.ok && !r.neverRuns);
    assert.equal(r.description, 'At 05:00 (UTC)');
    assert.deepEqual(runs('0 5 * * *'), ['2026-01-01T05:00:00.000Z', '2026-01-02T05:00:00.000Z', '2026-01-03T05:00:00.000Z']);
  });

  it('accepts steps, ranges, lists, names, ? and descriptors', () => {
    assert.deepEqual(runs('30 02 */4 * *', 2), ['2026-01-01T02:30:00.000Z', '2026-01-05T02:30:00.000Z']);
    assert.deepEqual(runs('0 0 * * MON-FRI', 1), ['2026-01-02T00:00:00.000Z']);
    assert.deepEqual(runs('0 6,18 * JAN,FEB *', 2), ['2026-01-01T06:00:00.000Z', '2026-01-01T18:00:00.000Z']);
    assert.deepEqual(runs('0 0 ? * 1', 1), ['2026-01-05T00:00:00.000Z']);
    assert.deepEqual(runs('@daily', 1), ['2026-01-02T00:00:00.000Z']);
    assert.deepEqual(runs('*/15 * * * *', 2), ['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z']);
  });

  it("refuses the docs' '0 5 0 0 0' with the field and range", () => {
    assert.match(problem('0 5 0 0 0'), /outside 1-(12|31)/);
  });

  it('refuses out-of-range values per field', () => {
    assert.match(problem('61 * * * *'), /minute field has `61`, outside 0-59/);
    assert.match(problem('0 25 * * *'), /hour field has `25`, outside 0-23/);
    assert.match(problem('0 0 32 * *'), /outside 1-31/);
  });

  it('refuses a wrong number of fields, including a seconds field', () => {
    assert.match(problem('0 5 * *'), /has 4/);
    assert.match(problem('0 0 5 * * *'), /Kubernetes has no seconds field/);
    assert.match(problem(''), /empty/);
  });

  it('refuses what cron-parser accepts but Kubernetes does not', () => {
    assert.match(problem('0 0 L * *'), /`L`/);
    assert.match(problem('H 5 * * *'), /`H`/);
    assert.match(problem('0 0 * * 1#2'), /`#`/);
    assert.match(problem('0 0 * * 7'), /Sunday is 0/);
    assert.match(problem('TZ=Europe/Madrid 0 5 * * *'), /TZ=/);
    assert.match(problem('@fortnightly'), /not a schedule descriptor/);
    assert.match(problem('x y z a b'), /not a valid schedule/);
  });

  it("'0 5 31 2 *' is valid for Kubernetes but never fires", () => {
    const r = checkCron('0 5 31 2 *');
    assert.ok(r.ok && r.neverRuns);
    assert.match(r.reason, /never fires/);
  });
});
