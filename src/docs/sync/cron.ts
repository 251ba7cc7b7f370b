import { BosunError } from '../../core/index.js';

/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week, UTC), matched a
 * minute at a time. pg-boss keeps one schedule per queue, so per-library schedules are
 * evaluated here (see schedule.ts) rather than by pg-boss.
 */
export interface Cron {
  expression: string;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Day of month and day of week both restricted: either may match (as in Vixie cron). */
  eitherDay: boolean;
}

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  nameBase?: number;
}

const fields: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: monthNames, nameBase: 1 },
  // 7 is Sunday too.
  { name: 'day of week', min: 0, max: 7, names: dayNames, nameBase: 0 },
];

function invalid(expression: string, why: string): BosunError {
  return new BosunError('INVALID_INPUT', `invalid cron expression "${expression}": ${why}`, {
    hint: 'use five fields, minute hour day-of-month month day-of-week (UTC), e.g. "0 3 * * *" for 03:00 every day',
  });
}

function value(token: string, spec: FieldSpec, expression: string): number {
  const named = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  const n = named >= 0 ? named + (spec.nameBase ?? 0) : /^\d+$/.test(token) ? Number(token) : NaN;
  if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
    throw invalid(expression, `'${token}' is not a valid ${spec.name} (${spec.min}-${spec.max})`);
  }
  return n;
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (range === undefined || range === '' || extra !== undefined)
      throw invalid(expression, `bad ${spec.name} '${item}'`);
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) && Number(stepText) > 0 ? Number(stepText) : NaN;
    if (Number.isNaN(step)) throw invalid(expression, `bad step '${stepText}' in ${spec.name}`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else {
      const [a, b, more] = range.split('-');
      if (a === undefined || more !== undefined) throw invalid(expression, `bad ${spec.name} '${item}'`);
      from = value(a, spec, expression);
      to = b === undefined ? (stepText === undefined ? from : spec.max) : value(b, spec, expression);
      if (to < from) throw invalid(expression, `range '${range}' runs backwards`);
    }
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw invalid(expression, `expected 5 fields, got ${parts.length}`);
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) =>
    parseField(p, fields[i] as FieldSpec, expression),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    expression,
    minutes,
    hours,
    days,
    months,
    weekdays,
    eitherDay: !parts[2]!.startsWith('*') && !parts[4]!.startsWith('*'),
  };
}

export function cronMatches(cron: Cron, at: Date): boolean {
  if (
    !cron.minutes.has(at.getUTCMinutes()) ||
    !cron.hours.has(at.getUTCHours()) ||
    !cron.months.has(at.getUTCMonth() + 1)
  )
    return false;
  const day = cron.days.has(at.getUTCDate());
  const weekday = cron.weekdays.has(at.getUTCDay());
  return cron.eitherDay ? day || weekday : day && weekday;
}

const MINUTE = 60_000;
/** A worker that was down longer than this catches up on the last week only. */
const LOOKBACK = 7 * 24 * 60 * MINUTE;

/** Whether the schedule fires at some minute in (after, upTo]. */
export function cronFiredBetween(cron: Cron, after: Date, upTo: Date): boolean {
  const end = Math.floor(upTo.getTime() / MINUTE) * MINUTE;
  const start = Math.max(Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE, end - LOOKBACK);
  for (let t = start; t <= end; t += MINUTE) if (cronMatches(cron, new Date(t))) return true;
  return false;
}
