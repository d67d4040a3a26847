import { Field, ID, Int, ObjectType } from 'type-graphql';
import { UserType } from '../agency/agency.types';
import { AttemptOutcome, ContactMethod, OfficerPresence, TeamMember } from './outreach-codes';

@ObjectType('OutreachAttempt', {
  description: 'One try to reach the survivor (phone, text or visit) and what was left behind',
})
export class OutreachAttemptType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => ContactMethod)
  method!: ContactMethod;

  @Field(() => Date)
  attemptedAt!: Date;

  @Field(() => AttemptOutcome)
  outcome!: AttemptOutcome;

  @Field(() => [TeamMember], { description: 'Who of the outreach team was there' })
  teamPresent!: TeamMember[];

  @Field(() => OfficerPresence, { description: 'Law enforcement present (less is better)' })
  officerPresence!: OfficerPresence;

  @Field(() => Int)
  naloxoneKitsForPerson!: number;

  @Field(() => Int, { description: 'Naloxone kits left for family and friends' })
  naloxoneKitsForFamily!: number;

  @Field(() => Int)
  fentanylTestStrips!: number;

  @Field(() => Boolean)
  overdosePreventionLiterature!: boolean;

  @Field(() => Boolean)
  peerSupportContactCard!: boolean;

  @Field(() => Boolean)
  syringeServicesInformation!: boolean;

  @Field(() => String, { description: 'Visit notes; for the outreach team only' })
  notes?: string;

  @Field(() => UserType, { description: 'The outreach worker who logged the attempt' })
  worker?: UserType;

  @Field(() => Date)
  createdAt!: Date;

  /** Resolved into `worker` by the resolver. */
  workerId!: string;
  caseId!: string;

  /** 42 CFR Part 2 label (modules/part2): the program whose record this is; see `part2Protected`. */
  part2ProgramId?: string;
}
