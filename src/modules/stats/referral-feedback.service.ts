import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { pgArray } from '../../common/sql';
import { badInput } from '../../errors/hub-errors';
import { CONTACT_OUTCOMES } from '../outreach/outreach-codes';
import { suppressColumn, type PublishedCount } from './disclosure';
import type { ReferralFeedbackType } from './stats.types';

interface MonthRow {
  month: string;
  reported: number;
  reached: number;
  engaged: number;
}

const MEASURES = ['reported', 'reached', 'engaged'] as const;

/**
 * For a reporting agency: per calendar month (UTC) of one year, how many of its non-fatal reports
 * led to contact and to engagement. Only counts leave, suppressed 1–10 with complementary
 * suppression, on a fixed grid of months so that no two requests can be differenced down to a
 * person. Computed in PostgreSQL.
 */
export async function referralFeedback(
  em: EntityManager,
  viewer: Viewer,
  year: number,
): Promise<ReferralFeedbackType> {
  const thisYear = new Date().getUTCFullYear();
  if (!Number.isInteger(year) || year < 2000 || year > thisYear) {
    throw badInput({ field: 'year', message: `must be between 2000 and ${thisYear}` });
  }
  const rows = await em.getConnection().execute<Array<Record<keyof MonthRow, string | number>>>(
    `select to_char(date_trunc('month', i.occurred_at at time zone 'UTC'), 'YYYY-MM') as month,
            count(*) as reported,
            count(*) filter (where exists (
              select 1 from outreach_attempt a
               where a.case_id = c.id and a.outcome = any(?::attempt_outcome[]))) as reached,
            count(*) filter (where exists (
              select 1 from case_event e where e.case_id = c.id and e.to_status = 'ENGAGED')) as engaged
       from overdose_incident i
       join overdose_case c on c.index_incident_id = i.id
      where i.reporting_agency_id = ? and not i.fatal
        and i.occurred_at >= ?::timestamptz and i.occurred_at < ?::timestamptz
      group by 1`,
    [
      pgArray(CONTACT_OUTCOMES),
      viewer.agencyId,
      `${year}-01-01T00:00:00Z`,
      `${year + 1}-01-01T00:00:00Z`,
    ],
  );
  const byMonth = new Map(rows.map((r) => [String(r.month), r]));
  const months: MonthRow[] = Array.from({ length: 12 }, (_, m) => {
    const month = `${year}-${String(m + 1).padStart(2, '0')}`;
    const row = byMonth.get(month);
    return {
      month,
      reported: Number(row?.reported ?? 0),
      reached: Number(row?.reached ?? 0),
      engaged: Number(row?.engaged ?? 0),
    };
  });

  const columns = Object.fromEntries(
    MEASURES.map((measure) => [measure, suppressColumn(months.map((m) => m[measure]))]),
  ) as Record<(typeof MEASURES)[number], { cells: PublishedCount[]; total: PublishedCount }>;
  return {
    year,
    months: months.map((m, i) => ({
      month: m.month,
      reported: columns.reported.cells[i],
      reached: columns.reached.cells[i],
      engaged: columns.engaged.cells[i],
    })),
    total: {
      month: null,
      reported: columns.reported.total,
      reached: columns.reached.total,
      engaged: columns.engaged.total,
    },
  };
}
