import { agencyPermissions } from '../modules/agency/agency.permissions';
import { agreementPermissions } from '../modules/agency/agreement.permissions';
import { casePermissions } from '../modules/case/case.permissions';
import { familySupportPermissions } from '../modules/case/family-support.permissions';
import { commonPermissions } from '../common/common.permissions';
import { consentPermissions } from '../modules/outreach/consent.permissions';
import { contactPreferencesPermissions } from '../stories/contact-preferences/contact-preferences.permissions';
import { incidentPermissions } from '../modules/incident/incident.permissions';
import { leadPermissions } from '../modules/lead/lead.permissions';
import { personPermissions } from '../modules/person/person.permissions';
import { resourcePermissions } from '../modules/resource/resource.permissions';
import { statsPermissions } from '../modules/stats/stats.permissions';
import { serviceReferralPermissions } from '../modules/case/service-referral.permissions';
import { outcomePermissions } from '../modules/outcome/outcome.permissions';
import { caseLifecyclePermissions } from '../modules/case/case-lifecycle.permissions';
import { caseloadPermissions } from '../modules/case/caseload.permissions';
import { outreachPermissions } from '../modules/outreach/outreach.permissions';
import { auditPermissions } from '../modules/audit/audit.permissions';
import { spikePermissions } from '../modules/spike/spike.permissions';
import { livePermissions } from '../live/live.permissions';
import { accountPermissions } from '../modules/account/account.permissions';
import { treatmentPermissions } from '../modules/treatment/treatment.permissions';
import { familyContactPermissions } from '../modules/outreach/family-contact.permissions';
import { mergeEventsPermissions } from '../stories/merge-events/merge-events.permissions';
import { part2Permissions } from '../modules/part2/part2.permissions';
import { openReferralPermissions } from '../stories/open-referral/open-referral.permissions';
import { mergePermissions } from './merge';

/** The one permission map of the hub, merged from every module's `*.permissions.ts`. */
export const PERMISSIONS = mergePermissions(
  commonPermissions,
  agencyPermissions,
  agreementPermissions,
  incidentPermissions,
  statsPermissions,
  serviceReferralPermissions,
  outcomePermissions,
  casePermissions,
  familySupportPermissions,
  personPermissions,
  consentPermissions,
  contactPreferencesPermissions,
  mergeEventsPermissions,
  openReferralPermissions,
  leadPermissions,
  resourcePermissions,
  caseLifecyclePermissions,
  caseloadPermissions,
  outreachPermissions,
  auditPermissions,
  spikePermissions,
  livePermissions,
  accountPermissions,
  treatmentPermissions,
  familyContactPermissions,
  part2Permissions,
);
