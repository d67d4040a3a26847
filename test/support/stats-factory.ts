import { randomUUID } from 'node:crypto';
import type { TestHub } from './hub';

export interface SeedCases {
  agencyId: string;
  county: string;
  occurredAt: Date;
  count: number;
  /** Minutes between consecutive incidents (default 1). */
  spacingMinutes?: number;
  fatal?: boolean;
  /** Naloxone doses per incident. */
  doses?: number;
  routedAgencyId?: string;
  /** The first `contacted` cases get a contact attempt `attemptAfterHours` after the overdose. */
  contacted?: number;
  attemptAfterHours?: number;
  workerId?: string;
  sex?: 'FEMALE' | 'MALE';
  /** One person for every incident (for repeat overdoses), created when new. */
  personId?: string;
}

/**
 * Incidents with their cases (and doses, persons, contact attempts) written in a few set-based
 * statements straight to the database, so that the rollup triggers see them as any write. Returns
 * the incident ids in time order.
 */
export async function seedCases(hub: TestHub, seed: SeedCases): Promise<string[]> {
  const connection = hub.em().getConnection();
  const ids = Array.from({ length: seed.count }, () => randomUUID());
  const spacing = seed.spacingMinutes ?? 1;
  await connection.execute(
    `with rows as (
       select id::uuid, ord, ?::timestamptz + (ord - 1) * (? * interval '1 minute') as at
         from unnest(?::text[]) with ordinality as t(id, ord))
     , persons as (
       insert into person (id, created_at, updated_at, race_ethnicity, sex)
       select distinct coalesce(?::uuid, id), now(), now(), '{}'::race_ethnicity[], ?::sex from rows
       on conflict do nothing
       returning id)
     insert into overdose_incident (id, created_at, updated_at, reporting_agency_id, external_id,
                                    occurred_at, county, fatal, suspected_substances, person_id, reported_by_id)
     select id, now(), now(), ?::uuid, 'S-' || id, at, ?, ?, '{}', coalesce(?::uuid, id), ?::uuid from rows`,
    [
      seed.occurredAt.toISOString(),
      spacing,
      `{${ids.join(',')}}`,
      seed.personId ?? null,
      seed.sex ?? 'FEMALE',
      seed.agencyId,
      seed.county,
      seed.fatal ?? false,
      seed.personId ?? null,
      seed.agencyId,
    ],
  );
  await connection.execute(
    `insert into overdose_case (id, created_at, updated_at, person_id, index_incident_id, county, status,
                                routed_agency_id, follow_up_opens_at, follow_up_due_at)
     select gen_random_uuid(), now(), now(), i.person_id, i.id, i.county, 'OUTREACH', ?::uuid,
            i.occurred_at + interval '24 hours', i.occurred_at + interval '72 hours'
       from overdose_incident i where i.id = any(?::uuid[])`,
    [seed.routedAgencyId ?? null, `{${ids.join(',')}}`],
  );
  if (seed.doses) {
    await connection.execute(
      `insert into naloxone_administration (id, created_at, updated_at, incident_id, route, administered_by)
       select gen_random_uuid(), now(), now(), i.id, 'IN', 'EMS'
         from overdose_incident i, generate_series(1, ?) where i.id = any(?::uuid[])`,
      [seed.doses, `{${ids.join(',')}}`],
    );
  }
  if (seed.contacted) {
    await connection.execute(
      `insert into outreach_attempt (id, created_at, updated_at, case_id, worker_id, method, attempted_at,
                                     outcome, team_present)
       select gen_random_uuid(), now(), now(), c.id, ?::uuid, 'VISIT',
              i.occurred_at + ? * interval '1 hour', 'CONTACT_SURVIVOR_ENGAGED', '{}'
         from overdose_incident i join overdose_case c on c.index_incident_id = i.id
        where i.id = any(?::uuid[])`,
      [seed.workerId, seed.attemptAfterHours ?? 30, `{${ids.slice(0, seed.contacted).join(',')}}`],
    );
  }
  return ids;
}
