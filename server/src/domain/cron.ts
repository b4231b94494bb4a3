/**
 * `cronSchedule` as Kubernetes reads it: StackGres copies it verbatim into a CronJob, whose schedule is a
 * 5-field expression (minute hour day-of-month month day-of-week) or a descriptor such as `@daily`,
 * evaluated in UTC. Ranges, steps, lists and names are checked by cron-parser; what cron-parser accepts
 * beyond Kubernetes (seconds field, `L`, `W`, `#`, `H`, day-of-week 7) is refused here.
 */
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';

export type CronCheck =
  | {
      readonly ok: true;
      readonly neverRuns: false;
      readonly description: string;
      readonly nextRuns: (from: Date, count: number) => Date[];
      /** The latest run at or before `at`; undefined for `@every` (counted from when the CronJob was made, unknown here). */
      readonly lastRunAtOrBefore: (at: Date) => Date | undefined;
      /** For `@every <duration>`: the interval in milliseconds. */
      readonly everyMs?: number;
    }
  | { readonly ok: true; readonly neverRuns: true; readonly description: string; readonly reason: string }
  | { readonly ok: false; readonly problem: string };

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const;
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

const memo = new Map<string, CronCheck>();

/** Checks are pure and schedules repeat across clusters: each distinct expression is checked once. */
export function checkCron(input: string): CronCheck {
  let result = memo.get(input);
  if (!result) {
    result = checkCronUncached(input);
    if (memo.size > 5_000) memo.clear();
    memo.set(input, result);
  }
  return result;
}

function checkCronUncached(input: string): CronCheck {
  const expr = input.trim().replace(/\s+/g, ' ');
  if (expr === '') return { ok: false, problem: 'The schedule is empty. Remove `cronSchedule` to disable scheduled backups, or set one such as `0 5 * * *` (05:00 UTC every day).' };
  if (/^(CRON_)?TZ=/.test(expr)) {
    return { ok: false, problem: 'Kubernetes refuses `TZ=` or `CRON_TZ=` in a CronJob schedule, and StackGres schedules always run in UTC. Remove the prefix and convert the time to UTC.' };
  }
  if (expr.startsWith('@every ')) {
    const dur = expr.slice('@every '.length).trim();
    if (!GO_DURATION.test(dur)) return { ok: false, problem: `\`${dur}\` is not a duration Kubernetes understands (examples: \`90m\`, \`6h\`).` };
    return { ok: true, neverRuns: false, description: `Every ${dur}, counted from when the CronJob is created`, nextRuns: () => [], lastRunAtOrBefore: () => undefined, everyMs: goDurationMs(dur) };
  }
  let fiveFields = expr;
  if (expr.startsWith('@')) {
    const mapped = DESCRIPTORS[expr.toLowerCase()];
    if (!mapped) return { ok: false, problem: `\`${expr}\` is not a schedule descriptor. Kubernetes knows ${Object.keys(DESCRIPTORS).join(', ')} and @every <duration>.` };
    fiveFields = mapped;
  }
  const fields = fiveFields.split(' ');
  if (fields.length !== 5) {
    return {
      ok: false,
      problem: `A schedule has 5 fields (minute hour day-of-month month day-of-week); this one has ${fields.length}.${fields.length === 6 ? ' Kubernetes has no seconds field.' : ''} Example: \`0 5 * * *\` runs at 05:00 UTC every day.`,
    };
  }
  for (let i = 0; i < 5; i++) {
    const f = fields[i];
    const unsupported = /[LW#H]/i.exec(f.replace(/[A-Za-z]{3}/g, (name) => (isCronName(name, i) ? '' : name)));
    if (unsupported) {
      return { ok: false, problem: `The ${FIELD_NAMES[i]} field \`${f}\` uses \`${unsupported[0]}\`, which Kubernetes cron does not support (only numbers, names, \`*\`, \`?\`, \`-\`, \`,\` and \`/\`).` };
    }
    if (i === 4 && /(^|[,\-/])7($|[,\-/])/.test(f) && !/\/7($|,)/.test(f)) {
      return { ok: false, problem: `Day of week \`7\` is out of range for Kubernetes (0-6, Sunday is 0). Use \`0\` or \`SUN\`.` };
    }
  }
  const normalized = fields.map((f) => (f === '?' ? '*' : f)).join(' ');
  const description = describe(expr);
  try {
    CronExpressionParser.parse(normalized, { tz: 'UTC' });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/day of month/i.test(message) && parses([fields[0], fields[1], '*', fields[3], fields[4]].join(' '))) {
      return {
        ok: true,
        neverRuns: true,
        description,
        reason: `Day ${fields[2]} never occurs in month ${fields[3]}, so this schedule never fires and no base backup is ever taken automatically.`,
      };
    }
    return { ok: false, problem: explainParserError(message, fields) };
  }
  return {
    ok: true,
    neverRuns: false,
    description,
    nextRuns: (from: Date, count: number) => {
      const it = CronExpressionParser.parse(normalized, { tz: 'UTC', currentDate: from });
      return it.take(count).map((d) => d.toDate());
    },
    lastRunAtOrBefore: (at: Date) => {
      // prev() is strictly before its start: start 1 ms later so a run exactly at `at` counts.
      const it = CronExpressionParser.parse(normalized, { tz: 'UTC', currentDate: new Date(at.getTime() + 1) });
      return it.hasPrev() ? it.prev().toDate() : undefined;
    },
  };
}

const GO_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`1h30m`, `90m`) in milliseconds; the caller checked its shape with GO_DURATION. */
function goDurationMs(dur: string): number {
  let ms = 0;
  for (const m of dur.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * GO_UNIT_MS[m[2]];
  return ms;
}

function parses(expr: string): boolean {
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC' });
    return true;
  } catch {
    return false;
  }
}

function isCronName(name: string, field: number): boolean {
  const n = name.toUpperCase();
  if (field === 3) return ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'].includes(n);
  if (field === 4) return ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'].includes(n);
  return false;
}

/** cronstrue's sentence, with 24-hour times and "(UTC)" since StackGres schedules run in UTC. */
export function describe(expr: string): string {
  try {
    return `${cronstrue.toString(expr, { use24HourTimeFormat: true, verbose: false })} (UTC)`;
  } catch {
    return expr;
  }
}

function explainParserError(message: string, fields: string[]): string {
  const range = /got value (\S+) expected range (\d+)-(\d+)/.exec(message);
  if (range) {
    const field = guessField(range[1], Number(range[2]), Number(range[3]));
    return `${field ? `The ${field} field` : 'A field'} has \`${range[1]}\`, outside ${range[2]}-${range[3]}.${field === 'day of month' || field === 'month' ? ' Days and months start at 1.' : ''} Fields: minute hour day-of-month month day-of-week.`;
  }
  return `\`${fields.join(' ')}\` is not a valid schedule (${message.replace(/\.$/, '')}). Fields: minute hour day-of-month month day-of-week, e.g. \`0 5 * * *\`.`;
}

function guessField(_value: string, min: number, max: number): string | undefined {
  if (min === 0 && max === 59) return 'minute';
  if (min === 0 && max === 23) return 'hour';
  if (min === 1 && max === 31) return 'day of month';
  if (min === 1 && max === 12) return 'month';
  if (min === 0 && (max === 7 || max === 6)) return 'day of week';
  return undefined;
}
