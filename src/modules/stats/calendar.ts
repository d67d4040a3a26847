import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { isTimeZone } from '../../common/time-zone';
import { badInput, type FieldProblem } from '../../errors/hub-errors';
import type { StatsFilterInput } from './aggregate.input';

/**
 * Calendars for statistics: a time zone (the caller's agency's, else the hub's, unless the
 * request names one) and the month the fiscal year starts (NC: July). Dates are grouped and
 * ranges bounded in local time, so an overdose at 8 pm Eastern on 31 March is in March, in Q1
 * and in that fiscal year, whatever the UTC date.
 */
export interface Calendar {
  timeZone: string;
  fiscalYearStartMonth: number;
}

export interface CalendarDefaults {
  timeZone: string;
  fiscalYearStartMonth: number;
  maxRangeDays: number;
}

/** The caller's agency's calendar over the hub's defaults; `requested` (validated) wins. */
export async function calendarFor(
  em: EntityManager,
  viewer: Viewer,
  defaults: CalendarDefaults,
  requested?: string | null,
): Promise<Calendar> {
  if (requested != null && !isTimeZone(requested)) {
    throw badInput({
      field: 'filter.timeZone',
      message: 'must be an IANA time zone such as America/New_York',
    });
  }
  const [own] = viewer.agencyId
    ? await em
        .getConnection()
        .execute<Array<{ time_zone: string | null; fiscal_year_start_month: number | null }>>(
          'select time_zone, fiscal_year_start_month from stats_calendar where agency_id = ?',
          [viewer.agencyId],
        )
    : [];
  return {
    timeZone: requested ?? own?.time_zone ?? defaults.timeZone,
    fiscalYearStartMonth: own?.fiscal_year_start_month ?? defaults.fiscalYearStartMonth,
  };
}

/** A timestamptz column as local wall-clock time in the calendar's zone (a safe literal). */
export function local(column: string, calendar: Calendar): string {
  if (!isTimeZone(calendar.timeZone)) throw new Error('calendar: invalid time zone');
  return `(${column} at time zone '${calendar.timeZone}')`;
}

export type TimeGrouping = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'FISCAL_YEAR';

/**
 * Labels: DAY 2026-03-31, WEEK the ISO week's Monday 2026-03-30, MONTH 2026-03, QUARTER 2026-Q1,
 * FISCAL_YEAR FY2026 (named by the calendar year it ends in, as North Carolina names them).
 */
export function timeGroupSql(grouping: TimeGrouping, column: string, calendar: Calendar): string {
  return timeLabelSql(grouping, local(column, calendar), calendar);
}

/** The same labels from an expression that is already local wall-clock time (a timestamp). */
export function timeLabelSql(grouping: TimeGrouping, t: string, calendar: Calendar): string {
  switch (grouping) {
    case 'DAY':
      return `to_char(${t}, 'YYYY-MM-DD')`;
    case 'WEEK':
      return `to_char(date_trunc('week', ${t}), 'YYYY-MM-DD')`;
    case 'MONTH':
      return `to_char(${t}, 'YYYY-MM')`;
    case 'QUARTER':
      return `to_char(${t}, 'YYYY-"Q"Q')`;
    case 'FISCAL_YEAR': {
      const shift = (13 - calendar.fiscalYearStartMonth) % 12;
      return `'FY' || to_char(${t} + interval '${shift} months', 'YYYY')`;
    }
  }
}

/** A validated range: local dates (YYYY-MM-DD, `to` exclusive) or instants, as SQL bounds. */
export interface DateRange {
  /** SQL expressions for the bounds with their bindings, or null when open. */
  from: { text: string; binding: string } | null;
  to: { text: string; binding: string } | null;
  days: number | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(value: string): Date | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? d : null;
}

/** Local wall-clock parts of an instant in a zone. */
function localParts(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    date: `${get('year')}-${String(get('month')).padStart(2, '0')}-${String(get('day')).padStart(2, '0')}`,
    midnight:
      get('hour') === 0 &&
      get('minute') === 0 &&
      get('second') === 0 &&
      instant.getUTCMilliseconds() === 0,
  };
}

/**
 * Checks the filter's range and names every bad field: whole local days for everyone (whole
 * months for research: `grain` month), the end after the start, no longer than `maxRangeDays`.
 * Either dates (`fromDate`/`toDate`) or instants (`from`/`to`) for each bound, not both.
 */
export function resolveRange(
  filter: StatsFilterInput | undefined,
  calendar: Calendar,
  grain: 'day' | 'month',
  maxRangeDays: number,
): DateRange {
  const problems: FieldProblem[] = [];
  const bound = (dateField: 'fromDate' | 'toDate', instantField: 'from' | 'to') => {
    const date = filter?.[dateField];
    const instant = filter?.[instantField];
    if (date != null && instant != null) {
      problems.push({
        field: `filter.${dateField}`,
        message: `give ${dateField} or ${instantField}, not both`,
      });
      return null;
    }
    let localDate: string | null = null;
    if (date != null) {
      if (!parseDate(date)) {
        problems.push({ field: `filter.${dateField}`, message: 'must be a date as YYYY-MM-DD' });
        return null;
      }
      localDate = date;
    } else if (instant != null) {
      if (Number.isNaN(instant.getTime())) {
        problems.push({ field: `filter.${instantField}`, message: 'must be a date' });
        return null;
      }
      const parts = localParts(instant, calendar.timeZone);
      if (!parts.midnight) {
        problems.push({
          field: `filter.${instantField}`,
          message: `must be midnight in ${calendar.timeZone} (whole days); or use ${dateField}`,
        });
        return null;
      }
      localDate = parts.date;
    }
    if (localDate && grain === 'month' && !localDate.endsWith('-01')) {
      problems.push({
        field: `filter.${date != null ? dateField : instantField}`,
        message: 'must be the first of a month (whole months)',
      });
      return null;
    }
    return localDate;
  };
  const from = bound('fromDate', 'from');
  const to = bound('toDate', 'to');
  if (problems.length) throw badInput(problems);
  let days: number | null = null;
  if (from && to) {
    days = (parseDate(to)!.getTime() - parseDate(from)!.getTime()) / 86_400_000;
    const field = filter?.toDate != null ? 'filter.toDate' : 'filter.to';
    if (days <= 0) throw badInput({ field, message: 'must be after the start of the range' });
    if (days > maxRangeDays) {
      throw badInput({ field, message: `the range may span at most ${maxRangeDays} days` });
    }
  }
  const at = (date: string | null) =>
    date ? { text: `(?::timestamp at time zone '${calendar.timeZone}')`, binding: date } : null;
  return { from: at(from), to: at(to), days };
}
