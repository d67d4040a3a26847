import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { AgencyType, UserType } from '../agency/agency.types';
import { ConsentType } from '../outreach/consent.types';
import { PersonType } from '../person/person.types';
import { LeadDoor, LeadExitReason, LeadStatus } from './lead-codes';

@ObjectType('LeadIncidentSummary', {
  description: 'The overdose behind a LEAD referral, without location or identity',
})
export class LeadIncidentSummaryType {
  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => String, { description: 'County FIPS code' })
  county!: string;

  @Field(() => Boolean)
  fatal!: boolean;

  @Field(() => Boolean, { description: 'At least one naloxone dose was given' })
  naloxoneGiven!: boolean;
}

@ObjectType('LeadIncidentAddress', { description: 'Where the overdose happened' })
export class LeadIncidentAddressType {
  @Field(() => String)
  street?: string;

  @Field(() => String)
  city?: string;

  @Field(() => String)
  state?: string;

  @Field(() => String)
  zip?: string;
}

@ObjectType('LeadReferralDetails', {
  description:
    'What the referrer knew and entered for the referral: police information shared for it ' +
    '(not treatment information), for the case manager to find the person',
})
export class LeadReferralDetailsType {
  @Field(() => String)
  firstName?: string;

  @Field(() => String)
  lastName?: string;

  @Field(() => String, { description: 'YYYY-MM-DD' })
  dateOfBirth?: string;

  @Field(() => String, { description: 'Where to find the person' })
  whereToFind?: string;

  @Field(() => String, { description: 'How to reach the person' })
  contact?: string;

  @Field(() => String, { description: 'The officer (or worker) who referred, by name' })
  referringOfficer?: string;

  @Field(() => AgencyType, { description: 'The referring agency' })
  referringAgency?: AgencyType;

  /** Resolved by a field resolver. */
  referringAgencyId!: string;
}

/**
 * A LEAD referral as its program reads it: a row computed in one statement (scope, overdue
 * flag, whether a release is in force, the incident summary) with identity and the incident's
 * address present only while a release naming the program is in force.
 */
@ObjectType('LeadReferral', { description: "A person's LEAD track in one program" })
export class LeadReferralType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => LeadDoor)
  door!: LeadDoor;

  @Field(() => LeadStatus)
  status!: LeadStatus;

  @Field(() => LeadExitReason)
  exitReason?: LeadExitReason;

  @Field(() => Date, { description: 'Intake must be completed by then' })
  intakeDeadline!: Date;

  @Field(() => Boolean, { description: 'Still REFERRED or INTAKE_PENDING past the deadline' })
  intakeOverdue!: boolean;

  @Field(() => AgencyType, { description: 'The LEAD program' })
  program?: AgencyType;

  @Field(() => UserType)
  caseManager?: UserType;

  @Field(() => Boolean, {
    description: 'A release (SHARE_WITH_LEAD consent) naming the program is in force now',
  })
  releaseInForce!: boolean;

  @Field(() => [ConsentType], { description: "The person's releases to the program, oldest first" })
  releases?: ConsentType[];

  @Field(() => PersonType, { description: 'Null unless a release naming the program is in force' })
  person?: PersonType;

  @Field(() => String, { description: 'County FIPS code the referral is for' })
  county?: string;

  @Field(() => LeadIncidentSummaryType, { description: 'Null for a referral without an overdose' })
  incidentSummary?: LeadIncidentSummaryType;

  @Field(() => LeadReferralDetailsType, {
    description: 'Who the person is and how to find them, as the referrer entered it',
  })
  referralDetails?: LeadReferralDetailsType;

  @Field(() => LeadIncidentAddressType, {
    description: 'Null unless a release naming the program is in force',
  })
  incidentAddress?: LeadIncidentAddressType;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => Int, { description: 'Send it back with a change; a stale one is a CONFLICT' })
  version!: number;

  /** Resolved by field resolvers after the permission layer let them through. */
  programId!: string;
  caseManagerId?: string;
  /** Set only while a release is in force, and only for a case manager. */
  personId?: string;
  /**
   * The report the referral was made from (the officer's, or the index report of the case an
   * outreach agency referred), under the same condition.
   */
  referredIncidentId?: string;
}

export const LeadReferralConnection = connectionType('LeadReferral', LeadReferralType);

/**
 * What the referring agency may know of its own referral: that it was made, and — only while
 * the person's release also covers the police — whether the person is enrolled. Nothing else.
 */
@ObjectType('LeadReferralFlag', {
  description: 'A LEAD referral your agency made: no person, status detail or case manager',
})
export class LeadReferralFlagType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => LeadDoor)
  door!: LeadDoor;

  @Field(() => Boolean, {
    description:
      'ACTIVE or INACTIVE in the program; null (FORBIDDEN) unless a release covering the ' +
      'referring police (outreach: any release to the program) is in force',
  })
  enrolled?: boolean;

  @Field(() => Boolean, {
    description:
      'The one signal back: intake completed by the deadline (true) or not (false); null ' +
      'while the deadline has not passed and intake is not complete',
  })
  intakeCompletedByDeadline?: boolean;

  /** Whether `enrolled` may be shown to this caller, computed in the query. */
  enrolledVisible!: boolean;
}

export const LeadReferralFlagConnection = connectionType('LeadReferralFlag', LeadReferralFlagType);
