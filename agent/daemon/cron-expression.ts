// The cron expressions the daemon meets (the inventory schedule), matched in local time with
// Date's own getters. node-cron reads local time through Intl.DateTimeFormat, and the ICU data
// that pulls in kept about 8 MiB resident in an idle daemon (issue 16). What this does not read
// (L, W, #, wrapping ranges, out-of-range values) it leaves to node-cron: `null` here.

/** Allowed values of each field, in node-cron's order: second, minute, hour, day, month, weekday. */
export interface CronFields {
  second: ReadonlySet<number>;
  minute: ReadonlySet<number>;
  hour: ReadonlySet<number>;
  day: ReadonlySet<number>;
  month: ReadonlySet<number>;
  weekday: ReadonlySet<number>;
}

const BOUNDS: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTHS_LONG = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAYS_LONG = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const TOKEN = /^(\*|\d{1,2}|[a-z]{3,9})(?:-(\d{1,2}|[a-z]{3,9}))?(?:\/(\d{1,2}))?$/;

function valueOf(text: string, field: number): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const names = field === 4 ? [MONTHS, MONTHS_LONG] : field === 5 ? [DAYS, DAYS_LONG] : [];
  for (const list of names) {
    const i = list.indexOf(text);
    if (i >= 0) return field === 4 ? i + 1 : i;
  }
  return null;
}

function parseField(text: string, field: number): Set<number> | null {
  const [min, max] = BOUNDS[field]!;
  const out = new Set<number>();
  for (const token of text.split(',')) {
    const m = TOKEN.exec(token);
    if (!m) return null;
    const [, from, to, stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    let first: number | null;
    let last: number | null;
    if (from === '*') {
      if (to !== undefined) return null;
      [first, last] = [min, field === 5 ? 6 : max];
    } else {
      first = valueOf(from!, field);
      // "5/15" means something else to other crons; node-cron decides.
      if (to === undefined && stepText !== undefined) return null;
      last = to === undefined ? first : valueOf(to, field);
    }
    if (first === null || last === null || step < 1 || first < min || last > max || first > last) return null;
    for (let v = first; v <= last; v += step) out.add(field === 5 && v === 7 ? 0 : v);
  }
  return out;
}

/** The fields of a 5- or 6-field expression (or a nickname), or null when node-cron must read it. */
export function parseCron(expression: string): CronFields | null {
  const text = expression.trim().toLowerCase().replace(/\s+/g, ' ');
  const parts = (NICKNAMES[text] ?? text).split(' ');
  if (parts.length === 5) parts.unshift('0');
  if (parts.length !== 6) return null;
  if (parts[3] === '?') parts[3] = '*';
  if (parts[5] === '?') parts[5] = '*';
  const sets = parts.map((p, i) => parseField(p, i));
  if (sets.some((s) => s === null)) return null;
  const [second, minute, hour, day, month, weekday] = sets as Set<number>[];
  return { second: second!, minute: minute!, hour: hour!, day: day!, month: month!, weekday: weekday! };
}

/** Every field must match (node-cron's rule, day and weekday included), in local time. */
export function cronMatches(f: CronFields, d: Date): boolean {
  return (
    f.second.has(d.getSeconds()) &&
    f.minute.has(d.getMinutes()) &&
    f.hour.has(d.getHours()) &&
    f.day.has(d.getDate()) &&
    f.month.has(d.getMonth() + 1) &&
    f.weekday.has(d.getDay())
  );
}

/** The first whole second after `after` that matches, or null when none does within about 8 years (e.g. 30 February). */
export function nextCronRun(f: CronFields, after: Date): Date | null {
  const d = new Date(after.getTime());
  d.setMilliseconds(0);
  d.setSeconds(d.getSeconds() + 1);
  const limit = after.getTime() + 8 * 366 * 86_400_000;
  // Whole days, hours and minutes that cannot match are skipped at once: a few hundred steps at most a year.
  while (d.getTime() <= limit) {
    const before = d.getTime();
    if (!f.month.has(d.getMonth() + 1) || !f.day.has(d.getDate()) || !f.weekday.has(d.getDay())) {
      d.setHours(24, 0, 0, 0);
    } else if (!f.hour.has(d.getHours())) {
      d.setHours(d.getHours() + 1, 0, 0, 0);
    } else if (!f.minute.has(d.getMinutes())) {
      d.setMinutes(d.getMinutes() + 1, 0, 0);
    } else if (!f.second.has(d.getSeconds())) {
      d.setSeconds(d.getSeconds() + 1, 0);
    } else {
      return d;
    }
    // A local hour that repeats when the clock goes back must not hold the walk in place.
    if (d.getTime() <= before) d.setTime(before + 1000);
  }
  return null;
}
