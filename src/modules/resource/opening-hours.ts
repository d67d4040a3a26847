import type { FieldProblem } from '../../errors/hub-errors';
import type { OpeningHours } from './treatment-resource.entity';

/**
 * Weekly opening hours, in the resource's own time zone. An entry whose `closes` is earlier than
 * its `opens` runs past midnight into the next day (20:00–02:00 on Friday is open until 02:00 on
 * Saturday); `closes` 00:00 means "until midnight". Boundaries are whole minutes: open from
 * `opens` inclusive to `closes` exclusive.
 *
 * The same rule is written twice, once here for the `openNow` field and once as SQL for the
 * `openNow` filter (so that the filter can page and count in the database). Keep them in step:
 * the unit tests pin this one, the integration tests check that both agree.
 */

export const MAX_OPENING_HOURS = 14;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Day of the week (0 = Sunday) and minutes since midnight, on the wall clock of a time zone. */
export interface LocalTime {
  day: number;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    day: WEEKDAYS.indexOf(parts.weekday),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const toMinutes = (hhmm: string): number =>
  Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function isOpenAt(hours: readonly OpeningHours[], at: LocalTime): boolean {
  const yesterday = (at.day + 6) % 7;
  return hours.some((h) => {
    const opens = toMinutes(h.opens);
    const closes = toMinutes(h.closes);
    if (opens < closes) return h.day === at.day && at.minutes >= opens && at.minutes < closes;
    // Past midnight: the evening part on its own day, the small hours on the next.
    return (
      (h.day === at.day && at.minutes >= opens) || (h.day === yesterday && at.minutes < closes)
    );
  });
}

/** Whether the resource is open at `at` (default now), on its own time zone's wall clock. */
export function isOpenNow(
  resource: { hours: readonly OpeningHours[]; timeZone: string },
  at: Date = new Date(),
): boolean {
  return isOpenAt(resource.hours, localTime(at, resource.timeZone));
}

/**
 * The same rule as `isOpenAt`, as a SQL condition on the row alias `r` (columns `hours` jsonb and
 * `time_zone` text), true when the resource is open at the one `?` binding (a timestamptz).
 * Times are compared as `time`, not text, so that collation cannot change the answer.
 */
export const OPEN_AT_SQL = `exists (
  select 1
    from jsonb_to_recordset(r.hours) as h(day int, opens text, closes text)
   cross join lateral (
     select extract(dow from lt)::int as dow, lt::time as t
       from (select (?::timestamptz at time zone r.time_zone) as lt) l
   ) n
   where (h.opens::time < h.closes::time
          and h.day = n.dow and n.t >= h.opens::time and n.t < h.closes::time)
      or (h.opens::time > h.closes::time
          and ((h.day = n.dow and n.t >= h.opens::time)
               or (h.day = (n.dow + 6) % 7 and n.t < h.closes::time))))`;

/** Shape checks for a list of opening hours, under the field path `field` (`input.hours`). */
export function hoursProblems(hours: unknown, field: string): FieldProblem[] {
  if (!Array.isArray(hours)) return [{ field, message: 'must be a list of opening hours' }];
  if (hours.length > MAX_OPENING_HOURS) {
    return [{ field, message: `must have at most ${MAX_OPENING_HOURS} entries` }];
  }
  return hours.flatMap((entry: unknown, i) => entryProblems(entry, `${field}.${i}`));
}

function entryProblems(entry: unknown, path: string): FieldProblem[] {
  if (!entry || typeof entry !== 'object') return [{ field: path, message: 'must be an object' }];
  const { day, opens, closes } = entry as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  if (!Number.isInteger(day) || (day as number) < 0 || (day as number) > 6) {
    problems.push({ field: `${path}.day`, message: 'must be 0 (Sunday) to 6 (Saturday)' });
  }
  const timeOk = (value: unknown) => typeof value === 'string' && HH_MM.test(value);
  if (!timeOk(opens)) {
    problems.push({ field: `${path}.opens`, message: 'must be a time from 00:00 to 23:59' });
  }
  if (!timeOk(closes)) {
    problems.push({ field: `${path}.closes`, message: 'must be a time from 00:00 to 23:59' });
  } else if (opens === closes) {
    problems.push({
      field: `${path}.closes`,
      message: 'must differ from opens (a time before opens runs past midnight)',
    });
  }
  return problems;
}
