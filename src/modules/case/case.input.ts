import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsOptional,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../../common/pagination';
import { CaseStatus, FollowUpBucket } from './case-codes';

@InputType('CaseFilter', { description: 'Every given condition must hold' })
export class CaseFilterInput {
  @Field(() => [CaseStatus], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  status?: CaseStatus[];

  @Field(() => String, { nullable: true, description: 'Five-digit county FIPS code' })
  @IsOptional()
  @Matches(/^\d{5}$/, { message: 'must be a five-digit FIPS code' })
  county?: string;

  @Field(() => Boolean, { nullable: true, description: 'Past due with no outreach attempt yet' })
  @IsOptional()
  overdue?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Identity withheld from the agency' })
  @IsOptional()
  sealed?: boolean;

  @Field(() => Boolean, { nullable: true, description: 'Assigned to the caller' })
  @IsOptional()
  assignedToMe?: boolean;

  @Field(() => ID, {
    nullable: true,
    description: 'The agency the case is routed to; narrows your scope, never widens it',
  })
  @IsOptional()
  @IsUUID('all')
  agencyId?: string;

  @Field(() => ID, { nullable: true, description: 'The outreach worker holding the case' })
  @IsOptional()
  @IsUUID('all')
  assignedWorkerId?: string;

  @Field(() => Date, { nullable: true, description: 'Overdose at or after this time' })
  @IsOptional()
  occurredFrom?: Date;

  @Field(() => Date, { nullable: true, description: 'Overdose before this time (exclusive)' })
  @IsOptional()
  occurredTo?: Date;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Follow-up window open now, not yet past due, no attempt yet',
  })
  @IsOptional()
  due?: boolean;
}

@ArgsType()
export class CasesArgs extends PageArgs {
  @Field(() => CaseFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: CaseFilterInput;
}

@ArgsType()
export class FollowUpQueueArgs extends PageArgs {
  @Field(() => [FollowUpBucket], {
    nullable: true,
    description: 'Which parts of the queue; all three when left out',
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayUnique()
  buckets?: FollowUpBucket[];

  @Field(() => String, {
    nullable: true,
    description: 'IANA time zone that says when "today" ends (default UTC), e.g. America/New_York',
  })
  @IsOptional()
  @MaxLength(64)
  timeZone?: string;
}

@ArgsType()
export class CaseChangeArgs {
  @Field(() => ID, { nullable: false })
  caseId!: string;

  @Field(() => Int, { nullable: false, description: 'The version the change is based on' })
  @Min(1)
  version!: number;
}

@ArgsType()
export class AcceptCaseArgs extends CaseChangeArgs {
  @Field(() => ID, {
    nullable: true,
    description:
      'The outreach worker who takes the case: required for an agency admin; a worker may ' +
      'only name themselves (or leave it out)',
  })
  @IsOptional()
  workerId?: string;
}

@ArgsType()
export class ReassignCaseArgs extends CaseChangeArgs {
  @Field(() => ID, {
    nullable: false,
    description: 'An active outreach worker of your agency, other than the one holding the case',
  })
  workerId!: string;
}

@ArgsType()
export class DeclineCaseArgs extends CaseChangeArgs {
  @Field(() => String, {
    nullable: false,
    description: 'Why the agency cannot take it (capacity, area …); never personal details',
  })
  @MaxLength(500)
  reason!: string;
}
