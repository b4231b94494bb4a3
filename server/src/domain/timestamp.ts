/**
 * `restoreToTimestamp` is read by the operator with Java's `Instant.parse`: a date, `T`, a time with
 * seconds, optional fraction (up to 9 digits) and a zone (`Z` or `±HH:MM`). Anything else is rejected when
 * the SGCluster is applied.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export interface InstantCheck {
  readonly ok: boolean;
  /** The instant in UTC when ok. */
  readonly date?: Date;
  /** A corrected value when the input is a near miss we can repair without guessing the time zone wrongly. */
  readonly suggestion?: string;
  readonly problem?: string;
}

export function checkInstant(value: string): InstantCheck {
  const m = INSTANT.exec(value);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    if (!validDate(+y, +mo, +d) || +h > 23 || +mi > 59 || +s > 59) {
      return { ok: false, problem: `\`${value}\` is not a real date and time.` };
    }
    if (zone !== 'Z') {
      const [zh, zm] = zone.slice(1).split(':').map(Number);
      if (zh > 18 || zm > 59) return { ok: false, problem: `\`${zone}\` is not a valid UTC offset.` };
    }
    return { ok: true, date: new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? frac.slice(0, 4) : ''}${zone}`) };
  }
  const suggestion = repair(value);
  const hint = suggestion ? ` Did you mean \`${suggestion}\`?` : '';
  return {
    ok: false,
    suggestion,
    problem: `\`${value}\` is not a timestamp the operator accepts. Write it as YYYY-MM-DDThh:mm:ssZ in UTC, e.g. \`2024-01-15T10:30:00Z\` (a fraction and an offset like +01:00 are allowed; seconds and the zone are required).${hint}`,
  };
}

export function formatInstant(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** Near misses: a space instead of `T`, missing seconds, missing zone (read as UTC, as the field's doc says). */
function repair(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d{1,9})?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  if (!m) return undefined;
  const [, date, hm, sec, , zoneRaw] = m;
  let zone = 'Z';
  if (zoneRaw && !/^(z|utc)$/i.test(zoneRaw)) zone = zoneRaw.includes(':') ? zoneRaw : `${zoneRaw.slice(0, 3)}:${zoneRaw.slice(3)}`;
  const candidate = `${date}T${hm}${sec ?? ':00'}${zone}`;
  return candidate !== value && checkInstant(candidate).ok ? candidate : undefined;
}
