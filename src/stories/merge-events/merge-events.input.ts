import { Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';

@ArgsType()
export class MergeOverdoseEventsArgs {
  @Field(() => ID, {
    nullable: false,
    description:
      'The event that goes away: its reports join intoEventId, its case closes DUPLICATE',
  })
  eventId!: string;

  @Field(() => Int, { nullable: false, description: 'The version of eventId you read' })
  @Min(1)
  version!: number;

  @Field(() => ID, { nullable: false, description: 'The event that keeps its case' })
  intoEventId!: string;

  @Field(() => Int, { nullable: false, description: 'The version of intoEventId you read' })
  @Min(1)
  intoVersion!: number;
}

@ArgsType()
export class UndoOverdoseEventMergeArgs {
  @Field(() => ID, { nullable: false, description: 'The event that was merged away' })
  eventId!: string;

  @Field(() => Int, { nullable: false, description: 'The version of eventId you read' })
  @Min(1)
  version!: number;
}
