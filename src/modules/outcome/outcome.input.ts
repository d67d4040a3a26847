import { IsOptional, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { MoudType } from '../resource/resource-codes';
import { OutcomeType } from './outcome-codes';

@InputType()
export class OutcomeInput {
  @Field(() => OutcomeType, {
    description: 'REPEAT_OVERDOSE is recorded by the hub from new reports',
  })
  type!: OutcomeType;

  @Field(() => Date)
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
  @Field(() => ID)
  caseId!: string;

  @Field(() => Int)
  @Min(1)
  version!: number;

  @Field(() => OutcomeInput)
  input!: OutcomeInput;
}
