import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { decodeCursor, toPage } from '../../common/cursor';
import { pageSize, type Page } from '../../common/pagination';
import { and, sql } from '../../common/sql';
import { isUuid } from '../../common/uuid';
import { badInput, notFound } from '../../errors/hub-errors';
import { OverdoseIncident } from './incident.entity';
import type {
  EmsDisposition,
  OverdoseSource,
  PeerContactAnswer,
  SuspectedSubstance,
} from './incident-codes';
import {
  fromJson,
  naloxoneGivenSql,
  naloxoneJsonSql,
  toNaloxone,
  type IncidentRow,
} from './incident-rows';
import type { IncidentFilter } from './incident.input-filter';
import type { NaloxoneAdministrationType } from './incident.types';

/**
 * A reporter's incident by id. Only the reporting agency's own incidents exist for it: anything
 * else answers exactly like a missing id.
 */
export async function getOwnIncident(
  em: EntityManager,
  viewer: Viewer,
  id: string,
): Promise<OverdoseIncident> {
  const incident = isUuid(id)
    ? await em.findOne(OverdoseIncident, { id, reportingAgency: viewer.agencyId })
    : null;
  if (!incident) throw notFound('Incident');
  return incident;
}

const INCIDENTS_LIST = 'myAgencyIncidents';

interface IncidentListRow {
  total_count: number;
  id: string | null;
  external_id: string;
  occurred_at: Date | string;
  county: string;
  street: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  latitude: number | null;
  longitude: number | null;
  fatal: boolean;
  suspected_substances: SuspectedSubstance[] | null;
  ems_disposition: EmsDisposition | null;
  officer_warm_handoff: boolean;
  source: OverdoseSource;
  naloxone_kits_left_behind: number | null;
  consent_to_peer_contact: PeerContactAnswer | null;
  case_definition: string | null;
  case_definition_version: number | null;
  historical: boolean;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
  reporting_agency_id: string;
  naloxone_given: boolean;
  naloxone_json?: NaloxoneAdministrationType[] | string;
}

/**
 * The reporting agency's incidents, newest first (then by id, so ties page stably), as rows
 * shaped by one statement with the count of the whole filtered set; the doses come in the same
 * statement when selected. Scope is the first condition of the query.
 */
export async function listOwnIncidents(
  em: EntityManager,
  viewer: Viewer,
  filter: IncidentFilter | undefined,
  first: number | undefined,
  after: string | undefined,
  options: { naloxone?: boolean } = {},
): Promise<Page<IncidentRow>> {
  const size = pageSize(first);
  const cursor = decodeCursor(INCIDENTS_LIST, after);
  if (filter?.occurredFrom && filter.occurredTo && filter.occurredTo <= filter.occurredFrom) {
    throw badInput({ field: 'filter.occurredTo', message: 'must be after occurredFrom' });
  }
  const where = and([
    sql('i.reporting_agency_id = ?::uuid', viewer.agencyId),
    ...(filter?.county ? [sql('i.county = ?', filter.county)] : []),
    ...(filter?.fatal !== undefined && filter?.fatal !== null
      ? [sql('i.fatal = ?', filter.fatal)]
      : []),
    ...(filter?.occurredFrom
      ? [sql('i.occurred_at >= ?::timestamptz', filter.occurredFrom.toISOString())]
      : []),
    ...(filter?.occurredTo
      ? [sql('i.occurred_at < ?::timestamptz', filter.occurredTo.toISOString())]
      : []),
  ]);
  const page = cursor
    ? sql('(i.occurred_at, i.id) < (?::timestamptz, ?::uuid)', cursor.at.toISOString(), cursor.id)
    : sql('true');
  const rows = await em.getConnection().execute<IncidentListRow[]>(
    `select t.total_count, p.*
       from (select count(*)::int as total_count from overdose_incident i where ${where.text}) t
       left join lateral (
         select f.*, ${naloxoneGivenSql('f.id')} as naloxone_given
                ${options.naloxone ? `, ${naloxoneJsonSql('f.id')} as naloxone_json` : ''}
           from (
             select i.id, i.external_id, i.occurred_at, i.county, i.street, i.city, i.state,
                    i.zip, i.latitude, i.longitude, i.fatal, i.suspected_substances::text[],
                    i.ems_disposition, i.officer_warm_handoff, i.source,
                    i.naloxone_kits_left_behind, i.consent_to_peer_contact, i.case_definition,
                    i.case_definition_version, i.historical, i.version, i.created_at,
                    i.updated_at, i.reporting_agency_id
               from overdose_incident i
              where ${where.text} and ${page.text}
              order by i.occurred_at desc, i.id desc
              limit ?
           ) f
          order by f.occurred_at desc, f.id desc
       ) p on true`,
    [...where.bindings, ...where.bindings, ...page.bindings, size + 1],
    'all',
    em.getTransactionContext(),
  );
  const total = rows[0]?.total_count ?? 0;
  const incidents = rows.filter((r) => r.id !== null).map(toIncidentRow);
  return toPage(INCIDENTS_LIST, incidents, size, total, (row) => ({
    at: row.occurredAt as Date,
    id: row.id,
  }));
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

function toIncidentRow(row: IncidentListRow): IncidentRow {
  return {
    id: row.id!,
    externalId: row.external_id,
    occurredAt: toDate(row.occurred_at),
    county: row.county,
    street: row.street,
    city: row.city,
    state: row.state,
    zip: row.zip,
    latitude: row.latitude,
    longitude: row.longitude,
    fatal: row.fatal,
    suspectedSubstances: row.suspected_substances ?? [],
    emsDisposition: row.ems_disposition,
    officerWarmHandoff: row.officer_warm_handoff,
    source: row.source,
    naloxoneKitsLeftBehind: row.naloxone_kits_left_behind,
    consentToPeerContact: row.consent_to_peer_contact,
    caseDefinition: row.case_definition,
    caseDefinitionVersion: row.case_definition_version,
    historical: row.historical,
    version: row.version,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    reportingAgencyId: row.reporting_agency_id,
    naloxoneGiven: row.naloxone_given,
    ...(row.naloxone_json !== undefined
      ? { naloxoneAdministrations: toNaloxone(fromJson(row.naloxone_json) ?? []) }
      : {}),
  };
}
