import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { pgArray } from '../../common/sql';
import { badInput } from '../../errors/hub-errors';
import { recordAuditEvent } from '../audit/audit-writer';
import { CONTACT_OUTCOMES } from '../outreach/outreach-codes';
import { calendarFor, local, type CalendarDefaults } from './calendar';
import { COUNT_UNIT } from './count-unit';
import { publishInternal, publishShared, type DisclosureRules } from './disclosure';
import type { ReferralFeedbackType } from './stats.types';

type Row = Record<string, string | number | null>;

/**
 * For a reporting agency: per month (its calendar) of one year, how many of its non-fatal reports
 * led to contact and to engagement. Its own report count is its own operational data: exact,
 * marked internal, audited. What became of the reports happened at other agencies: shared, so
 * suppressed and perturbed by cell key (docs/disclosure.md). Computed in PostgreSQL.
 */
export async function referralFeedback(
  em: EntityManager,
  viewer: Viewer,
  year: number,
  rules: DisclosureRules,
  defaults: CalendarDefaults,
  requestId?: string,
): Promise<ReferralFeedbackType> {
  const thisYear = new Date().getUTCFullYear();
  if (!Number.isInteger(year) || year < 2000 || year > thisYear) {
    throw badInput({ field: 'year', message: `must be between 2000 and ${thisYear}` });
  }
  const calendar = await calendarFor(em, viewer, defaults);
  const month = `to_char(${local('i.occurred_at', calendar)}, 'YYYY-MM')`;
  const reached = `exists (select 1 from outreach_attempt a
                             where a.case_id = c.id and a.outcome = any(?::attempt_outcome[]))`;
  const engaged = `exists (select 1 from case_event e where e.case_id = c.id and e.to_status = 'ENGAGED')`;
  const rows = await em.getConnection().execute<Row[]>(
    `select ${month} as month, grouping(${month}) as g,
            count(*)::int as reported,
            (count(*) filter (where ${reached}))::int as reached,
            coalesce(sum(${COUNT_UNIT.key}) filter (where ${reached}), 0)::text as reached_key,
            (count(*) filter (where ${engaged}))::int as engaged,
            coalesce(sum(${COUNT_UNIT.key}) filter (where ${engaged}), 0)::text as engaged_key
       from ${COUNT_UNIT.from}
       ${COUNT_UNIT.keyJoin}
       join overdose_case c on c.index_incident_id = i.id
      where i.reporting_agency_id = ? and not i.fatal and c.status <> 'ENTERED_IN_ERROR'
        and i.occurred_at >= (?::timestamp at time zone '${calendar.timeZone}')
        and i.occurred_at < (?::timestamp at time zone '${calendar.timeZone}')
      group by grouping sets ((${month}), ())`,
    [
      pgArray(CONTACT_OUTCOMES),
      pgArray(CONTACT_OUTCOMES),
      viewer.agencyId,
      `${year}-01-01`,
      `${year + 1}-01-01`,
    ],
  );
  const byMonth = new Map(rows.filter((r) => Number(r.g) === 0).map((r) => [String(r.month), r]));
  const cell = (month: string | null, row: Row | undefined) => ({
    month,
    reported: publishInternal(Number(row?.reported ?? 0)),
    reached: publishShared(
      Number(row?.reached ?? 0),
      String(row?.reached_key ?? 0),
      rules.smallCellMax,
    ),
    engaged: publishShared(
      Number(row?.engaged ?? 0),
      String(row?.engaged_key ?? 0),
      rules.smallCellMax,
    ),
  });
  await recordAuditEvent(em, {
    viewer,
    action: 'Query.myReferralFeedback',
    entityType: 'Statistics',
    requestId,
    details: { tier: 'INTERNAL', fields: ['reported'], year },
  });
  return {
    year,
    months: Array.from({ length: 12 }, (_, m) => {
      const key = `${year}-${String(m + 1).padStart(2, '0')}`;
      return cell(key, byMonth.get(key));
    }),
    total: cell(
      null,
      rows.find((r) => Number(r.g) === 1),
    ),
  };
}
