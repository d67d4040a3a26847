import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../common/sql';
import { fromJson, toNaloxone } from './incident-rows';
import type { NaloxoneAdministrationType } from './incident.types';
import type { OverdoseEventType } from './overdose-event.types';

interface EventRow {
  id: string;
  occurred_at: Date;
  county: string;
  version: number;
  merged_into_id: string | null;
  source_report_count: number;
  doses: NaloxoneAdministrationType[] | string;
}

/**
 * Several events in one statement, with the count of their reports and the naloxone doses of
 * all of them (a case page asks for each row's event).
 */
export async function loadEvents(
  em: EntityManager,
  eventIds: readonly string[],
): Promise<Map<string, OverdoseEventType>> {
  const rows = await em.getConnection().execute<EventRow[]>(
    `select e.id, e.occurred_at, e.county::text as county, e.version, e.merged_into_id,
            (select count(*)::int from overdose_incident s where s.event_id = e.id) as source_report_count,
            (select coalesce(json_agg(json_build_object(
                      'id', n.id, 'administeredAt', n.administered_at, 'doseMg', n.dose_mg,
                      'route', n.route, 'administeredBy', n.administered_by, 'response', n.response)
                      order by n.administered_at, n.id), '[]'::json)
               from overdose_incident s join naloxone_administration n on n.incident_id = s.id
              where s.event_id = e.id) as doses
       from overdose_event e where e.id = any(?::uuid[])`,
    [pgArray(eventIds)],
    'all',
    em.getTransactionContext(),
  );
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        occurredAt: new Date(row.occurred_at),
        county: row.county,
        version: row.version,
        mergedIntoId: row.merged_into_id ?? undefined,
        sourceReportCount: row.source_report_count,
        naloxoneAdministrations: toNaloxone(fromJson(row.doses) ?? []),
      },
    ]),
  );
}

/**
 * An amended index report takes its event along (time, place, person: what the intake matches
 * co-reports on); the version moves so that a merge based on the old event gets CONFLICT.
 */
export async function followAmendedReport(em: EntityManager, incidentId: string): Promise<void> {
  await em.getConnection().execute(
    `update overdose_event e
        set occurred_at = i.occurred_at, county = i.county, latitude = i.latitude,
            longitude = i.longitude, person_id = coalesce(i.person_id, e.person_id),
            version = e.version + 1, updated_at = now()
       from overdose_incident i
      where i.id = ? and e.id = i.id`,
    [incidentId],
    'run',
    em.getTransactionContext(),
  );
}
