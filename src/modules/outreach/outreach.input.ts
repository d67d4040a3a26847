import { ArrayMaxSize, ArrayUnique, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { AttemptOutcome, ContactMethod, OfficerPresence, TeamMember } from './outreach-codes';

/** More than this many kits or strips in one attempt is a typing error. */
export const MAX_ITEMS_LEFT = 50;
export const MAX_NOTES_LENGTH = 4000;

const count = (what: string) => ({
  nullable: false,
  defaultValue: 0,
  description: `${what} left behind, 0 to ${MAX_ITEMS_LEFT}`,
});
const given = (what: string) => ({ nullable: false, defaultValue: false, description: what });

@InputType('OutreachAttemptInput', {
  description:
    'One try to reach the survivor. When the survivor was not reached (any outcome but ' +
    'CONTACT_*) only the generic contact card (peerSupportContactCard) may be left, unless a ' +
    'DROP_OFF_SUPPLIES consent naming your agency is in force.',
})
export class OutreachAttemptInput {
  @Field(() => ContactMethod, { nullable: false })
  method!: ContactMethod;

  @Field(() => Date, {
    nullable: false,
    description: 'When it happened: not in the future, not before the overdose',
  })
  attemptedAt!: Date;

  @Field(() => AttemptOutcome, { nullable: false })
  outcome!: AttemptOutcome;

  @Field(() => [TeamMember], { nullable: false, defaultValue: [] })
  @ArrayMaxSize(Object.keys(TeamMember).length)
  @ArrayUnique({ message: 'must not name a team member twice' })
  teamPresent!: TeamMember[];

  @Field(() => OfficerPresence, {
    nullable: true,
    description: 'Required for a visit; NONE when left out of a call or text',
  })
  @IsOptional()
  officerPresence?: OfficerPresence;

  @Field(() => Int, count('Naloxone kits for the person'))
  @Min(0, { message: 'must not be negative' })
  @Max(MAX_ITEMS_LEFT, { message: `must be at most ${MAX_ITEMS_LEFT}` })
  naloxoneKitsForPerson!: number;

  @Field(() => Int, count('Naloxone kits for family and friends'))
  @Min(0, { message: 'must not be negative' })
  @Max(MAX_ITEMS_LEFT, { message: `must be at most ${MAX_ITEMS_LEFT}` })
  naloxoneKitsForFamily!: number;

  @Field(() => Int, count('Fentanyl test strips'))
  @Min(0, { message: 'must not be negative' })
  @Max(MAX_ITEMS_LEFT, { message: `must be at most ${MAX_ITEMS_LEFT}` })
  fentanylTestStrips!: number;

  @Field(() => Boolean, given('Overdose-prevention literature left'))
  overdosePreventionLiterature!: boolean;

  @Field(() => Boolean, given('Peer-support contact card left'))
  peerSupportContactCard!: boolean;

  @Field(() => Boolean, given('Syringe-services information left'))
  syringeServicesInformation!: boolean;

  @Field(() => String, {
    nullable: true,
    description: `Visit notes, at most ${MAX_NOTES_LENGTH} characters; read by the outreach team only`,
  })
  @IsOptional()
  @MaxLength(MAX_NOTES_LENGTH, { message: `must be at most ${MAX_NOTES_LENGTH} characters` })
  notes?: string;
}

/**
 * The input fields that record something left behind that discloses the overdose, in the order
 * errors name them. The peer-support contact card is generic (it names no overdose): not here.
 */
export const DISCLOSING_FIELDS = [
  'naloxoneKitsForPerson',
  'naloxoneKitsForFamily',
  'fentanylTestStrips',
  'overdosePreventionLiterature',
  'syringeServicesInformation',
] as const;
