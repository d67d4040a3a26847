import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { Role } from '../../common/role';
import { isTimeZone } from '../../common/time-zone';
import { isUuid } from '../../common/uuid';
import { badInput, notFound, type FieldProblem } from '../../errors/hub-errors';
import { recordAuditEvent } from '../audit/audit-writer';
import { calendarFor, type CalendarDefaults } from './calendar';
import type { StatsCalendarInput, StatsCalendarType } from './stats-calendar.types';
import { keepZone } from './stats-cells';

/** The calendar in effect for the caller's agency (its own settings over the hub's defaults). */
export async function effectiveCalendar(
  em: EntityManager,
  viewer: Viewer,
  defaults: CalendarDefaults,
): Promise<StatsCalendarType> {
  const calendar = await calendarFor(em, viewer, defaults);
  return { agencyId: viewer.agencyId ?? null, ...calendar };
}

/**
 * Sets an agency's statistics calendar: an agency admin its own agency's, the hub admin any
 * agency's. A null field goes back to the hub's default. Audited (a change of calendar changes
 * every number the agency reads).
 */
export async function setStatsCalendar(
  em: EntityManager,
  viewer: Viewer,
  input: StatsCalendarInput,
  defaults: CalendarDefaults,
): Promise<StatsCalendarType> {
  const problems: FieldProblem[] = [];
  if (input.timeZone != null && !isTimeZone(input.timeZone)) {
    problems.push({
      field: 'input.timeZone',
      message: 'must be an IANA time zone such as America/New_York',
    });
  }
  const month = input.fiscalYearStartMonth;
  if (month != null && (!Number.isInteger(month) || month < 1 || month > 12)) {
    problems.push({ field: 'input.fiscalYearStartMonth', message: 'must be a month from 1 to 12' });
  }
  let agencyId: string | undefined = viewer.agencyId;
  if (viewer.role === Role.HUB_ADMIN) {
    if (!input.agencyId || !isUuid(input.agencyId)) {
      problems.push({ field: 'input.agencyId', message: 'must name the agency' });
    }
    agencyId = input.agencyId ?? undefined;
  } else if (input.agencyId != null && input.agencyId !== viewer.agencyId) {
    // Another agency's calendar: answered as if it did not exist.
    throw notFound('Agency');
  }
  if (problems.length) throw badInput(problems);
  const connection = em.getConnection();
  const [exists] = await connection.execute<Array<{ n: string }>>(
    'select count(*) as n from agency where id = ?::uuid',
    [agencyId],
  );
  if (Number(exists.n) === 0) throw notFound('Agency');
  await connection.execute(
    `insert into stats_calendar (agency_id, time_zone, fiscal_year_start_month) values (?::uuid, ?, ?)
     on conflict (agency_id) do update
       set time_zone = excluded.time_zone, fiscal_year_start_month = excluded.fiscal_year_start_month`,
    [agencyId, input.timeZone ?? null, month ?? null],
  );
  // The aggregates in that zone come from pre-aggregated cells once they are kept for it.
  if (input.timeZone != null) await keepZone(em, input.timeZone);
  await recordAuditEvent(em, {
    viewer,
    action: 'Mutation.setStatsCalendar',
    entityType: 'Agency',
    entityIds: agencyId ? [agencyId] : [],
  });
  return {
    agencyId: agencyId ?? null,
    timeZone: input.timeZone ?? defaults.timeZone,
    fiscalYearStartMonth: month ?? defaults.fiscalYearStartMonth,
  };
}
