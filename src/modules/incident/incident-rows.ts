import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../common/sql';
import type {
  EmsDisposition,
  OverdoseSource,
  PeerContactAnswer,
  SuspectedSubstance,
} from './incident-codes';
import type { NaloxoneAdministrationType } from './incident.types';

/**
 * An incident as a list page serves it: a plain object shaped by SQL (no ORM entity), with the
 * fields of the GraphQL type, the reporting agency's id, and optionally its naloxone doses and
 * the "any naloxone" flag already computed. Dates may be ISO strings (from JSON); the scalar
 * serialises either.
 */
export interface IncidentRow {
  id: string;
  externalId: string;
  occurredAt: Date | string;
  county: string;
  street?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  fatal: boolean;
  suspectedSubstances: SuspectedSubstance[];
  emsDisposition?: EmsDisposition | null;
  officerWarmHandoff: boolean;
  source: OverdoseSource;
  naloxoneKitsLeftBehind?: number | null;
  consentToPeerContact?: PeerContactAnswer | null;
  caseDefinition?: string | null;
  caseDefinitionVersion?: number | null;
  historical: boolean;
  version: number;
  createdAt: Date | string;
  updatedAt: Date | string;
  reportingAgencyId: string;
  naloxoneGiven?: boolean;
  naloxoneAdministrations?: NaloxoneAdministrationType[];
}

/** True for rows built here, false for OverdoseIncident entities (mutation results). */
export const isIncidentRow = (value: object): value is IncidentRow =>
  typeof (value as IncidentRow).reportingAgencyId === 'string';

/** JSON array of the doses of the incident whose id is `incidentId` (oldest first), as SQL. */
export function naloxoneJsonSql(incidentId: string): string {
  return `(select coalesce(json_agg(json_build_object(
             'id', n.id, 'administeredAt', n.administered_at, 'doseMg', n.dose_mg,
             'route', n.route, 'administeredBy', n.administered_by, 'response', n.response)
             order by n.administered_at, n.id), '[]'::json)
           from naloxone_administration n where n.incident_id = ${incidentId})`;
}

/**
 * "Any dose given" per row, on the incident_id index. A scalar subquery rather than EXISTS:
 * the planner may turn an EXISTS in a select list into one hash of the whole table, which costs
 * a full scan per page once the table is large.
 */
export function naloxoneGivenSql(incidentId: string): string {
  return `coalesce((select true from naloxone_administration ng
                     where ng.incident_id = ${incidentId} limit 1), false)`;
}

/** The columns of `alias` (overdose_incident) as the key/value list of a JSON object. */
function incidentJsonPairs(alias: string): string {
  return `'id', ${alias}.id, 'externalId', ${alias}.external_id,
          'occurredAt', ${alias}.occurred_at, 'county', ${alias}.county,
          'street', ${alias}.street, 'city', ${alias}.city, 'state', ${alias}.state,
          'zip', ${alias}.zip, 'latitude', ${alias}.latitude, 'longitude', ${alias}.longitude,
          'fatal', ${alias}.fatal, 'suspectedSubstances', ${alias}.suspected_substances,
          'emsDisposition', ${alias}.ems_disposition,
          'officerWarmHandoff', ${alias}.officer_warm_handoff, 'version', ${alias}.version,
          'source', ${alias}.source, 'naloxoneKitsLeftBehind', ${alias}.naloxone_kits_left_behind,
          'consentToPeerContact', ${alias}.consent_to_peer_contact,
          'caseDefinition', ${alias}.case_definition,
          'caseDefinitionVersion', ${alias}.case_definition_version,
          'historical', ${alias}.historical,
          'createdAt', ${alias}.created_at, 'updatedAt', ${alias}.updated_at,
          'reportingAgencyId', ${alias}.reporting_agency_id,
          'naloxoneGiven', ${naloxoneGivenSql(`${alias}.id`)}`;
}

/** One incident (by the id expression) as a JSON object, with its doses when asked. */
export function incidentJsonSql(incidentId: string, withNaloxone: boolean): string {
  return `(select json_build_object(${incidentJsonPairs('xi')}
            ${withNaloxone ? `, 'naloxoneAdministrations', ${naloxoneJsonSql('xi.id')}` : ''})
           from overdose_incident xi where xi.id = ${incidentId})`;
}

/** PostgreSQL may hand JSON back as text (the embedded database does). */
export const fromJson = <T>(value: T | string | null | undefined): T | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'string'
      ? (JSON.parse(value) as T)
      : value;

/** Doses from JSON: numeric comes back as a number, absent values as null. */
export function toNaloxone(rows: NaloxoneAdministrationType[]): NaloxoneAdministrationType[] {
  return rows.map((d) => ({
    ...d,
    doseMg: d.doseMg === undefined || d.doseMg === null ? undefined : Number(d.doseMg),
  }));
}

interface NaloxoneRow {
  incident_id: string;
  doses: NaloxoneAdministrationType[] | string;
}

/** The doses of several incidents in one statement (for rows whose doses were not preloaded). */
export async function loadNaloxone(
  em: EntityManager,
  incidentIds: readonly string[],
): Promise<Map<string, NaloxoneAdministrationType[]>> {
  const rows = await em.getConnection().execute<NaloxoneRow[]>(
    `select x.id as incident_id, ${naloxoneJsonSql('x.id')} as doses
       from unnest(?::uuid[]) as x(id)`,
    [pgArray(incidentIds)],
    'all',
    em.getTransactionContext(),
  );
  return new Map(rows.map((r) => [r.incident_id, toNaloxone(fromJson(r.doses) ?? [])]));
}
