import { IsOptional, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MoudType } from '../resource/resource-codes';
import { OutcomeType } from './outcome-codes';

@InputType()
export class OutcomeInput {
  @Field(() => OutcomeType, {
    nullable: false,
    description: 'REPEAT_OVERDOSE is recorded by the hub from new reports',
  })
  type!: OutcomeType;

  @Field(() => Date, { nullable: false })
  occurredAt!: Date;

  @Field(() => MoudType, {
    nullable: true,
    description: 'Required with MOUD_STARTED, not allowed otherwise',
  })
  @IsOptional()
  moudType?: MoudType;
}

@ArgsType()
export class RecordOutcomeArgs {
  @Field(() => ID, { nullable: false })
  caseId!: string;

  @Field(() => Int, { nullable: false })
  @Min(1)
  version!: number;

  @Field(() => OutcomeInput, { nullable: false })
  input!: OutcomeInput;
}
