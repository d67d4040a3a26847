import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { CaseStatus } from './case-codes';

/** Who made a change, without saying which person: staff, a machine client, or the hub itself. */
export enum CaseEventActor {
  USER = 'USER',
  API_KEY = 'API_KEY',
  HUB = 'HUB',
}

registerEnumType(CaseEventActor, {
  name: 'CaseEventActor',
  description: 'USER: a staff member; API_KEY: a machine client; HUB: the hub on its own',
});

@ObjectType('CaseEvent', { description: 'One entry of the case timeline' })
export class CaseEventType {
  @Field(() => Date)
  at!: Date;

  @Field(() => CaseStatus, { description: 'Null for the first entry (the report)' })
  fromStatus?: CaseStatus;

  @Field(() => CaseStatus, {
    description: 'Equal to fromStatus for entries that record something other than a move',
  })
  toStatus!: CaseStatus;

  @Field(() => String, {
    description:
      'A code (close reason, hold reason, ACCEPTED, ROUTED …); for ENTERED_IN_ERROR the ' +
      "administrator's words",
  })
  reason?: string;

  @Field(() => CaseEventActor)
  actor!: CaseEventActor;
}
