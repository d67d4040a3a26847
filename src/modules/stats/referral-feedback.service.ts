import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { badInput } from '../../errors/hub-errors';
import { recordAuditEvent } from '../audit/audit-writer';
import { calendarFor, local, type CalendarDefaults } from './calendar';
import { suppressComplements } from './complementary-suppression';
import {
  publishInternal,
  publishShared,
  type DisclosureRules,
  type PublishedCount,
} from './disclosure';
import type { ReferralFeedbackType } from './stats.types';

type Row = Record<string, string | number | null>;

/**
 * For a reporting agency: per month (its calendar) of one year, how many of the non-fatal
 * overdoses it reported (events: one overdose police and EMS both reported counts once for
 * each of them) led to contact and to engagement. Its own report count is its own operational data: exact,
 * marked internal, audited. What became of the reports happened at other agencies: shared, so
 * suppressed and perturbed by cell key (docs/disclosure.md). Read from the statistics fact table.
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
  const month = `to_char(${local('f.occurred_at', calendar)}, 'YYYY-MM')`;
  const reached = 'f.first_contact_at is not null';
  const engaged = 'f.engaged';
  const rows = await em.getConnection().execute<Row[]>(
    `select ${month} as month, grouping(${month}) as g,
            count(*)::int as reported,
            (count(*) filter (where ${reached}))::int as reached,
            coalesce(sum(f.record_key) filter (where ${reached}), 0)::text as reached_key,
            (count(*) filter (where ${engaged}))::int as engaged,
            coalesce(sum(f.record_key) filter (where ${engaged}), 0)::text as engaged_key
       from stats_fact f
      where ?::uuid = any(f.source_agency_ids) and f.is_case
        and f.occurred_at >= (?::timestamp at time zone '${calendar.timeZone}')
        and f.occurred_at < (?::timestamp at time zone '${calendar.timeZone}')
      group by grouping sets ((${month}), ())`,
    [viewer.agencyId, `${year}-01-01`, `${year + 1}-01-01`],
  );
  const byMonth = new Map(rows.filter((r) => Number(r.g) === 0).map((r) => [String(r.month), r]));
  const months = Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}`);
  const totalRow = rows.find((r) => Number(r.g) === 1);
  const sources: Array<[string | null, Row | undefined]> = [
    ...months.map((m): [string, Row | undefined] => [m, byMonth.get(m)]),
    [null, totalRow],
  ];
  // Shared counts: suppressed, perturbed, and complemented so that the year minus the published
  // months never gives a small hidden sum back (complementary-suppression.ts).
  const shared = (name: 'reached' | 'engaged'): PublishedCount[] => {
    const first = sources.map(([, row]) =>
      publishShared(
        Number(row?.[name] ?? 0),
        String(row?.[`${name}_key`] ?? 0),
        rules.smallCellMax,
      ),
    );
    const cells = sources.map(([month, row], i) => ({
      g: month === null ? 1 : 0,
      keys: [month],
      value: Number(row?.[name] ?? 0),
      hidden: first[i].suppressed,
    }));
    suppressComplements(cells, 1, rules.smallCellMax);
    return first.map((p, i) =>
      cells[i].hidden ? { value: null, suppressed: true, internal: false } : p,
    );
  };
  const reachedCells = shared('reached');
  const engagedCells = shared('engaged');
  const cell = (i: number) => ({
    month: sources[i][0],
    reported: publishInternal(Number(sources[i][1]?.reported ?? 0)),
    reached: reachedCells[i],
    engaged: engagedCells[i],
  });
  await recordAuditEvent(em, {
    viewer,
    action: 'Query.myReferralFeedback',
    entityType: 'Statistics',
    requestId,
    details: { tier: 'INTERNAL', fields: ['reported'], year },
  });
  return { year, months: months.map((_, i) => cell(i)), total: cell(12) };
}
