import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../auth/viewer';
import { loadById } from '../../common/load-by-id';
import { Role } from '../../common/role';
import type { Selection } from '../../common/selection';
import type { Sql } from '../../common/sql';
import { Agency } from '../agency/agency.entity';
import type { AgencyType, UserType } from '../agency/agency.types';
import { fromJson, incidentJsonSql, toNaloxone, type IncidentRow } from '../incident/incident-rows';
import type { LoadedCaseRelations } from './case.types';

/** Related records a case statement can fetch for its rows, as JSON, instead of a query each. */
export interface CaseRelations {
  routedAgency?: boolean;
  assignedWorker?: boolean;
  indexIncident?: boolean;
  /** The index incident's naloxone doses, inside the incident. */
  naloxone?: boolean;
  lastAttempt?: boolean;
}

/**
 * What to fetch for the case fields selected in the request. Only what the caller's role may
 * read at all is fetched (the permission layer decides field by field; this only avoids reading
 * what it would refuse): the incident and attempts are the outreach team's.
 */
export function caseRelationsFor(viewer: Viewer, node: Selection): CaseRelations {
  const outreach = viewer.role === Role.OUTREACH_WORKER;
  const incident = node.get('indexIncident');
  return {
    routedAgency: node.has('routedAgency'),
    assignedWorker: node.has('assignedWorker') && (outreach || viewer.role === Role.AGENCY_ADMIN),
    indexIncident: outreach && incident !== undefined,
    naloxone: outreach && (incident?.has('naloxoneAdministrations') ?? false),
    lastAttempt: outreach && node.has('lastAttempt'),
  };
}

/**
 * The selected relations as extra columns of the page (on alias `f`, a page row of
 * overdose_case): each a correlated subquery on a primary key or an indexed foreign key.
 */
export function relationColumns(viewer: Viewer, relations: CaseRelations, f: string): Sql {
  const columns: string[] = [];
  if (relations.routedAgency) {
    columns.push(`(select json_build_object('id', a.id, 'name', a.name, 'kind', a.kind,
        'serviceCounties', a.service_counties, 'part2Program', a.part2_program,
        'active', a.active, 'caseDefinition', a.case_definition,
        'offersFamilySupport', a.offers_family_support,
        'createdAt', a.created_at, 'updatedAt', a.updated_at)
       from agency a where a.id = ${f}.routed_agency_id) as routed_agency_json`);
  }
  if (relations.assignedWorker) {
    columns.push(`(select json_build_object('id', u.id, 'displayName', u.display_name,
        'email', u.email, 'role', u.role, 'active', u.active,
        'externalSubject', u.external_subject, 'createdAt', u.created_at,
        'agencyId', u.agency_id)
       from app_user u where u.id = ${f}.assigned_worker_id) as assigned_worker_json`);
  }
  if (relations.indexIncident) {
    columns.push(
      `${incidentJsonSql(`${f}.index_incident_id`, relations.naloxone ?? false)} as incident_json`,
    );
  }
  if (relations.lastAttempt) {
    // Notes stay in the database for anyone but the outreach team.
    const notes = viewer.role === Role.OUTREACH_WORKER ? 'la.notes' : 'null';
    columns.push(`(select json_build_object('id', la.id, 'caseId', la.case_id,
        'workerId', la.worker_id, 'method', la.method, 'attemptedAt', la.attempted_at,
        'outcome', la.outcome, 'teamPresent', la.team_present,
        'officerPresence', la.officer_presence,
        'naloxoneKitsForPerson', la.naloxone_kits_for_person,
        'naloxoneKitsForFamily', la.naloxone_kits_for_family,
        'fentanylTestStrips', la.fentanyl_test_strips,
        'overdosePreventionLiterature', la.overdose_prevention_literature,
        'peerSupportContactCard', la.peer_support_contact_card,
        'syringeServicesInformation', la.syringe_services_information,
        'notes', ${notes}, 'createdAt', la.created_at, 'part2ProgramId', la.part2_program_id)
       from outreach_attempt la where la.case_id = ${f}.id
      order by la.attempted_at desc, la.created_at desc, la.id desc limit 1) as last_attempt_json`);
  }
  return { text: columns.map((c) => `, ${c}`).join(''), bindings: [] };
}

interface WorkerJson extends Omit<UserType, 'agency'> {
  agencyId: string;
}

/** The fetched relations of one row, shaped for the field resolvers. */
export function toLoadedRelations(
  row: Record<string, unknown>,
  relations: CaseRelations,
  em: EntityManager,
): LoadedCaseRelations {
  const loaded: LoadedCaseRelations = {};
  if (relations.routedAgency) {
    loaded.routedAgency = fromJson(row.routed_agency_json as AgencyType | string | null);
  }
  if (relations.assignedWorker) {
    const worker = fromJson(row.assigned_worker_json as WorkerJson | string | null);
    // The User type's rules read `agency.id`; its `agency` field loads the agency when selected.
    loaded.assignedWorker = worker && {
      ...worker,
      agency: { id: worker.agencyId, load: () => loadById(em, Agency, worker.agencyId) },
    };
  }
  if (relations.indexIncident) {
    const incident = fromJson(row.incident_json as IncidentRow | string | null);
    if (incident?.naloxoneAdministrations) {
      incident.naloxoneAdministrations = toNaloxone(incident.naloxoneAdministrations);
    }
    loaded.indexIncident = incident;
  }
  if (relations.lastAttempt) {
    loaded.lastAttempt = fromJson(row.last_attempt_json as object | string | null);
  }
  return loaded;
}
