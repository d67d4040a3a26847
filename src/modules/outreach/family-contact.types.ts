import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('FamilyContact', {
  description: 'A family member the outreach team may contact, under a CONTACT_FAMILY consent',
})
export class FamilyContactType {
  @Field(() => ID, { nullable: false })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  relationship!: string;

  @Field(() => String)
  phone?: string;

  @Field(() => Date)
  createdAt!: Date;
}
