import type { Column } from './bulk-insert';
import type { Row } from './copy-rows';

const T = 'epoch_ms';
const base: Column[] = [
  ['id', 'uuid'],
  ['created_at', T],
  ['updated_at', T],
];

/** The columns the seeder writes per table, in the order rows are built (generate.ts). */
export const TABLES = {
  person: [
    ...base,
    ['person_key', 'text'],
    ['sex', 'sex'],
    ['race_ethnicity', 'race_ethnicity[]'],
    ['do_not_contact', 'boolean'],
    ['do_not_contact_since', T],
  ],
  overdose_incident: [
    ...base,
    ['reporting_agency_id', 'uuid'],
    ['external_id', 'text'],
    ['occurred_at', T],
    ['county', 'char(5)'],
    ['street', 'text'],
    ['city', 'text'],
    ['state', 'char(2)'],
    ['zip', 'text'],
    ['latitude', 'float8'],
    ['longitude', 'float8'],
    ['fatal', 'boolean'],
    ['suspected_substances', 'suspected_substance[]'],
    ['ems_disposition', 'ems_disposition'],
    ['officer_warm_handoff', 'boolean'],
    ['person_id', 'uuid'],
    ['reported_by_id', 'uuid'],
    ['version', 'integer'],
    ['age_band', 'age_band'],
    // Every synthetic report is its own overdose event (BulkLoad writes the events).
    ['event_id', 'uuid'],
  ],
  naloxone_administration: [
    ...base,
    ['incident_id', 'uuid'],
    ['administered_at', T],
    ['dose_mg', 'numeric(6,2)'],
    ['route', 'naloxone_route'],
    ['administered_by', 'administered_by'],
    ['response', 'naloxone_response'],
  ],
  reported_identity: [
    ...base,
    ['incident_id', 'uuid'],
    ['first_name', 'text'],
    ['last_name', 'text'],
    ['date_of_birth', 'text'],
    ['phone', 'text'],
    ['street', 'text'],
    ['city', 'text'],
    ['state', 'char(2)'],
    ['zip', 'text'],
    ['sex', 'sex'],
    ['race_ethnicity', 'race_ethnicity[]'],
  ],
  overdose_case: [
    ...base,
    ['person_id', 'uuid'],
    ['index_incident_id', 'uuid'],
    ['county', 'char(5)'],
    ['status', 'case_status'],
    ['close_reason', 'close_reason'],
    ['triage_reason', 'triage_reason'],
    ['routed_agency_id', 'uuid'],
    ['assigned_worker_id', 'uuid'],
    ['follow_up_opens_at', T],
    ['follow_up_due_at', T],
    ['closed_at', T],
    ['version', 'integer'],
    ['hold_reason', 'hold_reason'],
    ['resume_on', T],
  ],
  case_link: [
    ['case_id', 'uuid'],
    ['prior_case_id', 'uuid'],
  ],
  referral: [
    ...base,
    ['case_id', 'uuid'],
    ['to_agency_id', 'uuid'],
    ['type', 'referral_type'],
    ['status', 'referral_status'],
    ['status_reason', 'text'],
    ['responded_at', T],
    ['responded_by_id', 'uuid'],
  ],
  case_event: [
    ...base,
    ['case_id', 'uuid'],
    ['from_status', 'case_status'],
    ['to_status', 'case_status'],
    ['reason', 'text'],
    ['actor_id', 'uuid'],
  ],
  outreach_attempt: [
    ...base,
    ['case_id', 'uuid'],
    ['worker_id', 'uuid'],
    ['method', 'contact_method'],
    ['attempted_at', T],
    ['outcome', 'attempt_outcome'],
    ['team_present', 'team_member[]'],
    ['officer_presence', 'officer_presence'],
    ['naloxone_kits_for_person', 'smallint'],
    ['naloxone_kits_for_family', 'smallint'],
    ['fentanyl_test_strips', 'smallint'],
    ['overdose_prevention_literature', 'boolean'],
    ['peer_support_contact_card', 'boolean'],
    ['syringe_services_information', 'boolean'],
  ],
  consent: [
    ...base,
    ['person_id', 'uuid'],
    ['case_id', 'uuid'],
    ['scope', 'consent_scope'],
    ['granted_to_id', 'uuid'],
    ['covers_police', 'boolean'],
    ['purpose', 'text'],
    ['method', 'consent_method'],
    ['granted_at', T],
    ['expires_at', T],
    ['recorded_by_id', 'uuid'],
  ],
  outcome: [
    ...base,
    ['case_id', 'uuid'],
    ['type', 'outcome_type'],
    ['occurred_at', T],
    ['source_incident_id', 'uuid'],
    ['recorded_by_id', 'uuid'],
    ['automatic', 'boolean'],
    ['moud_type', 'moud_type'],
  ],
  lead_referral: [
    ...base,
    ['person_id', 'uuid'],
    ['case_id', 'uuid'],
    ['source_incident_id', 'uuid'],
    ['program_id', 'uuid'],
    ['referring_agency_id', 'uuid'],
    ['referred_by_id', 'uuid'],
    ['door', 'lead_door'],
    ['status', 'lead_status'],
    ['exit_reason', 'lead_exit_reason'],
    ['intake_deadline', T],
    ['case_manager_id', 'uuid'],
    ['exited_at', T],
    ['version', 'integer'],
  ],
} satisfies Record<string, Column[]>;

export type TableName = keyof typeof TABLES;

/** Insert order: every foreign key points at a table earlier in the list. */
export const INSERT_ORDER: readonly TableName[] = [
  'person',
  'overdose_incident',
  'naloxone_administration',
  'reported_identity',
  'overdose_case',
  'case_link',
  'referral',
  'case_event',
  'outreach_attempt',
  'consent',
  'outcome',
  'lead_referral',
];

/**
 * A batch's rows by table: cell arrays while they may still change (a case, its routing
 * referral, a person), COPY lines once they cannot.
 */
export type Batch = Record<TableName, Row[]>;

export function emptyBatch(): Batch {
  return Object.fromEntries(INSERT_ORDER.map((t) => [t, []])) as unknown as Batch;
}
