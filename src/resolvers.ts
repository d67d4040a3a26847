import type { NonEmptyArray } from 'type-graphql';
import { AgencyResolver, MeResolver } from './modules/agency/agency.resolver';
import { ApiKeyResolver } from './modules/agency/api-key.resolver';
import { DataSharingAgreementResolver } from './modules/agency/agreement.resolver';
import { UserResolver } from './modules/agency/user.resolver';
import { CaseResolver, ReferralResolver } from './modules/case/case.resolver';
import { FamilySupportCaseResolver } from './modules/case/family-support.resolver';
import { IncidentResolver } from './modules/incident/incident.resolver';
import { ReportIncidentsResolver } from './stories/report-incidents/report-incidents.resolver';
import { LeadReferralDetailsResolver, LeadReferralResolver } from './modules/lead/lead.resolver';
import { TreatmentReferralResolver } from './modules/treatment/treatment.resolver';
import {
  CaseFamilyContactsResolver,
  FamilyContactResolver,
} from './modules/outreach/family-contact.resolver';
import { CaseConsentResolver, ConsentResolver } from './modules/outreach/consent.resolver';
import { ContactPreferencesResolver } from './stories/contact-preferences/contact-preferences.resolver';
import { MergeEventsResolver } from './stories/merge-events/merge-events.resolver';
import { OpenReferralResolver } from './stories/open-referral/open-referral.resolver';
import { TreatmentResourceResolver } from './modules/resource/resource.resolver';
import { StatsResolver } from './modules/stats/stats.resolver';
import { AggregateStatsResolver } from './modules/stats/aggregate.resolver';
import {
  CaseServiceReferralsResolver,
  ServiceReferralResolver,
} from './modules/case/service-referral.resolver';
import { CaseOutcomesResolver, OutcomeResolver } from './modules/outcome/outcome.resolver';
import { CaseLifecycleResolver } from './modules/case/case-lifecycle.resolver';
import { CaseloadResolver } from './modules/case/caseload.resolver';
import { DeactivateUserResolver } from './stories/caseload/deactivate-user.resolver';
import {
  CaseEventAttemptResolver,
  CaseOutreachAttemptsResolver,
  OutreachAttemptResolver,
} from './modules/outreach/outreach.resolver';
import { AuditResolver } from './modules/audit/audit.resolver';
import { LiveResolver } from './live/live.resolver';
import { SpikeAlertResolver } from './modules/spike/spike.resolver';
import { AccountResolver } from './modules/account/account.resolver';
import { PART2_LABEL_RESOLVERS } from './modules/part2/part2-label.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  MeResolver,
  AgencyResolver,
  UserResolver,
  ApiKeyResolver,
  DataSharingAgreementResolver,
  ReportIncidentsResolver,
  MergeEventsResolver,
  OpenReferralResolver,
  IncidentResolver,
  StatsResolver,
  AggregateStatsResolver,
  ServiceReferralResolver,
  CaseServiceReferralsResolver,
  OutcomeResolver,
  CaseOutcomesResolver,
  CaseResolver,
  FamilySupportCaseResolver,
  ReferralResolver,
  ConsentResolver,
  CaseConsentResolver,
  ContactPreferencesResolver,
  LeadReferralResolver,
  LeadReferralDetailsResolver,
  TreatmentReferralResolver,
  FamilyContactResolver,
  CaseFamilyContactsResolver,
  TreatmentResourceResolver,
  CaseLifecycleResolver,
  CaseloadResolver,
  DeactivateUserResolver,
  OutreachAttemptResolver,
  CaseOutreachAttemptsResolver,
  CaseEventAttemptResolver,
  AuditResolver,
  SpikeAlertResolver,
  LiveResolver,
  AccountResolver,
  ...PART2_LABEL_RESOLVERS,
];
