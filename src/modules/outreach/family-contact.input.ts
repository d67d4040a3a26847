import { IsOptional, Length, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';

const PRINTABLE = /^[^\p{Cc}]+$/u;
const PHONE = /^[0-9+().\- ]{7,20}$/;

@InputType('FamilyContactInput', {
  description: 'A family member to contact; needs a CONTACT_FAMILY consent naming your agency',
})
export class FamilyContactInput {
  @Field(() => String, { nullable: false, description: 'At most 200 characters' })
  @Length(1, 200)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  name!: string;

  @Field(() => String, { nullable: false, description: 'Mother, partner, roommate…' })
  @Length(1, 100)
  @Matches(PRINTABLE, { message: 'must not contain control characters' })
  relationship!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a phone number' })
  phone?: string;
}
