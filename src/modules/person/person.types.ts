import { Field, ID, ObjectType } from 'type-graphql';
import { ContactMethod } from './person-codes';
import { RaceEthnicity, Sex } from './person-codes';

@ObjectType('Person', {
  description: 'A survivor as the identity vault knows them, merged across reports',
})
export class PersonType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => String)
  firstName?: string;

  @Field(() => String)
  lastName?: string;

  @Field(() => String, { description: 'YYYY-MM-DD' })
  dateOfBirth?: string;

  @Field(() => String)
  phone?: string;

  @Field(() => String)
  street?: string;

  @Field(() => String)
  city?: string;

  @Field(() => String)
  state?: string;

  @Field(() => String)
  zip?: string;

  @Field(() => Sex)
  sex?: Sex;

  @Field(() => [RaceEthnicity])
  raceEthnicity!: RaceEthnicity[];

  @Field(() => Boolean, { description: 'The person asked not to be contacted by any agency' })
  doNotContact!: boolean;

  @Field(() => ContactMethod, { description: 'How the person prefers to be reached' })
  preferredContactMethod?: ContactMethod;

  @Field(() => String, { description: 'When it is safe to reach the person, in their words' })
  safeContactTimes?: string;

  @Field(() => Boolean, {
    description: 'Say nothing about the overdose to anyone else at the address or phone',
  })
  doNotDiscloseToHousehold!: boolean;
}
