import { Agency } from './modules/agency/agency.entity';
import { ApiKey } from './modules/agency/api-key.entity';
import { DataSharingAgreement } from './modules/agency/data-sharing-agreement.entity';
import { User } from './modules/agency/user.entity';
import { CaseEvent } from './modules/case/case-event.entity';
import { Case } from './modules/case/case.entity';
import { FamilySupportCase } from './modules/case/family-support-case.entity';
import { Referral } from './modules/case/referral.entity';
import { OverdoseIncident } from './modules/incident/incident.entity';
import { NaloxoneAdministration } from './modules/incident/naloxone-administration.entity';
import { OverdoseEvent } from './modules/incident/overdose-event.entity';
import { EventMerge } from './modules/case/event-merge.entity';
import { LeadReferral } from './modules/lead/lead-referral.entity';
import { Outcome } from './modules/outcome/outcome.entity';
import { Consent } from './modules/outreach/consent.entity';
import { OutreachAttempt } from './modules/outreach/outreach-attempt.entity';
import { FamilyContact } from './modules/outreach/family-contact.entity';
import { Person } from './modules/person/person.entity';
import { ContactRecord } from './modules/person/contact-record.entity';
import { ReportedIdentity } from './modules/incident/reported-identity.entity';
import { TreatmentResource } from './modules/resource/treatment-resource.entity';
import { AuditEvent } from './modules/audit/audit-event.entity';
import { StatsRollupCell } from './modules/stats/stats-rollup.entity';
import {
  CountyPopulation,
  CountyRegion,
  StatsCalendar,
  StatsQueryLedger,
  StatsRecordKey,
} from './modules/stats/stats-tables.entity';
import { SpikeAlert } from './modules/spike/spike-alert.entity';
import { SpikeSetting } from './modules/spike/spike-setting.entity';
import { AlertContact } from './modules/spike/alert-contact.entity';
import { AlertDelivery } from './modules/spike/alert-delivery.entity';
import { HubJob } from './jobs/hub-job.entity';
import { ImportRun } from './modules/import/import-run.entity';
import { ACCOUNT_ENTITIES } from './modules/account/account.entities';

/** Every entity of the hub; the ORM, the migrations and the tests read this one list. */
export const ENTITIES = [
  Agency,
  User,
  ApiKey,
  DataSharingAgreement,
  Person,
  ContactRecord,
  ReportedIdentity,
  OverdoseEvent,
  OverdoseIncident,
  NaloxoneAdministration,
  EventMerge,
  Case,
  FamilySupportCase,
  Referral,
  CaseEvent,
  Outcome,
  OutreachAttempt,
  FamilyContact,
  Consent,
  LeadReferral,
  TreatmentResource,
  AuditEvent,
  StatsRollupCell,
  ImportRun,
  StatsRecordKey,
  StatsCalendar,
  CountyPopulation,
  CountyRegion,
  StatsQueryLedger,
  SpikeAlert,
  SpikeSetting,
  AlertContact,
  AlertDelivery,
  HubJob,
  ...ACCOUNT_ENTITIES,
];
