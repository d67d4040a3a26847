import { Field, ID, ObjectType } from 'type-graphql';
import { PersonType } from '../person/person.types';

@ObjectType('FamilySupportCase', {
  description:
    "Support for a family after a fatal overdose in your agency's area (your agency opted in)",
})
export class FamilySupportCaseType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => String, { description: 'County FIPS code of the death' })
  county!: string;

  @Field(() => Date, { description: 'When the fatal overdose happened' })
  occurredAt!: Date;

  @Field(() => Boolean, {
    description:
      'The decedent’s identity is withheld: no data-sharing agreement lets it flow from the ' +
      'reporting agency to yours',
  })
  identitySealed!: boolean;

  @Field(() => PersonType, {
    description: 'The decedent, as far as your agreements allow; null while sealed',
  })
  person?: PersonType;

  @Field(() => Date)
  createdAt!: Date;

  /** Resolved by the field resolver after the permission layer let it through. */
  personId?: string;
}
