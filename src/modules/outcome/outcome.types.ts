import { Field, ID, ObjectType } from 'type-graphql';
import { MoudType } from '../resource/resource-codes';
import { OutcomeType } from './outcome-codes';

@ObjectType('Outcome', {
  description: 'Something that happened to the person after the case opened',
})
export class OutcomeObjectType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => OutcomeType)
  type!: OutcomeType;

  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => MoudType)
  moudType?: MoudType;

  @Field(() => Boolean, {
    description: 'Recorded by the hub from a later report (repeat or fatal overdose)',
  })
  automatic!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  /** 42 CFR Part 2 label (modules/part2): the program whose record this is; see `part2Protected`. */
  part2ProgramId?: string;
}
