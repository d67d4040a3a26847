import { IsOptional } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
import { CloseReason, HoldReason } from './case-codes';
import { CaseChangeArgs } from './case.input';

// Text and dates are checked by the service, which names the argument in its error.

@ArgsType()
export class RecordDoNotContactArgs extends CaseChangeArgs {
  @Field(() => Date, {
    nullable: true,
    description:
      'When the wish comes up for review (it lapses then); in the future, at most five years ahead',
  })
  @IsOptional()
  reviewOn?: Date;
}

@ArgsType()
export class PutCaseOnHoldArgs extends CaseChangeArgs {
  @Field(() => HoldReason, { nullable: false })
  reason!: HoldReason;

  @Field(() => Date, {
    nullable: true,
    description: 'When outreach may resume ("next week"); not in the past, at most a year ahead',
  })
  @IsOptional()
  resumeOn?: Date;
}

@ArgsType()
export class CloseCaseArgs extends CaseChangeArgs {
  @Field(() => CloseReason, {
    nullable: false,
    description:
      'Each reason has the states it may close from (DECLINED_SERVICES: OUTREACH or ENGAGED, …). ' +
      'DECLINED_SERVICES sets no contact block (recordDoNotContact does). CONSENT_REVOKED is set ' +
      'by revoking the consent.',
  })
  reason!: CloseReason;
}

@ArgsType()
export class EnteredInErrorArgs extends CaseChangeArgs {
  @Field(() => String, {
    nullable: false,
    description:
      'Why the case should not exist, 3 to 500 characters, never personal details; shown on ' +
      'the timeline',
  })
  reason!: string;
}
