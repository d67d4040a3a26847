import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { AgencyType, UserType } from '../agency/agency.types';
import { IncidentType } from '../incident/incident.types';
import { PersonType } from '../person/person.types';
import type { IncidentRow } from '../incident/incident-rows';
import {
  CaseStatus,
  CloseReason,
  FollowUpBucket,
  HoldReason,
  ReferralSource,
  SealedReason,
  TriageReason,
} from './case-codes';
import { CaseReferralType } from './referral.types';

/**
 * A case as one caller may read it: a row computed in SQL (scope, overdue and sealed flags,
 * referrals) with its related records resolved by id, batched.
 */
@ObjectType('Case', { description: "One survivor's follow-up after one overdose" })
export class CaseType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => CaseStatus)
  status!: CaseStatus;

  @Field(() => CloseReason)
  closeReason?: CloseReason;

  @Field(() => TriageReason, { description: 'Why the case is still waiting in triage' })
  triageReason?: TriageReason;

  @Field(() => String, { description: 'County FIPS code of the overdose' })
  county!: string;

  @Field(() => AgencyType, { description: 'The agency the case is referred to' })
  routedAgency?: AgencyType;

  @Field(() => UserType)
  assignedWorker?: UserType;

  @Field(() => Date, { description: 'Earliest useful visit (24 h after the overdose by default)' })
  followUpOpensAt!: Date;

  @Field(() => Date, { description: 'Visit due by (72 h after the overdose by default)' })
  followUpDueAt!: Date;

  @Field(() => Boolean, { description: 'Past due with no outreach attempt yet' })
  overdue!: boolean;

  @Field(() => FollowUpBucket, {
    description:
      'Where the case stands in the follow-up window while it awaits its first attempt; null ' +
      'otherwise (and when its window opens after today). "Today" ends at midnight UTC, or in ' +
      'the time zone given to followUpQueue',
  })
  followUpBucket?: FollowUpBucket;

  @Field(() => Boolean, {
    description:
      'Identity is withheld: from the routed agency without a data-sharing agreement; from ' +
      'everyone but that agency once consent is revoked',
  })
  identitySealed!: boolean;

  @Field(() => SealedReason)
  sealedReason?: SealedReason;

  @Field(() => Boolean, {
    description: 'A consent your agency recorded on the case is in force (existence only)',
  })
  consentOnFile!: boolean;

  @Field(() => PersonType, { description: 'Null while identity is sealed' })
  person?: PersonType;

  @Field(() => IncidentType, { description: 'Null for a case opened from a referral' })
  indexIncident?: IncidentType;

  @Field(() => ReferralSource, {
    description: 'Where a case opened without an overdose report came from (null: a report)',
  })
  referralSource?: ReferralSource;

  @Field(() => Date, { description: 'When the referral was made (a referral case only)' })
  referredAt?: Date;

  @Field(() => Date, {
    description:
      'The person said NO to peer contact at the scene: no attempt may be made until they ' +
      're-engage (a self-referral, or a consent to follow-up contact recorded later)',
  })
  peerContactDeclinedAt?: Date;

  @Field(() => [CaseReferralType])
  referrals!: CaseReferralType[];

  @Field(() => Int, { description: 'Earlier cases of the same person' })
  priorCaseCount!: number;

  @Field(() => Boolean, { description: 'The person overdosed before (has earlier cases)' })
  repeatOverdose!: boolean;

  @Field(() => Date, {
    description:
      'The person declined services on this date on an earlier case ("not today" is not "never")',
  })
  declinedServicesOn?: Date;

  @Field(() => Int, { description: 'Outreach attempts logged on the case' })
  attemptCount!: number;

  @Field(() => Date, { description: 'When the latest outreach attempt was made' })
  lastAttemptAt?: Date;

  // lastAttempt, outreachAttempts and timeline are fields of outreach (outreach.resolver.ts):
  // the case module knows nothing of attempts.

  @Field(() => HoldReason, { description: 'Why the case is ON_HOLD' })
  holdReason?: HoldReason;

  @Field(() => Date, { description: 'When outreach may resume, if the person said when' })
  resumeOn?: Date;

  @Field(() => Int, { description: 'Send it back with a change; a stale one is a CONFLICT' })
  version!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  /** Foreign keys, resolved by the field resolvers after the permission layer let them through. */
  routedAgencyId?: string;
  assignedWorkerId?: string;
  personId?: string;
  indexIncidentId?: string;

  /** 42 CFR Part 2 label (modules/part2): the program whose record this is; see `part2Protected`. */
  part2ProgramId?: string;
  /**
   * Related records the list statement already fetched for this row (a key is absent when it
   * was not fetched; null when there is none). The field resolvers fall back to batch loaders.
   */
  loaded?: LoadedCaseRelations;
}

export interface LoadedCaseRelations {
  routedAgency?: AgencyType | null;
  assignedWorker?: (UserType & { agency: { id: string; load(): Promise<unknown> } }) | null;
  indexIncident?: IncidentRow | null;
  /** The latest attempt as the list statement read it (shaped by outreach). */
  lastAttempt?: unknown;
}

export const CaseConnection = connectionType('Case', CaseType);
