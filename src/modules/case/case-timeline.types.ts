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

/** What a timeline entry records. */
export enum CaseEventKind {
  STATUS_CHANGE = 'STATUS_CHANGE',
  OUTREACH_ATTEMPT = 'OUTREACH_ATTEMPT',
}

registerEnumType(CaseEventKind, {
  name: 'CaseEventKind',
  description:
    'STATUS_CHANGE: a transition (or a recorded step that keeps the status); ' +
    'OUTREACH_ATTEMPT: an attempt to reach the survivor (timeline(withAttempts: true) only)',
});

@ObjectType('CaseEvent', { description: 'One entry of the case timeline' })
export class CaseEventType {
  @Field(() => CaseEventKind, { nullable: false })
  kind!: CaseEventKind;

  @Field(() => Date)
  at!: Date;

  @Field(() => CaseStatus, {
    description: 'Null for the first entry (the report) and for outreach attempts',
  })
  fromStatus?: CaseStatus;

  @Field(() => CaseStatus, {
    description:
      'Equal to fromStatus for entries that record something other than a move; null for ' +
      'outreach attempts',
  })
  toStatus?: CaseStatus;

  @Field(() => String, {
    description:
      'A code (close reason, hold reason, ACCEPTED, ROUTED …); for ENTERED_IN_ERROR the ' +
      "administrator's words",
  })
  reason?: string;

  @Field(() => CaseEventActor)
  actor!: CaseEventActor;

  /** For OUTREACH_ATTEMPT entries: the attempt (its field is outreach's, outreach.resolver.ts). */
  attempt?: unknown;

  /** The attempt's 42 CFR Part 2 label: that it happened, and when, is the program's record too. */
  part2ProgramId?: string;
}
