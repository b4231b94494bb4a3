import * as assert from 'node:assert/strict';
import { checkInstant, formatInstant } from '@core/timestamp';

describe('restoreToTimestamp as Instant.parse reads it', () => {
  it('accepts Z, fractions up to 9 digits and offsets', () => {
    for (const v of ['2024-01-15T10:30:00Z', '2024-01-15T10:30:00.123Z', '2024-01-15T10:30:00.123456789Z', '2024-01-15T10:30:00+01:00']) {
      assert.equal(checkInstant(v).ok, true, v);
    }
    assert.equal(checkInstant('2024-01-15T10:30:00+01:00').date?.toISOString(), '2024-01-15T09:30:00.000Z');
  });

  it('refuses missing seconds, missing zone, a space for T and impossible dates', () => {
    for (const v of ['2024-01-15T10:30Z', '2024-01-15T10:30:00', '2024-01-15 10:30:00Z', '2024-02-30T10:00:00Z', '2024-01-15T24:00:00Z', 'yesterday']) {
      assert.equal(checkInstant(v).ok, false, v);
    }
  });

  it('suggests a repair for near misses, reading a missing zone as UTC', () => {
    assert.equal(checkInstant('2024-01-15 10:30:00').suggestion, '2024-01-15T10:30:00Z');
    assert.equal(checkInstant('2024-01-15T10:30Z').suggestion, '2024-01-15T10:30:00Z');
    assert.equal(checkInstant('2024-01-15T10:30:00 +0100').suggestion, '2024-01-15T10:30:00+01:00');
    assert.equal(checkInstant('2024-02-30 10:30:00').suggestion, undefined);
  });

  it('formats instants the way the operator writes them', () => {
    assert.equal(formatInstant(new Date('2024-01-15T10:30:00.000Z')), '2024-01-15T10:30:00Z');
  });
});
