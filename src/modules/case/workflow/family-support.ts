import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { insertJsonRows, type PlainRow } from '../../../common/json-insert';
import { pgArray } from '../../../common/sql';
import { FamilySupportCase } from '../family-support-case.entity';

/** What a fatal report brings to family support. */
export interface FatalReport {
  incidentId: string;
  personId?: string;
  county: string;
}

/**
 * Opens a family-support case for each fatal report (of an event: its index report) and each
 * active agency that opted in to
 * family support and serves the report's county (one statement to find them, one to insert).
 * Inside the intake's transaction. Agencies that may never hold a case (police, research) cannot
 * opt in (agency.service.ts).
 */
export async function openFamilySupportCases(
  tx: EntityManager,
  reports: readonly FatalReport[],
): Promise<void> {
  if (reports.length === 0) return;
  const counties = [...new Set(reports.map((r) => r.county))];
  const agencies = await tx
    .getConnection()
    .execute<Array<{ id: string; service_counties: string[] }>>(
      `select id, service_counties from agency
        where offers_family_support and active and service_counties && ?::text[]
        order by id`,
      [pgArray(counties)],
      'all',
      tx.getTransactionContext(),
    );
  // One family-support case per death and agency: a co-report of a death already supported
  // (EMS, then the medical examiner) opens none.
  const existing = await tx
    .getConnection()
    .execute<Array<{ incident_id: string; agency_id: string }>>(
      `select incident_id, agency_id from family_support_case where incident_id = any(?::uuid[])`,
      [pgArray(reports.map((r) => r.incidentId))],
      'all',
      tx.getTransactionContext(),
    );
  const supported = new Set(existing.map((row) => `${row.incident_id}/${row.agency_id}`));
  const now = new Date();
  const rows: PlainRow[] = [];
  for (const report of reports) {
    for (const agency of agencies) {
      if (!agency.service_counties.includes(report.county)) continue;
      if (supported.has(`${report.incidentId}/${agency.id}`)) continue;
      rows.push({
        id: randomUUID(),
        createdAt: now,
        updatedAt: now,
        agency: agency.id,
        incident: report.incidentId,
        person: report.personId,
        county: report.county,
      });
    }
  }
  await insertJsonRows(tx, FamilySupportCase, rows);
}
