import { IsOptional, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PageArgs } from '../../common/pagination';
import { AuditOutcome } from './audit-codes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,99}$/;

@InputType('AuditEventFilter', { description: 'Every given condition must hold' })
export class AuditEventFilterInput {
  @Field(() => ID, { nullable: true, description: 'A user id or an API key id' })
  @IsOptional()
  @Matches(UUID, { message: 'must be an id' })
  actorId?: string;

  @Field(() => ID, { nullable: true, description: "The actor's agency" })
  @IsOptional()
  @Matches(UUID, { message: 'must be an id' })
  agencyId?: string;

  @Field(() => String, { nullable: true, description: 'Exact action, e.g. READ_IDENTITY' })
  @IsOptional()
  @Matches(NAME, { message: 'must be an action name' })
  action?: string;

  @Field(() => String, { nullable: true, description: 'Entity type, e.g. Person' })
  @IsOptional()
  @MaxLength(100)
  @Matches(NAME, { message: 'must be a type name' })
  entityType?: string;

  @Field(() => ID, { nullable: true, description: 'Events naming this record' })
  @IsOptional()
  @Matches(UUID, { message: 'must be an id' })
  entityId?: string;

  @Field(() => AuditOutcome, { nullable: true })
  @IsOptional()
  outcome?: AuditOutcome;

  @Field(() => Date, { nullable: true, description: 'At or after' })
  @IsOptional()
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Before' })
  @IsOptional()
  to?: Date;
}

@ArgsType()
export class AuditEventsArgs extends PageArgs {
  @Field(() => AuditEventFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: AuditEventFilterInput;
}

@ArgsType()
export class DisclosuresArgs extends PageArgs {
  @Field(() => ID, { nullable: false })
  personId!: string;
}
