import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsEnum,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../../common/pagination';
import { LeadDoor, LeadExitReason, LeadStatus } from './lead-codes';

// Inputs are checked by the service (the resolver passes `validate: false`), which names every
// problem by its argument path together with the checks that need the database.

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIPS = /^\d{5}$/;
const PRINTABLE = /^[^\p{Cc}]+$/u;

@InputType('LeadSubjectInput', {
  description:
    'What the referring officer knows of the person, shared with the LEAD program for the ' +
    'referral (police information, not treatment information)',
})
export class LeadSubjectInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  firstName?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  lastName?: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'must be a date as YYYY-MM-DD' })
  dateOfBirth?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Where to find the person (a shelter, a corner, a camp); at most 500 characters',
  })
  @IsOptional()
  @Length(1, 500)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  whereToFind?: string;

  @Field(() => String, {
    nullable: true,
    description: 'How to reach the person (a phone number, a friend); at most 200 characters',
  })
  @IsOptional()
  @Length(1, 200)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  contact?: string;
}

@InputType('ReferToLeadInput', {
  description:
    'A police officer refers (door ARREST_DIVERSION or SOCIAL_CONTACT) from an incident of ' +
    'their own agency, or without any overdose from what they know of the person (subject and ' +
    'county); an outreach worker from a case their agency has accepted (COMMUNITY or ' +
    'SOCIAL_CONTACT)',
})
export class ReferToLeadInput {
  @Field(() => LeadDoor, { nullable: false })
  @IsEnum(LeadDoor, { message: 'is not a known LEAD door' })
  door!: LeadDoor;

  @Field(() => ID, {
    nullable: false,
    description: 'An active LEAD program serving the county of the overdose',
  })
  @IsString({ message: 'must be an id' })
  programId!: string;

  @Field(() => ID, { nullable: true, description: "Police: your agency's incident" })
  @IsOptional()
  @IsString({ message: 'must be an id' })
  incidentId?: string;

  @Field(() => ID, { nullable: true, description: 'Outreach: a case routed to your agency' })
  @IsOptional()
  @IsString({ message: 'must be an id' })
  caseId?: string;

  @Field(() => LeadSubjectInput, {
    nullable: true,
    description:
      'Police: the person (a first or last name at least) — required without an incident, ' +
      'optional with one (where to find them, how to reach them)',
  })
  @IsOptional()
  @ValidateNested()
  subject?: LeadSubjectInput;

  @Field(() => String, {
    nullable: true,
    description: 'Police, without an incident: the county FIPS code of the referral',
  })
  @IsOptional()
  @Matches(FIPS, { message: 'must be a five-digit FIPS code' })
  county?: string;
}

@InputType('LeadReferralFilter', { description: 'Every given condition must hold' })
export class LeadReferralFilterInput {
  @Field(() => [LeadStatus], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @ArrayUnique()
  status?: LeadStatus[];

  @Field(() => LeadDoor, { nullable: true })
  @IsOptional()
  door?: LeadDoor;

  @Field(() => Boolean, { nullable: true, description: 'Intake not completed by its deadline' })
  @IsOptional()
  intakeOverdue?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Assigned to the caller' })
  @IsOptional()
  assignedToMe?: boolean;
}

@ArgsType()
export class LeadReferralsArgs extends PageArgs {
  @Field(() => LeadReferralFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: LeadReferralFilterInput;
}

@ArgsType()
export class LeadChangeArgs {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => Int, { nullable: false, description: 'The version the change is based on' })
  @Min(1)
  version!: number;
}

@ArgsType()
export class UpdateLeadStatusArgs extends LeadChangeArgs {
  @Field(() => LeadStatus, {
    nullable: false,
    description:
      'REFERRED → INTAKE_PENDING → ACTIVE ⇄ INACTIVE → EXITED (any open status may exit). ' +
      'ACTIVE needs a LEAD release (SHARE_WITH_LEAD consent) naming the program in force.',
  })
  @IsEnum(LeadStatus)
  status!: LeadStatus;

  @Field(() => LeadExitReason, { nullable: true, description: 'Required for EXITED, only then' })
  @IsOptional()
  @IsEnum(LeadExitReason)
  exitReason?: LeadExitReason;
}

@ArgsType()
export class AssignLeadCaseManagerArgs extends LeadChangeArgs {
  @Field(() => ID, {
    nullable: false,
    description:
      'An active case manager of the program; a case manager may only name themselves (claim)',
  })
  userId!: string;
}
