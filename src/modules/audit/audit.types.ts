import { Field, ID, ObjectType } from 'type-graphql';
import { connectionType } from '../../common/pagination';
import { ActorKind, AuditOutcome } from './audit-codes';

@ObjectType('AuditEvent', {
  description:
    'One audited event: who did what to which records, which identity fields were returned ' +
    '(names only, never values), why, and whether it was allowed',
})
export class AuditEventType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => Date, { nullable: false })
  occurredAt!: Date;

  @Field(() => ActorKind, { nullable: false })
  actorKind!: ActorKind;

  @Field(() => ID, { description: 'The user, when a user acted' })
  actorUserId?: string;

  @Field(() => ID, { description: 'The API key, when a machine client acted' })
  actorApiKeyId?: string;

  @Field(() => ID, { description: "The actor's agency" })
  agencyId?: string;

  @Field(() => String, { description: "The actor's role at the time" })
  role?: string;

  @Field(() => String, {
    nullable: false,
    description:
      'READ_IDENTITY, AUTHENTICATE, RETENTION_PURGE, or the field concerned (Mutation.acceptCase, Case.person)',
  })
  action!: string;

  @Field(() => String)
  entityType?: string;

  @Field(() => [ID], { nullable: false })
  entityIds!: string[];

  @Field(() => [ID], { nullable: false, description: 'People whose identity this concerns' })
  personIds!: string[];

  @Field(() => [String], { nullable: false, description: 'Identity fields returned (names only)' })
  fields!: string[];

  @Field(() => String, { description: 'Purpose of use' })
  purpose?: string;

  @Field(() => String)
  requestId?: string;

  @Field(() => AuditOutcome, { nullable: false })
  outcome!: AuditOutcome;

  @Field(() => String, { description: 'Error code when the request did not succeed' })
  errorCode?: string;

  @Field(() => String, { description: 'Counts and codes as JSON (e.g. a purge), never values' })
  details?: string;
}

export const AuditEventConnection = connectionType('AuditEvent', AuditEventType);
