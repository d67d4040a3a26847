import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { activeAgreementExistsSql } from '../agency/agreement-query';
import type { FamilySupportCaseType } from './family-support.types';

/**
 * The family-support cases of the caller's agency, newest first, with the seal computed by the
 * shared agreement rule: identity flows from the fatal report's reporter only under an active
 * agreement with this agency for the county.
 */
export async function listFamilySupportCases(
  em: EntityManager,
  viewer: Viewer,
  limit: number,
): Promise<FamilySupportCaseType[]> {
  const rows = await em.getConnection().execute<FamilySupportRow[]>(
    `select fs.id, fs.county, fs.created_at, fs.person_id, i.occurred_at,
            (fs.person_id is not null and not ${activeAgreementExistsSql(
              'i.reporting_agency_id',
              'fs.agency_id',
              'fs.county',
            )}) as identity_sealed
       from family_support_case fs
       join overdose_incident i on i.id = fs.incident_id
      where fs.agency_id = ?::uuid
      order by fs.created_at desc, fs.id desc
      limit ?`,
    [viewer.agencyId, limit],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((row) => ({
    id: row.id,
    county: row.county,
    occurredAt: new Date(row.occurred_at),
    identitySealed: row.identity_sealed,
    createdAt: new Date(row.created_at),
    personId: row.person_id ?? undefined,
  }));
}

interface FamilySupportRow {
  id: string;
  county: string;
  created_at: Date | string;
  occurred_at: Date | string;
  person_id: string | null;
  identity_sealed: boolean;
}
