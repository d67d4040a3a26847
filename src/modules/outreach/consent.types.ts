import { Field, ID, ObjectType } from 'type-graphql';
import { AgencyType } from '../agency/agency.types';
import { ConsentMethod, ConsentScope } from './outreach-codes';

/**
 * A consent as its holder (the outreach agency that recorded it) or, for a LEAD release, the
 * LEAD program it names may read it. Read with one statement that computes `inForce` with the
 * shared rule (consent-query.ts).
 */
@ObjectType('Consent', { description: 'What the person agreed to, with whom, until when' })
export class ConsentType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => ConsentScope)
  scope!: ConsentScope;

  @Field(() => AgencyType, { description: 'The agency the person agreed may receive or act' })
  grantedTo?: AgencyType;

  @Field(() => Boolean, {
    description: 'A LEAD release that also covers the referring police department (enrolled flag)',
  })
  coversPolice!: boolean;

  @Field(() => String)
  purpose!: string;

  @Field(() => ConsentMethod)
  method!: ConsentMethod;

  @Field(() => Date)
  grantedAt!: Date;

  @Field(() => Date, { description: 'Null: until revoked' })
  expiresAt?: Date;

  @Field(() => Date)
  revokedAt?: Date;

  @Field(() => String, { description: 'Why it was revoked, as staff wrote it' })
  revocationReason?: string;

  @Field(() => Boolean, { description: 'Granted, not expired and not revoked, now' })
  inForce!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  /** Resolved into `grantedTo` by the resolver. */
  grantedToId!: string;

  /** 42 CFR Part 2 label (modules/part2): the program whose record this is; see `part2Protected`. */
  part2ProgramId?: string;
}
